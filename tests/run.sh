#!/usr/bin/env bash
# run.sh: runs every test and ends with one line "N passed, N failed".
#   - build/unit-tests (C unit tests; its own summary line is added in)
#   - tests/integration/test_* (each script is one test unless it prints its
#     own "N passed, N failed" line, which is then added in)
#   - a short libFuzzer run of the request decoder
# Usage: tests/run.sh [filter]   (runs only integration tests whose name has filter)
# Integration tests get WEIR (the sanitizer build of the binary), WEIR_ROOT,
# and PY (Debian's python3, which has the Kafka client libraries).
set -uo pipefail
cd "$(dirname "$0")/.."
export WEIR_ROOT=$PWD
export WEIR=${WEIR:-$PWD/build/weir-test}
export PY=/usr/bin/python3
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
filter=${1:-}
passed=0; failed=0; failures=()
logdir=build/test-logs; rm -rf "$logdir"; mkdir -p "$logdir"

add_summary() { # $1 = file holding a summary line, $2 = name
  local line p f
  line=$(grep -E '^([A-Za-z0-9_.-]+: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(sed -E 's/^([A-Za-z0-9_.-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    passed=$((passed + p)); failed=$((failed + f))
    [ "$f" -gt 0 ] && failures+=("$2")
    return 0
  fi
  return 1
}

if [ -z "$filter" ]; then
  echo "== unit tests"
  build/unit-tests >"$logdir/unit.log" 2>&1; rc=$?
  grep -E '^FAIL' "$logdir/unit.log" || true
  if ! add_summary "$logdir/unit.log" unit || { [ $rc -ne 0 ] && ! grep -q '^FAIL' "$logdir/unit.log"; }; then
    echo "unit test runner crashed (rc=$rc):"; tail -20 "$logdir/unit.log"; failed=$((failed + 1)); failures+=(unit-runner)
  fi
fi

echo "== integration tests"
for t in tests/integration/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  [ -n "$filter" ] && [[ $name != *"$filter"* ]] && continue
  start=$(date +%s)
  timeout --kill-after=10 900 "$t" >"$logdir/$name.log" 2>&1 </dev/null; rc=$?
  secs=$(( $(date +%s) - start ))
  if add_summary "$logdir/$name.log" "$name"; then
    [ $rc -ne 0 ] && ! grep -qE ' [1-9][0-9]* failed' "$logdir/$name.log" && { failed=$((failed + 1)); failures+=("$name(rc=$rc)"); }
    echo "$(tail -n 1 "$logdir/$name.log" | head -c 200)  [$name, ${secs}s]"
  elif [ $rc -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name (${secs}s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "FAIL $name (rc=$rc, ${secs}s)"
  fi
  if [ $rc -ne 0 ] || grep -qE ' [1-9][0-9]* failed' "$logdir/$name.log"; then
    echo "---- last lines of $logdir/$name.log"; tail -n 30 "$logdir/$name.log"; echo "----"
  fi
done

# short fuzz runs: the request decoder (seeds: tests/fuzz/corpus), the SQL
# front end and the value kernels (seeds: the SQL test cases)
if [ -z "$filter" ]; then
  for f in request sql exec; do
    [ -x build/fuzz-$f ] || continue
    echo "== fuzz ($f, short run)"
    seeds=tests/sql; [ $f = request ] && seeds=tests/fuzz/corpus
    mkdir -p build/fuzz-corpus-$f
    if build/fuzz-$f -max_total_time="${FUZZ_SECONDS:-15}" -rss_limit_mb=2048 -timeout=20 build/fuzz-corpus-$f $seeds \
        >"$logdir/fuzz-$f.log" 2>&1; then
      passed=$((passed + 1)); echo "ok   fuzz_$f ($(grep -Eo 'Done [0-9]+ runs' "$logdir/fuzz-$f.log" | tail -1))"
    else
      failed=$((failed + 1)); failures+=(fuzz_$f); echo "FAIL fuzz_$f"; tail -n 40 "$logdir/fuzz-$f.log"
    fi
  done
fi

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
