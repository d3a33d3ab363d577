#!/usr/bin/env bash
# bench/run.sh: weir's benchmarks, printed as ratios against peers run side by
# side in this same invocation (the machine is shared: absolute numbers drift,
# ratios much less). Benchmarks are not tests: nothing here asserts a time.
#
#   bench/run.sh                      full run (5M messages, 10 s latency runs)
#   BENCH_QUICK=1 bench/run.sh        short run (500K messages, 3 s latency runs)
#   BENCH_ENGINE=0                    skip the stream engine's benchmarks (bench/engine.sh,
#                                     run at the end; see bench/ENGINE.md)
#   BENCH_N=2000000 bench/run.sh      message count for the produce/consume runs
#   BENCH_REPS=5                      repetitions of each throughput run (median;
#                                     mock and weir alternate, so drift hits both)
#   BENCH_PARTITIONS=4                partitions of the benchmark topic (the mock
#                                     auto-creates 4; keep it equal for fairness)
#   BENCH_DIR=/path                   where the data dirs go (default: a temp dir)
#   BENCH_DROP_CACHES=0               do not drop the page cache before the consume
#                                     run (it is machine-wide; needs root)
#
# Every broker runs on a free port with a fresh data dir. Peers: librdkafka's
# mock cluster (../shared/peers/mock_broker.c, built as build/mock_broker),
# weir itself (acks=all against acks=1), the raw disk (fdatasync latency) and
# the issue's absolute targets. Output: a table on stdout, saved with the raw
# RESULT lines under bench/out/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
    N=${BENCH_N:-500000}; REPS=${BENCH_REPS:-1}; LAT_SECS=${BENCH_LAT_SECS:-3}; STARTS=${BENCH_STARTS:-5}
else
    N=${BENCH_N:-5000000}; REPS=${BENCH_REPS:-5}; LAT_SECS=${BENCH_LAT_SECS:-10}; STARTS=${BENCH_STARTS:-9}
fi
PARTS=${BENCH_PARTITIONS:-4}
SIZE=100
LAT_RATE=20000

make --no-print-directory weir build/loadgen build/mock_broker >&2
LG=build/loadgen
WEIR=./weir

mkdir -p bench/out
STAMP=$(date -u +%Y%m%d-%H%M%S)
RAW=bench/out/raw-$STAMP.txt
TABLE=bench/out/bench-$STAMP.txt
: >"$RAW"
WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/weir-bench.XXXXXX")}
mkdir -p "$WORK"

PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    [ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }
# kv LINE KEY: the value of key=value in a RESULT line
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
# run LABEL CMD...: runs a loadgen command, keeps its RESULT line in $RES and the raw file
run() {
    local label=$1; shift
    local out
    out=$("$@" 2>>"$WORK/loadgen.err") || log "$label: loadgen exited with $? (see below)"
    RES=$(grep '^RESULT' <<<"$out" | tail -1 || true)
    echo "$label $RES" >>"$RAW"
    log "$label: $RES"
}
median() { awk 'NF' | sort -g | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]; else print ""}'; }

wait_port() { # wait_port PORT PID
    for _ in $(seq 1 1000); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { log "broker $2 died"; return 1; }
        sleep 0.01
    done
    log "port $1 not listening after 10 s"; return 1
}

# start_weir DIR: starts weir on a free port with DIR as log.dirs; sets WPID, WADDR
start_weir() {
    local port; port=$($LG freeport)
    $WEIR broker --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$1" \
        2>>"$WORK/weir.log" &
    WPID=$!; PIDS+=("$WPID"); WADDR=127.0.0.1:$port
    wait_port "$port" "$WPID"
}
stop_pid() { # stops a process this script started and forgets its id
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local keep=() p
    for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
    PIDS=("${keep[@]:-}")
}

