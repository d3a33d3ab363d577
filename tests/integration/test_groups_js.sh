#!/usr/bin/env bash
# test_groups_js.sh: starts a broker and runs tests/js/test_groups.mjs (consumer
# groups with @platformatic/kafka, newest flexible versions, and kafkajs);
# the node script's ok/FAIL counts are added to this one's.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init groupsjs
js_deps @platformatic/kafka kafkajs || { echo "groupsjs: 0 passed, 1 failed (npm ci in tests/js failed)"; exit 1; }
weir_start group.initial.rebalance.delay.ms=300 || { echo "groupsjs: 0 passed, 1 failed"; exit 1; }
run_node 300 test_groups.mjs "$WEIR_BOOTSTRAP"
weir_finish
