#!/usr/bin/env bash
# test_cli_produce_consume.sh: `weir produce` and `weir consume` against a
# fresh broker (and the mock cluster for plain produce/consume):
#   - 100,000 keyed lines with headers through produce and back through
#     consume --max-messages: equal (key, value, headers), over 3 partitions
#   - stdin and -f, JSON lines in and the JSON envelope out (a topic copy),
#     --partition, --offset N / -N, --from-timestamp, acks and compression
#   - read_committed hides an aborted transaction, read_uncommitted shows it
#   - the summary line; --timeout-ms, Ctrl-C and a closed pipe exit 0
#   - unknown topic / bad partition / no broker: exit 1 with one line
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init cliproduce
weir_start num.partitions=1 || { echo "cliproduce: 0 passed, 1 failed"; exit 1; }
T=$WEIR_TMP
B=(-b "$WEIR_BOOTSTRAP" --request-timeout-ms 10000)
W=$WEIR

# ---- 100,000 keyed lines with headers ----
N=100000
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "key-%06d\tvalue %d, with: some = text %s\n", i, i, (i % 7 ? "" : "and more") }' >"$T/in.txt"
"$W" topic create big -p 3 "${B[@]}" >/dev/null
"$W" produce big -f "$T/in.txt" -K '\t' -H trace=abc -H app=weir "${B[@]}" 2>"$T/p.err"; rc=$?
if [ $rc -eq 0 ] && grep -Eq "^$N messages, [0-9]+ bytes in [0-9.]+ s \([0-9]+ messages/s" "$T/p.err"; then
  ok "produce 100k keyed lines with headers: $(cat "$T/p.err")"; else fail "produce 100k" "rc=$rc $(cat "$T/p.err")"; fi
"$W" consume big --from-beginning --max-messages $N -F '%k\t%s\t%h\n' "${B[@]}" >"$T/out.txt" 2>"$T/c.err"; rc=$?
awk '{ print $0 "\ttrace=abc,app=weir" }' "$T/in.txt" | sort >"$T/exp.sorted"
sort "$T/out.txt" >"$T/out.sorted"
if [ $rc -eq 0 ] && cmp -s "$T/exp.sorted" "$T/out.sorted"; then ok "consume --max-messages $N: same keys, values, headers"
else fail "consume 100k" "rc=$rc $(wc -l <"$T/out.txt") lines; $(diff "$T/exp.sorted" "$T/out.sorted" | head -3) $(head -3 "$T/c.err")"; fi
# same key -> same partition
"$W" consume big --from-beginning -e -F '%k %p\n' "${B[@]}" | sort -u | awk '{print $1}' | uniq -d >"$T/dupkeys"
if [ ! -s "$T/dupkeys" ]; then ok "each key lands in one partition"; else fail "key partitioning" "$(head -3 "$T/dupkeys")"; fi

# 300,000 plain lines through a pipe (many reads, lines cut across them) and
# the same from a file (mapped): both read back identical, in order
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "line %d %s\n", i, substr("abcdefghijklmnopqrstuvwxyz", 1, i % 27) }' >"$T/plain.txt"
"$W" topic create piped -p 1 "${B[@]}" >/dev/null
"$W" topic create mapped -p 1 "${B[@]}" >/dev/null
cat "$T/plain.txt" | "$W" produce piped -q "${B[@]}"; rc1=$?
"$W" produce mapped -f "$T/plain.txt" -q "${B[@]}"; rc2=$?
"$W" consume piped --from-beginning -e "${B[@]}" >"$T/piped.out"
"$W" consume mapped --from-beginning -e "${B[@]}" >"$T/mapped.out"
check "300k lines from a pipe and from a file: read back identical" eval '[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$T/plain.txt" "$T/piped.out" && cmp -s "$T/plain.txt" "$T/mapped.out"'

# ---- stdin, plain values, --partition, offsets ----
"$W" topic create small -p 2 "${B[@]}" >/dev/null
seq 1 10 | "$W" produce small -p 1 -q "${B[@]}" 2>"$T/q.err"
check "produce -q prints no summary" [ ! -s "$T/q.err" ]
out=$("$W" consume small -p 1 --from-beginning -e "${B[@]}" | tr '\n' ' ')
check "stdin lines to --partition 1, read back in order" [ "$out" = "1 2 3 4 5 6 7 8 9 10 " ]
out=$("$W" consume small -p 0 --from-beginning -e "${B[@]}" | wc -l)
check "nothing in partition 0" [ "$out" -eq 0 ]
out=$("$W" consume small -p 1 -o 7 -e -F '%o:%s ' "${B[@]}")
check "--offset 7" [ "$out" = "7:8 8:9 9:10 " ]
out=$("$W" consume small -p 1 -o -2 -e "${B[@]}" | tr '\n' ' ')
check "--offset -2 (from the end)" [ "$out" = "9 10 " ]
seq 1 10 >"$T/ten.txt"
{ read -r _; "$W" produce rest -q "${B[@]}"; } <"$T/ten.txt"
out=$("$W" consume rest --from-beginning -e "${B[@]}" | tr '\n' ' ')
check "stdin redirected from a file that was partly read: the rest is sent" [ "$out" = "2 3 4 5 6 7 8 9 10 " ]
out=$("$W" consume small -p 1 --from-beginning -n 3 -F '%t/%p/%o ' "${B[@]}")
check "format tokens %t %p %o" [ "$out" = "small/1/0 small/1/1 small/1/2 " ]

