#!/usr/bin/env bash
# test_cli_topic.sh: `weir topic` against a fresh broker, and against the
# librdkafka mock cluster (../shared/peers/mock_broker.c), which has no admin
# APIs: there every admin subcommand must fail at once with one clear line
# and exit code 1.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init clitopic
weir_start num.partitions=2 || { echo "clitopic: 0 passed, 1 failed"; exit 1; }
T=$WEIR_TMP
W=("$WEIR")
B=(-b "$WEIR_BOOTSTRAP" --request-timeout-ms 5000)
run() { "${W[@]}" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
out_has() { grep -q -- "$1" "$T/out"; }
err_one_line() { [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q -- "$1" "$T/err"; }

run topic create orders -p 3 -c retention.ms=123456 "${B[@]}"
check "create -p 3 -c retention.ms" [ "$(rc)" = 0 ]
run topic create orders "${B[@]}"
if [ "$(rc)" = 1 ] && err_one_line "already exists"; then ok "create existing: exit 1, one line"; else fail "create existing" "rc=$(rc) $(cat "$T/err")"; fi
run topic create orders --if-not-exists "${B[@]}"
check "create --if-not-exists on an existing topic" [ "$(rc)" = 0 ]
run topic create jsonout -p 2 --output json "${B[@]}"
if [ "$(rc)" = 0 ] && [ "$(cat "$T/out")" = '{"topic":"jsonout","created":true}' ]; then ok "create --output json"; else fail "create json" "$(cat "$T/out" "$T/err")"; fi
run topic delete jsonout --output json "${B[@]}"
if [ "$(rc)" = 0 ] && [ "$(cat "$T/out")" = '{"topic":"jsonout","deleted":true}' ]; then ok "delete --output json"; else fail "delete json" "$(cat "$T/out" "$T/err")"; fi
run topic create plain "${B[@]}"
check "create with the broker's default partitions" [ "$(rc)" = 0 ]

run topic list "${B[@]}"
if [ "$(rc)" = 0 ] && out_has "^orders  *3  *1" && out_has "^plain  *2  *1" && ! out_has "__consumer_offsets"; then
  ok "list: names, partition counts, internal topics hidden"; else fail "list" "$(cat "$T/out" "$T/err")"; fi
run topic list -i --output json "${B[@]}"
if [ "$(rc)" = 0 ] && "$PY" -c '
import json,sys; d=json.load(open(sys.argv[1])); n={t["name"]:t["partitions"] for t in d}
assert n["orders"]==3 and n["plain"]==2 and "__consumer_offsets" in n' "$T/out"; then
  ok "list -i --output json"; else fail "list json" "$(cat "$T/out" "$T/err")"; fi

# some records so describe has offsets to show
printf 'a\nb\nc\nd\n' | kcat -P -b "$WEIR_BOOTSTRAP" -t orders -p 1 2>/dev/null
run topic describe orders --output json "${B[@]}"
if [ "$(rc)" = 0 ] && "$PY" -c '
import json,sys; d=json.load(open(sys.argv[1]))
p={x["partition"]:x for x in d["partitions"]}
assert sorted(p)==[0,1,2], p
assert p[1]["high_watermark"]==4 and p[1]["log_start_offset"]==0 and p[0]["high_watermark"]==0
assert all(x["leader"]>=0 and x["isr"] for x in p.values())
c={x["name"]:x for x in d["configs"]}
assert c["retention.ms"]["value"]=="123456" and c["retention.ms"]["source"]=="DYNAMIC_TOPIC_CONFIG", c["retention.ms"]
assert c["cleanup.policy"]["source"]!="DYNAMIC_TOPIC_CONFIG"' "$T/out"; then
  ok "describe --output json: partitions, watermarks, configs with source"; else fail "describe json" "$(cat "$T/out" "$T/err")"; fi
run topic describe orders "${B[@]}"
if [ "$(rc)" = 0 ] && out_has "LOG-START-OFFSET" && out_has "^1  .*  0  *4$" && out_has "retention.ms  *123456  *DYNAMIC_TOPIC_CONFIG"; then
  ok "describe text"; else fail "describe text" "$(cat "$T/out" "$T/err")"; fi
run topic describe nosuch "${B[@]}"
if [ "$(rc)" = 1 ] && err_one_line "unknown topic 'nosuch'"; then ok "describe unknown topic"; else fail "describe unknown" "rc=$(rc) $(cat "$T/err")"; fi

run topic alter-config orders -c cleanup.policy=compact "${B[@]}"
check "alter-config" [ "$(rc)" = 0 ]
run topic describe orders --output json "${B[@]}"
if "$PY" -c '
import json,sys; c={x["name"]:x for x in json.load(open(sys.argv[1]))["configs"]}
assert c["cleanup.policy"]["value"]=="compact" and c["cleanup.policy"]["source"]=="DYNAMIC_TOPIC_CONFIG"
assert c["retention.ms"]["value"]=="123456", "the earlier dynamic config was lost"' "$T/out"; then
  ok "alter-config sets the key and keeps the other dynamic configs"; else fail "alter-config result" "$(cat "$T/out")"; fi
run topic alter-config orders --delete-config retention.ms "${B[@]}"
run topic describe orders --output json "${B[@]}"
if "$PY" -c '
import json,sys; c={x["name"]:x for x in json.load(open(sys.argv[1]))["configs"]}
assert c["retention.ms"]["source"]!="DYNAMIC_TOPIC_CONFIG" and c["cleanup.policy"]["value"]=="compact"' "$T/out"; then
  ok "alter-config --delete-config"; else fail "delete-config" "$(cat "$T/out")"; fi
run topic alter-config orders -c no.such.config=1 "${B[@]}"
if [ "$(rc)" = 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ]; then ok "alter-config with an unknown key fails in one line"; else fail "bad config" "rc=$(rc) $(cat "$T/err")"; fi

run topic add-partitions orders -p 5 "${B[@]}"
run topic describe orders --output json "${B[@]}"
if "$PY" -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["partitions"])==5' "$T/out"; then
  ok "add-partitions to 5"; else fail "add-partitions" "$(cat "$T/out" "$T/err")"; fi
run topic add-partitions orders -p 2 "${B[@]}"
check "add-partitions to fewer fails" [ "$(rc)" = 1 ]

run topic delete plain "${B[@]}"
run topic list "${B[@]}"
if ! out_has "^plain "; then ok "delete"; else fail "delete" "$(cat "$T/out")"; fi
run topic delete plain "${B[@]}"
if [ "$(rc)" = 1 ] && err_one_line "unknown topic 'plain'"; then ok "delete unknown topic: exit 1"; else fail "delete unknown" "$(cat "$T/err")"; fi
run topic delete plain --if-exists "${B[@]}"
check "delete --if-exists" [ "$(rc)" = 0 ]

# usage and help
run topic frobnicate "${B[@]}"
check "unknown subcommand: exit 1" [ "$(rc)" = 1 ]
run topic create "${B[@]}"
check "create without a name: exit 1" [ "$(rc)" = 1 ]
run topic --help
if [ "$(rc)" = 0 ] && out_has "examples:"; then ok "topic --help has examples"; else fail "help"; fi
run help topic
if [ "$(rc)" = 0 ] && out_has "add-partitions"; then ok "weir help topic"; else fail "weir help topic"; fi

# no broker: one line, exit 1, within the timeout, no librdkafka noise
port=$(weir_free_port)
start=$SECONDS
run topic list -b 127.0.0.1:$port --request-timeout-ms 1500
if [ "$(rc)" = 1 ] && err_one_line "no broker reachable at 127.0.0.1:$port within 1500 ms" && [ $((SECONDS - start)) -lt 10 ]; then
  ok "no broker: one line naming it"; else fail "no broker" "rc=$(rc) $(cat "$T/err")"; fi
run topic create x -b 127.0.0.1:$port --request-timeout-ms 1500
if [ "$(rc)" = 1 ] && err_one_line "no broker reachable"; then ok "no broker (create)"; else fail "no broker create" "rc=$(rc) $(cat "$T/err")"; fi

# ---- the mock cluster: no admin APIs ----
if [ ! -f "$WEIR_ROOT/../shared/peers/mock_broker.c" ]; then
  skip "mock broker checks" "../shared/peers/mock_broker.c is not beside the repository"
elif cc -O2 -o "$T/mock" "$WEIR_ROOT/../shared/peers/mock_broker.c" -lrdkafka 2>"$T/cc.err"; then
  "$T/mock" >"$T/mock.out" 2>/dev/null &
  MOCK=$!
  wait_until 10 grep -qs '^[0-9a-z.]*:[0-9]*$' "$T/mock.out"
  MB=$(grep -E '^[0-9a-z.]+:[0-9]+$' "$T/mock.out" | tail -1)
  echo x | kcat -P -b "$MB" -t mt 2>/dev/null
  for args in "create newt -p 2" "describe mt" "delete mt" "alter-config mt -c retention.ms=1" "add-partitions mt -p 9"; do
    start=$SECONDS
    # shellcheck disable=SC2086
    run topic $args -b "$MB" --request-timeout-ms 5000
    if [ "$(rc)" = 1 ] && err_one_line "not supported by this broker" && [ $((SECONDS - start)) -lt 5 ]; then
      ok "mock: topic $args fails: $(cat "$T/err")"; else fail "mock: topic $args" "rc=$(rc) $(cat "$T/err")"; fi
  done
  run topic list -b "$MB"
  if [ "$(rc)" = 0 ] && out_has "^mt "; then ok "mock: topic list (metadata) works"; else fail "mock list" "$(cat "$T/out" "$T/err")"; fi
  kill "$MOCK"; wait "$MOCK" 2>/dev/null
else
  fail "build mock_broker" "$(cat "$T/cc.err")"
fi

weir_finish
