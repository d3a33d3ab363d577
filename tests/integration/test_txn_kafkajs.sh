#!/usr/bin/env bash
# test_txn_kafkajs.sh: starts a broker and runs tests/js/test_txn_kafkajs.mjs
# (transactional producers: kafkajs 2.2.4 and @platformatic/kafka, read back
# with kcat); the node script's ok/FAIL counts are added to this one's.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init txnkafkajs
js=$WEIR_ROOT/tests/js
[ -d "$js/node_modules/@platformatic/kafka" ] && [ -d "$js/node_modules/kafkajs" ] || (cd "$js" && npm ci --no-audit --no-fund --loglevel=error) >/dev/null 2>&1 ||
  { echo "txnkafkajs: 0 passed, 1 failed (npm ci in tests/js failed)"; exit 1; }
weir_start group.initial.rebalance.delay.ms=0 || { echo "txnkafkajs: 0 passed, 1 failed"; exit 1; }
(cd "$js" && timeout 240 node test_txn_kafkajs.mjs "$WEIR_BOOTSTRAP") >"$WEIR_TMP/node.out" 2>&1; rc=$?
cat "$WEIR_TMP/node.out"
np=$(grep -c '^ok ' "$WEIR_TMP/node.out"); nf=$(grep -c '^FAIL ' "$WEIR_TMP/node.out")
WEIR_PASSED=$((WEIR_PASSED + np)); WEIR_FAILED=$((WEIR_FAILED + nf))
if [ $rc -ne 0 ] && [ "$nf" -eq 0 ]; then fail "node exited with $rc"; fi
[ "$nf" -gt 0 ] && { echo "---- broker log (last lines):"; tail -n 60 "$WEIR_LOG"; }
weir_finish
