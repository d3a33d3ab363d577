"""test_txn_confluent: transactions with python3-confluent-kafka (librdkafka
2.0.2: InitProducerId v0-4, AddPartitionsToTxn/AddOffsetsToTxn v0,
EndTxn v0-1, TxnOffsetCommit v0-3, Fetch v4+ with isolation levels).

  - commit and abort: read_committed sees only committed data, in order;
    read_uncommitted sees committed and aborted data but never a control
    record (each transaction's marker takes one offset)
  - last stable offset: a read_committed consumer stops (partition EOF) at
    an open transaction's first offset, even with non-transactional data
    after it; ListOffsets latest under read_committed is the LSO; the commit
    releases everything
  - two transactional producers and a plain one interleaved on a partition:
    one aborts, one commits; read_committed drops exactly the aborted
    batches; the LSO follows the oldest open transaction
  - zombie fencing: a second producer with the same transactional.id
    aborts the first one's open transaction and fences it (a fatal error)
  - transaction.timeout.ms: a producer that stalls mid-transaction is
    aborted by the broker, not before the timeout; its data never visible
  - send_offsets_to_transaction: the group's offsets change only with the
    commit (not while open, not on abort); require_stable readers wait
  - pending transactional offsets survive a broker SIGKILL as pending: the
    commit after the restart applies them, an abort drops them
  - DescribeTransactions / ListTransactions (raw flexible v0 requests): an
    open transaction's state, partitions, timeout; state filters
  - InitProducerId with the caller's id and epoch (KIP-360): only the
    current epoch is bumped, a retry gets the same answer, a fenced epoch is
    refused (a zombie must not take its id back)
  - the issue's test: a consume-transform-produce loop (txn_loop.py, its
    own process) killed with SIGKILL at seeded random moments and restarted,
    over a fully pre-produced input: the output read with read_committed
    holds every input exactly once
  - the same loop frozen with SIGSTOP while a new incarnation takes over,
    then resumed (a live zombie): it dies with a fatal fenced error at its
    next transactional call (or stays idle if the input ran out) and the
    output is still exactly once
  - the same loop while the broker is killed with SIGKILL and restarted on
    the same data dir (every second time the loop is killed with it, so its
    next incarnation aborts a transaction the broker recovered as open):
    exactly once still holds
  - a transaction left open by a producer that vanished while the broker
    was down: recovered as open after a broker SIGKILL, then aborted by its
    timeout
  - AddPartitionsToTxn records lost to a (simulated) power loss while the
    partition's data survived: the partition joins its transaction if that
    is still Ongoing, else its data is aborted and the producer fenced

TXN_SEED (default 20261121) seeds the kill moments and the loop's batch
sizes; TXN_LOOP_KILLS (default 6) and TXN_BROKER_KILLS (default 6) set the
numbers of kills."""
import collections
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer,  # noqa: E402
                             TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

SEED = int(os.environ.get("TXN_SEED", "20261121"))
LOOP_KILLS = int(os.environ.get("TXN_LOOP_KILLS", "6"))
BROKER_KILLS = int(os.environ.get("TXN_BROKER_KILLS", "6"))
HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.environ.get("PY", "/usr/bin/python3")

