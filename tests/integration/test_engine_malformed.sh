#!/usr/bin/env bash
# test_engine_malformed: malformed records in streaming queries, end to end
# (the per-function and batch cases are in tests/sql/nested.test and
# tests/unit/test_engine_driver.c). CSV and JSON lines with broken records
# go through weir's broker into `weir run` (from_csv / from_json with
# map('mode', ...)) and through the streaming csv/json file source, into a
# JSON file sink:
#   PERMISSIVE     every record comes out; a broken one with its raw text in
#                  the columnNameOfCorruptRecord column (_corrupt)
#   DROPMALFORMED  (file source) broken records are dropped
#   FAILFAST       the query stops with Spark's message and exit status 1,
#                  no manifest or commit for the failed batch, offsets/0
#                  kept; a re-run fails the same way (same offsets), and the
#                  same checkpoint run with PERMISSIVE recomputes batch 0
#                  from exactly those offsets, then goes on with new data.
# Prints "engine_malformed: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init engine_malformed
if ! command -v kcat >/dev/null; then skip "engine_malformed" "needs kcat"; weir_finish; exit; fi
weir_start || { fail "broker start"; weir_finish; exit; }
T=$WEIR_TMP

printf '%s\n' '1,alpha,10' 'two,beta,20' '3,"gamma,30' '4,delta,40' | kcat -b "$WEIR_BOOTSTRAP" -P -t mal-csv
printf '%s\n' '{"id":1,"name":"a"}' '{"id":' '[1,2]' '{"id":4,"name":"d"}' | kcat -b "$WEIR_BOOTSTRAP" -P -t mal-json

# rows DIR: the JSON rows of the files listed in DIR/_spark_metadata, one per line, sorted
rows() {
  "$PY" - "$1" <<'EOF'
import json, os, sys
d = sys.argv[1]; md = os.path.join(d, '_spark_metadata'); out = []
if os.path.isdir(md):
    for n in sorted(os.listdir(md), key=lambda s: int(s.split('.')[0]) if s.split('.')[0].isdigit() else -1):
        if not n.split('.')[0].isdigit(): continue
        for l in open(os.path.join(md, n)).read().splitlines()[1:]:
            p = json.loads(l)['path'].replace('file://', '')
            out += [json.dumps(json.loads(x), sort_keys=True) for x in open(p).read().splitlines() if x]
print('\n'.join(sorted(out)))
EOF
}
# expect NAME DIR ROW...: the rows equal the given JSON objects (as multisets)
expect() {
  local name=$1 dir=$2; shift 2
  local want got
  want=$(for r in "$@"; do "$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))' "$r"; done | sort)
  got=$(rows "$dir")
  if [ "$want" = "$got" ]; then ok "$name"; else fail "$name" "got:
$got
want:
$want"; fi
}
# run DIR MODE [extra args]: weir run DIR/p.sql with --var mode=MODE, availableNow
run() {
  local dir=$1 mode=$2
  (cd "$dir" && "$WEIR" run p.sql --var bootstrap="$WEIR_BOOTSTRAP" --var mode="$mode" --trigger availableNow \
     >>out.txt 2>err.txt)
}
nbatch() { ls "$1" 2>/dev/null | grep -c '^[0-9]*$'; }

# ---- CSV from Kafka, PERMISSIVE
mkdir -p "$T/csv"
cat >"$T/csv/p.sql" <<'EOF'
CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = '${bootstrap}', 'subscribe' = 'mal-csv', 'startingOffsets' = 'earliest');
CREATE TABLE out USING json OPTIONS ('path' = './out', 'checkpointLocation' = './ck', 'outputMode' = 'append');
INSERT INTO out SELECT r.id, r.name, r.n, r._corrupt
  FROM (SELECT from_csv(CAST(value AS STRING), 'id INT, name STRING, n INT, _corrupt STRING',
                        map('mode', '${mode}', 'columnNameOfCorruptRecord', '_corrupt')) AS r FROM raw);
EOF
cp -r "$T/csv" "$T/csv_ff"
if run "$T/csv" PERMISSIVE; then
  # broken records: fields that convert are kept (Spark's partial results), the text goes to _corrupt
  expect "csv PERMISSIVE: every record, broken ones in _corrupt" "$T/csv/out" \
    '{"id":1,"name":"alpha","n":10}' '{"name":"beta","n":20,"_corrupt":"two,beta,20"}' \
    '{"id":3,"name":"gamma,30","_corrupt":"3,\"gamma,30"}' '{"id":4,"name":"delta","n":40}'
else fail "csv PERMISSIVE run" "$(cat "$T/csv/err.txt")"; fi

# ---- CSV from Kafka, FAILFAST: stops, resumable
d=$T/csv_ff
run "$d" FAILFAST; rc=$?
check "csv FAILFAST: exit status 1" test $rc -eq 1
if grep -q 'Malformed records are detected in record parsing' "$d/err.txt"; then ok "csv FAILFAST: Spark's message ($(head -c 160 "$d/err.txt" | tr '\n' ' '))"
else fail "csv FAILFAST: message" "$(cat "$d/err.txt")"; fi
check "csv FAILFAST: offsets/0 written, no commits/0, no manifest" \
  test -e "$d/ck/offsets/0" -a ! -e "$d/ck/commits/0" -a "$(nbatch "$d/out/_spark_metadata")" -eq 0
run "$d" FAILFAST; rc=$?
check "csv FAILFAST: a re-run fails the same way" test $rc -eq 1 -a ! -e "$d/ck/commits/0" -a ! -e "$d/ck/offsets/1"
if run "$d" PERMISSIVE; then
  expect "csv FAILFAST then PERMISSIVE on the same checkpoint: batch 0 recomputed from its offsets" "$d/out" \
    '{"id":1,"name":"alpha","n":10}' '{"name":"beta","n":20,"_corrupt":"two,beta,20"}' \
    '{"id":3,"name":"gamma,30","_corrupt":"3,\"gamma,30"}' '{"id":4,"name":"delta","n":40}'
