"""Log compaction end to end: a compacted topic with small segments gets many
updates per key and some tombstones from confluent-kafka; the broker's
cleaner (log.cleaner.backoff.ms=200) rewrites the closed segments: a
consumer from the start sees each key's newest value, tombstones vanish after
delete.retention.ms, offsets stay increasing (sparse), keyless records are
refused with INVALID_RECORD, and a restart (clean and after kill -9) keeps
the cleaned log valid."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

S = weirtest.Suite("compaction")
broker = S.broker({"log.cleaner.backoff.ms": "200"})
TOPIC = "compacted"
KEYS = 200
ROUNDS = 30


def read_all(tp_topic):
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "x", "enable.auto.commit": False,
                  "enable.partition.eof": True})
    c.assign([TopicPartition(tp_topic, 0, 0)])
    out = []
    while True:
        m = c.poll(10)
        assert m is not None, "timed out reading the topic"
        if m.error():
            if m.error().code() == -191:  # partition EOF
                break
            raise KafkaException(m.error())
        out.append((m.offset(), m.key(), m.value()))
    c.close()
    return out


def segments(topic):
    d = os.path.join(broker.data_dir, topic + "-0")
    return sorted(f for f in os.listdir(d) if f.endswith(".log"))


def t_setup_and_produce():
    a = AdminClient({"bootstrap.servers": broker.bootstrap})
    a.create_topics([NewTopic(TOPIC, 1, 1, config={
        "cleanup.policy": "compact", "segment.bytes": "20000", "min.cleanable.dirty.ratio": "0.01",
        "delete.retention.ms": "100"})])[TOPIC].result()
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    for r in range(ROUNDS):
        for k in range(KEYS):
            p.produce(TOPIC, key=b"k%03d" % k, value=b"r%02d-k%03d" % (r, k))
        p.flush()
    for k in range(0, KEYS, 10):  # tombstones for every tenth key
        p.produce(TOPIC, key=b"k%03d" % k, value=None)
    p.flush()
    # a little more traffic so the tombstones' segment is closed (cleanable)
    for k in range(KEYS):
        p.produce(TOPIC, key=b"z%03d" % k, value=b"filler")
    p.flush()
    assert len(segments(TOPIC)) > 5, "expected several segments, got %s" % segments(TOPIC)


def newest_expected():
    exp = {}
    for k in range(KEYS):
        if k % 10:
            exp[b"k%03d" % k] = b"r%02d-k%03d" % (ROUNDS - 1, k)
    for k in range(KEYS):
        exp[b"z%03d" % k] = b"filler"
    return exp


def check_log(recs):
    offs = [o for o, _, _ in recs]
    assert offs == sorted(offs) and len(set(offs)) == len(offs), "offsets not strictly increasing"
    seen = {}
    for _, k, v in recs:
        seen[k] = v
    exp = newest_expected()
    for k, v in exp.items():
        assert seen.get(k) == v, "key %r: newest %r, got %r" % (k, v, seen.get(k))
    for k in range(0, KEYS, 10):
        assert seen.get(b"k%03d" % k) is None, "tombstoned key k%03d has a value" % k


def t_cleaned():
    total = ROUNDS * KEYS + KEYS // 10 + KEYS
    # the cleaner runs on its own: wait until the log has shrunk well below what was written
    wait_until(lambda: len(read_all(TOPIC)) < total // 3, 60, what="the cleaner to compact the log")
    recs = read_all(TOPIC)
    check_log(recs)
    assert "log cleaner: %s-0" % TOPIC in broker.log()
    # tombstones older than delete.retention.ms disappear in a later pass,
    # which (as in Kafka) needs the log to be dirty again: more writes
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})

    def tombstones_gone():
        for k in range(KEYS):
            p.produce(TOPIC, key=b"z%03d" % k, value=b"filler")
        p.flush()
        return not any(v is None and k.startswith(b"k") for _, k, v in read_all(TOPIC))
    wait_until(tombstones_gone, 60, interval=0.5, what="tombstones to be removed")
    check_log(read_all(TOPIC))


def t_keyless_refused():
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "retries": 0})
    errs = []
    p.produce(TOPIC, value=b"no key", on_delivery=lambda e, m: errs.append(e))
    p.flush(10)
    assert errs and errs[0] is not None and errs[0].code() == 87, "keyless record: %r, want INVALID_RECORD" % errs


def t_restarts_keep_it_valid():
    broker.restart()
    check_log(read_all(TOPIC))
    broker.restart(kill=True)
    check_log(read_all(TOPIC))


S.run("create a compacted topic, many updates per key, tombstones", t_setup_and_produce)
S.run("cleaner keeps the newest value per key, drops tombstones after retention", t_cleaned)
S.run("keyless record to a compacted topic -> INVALID_RECORD (87)", t_keyless_refused)
S.run("clean restart and kill -9 keep the cleaned log valid", t_restarts_keep_it_valid)
S.finish()
