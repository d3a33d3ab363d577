#!/usr/bin/env bash
# test_engine_eos: exactly-once file output of the turnstile example pipeline
# under SIGKILL, on weir's own broker. build/turnstile-producer keeps sending
# readings (fixed seed, 6000/s, duplicates, rows up to 2 minutes out of
# order) while `weir run` (trigger processingTime=200 ms, at most 4000
# offsets per batch) is killed with SIGKILL at least twelve times, each time
# a seeded random moment after it was seen making progress (a new
# offsets/N in its checkpoint): half within 8 ms (inside the batch that just
# began), half up to 400 ms later; restarted on the same checkpoint each time. Then
# the producer stops, a last run with availableNow drains the topic, and the
# rows of the files listed in lake/_spark_metadata must equal DuckDB's
# reference (tests/js/turnstile_duckdb.mjs): no row missing, none twice.
# Out-of-order rows are less than the watermark delay behind, so no row is
# ever late whatever the batch boundaries were, and the reference does not
# depend on when the kills happened.
# Prints "engine_eos: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init engine_eos
ROOT=$WEIR_ROOT
PRODUCER=$ROOT/build/turnstile-producer
JS=$ROOT/tests/js
KILLS=${KILLS:-12}
RANDOM=${SEED:-20261121}
if ! command -v kcat >/dev/null || ! command -v node >/dev/null || [ ! -d "$JS/node_modules/@duckdb/node-api" ]; then
  skip "engine_eos" "needs kcat, node and tests/js/node_modules/@duckdb/node-api (scripts/deps.sh)"
  weir_finish; exit
fi
[ -x "$PRODUCER" ] || make -s -C "$ROOT" build/turnstile-producer >/dev/null || { fail "build turnstile-producer"; weir_finish; exit; }
weir_start || { fail "broker start"; weir_finish; exit; }

dir=$WEIR_TMP/q; mkdir -p "$dir"
sed -e '/^-- The same windows on the console/,$d' -e "s/'failOnDataLoss' = 'false'/'failOnDataLoss' = 'false', 'maxOffsetsPerTrigger' = '4000'/" \
  "$ROOT/examples/turnstile/pipeline.sql" >"$dir/p.sql"
ppid_=; qpid=
cleanup_eos() { [ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; [ -n "$ppid_" ] && kill "$ppid_" 2>/dev/null; weir_cleanup; }
trap cleanup_eos EXIT

"$PRODUCER" -b "$WEIR_BOOTSTRAP" -n 0 -r 6000 -s 7 --late 2 --late-max 120 -q >"$WEIR_TMP/producer.log" 2>&1 &
ppid_=$!
nfiles() { local n; n=$(ls "$1" 2>/dev/null | grep -c '^[0-9]*$'); echo "${n:-0}"; }
# offsets/$1 exists: batch $1 began (no fork: polled every 5 ms)
progressed() { [ -e "$dir/checkpoint/lake/offsets/$1" ]; }
kills=0 errors=0 midbatch=0
while [ $kills -lt "$KILLS" ]; do
  last=$(ls "$dir/checkpoint/lake/offsets" 2>/dev/null | grep '^[0-9]*$' | sort -n | tail -1)
  before=$(( ${last:--1} + 1 ))   # the next batch id
  (cd "$dir" && exec "$WEIR" run p.sql --var bootstrap="$WEIR_BOOTSTRAP" --var window='5 minutes' --var slide='5 minutes' \
     --trigger 'processingTime=200 milliseconds' >/dev/null 2>"$dir/err.$kills.txt") &
  qpid=$!
  deadline=$((SECONDS + 120))
  until progressed "$before"; do   # polled every 5 ms, to catch the batch that just began
    if [ $SECONDS -ge $deadline ]; then break; fi
    sleep 0.005
  done
  if ! progressed "$before"; then
    fail "run $kills made no progress in 120 s" "$(tail -n 5 "$dir/err.$kills.txt")"; errors=1; break
  fi
  # a random moment (seeded): every other kill within a few ms of a batch's
  # offsets/N being written (inside that batch), the others up to 400 ms later
  if [ $((RANDOM % 2)) = 0 ]; then delay=$((RANDOM % 8)); else delay=$((RANDOM % 400)); fi
  sleep "$(printf '0.%03d' $delay)"
  if ! kill -9 "$qpid" 2>/dev/null; then
    fail "run $kills exited by itself" "$(tail -n 5 "$dir/err.$kills.txt")"; errors=1; break
  fi
  wait "$qpid" 2>/dev/null; qpid=
  kills=$((kills + 1))
  # killed inside a batch: its offsets/N written, commits/N not yet
  last_off=$(ls "$dir/checkpoint/lake/offsets" | grep '^[0-9]*$' | sort -n | tail -1)
  [ -e "$dir/checkpoint/lake/commits/$last_off" ] || midbatch=$((midbatch + 1))
done
[ $errors -eq 0 ] && ok "killed the pipeline $kills times while readings kept arriving ($midbatch inside a batch, $(nfiles "$dir/checkpoint/lake/commits") batches committed)"
kill -TERM "$ppid_"; wait "$ppid_"; prc=$?; ppid_=
check "producer stopped cleanly" test $prc -eq 0
kcat -b "$WEIR_BOOTSTRAP" -C -t mta-turnstile -o beginning -e -q -f '%o,%s\n' >"$WEIR_TMP/readings.csv"
echo "     $(wc -l <"$WEIR_TMP/readings.csv") readings in the topic"
if (cd "$dir" && "$WEIR" run p.sql --var bootstrap="$WEIR_BOOTSTRAP" --var window='5 minutes' --var slide='5 minutes' \
      --trigger availableNow >/dev/null 2>"$dir/err.final.txt"); then
  ok "final availableNow run"
else
  fail "final availableNow run" "$(tail -n 5 "$dir/err.final.txt")"
fi
if res=$(cd "$JS" && node turnstile_duckdb.mjs check --readings "$WEIR_TMP/readings.csv" --lake "$dir/lake" --window 300 --slide 300 2>&1); then
  ok "lake = DuckDB reference: $res"
else
  fail "lake = DuckDB reference" "$res"
fi
if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir"/err.*.txt >/dev/null 2>&1; then
  fail "no sanitizer reports" "$(grep -lE 'Sanitizer|runtime error' "$dir"/err.*.txt | head -3)"
fi
weir_finish
