# Runs inside fresh mount, network and PID namespaces (see Confinement.java). Arguments: WORK UID CMD...
# 1. WORK gets a mount of its own, so it is the one place that stays writable;
# 2. every other mount is remounted read-only (keeping the flags a user namespace may not drop);
# 3. the command runs in WORK, as UID when UID is not "-" (a real-root caller drops to an unprivileged uid so
#    the process limit applies: the kernel exempts uid 0 from RLIMIT_NPROC).
# Any failure aborts before the command starts (set -e): the code never runs half-confined.
# This shell stays as PID 1 of the namespace, waiting for the command, rather than exec'ing it: unshare's
# --kill-child death signal belongs to this process, and the kernel clears it when a process changes uid. So
# when the sandbox kills unshare, this shell dies, and with PID 1 gone the kernel kills the whole namespace.
set -eu
work=$1; uid=$2; shift 2
mount --bind "$work" "$work"
failed=""
while read -r src mnt fstype opts rest; do
  [ "$mnt" = "$work" ] && continue
  keep=""
  for o in $(echo "$opts" | tr , ' '); do
    case $o in nosuid|nodev|noexec|noatime|nodiratime|relatime) keep="$keep,$o";; esac
  done
  mount -o "remount,bind,ro$keep" "$mnt" 2>/dev/null || failed="$failed $mnt"
done < /proc/self/mounts
# A mount that stays writable is a hole only if the process could write there; proc and devpts are guarded by
# permissions of their own, anything else aborts.
for m in $failed; do
  case $m in /proc|/proc/*|/dev/pts|/sys|/sys/*) ;; *) echo "loupe-sandbox: cannot make $m read-only" >&2; exit 125;; esac
done
cd "$work"
set +e
if [ "$uid" != "-" ]; then
  setpriv --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"
else
  setpriv --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"
fi
exit $?
