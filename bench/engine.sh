#!/usr/bin/env bash
# bench/engine.sh: the stream engine's benchmarks (issue 3), side by side with
# DuckDB in the same run. Standalone (bench/run.sh may call it). Benchmarks
# are not tests: nothing here asserts a time; the targets are printed next to
# the figures.
#
#   bench/engine.sh                  5M readings, 10 s latency run
#   BENCH_QUICK=1 bench/engine.sh    500K readings, 5 s latency run
#   BENCH_ENGINE_N=2000000           readings for (a) and (b)
#   BENCH_LAT_RATE=50000             events/s for (c)      BENCH_LAT_SECS=10
#   BENCH_REPS=3                     runs of (a) per side (best kept: the machine is shared)
#   BENCH_PARTS="a b c d"            which parts to run
#   BENCH_PROFILE=1                  also profile (a) with perf (top symbols)
#
# (a) turnstile: examples/turnstile/pipeline.sql's lake query (from_csv,
#     regexp_replace, to_timestamp, dedup on (ID, STATION, TIMESTAMP),
#     watermark, 5-minute windows, two sums, gzip CSV) over N readings read
#     from a topic on weir's broker with trigger availableNow. weir's rate is
#     N / (user + sys CPU seconds of `weir run`, from /usr/bin/time: process
#     start, Kafka fetch through librdkafka and file output included), i.e.
#     rows/s per core. DuckDB (@duckdb/node-api, SET threads=1) runs the same
#     aggregation over the same readings as a CSV file, in one query (CSV scan
#     + dedup + windows + sums + formatting); its rate is N / the CPU seconds
#     of that query (wall time printed too: on a loaded machine it is not one
#     core's time). Ratio = weir / DuckDB (target >= 0.5). For scale: a bare
#     count(*) over the CSV runs at about 1.8M rows/s here.
# (b) stateless: parse, filter, project, write JSON files (no compression),
#     availableNow, rows/s per core as in (a).
# (c) latency: trigger default, a stateless query (SELECT ID ... WHERE ...)
#     into the console sink, whose stdout (flushed after every micro-batch) a
#     watcher reads line by line, stamping each ID when it reads it. The
#     producer sends RATE readings/s (acks=1) and logs each message's ack
#     time from its delivery report (served at least every millisecond).
#     Latency = watcher stamp - ack stamp (same machine, CLOCK_REALTIME):
#     p50/p99/max over every message. Target p99 <= 50 ms.
# (d) latency as (c), into the exactly-once JSON file sink: a row counts as
#     visible when the manifest listing its file appears in _spark_metadata
#     (polled every 0.5 ms; the data file and the manifest are synced before),
#     the moment a reader going through the manifests can see it.
# Output: a table on stdout, also saved under bench/out/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then N=${BENCH_ENGINE_N:-500000}; LAT_SECS=${BENCH_LAT_SECS:-5}
else N=${BENCH_ENGINE_N:-5000000}; LAT_SECS=${BENCH_LAT_SECS:-10}; fi
LAT_RATE=${BENCH_LAT_RATE:-50000}
PARTS=${BENCH_PARTS:-a b c d}
want() { [[ " $PARTS " == *" $1 "* ]]; }
REPS=${BENCH_REPS:-3}     # (a) runs each side this many times and keeps the best
PY=/usr/bin/python3

make --no-print-directory weir build/turnstile-producer >&2
[ -d tests/js/node_modules/@duckdb/node-api ] || scripts/deps.sh >&2
WEIR=$PWD/weir
PROD=$PWD/build/turnstile-producer
mkdir -p bench/out
OUT=bench/out/engine-$(date -u +%Y%m%d-%H%M%S).txt
WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/weir-bench-engine.XXXXXX")}
mkdir -p "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  [ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench: $*" >&2; }
report() { echo "$*" | tee -a "$OUT"; }

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
BOOT=127.0.0.1:$PORT
"$WEIR" broker --override "listeners=PLAINTEXT://$BOOT" --override "log.dirs=$WORK/data" >"$WORK/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done

if want a || want b; then
  log "producing $N readings"
  "$PROD" -b "$BOOT" -n "$N" -s 1 --acks 1 --out "$WORK/readings.csv" -q
fi