# --from-timestamp: a second batch after a known time
sleep 0.05
t_mid=$(date +%s%3N)
sleep 0.05
printf 'late1\nlate2\n' | "$W" produce small -p 1 -q "${B[@]}"
out=$("$W" consume small -p 1 --from-timestamp "$t_mid" -e "${B[@]}" | tr '\n' ' ')
check "--from-timestamp (ms)" [ "$out" = "late1 late2 " ]
iso=$(date -u -d "@$(( t_mid / 1000 ))" +%Y-%m-%dT%H:%M:%S).$(printf %03d $(( t_mid % 1000 )))Z
out=$("$W" consume small -p 1 --from-timestamp "$iso" -e "${B[@]}" | tr '\n' ' ')
check "--from-timestamp (ISO 8601 $iso)" [ "$out" = "late1 late2 " ]

# ---- JSON in and out: copy a topic with keys, headers, binary bytes ----
"$W" topic create src -p 1 "${B[@]}" >/dev/null
"$W" topic create dst -p 1 "${B[@]}" >/dev/null
cat >"$T/in.jsonl" <<'JS'
{"key":"a","value":"plain","headers":{"h1":"x","h2":"y"}}
{"key":null,"value":{"nested":[1,2,{"q":"\"quoted\""}]}}
{"value":"unicode ✓ \u00e9","headers":[{"key":"dup","value":"1"},{"key":"dup","value":"2"}]}
{"key":"ts","value":"with timestamp","timestamp":1600000000123}
JS
"$W" produce src --json -f "$T/in.jsonl" -q "${B[@]}"; rc=$?
"$W" consume src --from-beginning -e --output json "${B[@]}" >"$T/src.json"
if [ $rc -eq 0 ] && "$PY" - "$T/src.json" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 4, r
assert r[0]["key"] == "a" and r[0]["value"] == "plain" and r[0]["headers"] == [{"key":"h1","value":"x"},{"key":"h2","value":"y"}], r[0]
assert r[1]["key"] is None and json.loads(r[1]["value"]) == {"nested":[1,2,{"q":"\"quoted\""}]}, r[1]
assert r[2]["value"] == "unicode ✓ é" and [h["value"] for h in r[2]["headers"]] == ["1","2"], r[2]
assert r[3]["timestamp"] == 1600000000123 and r[3]["timestamp_type"] == "CreateTime", r[3]
assert [x["offset"] for x in r] == [0,1,2,3] and all(x["topic"] == "src" and x["partition"] == 0 for x in r)
PY
then ok "produce --json, consume --output json"; else fail "json lines" "$(cat "$T/src.json")"; fi
"$W" consume src --from-beginning -e --output json "${B[@]}" | "$W" produce dst --json -q "${B[@]}"
"$W" consume dst --from-beginning -e --output json "${B[@]}" | sed 's/"topic":"dst"/"topic":"src"/' >"$T/dst.json"
if cmp -s "$T/src.json" "$T/dst.json"; then ok "consume --output json | produce --json copies a topic exactly"
else fail "topic copy" "$(diff "$T/src.json" "$T/dst.json" | head -5)"; fi
printf 'k\x01\xff\xfe:v\x00\x80\n' | "$W" produce bin -K : -q "${B[@]}"
"$W" consume bin --from-beginning -e --output json "${B[@]}" >"$T/bin.json"
if "$PY" -c '
import json,sys,base64; r=json.loads(open(sys.argv[1]).read())
assert base64.b64decode(r["key_base64"])==b"k\x01\xff\xfe" and base64.b64decode(r["value_base64"])==b"v\x00\x80", r' "$T/bin.json"; then
  ok "bytes that are not UTF-8 come as base64 in JSON"; else fail "binary json" "$(cat "$T/bin.json")"; fi
"$W" consume bin --from-beginning -e --output json "${B[@]}" | "$W" produce bin2 --json -q "${B[@]}"
"$W" consume bin2 --from-beginning -e -F '%K %S %k%s' "${B[@]}" | od -An -tx1 >"$T/bin2.od"
printf '4 3 k\x01\xff\xfev\x00\x80' | od -An -tx1 >"$T/bin1.od"
check "key_base64 / value_base64 read back by produce --json: the same bytes" cmp -s "$T/bin1.od" "$T/bin2.od"

# ---- acks and compression ----
for z in none gzip snappy lz4 zstd; do
  for a in all 1 0; do
    seq 1 500 | sed "s/^/$z-$a-/" | "$W" produce "z-$z" --acks $a -z $z -q "${B[@]}" || fail "produce -z $z --acks $a"
  done
  n=$("$W" consume "z-$z" --from-beginning -e "${B[@]}" | sort -u | wc -l)
  check "compression $z with acks all/1/0: 1500 messages back" [ "$n" -eq 1500 ]
