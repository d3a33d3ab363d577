#!/usr/bin/env bash
# test_engine_exactly_once: the turnstile pipeline with a processingTime
# trigger is killed with SIGKILL at random moments (at least ten times)
# while readings keep arriving, and restarted each time from its checkpoint.
# At the end (a last availableNow run drains the topic) the rows of the files
# listed in the _spark_metadata manifests must equal the reference: no row
# missing, none twice. Prints "N passed, N failed".
set -uo pipefail
ROOT=${WEIR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
WEIR=${WEIR:-$ROOT/weir}
PY=${PY:-/usr/bin/python3}
MOCK_SRC=$ROOT/../shared/peers/mock_broker.c
work=$(mktemp -d)
cleanup() { [ -n "${mpid:-}" ] && kill "$mpid" 2>/dev/null; [ -n "${gpid:-}" ] && kill "$gpid" 2>/dev/null; [ -n "${wpid:-}" ] && kill -9 "$wpid" 2>/dev/null; [ -z "${KEEP:-}" ] && rm -rf "$work"; }
trap cleanup EXIT
if [ ! -f "$MOCK_SRC" ]; then echo "mock broker source not found: skipped"; echo "0 passed, 0 failed"; exit 0; fi
cc -O2 -o "$work/mock_broker" "$MOCK_SRC" -lrdkafka || { echo "0 passed, 1 failed"; exit 1; }
"$work/mock_broker" >"$work/boot.txt" 2>/dev/null &
mpid=$!
for _ in $(seq 50); do grep -qE '^[0-9.]+:[0-9]+' "$work/boot.txt" && break; sleep 0.1; done
BOOT=$(grep -E '^[0-9.]+:[0-9]+' "$work/boot.txt" | head -1)
# 6000 readings, 300 every 0.25 s: about 5 s of arrivals
# (a 2-hour watermark delay: rows are never late here whatever the partition
# skew between micro-batches, so the result is deterministic)
"$PY" "$ROOT/tests/integration/engine_turnstile_gen.py" "$BOOT" 6000 "$work/expected.csv" 300 0.25 7200 &
gpid=$!
sed -e "s/'failOnDataLoss' = 'false'/'failOnDataLoss' = 'false', 'maxOffsetsPerTrigger' = '400'/" \
    -e 's/DELAY OF INTERVAL \${window}/DELAY OF INTERVAL 2 hours/' \
  "$ROOT/tests/integration/engine_turnstile.sql" >"$work/p.sql"
cd "$work"
kills=0
RANDOM=42
tries=0
while [ $kills -lt 12 ]; do
  tries=$((tries + 1))
  if [ $tries -gt 40 ]; then echo "FAIL weir keeps exiting on its own:"; tail -3 "$work/err.txt"; echo "0 passed, 1 failed"; exit 1; fi
  "$WEIR" run p.sql --var bootstrap="$BOOT" --var window='5 minutes' --var slide='5 minutes' \
    --trigger 'processingTime=100 milliseconds' >/dev/null 2>>"$work/err.txt" &
  wpid=$!
  sleep "0.$((RANDOM % 6 + 2))"
  kill -9 "$wpid" 2>/dev/null && kills=$((kills + 1))
  wait "$wpid" 2>/dev/null
  wpid=
done
wait "$gpid"; gpid=
# drain what is left
if ! "$WEIR" run p.sql --var bootstrap="$BOOT" --var window='5 minutes' --var slide='5 minutes' --trigger availableNow \
     >/dev/null 2>>"$work/err.txt"; then
  echo "FAIL final run"; tail -5 "$work/err.txt"; echo "0 passed, 1 failed"; exit 1
fi
: >"$work/got.csv"
# every file the manifests list (a compact manifest repeats the earlier ones)
  for m in "$work"/lake/_spark_metadata/*; do tail -n +2 "$m"; echo; done |
    sed -nE 's/.*"path":"file:\/\/([^"]*)".*/\1/p' | sort -u | while read -r f; do zcat "$f" | tail -n +2; done >>"$work/got.csv"
sort "$work/got.csv" >"$work/got.sorted"
sort "$work/expected.csv" >"$work/exp.sorted"
dups=$(uniq -d "$work/got.sorted" | wc -l)
batches=$(ls "$work/lake/_spark_metadata" | wc -l)
if cmp -s "$work/got.sorted" "$work/exp.sorted"; then
  echo "ok   exactly_once ($kills kills, $batches batches, $(wc -l <"$work/got.sorted") rows)"
  echo "1 passed, 0 failed"
else
  echo "FAIL exactly_once after $kills kills: $(wc -l <"$work/got.sorted") rows vs $(wc -l <"$work/exp.sorted") expected, $dups duplicated"
  echo "rows dropped as late: $(grep -o '"numRowsDroppedByWatermark":[0-9]*' "$work/checkpoint/lake/progress.log" | awk -F: '{s+=$2} END {print s+0}')"
  diff "$work/got.sorted" "$work/exp.sorted" | head -6
  echo "0 passed, 1 failed"; exit 1
fi
