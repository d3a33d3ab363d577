#!/usr/bin/python3
"""test_groups_kafka_python: consumer groups with kafka-python 2.0.2
(JoinGroup v0-2, SyncGroup v0-1, OffsetCommit v2, OffsetFetch v1).

  - three consumers on a six-partition topic get two partitions each
  - when one leaves (LeaveGroup), the other two get three each
  - every message is processed exactly once across the group (synchronous
    commits after each poll; commits are accepted during a rebalance)
  - after a broker restart (SIGTERM), new consumers of the group resume from
    the committed offsets: only new messages, none twice
  - a consumer that stops heartbeating is expired after session.timeout.ms
    and its partitions move to the others
  - admin: ListGroups, DescribeGroups (members, protocol), committed offsets

Nothing sleeps for a fixed time: every step polls for its condition."""
import os
import sys
import signal
import subprocess
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402

suite = weirtest.Suite("groups_kafka_python")
broker = suite.broker({"group.initial.rebalance.delay.ms": "500", "num.partitions": "1"})
TOPIC = "six"
GROUP = "g-three"


class Member:
    """One consumer in its own thread: polls, records every (partition,
    offset) it processes, commits synchronously after each poll."""

    def __init__(self, name, seen, lock, topic=TOPIC, group=GROUP, session_ms=6000):
        self.name = name
        self.seen = seen
        self.lock = lock
        self.stop = threading.Event()
        self.freeze = threading.Event()  # stop polling and heartbeating without leaving
        self.assignment = set()
        self.errors = []
        self.c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, client_id=name,
                               enable_auto_commit=False, auto_offset_reset="earliest",
                               session_timeout_ms=session_ms, heartbeat_interval_ms=500,
                               max_poll_interval_ms=60000, request_timeout_ms=30000,
                               retry_backoff_ms=100, reconnect_backoff_ms=100,
                               reconnect_backoff_max_ms=1000, fetch_max_wait_ms=100)
        self.c.subscribe([topic])
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop.is_set():
            if self.freeze.is_set():
                return
            try:
                recs = self.c.poll(timeout_ms=100)
                with self.lock:
                    for tp, msgs in recs.items():
                        for m in msgs:
                            self.seen.append((tp.partition, m.offset, self.name))
                if recs:
                    self.c.commit()
                self.assignment = {tp.partition for tp in self.c.assignment()}
            except Exception as e:  # a commit refused during a rebalance: record it
                self.errors.append(repr(e))

    def close(self):
        self.stop.set()
        self.t.join(30)
        self.c.close(autocommit=False)


def produce(n, start, topic=TOPIC, parts=6):
    p = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", linger_ms=5)
    for i in range(start, start + n):
        p.send(topic, value=b"m%d" % i, partition=i % parts)
    p.flush(30)
    p.close()


def end_offsets(topic=TOPIC, parts=6):
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap)
    tps = [TopicPartition(topic, i) for i in range(parts)]
    e = c.end_offsets(tps)
    c.close()
    return {tp.partition: o for tp, o in e.items()}


def committed(group=GROUP, topic=TOPIC, parts=6):
    a = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        offs = a.list_consumer_group_offsets(group)
    finally:
        a.close()
    return {tp.partition: om.offset for tp, om in offs.items() if tp.topic == topic}


def exactly_once(seen, total):
    keys = [(p, o) for p, o, _ in seen]
    dups = len(keys) - len(set(keys))
    return dups == 0 and len(set(keys)) == total, "processed %d distinct of %d, %d duplicates" % (
        len(set(keys)), total, dups)


state = {"seen": [], "lock": threading.Lock(), "members": [], "produced": 0}


def t_setup():
    a = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    a.create_topics([NewTopic(TOPIC, 6, 1)])
    a.close()
    produce(600, 0)
    state["produced"] = 600


def t_three_members_two_each():
    ms = [Member("c%d" % i, state["seen"], state["lock"]) for i in range(3)]
    state["members"] = ms
    wait_until(lambda: sorted(len(m.assignment) for m in ms) == [2, 2, 2] and
               set().union(*[m.assignment for m in ms]) == set(range(6)), 60,
               what="three members with two partitions each")


