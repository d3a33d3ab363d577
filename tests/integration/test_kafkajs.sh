#!/usr/bin/env bash
# test_kafkajs.sh: starts a broker and runs tests/js/test_kafkajs.mjs (kafkajs 2.2.4)
# against it; the node script's ok/FAIL/SKIP counts are added to this one's.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init kafkajs
js_deps kafkajs || { echo "kafkajs: 0 passed, 1 failed (npm ci in tests/js failed)"; exit 1; }
weir_start || { echo "kafkajs: 0 passed, 1 failed"; exit 1; }
run_node 240 test_kafkajs.mjs "$WEIR_BOOTSTRAP" "$(weir_api_keys)"
weir_finish
