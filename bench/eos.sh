#!/usr/bin/env bash
# bench/eos.sh: issue 4's performance figures (groups, transactions), printed
# side by side in one run. Benchmarks, not tests: nothing asserts a time.
#
#   (a) transactional produce, 1,000 messages of 100 B per transaction
#       (build/txn_bench transactional), against idempotent produce with the
#       same settings (build/txn_bench idempotent): the ratio of msgs/s, the
#       median of per-repetition ratios (the two run back to back, each on a
#       fresh broker and data dir); target >= 0.5. 10,000 per transaction too,
#       for context; and both on librdkafka's mock cluster (no disk) as the
#       peer that shows what the client protocol allows.
#       The same pair with the two pure-JS clients (bench/txn_bench.mjs:
#       kafkajs 2.2.4, @platformatic/kafka 1.35.0, from tests/js/node_modules),
#       each on weir and on the mock, with a smaller N (BENCH_JS_N); the mock
#       is too old for @platformatic/kafka (see txn_bench.mjs), so its mock
#       rows read n/a.
#   (b) OffsetCommit of 100 partitions per commit: commits/s and p50/p99 over
#       1, 8 and 32 connections (bench/groups_bench.py, raw sockets)
#   (c) a three-member group: time from one member's LeaveGroup until the
#       other two own all partitions, against session.timeout.ms 10 s
#       (bench/groups_bench.py); then bench/rebalance_bench.py: medians of
#       repeated runs with each member in its own process, the leave case
#       with fetch.wait.max.ms 500 (librdkafka's default) and 100, and the
#       crash case (SIGKILL, no LeaveGroup) against session.timeout.ms 6 s
#
#   bench/eos.sh                 full run (2M messages, 5 repetitions, 5 s commit runs)
#   BENCH_QUICK=1 bench/eos.sh   short run (300K messages, 1 repetition, 2 s)
#   BENCH_N / BENCH_REPS / BENCH_PARTITIONS (4) / BENCH_COMMIT_SECS override
#   BENCH_JS=0 skips the JS clients; BENCH_JS_N (300K, quick 100K) is their N
#
# Output: a table on stdout, saved with the raw RESULT lines as
# bench/out/eos-STAMP.txt (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
    N=${BENCH_N:-300000}; REPS=${BENCH_REPS:-1}; CSECS=${BENCH_COMMIT_SECS:-2}; JSN=${BENCH_JS_N:-100000}
else
    N=${BENCH_N:-2000000}; REPS=${BENCH_REPS:-5}; CSECS=${BENCH_COMMIT_SECS:-5}; JSN=${BENCH_JS_N:-300000}
fi
PARTS=${BENCH_PARTITIONS:-4}
PY=${PY:-/usr/bin/python3}
NODE=${NODE:-node}
JS=${BENCH_JS:-1}

make --no-print-directory weir build/loadgen build/txn_bench build/mock_broker >&2
LG=build/loadgen
TB=build/txn_bench
mkdir -p bench/out
STAMP=$(date -u +%Y%m%d-%H%M%S)
OUT=bench/out/eos-$STAMP.txt
WORK=$(mktemp -d "${TMPDIR:-/tmp}/weir-eos.XXXXXX")
WPID=
cleanup() {
    [ -n "$WPID" ] && kill "$WPID" 2>/dev/null && wait "$WPID" 2>/dev/null
    rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "eos: $*" >&2; }
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
median() { awk 'NF' | sort -g | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]; else print ""}'; }
med() { printf '%s\n' "$@" | median; }
RAW=()

start_weir() { # fresh data dir; sets WPID, WADDR
    local port; port=$($LG freeport)
    rm -rf "$WORK/d"
    ./weir broker --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$WORK/d" \
        2>>"$WORK/weir.log" &
    WPID=$!; WADDR=127.0.0.1:$port
    for _ in $(seq 1 1000); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.01
    done
    log "weir did not start"; return 1
}
stop_weir() { kill "$WPID"; wait "$WPID" || true; WPID=; }

# bench LABEL ADDR CMD...: one run of CMD -b ADDR -t eos; sets RES to its
# RESULT line, or to "FAILED: " and the last line of its stderr (which is
# passed on to ours)
bench() {
    local label=$1 addr=$2; shift 2
    RES=$("$@" -b "$addr" -t eos 2>"$WORK/run.err" | grep '^RESULT' || true)
    cat "$WORK/run.err" >&2
    [ -n "$RES" ] || RES="FAILED: $(tail -1 "$WORK/run.err")"
    RAW+=("$label $RES")
    log "$label: $RES"
}