OVERRIDES = {"group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "500"}
S = weirtest.Suite("txn_confluent")
broker = S.broker(OVERRIDES)
rng = random.Random(SEED)


def create(b, *names, parts=1):
    a = AdminClient({"bootstrap.servers": b.bootstrap})
    for f in a.create_topics([NewTopic(n, parts, 1) for n in names]).values():
        f.result()


def txp(txn_id, b=None, **extra):
    conf = {"bootstrap.servers": (b or broker).bootstrap, "transactional.id": txn_id, "linger.ms": 1,
            "log_level": 3}
    conf.update(extra)
    return Producer(conf)


def consumer(isolation, b=None, **extra):
    conf = {"bootstrap.servers": (b or broker).bootstrap, "group.id": "reader-%s" % isolation,
            "enable.auto.commit": False, "enable.partition.eof": True, "isolation.level": isolation,
            "fetch.wait.max.ms": 50, "log_level": 3}
    conf.update(extra)
    return Consumer(conf)


def read_all(topic, isolation, nparts=1, b=None, timeout=30, start=OFFSET_BEGINNING):
    """Every message of topic from start (default: the beginning) to the end
    each partition has for this isolation level (the LSO for read_committed):
    [(partition, offset, value)]; ends when every partition reported EOF."""
    c = consumer(isolation, b)
    try:
        c.assign([TopicPartition(topic, p, start) for p in range(nparts)])
        out, eof = [], set()
        deadline = time.monotonic() + timeout
        while len(eof) < nparts:
            assert time.monotonic() < deadline, "reading %s (%s): EOF on %s only, %d messages" % (
                topic, isolation, sorted(eof), len(out))
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                    continue
                raise KafkaException(m.error())
            eof.discard(m.partition())
            out.append((m.partition(), m.offset(), m.value()))
        return out
    finally:
        c.close()


def watermarks(topic, isolation, part=0, b=None):
    c = consumer(isolation, b)
    try:
        return c.get_watermark_offsets(TopicPartition(topic, part), timeout=10, cached=False)
    finally:
        c.close()


# ---- commit / abort ----

def t_commit_abort():
    create(broker, "ca", parts=2)
    p = txp("ca-1")
    p.init_transactions(15)
    expect_committed, expect_aborted = [], []
    ntxn = [0, 0]  # transactions touching each partition (one marker each)
    for i, commit in enumerate([True, False, True, False, False, True]):
        p.begin_transaction()
        vals = [b"t%d-%s-%d" % (i, b"c" if commit else b"a", k) for k in range(7)]
        for k, v in enumerate(vals):
            p.produce("ca", value=v, partition=k % 2)
        p.flush(15)  # on the broker before the decision
        ntxn[0] += 1
        ntxn[1] += 1
        if commit:
            p.commit_transaction(15)
            expect_committed += vals
        else:
            p.abort_transaction(15)
            expect_aborted += vals
    rc = read_all("ca", "read_committed", 2)
    ru = read_all("ca", "read_uncommitted", 2)
    got_rc = [v for _, _, v in rc]
    S.check(sorted(got_rc) == sorted(expect_committed),
            "read_committed: %d messages, expected the %d committed (aborted seen: %d)" % (
                len(got_rc), len(expect_committed), len(set(got_rc) & set(expect_aborted))))
    for part in (0, 1):  # per-partition order is production order
        mine = [v for pp, _, v in rc if pp == part]
        S.check(mine == [v for k, v in enumerate(expect_committed) if (k % 7) % 2 == part],
                "read_committed order on partition %d" % part)
    got_ru = [v for _, _, v in ru]
    S.check(sorted(got_ru) == sorted(expect_committed + expect_aborted),
            "read_uncommitted: %d messages, expected %d data records and no control record" % (
                len(got_ru), len(expect_committed) + len(expect_aborted)))
    for part in (0, 1):
        ndata = sum(1 for pp, _, _ in ru if pp == part)
        lo, hi = watermarks("ca", "read_uncommitted", part)
        S.check(hi == ndata + ntxn[part], "partition %d: high watermark %d = %d data + %d markers" % (
            part, hi, ndata, ntxn[part]))
        offs = {o for pp, o, _ in ru if pp == part}
        S.check(len(offs) == ndata and max(offs) < hi, "partition %d: distinct offsets below the end" % part)
        S.check(watermarks("ca", "read_committed", part) == (lo, hi), "no open transaction: LSO = high watermark")
    p.flush(5)


# ---- last stable offset ----

def t_lso():
    create(broker, "lso")
    p = txp("lso-1")
    p.init_transactions(15)
    p.begin_transaction()
    for k in range(3):
        p.produce("lso", value=b"first-%d" % k, partition=0)
    p.commit_transaction(15)  # offsets 0-2, marker 3
    p.begin_transaction()
    for k in range(5):
        p.produce("lso", value=b"open-%d" % k, partition=0)
    p.flush(15)  # offsets 4-8, open
    plain = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "log_level": 3})
    for k in range(2):
        plain.produce("lso", value=b"plain-%d" % k, partition=0)
    plain.flush(15)  # offsets 9-10, behind the open transaction
    S.check(watermarks("lso", "read_uncommitted") == (0, 11), "read_uncommitted latest = 11: %s" % (
        watermarks("lso", "read_uncommitted"),))
    S.check(watermarks("lso", "read_committed") == (0, 4), "read_committed latest = LSO 4: %s" % (
        watermarks("lso", "read_committed"),))

    c = consumer("read_committed")
    try:
        c.assign([TopicPartition("lso", 0, 0)])
        got, eof_at = [], None
        deadline = time.monotonic() + 20
        while eof_at is None and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof_at = m.offset()
                continue
            got.append((m.offset(), m.value()))
        S.check([o for o, _ in got] == [0, 1, 2], "read_committed before the commit: %s" % got)
        S.check(eof_at == 4, "read_committed reaches its end at the LSO 4 (EOF at %s)" % eof_at)
        # nothing past the LSO while the transaction stays open (a bounded look)
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            m = c.poll(0.1)
            S.check(m is None or m.error(), "read_committed got %s past the LSO" % (
                None if m is None or m.error() else (m.offset(), m.value())))
        p.commit_transaction(15)  # marker at 11
        rest = []
        deadline = time.monotonic() + 20
        while len(rest) < 7 and time.monotonic() < deadline:
            m = c.poll(0.1)
            if m is not None and not m.error():
                rest.append((m.offset(), m.value()))
        S.check([o for o, _ in rest] == [4, 5, 6, 7, 8, 9, 10], "after the commit: %s" % rest)
    finally:
        c.close()
    S.check(watermarks("lso", "read_committed") == (0, 12), "after the commit LSO = high watermark 12")
    plain.flush(5)


