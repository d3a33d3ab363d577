#!/usr/bin/env bash
# Crash test (SIGKILL under acks=all load); the body is test_crash.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_crash.py" "$@"
