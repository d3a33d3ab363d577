#!/usr/bin/env bash
# test_engine_duckdb: the turnstile example pipeline (examples/turnstile/
# pipeline.sql, its lake query) against DuckDB on weir's own broker.
# build/turnstile-producer sends readings with a fixed seed (duplicates, and
# late rows up to 15 minutes behind) to topic mta-turnstile; kcat reads the
# topic back with offsets; `weir run --trigger availableNow` runs the
# pipeline; tests/js/turnstile_duckdb.mjs then compares the rows of the files
# listed in lake/_spark_metadata with the same aggregation computed by DuckDB
# (@duckdb/node-api) with Spark's rules for batches, watermark, dedup and late
# (row, window) pairs — the exact definition is at the top of that script.
# Cases: one micro-batch; maxOffsetsPerTrigger=4000 (13 batches: late rows are
# dropped, manifests are compacted at batch 9); sliding windows (10 minutes
# every 5) in batches of 7000. Prints "engine_duckdb: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init engine_duckdb
ROOT=$WEIR_ROOT
PRODUCER=$ROOT/build/turnstile-producer
JS=$ROOT/tests/js
if ! command -v kcat >/dev/null || ! command -v node >/dev/null || [ ! -d "$JS/node_modules/@duckdb/node-api" ]; then
  skip "engine_duckdb" "needs kcat, node and tests/js/node_modules/@duckdb/node-api (scripts/deps.sh)"
  weir_finish; exit
fi
[ -x "$PRODUCER" ] || make -s -C "$ROOT" build/turnstile-producer >/dev/null || { fail "build turnstile-producer"; weir_finish; exit; }

weir_start || { fail "broker start"; weir_finish; exit; }
N=50000
if "$PRODUCER" -b "$WEIR_BOOTSTRAP" -n $N -s 42 --late 2 --late-max 900 -q; then ok "produce $N readings"; else fail "produce"; fi
kcat -b "$WEIR_BOOTSTRAP" -C -t mta-turnstile -o beginning -e -q -f '%o,%s\n' >"$WEIR_TMP/readings.csv"
check "read back $N readings with kcat" test "$(wc -l <"$WEIR_TMP/readings.csv")" -eq $N

run_case() { # NAME WINDOW_SECONDS SLIDE_SECONDS BATCH (0: one batch)
  local name=$1 w=$2 s=$3 m=$4 dir=$WEIR_TMP/$1
  mkdir -p "$dir"
  local extra=""; [ "$m" -gt 0 ] && extra=", 'maxOffsetsPerTrigger' = '$m'"
  # the example's lake query only (not its console query), with the batch size
  sed -e '/^-- The same windows on the console/,$d' -e "s/'failOnDataLoss' = 'false'/'failOnDataLoss' = 'false'$extra/" \
    "$ROOT/examples/turnstile/pipeline.sql" >"$dir/p.sql"
  if ! (cd "$dir" && "$WEIR" run p.sql --var bootstrap="$WEIR_BOOTSTRAP" --var window="$w seconds" --var slide="$s seconds" \
          --trigger availableNow >"$dir/out.txt" 2>"$dir/err.txt"); then
    fail "$name: weir run" "$(tail -n 5 "$dir/err.txt")"; return
  fi
  local res
  if res=$(cd "$JS" && node turnstile_duckdb.mjs check --readings "$WEIR_TMP/readings.csv" --lake "$dir/lake" \
             --window "$w" --slide "$s" --batch "$m" 2>&1); then
    ok "$name: $res"
  else
    fail "$name" "$res"
  fi
}
run_case one_batch 300 300 0
run_case batches_of_4000 300 300 4000
run_case sliding_batches_of_7000 600 300 7000
weir_finish
