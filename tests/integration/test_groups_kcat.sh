#!/usr/bin/env bash
# test_groups_kcat.sh: kcat -G (librdkafka's balanced consumer) against weir.
#   - two kcat -G consumers of one group on a four-partition topic split the
#     partitions and together read every message exactly once
#   - the group's commits survive a SIGKILL of the broker: after the restart
#     a consumer of the group reads only what was produced since
#   - offsets committed (and acknowledged) before a SIGKILL are there after
#     the restart, checked by kafka-python's OffsetFetch, over many commits
#     in flight while the broker is killed
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init groupskcat
weir_start group.initial.rebalance.delay.ms=500 || { echo "groupskcat: 0 passed, 1 failed"; exit 1; }
B=$WEIR_BOOTSTRAP
T=$WEIR_TMP
KC=(kcat -b "$B" -m 15)

# ---- 1. two balanced consumers share the work ----
"$PY" - "$B" <<'EOF'
import sys
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
a = KafkaAdminClient(bootstrap_servers=sys.argv[1]); a.create_topics([NewTopic("kg", 4, 1)]); a.close()
EOF
for p in 0 1 2 3; do seq 1 250 | sed "s/^/p$p-/" | "${KC[@]}" -P -t kg -p $p; done
# -e: exit once every assigned partition is at its end; each consumer prints partition and offset
"${KC[@]}" -G kg-group kg -o beginning -e -q -f '%p %o\n' -X auto.offset.reset=earliest >"$T/c1.txt" 2>"$T/c1.err" &
c1=$!
"${KC[@]}" -G kg-group kg -o beginning -e -q -f '%p %o\n' -X auto.offset.reset=earliest >"$T/c2.txt" 2>"$T/c2.err" &
c2=$!
both_done() { ! kill -0 $c1 2>/dev/null && ! kill -0 $c2 2>/dev/null; }
if wait_until 90 both_done; then
  total=$(cat "$T/c1.txt" "$T/c2.txt" | wc -l)
  distinct=$(cat "$T/c1.txt" "$T/c2.txt" | sort -u | wc -l)
  if [ "$total" -ge 1000 ] && [ "$distinct" -eq 1000 ]; then ok "two kcat -G consumers read all 1000 messages (${total} deliveries)"
  else fail "two kcat -G consumers" "total $total distinct $distinct"; fi
else
  kill $c1 $c2 2>/dev/null; fail "two kcat -G consumers" "did not finish"
fi

committed() { # prints "p offset" lines of group $1 on topic kg
  "$PY" - "$B" "$1" <<'EOF'
import sys
from kafka import KafkaAdminClient
a = KafkaAdminClient(bootstrap_servers=sys.argv[1])
for tp, om in sorted(a.list_consumer_group_offsets(sys.argv[2]).items()):
    print(tp.partition, om.offset)
a.close()
EOF
}
check "the group committed the end of every partition" test "$(committed kg-group | tr '\n' ' ')" = "0 250 1 250 2 250 3 250 "

# ---- 2. commits survive a SIGKILL ----
weir_kill
weir_start
check "commits are there after a SIGKILL and restart" test "$(committed kg-group | tr '\n' ' ')" = "0 250 1 250 2 250 3 250 "
for p in 0 1 2 3; do seq 1 5 | sed "s/^/new$p-/" | "${KC[@]}" -P -t kg -p $p; done
"${KC[@]}" -G kg-group kg -e -q -f '%s\n' >"$T/c3.txt" 2>"$T/c3.err"
if [ "$(sort "$T/c3.txt" | tr '\n' ' ')" = "$(for p in 0 1 2 3; do seq 1 5 | sed "s/^/new$p-/"; done | sort | tr '\n' ' ')" ]; then
  ok "after the restart kcat -G reads only the 20 new messages"
else
  fail "after the restart kcat -G reads only the new messages" "got $(wc -l <"$T/c3.txt") lines: $(head -c 300 "$T/c3.txt")"
fi

# ---- 3. acknowledged commits survive a SIGKILL in the middle of a stream of commits ----
"$PY" - "$B" "$T/acked" <<'EOF' &
import os, sys
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id="kill-group", enable_auto_commit=False,
                  retry_backoff_ms=50, reconnect_backoff_max_ms=200)
tps = [TopicPartition("kg", p) for p in range(4)]
i = 0
while True:
    i += 1
    try:
        c.commit({tp: OffsetAndMetadata(i, "m%d" % i) for tp in tps})
    except Exception:
        break  # the broker is gone
    with open(sys.argv[2] + ".tmp", "w") as f:  # written only after the commit was acknowledged
        f.write("%d\n" % i)
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
EOF
committer=$!
have_acks() { [ -s "$T/acked" ] && [ "$(cat "$T/acked")" -ge 200 ]; }
if wait_until 60 have_acks; then
  weir_kill
  kill $committer 2>/dev/null; wait $committer 2>/dev/null  # (its commit retries would go on forever)
  acked=$(cat "$T/acked")
  weir_start
  got=$("$PY" - "$B" <<'EOF'
import sys
from kafka import KafkaAdminClient
a = KafkaAdminClient(bootstrap_servers=sys.argv[1])
offs = a.list_consumer_group_offsets("kill-group")
print(min(om.offset for om in offs.values()) if len(offs) == 4 else -1)
a.close()
EOF
)
  if [ "$got" -ge "$acked" ]; then ok "acknowledged commits survive SIGKILL (last acked $acked, found $got)"
  else fail "acknowledged commits survive SIGKILL" "last acked $acked, found $got"; fi
else
  kill $committer 2>/dev/null; fail "acknowledged commits survive SIGKILL" "the committer did not get going"
fi

weir_finish
