#!/usr/bin/env bash
# test_cli_group.sh: `weir group` against a fresh broker, and against the
# mock cluster (no ListGroups/DescribeGroups/DeleteGroups: exit 1, one line).
#   - after a partial read (consume --group --max-messages), lag per
#     partition = log end - committed offset, and the committed offsets add
#     up to what was read
#   - an active member shows in CONSUMER-ID/HOST/CLIENT-ID; reset-offsets
#     and delete refuse an active group
#   - reset-offsets without --execute changes nothing; with --execute:
#     --to-earliest, --to-latest, --to-offset on chosen partitions,
#     --shift-by, --to-datetime; a consumer resumes at the new offsets
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init cligroup
weir_start group.initial.rebalance.delay.ms=0 || { echo "cligroup: 0 passed, 1 failed"; exit 1; }
T=$WEIR_TMP
B=(-b "$WEIR_BOOTSTRAP" --request-timeout-ms 10000)
W=$WEIR

"$W" topic create ev -p 2 "${B[@]}" >/dev/null
seq 0 99 | awk '{print "k" $1 ":v" $1}' | "$W" produce ev -K : -q "${B[@]}"
"$W" consume ev -g readers --from-beginning -n 30 "${B[@]}" >"$T/read30.txt"
check "consume --group -n 30 reads 30" [ "$(wc -l <"$T/read30.txt")" -eq 30 ]

"$W" group describe readers --output json "${B[@]}" >"$T/d1.json"; rc=$?
if [ $rc -eq 0 ] && "$PY" - "$T/d1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["group"] == "readers" and d["state"] == "Empty", d
offs = d["offsets"]
assert sum(o["log_end_offset"] for o in offs) == 100, offs
assert sorted(o["partition"] for o in offs) == [0, 1], offs
assert sum(o["current_offset"] for o in offs if o["current_offset"] is not None) == 30, offs
for o in offs:
    if o["current_offset"] is not None:
        assert o["lag"] == o["log_end_offset"] - o["current_offset"], o
PY
then ok "lag after a partial read = log end - committed, committed adds up to 30"; else fail "describe lag" "$(cat "$T/d1.json")"; fi
"$W" group describe readers "${B[@]}" >"$T/d1.txt"
if head -1 "$T/d1.txt" | grep -Eq '^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$' &&
   awk 'NR>1 && NF==9 && $1=="readers" { if (($4 != "-" && $6 != $5 - $4) || ($4 == "-" && $6 != "-") || $7 != "-" || $8 != "-" || $9 != "-") bad=1; n++ } END { exit !(n>=1 && !bad) }' "$T/d1.txt" &&
   grep -q "state Empty, 0 members" "$T/d1.txt"; then
  ok "describe text: the columns, lag, '-' for empty cells, state line"; else fail "describe text" "$(cat "$T/d1.txt")"; fi

# the next read continues where the group stopped (--from-beginning only
# applies to a partition without a committed offset, as in Kafka)
"$W" consume ev -g readers --from-beginning -n 70 --timeout-ms 10000 "${B[@]}" >"$T/read70.txt"
sort "$T/read30.txt" "$T/read70.txt" | uniq | wc -l >"$T/n"
check "the group resumes: 30 + 70 distinct = 100" [ "$(cat "$T/n")" -eq 100 ]

# an explicit start offset overrides the group's commits (set on assignment)
out=$("$W" consume ev -g tailer -o -1 -e -F '%p ' "${B[@]}" | tr ' ' '\n' | sort | tr '\n' ' ')
check "--group with --offset -1: the last message of each partition" [ "$out" = "0 1 " ]
"$W" group list "${B[@]}" >"$T/list.txt"
check "group list shows the group" grep -Eq '^readers +Empty +consumer$' "$T/list.txt"
"$W" group list --output json "${B[@]}" | "$PY" -c 'import json,sys; assert any(g["group"]=="readers" for g in json.load(sys.stdin))'
check "group list --output json" [ $? -eq 0 ]

