#!/usr/bin/env bash
# Runs ./arca bench against Arca and against a peer S3 server in the same session, and reports
# throughput together with the server's own CPU time per phase (from /proc/<pid>/stat).
#
# usage: bench/side-by-side.sh [--duration 10s] [--concurrency 8] [--scenarios large,small]
#                              [--peer s3proxy|arca-1drive|versioned|https|sse|none]
# Arca runs from this checkout on a fresh data dir under /tmp with its default 4 drives (2+2
# erasure coding); the peer is started with ../shared/peers/peer-<name>.sh (not part of CI), or,
# for arca-1drive, is Arca itself on one drive (no erasure coding: the EC-off baseline); for
# versioned, the same Arca server again on a bucket with versioning enabled (needs the aws CLI); for
# https, the same Arca server again through its TLS listener (trusting its self-signed certificate); for
# sse, the same server through TLS (TLS + SSE-S3), then Arca again with `--encryption off` (objects
# in clear: the SSE-off baseline) — the first run is always Arca's default, SSE-S3 over plain HTTP.
# Output: one line per server and phase.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=10s CONCURRENCY=8 PEER=s3proxy SCENARIOS=large,small
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --peer) PEER=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
# ARCA_BENCH_DIR=/dev/shm puts the servers' data in memory: it takes the disk out of the comparison.
WORK=$(mktemp -d "${ARCA_BENCH_DIR:-/tmp}/arca-side-by-side.XXXXXX")
cleanup() { [[ -n "${ARCA_PID:-}" ]] && kill "$ARCA_PID" 2>/dev/null || true; }
trap cleanup EXIT

./arca build
start_arca() { # log-name [serve flags...]; sets ARCA_PID and ARCA_ENDPOINT
  local name=$1; shift
  ARCA_ROOT_ACCESS_KEY=benchkey ARCA_ROOT_SECRET_KEY=benchsecret123 \
    ./arca serve --data "$WORK/data-$name" --address 127.0.0.1:0 --tls-port 0 "$@" > "$WORK/$name.log" 2>&1 &
  ARCA_PID=$!
  for _ in $(seq 60); do grep -q ready "$WORK/$name.log" && break; sleep 0.5; done
  ARCA_ENDPOINT=$(grep -o 'http://[0-9.:]*' "$WORK/$name.log" | tail -1)
  ARCA_TLS_ENDPOINT=$(grep -o 'https://[0-9.:]*' "$WORK/$name.log" | tail -1)
  grep -h '^Drives:' "$WORK/$name.log" >&2 || true
  # ./arca serve execs java, so the launcher's pid is the server's pid.
}
start_arca arca

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz, $14/hz, $15/hz}' "/proc/$1/stat"; }

measure() { # name pid endpoint access-key secret-key [bench flags...]
  local name=$1 pid=$2 endpoint=$3 ak=$4 sk=$5; shift 5
  (while kill -0 "$pid" 2>/dev/null; do echo "$(date +%s.%N) $(cpu_seconds "$pid")"; sleep 0.25; done) > "$WORK/cpu-$name" &
  local sampler=$!
  ./arca bench --endpoint "$endpoint" --access-key "$ak" --secret-key "$sk" --concurrency "$CONCURRENCY" \
      --duration "$DURATION" --scenarios "$SCENARIOS" "$@" \
      2> >(while read -r line; do echo "$(date +%s.%N) $line"; done > "$WORK/phases-$name") > "$WORK/json-$name"
  sleep 1
  kill "$sampler" 2>/dev/null || true
  python3 - "$WORK" "$name" <<'PY'
import json, sys
work, name = sys.argv[1], sys.argv[2]
cpu = [tuple(map(float, l.split())) for l in open(f"{work}/cpu-{name}") if len(l.split()) == 4]
results = [json.loads(l) for l in open(f"{work}/json-{name}")]
ends = [float(l.split()[0]) for l in open(f"{work}/phases-{name}")
        if len(l.split()) > 3 and l.split()[1] in ("large", "small") and l.split()[2] in ("PUT", "GET")]
def at(t, field=1):
    return min(cpu, key=lambda c: abs(c[0] - t))[field]
for r, end in zip(results, ends):
    used = at(end) - at(end - r["seconds"])
    user = at(end, 2) - at(end - r["seconds"], 2)
    system = at(end, 3) - at(end - r["seconds"], 3)
    per = (f"{r['bytes'] / 1e9 / used:.2f} GB per server CPU-s" if r["size"] >= 1 << 20
           else f"{r['requests'] / used:.0f} req per server CPU-s")
    print(f"{name:8} {r['scenario']:5} {r['op']:3} {r['GBps']:6.3f} GB/s {r['ops_per_s']:8.0f} ops/s  "
          f"p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  server CPU {used:5.1f} s "
          f"(user {user:4.1f} + sys {system:4.1f}; {per})  "
          f"client CPU {r['client_cpu_s']:.1f} s  errors {r['errors']}")
PY
}

measure arca "$ARCA_PID" "$ARCA_ENDPOINT" benchkey benchsecret123
case "$PEER" in
  none) ;;
  arca-1drive)
    kill "$ARCA_PID"; wait "$ARCA_PID" 2>/dev/null || true
    start_arca arca-1d --drive-count 1
    measure arca-1d "$ARCA_PID" "$ARCA_ENDPOINT" benchkey benchsecret123
    ;;
  versioned)
    aws_arca() { AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret123 AWS_DEFAULT_REGION=us-east-1 \
      aws --endpoint-url "$ARCA_ENDPOINT" s3api "$@" > /dev/null; }
    aws_arca create-bucket --bucket arca-bench-versioned
    aws_arca put-bucket-versioning --bucket arca-bench-versioned --versioning-configuration Status=Enabled
    measure arca-ver "$ARCA_PID" "$ARCA_ENDPOINT" benchkey benchsecret123 --bucket arca-bench-versioned
    ;;
  https)
    measure arca-tls "$ARCA_PID" "$ARCA_TLS_ENDPOINT" benchkey benchsecret123 --trust-cert "$WORK/data-arca/tls/cert.pem"
    ;;
  sse)
    measure arca-tls "$ARCA_PID" "$ARCA_TLS_ENDPOINT" benchkey benchsecret123 --trust-cert "$WORK/data-arca/tls/cert.pem"
    kill "$ARCA_PID"; wait "$ARCA_PID" 2>/dev/null || true
    start_arca arca-clear --encryption off
    measure arca-clr "$ARCA_PID" "$ARCA_ENDPOINT" benchkey benchsecret123
    ;;
  s3proxy)
    bash ../shared/peers/peer-s3proxy.sh start > "$WORK/peer.log" 2>&1
    measure s3proxy "$(cat /tmp/peers/s3proxy/pid)" http://127.0.0.1:8081 local-identity local-credential --no-etag-check
    bash ../shared/peers/peer-s3proxy.sh stop > /dev/null
    ;;
  *) echo "unknown peer $PEER" >&2; exit 2 ;;
esac
rm -rf "$WORK"/data-*
