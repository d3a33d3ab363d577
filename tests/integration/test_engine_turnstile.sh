#!/usr/bin/env bash
# test_engine_turnstile: scenario 1 end to end through Kafka. Readings with a
# fixed seed go to a topic on librdkafka's mock cluster (../shared/peers; the
# weir broker takes its place once it serves fetches), `weir run` runs the
# issue's pipeline with availableNow, and the rows of the files listed in the
# _spark_metadata manifest must equal a reference computed independently in
# Python. Runs twice: one micro-batch, and maxOffsetsPerTrigger=700 (many).
# Then a Kafka sink: update-mode counts per station written back to a topic.
# Prints "N passed, N failed".
set -uo pipefail
ROOT=${WEIR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
WEIR=${WEIR:-$ROOT/weir}
PY=${PY:-/usr/bin/python3}
MOCK_SRC=$ROOT/../shared/peers/mock_broker.c
work=$(mktemp -d)
passed=0; failed=0
cleanup() { [ -n "${mpid:-}" ] && kill "$mpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ ! -f "$MOCK_SRC" ]; then echo "mock broker source not found: skipped"; echo "0 passed, 0 failed"; exit 0; fi
cc -O2 -o "$work/mock_broker" "$MOCK_SRC" -lrdkafka || { echo "0 passed, 1 failed"; exit 1; }
"$work/mock_broker" >"$work/boot.txt" 2>/dev/null &
mpid=$!
for _ in $(seq 50); do grep -qE '^[0-9.]+:[0-9]+' "$work/boot.txt" && break; sleep 0.1; done
BOOT=$(grep -E '^[0-9.]+:[0-9]+' "$work/boot.txt" | head -1)
"$PY" "$ROOT/tests/integration/engine_turnstile_gen.py" "$BOOT" 5000 "$work/expected.csv" || { echo "0 passed, 1 failed"; exit 1; }
sort "$work/expected.csv" >"$work/exp.sorted"

check() { # $1 = name, $2 = extra option
  local dir="$work/$1"
  mkdir -p "$dir"
  sed "s/'failOnDataLoss' = 'false'/'failOnDataLoss' = 'false'$2/" "$ROOT/tests/integration/engine_turnstile.sql" >"$dir/p.sql"
  if ! (cd "$dir" && "$WEIR" run p.sql --var bootstrap="$BOOT" --var window='5 minutes' --var slide='5 minutes' \
        --trigger availableNow >"$dir/out.txt" 2>"$dir/err.txt"); then
    echo "FAIL $1: weir run failed"; cat "$dir/err.txt"; failed=$((failed + 1)); return
  fi
  # the files the manifests list, each once
  : >"$dir/got.csv"
  # every file the manifests list (a compact manifest repeats the earlier ones)
    for m in "$dir"/lake/_spark_metadata/*; do tail -n +2 "$m"; echo; done |
      sed -nE 's/.*"path":"file:\/\/([^"]*)".*/\1/p' | sort -u | while read -r f; do zcat "$f" | tail -n +2; done >>"$dir/got.csv"
  sort "$dir/got.csv" >"$dir/got.sorted"
  if cmp -s "$dir/got.sorted" "$work/exp.sorted"; then
    echo "ok   $1 ($(wc -l <"$dir/got.sorted") rows, $(ls "$dir/lake/_spark_metadata" | wc -l) batches)"; passed=$((passed + 1))
  else
    echo "FAIL $1: rows differ from the reference"; diff "$dir/got.sorted" "$work/exp.sorted" | head -5; failed=$((failed + 1))
  fi
}
check one_batch ""
check many_batches ", 'maxOffsetsPerTrigger' = '700'"

# Kafka sink: counts per station (update mode) back into a topic; the last
# count of each station must add up to every reading
mkdir -p "$work/ksink"
cat >"$work/ksink/k.sql" <<SQL
CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = '$BOOT', 'subscribe' = 'mta-turnstile', 'startingOffsets' = 'earliest', 'maxOffsetsPerTrigger' = '1000');
CREATE TABLE out USING kafka OPTIONS ('kafka.bootstrap.servers' = '$BOOT', 'topic' = 'station-counts', 'checkpointLocation' = 'ck', 'outputMode' = 'update');
INSERT INTO out SELECT split(CAST(value AS STRING), ',')[3] AS key, CAST(count(*) AS STRING) AS value FROM raw GROUP BY 1;
SQL
if (cd "$work/ksink" && "$WEIR" run k.sql --trigger availableNow >/dev/null 2>"$work/ksink/err.txt"); then
  total=$(kcat -b "$BOOT" -C -t station-counts -e -f '%k %s\n' 2>/dev/null | awk '{last[$1]=$2} END {s=0; for (k in last) s+=last[k]; print s}')
  if [ "$total" = 5000 ]; then echo "ok   kafka_sink (latest counts add up to 5000)"; passed=$((passed + 1));
  else echo "FAIL kafka_sink: latest counts add up to '$total', not 5000"; failed=$((failed + 1)); fi
else
  echo "FAIL kafka_sink: weir run failed"; cat "$work/ksink/err.txt"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
