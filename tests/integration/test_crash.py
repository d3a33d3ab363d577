"""test_crash.py: acknowledged writes survive SIGKILL (run by test_crash.sh).

A producer (python3-confluent-kafka, acks=all, no idempotence, no retries: each
number is sent exactly once) streams the numbers 0, 1, 2, ... into one
partition and records number -> acknowledged offset from delivery reports.
Meanwhile the broker is killed with SIGKILL at random moments (delays from a
fixed seed; each kill waits until the round has seen new acks, so every round
has something to lose) and restarted on the same data dir. After every restart
the whole partition is read back and checked:
  - offsets are dense from 0 to the high watermark;
  - no number appears twice (each was sent once);
  - every number acknowledged before the check is present exactly once, at its
    acknowledged offset.
Unacknowledged numbers may or may not be there: that is allowed.
The idempotent variant (retries on, the broker drops resent duplicates from
the producer state it recovers) is stricter: after every kill the log holds
exactly 0, 1, ..., m-1 in offset order, covering every acknowledged number
(no duplicates, no gaps), and at the end every number sent is there once.
"""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

KILLS = int(os.environ.get("CRASH_KILLS", "6"))
SEED = int(os.environ.get("CRASH_SEED", "20261121"))
TOPIC = "crash"

S = weirtest.Suite("crash")
broker = S.broker({"num.partitions": "1", "log.segment.bytes": "262144"})  # small segments: kills hit rolls too
rng = random.Random(SEED)


class Stream:
    """Produces numbers in a thread; acks[number] = offset, failed = numbers whose send failed."""

    def __init__(self, topic=None, idempotent=False):
        self.topic = topic or TOPIC
        self.acks = {}
        self.failed = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.next = 0
        conf = {
            "bootstrap.servers": broker.bootstrap, "acks": "all", "enable.idempotence": False,
            "message.send.max.retries": 0, "retries": 0, "linger.ms": 2,
            "message.timeout.ms": 10000, "socket.timeout.ms": 5000,
            "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200,
            "queue.buffering.max.messages": 2000, "log_level": 3,
        }
        if idempotent:  # retries on: the broker must drop the duplicates
            conf.update({"enable.idempotence": True, "message.send.max.retries": 1000, "retries": 1000,
                         "message.timeout.ms": 60000})
        self.p = Producer(conf)
        self.t = threading.Thread(target=self.run, daemon=True)

    def cb(self, err, msg):
        n = int(msg.value())
        with self.lock:
            if err is None:
                if n in self.acks:
                    self.failed[n] = "acked twice"
                self.acks[n] = msg.offset()
            else:
                self.failed[n] = str(err.code())

    def run(self):
        while not self.stop.is_set():
            try:
                self.p.produce(self.topic, value=b"%d" % self.next, partition=0, on_delivery=self.cb)
                self.next += 1
            except BufferError:
                pass
            self.p.poll(0.001 if self.next % 20 == 0 else 0)
        self.p.flush(30)

    def snapshot(self):
        with self.lock:
            return dict(self.acks)


def read_partition(topic=TOPIC):
    """All (offset, number) pairs from 0 to the high watermark at the time of the call."""
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "crash-unused",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "isolation.level": "read_uncommitted", "fetch.wait.max.ms": 50, "log_level": 3})
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=15)
        out = []
        if hi == 0:
            return out, lo, hi
        c.assign([TopicPartition(topic, 0, 0)])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    if out and out[-1][0] >= hi - 1:
                        break
                    continue
                raise RuntimeError("consume error: %s" % m.error())
            out.append((m.offset(), int(m.value())))
            if m.offset() >= hi - 1:
                break
        else:
            raise TimeoutError("read %d of %d messages" % (len(out), hi))
        return out, lo, hi
    finally:
        c.close()


