#!/usr/bin/env bash
# The peer comparison (issue: AI data path): one run, same machine, same client, same workloads —
# raw loopback, then Arca (default SSE-S3, and with encryption off), then every peer server that
# starts here (../shared/peers: s3proxy, s3rver, Swift + s3api, Ceph radosgw) — and prints each
# workload's figure for every server with the ratio Arca / peer. Not part of CI.
#
# usage: bench/peers.sh [--duration 10s] [--warmup 5s] [--concurrency 8] [--peers "s3proxy s3rver swift radosgw"]
#                       [--feed-scale 0.05]
# Workloads: 64 MiB PUT and GET (GB/s), 4 KiB PUT and GET (ops/s) from `./arca bench`; the
# `./arca feed` unet3d-h100 preset scaled by --feed-scale with 1 accelerator (AU, GB/s); for Arca
# also batch GET vs single GETs of 10 KiB objects and the largest N of scaled unet3d-h100
# accelerators at AU >= 90 % (--search). Bench phases warm up for --warmup first, every server
# alike (JIT compilation runs for several seconds after a JVM server starts). A peer that cannot be installed or started, or
# fails a workload, is reported as such and skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
DURATION=10s WARMUP=5s CONCURRENCY=8 PEERS="s3proxy s3rver swift radosgw" FEED_SCALE=0.05
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    --feed-scale) FEED_SCALE=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK=$(mktemp -d "${ARCA_BENCH_DIR:-/tmp}/arca-peers.XXXXXX")
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
cleanup() { [[ -n "${ARCA_PID:-}" ]] && kill "$ARCA_PID" 2>/dev/null || true; }
trap cleanup EXIT
./arca build
for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 "${JAVA_HOME:-}"; do
  [[ -x "$candidate/bin/java" ]] && JAVA="$candidate/bin/java" && break
done

record() { echo -e "$1\t$2\t$3" >> "$RESULTS"; } # server workload value

echo "== raw loopback (Java, $CONCURRENCY connections; from memory, then from a page-cached file)" >&2
raw=$("$JAVA" bench/LoopbackRaw.java "$CONCURRENCY" 5 memory | python3 -c 'import json,sys; print(json.load(sys.stdin)["GBps"])')
record loopback "raw GB/s" "$raw"
# The same from a page-cached file (pread into a direct buffer, then write): the floor of any file server.
raw_file=$("$JAVA" bench/LoopbackRaw.java "$CONCURRENCY" 5 pread | python3 -c 'import json,sys; print(json.load(sys.stdin)["GBps"])')
record loopback "raw file GB/s" "$raw_file"

bench() { # server endpoint ak sk [extra bench flags]
  local server=$1 endpoint=$2 ak=$3 sk=$4; shift 4
  ./arca bench --endpoint "$endpoint" --access-key "$ak" --secret-key "$sk" --concurrency "$CONCURRENCY" \
      --duration "$DURATION" --warmup "$WARMUP" --scenarios large,small "$@" > "$WORK/bench-$server.json" 2> "$WORK/bench-$server.err" \
    || record "$server" "bench" "failed: $(tail -1 "$WORK/bench-$server.err")"
  # A phase counts only if none of its requests failed; a failed clean-up (s3rver answers some
  # DELETEs with 500) fails the bench's exit status but not the phases measured before it.
  python3 - "$WORK/bench-$server.json" "$server" >> "$RESULTS" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    unit = "GB/s" if r["size"] >= 1 << 20 else "ops/s"
    name = f"{r['scenario']} {r['op']} {unit}"
    if r["errors"]:
        print(f"{sys.argv[2]}\t{name}\t{r['errors']} errors")
        continue
    value = r["GBps"] if unit == "GB/s" else r["ops_per_s"]
    print(f"{sys.argv[2]}\t{name}\t{value:.3f}" if unit == "GB/s" else f"{sys.argv[2]}\t{name}\t{value:.0f}")
PY
}

feed() { # server endpoint ak sk
  local server=$1 endpoint=$2 ak=$3 sk=$4
  if ARCA_ACCESS_KEY=$ak ARCA_SECRET_KEY=$sk ./arca feed --endpoint "$endpoint" --preset unet3d-h100 \
      --scale "$FEED_SCALE" --accelerators 1 --duration "$DURATION" --bucket arca-feed --json \
      > "$WORK/feed-$server.json" 2> "$WORK/feed-$server.err"; then
    python3 - "$WORK/feed-$server.json" "$server" >> "$RESULTS" <<'PY'
import json, sys
trials = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
t = next((x for x in trials if "au" in x), None)
if t:
    print(f"{sys.argv[2]}\tfeed unet3d AU\t{t['au']:.3f}")
    print(f"{sys.argv[2]}\tfeed unet3d GB/s\t{t.get('gbps', t.get('GBps', 0)):.3f}")
PY
  else
    record "$server" "feed" "failed: $(tail -1 "$WORK/feed-$server.err")"
  fi
}

