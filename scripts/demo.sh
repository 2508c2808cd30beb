#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, creates a demo data folder with
# an organization, a user and the MITRE ATT&CK data from ../shared/data (or the small sample in
# scripts/sample-bundle.json when that folder is absent), then serves it on 127.0.0.1.
#   TABADUL_DEMO_PORT   port (default 8021)
#   TABADUL_DEMO_DATA   data folder (default ./demo-data; created once, reused afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build}
BUILD_TARGETS=tabadul scripts/setup.sh
T="$BUILD_DIR/src/cli/tabadul"
export TABADUL_DATA=${TABADUL_DEMO_DATA:-$PWD/demo-data}
PORT=${TABADUL_DEMO_PORT:-8021}
USER_NAME=demo
PASSWORD_FILE="$TABADUL_DATA/demo-password"
ATTACK_ID=2f3c4a1e-8d5b-4c1a-9e7f-0a1b2c3d4e5f
ICS_ID=3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d
MOBILE_ID=4b5c6d7e-8f9a-4b1c-8d2e-3f4a5b6c7d8e
EXAMPLES_ID=7a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d
SHARED=../shared/data

if [ ! -f "$TABADUL_DATA/tabadul.db" ]; then
  echo "demo: creating $TABADUL_DATA"
  mkdir -p "$TABADUL_DATA"
  "$T" org add demo-org >/dev/null
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$PASSWORD_FILE"
  chmod 600 "$PASSWORD_FILE"
  "$T" user add "$USER_NAME" --org demo-org --role publisher --password-stdin < "$PASSWORD_FILE"
  # One collection per ATT&CK domain: the domains share objects whose serializations differ.
  "$T" collection add "MITRE ATT&CK Enterprise" --org demo-org --id "$ATTACK_ID" --alias attack \
    --description "MITRE ATT&CK Enterprise v18.1" --default-tlp clear >/dev/null
  "$T" collection add "MITRE ATT&CK ICS" --org demo-org --id "$ICS_ID" --alias attack-ics \
    --default-tlp clear >/dev/null
  "$T" collection add "MITRE ATT&CK Mobile" --org demo-org --id "$MOBILE_ID" --alias attack-mobile \
    --default-tlp clear >/dev/null
  "$T" collection add "OASIS examples" --org demo-org --id "$EXAMPLES_ID" --alias examples \
    --description "The OASIS CTI documentation's STIX 2.1 example bundles" >/dev/null
  for c in attack attack-ics attack-mobile; do "$T" grant "$USER_NAME" "$c" read-write >/dev/null; done
  "$T" grant "$USER_NAME" examples read-write >/dev/null
  if [ -d "$SHARED" ]; then
    "$T" import "$SHARED"/attack/enterprise-attack-*.json --collection attack
    "$T" import "$SHARED"/attack/ics-attack-*.json --collection attack-ics
    "$T" import "$SHARED"/attack/mobile-attack-*.json --collection attack-mobile
    "$T" import "$SHARED"/examples/*.json --collection examples
  else
    echo "demo: $SHARED is absent; importing the built-in sample instead"
    "$T" import scripts/sample-bundle.json --collection examples
  fi
fi

# A demo folder made before the disclosure log moved its records to audit.log keeps the old
# log (audit.db, format 3, which this build refuses to misread) aside and starts a new one.
if [ -f "$TABADUL_DATA/audit.db" ] && [ ! -f "$TABADUL_DATA/audit.log" ]; then
  mv "$TABADUL_DATA/audit.db" "$TABADUL_DATA/audit.db.format3"
  echo "demo: kept the old-format disclosure log aside as $TABADUL_DATA/audit.db.format3"
fi
# One made before delivered versions named their agreements (record file "tabadul audit 1"):
# the same, with its records, lock file and heads.
if [ -f "$TABADUL_DATA/audit.log" ] && [ "$(head -c 15 "$TABADUL_DATA/audit.log")" = "tabadul audit 1" ]; then
  for f in audit.log audit.log.lock audit.db; do
    if [ -f "$TABADUL_DATA/$f" ]; then mv "$TABADUL_DATA/$f" "$TABADUL_DATA/$f.format1"; fi
  done
  echo "demo: kept the old-format disclosure log aside as $TABADUL_DATA/audit.*.format1"
fi

echo
echo "  TAXII 2.1 discovery: http://127.0.0.1:$PORT/taxii2/"
echo "  API root:            http://127.0.0.1:$PORT/api/"
echo "  user: $USER_NAME   password: $(cat "$PASSWORD_FILE")"
echo "  try:  curl -g -u $USER_NAME:$(cat "$PASSWORD_FILE") 'http://127.0.0.1:$PORT/api/collections/$ATTACK_ID/objects/?limit=2&match[type]=intrusion-set'"
echo
exec "$T" serve --listen "127.0.0.1:$PORT"