# latency ACKS SEEN: percentiles of (seen - ack) per message id, in ms
latency() {
  "$PY" - "$1" "$2" <<'EOF'
import sys
ack = {}
for l in open(sys.argv[1]):
    k, t = l.split(); ack[k] = int(t)
seen = {}
for l in open(sys.argv[2]):
    k, t = l.split()
    seen.setdefault(k, int(t))
d = sorted((seen[k] - ack[k]) / 1000.0 for k in ack if k in seen)
if not d:
    print("n=0"); sys.exit()
q = lambda p: d[min(len(d) - 1, int(p * len(d)))]
print("n=%d of %d p50=%.1f p99=%.1f p999=%.1f max=%.1f" % (len(d), len(ack), q(.5), q(.99), q(.999), d[-1]))
EOF
}

cpu() { awk '{printf "%.3f", $2 + $3}' "$1"; }     # user+sys of a /usr/bin/time -f '%e %U %S' file
wall() { awk '{printf "%.3f", $1}' "$1"; }

if want a; then
# ---- (a) turnstile aggregation
mkdir -p "$WORK/a"
sed -e '/^-- The same windows on the console/,$d' examples/turnstile/pipeline.sql >"$WORK/a/p.sql"
best_cpu=; best_wall=
for rep in $(seq "$REPS"); do
  log "(a) weir: turnstile aggregation, availableNow (run $rep of $REPS)"
  rm -rf "$WORK/a/lake" "$WORK/a/checkpoint"
  (cd "$WORK/a" && /usr/bin/time -f '%e %U %S' -o time.txt "$WEIR" run p.sql --var bootstrap="$BOOT" \
     --var window='5 minutes' --var slide='5 minutes' --trigger availableNow --progress >/dev/null 2>progress.txt)
  c=$(cpu "$WORK/a/time.txt")
  if [ -z "$best_cpu" ] || awk -v a="$c" -v b="$best_cpu" 'BEGIN{exit !(a < b)}'; then best_cpu=$c; best_wall=$(wall "$WORK/a/time.txt"); fi
done
a_cpu=$best_cpu; a_wall=$best_wall
a_rate=$(awk -v n="$N" -v c="$a_cpu" 'BEGIN{printf "%d", n / c}')
a_rows=$(zcat "$WORK"/a/lake/part-*.gz 2>/dev/null | grep -vc '^AC,' || true)
d_secs=
for rep in $(seq "$REPS"); do
  log "(a) duckdb: same aggregation over the CSV file, threads=1 (run $rep of $REPS)"
  d_line=$(cd tests/js && node turnstile_duckdb.mjs bench --readings "$WORK/readings.csv" --window 300 --slide 300)
  t=$(sed -E 's/.*cpu_seconds=([0-9.]+).*/\1/' <<<"$d_line")
  if [ -z "$d_secs" ] || awk -v a="$t" -v b="$d_secs" 'BEGIN{exit !(a < b)}'; then
    d_secs=$t; d_wall=$(sed -E 's/.* seconds=([0-9.]+).*/\1/' <<<"$d_line")
  fi
done
d_rate=$(awk -v n="$N" -v t="$d_secs" 'BEGIN{printf "%d", n / t}')

fi

if want b; then
# ---- (b) stateless
mkdir -p "$WORK/b"
cat >"$WORK/b/p.sql" <<EOF
CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = '$BOOT', 'subscribe' = 'mta-turnstile', 'startingOffsets' = 'earliest');
CREATE TEMP VIEW readings AS
  SELECT r.*, to_timestamp(regexp_replace(r.TIMESTAMP, '"', ''), 'yyyy-MM-dd HH:mm:ss') AS TS
  FROM (SELECT from_csv(CAST(value AS STRING), 'AC STRING, UNIT STRING, SCP STRING, STATION STRING, LINENAME STRING, DIVISION STRING, DATE STRING, DESC STRING, TIME STRING, ENTRIES INT, EXITS INT, ID STRING, TIMESTAMP STRING') AS r FROM raw);
CREATE TABLE out USING json OPTIONS ('path' = './out', 'checkpointLocation' = './checkpoint/out', 'outputMode' = 'append');
INSERT INTO out SELECT ID, STATION, UNIT, SCP, TS, ENTRIES, EXITS, ENTRIES + EXITS AS TOTAL
  FROM readings WHERE DESC = 'REGULAR' AND ENTRIES >= 5;
