#!/usr/bin/env bash
# Bad-input test (raw sockets); the body is test_bad_input.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_bad_input.py" "$@"
