#!/usr/bin/env bash
# Many concurrent clients; the body is test_concurrency.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_concurrency.py" "$@"