# weir_run LABEL CMD...: a fresh broker, a topic of $PARTS partitions, one run; sets RES
weir_run() {
    local label=$1; shift
    start_weir
    $LG create -b "$WADDR" -t eos -p "$PARTS" >/dev/null
    bench "$label" "$WADDR" "$@"
    stop_weir
}

# mock_run LABEL CMD...: the same on a fresh librdkafka mock cluster (no disk,
# transactions in memory): what the client's protocol allows without a disk.
# The topic is created on first use (4 partitions, the mock's default).
MOCKS=0
mock_run() {
    local label=$1; shift
    MOCKS=$((MOCKS + 1))
    local out=$WORK/mock-$MOCKS.out addr=
    build/mock_broker >"$out" 2>/dev/null &
    WPID=$!
    for _ in $(seq 1 500); do addr=$(head -1 "$out" 2>/dev/null || true); [ -n "$addr" ] && break; sleep 0.01; done
    bench "$label" "$addr" "$@"
    stop_weir
}

one_run() { local label=$1; shift; weir_run "$label" $TB "$@" -n "$N" -s 100; }
one_mock_run() { local label=$1; shift; mock_run "$label" $TB "$@" -n "$N" -s 100; }
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f\n", a/b}'; fi; }

log "N=$N x 100 B, $PARTS partitions, reps=$REPS, $(nproc) cores, weir $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
IDEM=(); TX=(); TX10=(); R=(); R10=(); CP50=(); CP99=(); MIDEM=(); MTX=(); MR=(); WM=()
for rep in $(seq 1 "$REPS"); do
    one_run "a.idempotent.$rep" idempotent; i=$(kv "$RES" msgs_per_s); IDEM+=("$i")
    one_run "a.txn1000.$rep" transactional -x 1000; t=$(kv "$RES" msgs_per_s); TX+=("$t")
    CP50+=("$(kv "$RES" commit_p50_ms)"); CP99+=("$(kv "$RES" commit_p99_ms)")
    one_run "a.txn10000.$rep" transactional -x 10000; t10=$(kv "$RES" msgs_per_s); TX10+=("$t10")
    one_mock_run "a.mock.idempotent.$rep" idempotent; mi=$(kv "$RES" msgs_per_s); MIDEM+=("$mi")
    one_mock_run "a.mock.txn1000.$rep" transactional -x 1000; mt=$(kv "$RES" msgs_per_s); MTX+=("$mt")
    [ -n "$mi" ] && [ -n "$mt" ] && MR+=("$(awk -v a="$mt" -v b="$mi" 'BEGIN{printf "%.3f", a/b}')")
    [ -n "$t" ] && [ -n "$mt" ] && WM+=("$(awk -v a="$t" -v b="$mt" 'BEGIN{printf "%.3f", a/b}')")
    [ -n "$i" ] && [ -n "$t" ] && R+=("$(awk -v a="$t" -v b="$i" 'BEGIN{printf "%.3f", a/b}')")
    [ -n "$i" ] && [ -n "$t10" ] && R10+=("$(awk -v a="$t10" -v b="$i" 'BEGIN{printf "%.3f", a/b}')")
done

# (a) with the JS clients: per client, space-separated per-repetition values
JS_CLIENTS=(kafkajs platformatic)
declare -A JI=() JT=() JR=() JC50=() JC99=() JMI=() JMT=() JMR=() JWM=()
if [ "$JS" = 1 ] && ! { command -v "$NODE" >/dev/null && [ -d tests/js/node_modules/kafkajs ] &&
    [ -d tests/js/node_modules/@platformatic/kafka ]; }; then
    log "JS clients skipped: needs $NODE and tests/js/node_modules (cd tests/js && npm ci)"; JS=0
