#!/usr/bin/env bash
# kafka-python test; the body is test_kafka_python.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_kafka_python.py" "$@"