def t_interleaved():
    """Two transactional producers and a plain one interleaved on one
    partition: the aborted-transactions list must drop exactly the aborting
    producer's batches, and the LSO follows the oldest open transaction."""
    create(broker, "mix")
    a, b = txp("mix-a"), txp("mix-b")
    plain = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "log_level": 3})
    a.init_transactions(15)
    b.init_transactions(15)
    a.begin_transaction()
    b.begin_transaction()
    order = []
    for k in range(3):  # one batch each, flushed one by one: a, p, b, a, p, b, ...
        for who, prod in (("a", a), ("p", plain), ("b", b)):
            prod.produce("mix", value=b"%s%d" % (who.encode(), k), partition=0)
            prod.flush(15)
            order.append("%s%d" % (who, k))
    S.check(watermarks("mix", "read_committed")[1] == 0, "two open transactions: LSO at a's first offset 0")
    a.abort_transaction(15)
    S.check(watermarks("mix", "read_committed")[1] == 2, "a aborted: LSO at b's first offset 2 (%d)" %
            watermarks("mix", "read_committed")[1])
    got = [v.decode() for _, _, v in read_all("mix", "read_committed")]
    S.check(got == ["p0"], "read_committed below the LSO: %s" % got)
    b.commit_transaction(15)
    got = [v.decode() for _, _, v in read_all("mix", "read_committed")]
    want = [x for x in order if not x.startswith("a")]
    S.check(got == want, "read_committed: %s, expected %s" % (got, want))
    got = [v.decode() for _, _, v in read_all("mix", "read_uncommitted")]
    S.check(got == order, "read_uncommitted: %s" % got)
    # from the middle of a's aborted transaction (it began at 0): still listed as aborted
    got = [v.decode() for _, _, v in read_all("mix", "read_committed", start=3)]
    S.check(got == want[2:], "read_committed from offset 3: %s, expected %s" % (got, want[2:]))
    lo, hi = watermarks("mix", "read_uncommitted")
    S.check(hi == len(order) + 2 and watermarks("mix", "read_committed")[1] == hi,
            "end %d = 9 records + 2 markers, LSO = end" % hi)


# ---- zombie fencing ----

def t_fencing():
    create(broker, "fence")
    z = txp("fence-1")
    z.init_transactions(15)
    z.begin_transaction()
    for k in range(3):
        z.produce("fence", value=b"zombie-%d" % k, partition=0)
    z.flush(15)
    lso_open = watermarks("fence", "read_committed")[1]
    S.check(lso_open == 0, "the zombie's open transaction holds the LSO at 0 (%d)" % lso_open)

    p = txp("fence-1")
    p.init_transactions(15)  # fences z; its open transaction is aborted
    wait_until(lambda: watermarks("fence", "read_committed")[1] == watermarks("fence", "read_uncommitted")[1],
               15, what="the zombie's transaction to be aborted by the new instance")

    err = None
    try:
        z.produce("fence", value=b"zombie-late", partition=0)
        z.commit_transaction(15)
    except KafkaException as e:
        err = e.args[0]
    S.check(err is not None, "the zombie's commit succeeded")
    if err is not None:
        print("    zombie's error: %s (fatal=%s)" % (err, err.fatal()), flush=True)
        S.check(err.fatal(), "the zombie's error is fatal: %s" % err)
        S.check(err.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH),
                "the zombie is told it is fenced: %s" % err)

    p.begin_transaction()
    for k in range(2):
        p.produce("fence", value=b"new-%d" % k, partition=0)
    p.commit_transaction(15)
    got = [v for _, _, v in read_all("fence", "read_committed")]
    S.check(got == [b"new-0", b"new-1"], "read_committed sees only the new instance's data: %s" % got)


# ---- transaction timeout ----

def t_timeout():
    create(broker, "slow")
    p = txp("slow-1", **{"transaction.timeout.ms": 3000})
    p.init_transactions(15)
    t0 = time.monotonic()
    p.begin_transaction()
    for k in range(4):
        p.produce("slow", value=b"stalled-%d" % k, partition=0)
    p.flush(15)
    S.check(watermarks("slow", "read_committed")[1] == 0, "the open transaction holds the LSO at 0")
    # the producer now stalls; the broker must abort the transaction on its own
    wait_until(lambda: watermarks("slow", "read_committed")[1] == watermarks("slow", "read_uncommitted")[1] == 5,
               20, interval=0.1, what="the broker to abort the stalled transaction")
    took = time.monotonic() - t0
    print("    aborted by the broker %.1fs after begin (timeout 3.0s)" % took, flush=True)
    S.check(took >= 3.0, "aborted after %.2fs, before transaction.timeout.ms" % took)
    S.check("timed out" in broker.log(), "the broker log names the timeout")
    S.check(read_all("slow", "read_committed") == [], "the stalled transaction's data is never visible")
    S.check(len(read_all("slow", "read_uncommitted")) == 4, "the stalled data is in the log (aborted)")
    err = None
    try:
        p.commit_transaction(15)
    except KafkaException as e:
        err = e.args[0]
    S.check(err is not None, "the stalled producer could commit after the broker aborted")
    if err is not None:
        print("    stalled producer's commit: %s (fatal=%s abortable=%s)" % (
            err, err.fatal(), err.txn_requires_abort()), flush=True)
        S.check(err.fatal() or err.txn_requires_abort(), "a fatal or abortable error: %s" % err)
    S.check(read_all("slow", "read_committed") == [], "still nothing visible after the late commit attempt")