# ---- an active member ----
"$W" consume ev -g live --from-beginning "${B[@]}" >/dev/null 2>"$T/live.err" &
LIVE=$!
has_member() { "$W" group describe live --output json "${B[@]}" 2>/dev/null | "$PY" -c '
import json,sys; d=json.load(sys.stdin); assert d["state"]=="Stable" and len(d["members"])==1
assert all(o["consumer_id"] and o["host"] and o["client_id"]=="weir-cli" for o in d["offsets"]) and len(d["offsets"])==2' 2>/dev/null; }
if wait_until 30 has_member; then ok "an active member shows with consumer id, host, client id"; else fail "active member" "$("$W" group describe live "${B[@]}" 2>&1)"; fi
"$W" group describe live "${B[@]}" >"$T/live.txt"
check "describe text lists the member" grep -Eq '^CONSUMER-ID +HOST +CLIENT-ID +GROUP-INSTANCE-ID +#PARTITIONS$' "$T/live.txt"
"$W" group reset-offsets live --topic ev --to-earliest --execute "${B[@]}" >/dev/null 2>"$T/e1"; rc=$?
check "reset-offsets refuses an active group" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e1")" -eq 1 ] && grep -q "active member" "$T/e1"'
"$W" group delete live "${B[@]}" >/dev/null 2>"$T/e2"; rc=$?
check "delete refuses an active group" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e2")" -eq 1 ] && grep -q "active members" "$T/e2"'
kill -INT $LIVE; wait $LIVE; rc=$?
check "the live consumer exits 0 on SIGINT" [ $rc -eq 0 ]