done

# ---- read_committed ----
"$W" topic create txn -p 1 "${B[@]}" >/dev/null
if "$PY" - "$WEIR_BOOTSTRAP" <<'PY'
import sys
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "transactional.id": "cli-test"})
p.init_transactions(10)
p.begin_transaction(); p.produce("txn", b"committed-1"); p.commit_transaction(10)
p.begin_transaction(); p.produce("txn", b"aborted"); p.flush(); p.abort_transaction(10)
p.begin_transaction(); p.produce("txn", b"committed-2"); p.commit_transaction(10)
PY
then
  rc_out=$("$W" consume txn --from-beginning -e --isolation read_committed "${B[@]}" | tr '\n' ' ')
  ru_out=$("$W" consume txn --from-beginning -e "${B[@]}" | tr '\n' ' ')
  check "--isolation read_committed hides the aborted message" [ "$rc_out" = "committed-1 committed-2 " ]
  check "read_uncommitted (default) shows it" [ "$ru_out" = "committed-1 aborted committed-2 " ]
else
  fail "transactional producer"
fi

# ---- exits: --timeout-ms, Ctrl-C, closed pipe ----
start=$(date +%s%3N)
"$W" consume small --timeout-ms 700 "${B[@]}" >/dev/null; rc=$?
el=$(( $(date +%s%3N) - start ))
check "--timeout-ms 700: exit 0 after about that long (${el} ms)" eval '[ $rc -eq 0 ] && [ $el -ge 600 ] && [ $el -lt 8000 ]'
"$W" consume small "${B[@]}" >/dev/null 2>"$T/int.err" &
pid=$!
sleep 1
kill -INT $pid; wait $pid; rc=$?
check "Ctrl-C: exit 0, nothing on stderr" eval '[ $rc -eq 0 ] && [ ! -s "$T/int.err" ]'
"$W" consume big --from-beginning "${B[@]}" 2>"$T/pipe.err" | head -n 3 >/dev/null
rcs=("${PIPESTATUS[@]}")
check "closed pipe (| head): exit 0, nothing on stderr" eval '[ "${rcs[0]}" -eq 0 ] && [ ! -s "$T/pipe.err" ]'

# ---- errors ----
"$W" consume nosuch -e "${B[@]}" >/dev/null 2>"$T/e1"; rc=$?
check "consume unknown topic: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e1")" -eq 1 ] && grep -q "unknown topic '\''nosuch'\''" "$T/e1"'
echo x | "$W" produce small -p 7 "${B[@]}" 2>"$T/e2"; rc=$?
check "produce to a missing partition: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e2")" -eq 1 ] && grep -q "no partition 7" "$T/e2"'
port=$(weir_free_port)
echo x | "$W" produce small -b 127.0.0.1:$port --request-timeout-ms 1000 2>"$T/e3"; rc=$?
check "produce, no broker: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e3")" -eq 1 ] && grep -q "no broker reachable" "$T/e3"'
"$W" consume small -b 127.0.0.1:$port --request-timeout-ms 1000 2>"$T/e4"; rc=$?
check "consume, no broker: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e4")" -eq 1 ] && grep -q "no broker reachable" "$T/e4"'
"$W" consume small --bogus "${B[@]}" 2>/dev/null; check "unknown option: exit 1" [ $? -eq 1 ]
"$W" produce --help | grep -q "examples:"; check "produce --help" [ $? -eq 0 ]
"$W" help consume | grep -q "from-timestamp"; check "weir help consume" [ $? -eq 0 ]

# ---- the mock cluster: produce and consume need no admin APIs ----
if [ ! -f "$WEIR_ROOT/../shared/peers/mock_broker.c" ]; then
  skip "mock broker checks" "../shared/peers/mock_broker.c is not beside the repository"
elif cc -O2 -o "$T/mock" "$WEIR_ROOT/../shared/peers/mock_broker.c" -lrdkafka 2>"$T/cc.err"; then
  "$T/mock" >"$T/mock.out" 2>/dev/null &
  MOCK=$!
  wait_until 10 grep -qsE '^[0-9a-z.]+:[0-9]+$' "$T/mock.out"
  MB=$(grep -E '^[0-9a-z.]+:[0-9]+$' "$T/mock.out" | tail -1)
  seq 1 1000 | sed 's/.*/k&:v&/' | "$W" produce mt -K : -H x=1 -q -b "$MB"; rc=$?
  cnt=$("$W" consume mt --from-beginning -e -F '%k %s %h\n' -b "$MB" | grep -c '^k\([0-9]*\) v\1 x=1$')
  check "mock: produce then consume 1000 keyed messages with headers" eval '[ $rc -eq 0 ] && [ "$cnt" -eq 1000 ]'
  kill "$MOCK"; wait "$MOCK" 2>/dev/null
else
  fail "build mock_broker" "$(cat "$T/cc.err")"
fi

weir_finish