def t_timeout_after_restart():
    create(broker, "slow2")
    p = txp("slow-2", **{"transaction.timeout.ms": 4000})
    p.init_transactions(15)
    p.begin_transaction()
    for k in range(3):
        p.produce("slow2", value=b"orphan-%d" % k, partition=0)
    p.flush(15)
    broker.kill()  # the producer is never heard from again
    broker.start()
    S.check(watermarks("slow2", "read_committed")[1] == 0, "after the restart the open transaction holds the LSO")
    wait_until(lambda: watermarks("slow2", "read_committed")[1] == watermarks("slow2", "read_uncommitted")[1] == 4,
               20, interval=0.1, what="the recovered transaction to be aborted by its timeout")
    S.check(read_all("slow2", "read_committed") == [], "the orphaned transaction's data is never visible")
    del p


# ---- a lost AddPartitionsToTxn record (power loss), repaired at start ----
# AddPartitionsToTxn is answered before its __transaction_state record is
# durable (the transactional Produce waits for it instead). A power loss can
# therefore keep a partition's data and lose the record that added the
# partition. SIGKILL keeps the page cache, so the loss is simulated: the
# broker is killed and __transaction_state's log cut back to an earlier
# size (a batch boundary), as if the last records never reached the disk.

def txn_state_log(b):
    return os.path.join(b.data_dir, "__transaction_state-0", "00000000000000000000.log")


def cut_txn_state(b, size):
    b.kill()
    with open(txn_state_log(b), "r+b") as f:
        f.truncate(size)
    b.start()


def t_lost_add_joins():
    """The transaction is still Ongoing (its first partition's record
    survived): the partition whose record was lost joins it at start, and
    the producer's commit covers both partitions."""
    create(broker, "lostadd", parts=2)
    p = txp("lost-add-1")
    p.init_transactions(15)
    p.begin_transaction()
    p.produce("lostadd", value=b"first", partition=0)
    p.flush(15)
    size = os.path.getsize(txn_state_log(broker))
    p.produce("lostadd", value=b"second", partition=1)
    p.flush(15)
    S.check(os.path.getsize(txn_state_log(broker)) > size, "adding partition 1 appended a record")
    cut_txn_state(broker, size)
    S.check("lostadd-1 has its data from offset 0 but was not recorded in it" in broker.log(),
            "the start-up repair names the partition it added:\n" + broker.log_tail(20))
    p.commit_transaction(30)
    got = sorted((pa, v) for pa, _, v in read_all("lostadd", "read_committed", nparts=2))
    S.check(got == [(0, b"first"), (1, b"second")], "read_committed after the commit: %s" % got)


def t_lost_add_orphan():
    """No Ongoing transaction survived (the record that began it was
    lost): the data is aborted at start, so the LSO moves on, and the
    producer is fenced, so its commit fails instead of reporting success for
    a transaction whose data was thrown away."""
    create(broker, "lostorph")
    p = txp("lost-orph-1")
    p.init_transactions(15)
    size = os.path.getsize(txn_state_log(broker))
    p.begin_transaction()
    p.produce("lostorph", value=b"orphan", partition=0)
    p.flush(15)
    cut_txn_state(broker, size)
    S.check("aborting it and fencing the producer" in broker.log(),
            "the start-up repair aborts and fences:\n" + broker.log_tail(20))
    lo, hi = watermarks("lostorph", "read_committed")
    S.check(hi == 2 and watermarks("lostorph", "read_uncommitted")[1] == 2,
            "the LSO is past the aborted data and its marker (%d)" % hi)
    S.check(read_all("lostorph", "read_committed") == [], "the orphaned data is never visible")
    try:
        p.commit_transaction(30)
        S.check(False, "the commit of the repaired transaction succeeded")
    except KafkaException as e:
        err = e.args[0]
        S.check(err.fatal() or err.txn_requires_abort(), "the commit fails: %s" % err)
    # a new instance takes over and works
    q = txp("lost-orph-1")
    q.init_transactions(15)
    q.begin_transaction()
    q.produce("lostorph", value=b"after", partition=0)
    q.commit_transaction(30)
    got = [v for _, _, v in read_all("lostorph", "read_committed")]
    S.check(got == [b"after"], "read_committed after a new instance commits: %s" % got)


# ---- send_offsets_to_transaction ----

def committed(group, topic, isolation, timeout=10):
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "isolation.level": isolation,
                  "log_level": 3})
    try:
        return c.committed([TopicPartition(topic, 0)], timeout=timeout)[0].offset
    finally:
        c.close()


