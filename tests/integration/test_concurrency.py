"""test_concurrency.py: many clients at once (run by test_concurrency.sh).

Six producers (python3-confluent-kafka, acks=all / 1 / 0 mixed, each in its own
thread and connection) write into the same three partitions while three
consumers long-poll those partitions from the start, on a broker with small
segments (rolls under load). Checks: every acknowledged message is read back
exactly once at its acknowledged offset, offsets are dense, each producer's
messages keep their order within a partition, and the live consumers saw the
same as a final read. Group commit: acks=all producers run concurrently, so one
fsync covers several requests; the result must not depend on that.
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

S = weirtest.Suite("concurrency")
broker = S.broker({"num.partitions": "3", "log.segment.bytes": "65536"})
TOPIC = "conc"
PRODUCERS = [("all", 3000), ("all", 3000), ("all", 3000), ("1", 3000), ("1", 3000), ("0", 1000)]


def t_concurrent():
    acked = {}            # (producer, seq) -> (partition, offset)
    errors = []
    lock = threading.Lock()

    def produce(pid, acks, n):
        p = Producer({"bootstrap.servers": broker.bootstrap, "acks": acks, "enable.idempotence": False,
                      "linger.ms": 1 + pid, "batch.num.messages": 50 + 30 * pid, "log_level": 3,
                      "max.in.flight.requests.per.connection": 1})  # per-producer order within a partition

        def cb(err, m):
            with lock:
                if err:
                    errors.append((pid, str(err)))
                elif acks != "0":
                    acked[(pid, int(m.key().split(b":")[1]))] = (m.partition(), m.offset())
        for i in range(n):
            while True:
                try:
                    p.produce(TOPIC, key=b"%d:%d" % (pid, i), value=b"v" * (i % 400), partition=i % 3, on_delivery=cb)
                    break
                except BufferError:
                    p.poll(0.05)
            p.poll(0)
        p.flush(60)

    live = {p: [] for p in range(3)}
    stop_live = threading.Event()

    def consume_live():
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "unused", "enable.auto.commit": False,
                      "fetch.wait.max.ms": 500, "fetch.min.bytes": 1000, "log_level": 3})
        c.assign([TopicPartition(TOPIC, p, 0) for p in range(3)])
        try:
            while not stop_live.is_set():
                m = c.poll(0.2)
                if m is not None and not m.error():
                    live[m.partition()].append((m.offset(), m.key()))
        finally:
            c.close()

    # make sure the topic exists first, so consumers can assign it
    p0 = Producer({"bootstrap.servers": broker.bootstrap, "log_level": 3})
    for part in range(3):
        p0.produce(TOPIC, key=b"init:0", value=b"", partition=part)
    assert p0.flush(30) == 0
    lc = threading.Thread(target=consume_live, daemon=True)
    lc.start()
    ts = [threading.Thread(target=produce, args=(i, a, n), daemon=True) for i, (a, n) in enumerate(PRODUCERS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not any(t.is_alive() for t in ts), "producers still running after 120 s"
    assert not errors, "delivery errors: %s" % errors[:5]
    total = 3 + sum(n for _, n in PRODUCERS)

    # the final read
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "unused", "enable.auto.commit": False,
                  "log_level": 3})
    try:
        his = [c.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=15)[1] for p in range(3)]
        assert sum(his) == total, "high watermarks %s sum to %d, want %d (acks=0 messages lost?)" % (his, sum(his), total)
        wait_until(lambda: all(len(live[p]) >= his[p] for p in range(3)), 60, what="live consumers to catch up")
    finally:
        c.close()
    stop_live.set()
    lc.join(30)
    at = {}
    for p in range(3):
        offs = [o for o, _ in live[p]]
        assert offs == list(range(his[p])), "partition %d: live offsets not dense (%d read, hw %d)" % (p, len(offs), his[p])
        for o, k in live[p]:
            at[(p, o)] = k
    seen = set()
    for (p, o), k in at.items():
        assert k not in seen or k == b"init:0", "key %r twice" % k
        seen.add(k)
    for (pid, i), (p, o) in acked.items():
        assert at.get((p, o)) == b"%d:%d" % (pid, i), "producer %d message %d acked at %d/%d, found %r" % (
            pid, i, p, o, at.get((p, o)))
    # order per producer within each partition
    for p in range(3):
        last = {}
        for o, k in live[p]:
            pid, i = k.split(b":")
            if pid == b"init":
                continue
            assert int(i) > last.get(pid, -1), "producer %s out of order in partition %d at offset %d" % (pid, p, o)
            last[pid] = int(i)
    print("    %d messages from %d producers, %d acknowledged, hw %s" % (total, len(PRODUCERS), len(acked), his))


S.run("6 producers (acks all/1/0) + live consumers, small segments", t_concurrent)
S.finish()
