#!/usr/bin/env bash
# Authorization cost on the hot path: 4 KiB GETs (./arca bench, small scenario) as an account's
# root user and as an IAM user whose access comes from a user policy, with a bucket policy in
# place, alternating in one server session so both see the same machine state.
#
# usage: bench/iam-bench.sh [--rounds 3] [--duration 10s] [--concurrency 8]   (needs the aws CLI)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3 DURATION=10s CONCURRENCY=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK=$(mktemp -d "${ARCA_BENCH_DIR:-/tmp}/arca-iam-bench.XXXXXX")
cleanup() { [[ -n "${PID:-}" ]] && kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
./arca build
ARCA_ROOT_ACCESS_KEY=benchkey ARCA_ROOT_SECRET_KEY=benchsecret123 \
  ./arca serve --data "$WORK/data" --address 127.0.0.1:0 --tls-port off > "$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 60); do grep -q ready "$WORK/log" && break; sleep 0.5; done
E=$(grep -o 'http://[0-9.:]*' "$WORK/log" | tail -1)
aws_root() { AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret123 AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "$E" "$@"; }
aws_root s3api create-bucket --bucket arca-bench > /dev/null
aws_root iam create-user --user-name bench > /dev/null
aws_root iam put-user-policy --user-name bench --policy-name bench --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::arca-bench","arn:aws:s3:::arca-bench/*"]},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}'
aws_root s3api put-bucket-policy --bucket arca-bench --policy \
  '{"Version":"2012-10-17","Statement":[{"Sid":"NoVersionDeletesFromOutside","Effect":"Deny","Principal":"*","Action":"s3:DeleteObjectVersion","Resource":"arn:aws:s3:::arca-bench/*","Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}'
read -r AK SK < <(aws_root iam create-access-key --user-name bench --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
for round in $(seq "$ROUNDS"); do
  for who in root user; do
    if [[ $who == root ]]; then a=benchkey; s=benchsecret123; else a=$AK; s=$SK; fi
    ./arca bench --endpoint "$E" --access-key "$a" --secret-key "$s" --scenarios small --duration "$DURATION" \
        --concurrency "$CONCURRENCY" 2>&1 > /dev/null | grep -E ' (GET|PUT) ' | sed "s/^/round $round $who /"
  done
done
