#!/usr/bin/python3
"""test_groups_confluent: consumer groups with python3-confluent-kafka
(librdkafka 2.0.2: FindCoordinator v0-2, JoinGroup v0-5 with
MEMBER_ID_REQUIRED, SyncGroup v0-3, OffsetCommit v0-7, OffsetFetch v0-7).

  - partition.assignment.strategy=cooperative-sticky: one consumer owns all
    four partitions; a second joins and gets two, moved incrementally (the
    first never loses the partitions it keeps); the second leaves and the
    first owns four again; the group's protocol is cooperative-sticky
  - every message processed exactly once with synchronous commits
  - static membership (group.instance.id): a restarted static member gets
    its partitions back without the others losing theirs, and so does the
    restarted leader (no rebalance: it rejoins the current generation)
  - the eager range assignor in the same broker, for contrast
  - a live group across a broker restart: the group comes back from
    __consumer_offsets with its members and generation, the consumers go on
    without a rebalance, every message once"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from confluent_kafka import Consumer, Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

suite = weirtest.Suite("groups_confluent")
broker = suite.broker({"group.initial.rebalance.delay.ms": "300"})


class Member:
    def __init__(self, name, group, topic, seen, lock, extra=None):
        self.name = name
        self.seen = seen
        self.lock = lock
        self.assigned_events = []
        self.revoked_events = []
        self.errors = []
        self.stop = threading.Event()
        conf = {"bootstrap.servers": broker.bootstrap, "group.id": group, "client.id": name,
                "enable.auto.commit": False, "auto.offset.reset": "earliest",
                "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                "topic.metadata.refresh.interval.ms": 2000}
        conf.update(extra or {})
        self.c = Consumer(conf)
        self.c.subscribe([topic], on_assign=self.on_assign, on_revoke=self.on_revoke)
        self.assignment = set()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def on_assign(self, c, parts):
        self.assigned_events.append(sorted(p.partition for p in parts))

    def on_revoke(self, c, parts):
        self.revoked_events.append(sorted(p.partition for p in parts))

    def run(self):
        while not self.stop.is_set():
            msgs = self.c.consume(num_messages=100, timeout=0.1)
            got = False
            with self.lock:
                for m in msgs:
                    if m.error():
                        continue
                    self.seen.append((m.partition(), m.offset(), self.name))
                    got = True
            if got:
                try:
                    self.c.commit(asynchronous=False)
                except Exception as e:
                    self.errors.append(repr(e))
            try:
                self.assignment = {p.partition for p in self.c.assignment()}
            except Exception:
                pass

    def close(self):
        self.stop.set()
        self.t.join(30)
        self.c.close()


def produce(topic, n, start, parts):
    p = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 5})
    for i in range(start, start + n):
        p.produce(topic, value=b"v%d" % i, partition=i % parts)
    assert p.flush(30) == 0


def create(topic, parts):
    a = AdminClient({"bootstrap.servers": broker.bootstrap})
    fs = a.create_topics([NewTopic(topic, parts, 1)])
    for f in fs.values():
        f.result(30)


def describe(group):
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        return a.describe_consumer_groups([group])[0]
    finally:
        a.close()


def check_exactly_once(seen, total):
    keys = [(p, o) for p, o, _ in seen]
    assert len(keys) == len(set(keys)), "%d duplicates" % (len(keys) - len(set(keys)))
    assert len(set(keys)) == total, "processed %d of %d" % (len(set(keys)), total)


def t_cooperative():
    create("coop", 4)
    produce("coop", 400, 0, 4)
    seen, lock = [], threading.Lock()
    extra = {"partition.assignment.strategy": "cooperative-sticky"}
    a = Member("a", "g-coop", "coop", seen, lock, extra)
    wait_until(lambda: a.assignment == {0, 1, 2, 3}, 60, what="a owning four partitions")
    b = Member("b", "g-coop", "coop", seen, lock, extra)
    wait_until(lambda: len(a.assignment) == 2 and len(b.assignment) == 2 and not (a.assignment & b.assignment),
               60, what="two partitions each")
    kept = set(a.assignment)
    for r in a.revoked_events:  # incremental: a only ever gave up what moved to b
        assert not (set(r) & kept), "a revoked %s but kept %s (eager-style revoke)" % (r, kept)
    d = describe("g-coop")
    assert d.protocol == "cooperative-sticky", d
    assert d.state == "Stable" and len(d.members) == 2, d
    produce("coop", 200, 400, 4)
    b.close()
    wait_until(lambda: a.assignment == {0, 1, 2, 3}, 60, what="a owning four again after b left")
    produce("coop", 100, 600, 4)
    wait_until(lambda: len(seen) >= 700, 60, what="all 700 messages consumed")
    a.close()
    check_exactly_once(seen, 700)
    assert not a.errors and not b.errors, a.errors + b.errors


def t_static_membership():
    create("static", 4)
    seen, lock = [], threading.Lock()
    s1 = Member("s1", "g-static", "static", seen, lock, {"group.instance.id": "inst-1",
                                                         "session.timeout.ms": 30000})
    wait_until(lambda: len(s1.assignment) == 4, 60, what="s1 alone with four (s1 leads the group)")
    s2 = Member("s2", "g-static", "static", seen, lock, {"group.instance.id": "inst-2",
                                                         "session.timeout.ms": 30000})
    wait_until(lambda: len(s1.assignment) == 2 and len(s2.assignment) == 2, 60, what="two static members, 2 each")
    mine = set(s2.assignment)
    ids_before = sorted(m.member_id for m in describe("g-static").members)
    gen_before = len(s1.assigned_events)
    # a static member closing does not leave the group (librdkafka sends no
    # LeaveGroup for static members); its replacement takes over its place
    def static(name, inst):
        return Member(name, "g-static", "static", seen, lock, {"group.instance.id": inst, "session.timeout.ms": 30000})
    s2.close()
    s2b = static("s2b", "inst-2")
    wait_until(lambda: s2b.assignment == mine, 60, what="the restarted static member gets %s back" % mine)
    d = describe("g-static")
    assert len(d.members) == 2, d
    ids = sorted(m.member_id for m in d.members)
    # Kafka keeps the replaced member's client id; the member id is new
    assert ids[0] == ids_before[0] and ids[1] != ids_before[1] and ids[1].startswith("inst-2-"), (ids_before, ids)
    # s1 (the leader) was not made to give up its partitions: a restarted
    # static follower with unchanged subscriptions causes no rebalance.
    assert len(s1.assigned_events) == gen_before, "s1 was reassigned: %s" % s1.assigned_events
    # nor does a restarted static leader (as Kafka, KIP-345/814): it rejoins
    # the current generation, gets its partitions back, and s2b keeps its own
    leaders = set(s1.assignment)
    gen_s2b = len(s2b.assigned_events)
    rebalances = broker.log().count("group g-static: preparing to rebalance")
    s1.close()
    s1b = static("s1b", "inst-1")
    wait_until(lambda: s1b.assignment == leaders, 60, what="the restarted static leader gets %s back" % leaders)
    assert len(s2b.assigned_events) == gen_s2b, "s2b was reassigned: %s" % s2b.assigned_events
    assert broker.log().count("group g-static: preparing to rebalance") == rebalances, \
        "the leader's restart caused a rebalance"
    d = describe("g-static")
    assert d.state == "Stable" and len(d.members) == 2, d
    s1b.close()
    s2b.close()


def t_eager_range():
    create("eager", 2)
    produce("eager", 50, 0, 2)
    seen, lock = [], threading.Lock()
    e1 = Member("e1", "g-eager", "eager", seen, lock, {"partition.assignment.strategy": "range,roundrobin"})
    e2 = Member("e2", "g-eager", "eager", seen, lock, {"partition.assignment.strategy": "range,roundrobin"})
    wait_until(lambda: len(e1.assignment) == 1 and len(e2.assignment) == 1, 60, what="one partition each")
    wait_until(lambda: len(seen) >= 50, 60, what="all 50 consumed")
    assert describe("g-eager").protocol == "range"
    e1.close()
    e2.close()
    check_exactly_once(seen, 50)


def t_live_restart():
    create("live", 4)
    produce("live", 100, 0, 4)
    seen, lock = [], threading.Lock()
    ms = [Member(n, "g-live", "live", seen, lock, {"session.timeout.ms": 10000}) for n in ("x", "y")]
    wait_until(lambda: len(seen) >= 100, 60, what="the first 100")
    d = describe("g-live")
    assert d.state == "Stable" and len(d.members) == 2, d
    ids = sorted(m.member_id for m in d.members)
    broker.restart()  # SIGTERM and start: the members keep running
    d = describe("g-live")  # restored from __consumer_offsets: same members, same generation
    assert d.state == "Stable" and sorted(m.member_id for m in d.members) == ids, (ids, d)
    produce("live", 100, 100, 4)
    wait_until(lambda: len(seen) >= 200, 60, what="the next 100 after the restart")
    assert "group g-live: preparing to rebalance" not in broker.log().split("---- start #2")[-1], \
        "the restart caused a rebalance"
    for m in ms:
        m.close()
    check_exactly_once(seen, 200)


suite.run("cooperative-sticky: incremental rebalances, exactly once", t_cooperative)
suite.run("static membership: a restarted member, then the restarted leader, get their partitions back", t_static_membership)
suite.run("eager range assignor", t_eager_range)
suite.run("a live group across a broker restart: same members, exactly once", t_live_restart)
suite.finish()