def verify(acked, label, topic=TOPIC, in_order=False):
    """Checks the partition against the acknowledgements; with in_order (an
    idempotent producer, which keeps order and never skips a number) the log
    must hold exactly 0, 1, 2, ... m-1 in offset order, covering every
    acknowledged number: no duplicates and no gaps."""
    recs, lo, hi = read_partition(topic)
    offsets = [o for o, _ in recs]
    assert lo == 0, "%s: log start offset %d" % (label, lo)
    assert offsets == list(range(hi)), "%s: offsets not dense 0..%d (first gap near %s)" % (
        label, hi, next((i for i, o in enumerate(offsets) if o != i), len(offsets)))
    at = {}
    for o, n in recs:
        assert n not in at, "%s: number %d at offsets %d and %d" % (label, n, at[n], o)
        at[n] = o
    missing = [(n, o) for n, o in acked.items() if at.get(n) != o]
    assert not missing, "%s: %d acknowledged numbers missing or moved, e.g. %s" % (
        label, len(missing), [(n, o, at.get(n)) for n, o in sorted(missing)[:5]])
    if in_order:
        nums = [n for _, n in recs]
        bad = next((i for i, n in enumerate(nums) if n != i), None)
        assert bad is None, "%s: the log is not 0..%d in order: offset %d holds %d" % (
            label, len(nums) - 1, bad, nums[bad])
        top = max(acked) if acked else -1
        assert len(nums) > top, "%s: acknowledged up to %d but the log ends at %d" % (label, top, len(nums) - 1)
    return hi


def t_crash():
    s = Stream()
    s.t.start()
    try:
        total = 0
        for k in range(KILLS):
            before = len(s.snapshot())
            wait_until(lambda: len(s.snapshot()) >= before + 200, 30, what="new acks in round %d" % k)
            time.sleep(rng.uniform(0.0, 0.6))  # the random moment of the kill (not a pass condition)
            broker.kill()
            broker.start()
            acked = s.snapshot()  # everything acked so far, including before the kill
            hi = verify(acked, "after kill %d" % (k + 1))
            total = len(acked)
            print("    kill %d: %d acked so far, log end %d, sends not acked: %d" % (k + 1, total, hi, len(s.failed)),
                  flush=True)
        # a last batch after the final restart, then a clean stop/start
        before = len(s.snapshot())
        wait_until(lambda: len(s.snapshot()) >= before + 200, 30, what="acks after the last restart")
    finally:
        s.stop.set()
        s.t.join(60)
    twice = [n for n, why in s.failed.items() if why == "acked twice"]
    assert not twice, "numbers acknowledged twice: %s" % twice[:5]
    broker.stop()
    broker.start()
    verify(s.snapshot(), "after clean restart")
    log = broker.log()
    assert "recover" in log.lower(), "broker log does not mention recovery"


def t_crash_idempotent():
    """The same with an idempotent producer and retries: resends after a crash
    must be recognised (producer state recovered from the log), so no number
    appears twice even among the unacknowledged ones."""
    S.require_api(broker, "InitProducerId")
    s = Stream(topic="crash-idem", idempotent=True)
    s.t.start()
    try:
        for k in range(max(5, KILLS)):
            before = len(s.snapshot())
            wait_until(lambda: len(s.snapshot()) >= before + 200, 60, what="new acks in round %d" % k)
            time.sleep(rng.uniform(0.0, 0.6))
            broker.kill()
            broker.start()
            hi = verify(s.snapshot(), "idempotent, after kill %d" % (k + 1), topic="crash-idem", in_order=True)
            print("    idempotent kill %d: %d acked, log end %d, failed: %d %s" % (
                k + 1, len(s.snapshot()), hi, len(s.failed), sorted(set(s.failed.values()))[:3]), flush=True)
        before = len(s.snapshot())
        wait_until(lambda: len(s.snapshot()) >= before + 200, 60, what="acks after the last restart")
    finally:
        s.stop.set()
        s.t.join(90)
    assert not s.failed, "idempotent producer: %d sends failed: %s" % (len(s.failed), sorted(set(s.failed.values()))[:5])
    acked = s.snapshot()
    hi = verify(acked, "idempotent, at the end", topic="crash-idem", in_order=True)
    assert hi == s.next, "the log holds %d numbers, %d were sent" % (hi, s.next)
    assert len(acked) == s.next, "%d of %d numbers acknowledged" % (len(acked), s.next)


S.run("%d SIGKILLs under acks=all load (seed %d)" % (KILLS, SEED), t_crash)
S.run("%d SIGKILLs under an idempotent producer with retries: no duplicates, no gaps, in order" % max(5, KILLS),
      t_crash_idempotent)
S.finish()
