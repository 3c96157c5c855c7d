package dev.loupe.sandbox;

import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Builds the command line that confines a run. Without a SecurityManager a JVM cannot stop its own code from
 * writing files or opening sockets, so confinement comes from the kernel, through util-linux's tools:
 * <ul>
 *   <li>{@code unshare}: new network namespace (only a downed loopback: no route anywhere), mount namespace (where
 *       {@code confine.sh} remounts everything but the work dir read-only) and PID namespace with
 *       {@code --kill-child} (killing the launcher kills every process the run started);</li>
 *   <li>{@code setpriv}: drops every capability and, when the caller is real root, switches to an unused uid,
 *       because the kernel exempts uid 0 from the process limit;</li>
 *   <li>{@code prlimit}: process count, file size, CPU seconds, address space.</li>
 * </ul>
 * A caller that is not root gets a user namespace ({@code --map-root-user}) so it may create the others.
 */
final class Confinement {
    private final boolean realRoot;
    private final Path script;

    private Confinement(boolean realRoot, Path script) {
        this.realRoot = realRoot;
        this.script = script;
    }

    /** Confinement for this machine, or an exception saying what is missing. Probes once with a real run. */
    static Confinement detect() {
        for (String tool : List.of("unshare", "setpriv", "prlimit")) {
            if (onPath(tool) == null) throw new LoupeException("the sandbox needs util-linux's " + tool + " on PATH");
        }
        boolean root = currentUid() == 0;
        Path script = extractScript();
        Confinement c = new Confinement(root, script);
        try {
            Path probe = Files.createTempDirectory("loupe-sandbox-probe");
            try {
                List<String> cmd = c.command(probe, c.runUid(), List.of("true"), Limits.defaults(), false);
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
                if (p.exitValue() != 0) {
                    throw new LoupeException("the sandbox cannot create namespaces on this machine (" + oneLine(out)
                            + "); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone)");
                }
            } finally {
                WorkDir.delete(probe);
            }
        } catch (IOException e) {
            throw new LoupeException("the sandbox probe failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoupeException("interrupted while probing the sandbox", e);
        }
        return c;
    }

    /** A fresh uid per run for a root caller (so concurrent runs do not share a process count); "-" otherwise. */
    String runUid() {
        return realRoot ? Integer.toString(200_000 + ThreadLocalRandom.current().nextInt(800_000)) : "-";
    }

    /** Whether runs switch to another uid (the caller is real root), so the programs they run must be reachable. */
    boolean dropsToOtherUser() {
        return realRoot;
    }

    /** Whether every directory on the way to {@code file} and the file itself let other users execute. */
    static boolean reachableByOthers(Path file) {
        try {
            for (Path p = file.toRealPath(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The run's user must own its work dir to write there (a no-op when the run keeps the caller's uid). */
    void giveTo(Path work, String uid) throws IOException {
        if (uid.equals("-")) return;
        int id = Integer.parseInt(uid);
        Files.setAttribute(work, "unix:uid", id);
        Files.setAttribute(work, "unix:gid", id);
    }

    /**
     * The full command: namespaces, then confine.sh (mounts, uid), then prlimit, then {@code program}.
     *
     * @param addressSpaceLimit whether to cap the address space at the memory limit (right for Python; a JVM
     *                          reserves far more address space than it uses and is capped by -Xmx instead)
     */
    List<String> command(Path work, String uid, List<String> program, Limits limits, boolean addressSpaceLimit) {
        List<String> cmd = new ArrayList<>();
        cmd.add("unshare");
        if (!realRoot) cmd.add("--map-root-user");
        cmd.addAll(List.of("--net", "--mount", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc",
                "--", "/bin/sh", script.toString(), work.toString(), uid));
        cmd.add("prlimit");
        cmd.add("--nproc=" + limits.maxProcesses());
        cmd.add("--fsize=" + limits.maxFileBytes());
        // CPU time is the backstop, not the clock: a JVM compiling on several threads can burn more CPU seconds than
        // wall seconds, so a cap equal to the wall time would kill it first and report no time-out. Every core busy
        // for the whole wall time, plus one second, is the most a run can use before the wall-clock kill.
        long wallSeconds = Math.max(1, (limits.wallTime().toMillis() + 999) / 1000);
        cmd.add("--cpu=" + (wallSeconds * Runtime.getRuntime().availableProcessors() + 1));
        cmd.add("--core=0");
        if (addressSpaceLimit) cmd.add("--as=" + limits.memoryBytes());
        cmd.add("--");
        cmd.addAll(program);
        return cmd;
    }

    private static Path extractScript() {
        try (InputStream in = Confinement.class.getResourceAsStream("confine.sh")) {
            if (in == null) throw new IllegalStateException("confine.sh missing from the jar");
            Path f = Files.createTempFile("loupe-confine", ".sh");
            Files.write(f, in.readAllBytes());
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new LoupeException("cannot write the sandbox script to the temp dir: " + e.getMessage(), e);
        }
    }

    static Path onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new LoupeException("the sandbox runs on Linux only (cannot read /proc/self)", e);
        }
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ');
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
