"""test_torn_write.py: recovery from a torn or corrupt tail (run by test_torn_write.sh).

Three partitions each get three record batches (acks=all, one flush per
batch). The broker is killed with SIGKILL, then the active segment of each is
damaged on disk:
  - "cut":     truncated in the middle of the last batch;
  - "crc":     one byte flipped inside the last batch's records (CRC32C fails);
  - "garbage": 4096 zero bytes appended after the last batch (preallocation-like).
  - "header":  the last batch's length field overwritten with a huge value.
On restart the log must end at the last valid batch (the last batch's base
offset, or 30 for "garbage"), the broker log must report the recovery with the number of bytes
cut, and produce and consume must work, with new offsets continuing densely.
A second round does the same after a clean stop (no recovery expected) to make
sure a clean restart keeps everything.
"""
import glob
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

S = weirtest.Suite("tornwrite")
broker = S.broker({"num.partitions": "1"})
CASES = ["cut", "crc", "garbage", "header"]
PER_BATCH = 10


def producer():
    return Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "enable.idempotence": False,
                     "linger.ms": 200, "batch.num.messages": PER_BATCH, "log_level": 3})


def produce_batches(topic, nbatches, first_value=0):
    """nbatches separate batches of PER_BATCH messages; returns acked offsets."""
    p = producer()
    offs = []
    v = first_value
    for _ in range(nbatches):
        for _ in range(PER_BATCH):
            p.produce(topic, value=b"value-%06d" % v, key=b"k%d" % v, partition=0,
                      on_delivery=lambda e, m: offs.append(None if e else m.offset()))
            v += 1
        assert p.flush(30) == 0, "undelivered messages"
    assert None not in offs, "delivery failed: %s" % offs
    return offs


def read_all(topic):
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "unused", "enable.partition.eof": True,
                  "enable.auto.commit": False, "fetch.wait.max.ms": 50, "log_level": 3})
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=15)
        c.assign([TopicPartition(topic, 0, 0)])
        out = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    break
                raise RuntimeError(str(m.error()))
            out.append((m.offset(), m.value()))
        return lo, hi, out
    finally:
        c.close()


def batches_in(path):
    """[(position, total size)] of the record batches in a segment file."""
    data = open(path, "rb").read()
    pos, out = 0, []
    while pos + 12 <= len(data):
        base, blen = struct.unpack(">qi", data[pos:pos + 12])
        if blen <= 0 or pos + 12 + blen > len(data):
            break
        out.append((pos, 12 + blen))
        pos += 12 + blen
    return out


def active_segment(topic):
    logs = sorted(glob.glob(os.path.join(broker.data_dir, "%s-0" % topic, "*.log")))
    assert logs, "no segment files for %s" % topic
    return logs[-1]