EOF
log "(b) weir: stateless parse/filter/project to JSON files, availableNow"
(cd "$WORK/b" && /usr/bin/time -f '%e %U %S' -o time.txt "$WEIR" run p.sql --trigger availableNow >/dev/null 2>err.txt)
b_cpu=$(cpu "$WORK/b/time.txt"); b_wall=$(wall "$WORK/b/time.txt")
b_rate=$(awk -v n="$N" -v c="$b_cpu" 'BEGIN{printf "%d", n / c}')
b_rows=$(cat "$WORK"/b/out/part-*.json | wc -l)

fi

if want c; then
# ---- (c) latency
mkdir -p "$WORK/c"
"$PROD" -b "$BOOT" -t mta-latency -n 1 -q          # creates the topic
cat >"$WORK/c/p.sql" <<EOF
CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = '$BOOT', 'subscribe' = 'mta-latency', 'startingOffsets' = 'latest');
CREATE TEMP VIEW readings AS
  SELECT r.* FROM (SELECT from_csv(CAST(value AS STRING), 'AC STRING, UNIT STRING, SCP STRING, STATION STRING, LINENAME STRING, DIVISION STRING, DATE STRING, DESC STRING, TIME STRING, ENTRIES INT, EXITS INT, ID STRING, TIMESTAMP STRING') AS r FROM raw);
