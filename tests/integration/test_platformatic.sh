#!/usr/bin/env bash
# test_platformatic.sh: starts a broker and runs tests/js/test_platformatic.mjs (@platformatic/kafka)
# against it; the node script's ok/FAIL/SKIP counts are added to this one's.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init platformatic
js=$WEIR_ROOT/tests/js
[ -d "$js/node_modules/@platformatic/kafka" ] || (cd "$js" && npm ci --no-audit --no-fund --loglevel=error) >/dev/null 2>&1 ||
  { echo "platformatic: 0 passed, 1 failed (npm ci in tests/js failed)"; exit 1; }
weir_start || { echo "platformatic: 0 passed, 1 failed"; exit 1; }
served=$("$PY" -c "
import sys; sys.path.insert(0, '$WEIR_ROOT/tests/integration/lib'); import weirtest
b = weirtest.Broker.__new__(weirtest.Broker); b.port = $WEIR_PORT
print(','.join(map(str, sorted(b.api_versions()))))")
(cd "$js" && timeout 240 node test_platformatic.mjs "$WEIR_BOOTSTRAP" "$served") >"$WEIR_TMP/node.out" 2>&1; rc=$?
cat "$WEIR_TMP/node.out"
np=$(grep -c '^ok ' "$WEIR_TMP/node.out"); nf=$(grep -c '^FAIL ' "$WEIR_TMP/node.out"); ns=$(grep -c '^SKIP ' "$WEIR_TMP/node.out")
WEIR_PASSED=$((WEIR_PASSED + np)); WEIR_FAILED=$((WEIR_FAILED + nf)); WEIR_SKIPPED=$((WEIR_SKIPPED + ns))
if [ $rc -ne 0 ] && [ "$nf" -eq 0 ]; then fail "node exited with $rc"; fi
[ "$nf" -gt 0 ] && { echo "---- broker log (last lines):"; tail -n 40 "$WEIR_LOG"; }
weir_finish
