#!/usr/bin/env bash
# Whole-machine CPU profile of Arca under `./arca bench`: perf samples every CPU (kernel included,
# which JFR cannot see) for a few seconds in the middle of the PUT phase and of the GET phase, then
# prints where the time went per thread group and per symbol. Needs `perf` and root (or
# kernel.perf_event_paranoid <= -1). Not part of CI.
#
# usage: bench/profile.sh [--scenario large|small] [--record 6] [-- serve flags...]
# Output: the bench's JSON lines, then for each phase the top thread groups (comm) and the top
# (comm, symbol) pairs; perf.data files stay in the printed work directory for `perf report`.
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIO=large RECORD=6
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scenario) SCENARIO=$2; shift 2 ;;
    --record) RECORD=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v perf > /dev/null || { echo "profile.sh: perf not found" >&2; exit 1; }
WORK=$(mktemp -d "${ARCA_BENCH_DIR:-/tmp}/arca-profile.XXXXXX")
cleanup() { [[ -n "${ARCA_PID:-}" ]] && kill "$ARCA_PID" 2>/dev/null || true; }
trap cleanup EXIT
./arca build
# Frame pointers and a perf map let perf name JIT-compiled Java frames.
ARCA_JVM_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer" \
  ARCA_ROOT_ACCESS_KEY=benchkey ARCA_ROOT_SECRET_KEY=benchsecret123 \
  ./arca serve --data "$WORK/data" --address 127.0.0.1:0 --tls-port off --detect off "$@" > "$WORK/server.log" 2>&1 &
ARCA_PID=$!
for _ in $(seq 120); do grep -q ready "$WORK/server.log" && break; sleep 0.5; done
ENDPOINT=$(grep -o 'http://[0-9.:]*' "$WORK/server.log" | tail -1)
# Each phase: 2 s warm-up + 15 s measured; record from 7 s into the phase, away from its edges.
./arca bench --endpoint "$ENDPOINT" --access-key benchkey --secret-key benchsecret123 --concurrency 8 \
  --duration 15s --warmup 2s --scenarios "$SCENARIO" > "$WORK/bench.json" 2> "$WORK/bench.err" &
BENCH=$!
sleep 7; perf record -a -g -o "$WORK/put.data" -- sleep "$RECORD" > /dev/null 2>&1
sleep $((17 - 7 - RECORD + 7)); perf record -a -g -o "$WORK/get.data" -- sleep "$RECORD" > /dev/null 2>&1
wait "$BENCH"
kill "$ARCA_PID"; wait "$ARCA_PID" 2>/dev/null || true; ARCA_PID=
sleep 1 # the JVM writes its perf map at exit
cat "$WORK/bench.json"
for phase in put get; do
  echo "== $phase: thread groups"
  perf report -i "$WORK/$phase.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' | head -8
  echo "== $phase: top symbols"
  perf report -i "$WORK/$phase.data" --no-children --sort comm,sym --stdio -g none 2>/dev/null | grep '%' | head -20
done
echo "perf data: $WORK/{put,get}.data (perf report -i FILE)" >&2