# start_mock: sets MPID, MADDR
MOCKS=0
start_mock() {
    MOCKS=$((MOCKS + 1))
    local out=$WORK/mock-$MOCKS.out # a new file each time: never read a previous mock's address
    build/mock_broker >"$out" 2>>"$WORK/mock.err" &
    MPID=$!; PIDS+=("$MPID")
    for _ in $(seq 1 500); do
        MADDR=$(head -1 "$out" 2>/dev/null || true)
        [ -n "$MADDR" ] && return 0
        sleep 0.01
    done
    log "mock broker did not start"; return 1
}

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

produce_args=(-n "$N" -s "$SIZE" -l 5 -B 1000000)

log "work dir $WORK, N=$N, reps=$REPS, partitions=$PARTS, quick=$QUICK"
log "weir $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(uname -r)"

# ---- (a) produce acks=1 to the mock and to weir, (b) acks=all to weir ----
# Each repetition runs mock, weir acks=1, weir acks=all back to back, and the
# ratios are the median of the per-repetition ratios: neighbours in time see
# the same machine load, which drifts a lot on this shared box.
MOCK_A=(); WEIR_A=(); MOCK_A_MB=(); WEIR_A_MB=(); WEIR_B=(); WEIR_B_MB=(); R_A=(); R_B=()
KEEP_DIR=""
for rep in $(seq 1 "$REPS"); do
    start_mock
    run "a.mock.$rep" $LG produce -b "$MADDR" -t bench -a 1 "${produce_args[@]}"
    m=$(kv "$RES" msgs_per_s); MOCK_A+=("$m"); MOCK_A_MB+=("$(kv "$RES" mb_per_s)")
    MOCK_PARTS=$(kv "$RES" partitions)
    if [ "$rep" = "$REPS" ]; then MOCK_KEEP=$MPID; MOCK_KEEP_ADDR=$MADDR; else stop_pid "$MPID"; fi

    d=$WORK/a-$rep; rm -rf "$d"
    start_weir "$d"
    run "a.create.$rep" $LG create -b "$WADDR" -t bench -p "$PARTS"
    run "a.weir.$rep" $LG produce -b "$WADDR" -t bench -a 1 "${produce_args[@]}"
    w=$(kv "$RES" msgs_per_s); WEIR_A+=("$w"); WEIR_A_MB+=("$(kv "$RES" mb_per_s)")
    stop_pid "$WPID"
    if [ "$rep" = "$REPS" ]; then KEEP_DIR=$d; else rm -rf "$d"; fi
    [ -n "$m" ] && [ -n "$w" ] && R_A+=("$(awk -v a="$w" -v b="$m" 'BEGIN{printf "%.3f", a/b}')")

    d=$WORK/b-$rep; rm -rf "$d"
    start_weir "$d"
    run "b.create.$rep" $LG create -b "$WADDR" -t bench -p "$PARTS"
    run "b.weir.$rep" $LG produce -b "$WADDR" -t bench -a -1 "${produce_args[@]}"
    x=$(kv "$RES" msgs_per_s); WEIR_B+=("$x"); WEIR_B_MB+=("$(kv "$RES" mb_per_s)")
    stop_pid "$WPID"; rm -rf "$d"
    [ -n "$x" ] && [ -n "$w" ] && R_B+=("$(awk -v a="$x" -v b="$w" 'BEGIN{printf "%.3f", a/b}')")
done
[ "${MOCK_PARTS:-$PARTS}" = "$PARTS" ] || log "warning: the mock's topic has $MOCK_PARTS partitions, weir's $PARTS"

