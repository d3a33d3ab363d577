#!/usr/bin/env bash
# test_txn_kafkajs.sh: starts a broker and runs tests/js/test_txn_kafkajs.mjs
# (transactional producers: kafkajs 2.2.4 and @platformatic/kafka, read back
# with kcat); the node script's ok/FAIL counts are added to this one's.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init txnkafkajs
js_deps kafkajs @platformatic/kafka || { echo "txnkafkajs: 0 passed, 1 failed (npm ci in tests/js failed)"; exit 1; }
weir_start group.initial.rebalance.delay.ms=0 || { echo "txnkafkajs: 0 passed, 1 failed"; exit 1; }
run_node 240 test_txn_kafkajs.mjs "$WEIR_BOOTSTRAP"
weir_finish
