#!/usr/bin/env bash
# Torn-write recovery test; the body is test_torn_write.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_torn_write.py" "$@"