def t_send_offsets():
    create(broker, "so-in", "so-out")
    plain = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "log_level": 3})
    for k in range(10):
        plain.produce("so-in", value=b"in-%d" % k, partition=0)
    plain.flush(15)
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "so-g", "isolation.level": "read_committed",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest", "log_level": 3})
    c.subscribe(["so-in"])
    got = []
    deadline = time.monotonic() + 30
    while len(got) < 10 and time.monotonic() < deadline:
        got += [m for m in c.consume(10, 0.2) if not m.error()]
    assert len(got) == 10, "consumed %d of 10" % len(got)
    p = txp("so-1")
    p.init_transactions(15)

    def txn(offset):
        p.begin_transaction()
        p.produce("so-out", value=b"for-%d" % offset, partition=0)
        p.send_offsets_to_transaction([TopicPartition("so-in", 0, offset)], c.consumer_group_metadata(), 15)

    txn(10)
    S.check(committed("so-g", "so-in", "read_uncommitted") < 0, "offsets visible while their transaction is open")
    p.abort_transaction(15)
    S.check(committed("so-g", "so-in", "read_uncommitted") < 0, "offsets of an aborted transaction committed")
    S.check(committed("so-g", "so-in", "read_committed") < 0, "offsets of an aborted transaction (stable read)")
    txn(10)
    p.commit_transaction(15)
    S.check(committed("so-g", "so-in", "read_committed") == 10, "offset 10 committed with the transaction")
    txn(6)  # open, with offset 6 pending
    S.check(committed("so-g", "so-in", "read_uncommitted") == 10, "the stored offset stays 10 while pending")
    err = None
    t0 = time.monotonic()
    try:  # require_stable (read_committed): unstable while pending, so the call cannot answer
        committed("so-g", "so-in", "read_committed", timeout=1.5)
    except KafkaException as e:
        err = e.args[0]
    S.check(err is not None, "a require_stable OffsetFetch answered during the transaction")
    print("    require_stable fetch during the transaction: %s after %.1fs" % (err, time.monotonic() - t0))
    p.commit_transaction(15)
    S.check(committed("so-g", "so-in", "read_committed") == 6, "offset 6 committed with the second transaction")
    c.close()
    # a new member of the group starts from the transactionally committed offset
    c2 = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "so-g", "isolation.level": "read_committed",
                   "enable.auto.commit": False, "auto.offset.reset": "earliest", "log_level": 3})
    c2.subscribe(["so-in"])
    got = []
    deadline = time.monotonic() + 30
    while len(got) < 4 and time.monotonic() < deadline:
        got += [m for m in c2.consume(10, 0.2) if not m.error()]
    c2.close()
    S.check([m.offset() for m in got] == [6, 7, 8, 9], "the group resumes at 6: %s" % [m.offset() for m in got])
    out = [v for _, _, v in read_all("so-out", "read_committed")]
    S.check(out == [b"for-10", b"for-6"], "so-out read_committed: %s" % out)
    plain.flush(5)


def t_offsets_across_restart():
    """Transactional offsets pending in __consumer_offsets survive a broker
    SIGKILL as pending: the commit after the restart applies them, an abort
    drops them."""
    create(broker, "sor-in", "sor-out")
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "sor-g", "isolation.level": "read_committed",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest", "log_level": 3})
    c.subscribe(["sor-in"])
    wait_until(lambda: c.consume(1, 0.1) is not None and c.assignment(), 30, what="the consumer's assignment")
    p = txp("sor-1")
    p.init_transactions(15)
    for offset, commit in ((3, True), (9, False)):
        p.begin_transaction()
        p.produce("sor-out", value=b"for-%d" % offset, partition=0)
        p.send_offsets_to_transaction([TopicPartition("sor-in", 0, offset)], c.consumer_group_metadata(), 15)
        p.flush(15)
        broker.kill()
        broker.start()
        S.check(committed("sor-g", "sor-in", "read_uncommitted") == (3 if not commit else -1001),
                "before the decision, after the restart: the pending offset is not stored")
        if commit:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)
        S.check(committed("sor-g", "sor-in", "read_committed") == 3, "after %s: offset %s" % (
            "commit" if commit else "abort", committed("sor-g", "sor-in", "read_uncommitted")))
    c.close()
    out = [v for _, _, v in read_all("sor-out", "read_committed")]
    S.check(out == [b"for-3"], "sor-out read_committed: %s" % out)


# ---- DescribeTransactions / ListTransactions (raw, flexible v0) ----

def uvarint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


class Reader:
    def __init__(self, data):
        self.d, self.i = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.i)
        self.i += struct.calcsize(fmt)
        return v[0]

    def uvarint(self):
        shift = n = 0
        while True:
            byte = self.d[self.i]
            self.i += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return n

    def cstr(self):
        n = self.uvarint() - 1
        v = self.d[self.i:self.i + n].decode() if n >= 0 else None
        self.i += max(n, 0)
        return v

    def carray(self, item):
        return [item() for _ in range(self.uvarint() - 1)]

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.i += self.uvarint()


def flexible_call(api_key, body, version=0):
    """One request with header v2, answered with response header v1."""
    hdr = struct.pack(">hhi", api_key, version, 7) + struct.pack(">h", 8) + b"weirtest" + uvarint(0)
    payload = hdr + body
    with socket.create_connection(("127.0.0.1", broker.port), timeout=10) as sk:
        sk.sendall(struct.pack(">i", len(payload)) + payload)
        corr, data = weirtest.read_response(sk)
    r = Reader(data)
    r.tags()
    return r


