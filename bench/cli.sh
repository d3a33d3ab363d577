#!/usr/bin/env bash
# bench/cli.sh: `weir produce` against `kcat -P -l` — the same file of N
# 100-byte lines (default 5M), the same weir broker, acks=all for both (the
# librdkafka default kcat keeps), a fresh topic with the same partition count
# for every run. Runs alternate weir / kcat so machine drift hits both; the
# figure is the median rate of each and their ratio (target >= 1).
# Informative extras: kcat given weir's producer defaults (linger.ms=10,
# batch.num.messages=100000, queue.buffering.max.messages=1000000) to show
# how much of the difference is settings and how much is the input path.
# And consume: weir consume -e vs kcat -C -e reading the topic back.
# Every run's message count is checked against the topic's high watermarks.
#
#   bench/cli.sh                 5M lines, 3 repetitions
#   BENCH_N=1000000 BENCH_REPS=1 bench/cli.sh
#   BENCH_PARTITIONS=4           partitions per topic (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-5000000}
REPS=${BENCH_REPS:-3}
PARTS=${BENCH_PARTITIONS:-1}
make --no-print-directory weir >&2
command -v kcat >/dev/null || { echo "bench/cli.sh: kcat is not installed" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/weir-bench-cli.XXXXXX")
BPID=
cleanup() { [ -n "$BPID" ] && kill "$BPID" 2>/dev/null && wait "$BPID" 2>/dev/null; rm -rf "$WORK"; return 0; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench/cli: writing $N lines of 100 bytes" >&2
awk -v n="$N" 'BEGIN { pad = sprintf("%0100d", 0); for (i = 0; i < n; i++) printf "%s\n", substr(i "-" pad, 1, 100) }' >"$WORK/lines.txt"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B=127.0.0.1:$PORT
./weir broker --override "listeners=PLAINTEXT://$B" --override "log.dirs=$WORK/data" >"$WORK/broker.log" 2>&1 &
BPID=$!
for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.02; done

now() { date +%s%N; }
hw_sum() { ./weir topic describe "$1" -b "$B" --output json | /usr/bin/python3 -c 'import json,sys; print(sum(p["high_watermark"] for p in json.load(sys.stdin)["partitions"]))'; }
# run NAME TOPIC CMD...: prints the rate in messages/s
run() {
    local name=$1 topic=$2; shift 2
    ./weir topic create "$topic" -p "$PARTS" -b "$B" >/dev/null
    local t0 t1; t0=$(now); "$@" >/dev/null 2>"$WORK/$topic.err"; t1=$(now)
    local got; got=$(hw_sum "$topic")
    [ "$got" = "$N" ] || { echo "bench/cli: $name wrote $got of $N messages: $(cat "$WORK/$topic.err")" >&2; exit 1; }
    awk -v n="$N" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f\n", n / (ns / 1e9) }'
}
W=(); K=(); KT=()
for r in $(seq 1 "$REPS"); do
    W+=("$(run weir "w$r" ./weir produce "w$r" -f "$WORK/lines.txt" -b "$B")")
    K+=("$(run kcat "k$r" kcat -P -b "$B" -t "k$r" -l "$WORK/lines.txt")")
    KT+=("$(run kcat-tuned "t$r" kcat -P -b "$B" -t "t$r" -X linger.ms=10 -X batch.num.messages=100000 -X queue.buffering.max.messages=1000000 -l "$WORK/lines.txt")")
    echo "bench/cli: rep $r: weir ${W[-1]}/s, kcat ${K[-1]}/s, kcat tuned ${KT[-1]}/s" >&2
done
# consume: the first weir topic read back to /dev/null, weir vs kcat (-e, from the start)
consume_rate() {
    local t0 t1; t0=$(now); "$@" >"$WORK/c.out" 2>/dev/null; t1=$(now)
    local got; got=$(wc -l <"$WORK/c.out")
    [ "$got" = "$N" ] || { echo "bench/cli: consume read $got of $N lines" >&2; exit 1; }
    awk -v n="$N" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f\n", n / (ns / 1e9) }'
}
CW=(); CK=()
for r in $(seq 1 "$REPS"); do
    CW+=("$(consume_rate ./weir consume w1 -b "$B" --from-beginning -e)")
    CK+=("$(consume_rate kcat -C -b "$B" -t w1 -o beginning -e -q)")
    echo "bench/cli: consume rep $r: weir ${CW[-1]}/s, kcat ${CK[-1]}/s" >&2
done
med() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
MW=$(med "${W[@]}"); MK=$(med "${K[@]}"); MT=$(med "${KT[@]}")
printf '%-58s %14s %14s %7s\n' "figure ($N x 100 B lines, $PARTS partition(s), acks=all)" "weir msgs/s" "peer msgs/s" "ratio"
printf '%-58s %14s %14s %7s\n' "weir produce -f FILE  vs  kcat -P -l FILE" "$MW" "$MK" "$(awk -v a="$MW" -v b="$MK" 'BEGIN { printf "%.2f", a / b }')"
printf '%-58s %14s %14s %7s\n' "  (info) vs kcat with weir's producer defaults (-X ...)" "$MW" "$MT" "$(awk -v a="$MW" -v b="$MT" 'BEGIN { printf "%.2f", a / b }')"
MCW=$(med "${CW[@]}"); MCK=$(med "${CK[@]}")
printf '%-58s %14s %14s %7s\n' "  (info) weir consume -e  vs  kcat -C -e (to a file)" "$MCW" "$MCK" "$(awk -v a="$MCW" -v b="$MCK" 'BEGIN { printf "%.2f", a / b }')"