start_arca() { # name [serve flags]
  local name=$1; shift
  ARCA_ROOT_ACCESS_KEY=benchkey ARCA_ROOT_SECRET_KEY=benchsecret123 \
    ./arca serve --data "$WORK/data-$name" --address 127.0.0.1:0 --tls-port off --detect off "$@" > "$WORK/$name.log" 2>&1 &
  ARCA_PID=$!
  for _ in $(seq 120); do grep -q ready "$WORK/$name.log" && break; sleep 0.5; done
  ARCA_ENDPOINT=$(grep -o 'http://[0-9.:]*' "$WORK/$name.log" | tail -1)
}
stop_arca() { kill "$ARCA_PID"; wait "$ARCA_PID" 2>/dev/null || true; ARCA_PID=; }

echo "== arca (defaults: SSE-S3, 4 drives 2+2)" >&2
start_arca arca
bench arca "$ARCA_ENDPOINT" benchkey benchsecret123
feed arca "$ARCA_ENDPOINT" benchkey benchsecret123
./arca bench --endpoint "$ARCA_ENDPOINT" --access-key benchkey --secret-key benchsecret123 --concurrency 4 \
    --duration "$DURATION" --warmup "$WARMUP" --scenarios batch > "$WORK/batch.json" 2> "$WORK/batch.err" \
  && python3 - "$WORK/batch.json" >> "$RESULTS" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    for k in ("single_objects_per_s", "batch_objects_per_s", "ratio"):
        if k in r:
            print(f"arca\tbatch {k}\t{r[k]:.2f}")
PY
# The largest N of scaled unet3d-h100 accelerators at AU >= 90 % (doubling, then bisection).
if ARCA_ACCESS_KEY=benchkey ARCA_SECRET_KEY=benchsecret123 ./arca feed --endpoint "$ARCA_ENDPOINT" --preset unet3d-h100 \
    --scale "$FEED_SCALE" --search --duration "$DURATION" --bucket arca-feed --json > "$WORK/search.json" 2> "$WORK/search.err"; then
  python3 - "$WORK/search.json" >> "$RESULTS" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line) if line.strip().startswith("{") else {}
    if r.get("mode") == "search":
        print(f"arca\tfeed unet3d largest N at AU>=90%\t{r['max_accelerators_passing']}")
PY
else
  record arca "feed search" "failed: $(tail -1 "$WORK/search.err")"
fi
stop_arca
echo "== arca-clear (encryption off)" >&2
start_arca arca-clear --encryption off
bench arca-clear "$ARCA_ENDPOINT" benchkey benchsecret123
stop_arca

declare -A EP=([s3proxy]=http://127.0.0.1:8081 [s3rver]=http://127.0.0.1:4568 [swift]=http://127.0.0.1:8080 [radosgw]=http://127.0.0.1:8000)
declare -A AK=([s3proxy]=local-identity [s3rver]=S3RVER [swift]=test:tester [radosgw]=0555b35654ad1656d804)
declare -A SK=([s3proxy]=local-credential [s3rver]=S3RVER [swift]=testing [radosgw]=h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==)
for peer in $PEERS; do
  echo "== $peer" >&2
  # install is idempotent (packages, npm module, jar); the first run downloads, later ones only check.
  if ! { timeout 1200 bash ../shared/peers/peer-$peer.sh install && timeout 300 bash ../shared/peers/peer-$peer.sh start; } \
      > "$WORK/peer-$peer.log" 2>&1; then
    record "$peer" "start" "failed: $(tail -1 "$WORK/peer-$peer.log")"
    continue
  fi
  bench "$peer" "${EP[$peer]}" "${AK[$peer]}" "${SK[$peer]}" --no-etag-check
  feed "$peer" "${EP[$peer]}" "${AK[$peer]}" "${SK[$peer]}"
  bash ../shared/peers/peer-$peer.sh stop > /dev/null 2>&1 || true
done

echo
python3 - "$RESULTS" <<'PY'
import sys
from collections import OrderedDict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
servers = list(OrderedDict.fromkeys(r[0] for r in rows))
table = {(r[0], r[1]): r[2] for r in rows}
workloads = list(OrderedDict.fromkeys(r[1] for r in rows))
print("workload".ljust(28) + "".join(s.rjust(14) for s in servers))
for w in workloads:
    print(w.ljust(28) + "".join(table.get((s, w), "-")[:13].rjust(14) for s in servers))
print()
def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None
for w in workloads:
    a = num(table.get(("arca", w)))
    if a is None:
        continue
    for s in servers:
        if s in ("arca", "arca-clear", "loopback"):
            continue
        p = num(table.get((s, w)))
        if p:
            print(f"arca / {s:8} {w:26} {a / p:7.2f}x")
raw = num(table.get(("loopback", "raw GB/s")))
raw_file = num(table.get(("loopback", "raw file GB/s")))
for s in ("arca", "arca-clear"):
    g = num(table.get((s, "large GET GB/s")))
    if raw and g:
        print(f"{s} 64 MiB GET = {100 * g / raw:.0f} % of raw loopback ({g:.2f} / {raw:.2f} GB/s)"
              + (f", {100 * g / raw_file:.0f} % of raw loopback from a file ({raw_file:.2f} GB/s)" if raw_file else ""))
PY
echo "raw results: $RESULTS" >&2
