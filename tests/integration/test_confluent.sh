#!/usr/bin/env bash
# python3-confluent-kafka test; the body is test_confluent.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_confluent.py" "$@"
