# weir.sh: shared harness for weir's bash integration tests (source it).
#
# Starts one broker on a free port with a temporary data dir, polls until it
# accepts connections (30 s deadline, never a fixed sleep), stops it with
# SIGTERM (weir_stop) or SIGKILL (weir_kill), restarts it on the same dir
# (weir_start again), counts checks (ok/fail/skip) and prints the summary line
# "NAME: N passed, N failed[, N skipped]" from weir_finish. A trap kills the
# broker and removes the temp dir on any exit; on failure the broker log is
# printed. Set KEEP=1 to keep the temp dir.
#
#   source "$(dirname "$0")/lib/weir.sh"
#   weir_init kcat                       # name for the summary line
#   weir_start [key=value ...]           # overrides; remembered for restarts
#   ... $WEIR_BOOTSTRAP, $WEIR_DATA, $WEIR_LOG, ok "name", fail "name" "why"
#   weir_finish

WEIR_ROOT=${WEIR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
export WEIR_ROOT
if [ -z "${WEIR:-}" ] || [ ! -x "${WEIR:-}" ]; then
  if [ -x "$WEIR_ROOT/build/weir-test" ]; then WEIR=$WEIR_ROOT/build/weir-test; else WEIR=$WEIR_ROOT/weir; fi
fi
PY=${PY:-/usr/bin/python3}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

WEIR_PASSED=0; WEIR_FAILED=0; WEIR_SKIPPED=0; WEIR_NAME=test
WEIR_PID=; WEIR_OVERRIDES=(); WEIR_EXPECT_DOWN=1

weir_free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

weir_init() {
  WEIR_NAME=$1
  WEIR_TMP=$(mktemp -d /tmp/weir-it-XXXXXX)
  WEIR_DATA=$WEIR_TMP/data; mkdir -p "$WEIR_DATA"
  WEIR_LOG=$WEIR_TMP/broker.log; : >"$WEIR_LOG"
  WEIR_PORT=$(weir_free_port)
  WEIR_BOOTSTRAP=127.0.0.1:$WEIR_PORT
  trap weir_cleanup EXIT
  trap 'exit 130' INT TERM
}

weir_cleanup() {
  if [ -n "$WEIR_PID" ] && kill -0 "$WEIR_PID" 2>/dev/null; then
    kill -9 "$WEIR_PID" 2>/dev/null; wait "$WEIR_PID" 2>/dev/null
  fi
  [ "${KEEP:-0}" = 1 ] && echo "kept $WEIR_TMP" || rm -rf "$WEIR_TMP"
}

# weir_can_connect: true when something accepts TCP connections on the port.
weir_can_connect() { (exec 3<>"/dev/tcp/127.0.0.1/$WEIR_PORT") 2>/dev/null; }

# weir_start [key=value ...]: start (or restart on the same dir) and wait until
# it accepts connections. Overrides given once are kept for later restarts.
weir_start() {
  [ $# -gt 0 ] && WEIR_OVERRIDES=("$@")
  local args=(broker --override "listeners=PLAINTEXT://$WEIR_BOOTSTRAP" --override "log.dirs=$WEIR_DATA")
  local kv; for kv in "${WEIR_OVERRIDES[@]+"${WEIR_OVERRIDES[@]}"}"; do args+=(--override "$kv"); done
  echo "---- start: $WEIR ${args[*]}" >>"$WEIR_LOG"
  "$WEIR" "${args[@]}" >>"$WEIR_LOG" 2>&1 </dev/null &
  WEIR_PID=$!; WEIR_EXPECT_DOWN=0
  local deadline=$((SECONDS + 30))
  until weir_can_connect; do
    if ! kill -0 "$WEIR_PID" 2>/dev/null; then
      echo "broker exited while starting; log:"; tail -n 50 "$WEIR_LOG"; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "broker not accepting connections after 30s; log:"; tail -n 50 "$WEIR_LOG"; return 1
    fi
    sleep 0.02
  done
}

# weir_stop: SIGTERM and wait; returns the broker's exit status.
weir_stop() {
  [ -n "$WEIR_PID" ] || return 0
  WEIR_EXPECT_DOWN=1
  kill -TERM "$WEIR_PID" 2>/dev/null
  local rc=0; wait "$WEIR_PID" || rc=$?
  WEIR_PID=; return $rc
}

# weir_kill: SIGKILL and wait (a crash).
weir_kill() {
  [ -n "$WEIR_PID" ] || return 0
  WEIR_EXPECT_DOWN=1
  kill -9 "$WEIR_PID" 2>/dev/null; wait "$WEIR_PID" 2>/dev/null
  WEIR_PID=; return 0
}

weir_alive() { [ -n "$WEIR_PID" ] && kill -0 "$WEIR_PID" 2>/dev/null; }

# wait_until TIMEOUT_SECONDS COMMAND...: poll until COMMAND succeeds.
wait_until() {
  local t=$1; shift
  local deadline=$((SECONDS + t))
  until "$@"; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
}

ok()   { WEIR_PASSED=$((WEIR_PASSED + 1)); echo "ok   $1"; }
fail() {
  WEIR_FAILED=$((WEIR_FAILED + 1)); echo "FAIL $1${2:+: $2}"
  echo "---- broker log (last lines):"; tail -n 40 "$WEIR_LOG"; echo "----"
}
skip() { WEIR_SKIPPED=$((WEIR_SKIPPED + 1)); echo "SKIP $1${2:+: $2}"; }
# check NAME COMMAND...: ok when COMMAND succeeds, fail otherwise.
check() { local n=$1; shift; if "$@"; then ok "$n"; else fail "$n"; fi; }

# weir_api_keys: the API keys ApiVersions advertises, comma-separated.
weir_api_keys() {
  "$PY" - "$WEIR_PORT" <<'EOF'
import sys, os
sys.path.insert(0, os.path.join(os.environ.get("WEIR_ROOT", "."), "tests", "integration", "lib"))
import weirtest
b = weirtest.Broker.__new__(weirtest.Broker); b.port = int(sys.argv[1])
print(",".join(map(str, sorted(b.api_versions()))))
EOF
}


# js_deps PACKAGE...: the JS clients' packages are in tests/js/node_modules
# (npm ci from the lockfile when one is missing); false if that failed.
js_deps() {
  local p
  for p in "$@"; do
    [ -d "$WEIR_ROOT/tests/js/node_modules/$p" ] && continue
    (cd "$WEIR_ROOT/tests/js" && npm ci --no-audit --no-fund --loglevel=error) >/dev/null 2>&1
    return
  done
}

# run_node SECONDS SCRIPT ARGS...: runs tests/js/SCRIPT against the broker,
# prints its output and adds its ok/FAIL/SKIP lines to this test's counts;
# a non-zero exit without a FAIL line is a failure too.
run_node() {
  local secs=$1 script=$2 out=$WEIR_TMP/node.out rc np nf ns
  shift 2
  (cd "$WEIR_ROOT/tests/js" && timeout "$secs" node "$script" "$@") >"$out" 2>&1; rc=$?
  cat "$out"
  np=$(grep -c '^ok ' "$out"); nf=$(grep -c '^FAIL ' "$out"); ns=$(grep -c '^SKIP ' "$out")
  WEIR_PASSED=$((WEIR_PASSED + np)); WEIR_FAILED=$((WEIR_FAILED + nf)); WEIR_SKIPPED=$((WEIR_SKIPPED + ns))
  if [ $rc -ne 0 ] && [ "$nf" -eq 0 ]; then fail "node exited with $rc"; fi
  [ "$nf" -gt 0 ] && { echo "---- broker log (last lines):"; tail -n 60 "$WEIR_LOG"; }
  return 0
}

weir_finish() {
  if [ "$WEIR_EXPECT_DOWN" = 0 ] && ! weir_alive; then
    fail "broker stayed up" "it died during the test"
  elif weir_alive; then
    local rc=0; weir_stop || rc=$?
    [ $rc -eq 0 ] || fail "clean stop" "exit status $rc after SIGTERM"
  fi
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|UndefinedBehaviorSanitizer' "$WEIR_LOG"; then
    fail "no sanitizer reports" "see broker log"
  fi
  local line="$WEIR_NAME: $WEIR_PASSED passed, $WEIR_FAILED failed"
  [ $WEIR_SKIPPED -gt 0 ] && line+=", $WEIR_SKIPPED skipped"
  echo "$line"
  [ $WEIR_FAILED -eq 0 ]
}