def cstrings(xs):
    return uvarint(len(xs) + 1) + b"".join(uvarint(len(x) + 1) + x.encode() for x in xs) if xs is not None else b"\0"


def describe_transactions(ids):
    r = flexible_call(65, cstrings(ids) + uvarint(0))
    r.take(">i")

    def state():
        o = {"error": r.take(">h"), "id": r.cstr(), "state": r.cstr(), "timeout_ms": r.take(">i"),
             "start_ms": r.take(">q"), "pid": r.take(">q"), "epoch": r.take(">h")}

        def topic():
            t = (r.cstr(), sorted(r.carray(lambda: r.take(">i"))))
            r.tags()
            return t
        o["topics"] = dict(r.carray(topic))
        r.tags()
        return o
    return {o["id"]: o for o in r.carray(state)}


def list_transactions(states=()):
    r = flexible_call(66, cstrings(list(states)) + uvarint(1) + uvarint(0))
    r.take(">i")
    err = r.take(">h")
    unknown = r.carray(r.cstr)

    def state():
        o = (r.cstr(), r.take(">q"), r.cstr())
        r.tags()
        return o
    return err, unknown, {i: (pid, st) for i, pid, st in r.carray(state)}


def t_describe_list():
    if not {65, 66} <= set(broker.api_versions()):
        raise weirtest.Skip("DescribeTransactions/ListTransactions not served")
    create(broker, "dl", parts=2)
    p = txp("dl-1", **{"transaction.timeout.ms": 45000})
    p.init_transactions(15)
    p.begin_transaction()
    p.produce("dl", value=b"x", partition=0)
    p.produce("dl", value=b"y", partition=1)
    p.flush(15)
    d = describe_transactions(["dl-1", "no-such-txn"])
    o = d.get("dl-1", {})
    S.check(o.get("error") == 0 and o.get("state") == "Ongoing", "dl-1 is Ongoing: %s" % o)
    S.check(o.get("topics") == {"dl": [0, 1]}, "dl-1's partitions: %s" % o.get("topics"))
    S.check(o.get("timeout_ms") == 45000 and o.get("pid", -1) >= 0 and o.get("start_ms", -1) > 0,
            "timeout, producer id, start time: %s" % o)
    S.check(d.get("no-such-txn", {}).get("error") == 105, "unknown id: TRANSACTIONAL_ID_NOT_FOUND: %s" %
            d.get("no-such-txn"))
    err, unknown, got = list_transactions(["Ongoing", "Bogus"])
    S.check(err == 0 and unknown == ["Bogus"], "ListTransactions error %s, unknown filters %s" % (err, unknown))
    S.check(got.get("dl-1") == (o.get("pid"), "Ongoing"), "dl-1 listed as Ongoing: %s" % got)
    p.commit_transaction(15)
    # EndTxn is answered once the decision is durable (PrepareCommit); the
    # state becomes CompleteCommit once the markers are durable too
    o = describe_transactions(["dl-1"]).get("dl-1", {})
    S.check(o.get("state") in ("PrepareCommit", "CompleteCommit"), "right after the commit: %s" % o)
    wait_until(lambda: describe_transactions(["dl-1"]).get("dl-1", {}).get("state") == "CompleteCommit", 30,
               what="dl-1 to reach CompleteCommit")
    o = describe_transactions(["dl-1"]).get("dl-1", {})
    S.check(o.get("state") == "CompleteCommit" and o.get("topics") == {}, "after the commit: %s" % o)
    _, _, got = list_transactions(["Ongoing"])
    S.check("dl-1" not in got, "dl-1 no longer listed as Ongoing: %s" % got)
    _, _, got = list_transactions()
    S.check(got.get("dl-1", (0, ""))[1] == "CompleteCommit", "all transactions: %s" % got)


def init_producer_id(txn_id, pid, epoch, version):
    """InitProducerId v3+ (flexible, with the KIP-360 producer id/epoch):
    (error, producer id, epoch)."""
    r = flexible_call(22, uvarint(len(txn_id) + 1) + txn_id.encode() + struct.pack(">iqh", 60000, pid, epoch) +
                      uvarint(0), version)
    r.take(">i")
    return r.take(">h"), r.take(">q"), r.take(">h")