else fail "csv PERMISSIVE after FAILFAST" "$(cat "$d/err.txt")"; fi
printf '%s\n' '5,eps,50' 'six,zeta,60' | kcat -b "$WEIR_BOOTSTRAP" -P -t mal-csv
if run "$d" PERMISSIVE; then
  expect "csv: the resumed query reads only the new records" "$d/out" \
    '{"id":1,"name":"alpha","n":10}' '{"name":"beta","n":20,"_corrupt":"two,beta,20"}' \
    '{"id":3,"name":"gamma,30","_corrupt":"3,\"gamma,30"}' '{"id":4,"name":"delta","n":40}' \
    '{"id":5,"name":"eps","n":50}' '{"name":"zeta","n":60,"_corrupt":"six,zeta,60"}'
else fail "csv resumed run" "$(cat "$d/err.txt")"; fi

# ---- JSON from Kafka
mkdir -p "$T/json"
cat >"$T/json/p.sql" <<'EOF'
CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = '${bootstrap}', 'subscribe' = 'mal-json', 'startingOffsets' = 'earliest');
CREATE TABLE out USING json OPTIONS ('path' = './out', 'checkpointLocation' = './ck', 'outputMode' = 'append');
INSERT INTO out SELECT j.id, j.name, j._corrupt_record
  FROM (SELECT from_json(CAST(value AS STRING), 'id INT, name STRING, _corrupt_record STRING', map('mode', '${mode}')) AS j FROM raw);
EOF
cp -r "$T/json" "$T/json_ff"
if run "$T/json" PERMISSIVE; then
  expect "json PERMISSIVE: broken records in _corrupt_record" "$T/json/out" \
    '{"id":1,"name":"a"}' '{"_corrupt_record":"{\"id\":"}' '{"_corrupt_record":"[1,2]"}' '{"id":4,"name":"d"}'
else fail "json PERMISSIVE run" "$(cat "$T/json/err.txt")"; fi
run "$T/json_ff" FAILFAST; rc=$?
check "json FAILFAST: exit status 1, no commit" test $rc -eq 1 -a ! -e "$T/json_ff/ck/commits/0"
if grep -qi 'malformed' "$T/json_ff/err.txt"; then ok "json FAILFAST: message ($(head -c 160 "$T/json_ff/err.txt" | tr '\n' ' '))"
else fail "json FAILFAST: message" "$(cat "$T/json_ff/err.txt")"; fi

# ---- streaming file sources: DROPMALFORMED, PERMISSIVE, FAILFAST
for fmt in csv json; do
  for mode in DROPMALFORMED PERMISSIVE FAILFAST; do
    d=$T/files_${fmt}_$mode; mkdir -p "$d/in"
    if [ $fmt = csv ]; then
      printf 'id,name\n1,a\nx,b\n2,"c\n' >"$d/in/001.csv"
      printf 'id,name\n3,d\n' >"$d/in/002.csv"
    else
      printf '{"id":1,"name":"a"}\n{"id":\n{"id":2,"name":"c"}\n' >"$d/in/001.json"
      printf '{"id":3,"name":"d"}\n' >"$d/in/002.json"
    fi
    cat >"$d/p.sql" <<EOF
CREATE TABLE src (id INT, name STRING, _corrupt STRING) USING $fmt OPTIONS ('path' = './in', 'header' = 'true',
  'mode' = '\${mode}', 'columnNameOfCorruptRecord' = '_corrupt', 'streaming' = 'true', 'maxFilesPerTrigger' = '1');
CREATE TABLE out USING json OPTIONS ('path' = './out', 'checkpointLocation' = './ck', 'outputMode' = 'append');
INSERT INTO out SELECT * FROM src;
EOF
    run "$d" $mode; rc=$?
    case $fmt/$mode in
      csv/DROPMALFORMED) [ $rc -eq 0 ] && expect "csv files DROPMALFORMED" "$d/out" '{"id":1,"name":"a"}' '{"id":3,"name":"d"}' \
                           || fail "csv files DROPMALFORMED run" "$(cat "$d/err.txt")" ;;
      json/DROPMALFORMED) [ $rc -eq 0 ] && expect "json files DROPMALFORMED" "$d/out" '{"id":1,"name":"a"}' '{"id":2,"name":"c"}' '{"id":3,"name":"d"}' \
                           || fail "json files DROPMALFORMED run" "$(cat "$d/err.txt")" ;;
      csv/PERMISSIVE) [ $rc -eq 0 ] && expect "csv files PERMISSIVE" "$d/out" '{"id":1,"name":"a"}' '{"name":"b","_corrupt":"x,b"}' \
                           '{"id":2,"name":"c","_corrupt":"2,\"c"}' '{"id":3,"name":"d"}' \
                           || fail "csv files PERMISSIVE run" "$(cat "$d/err.txt")" ;;
      json/PERMISSIVE) [ $rc -eq 0 ] && expect "json files PERMISSIVE" "$d/out" '{"id":1,"name":"a"}' '{"_corrupt":"{\"id\":"}' \
                           '{"id":2,"name":"c"}' '{"id":3,"name":"d"}' \
                           || fail "json files PERMISSIVE run" "$(cat "$d/err.txt")" ;;
      */FAILFAST)
        check "$fmt files FAILFAST: exit 1, message, the first file's batch not committed" \
          test $rc -eq 1 -a ! -e "$d/ck/commits/0" -a "$(grep -ci malformed "$d/err.txt")" -gt 0 ;;
    esac
  done
done
weir_finish
