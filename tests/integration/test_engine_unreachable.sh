#!/usr/bin/env bash
# test_engine_unreachable: a streaming query started while its Kafka broker
# is down says so and keeps retrying (it neither exits nor loses its place);
# once the broker is up it reads what was produced, and Ctrl-C (SIGINT) ends
# a query that is still waiting with a clean exit.
# Prints "engine_unreachable: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init engine_unreachable
if ! command -v kcat >/dev/null; then skip "engine_unreachable" "needs kcat"; weir_finish; exit; fi
T=$WEIR_TMP
cat >"$T/p.sql" <<'SQL'
CREATE TABLE src USING kafka OPTIONS ('kafka.bootstrap.servers' = '${bootstrap}', 'subscribe' = 'late',
  'startingOffsets' = 'earliest');
CREATE TABLE out USING json OPTIONS ('path' = '${dir}/out', 'checkpointLocation' = '${dir}/ck',
  'trigger' = 'availableNow');
INSERT INTO out SELECT CAST(value AS STRING) AS v FROM src;
SQL

# 1. broker down: the query waits, saying why, and is still running
"$WEIR" run "$T/p.sql" --var bootstrap="$WEIR_BOOTSTRAP" --var dir="$T" >"$T/run.out" 2>"$T/run.err" &
RUN=$!
wait_until 60 grep -q -E 'Connect to .* failed|retrying' "$T/run.err"
check "the query says the source cannot be reached" grep -q -E 'Connect to .* failed|retrying' "$T/run.err"
check "the query keeps waiting instead of exiting" kill -0 $RUN

# 2. broker up, data produced: the query reads it and finishes (availableNow)
weir_start || { fail "broker start"; weir_finish; exit; }
printf 'a\nb\nc\n' | kcat -b "$WEIR_BOOTSTRAP" -P -t late
wait_until 90 bash -c "! kill -0 $RUN 2>/dev/null"
wait $RUN; rc=$?
check "the query exits 0 once the data is processed" [ "$rc" -eq 0 ]
got=$(cat "$T"/out/part-* 2>/dev/null | sort | tr -d '\n')
check "the rows produced after the outage are in the sink" [ "$got" = '{"v":"a"}{"v":"b"}{"v":"c"}' ]

# 3. a query waiting for an unreachable broker stops cleanly on SIGINT
weir_stop >/dev/null
rm -rf "$T/ck2"
sed 's#${dir}/ck#${dir}/ck2#; s#${dir}/out#${dir}/out2#' "$T/p.sql" >"$T/p2.sql"
"$WEIR" run "$T/p2.sql" --var bootstrap="$WEIR_BOOTSTRAP" --var dir="$T" >/dev/null 2>"$T/run2.err" &
RUN=$!
wait_until 60 grep -q -E 'Connect to .* failed|retrying' "$T/run2.err"
kill -INT $RUN
wait_until 30 bash -c "! kill -0 $RUN 2>/dev/null"
check "SIGINT ends a waiting query" bash -c "! kill -0 $RUN 2>/dev/null"
weir_finish