def t_kip360_fencing():
    """InitProducerId with the caller's producer id and epoch (KIP-360, sent
    by clients recovering from an abortable error): only the current epoch is
    bumped, a retry of that call gets the same answer, and a fenced (older)
    epoch is refused: a zombie must not take its id back from the producer
    that fenced it."""
    e, pid, e0 = init_producer_id("kip360", -1, -1, 3)
    assert e == 0, "first InitProducerId: error %d" % e
    S.check(init_producer_id("kip360", -1, -1, 3) == (0, pid, e0 + 1), "a new instance bumps the epoch")
    S.check(init_producer_id("kip360", pid, e0, 3)[0] == 47, "v3: the zombie's old epoch gets INVALID_PRODUCER_EPOCH")
    S.check(init_producer_id("kip360", pid, e0, 4)[0] == 90, "v4: the zombie's old epoch gets PRODUCER_FENCED")
    S.check(init_producer_id("kip360", pid, e0 + 1, 4) == (0, pid, e0 + 2), "the current epoch is bumped")
    S.check(init_producer_id("kip360", pid, e0 + 1, 4) == (0, pid, e0 + 2), "a retry of that call: same answer")
    S.check(init_producer_id("kip360", pid + 1000, e0 + 2, 4)[0] == 49, "another producer id: "
            "INVALID_PRODUCER_ID_MAPPING")
    S.check(init_producer_id("kip360", -1, -1, 4) == (0, pid, e0 + 3), "a new instance")
    S.check(init_producer_id("kip360", pid, e0 + 2, 4)[0] == 90, "the instance it fenced cannot come back")
    # a real client still works on that id afterwards
    p = txp("kip360")
    p.init_transactions(15)
    create(broker, "kip360")
    p.begin_transaction()
    p.produce("kip360", value=b"ok", partition=0)
    p.commit_transaction(15)
    S.check([v for _, _, v in read_all("kip360", "read_committed")] == [b"ok"], "a transaction after all that")


# ---- consume-transform-produce under SIGKILL ----

class Loop:
    """txn_loop.py as a child process; restarts count incarnations."""

    def __init__(self, b, inp, out, group, txn_id, tmp):
        self.b, self.args = b, [inp, out, group, txn_id]
        self.progress = os.path.join(tmp, "progress-%s" % group)
        self.errlog = os.path.join(tmp, "loop-%s.log" % group)
        self.proc = None
        self.incarnations = 0
        self.fatal_exits = 0

    def start(self):
        self.incarnations += 1
        with open(self.errlog, "ab") as f:
            self.proc = subprocess.Popen([PY, os.path.join(HERE, "txn_loop.py"), self.b.bootstrap] + self.args +
                                         [self.progress, str(SEED + self.incarnations)],
                                         stdout=f, stderr=f, stdin=subprocess.DEVNULL)

    def commits(self):
        try:
            with open(self.progress) as f:
                return sum(1 for _ in f)
        except OSError:
            return 0

    def check_alive(self):
        """Restarts the loop if it exited on its own (a fatal error)."""
        if self.proc.poll() is not None:
            self.fatal_exits += 1
            assert self.fatal_exits <= 10, "the loop keeps exiting (status %s); log:\n%s" % (
                self.proc.returncode, self.log_tail())
            self.start()
        return True

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def log_tail(self, n=30):
        try:
            with open(self.errlog) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def group_done(b, group, topic, ends):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group, "log_level": 3})
    try:
        got = c.committed([TopicPartition(topic, p) for p in range(len(ends))], timeout=10)
        return [tp.offset for tp in got] == ends
    finally:
        c.close()


