#!/usr/bin/env bash
# Crash test (SIGKILL under acks=all load); the body is test_compaction.py (Debian's Python: $PY).
exec "${PY:-/usr/bin/python3}" "$(dirname "$0")/test_compaction.py" "$@"