def damage(case, path):
    """Damages the segment; returns (expected log end offset, expected bytes cut)."""
    bs = batches_in(path)
    assert len(bs) >= 2, "%s: expected several batches, found %d" % (path, len(bs))
    pos, size = bs[-1]
    fsize = os.path.getsize(path)
    assert pos + size == fsize, (pos, size, fsize)
    with open(path, "rb") as f:
        f.seek(pos)
        last_base = struct.unpack(">q", f.read(8))[0]  # the log ends here once the last batch is gone
    assert 0 < last_base < 30, last_base
    if case == "cut":
        os.truncate(path, pos + size // 2)
        return last_base, size // 2
    if case == "crc":
        with open(path, "r+b") as f:
            f.seek(pos + size - 5)  # inside the last record, covered by the CRC
            b = f.read(1)
            f.seek(pos + size - 5)
            f.write(bytes([b[0] ^ 0x5A]))
        return last_base, size
    if case == "garbage":
        with open(path, "ab") as f:
            f.write(b"\0" * 4096)
        return 30, 4096
    if case == "header":
        with open(path, "r+b") as f:
            f.seek(pos + 8)
            f.write(struct.pack(">i", 0x7FFFFFF0))
        return last_base, size
    raise ValueError(case)


def t_torn():
    for case in CASES:
        offs = produce_batches("torn-" + case, 3)
        assert offs == list(range(30)), offs
    broker.kill()
    expect = {}
    for case in CASES:
        expect[case] = damage(case, active_segment("torn-" + case))
    broker.start()
    log = broker.log().split("---- start #2")[-1]
    for case in CASES:
        topic = "torn-" + case
        end, cut = expect[case]
        lo, hi, recs = read_all(topic)
        S.check((lo, hi) == (0, end), "%s: watermarks %s, want (0, %d)" % (case, (lo, hi), end))
        S.check([o for o, _ in recs] == list(range(end)), "%s: offsets %s" % (case, [o for o, _ in recs][-3:]))
        S.check([v for _, v in recs] == [b"value-%06d" % i for i in range(end)], "%s: values differ" % case)
        m = re.search(r"recovered %s-0: .*cut (\d+) byte" % re.escape(topic), log)
        S.check(m is not None, "%s: no recovery line for %s in the broker log" % (case, topic))
        if m:
            S.check(int(m.group(1)) == cut, "%s: log says %s bytes cut, want %d" % (case, m.group(1), cut))
        S.check(os.path.getsize(active_segment(topic)) == sum(s for _, s in batches_in(active_segment(topic))),
                "%s: segment file still has bytes after the last valid batch" % case)
        # produce and consume continue from the recovered end
        new = produce_batches(topic, 1, first_value=end)
        S.check(new == list(range(end, end + PER_BATCH)), "%s: new offsets %s" % (case, new))
        lo, hi, recs = read_all(topic)
        S.check([v for _, v in recs] == [b"value-%06d" % i for i in range(end + PER_BATCH)],
                "%s: values after new produce differ" % case)
    print("    recovery lines:\n      " + "\n      ".join(l for l in log.splitlines() if "recover" in l or "truncat" in l))


def t_clean_restart():
    before = {c: read_all("torn-" + c)[2] for c in CASES}
    rc = broker.stop()
    assert rc == 0, "exit status %s" % rc
    broker.start()
    log = broker.log().split("---- start #3")[-1]
    assert not re.search(r"recovered torn-", log), "recovery after a clean stop:\n" + log
    for c in CASES:
        assert read_all("torn-" + c)[2] == before[c], "%s changed across a clean restart" % c


def t_kill_during_nothing():
    # kill -9 with no damage: nothing may be cut
    broker.kill()
    broker.start()
    log = broker.log().split("---- start #4")[-1]
    for c in CASES:
        m = re.search(r"recovered torn-%s-0: .*cut (\d+) byte" % c, log)
        assert m is None or m.group(1) == "0", "undamaged log cut after kill: " + m.group(0)


def t_lost_indexes():
    # kill -9, then remove one partition's index files and garble another's:
    # the broker rebuilds them; fetch from the middle and offsets-for-times work
    for c in ("cut", "crc"):
        produce_batches("torn-" + c, 3, first_value=1000)
    broker.kill()
    d1 = os.path.join(broker.data_dir, "torn-cut-0")
    for f in glob.glob(os.path.join(d1, "*.index")) + glob.glob(os.path.join(d1, "*.timeindex")):
        os.unlink(f)
    d2 = os.path.join(broker.data_dir, "torn-crc-0")
    for f in glob.glob(os.path.join(d2, "*.index")) + glob.glob(os.path.join(d2, "*.timeindex")):
        with open(f, "r+b") as fh:
            fh.write(b"\xff" * 64)
    broker.start()
    for c in ("cut", "crc"):
        topic = "torn-" + c
        lo, hi, recs = read_all(topic)
        S.check(lo == 0 and [o for o, _ in recs] == list(range(hi)), "%s: offsets after index loss" % c)
        cons = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "unused", "enable.auto.commit": False,
                         "enable.partition.eof": True, "log_level": 3})
        try:
            cons.assign([TopicPartition(topic, 0, hi - 5)])
            m = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                m = cons.poll(0.5)
                if m is not None and not m.error():
                    break
            S.check(m is not None and not m.error() and m.offset() == hi - 5, "%s: fetch from the middle" % c)
        finally:
            cons.close()


S.run("cut / corrupt CRC / trailing zeros / bad length: recover to last valid batch", t_torn)
S.run("clean restart: no recovery, data unchanged", t_clean_restart)
S.run("kill -9 without damage cuts nothing", t_kill_during_nothing)
S.run("missing / garbled index files are rebuilt", t_lost_indexes)
S.finish()
