#!/usr/bin/env bash
# GET .../objects/?limit=100 over loopback with wrk against `tabadul serve` (Release build, the
# full server: policy read filter, disclosure log, background pollers), then the same wrk run
# against taxii_static_server (the same Beast server answering a fixed body of the same size:
# the HTTP floor). For each: requests/s, and server CPU microseconds per request from
# /proc/<pid>/stat (utime+stime, every thread); then the ratio of the two.
#   bench/taxii/paging.sh [SECONDS]        (default 10; uses build-bench/, creates it if needed)
# Each server gets one worker thread so "per core" is literal; wrk runs 1 thread, 8 connections.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
B=${BUILD_DIR:-build-bench}
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTABADUL_TESTS=OFF -DTABADUL_BENCH=ON \
  -DTABADUL_ONLY="" >/dev/null
cmake --build "$B" -j1 --target tabadul taxii_static_server >/dev/null
T="$B/src/cli/tabadul"
D=$(mktemp -d)
PID=
trap 'kill $PID 2>/dev/null || true; rm -rf "$D"' EXIT
export TABADUL_DATA=$D
C=11111111-2222-4333-8444-555555555555
"$T" org add bench >/dev/null
echo "bench-password" | "$T" user add bench --org bench --password-stdin >/dev/null
"$T" collection add bench --org bench --id $C >/dev/null
"$T" grant bench $C read >/dev/null
python3 bench/taxii/gen_bundle.py 20000 "$D/bundle.json"
"$T" import "$D/bundle.json" --collection $C --no-progress >/dev/null
AUTH="Authorization: Basic $(printf bench:bench-password | base64)"
HZ=$(getconf CLK_TCK)

# run NAME URL: wrk against $PID, prints requests/s and server CPU per request.
run() {
  local name=$1 url=$2 t0 t1 out reqs
  t0=$(awk '{print $14 + $15}' /proc/$PID/stat)
  out=$(wrk -t1 -c8 -d${SECS}s -H "$AUTH" "$url")
  t1=$(awk '{print $14 + $15}' /proc/$PID/stat)
  echo "$out" | sed -n '/Latency/p;/requests in/p'
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  python3 - "$name" "$reqs" "$t0" "$t1" "$HZ" "$SECS" <<'PY' | tee -a "$D/summary"
import sys
name, reqs, t0, t1, hz, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
cpu_s = (t1 - t0) / hz
print(f"{name}: {reqs} requests in {secs}s = {reqs/secs:.0f}/s; server CPU {cpu_s:.2f}s"
      f" = {cpu_s*1e6/max(reqs,1):.1f} us/request = {reqs/max(cpu_s,1e-9):.0f} per CPU-second")
PY
}

# quiesce: waits (at most 120 s) until $PID used under 2 ticks of CPU in a second. `serve`
# catches its search and match indexes up with the store at startup (20,000 indicators here):
# that one-off work must not be billed to the requests. Prints the startup CPU and then the
# idle CPU over 3 s (pollers, writer threads).
quiesce() {
  local a b i
  for i in $(seq 120); do
    a=$(awk '{print $14 + $15}' /proc/$PID/stat); sleep 1; b=$(awk '{print $14 + $15}' /proc/$PID/stat)
    [ $((b - a)) -lt 2 ] && break
  done
  echo "startup CPU: $(awk -v t="$b" -v hz="$HZ" 'BEGIN {printf "%.2f", t / hz}') s"
  a=$(awk '{print $14 + $15}' /proc/$PID/stat); sleep 3; b=$(awk '{print $14 + $15}' /proc/$PID/stat)
  echo "idle CPU: $(( (b - a) * 1000000 / HZ / 3 )) us per second"
}

PORT=$((20000 + RANDOM % 20000))
"$T" serve --listen 127.0.0.1:$PORT --threads 1 >/dev/null &
PID=$!
sleep 1
quiesce
URL="http://127.0.0.1:$PORT/api/collections/$C/objects/?limit=100"
BYTES=$(curl -fs -H "$AUTH" "$URL" | wc -c)  # also warms the credential cache
echo "page: $BYTES bytes"
run "tabadul serve, objects?limit=100" "$URL"
kill $PID; wait $PID 2>/dev/null || true

PORT=$((20000 + RANDOM % 20000))
"$B/bench/taxii/taxii_static_server" $PORT "$BYTES" 1 &
PID=$!
sleep 1
run "static $BYTES-byte body, same server" "http://127.0.0.1:$PORT/"
kill $PID; wait $PID 2>/dev/null || true
PID=
python3 - "$D/summary" <<'PY'
import re, sys
us = [float(re.search(r"= ([0-9.]+) us/request", l).group(1)) for l in open(sys.argv[1])]
print(f"ratio of server CPU per request, TAXII page / static body: {us[0]/us[1]:.2f}")
PY
