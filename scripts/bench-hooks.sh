#!/bin/bash
# Process CPU time (user+sys) for the same tg work: less sensitive than wall time to other processes on a loaded machine.
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
M=$(dirname "$0")/../../shared/fixtures/models/small-llama-q4_k_m.gguf
for i in 1 2 3; do
  for v in base lens; do
    jar=${BASE:-/tmp/s2-lens-base}/loupe-cli/target/loupe.jar; [ $v = lens ] && jar=$(dirname "$0")/../loupe-cli/target/loupe.jar
    /usr/bin/time -f "$v round $i cpu_s %U+%S wall %e" $J --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar $jar bench -m $M -p 0 -n 256 -r 5 -t 1 --json 2>&1 | grep -o 'tokens_per_s":[0-9.]*\|.*cpu_s.*'
  done
done
