#!/usr/bin/env bash
# Transactions with python3-confluent-kafka; the body is test_txn_confluent.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_txn_confluent.py" "$@"