CREATE TABLE sink USING console OPTIONS ('numRows' = '100000000', 'truncate' = 'false', 'checkpointLocation' = './checkpoint/c', 'outputMode' = 'append');
INSERT INTO sink SELECT ID FROM readings WHERE ENTRIES >= 0;
EOF
cat >"$WORK/c/watch.py" <<'EOF'
import sys, time
out = open(sys.argv[1], 'w', buffering=1)
for line in sys.stdin.buffer:
    if line.startswith(b'|') and not line.startswith(b'|ID'):
        out.write('%s %d\n' % (line.strip(b'|\n ').decode(), time.time_ns() // 1000))
out.close()
EOF
log "(c) latency: $LAT_RATE readings/s for $LAT_SECS s, default trigger, console sink"
mkfifo "$WORK/c/console"
"$PY" "$WORK/c/watch.py" "$WORK/c/seen.txt" <"$WORK/c/console" &
wpid=$!
(cd "$WORK/c" && exec "$WEIR" run p.sql --progress >console 2>progress.txt) &
cpid=$!
PIDS+=($cpid $wpid)
for _ in $(seq 600); do [ -s "$WORK/c/progress.txt" ] && break; sleep 0.05; done  # the query runs (first batch done)
total=$((LAT_RATE * LAT_SECS))
"$PROD" -b "$BOOT" -t mta-latency -n $total -r "$LAT_RATE" -s 3 --start now --dup 0 --late 0 --acks 1 --ack-log "$WORK/c/acks.txt" -q
for _ in $(seq 600); do [ "$(wc -l <"$WORK/c/seen.txt")" -ge "$total" ] && break; sleep 0.05; done
kill -TERM "$cpid"; wait "$cpid" || true; wait "$wpid" || true   # the watcher ends at EOF
lat=$(latency "$WORK/c/acks.txt" "$WORK/c/seen.txt")

fi

if want d; then
# ---- (d) latency into the exactly-once JSON file sink (a row is visible once
# its batch's manifest is in _spark_metadata: data file and manifest synced)
mkdir -p "$WORK/d"
"$PROD" -b "$BOOT" -t mta-latency-d -n 1 -q
cat >"$WORK/d/p.sql" <<SQL
CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = '$BOOT', 'subscribe' = 'mta-latency-d', 'startingOffsets' = 'latest');
CREATE TEMP VIEW readings AS
  SELECT r.* FROM (SELECT from_csv(CAST(value AS STRING), 'AC STRING, UNIT STRING, SCP STRING, STATION STRING, LINENAME STRING, DIVISION STRING, DATE STRING, DESC STRING, TIME STRING, ENTRIES INT, EXITS INT, ID STRING, TIMESTAMP STRING') AS r FROM raw);
CREATE TABLE sink USING json OPTIONS ('path' = './out', 'checkpointLocation' = './checkpoint/d', 'outputMode' = 'append');
INSERT INTO sink SELECT ID FROM readings WHERE ENTRIES >= 0;
SQL
cat >"$WORK/d/watch.py" <<'PYEOF'
# polls out/_spark_metadata every 0.5 ms; stamps the ids in a batch's files when its manifest appears
import json, os, sys, time
md, out, total = sys.argv[1], open(sys.argv[2], 'w'), int(sys.argv[3])
done, files, n, idle_since = set(), set(), 0, time.time()
while n < total and time.time() - idle_since < 30:
    names = os.listdir(md) if os.path.isdir(md) else []
    # N (a batch) and N.compact (every 10th: all files so far; older manifests
    # are then deleted, so one not seen yet is read from the compact)
    new = [x for x in names if x.split('.')[0].isdigit() and x not in done]
    if not new:
        time.sleep(0.0005)
        continue
    t = time.time_ns() // 1000
    for x in new:
        done.add(x)
        idle_since = time.time()
        try:
            lines = open(os.path.join(md, x)).read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for l in lines:
            path = json.loads(l)['path'][len('file://'):]
            if path in files:
                continue
            files.add(path)
            for r in open(path):
                out.write('%s %d\n' % (json.loads(r)['ID'], t))
                n += 1
out.close()
PYEOF
log "(d) latency: $LAT_RATE readings/s for $LAT_SECS s, default trigger, JSON file sink (manifest visible)"
total=$((LAT_RATE * LAT_SECS))
(cd "$WORK/d" && exec "$WEIR" run p.sql --progress >/dev/null 2>progress.txt) &
dpid=$!
PIDS+=($dpid)
for _ in $(seq 600); do [ -s "$WORK/d/progress.txt" ] && break; sleep 0.05; done  # the query runs
"$PY" "$WORK/d/watch.py" "$WORK/d/out/_spark_metadata" "$WORK/d/seen.txt" "$total" &
wpid=$!
"$PROD" -b "$BOOT" -t mta-latency-d -n $total -r "$LAT_RATE" -s 4 --start now --dup 0 --late 0 --acks 1 --ack-log "$WORK/d/acks.txt" -q
wait "$wpid" || true
kill -TERM "$dpid"; wait "$dpid" || true
lat_d=$(latency "$WORK/d/acks.txt" "$WORK/d/seen.txt")
fi

report ""
report "== weir engine benchmarks ($(date -u +%FT%TZ), $(nproc) cores, N=$N)"
want a && report "$(printf '%-58s %s\n' '(a) turnstile aggregation, weir (rows/s per core)' "$a_rate   [$N rows, ${a_cpu}s CPU, ${a_wall}s wall, $a_rows output rows]")"
want a && report "$(printf '%-58s %s\n' '(a) same aggregation, DuckDB threads=1 (rows/s per core)' "$d_rate   [${d_secs}s CPU, ${d_wall}s wall]")"
want a && report "$(printf '%-58s %s\n' '(a) ratio weir / DuckDB (target >= 0.5)' "$(awk -v a="$a_rate" -v d="$d_rate" 'BEGIN{printf "%.2f", a / d}')")"
want b && report "$(printf '%-58s %s\n' '(b) stateless parse/filter/project to JSON (rows/s per core)' "$b_rate   [${b_cpu}s CPU, ${b_wall}s wall, $b_rows rows written]")"
want c && report "$(printf '%-58s %s\n' "(c) latency ack -> console sink at $LAT_RATE/s, ms (target p99 <= 50)" "$lat")"
want d && report "$(printf '%-58s %s\n' "(d) latency ack -> JSON file sink manifest at $LAT_RATE/s, ms" "$lat_d")"

if want a && [ "${BENCH_PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
  log "profiling (a) with perf"
  rm -rf "$WORK/a/lake" "$WORK/a/checkpoint"
  (cd "$WORK/a" && perf record -g -o perf.data -- "$WEIR" run p.sql --var bootstrap="$BOOT" \
     --var window='5 minutes' --var slide='5 minutes' --trigger availableNow >/dev/null 2>/dev/null) 2>/dev/null
  report "== perf, (a), top symbols by self time"
  perf report -i "$WORK/a/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25 | tee -a "$OUT"
fi
log "saved in $OUT"