# ---- reset-offsets ----
offsets() { "$W" group describe readers --output json "${B[@]}" | "$PY" -c '
import json,sys; print(" ".join("%s/%d=%s" % (o["topic"], o["partition"], o["current_offset"]) for o in json.load(sys.stdin)["offsets"]))'; }
before=$(offsets)
"$W" group reset-offsets readers --topic ev --to-earliest "${B[@]}" >"$T/plan.txt" 2>"$T/plan.err"; rc=$?
after=$(offsets)
check "reset-offsets without --execute changes nothing ($before)" eval '[ $rc -eq 0 ] && [ "$before" = "$after" ]'
if head -1 "$T/plan.txt" | grep -Eq '^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +NEW-OFFSET$' && [ "$(awk 'NR>1 {print $5}' "$T/plan.txt" | sort -u)" = 0 ] &&
   grep -q "dry run" "$T/plan.err"; then ok "the dry run prints the plan"; else fail "plan" "$(cat "$T/plan.txt" "$T/plan.err")"; fi
"$W" group reset-offsets readers --topic ev --to-earliest --execute "${B[@]}" >/dev/null
check "--to-earliest --execute" [ "$(offsets)" = "ev/0=0 ev/1=0" ]
"$W" group reset-offsets readers --topic ev --to-latest --execute "${B[@]}" >/dev/null
latest=$("$W" topic describe ev --output json "${B[@]}" | "$PY" -c 'import json,sys; print(" ".join("ev/%d=%d" % (p["partition"], p["high_watermark"]) for p in json.load(sys.stdin)["partitions"]))')
check "--to-latest ($latest)" [ "$(offsets)" = "$latest" ]
"$W" group reset-offsets readers --topic ev:1 --to-offset 5 --execute "${B[@]}" >/dev/null
check "--topic ev:1 --to-offset 5 moves only partition 1" [ "$(offsets)" = "$(echo "$latest" | sed 's|ev/1=[0-9]*|ev/1=5|')" ]
"$W" group reset-offsets readers --topic ev:1 --shift-by -2 --execute "${B[@]}" >/dev/null
check "--shift-by -2" [ "$(offsets | sed 's/.* //')" = "ev/1=3" ]
"$W" group reset-offsets readers --topic ev:1 --to-offset 99999 --execute "${B[@]}" >/dev/null
check "--to-offset past the end clamps to the log end" [ "$(offsets | sed 's/.* //')" = "$(echo "$latest" | sed 's/.* //')" ]
sleep 0.05; tmid=$(date +%s%3N); sleep 0.05
seq 100 109 | awk '{print "late" $1}' | "$W" produce ev -p 0 -q "${B[@]}"
"$W" group reset-offsets readers --topic ev:0 --to-datetime "$tmid" --execute "${B[@]}" >/dev/null
check "--to-datetime: the first offset after that time" [ "$(offsets | sed 's/ .*//')" = "$(echo "$latest" | sed 's/ .*//')" ]
out=$("$W" consume ev -g readers -p 0 -n 10 --timeout-ms 10000 "${B[@]}" | tr '\n' ' ')
check "a consumer resumes at the reset offset" [ "$out" = "late100 late101 late102 late103 late104 late105 late106 late107 late108 late109 " ]
"$W" group reset-offsets readers --all-topics --to-earliest --execute --output json "${B[@]}" >"$T/reset.json"
check "--all-topics --output json" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["executed"] and all(o["new_offset"]==0 for o in d["offsets"]) and len(d["offsets"])==2' "$T/reset.json"
"$W" group reset-offsets readers --topic nosuch --to-earliest "${B[@]}" 2>"$T/e3"; rc=$?
check "reset-offsets on an unknown topic: exit 1" eval '[ $rc -eq 1 ] && grep -q "unknown topic" "$T/e3"'
"$W" group reset-offsets readers --topic ev "${B[@]}" 2>/dev/null; check "reset-offsets without --to-*: exit 1" [ $? -eq 1 ]

# ---- delete ----
"$W" group describe nosuchgroup "${B[@]}" 2>"$T/e4"; rc=$?
check "describe an unknown group: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e4")" -eq 1 ] && grep -q "unknown group" "$T/e4"'
"$W" group delete readers "${B[@]}" >/dev/null; rc=$?
"$W" group list "${B[@]}" >"$T/list2.txt"
check "delete" eval '[ $rc -eq 0 ] && ! grep -q "^readers " "$T/list2.txt"'
"$W" group delete readers "${B[@]}" 2>"$T/e5"; rc=$?
check "delete an unknown group: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/e5")" -eq 1 ] && grep -q "unknown group" "$T/e5"'
"$W" group --help | grep -q "reset-offsets"; check "group --help" [ $? -eq 0 ]

# ---- the mock cluster ----
if [ ! -f "$WEIR_ROOT/../shared/peers/mock_broker.c" ]; then
  skip "mock broker checks" "../shared/peers/mock_broker.c is not beside the repository"
elif cc -O2 -o "$T/mock" "$WEIR_ROOT/../shared/peers/mock_broker.c" -lrdkafka 2>"$T/cc.err"; then
  "$T/mock" >"$T/mock.out" 2>/dev/null &
  MOCK=$!
  wait_until 10 grep -qsE '^[0-9a-z.]+:[0-9]+$' "$T/mock.out"
  MB=$(grep -E '^[0-9a-z.]+:[0-9]+$' "$T/mock.out" | tail -1)
  echo x | "$W" produce mt -q -b "$MB"
  for args in "list" "describe g" "reset-offsets g --topic mt --to-earliest" "delete g"; do
    start=$SECONDS
    # shellcheck disable=SC2086
    "$W" group $args -b "$MB" --request-timeout-ms 5000 >/dev/null 2>"$T/me"; rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l <"$T/me")" -eq 1 ] && grep -q "not supported by this broker" "$T/me" && [ $((SECONDS - start)) -lt 5 ]; then
      ok "mock: group $args fails: $(cat "$T/me")"; else fail "mock: group $args" "rc=$rc $(cat "$T/me")"; fi
  done
  kill "$MOCK"; wait "$MOCK" 2>/dev/null
else
  fail "build mock_broker" "$(cat "$T/cc.err")"
fi

weir_finish