# ---- (c) consume N from weir's disk (the data of the last (a) run) ----
sync
CACHE="warm"
if [ "${BENCH_DROP_CACHES:-1}" = 1 ] && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then CACHE="cold"; fi
resident=$( (fincore -b -n -o RES "$KEEP_DIR"/bench-*/*.log 2>/dev/null || echo "?") | awk '$1 == "?" {print "?"; exit} {s+=$1} END{if (NR) print s+0}')
total=$(cat "$KEEP_DIR"/bench-*/*.log | wc -c)
log "consume: page cache $CACHE ($resident of $total segment bytes resident before the read)"
[ "$resident" != "?" ] && [ "$total" -gt 0 ] && [ "$resident" -gt $((total / 10)) ] && CACHE="warm"
start_weir "$KEEP_DIR"
run "c.weir.$CACHE" $LG consume -b "$WADDR" -t bench -n "$N"
C_COLD=$(kv "$RES" msgs_per_s); C_COLD_MB=$(kv "$RES" mb_per_s)
C_COLD_FIRST=$(awk -v n="$(kv "$RES" msgs)" -v s="$(kv "$RES" from_first_secs)" 'BEGIN{ if (s > 0) printf "%.0f", n/s }')
C_COLD_T0=$(kv "$RES" first_msg_ms)
run "c.weir.warm" $LG consume -b "$WADDR" -t bench -n "$N"
C_WARM=$(kv "$RES" msgs_per_s); C_WARM_MB=$(kv "$RES" mb_per_s)
C_WARM_FIRST=$(awk -v n="$(kv "$RES" msgs)" -v s="$(kv "$RES" from_first_secs)" 'BEGIN{ if (s > 0) printf "%.0f", n/s }')
stop_pid "$WPID"
# the mock keeps only the last ~5 MiB per partition: consume what it has (reference only)
run "c.mock" $LG consume -b "$MOCK_KEEP_ADDR" -t bench -n 0
C_MOCK=$(kv "$RES" msgs_per_s); C_MOCK_N=$(kv "$RES" msgs)
stop_pid "$MOCK_KEEP"
rm -rf "$KEEP_DIR"

# ---- (d) latency at 20K msgs/s, linger.ms=0: weir acks=all right next to the
# mock (same machine load), then weir's variants and the disk's own floor ----
d=$WORK/d; rm -rf "$d"; mkdir -p "$d"
start_mock
MOCK_IDLE_RSS=$(rss_kb "$MPID")
start_weir "$d"
run "d.create" $LG create -b "$WADDR" -t bench -p "$PARTS"
run "d.weir" $LG latency -b "$WADDR" -t bench -r "$LAT_RATE" -d "$LAT_SECS" -a -1 -l 0 -s "$SIZE"
L_RES=$RES
run "d.mock" $LG latency -b "$MADDR" -t bench -r "$LAT_RATE" -d "$LAT_SECS" -a -1 -l 0 -s "$SIZE"
LM_RES=$RES
stop_pid "$MPID"
run "d.create1" $LG create -b "$WADDR" -t bench1 -p 1
run "d.weir.p1" $LG latency -b "$WADDR" -t bench1 -r "$LAT_RATE" -d "$LAT_SECS" -a -1 -l 0 -s "$SIZE"
L1_RES=$RES
run "d.weir.acks1" $LG latency -b "$WADDR" -t bench -r "$LAT_RATE" -d "$LAT_SECS" -a 1 -l 0 -s "$SIZE"
LA1_RES=$RES
stop_pid "$WPID"
run "d.fsync" $LG fsync -D "$d" -n 2000 -s 2048
F_P50=$(kv "$RES" p50_ms); F_P99=$(kv "$RES" p99_ms)
rm -rf "$d"

# ---- (e) idle broker with 100 partitions: resident memory ----
d=$WORK/e; rm -rf "$d"
start_weir "$d"
RSS0=$(rss_kb "$WPID")
run "e.create" $LG create -b "$WADDR" -t idle100 -p 100
sleep 2
RSS100=$(rss_kb "$WPID")
echo "e.rss RESULT empty_kb=$RSS0 p100_kb=$RSS100 mock_idle_kb=$MOCK_IDLE_RSS" >>"$RAW"
log "idle RSS: empty $RSS0 kB, 100 partitions $RSS100 kB (fresh mock: $MOCK_IDLE_RSS kB)"
stop_pid "$WPID"; rm -rf "$d"

# ---- (f) start-up on an empty data dir: exec to accepting connections ----
ST=()
for i in $(seq 1 "$STARTS"); do
    d=$WORK/f-$i; rm -rf "$d"
    port=$($LG freeport)
    run "f.start.$i" $LG startup -P "$port" -- "$WEIR" broker --override "listeners=PLAINTEXT://127.0.0.1:$port" \
        --override "log.dirs=$d"
    ST+=("$(kv "$RES" ms)")
    rm -rf "$d"
done

# ---- the table ----
med() { printf '%s\n' "$@" | median; }
A_MOCK=$(med "${MOCK_A[@]}"); A_WEIR=$(med "${WEIR_A[@]}")
A_MOCK_MB=$(med "${MOCK_A_MB[@]}"); A_WEIR_MB=$(med "${WEIR_A_MB[@]}")
B_WEIR=$(med "${WEIR_B[@]}"); B_WEIR_MB=$(med "${WEIR_B_MB[@]}")
START_MED=$(med "${ST[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0 || a == "" || b == "") print "n/a"; else printf "%.2f", a/b }'; }
verdict() { # verdict VALUE OP LIMIT
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN{ if (v == "" || v == "n/a") {print "?"; exit}
        ok = (op == ">=") ? (v+0 >= l+0) : (v+0 <= l+0); print ok ? "met" : "NOT met" }'
}
fmt() { awk -v v="$1" 'BEGIN{ if (v == "") print "?"; else print v }'; }

A_R=$(med "${R_A[@]:-}"); B_R=$(med "${R_B[@]:-}"); C_R=$(ratio "$C_COLD" 2000000)
L_P99=$(kv "$L_RES" p99_ms); E_MB=$(awk -v k="$RSS100" 'BEGIN{printf "%.1f", k/1024}')
{
    echo "weir benchmarks $STAMP UTC  (commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, N=$N x ${SIZE} B, $PARTS partitions, reps=$REPS, median)"
    echo "command: ${BENCH_CMD:-bench/run.sh} (BENCH_QUICK=$QUICK BENCH_N=$N BENCH_REPS=$REPS)"
    echo
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "figure" "weir" "peer" "ratio" "target" "verdict"
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "(a) produce acks=1, msgs/s" "$(fmt "$A_WEIR") ($A_WEIR_MB MB/s)" "mock $(fmt "$A_MOCK") ($A_MOCK_MB MB/s)" "$A_R" ">= 0.9 x mock" "$(verdict "$A_R" '>=' 0.9)"
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "(b) produce acks=all (fdatasync), msgs/s" "$(fmt "$B_WEIR") ($B_WEIR_MB MB/s)" "weir acks=1 $(fmt "$A_WEIR")" "$B_R" ">= 0.5 x acks=1" "$(verdict "$B_R" '>=' 0.5)"
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "(c) consume $N from disk ($CACHE), msgs/s" "$(fmt "$C_COLD") ($C_COLD_MB MB/s)" "target 2,000,000" "$C_R" ">= 2M msgs/s" "$(verdict "$C_COLD" '>=' 2000000)"
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "    same, clock from the first message" "$(fmt "$C_COLD_FIRST")" "(first message after $C_COLD_T0 ms)" "$(ratio "$C_COLD_FIRST" 2000000)" ">= 2M msgs/s" "$(verdict "$C_COLD_FIRST" '>=' 2000000)"
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "    consume again (warm page cache)" "$(fmt "$C_WARM") ($C_WARM_MB MB/s)" "mock $(fmt "$C_MOCK") (${C_MOCK_N} kept)" "$(ratio "$C_WARM" "$C_MOCK")" "reference only" "-"
    for row in "weir:$L_RES:$PARTS partitions" "weir:$L1_RES:1 partition" "weir acks=1:$LA1_RES:$PARTS partitions" "mock:$LM_RES:$PARTS partitions"; do
        who=${row%%:*}; rest=${row#*:}; res=${rest%:*}; what=${rest##*:}
        [ "$who" = "weir" ] && [ "$what" = "$PARTS partitions" ] && label="(d) latency 20K/s acks=all, ms" || label="    $who, $what"
        [ "$who" = "weir" ] && [ "$what" = "$PARTS partitions" ] && peer="mock p99 $(kv "$LM_RES" p99_ms)" || peer="-"
        tgt="-"; v="-"; r="-"
        if [ "$label" = "(d) latency 20K/s acks=all, ms" ]; then tgt="p99 <= 2 ms"; v=$(verdict "$L_P99" '<=' 2); r=$(ratio "$L_P99" "$(kv "$LM_RES" p99_ms)"); fi
        printf '%-44s %-22s %-30s %-8s %-16s %s\n' "$label" "p50 $(kv "$res" p50_ms) p99 $(kv "$res" p99_ms)" "$peer" "$r" "$tgt" "$v"
        printf '%-44s %-22s\n' "" "p99.9 $(kv "$res" p999_ms) max $(kv "$res" max_ms)"
    done
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "    disk: append 2 KiB + fdatasync, ms" "p50 $F_P50 p99 $F_P99" "-" "-" "floor for acks=all" "-"
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "(e) idle RSS, 100 partitions, MB" "$E_MB (empty: $(awk -v k="$RSS0" 'BEGIN{printf "%.1f", k/1024}'))" "mock idle (fresh) $(awk -v k="$MOCK_IDLE_RSS" 'BEGIN{printf "%.1f", k/1024}')" "$(ratio "$E_MB" 20)" "<= 20 MB" "$(verdict "$E_MB" '<=' 20)"
    printf '%-44s %-22s %-30s %-8s %-16s %s\n' "(f) start-up, empty dir, ms (median of $STARTS)" "$START_MED" "target 100" "$(ratio "$START_MED" 100)" "<= 100 ms" "$(verdict "$START_MED" '<=' 100)"
    echo
    echo "notes: ratios are weir/peer (for latency, RSS and start-up lower is better). The mock keeps"
    echo "nothing on disk and only ~5 MiB per partition in memory, so its consume figure is not a peer"
    echo "for (c). librdkafka sometimes waits ~500 ms on an internal timer before its first"
    echo "ListOffsets (client-side, seen with debug=fetch), hence the second (c) row."
    echo "Latency is from produce() to the delivery report, at a fixed rate, linger.ms=0."
    echo "(a) and (b) ratios are the median of per-repetition ratios (mock, weir acks=1, weir acks=all"
    echo "run back to back); the msgs/s columns are medians of the runs."
    echo "runs, msgs/s: mock $(printf '%s ' "${MOCK_A[@]}")/ weir acks=1 $(printf '%s ' "${WEIR_A[@]}")/ weir acks=all $(printf '%s ' "${WEIR_B[@]}")"
    echo "ratios per repetition: (a) $(printf '%s ' "${R_A[@]:-}")/ (b) $(printf '%s ' "${R_B[@]:-}")/ start-up ms: $(printf '%s ' "${ST[@]}")"
} | tee "$TABLE"
cp "$TABLE" bench/out/latest.txt
if grep -q . "$WORK/loadgen.err" 2>/dev/null; then
    log "loadgen stderr (last lines):"; tail -5 "$WORK/loadgen.err" >&2
fi
if grep -q 'WARN\|ERROR' "$WORK/weir.log" 2>/dev/null; then
    log "weir warnings/errors:"; grep 'WARN\|ERROR' "$WORK/weir.log" | tail -5 >&2
fi
log "saved $TABLE and $RAW"

# The stream engine's benchmarks (bench/engine.sh, in its own temp dir;
# BENCH_ENGINE=0 skips them). Their table is appended to this run's.
if [ "${BENCH_ENGINE:-1}" = 1 ]; then
    log "engine benchmarks: bench/engine.sh"
    if ! env -u BENCH_DIR BENCH_QUICK="$QUICK" bench/engine.sh | tee -a "$TABLE" bench/out/latest.txt; then
        log "bench/engine.sh failed"
    fi
fi

# Groups and transactions (bench/eos.sh, issue 4; BENCH_EOS=0 skips them).
# Their table is appended to this run's.
if [ "${BENCH_EOS:-1}" = 1 ]; then
    log "groups/transactions benchmarks: bench/eos.sh"
    if ! env -u BENCH_DIR BENCH_QUICK="$QUICK" bench/eos.sh | tee -a "$TABLE" bench/out/latest.txt; then
        log "bench/eos.sh failed"
    fi
fi
