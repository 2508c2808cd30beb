#!/usr/bin/env bash
# Turns ARCHITECTURE.md's structural claims into failures (run by ctest as architecture_check).
# Each rule prints the offending lines and the claim it breaks.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
fail() { echo "architecture: $1"; echo "$2" | sed 's/^/  /'; status=1; }

# One way in: only the store engines and the write pipeline store objects.
hits=$(grep -rn --include='*.cc' --include='*.h' 'PutObjects(' src | grep -v '^src/store/' | grep -v '^src/intake/' | grep -v -E '_test\.cc:|testing\.(h|cc):')
[ -z "$hits" ] || fail "Store::PutObjects is called outside src/store and src/intake (use intake::Pipeline)" "$hits"

# No write hooks beside the pipeline.
hits=$(grep -rn --include='*.cc' --include='*.h' -E '\b(on_stored|validate_object)\b' src | grep -v '_test\.cc:')
[ -z "$hits" ] || fail "per-path write hooks are back (docs/design/intake.md)" "$hits"

# Only the store engines and the modules' own *_registry / sqlite_* files speak SQL.
hits=$(grep -rln --include='*.cc' -E '"(SELECT|INSERT|UPDATE|DELETE) ' src | grep -v -E '^src/store/|^src/sync/peer_registry\.cc$|^src/audit/|_test\.cc$')
[ -z "$hits" ] || fail "SQL outside src/store, src/audit and src/sync/peer_registry.cc" "$hits"

# The sync service is built in one place for serve and the CLI alike.
hits=$(grep -rn --include='*.cc' 'make_unique<sync::SyncService>\|make_unique<SyncService>' src | grep -v '^src/cli/runtime\.cc:')
[ -z "$hits" ] || fail "a SyncService built outside cli::Runtime (its pushes would skip the gate)" "$hits"

exit $status