def ctp(b, name, kill_loop, kill_broker, n_in=3000, parts=3, both_every=0, zombies=0):
    """The loop over n_in inputs with kill_loop SIGKILLs of the loop, then
    `zombies` rounds where the loop is frozen (SIGSTOP), a new incarnation
    started and, once that one makes progress, the frozen one resumed
    (SIGCONT): a live zombie that must be fenced; then kill_broker SIGKILLs
    of the broker (every both_every-th of those kills the loop too, while the
    broker is down: the next incarnation finds its open transaction in the
    restarted broker and aborts it)."""
    zombie_exits = []
    inp, out, group, txn_id = name + "-in", name + "-out", name + "-g", name + "-txn"
    create(b, inp, out, parts=parts)
    pre = Producer({"bootstrap.servers": b.bootstrap, "enable.idempotence": True, "linger.ms": 5, "log_level": 3})
    for i in range(n_in):
        pre.produce(inp, key=b"k%d" % i, value=b"%d" % i)
    assert pre.flush(30) == 0, "pre-produce incomplete"
    ends = [watermarks(inp, "read_uncommitted", p, b)[1] for p in range(parts)]
    assert sum(ends) == n_in, "input ends %s" % ends
    loop = Loop(b, inp, out, group, txn_id, b.tmp)
    loop.start()
    t0 = time.monotonic()
    try:
        for k in range(kill_loop + zombies + kill_broker):
            before = loop.commits()
            try:
                wait_until(lambda: loop.check_alive() and loop.commits() >= before + 3, 45, interval=0.02,
                           what="loop progress in round %d" % k)
            except TimeoutError:
                assert not group_done(b, group, inp, ends), "the whole input was processed before kill %d: " \
                    "make the input larger" % (k + 1)
                raise
            time.sleep(rng.uniform(0.0, 0.3))  # the random moment of the kill (not a pass condition)
            if k < kill_loop:
                loop.kill()
                loop.start()
            elif k < kill_loop + zombies:
                old = loop.proc
                old.send_signal(signal.SIGSTOP)
                loop.start()  # init_transactions fences the frozen one
                mark = loop.commits()
                wait_until(lambda: loop.check_alive() and loop.commits() >= mark + 3, 45, interval=0.02,
                           what="the new incarnation's progress while the old one is frozen")
                old.send_signal(signal.SIGCONT)
                try:  # it dies fenced at its next transactional call, if it gets work before the input runs out
                    zombie_exits.append(old.wait(10))
                except subprocess.TimeoutExpired:
                    old.kill()
                    old.wait()
                    zombie_exits.append("idle")
            else:
                b.kill()
                both = both_every and (k - kill_loop) % both_every == both_every - 1
                if both:
                    loop.kill()
                b.start()
                if both:
                    loop.start()
        wait_until(lambda: loop.check_alive() and group_done(b, group, inp, ends), 60, interval=0.2,
                   what="the group's committed offsets to reach the input's end %s" % ends)
        loop.proc.send_signal(signal.SIGTERM)
        rc = loop.proc.wait(30)
        S.check(rc == 0, "the loop's clean exit: status %s" % rc)
    except Exception:
        print("---- loop log:\n" + loop.log_tail(), flush=True)
        raise
    finally:
        if loop.proc.poll() is None:
            loop.kill()
    took = time.monotonic() - t0
    rc_out = read_all(out, "read_committed", parts, b)
    ru_out = read_all(out, "read_uncommitted", parts, b)
    counts = collections.Counter(v for _, _, v in rc_out)
    missing = [i for i in range(n_in) if counts[b"out:%d" % i] == 0]
    dups = sorted(v for v, c in counts.items() if c > 1)
    extra = sorted(v for v in counts if not v.startswith(b"out:") or not (0 <= int(v[4:]) < n_in))
    print("    %s: %d inputs, %d commits by %d incarnations (%d fatal exits), %d kills of the loop, %d of the "
          "broker, %.1fs; output: %d committed, %d aborted records in the log" % (
              name, n_in, loop.commits(), loop.incarnations, loop.fatal_exits, kill_loop, kill_broker, took,
              len(rc_out), len(ru_out) - len(rc_out)), flush=True)
    if zombies:
        print("    resumed zombies: %s (2 = died of a fatal error: fenced; idle = no transactional call within 10 s "
              "of SIGCONT, killed)" % zombie_exits, flush=True)
        S.check(all(x in (2, "idle") for x in zombie_exits), "a resumed zombie exited otherwise: %s" % zombie_exits)
    S.check(not missing, "%d inputs missing from the output, e.g. %s" % (len(missing), missing[:5]))
    S.check(not dups, "%d outputs duplicated, e.g. %s" % (len(dups), dups[:5]))
    S.check(not extra, "unexpected outputs: %s" % extra[:5])
    S.check(len(rc_out) == n_in, "%d committed outputs for %d inputs" % (len(rc_out), n_in))


def t_ctp_loop_kills():
    ctp(broker, "ctp", LOOP_KILLS, 0)


def t_ctp_zombies():
    ctp(broker, "ctpz", 0, 0, n_in=3000, zombies=2)


def t_ctp_broker_kills():
    b2 = S.broker(OVERRIDES, name="weir-kill")
    ctp(b2, "ctpb", 0, BROKER_KILLS, both_every=2)
    S.check("recover" in b2.log().lower() or "completing" in b2.log().lower(), "the broker log shows recovery")


ONLY = os.environ.get("TXN_ONLY", "")  # run only the tests whose function name contains this
_run = S.run
S.run = lambda name, fn: _run(name, fn) if ONLY in fn.__name__ else None
S.run("commit and abort: read_committed / read_uncommitted visibility, no control records", t_commit_abort)
S.run("LSO: read_committed stops at an open transaction, ListOffsets latest = LSO", t_lso)
S.run("two transactions and a plain producer interleaved on one partition: abort one, commit the other",
      t_interleaved)
S.run("zombie fencing: a second producer with the same transactional.id", t_fencing)
S.run("transaction.timeout.ms: a stalled transaction is aborted by the broker", t_timeout)
S.run("transaction.timeout.ms: an open transaction recovered after a broker SIGKILL is aborted",
      t_timeout_after_restart)
S.run("a lost AddPartitionsToTxn record (simulated power loss): the partition joins its Ongoing transaction",
      t_lost_add_joins)
S.run("a lost AddPartitionsToTxn record (simulated power loss): orphaned data aborted, the producer fenced",
      t_lost_add_orphan)
S.run("send_offsets_to_transaction: group offsets only with the commit", t_send_offsets)
S.run("send_offsets_to_transaction: pending offsets across a broker SIGKILL, then commit / abort",
      t_offsets_across_restart)
S.run("DescribeTransactions / ListTransactions (flexible v0) for an open and a committed transaction",
      t_describe_list)
S.run("InitProducerId with the caller's id/epoch (KIP-360): a fenced epoch cannot take the id back",
      t_kip360_fencing)
S.run("consume-transform-produce loop, %d SIGKILLs of the loop (seed %d): exactly once" % (LOOP_KILLS, SEED),
      t_ctp_loop_kills)
S.run("consume-transform-produce loop frozen (SIGSTOP) twice while a new incarnation takes over, then resumed: "
      "the zombie is fenced, exactly once", t_ctp_zombies)
S.run("consume-transform-produce loop, %d SIGKILLs of the broker (seed %d): exactly once" % (BROKER_KILLS, SEED),
      t_ctp_broker_kills)
S.finish()
