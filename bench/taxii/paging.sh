#!/usr/bin/env bash
# GET .../objects/?limit=100 over loopback with wrk against `tabadul serve` (Release build):
# requests/s, and server CPU microseconds per request from /proc/<pid>/stat (utime+stime).
#   bench/taxii/paging.sh [SECONDS]        (default 10; uses build-bench/, creates it if needed)
# The server gets one worker thread so "per core" is literal; wrk runs 1 thread, 8 connections.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
B=${BUILD_DIR:-build-bench}
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTABADUL_TESTS=OFF -DTABADUL_BENCH=OFF \
  -DTABADUL_ONLY="common;stix;store;auth;taxii;cli" >/dev/null
cmake --build "$B" --target tabadul >/dev/null
T="$B/src/cli/tabadul"
D=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$D"' EXIT
export TABADUL_DATA=$D
C=11111111-2222-4333-8444-555555555555
"$T" org add bench >/dev/null
echo "bench-password" | "$T" user add bench --org bench --password-stdin >/dev/null
"$T" collection add bench --org bench --id $C >/dev/null
"$T" grant bench $C read >/dev/null
python3 bench/taxii/gen_bundle.py 20000 "$D/bundle.json"
"$T" import "$D/bundle.json" --collection $C --no-progress >/dev/null
PORT=$((20000 + RANDOM % 20000))
"$T" serve --listen 127.0.0.1:$PORT --threads 1 >/dev/null &
PID=$!
sleep 1
URL="http://127.0.0.1:$PORT/api/collections/$C/objects/?limit=100"
AUTH="Authorization: Basic $(printf bench:bench-password | base64)"
curl -fs -H "$AUTH" "$URL" -o /dev/null  # warm the credential cache
ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
t0=$(ticks)
OUT=$(wrk -t1 -c8 -d${SECS}s -H "$AUTH" "$URL")
t1=$(ticks)
echo "$OUT"
REQS=$(echo "$OUT" | awk '/requests in/ {print $1}')
HZ=$(getconf CLK_TCK)
python3 - "$REQS" "$t0" "$t1" "$HZ" "$SECS" <<'PY'
import sys
reqs, t0, t1, hz, secs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
cpu_s = (t1 - t0) / hz
print(f"pages of 100 objects: {reqs} in {secs}s = {reqs/secs:.0f}/s; server CPU {cpu_s:.2f}s"
      f" = {cpu_s*1e6/max(reqs,1):.1f} us/request = {reqs/max(cpu_s,1e-9):.0f} pages per CPU-second")
PY
