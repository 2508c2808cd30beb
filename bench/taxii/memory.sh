#!/usr/bin/env bash
# Resident memory of `tabadul serve` with N stored objects (synthetic indicators, ~600 bytes
# each), after paging through the whole collection once with limit=1000: memory must not grow
# with the number of stored objects.
#   bench/taxii/memory.sh 100000 1000000      (sizes to measure; uses build-bench/)
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD_DIR:-build-bench}
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTABADUL_TESTS=OFF -DTABADUL_BENCH=ON -DTABADUL_ONLY="" >/dev/null
cmake --build "$B" -j1 --target tabadul >/dev/null
T="$B/src/cli/tabadul"
C=11111111-2222-4333-8444-555555555555
for N in "$@"; do
  D=$(mktemp -d)
  export TABADUL_DATA=$D
  "$T" org add bench >/dev/null
  echo "bench-password" | "$T" user add bench --org bench --password-stdin >/dev/null
  "$T" collection add bench --org bench --id $C >/dev/null
  "$T" grant bench $C read >/dev/null
  left=$N; part=0
  while [ "$left" -gt 0 ]; do  # import in chunks of 100k so the generator's file stays small
    n=$(( left < 100000 ? left : 100000 ))
    python3 bench/taxii/gen_bundle.py "$n" "$D/part.json" "$part"
    "$T" import "$D/part.json" --collection $C --no-progress >/dev/null
    left=$((left - n)); part=$((part + 1))
  done
  rm -f "$D/part.json"
  PORT=$((20000 + RANDOM % 20000))
  "$T" serve --listen 127.0.0.1:$PORT --threads 4 >/dev/null &
  PID=$!
  sleep 2
  # Wait (at most 600 s) for the startup catch-up of the search and match indexes to finish:
  # under 2 ticks of CPU in a second.
  t_start=$(date +%s)
  for i in $(seq 600); do
    a=$(awk '{print $14 + $15}' /proc/$PID/stat); sleep 1; b=$(awk '{print $14 + $15}' /proc/$PID/stat)
    [ $((b - a)) -lt 2 ] && break
  done
  startup_s=$(( $(date +%s) - t_start ))
  rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
  AUTH="Authorization: Basic $(printf bench:bench-password | base64)"
  URL="http://127.0.0.1:$PORT/api/collections/$C/objects/?limit=1000"
  next=""; pages=0
  while :; do
    body=$(curl -fs -H "$AUTH" "$URL${next:+&next=$next}")
    pages=$((pages + 1))
    next=$(printf '%s' "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("next",""))')
    [ -n "$next" ] || break
  done
  rss_after=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
  echo "objects=$N pages=$pages startup_s=$startup_s rss_idle_kB=$rss_idle rss_after_full_scan_kB=$rss_after peak_kB=$hwm db_MB=$(( $(stat -c %s "$D/tabadul.db") / 1048576 ))"
  kill $PID; wait $PID 2>/dev/null || true
  rm -rf "$D"
done
