#!/usr/bin/env bash
# test_platformatic.sh: starts a broker and runs tests/js/test_platformatic.mjs (@platformatic/kafka)
# against it; the node script's ok/FAIL/SKIP counts are added to this one's.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init platformatic
js_deps @platformatic/kafka || { echo "platformatic: 0 passed, 1 failed (npm ci in tests/js failed)"; exit 1; }
weir_start || { echo "platformatic: 0 passed, 1 failed"; exit 1; }
run_node 240 test_platformatic.mjs "$WEIR_BOOTSTRAP" "$(weir_api_keys)"
weir_finish