def t_one_leaves_two_get_three():
    ms = state["members"]
    gone = ms.pop()
    gone.close()
    wait_until(lambda: sorted(len(m.assignment) for m in ms) == [3, 3] and
               set().union(*[m.assignment for m in ms]) == set(range(6)), 60,
               what="two members with three partitions each")
    produce(300, state["produced"])
    state["produced"] += 300


def t_exactly_once():
    total = state["produced"]
    wait_until(lambda: len(state["seen"]) >= total, 60, what="all messages processed")
    eo, why = exactly_once(state["seen"], total)
    assert eo, why
    ends = end_offsets()
    wait_until(lambda: committed() == ends, 30, what="committed offsets at the log end %s" % ends)


def t_describe_and_list():
    a = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        groups = dict(a.list_consumer_groups())
        assert groups.get(GROUP) == "consumer", groups
        d = a.describe_consumer_groups([GROUP])[0]
        assert d.state == "Stable", d
        assert d.protocol == "range", d
        assert len(d.members) == 2, d
        assert sorted(m.client_id for m in d.members) == ["c0", "c1"], d
    finally:
        a.close()


def t_restart_resumes_from_commits():
    for m in state["members"]:
        m.close()
    state["members"] = []
    before = committed()
    broker.restart()
    after = committed()
    assert before == after, "committed offsets changed across the restart: %s -> %s" % (before, after)
    produce(120, state["produced"])
    state["produced"] += 120
    fresh = []
    ms = [Member("r%d" % i, fresh, state["lock"]) for i in range(2)]
    state["members"] = ms
    wait_until(lambda: len(fresh) >= 120, 60, what="the new messages consumed after the restart")
    offs = sorted(o for _, o, _ in fresh)
    assert all(o >= 100 for o in offs), "old messages consumed again: %s" % offs[:10]
    state["seen"].extend(fresh)
    eo, why = exactly_once(state["seen"], state["produced"])
    assert eo, why


VICTIM = r"""
import sys
from kafka import KafkaConsumer
c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id=sys.argv[2], client_id="victim",
                  enable_auto_commit=False, auto_offset_reset="earliest", session_timeout_ms=6000,
                  heartbeat_interval_ms=500, max_poll_interval_ms=600000, fetch_max_wait_ms=100)
c.subscribe([sys.argv[3]])
while True:
    c.poll(timeout_ms=100)
    print("assigned", len(c.assignment()), flush=True)
"""


def t_session_expiry():
    for m in state["members"]:
        m.close()
    state["members"] = []
    survivor = Member("survivor", [], state["lock"], group="g-expiry")
    state["members"] = [survivor]
    victim = subprocess.Popen([sys.executable, "-c", VICTIM, broker.bootstrap, "g-expiry", TOPIC],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: len(survivor.assignment) == 3, 60, what="survivor and victim with three each")
        victim.send_signal(signal.SIGSTOP)  # no more heartbeats, no LeaveGroup
        t0 = time.monotonic()
        wait_until(lambda: len(survivor.assignment) == 6, 60, what="survivor owning all six partitions")
        took = time.monotonic() - t0
        # the victim's session is 6 s; the survivor notices within a heartbeat or two after that
        assert 4.0 <= took < 30, "expiry after %.1fs" % took
        assert "expired" in broker.log(), "no expiry in the broker log"
    finally:
        victim.kill()
        victim.wait()
    survivor.close()
    state["members"] = []


suite.run("setup: six partitions, 600 messages", t_setup)
suite.run("three consumers get two partitions each", t_three_members_two_each)
suite.run("one leaves: the other two get three each", t_one_leaves_two_get_three)
suite.run("every message processed exactly once with commits", t_exactly_once)
suite.run("ListGroups and DescribeGroups", t_describe_and_list)
suite.run("after a broker restart the group resumes from its commits", t_restart_resumes_from_commits)
suite.run("a member without heartbeats expires; its partitions move", t_session_expiry)
for m in state["members"]:
    try:
        m.close()
    except Exception:
        pass
suite.finish()
