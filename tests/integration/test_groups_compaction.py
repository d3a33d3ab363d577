#!/usr/bin/python3
"""test_groups_compaction: __consumer_offsets is a compacted topic.

With small segments on __consumer_offsets (AlterConfigs), many commits of
changing offsets and a deleted group (tombstones), the broker's cleaner
shrinks the log; after a restart (and after kill -9) the loaded offsets are
the newest committed ones and the deleted group stays deleted."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition  # noqa: E402
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

S = weirtest.Suite("groups_compaction")
broker = S.broker({"log.cleaner.backoff.ms": "200"})
PARTS = 20
ROUNDS = 150


def admin():
    return KafkaAdminClient(bootstrap_servers=broker.bootstrap)


def offsets_log():
    """(records readable from the start, log end offset) of __consumer_offsets-0.
    (Read with librdkafka: kafka-python 2.0.2 trips over the empty batches a
    cleaner may leave, as it does with Kafka's.)"""
    from confluent_kafka import Consumer, TopicPartition as CTP
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "reader", "enable.auto.commit": False,
                  "enable.partition.eof": True})
    lo, hi = c.get_watermark_offsets(CTP("__consumer_offsets", 0), timeout=10)
    c.assign([CTP("__consumer_offsets", 0, 0)])
    n = 0
    while True:
        m = c.poll(10)
        assert m is not None, "timed out reading __consumer_offsets"
        if m.error():
            break  # partition EOF
        n += 1
    c.close()
    return n, hi


def committed(group):
    a = admin()
    try:
        return {tp.partition: om.offset for tp, om in a.list_consumer_group_offsets(group).items()}
    finally:
        a.close()


def t_compacted():
    a = admin()
    a.create_topics([NewTopic("cmp", PARTS, 1)])
    cfg = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "__consumer_offsets")])
    entries = {e[0]: e[1] for e in cfg[0].resources[0][4]}
    assert entries["cleanup.policy"] == "compact", entries
    a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "__consumer_offsets", configs={
        "cleanup.policy": "compact", "retention.ms": "-1", "retention.bytes": "-1", "segment.bytes": "20000",
        "min.cleanable.dirty.ratio": "0.01", "delete.retention.ms": "100"})])
    a.close()
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="cg", enable_auto_commit=False)
    tps = [TopicPartition("cmp", p) for p in range(PARTS)]
    for r in range(1, ROUNDS + 1):
        c.commit({tp: OffsetAndMetadata(r * 10 + tp.partition, "") for tp in tps})
    c.close()
    d = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="dg", enable_auto_commit=False)
    for r in range(1, 20):
        d.commit({tp: OffsetAndMetadata(r, "") for tp in tps})
    d.close()
    a = admin()
    a.delete_consumer_groups(["dg"])
    a.close()
    # more commits roll segments so the tombstones' segment is closed (cleanable)
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="cg", enable_auto_commit=False)
    for r in range(ROUNDS + 1, ROUNDS + 40):
        c.commit({tp: OffsetAndMetadata(r * 10 + tp.partition, "") for tp in tps})
    c.close()
    final = {p: (ROUNDS + 39) * 10 + p for p in range(PARTS)}
    # written: (ROUNDS + 39 + 19) * PARTS offset records and more; the cleaner keeps ~the newest per key
    wait_until(lambda: offsets_log()[0] * 4 < offsets_log()[1], 60,
               what="the cleaner compacting __consumer_offsets (records readable vs log end: %s)" % (offsets_log(),))
    assert committed("cg") == final
    broker.restart()
    assert committed("cg") == final, "after a restart"
    assert committed("dg") == {}, "the deleted group came back"
    broker.restart(kill=True)
    assert committed("cg") == final, "after kill -9"
    assert committed("dg") == {}, "the deleted group came back after kill -9"


S.run("__consumer_offsets compacts; offsets and deletions survive restarts", t_compacted)
S.finish()
