"""txn_loop.py: a consume-transform-produce loop with exactly-once semantics,
run as its own process by test_txn_confluent.py (which kills it with SIGKILL
and restarts it, or kills the broker under it).

    txn_loop.py BOOTSTRAP INPUT OUTPUT GROUP TXN_ID PROGRESS_FILE SEED

It reads INPUT with consumer group GROUP (read_committed, no auto commit) and,
for every few messages (1..8, from SEED), runs one transaction: produce
"out:<input value>" to OUTPUT with the input's key and a header naming the
input partition/offset, send the consumed positions with
send_offsets_to_transaction, commit. After each commit it appends a line
"<commits> <messages>" to PROGRESS_FILE (the test's progress signal).

Errors follow the standard pattern: retriable -> retry the call; abortable ->
abort_transaction, rewind the consumer to the committed offsets, go on;
fatal (fenced, ...) -> exit status 2 (the test restarts the process).
SIGTERM: finish the current transaction, close cleanly, exit 0.
"""
import os
import random
import signal
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition

bootstrap, inp, out, group, txn_id, progress, seed = sys.argv[1:8]
rng = random.Random(int(seed))
stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)

consumer = Consumer({
    "bootstrap.servers": bootstrap, "group.id": group, "isolation.level": "read_committed",
    "enable.auto.commit": False, "auto.offset.reset": "earliest", "session.timeout.ms": 3000,
    "heartbeat.interval.ms": 300, "max.poll.interval.ms": 30000, "fetch.wait.max.ms": 50,
    "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200, "log_level": 3,
})
producer = Producer({
    "bootstrap.servers": bootstrap, "transactional.id": txn_id, "transaction.timeout.ms": 10000,
    "linger.ms": 1, "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200, "log_level": 3,
})


def log(msg):
    sys.stderr.write("[txn_loop %d] %s\n" % (os.getpid(), msg))
    sys.stderr.flush()


def retrying(fn, *args):
    """Runs fn, retrying while the error is retriable; raises otherwise."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return fn(*args)
        except KafkaException as e:
            err = e.args[0]
            if err.retriable() and not err.fatal() and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise


def rewind():
    """Seeks every assigned partition back to its committed offset."""
    parts = consumer.assignment()
    if not parts:
        return
    committed = retrying(consumer.committed, parts, 10)
    for tp in committed:
        off = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
        consumer.seek(TopicPartition(tp.topic, tp.partition, off))


def fatal_exit(e):
    log("fatal: %r" % (e,))
    os._exit(2)


try:
    retrying(producer.init_transactions, 30)
except KafkaException as e:
    fatal_exit(e)
consumer.subscribe([inp])
commits = 0
messages = 0
with open(progress, "a") as pf:
    while not stopping:
        msgs = consumer.consume(num_messages=rng.randint(1, 8), timeout=0.2)
        msgs = [m for m in msgs if not m.error()]
        if not msgs:
            continue
        try:
            producer.begin_transaction()
            pos = {}
            for m in msgs:
                producer.produce(out, key=m.key(), value=b"out:" + m.value(),
                                 headers=[("src", b"%d:%d" % (m.partition(), m.offset()))])
                pos[m.partition()] = m.offset() + 1
            producer.poll(0)
            offsets = [TopicPartition(inp, p, o) for p, o in sorted(pos.items())]
            retrying(producer.send_offsets_to_transaction, offsets, consumer.consumer_group_metadata(), 30)
            retrying(producer.commit_transaction, 30)
        except KafkaException as e:
            err = e.args[0]
            if err.fatal():
                fatal_exit(e)
            if err.txn_requires_abort():
                log("abortable: %r: aborting, rewinding" % (err,))
                try:
                    retrying(producer.abort_transaction, 30)
                    rewind()
                except KafkaException as e2:
                    fatal_exit(e2)
                continue
            fatal_exit(e)  # neither retriable in time nor abortable
        commits += 1
        messages += len(msgs)
        pf.write("%d %d\n" % (commits, messages))
        pf.flush()
log("SIGTERM: %d commits, %d messages; closing" % (commits, messages))
consumer.close()
producer.flush(10)
sys.exit(0)
