#!/usr/bin/env bash
# test_cli_cluster.sh: `weir cluster info` against a fresh broker and the
# mock cluster; `weir help` / --help on every client subcommand; errors as
# one line with no librdkafka noise unless -v; --command-config and -X.
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init clicluster
weir_start || { echo "clicluster: 0 passed, 1 failed"; exit 1; }
T=$WEIR_TMP
B=(-b "$WEIR_BOOTSTRAP" --request-timeout-ms 10000)
W=$WEIR

"$W" topic create a -p 3 "${B[@]}" >/dev/null
"$W" topic create b -p 2 "${B[@]}" >/dev/null
"$W" cluster info --output json "${B[@]}" >"$T/ci.json"; rc=$?
cid=$(grep -o 'cluster [A-Za-z0-9_-]*)' "$WEIR_LOG" | head -1 | sed 's/cluster //; s/)//')
if [ $rc -eq 0 ] && "$PY" - "$T/ci.json" "$WEIR_PORT" "$cid" <<'PY'
import json, sys, os
sys.path.insert(0, os.path.join(os.environ["WEIR_ROOT"], "tests", "integration", "lib"))
import weirtest
d = json.load(open(sys.argv[1])); port = int(sys.argv[2])
assert d["cluster_id"] == sys.argv[3], (d["cluster_id"], sys.argv[3])
assert d["brokers"] == [{"id": 0, "host": "127.0.0.1", "port": port}], d["brokers"]
assert d["controller"] == 0 and d["topics"] == 2 and d["partitions"] == 5, d
b = weirtest.Broker.__new__(weirtest.Broker); b.port = port
want = b.api_versions()
got = {a["key"]: (a["min"], a["max"]) for a in d["api_versions"]["apis"]}
assert got == want, (got, want)
names = {a["key"]: a["name"] for a in d["api_versions"]["apis"]}
assert names[0] == "Produce" and names[19] == "CreateTopics" and names[18] == "ApiVersions"
PY
then ok "cluster info --output json: id, controller, brokers, counts, API versions = the broker's ApiVersions"
else fail "cluster info json" "$(cat "$T/ci.json")"; fi
"$W" cluster info "${B[@]}" >"$T/ci.txt"; rc=$?
if [ $rc -eq 0 ] && grep -q "^cluster id:  $cid$" "$T/ci.txt" && grep -Eq "^0 +127.0.0.1 +$WEIR_PORT +controller$" "$T/ci.txt" &&
   grep -Eq '^19 +CreateTopics +[0-9]+ +[0-9]+$' "$T/ci.txt"; then ok "cluster info text"; else fail "cluster info text" "$(cat "$T/ci.txt")"; fi
"$W" cluster "${B[@]}" >/dev/null; check "weir cluster (info is the default)" [ $? -eq 0 ]
"$W" cluster info --brokers-only "${B[@]}" >"$T/bo.txt"; check "--brokers-only skips API versions" eval '[ $? -eq 0 ] && ! grep -q Produce "$T/bo.txt"'

# --command-config and -X reach the client (a bad property is an error naming it)
printf 'client.id=from-file\nbootstrap.servers=%s\n' "$WEIR_BOOTSTRAP" >"$T/client.properties"
"$W" topic list --command-config "$T/client.properties" >/dev/null; check "--command-config supplies bootstrap.servers" [ $? -eq 0 ]
"$W" topic list -X no.such.property=1 "${B[@]}" 2>"$T/x.err"; rc=$?
check "-X with an unknown property: exit 1, one line naming it" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/x.err")" -eq 1 ] && grep -q "no.such.property" "$T/x.err"'
"$W" topic list --command-config "$T/nonexistent" "${B[@]}" 2>"$T/cc.err"; rc=$?
check "missing --command-config file: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/cc.err")" -eq 1 ]'
printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanisms=PLAIN\nsasl.username=u\nsasl.password=wrong\n' >"$T/sasl.properties"
"$W" topic list --command-config "$T/sasl.properties" -b "$WEIR_BOOTSTRAP" --request-timeout-ms 3000 2>"$T/sasl.err"; rc=$?
check "SASL against a listener without it: exit 1, one line ($(cat "$T/sasl.err"))" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/sasl.err")" -eq 1 ]'

# no broker: one line; -v adds librdkafka's own lines
port=$(weir_free_port)
"$W" cluster info -b 127.0.0.1:$port --request-timeout-ms 1000 2>"$T/nb.err"; rc=$?
check "cluster info, no broker: exit 1, one line" eval '[ $rc -eq 1 ] && [ "$(wc -l <"$T/nb.err")" -eq 1 ] && grep -q "no broker reachable at 127.0.0.1:$port" "$T/nb.err"'
"$W" cluster info -b 127.0.0.1:$port --request-timeout-ms 1000 -v 2>"$T/nbv.err"
check "-v shows librdkafka's log lines" [ "$(wc -l <"$T/nbv.err")" -gt 1 ]

# help everywhere
"$W" help >"$T/h.txt"; rc=$?
check "weir help lists the client commands" eval '[ $rc -eq 0 ] && grep -q "^  topic " "$T/h.txt" && grep -q "^  produce " "$T/h.txt" && grep -q "^  consume " "$T/h.txt" && grep -q "^  group " "$T/h.txt" && grep -q "^  cluster " "$T/h.txt"'
for c in topic produce consume group cluster; do
  "$W" help $c >"$T/hc.txt" 2>&1; rc1=$?
  "$W" $c --help >"$T/hc2.txt" 2>&1; rc2=$?
  check "weir help $c = weir $c --help, with examples" eval '[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$T/hc.txt" "$T/hc2.txt" && grep -q "^examples:" "$T/hc.txt"'
done
"$W" nosuchcommand 2>/dev/null; check "unknown command: exit 1" [ $? -eq 1 ]
"$W" help nosuchcommand 2>/dev/null; check "weir help of an unknown command: exit 1" [ $? -eq 1 ]

# the mock cluster: metadata and ApiVersions work there
if [ ! -f "$WEIR_ROOT/../shared/peers/mock_broker.c" ]; then
  skip "mock broker checks" "../shared/peers/mock_broker.c is not beside the repository"
elif cc -O2 -o "$T/mock" "$WEIR_ROOT/../shared/peers/mock_broker.c" -lrdkafka 2>"$T/mcc.err"; then
  "$T/mock" 3 >"$T/mock.out" 2>/dev/null &
  MOCK=$!
  wait_until 10 grep -qsE '^[0-9a-z.]+:[0-9]+' "$T/mock.out"
  MB=$(grep -E '^[0-9a-z.]+:[0-9]+' "$T/mock.out" | tail -1)
  "$W" cluster info --output json -b "$MB" >"$T/mock.json"; rc=$?
  check "mock: cluster info lists 3 brokers and API versions without CreateTopics" eval '[ $rc -eq 0 ] && "$PY" -c "
import json,sys; d=json.load(open(sys.argv[1])); assert len(d[\"brokers\"])==3
keys={a[\"key\"] for a in d[\"api_versions\"][\"apis\"]}; assert 0 in keys and 19 not in keys" "$T/mock.json"'
  kill "$MOCK"; wait "$MOCK" 2>/dev/null
else
  fail "build mock_broker" "$(cat "$T/mcc.err")"
fi

weir_finish
