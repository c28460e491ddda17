#!/usr/bin/env bash
# Erasure coding throughput (arca-jmh CoderBench): builds arca-erasure and arca-jmh, runs JMH, and
# prints data GB/s per core (the benchmark's "bytes" counter; one op = one 1 MiB stripe).
#
# usage: bench/coder-bench.sh [JMH args], e.g.
#   bench/coder-bench.sh -p shape=8+4 -p implementation=ISAL,JAVA_VECTOR
#   bench/coder-bench.sh CoderBench.encode -jvmArgsAppend -Darca.erasure.vectorBits=256
# Default: every shape × implementation × {encode, reconstruct}, 2×1 s warmup + 3×1 s measurement
# (about 4 minutes). Pass -wi/-i/-w/-r to change.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
JVM_FLAGS=(--sun-misc-unsafe-memory-access=allow --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)

mvn -B -q -DskipTests package -pl arca-jmh -am

RESULTS=$(mktemp /tmp/coder-bench.XXXXXX.csv)
trap 'rm -f "$RESULTS"' EXIT
BENCH=CoderBench
if [[ $# -gt 0 && $1 != -* ]]; then BENCH=$1; shift; fi
# JMH rejects repeated options: add each default only when the caller did not give it.
DEFAULTS=()
for option in "-f 1" "-wi 2" "-i 3" "-w 1s" "-r 1s" "-jvmArgsAppend --sun-misc-unsafe-memory-access=allow"; do
  [[ " $* " == *" ${option%% *} "* ]] || DEFAULTS+=($option)
done
"$JAVA_HOME/bin/java" "${JVM_FLAGS[@]}" -cp 'arca-jmh/target/classes:arca-jmh/target/lib/*' \
  org.openjdk.jmh.Main "$BENCH" "${DEFAULTS[@]}" -rf csv -rff "$RESULTS" "$@"

echo
echo "data GB/s per core (1 MiB stripes, native memory):"
# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",params...
awk -F, 'NR == 1 { for (i = 8; i <= NF; i++) { gsub(/"|Param: /, "", $i); name[i] = $i }; next }
         $1 ~ /:bytes"$/ {
           gsub(/"/, ""); sub(/^.*CoderBench\./, "", $1); sub(/:bytes$/, "", $1)
           params = ""; for (i = 8; i <= NF; i++) params = params sprintf(" %s=%-12s", name[i], $i)
           printf "  %-12s%s %7.2f GB/s\n", $1, params, $5 / 1e9
         }' "$RESULTS"