fi
if [ "$JS" = 1 ]; then
    log "JS clients: N=$JSN x 100 B, reps=$REPS, node $($NODE --version)"
    for rep in $(seq 1 "$REPS"); do
        for c in "${JS_CLIENTS[@]}"; do
            JB=("$NODE" bench/txn_bench.mjs "$c")
            weir_run "a.js.$c.idempotent.$rep" "${JB[@]}" idempotent -x 1000 -n "$JSN" -s 100; i=$(kv "$RES" msgs_per_s)
            weir_run "a.js.$c.txn1000.$rep" "${JB[@]}" transactional -x 1000 -n "$JSN" -s 100; t=$(kv "$RES" msgs_per_s)
            JI[$c]+=" $i"; JT[$c]+=" $t"; JR[$c]+=" $(ratio "$t" "$i")"
            JC50[$c]+=" $(kv "$RES" commit_p50_ms)"; JC99[$c]+=" $(kv "$RES" commit_p99_ms)"
            # @platformatic/kafka needs newer API versions than the 2.0.2 mock offers (txn_bench.mjs -m)
            [ "$c" = platformatic ] && continue
            mock_run "a.js.$c.mock.idempotent.$rep" "${JB[@]}" idempotent -x 1000 -n "$JSN" -s 100 -m; mi=$(kv "$RES" msgs_per_s)
            mock_run "a.js.$c.mock.txn1000.$rep" "${JB[@]}" transactional -x 1000 -n "$JSN" -s 100 -m; mt=$(kv "$RES" msgs_per_s)
            JMI[$c]+=" $mi"; JMT[$c]+=" $mt"; JMR[$c]+=" $(ratio "$mt" "$mi")"; JWM[$c]+=" $(ratio "$t" "$mt")"
        done
    done
fi

log "groups: bench/groups_bench.py --secs $CSECS"
GOUT=$(WEIR=$PWD/weir "$PY" bench/groups_bench.py --secs "$CSECS" --conns 1,8,32 2>>"$WORK/groups.err" | grep '^RESULT' || true)
RREPS=$([ "$QUICK" = 1 ] && echo 2 || echo 5)
log "groups: bench/rebalance_bench.py --reps $RREPS"
GOUT+=$'\n'$(WEIR=$PWD/weir "$PY" bench/rebalance_bench.py --reps "$RREPS" 2>>"$WORK/groups.err" | grep '^RESULT' || true)
while IFS= read -r l; do [ -n "$l" ] && RAW+=("groups $l"); done <<<"$GOUT"

R_MED=$(med "${R[@]:-}"); R10_MED=$(med "${R10[@]:-}")
{
    echo "weir EOS benchmarks $STAMP UTC  (commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, N=$N x 100 B, $PARTS partitions, reps=$REPS, medians)"
    echo "command: bench/eos.sh (BENCH_QUICK=$QUICK BENCH_N=$N BENCH_REPS=$REPS)"
    echo
    printf '%-50s %-34s %-8s %-10s %s\n' "figure" "weir" "ratio" "target" "verdict"
    printf '%-50s %-34s %-8s %-10s %s\n' "(a) idempotent produce, msgs/s" "$(med "${IDEM[@]}")" "-" "-" "-"
    verdict() { awk -v r="$1" 'BEGIN{ if (r == "" || r == "-") print "?"; else print (r >= 0.5) ? "met" : "NOT met" }'; }
    v=$(verdict "$R_MED")
    [ "$v" = "NOT met" ] && v="NOT met (librdkafka: its no-disk mock gets $(med "${MR[@]:-}"))"
    printf '%-50s %-34s %-8s %-10s %s\n' "    transactional, 1,000 msgs/txn, msgs/s" "$(med "${TX[@]}") (commit p50 $(med "${CP50[@]}") p99 $(med "${CP99[@]}") ms)" "$R_MED" ">= 0.5" "$v"
    printf '%-50s %-34s %-8s %-10s %s\n' "    transactional, 10,000 msgs/txn, msgs/s" "$(med "${TX10[@]}")" "$R10_MED" "context" "-"
    printf '%-50s %-34s %-8s %-10s %s\n' "    peer: mock cluster, idempotent, msgs/s" "$(med "${MIDEM[@]}")" "-" "-" "-"
    printf '%-50s %-34s %-8s %-10s %s\n' "    peer: mock cluster, 1,000 msgs/txn, msgs/s" "$(med "${MTX[@]}")" "$(med "${MR[@]:-}")" "(mock's own)" "-"
    printf '%-50s %-34s %-8s %-10s %s\n' "    weir txn 1,000 / mock txn 1,000" "-" "$(med "${WM[@]:-}")" "context" "-"
    if [ "$JS" = 1 ]; then
        for c in "${JS_CLIENTS[@]}"; do
            # shellcheck disable=SC2086 # the lists are space-separated numbers
            {
                na=; mr=$(med ${JMR[$c]:-}); wm=$(med ${JWM[$c]:-})
                [ "$c" = platformatic ] && { na="n/a (mock's API versions too old)"; mr=-; wm=-; }
                printf '%-50s %-34s %-8s %-10s %s\n' "(a) JS $c (N=$JSN) idempotent, msgs/s" "$(med ${JI[$c]:-})" "-" "-" "-"
                jr=$(med ${JR[$c]:-})
                printf '%-50s %-34s %-8s %-10s %s\n' "    $c transactional, 1,000/txn, msgs/s" \
                    "$(med ${JT[$c]:-}) (commit p50 $(med ${JC50[$c]:-}) p99 $(med ${JC99[$c]:-}) ms)" "$jr" ">= 0.5" "$(verdict "$jr")"
                printf '%-50s %-34s %-8s %-10s %s\n' "    $c on mock, idempotent, msgs/s" "${na:-$(med ${JMI[$c]:-})}" "-" "-" "-"
                printf '%-50s %-34s %-8s %-10s %s\n' "    $c on mock, 1,000 msgs/txn, msgs/s" "${na:-$(med ${JMT[$c]:-})}" \
                    "$mr" "(mock's own)" "-"
                printf '%-50s %-34s %-8s %-10s %s\n' "    $c weir txn / mock txn" "-" \
                    "$wm" "context" "-"
            }
        done
    fi
    while IFS= read -r l; do
        [ -z "$l" ] && continue
        case $(kv "$l" bench) in
        group_commit)
            printf '%-50s %-34s %-8s %-10s %s\n' "(b) OffsetCommit x100 partitions, $(kv "$l" conns) conn(s)" \
                "$(kv "$l" commits_per_s)/s, p50 $(kv "$l" p50_ms) p99 $(kv "$l" p99_ms) ms" "-" "-" "-" ;;
        group_rebalance)
            printf '%-50s %-34s %-8s %-10s %s\n' "(c) 3-member group, one leaves: reassigned in" \
                "$(kv "$l" leave_to_reassigned_s) s (one run)" "-" "session $(kv "$l" session_timeout_s) s" "-" ;;
        rebalance_leave | rebalance_crash)
            what=$([ "$(kv "$l" bench)" = rebalance_leave ] && echo "leaves" || echo "is SIGKILLed")
            printf '%-50s %-34s %-8s %-10s %s\n' "    one $what (fetch.wait.max.ms $(kv "$l" fetch_wait_max_s) s)" \
                "median $(kv "$l" median_s) s ($(kv "$l" min_s)-$(kv "$l" max_s))" "-" \
                "session $(kv "$l" session_timeout_s) s" "-" ;;
        esac
    done <<<"$GOUT"
    echo
    echo "runs, msgs/s: idempotent $(printf '%s ' "${IDEM[@]}")/ txn 1000 $(printf '%s ' "${TX[@]}")/ txn 10000 $(printf '%s ' "${TX10[@]}")"
    echo "ratios per repetition: 1000 $(printf '%s ' "${R[@]:-}")/ 10000 $(printf '%s ' "${R10[@]:-}")/ mock $(printf '%s ' "${MR[@]:-}")/ weir:mock txn $(printf '%s ' "${WM[@]:-}")"
    if [ "$JS" = 1 ]; then
        for c in "${JS_CLIENTS[@]}"; do
            echo "JS $c, msgs/s: idempotent${JI[$c]:-} / txn 1000${JT[$c]:-} / mock idempotent${JMI[$c]:-} / mock txn 1000${JMT[$c]:-}"
        done
    fi
    echo "The mock keeps everything in memory (no fsync): its own txn/idempotent ratio is what librdkafka's"
    echo "serial transaction protocol (AddPartitionsToTxn, then Produce, then EndTxn; commit flushes) allows"
    echo "without a disk. weir answers AddPartitionsToTxn at once, a transactional Produce (acks=all) once its data"
    echo "and the partition's AddPartitionsToTxn record are fsynced, and EndTxn once its Prepare record is."
    echo
    printf '%s\n' "${RAW[@]}"
} | tee "$OUT"
log "saved $OUT"
