"""test_kafka_python.py: kafka-python 2.0.2 against a fresh broker (run by test_kafka_python.sh).

kafka-python probes ApiVersions v0 and Metadata v0, guesses the broker version
from the advertised maxima and picks its message format from that guess: the
first test checks it lands on >= (0, 11), i.e. record batch v2 (magic 2).
Then: producer (acks=all, acks=1, several partitions, keys/values/headers/
timestamps), consumer by assign/seek with CRC checks on, end offsets,
offsets_for_times, and KafkaAdminClient create/delete topics (skipped while the
broker does not serve them).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import wait_until  # noqa: E402

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic  # noqa: E402
from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError  # noqa: E402

S = weirtest.Suite("kafkapython")
broker = S.broker({"num.partitions": "3"})
BOOT = broker.bootstrap
BASE_TS = 1_650_000_000_000


def producer(**kw):
    return KafkaProducer(bootstrap_servers=BOOT, request_timeout_ms=30000, linger_ms=5, **kw)


def consumer(**kw):
    # no group_id: kafka-python then needs no coordinator; assign() only
    return KafkaConsumer(bootstrap_servers=BOOT, group_id=None, enable_auto_commit=False,
                         check_crcs=True, consumer_timeout_ms=3000, fetch_max_wait_ms=100, **kw)


def messages(n, partitions):
    return [dict(partition=i % partitions, key=b"k%d" % i,
                 value=b"v%d:" % i + bytes(j % 256 for j in range(i * 3 % 500)),
                 headers=[("n", str(i).encode()), ("empty", b"")], timestamp_ms=BASE_TS + i)
            for i in range(n)]


def produce(p, topic, msgs):
    futs = [p.send(topic, **m) for m in msgs]
    p.flush(60)
    return [f.get(timeout=60) for f in futs]


def read_all(topic, partition, start=0, expect=None, timeout=30):
    c = consumer()
    try:
        tp = TopicPartition(topic, partition)
        c.assign([tp])
        c.seek(tp, start)
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = c.poll(timeout_ms=500)
            for recs in batch.values():
                out.extend(recs)
            if expect is not None and len(out) >= expect:
                break
            if expect is None and c.position(tp) >= c.end_offsets([tp])[tp]:
                break
        return out
    finally:
        c.close()


def check_topic(topic, msgs, metas, partitions):
    for p in range(partitions):
        sent = [(m, md) for m, md in zip(msgs, metas) if m["partition"] == p]
        assert [md.offset for _, md in sent] == list(range(len(sent))), "partition %d acked offsets not dense" % p
        got = read_all(topic, p, expect=len(sent))
        assert len(got) == len(sent), "partition %d: read %d, sent %d" % (p, len(got), len(sent))
        for r, (m, md) in zip(got, sent):
            assert r.offset == md.offset, (r.offset, md.offset)
            assert (r.key, r.value, list(r.headers), r.timestamp, r.timestamp_type) == (
                m["key"], m["value"], m["headers"], m["timestamp_ms"], 0), \
                "partition %d offset %d: got %r" % (p, r.offset, (r.key, r.value[:20], r.headers, r.timestamp, r.timestamp_type))


def t_version_probe():
    p = producer()
    try:
        v = p.config["api_version"]
        assert v >= (0, 11), "kafka-python guessed broker version %s (< 0.11: old message format)" % (v,)
        print("    kafka-python guessed api_version %s" % (v,))
        # and the message format it writes is v2: headers are only possible in v2
        md = p.send("probe", b"x", headers=[("h", b"1")]).get(timeout=30)
        assert md.offset == 0
    finally:
        p.close()


def t_produce_acks_all():
    msgs = messages(240, 3)
    metas = produce(producer(acks="all"), "kp-all", msgs)
    check_topic("kp-all", msgs, metas, 3)


def t_produce_acks_1_compressed():
    for codec in (None, "gzip", "lz4", "zstd"):
        topic = "kp-one-%s" % codec
        msgs = messages(90, 2)
        try:
            p = producer(acks=1, compression_type=codec)
        except AssertionError as e:  # codec library missing in this Python
            print("    codec %s not available here: %s" % (codec, e))
            continue
        metas = produce(p, topic, msgs)
        check_topic(topic, msgs, metas, 2)


def t_seek_and_offsets():
    topic = "kp-seek"
    msgs = [dict(m, partition=0) for m in messages(50, 1)]
    produce(producer(acks="all"), topic, msgs)
    got = read_all(topic, 0, start=20, expect=30)
    assert [r.offset for r in got] == list(range(20, 50)), [r.offset for r in got][:5]
    c = consumer()
    try:
        tp = TopicPartition(topic, 0)
        assert c.beginning_offsets([tp])[tp] == 0
        assert c.end_offsets([tp])[tp] == 50
        r = c.offsets_for_times({tp: BASE_TS + 17})[tp]
        assert r is not None and r.offset == 17 and r.timestamp == BASE_TS + 17, r
        r = c.offsets_for_times({tp: BASE_TS + 1000})[tp]
        assert r is None, r
        # seek_to_end then new data arrives
        c.assign([tp])
        c.seek_to_end(tp)
        assert c.position(tp) == 50
        produce(producer(acks="all"), topic, [dict(msgs[0], timestamp_ms=None)])
        got = []
        wait_until(lambda: got.extend(sum(c.poll(timeout_ms=500).values(), [])) or got, 30, what="new message")
        assert [g.offset for g in got] == [50], [g.offset for g in got]
    finally:
        c.close()


def t_metadata():
    c = consumer()
    try:
        wait_until(lambda: "kp-all" in c.topics(), 30, what="topic list")
        assert c.partitions_for_topic("kp-all") == {0, 1, 2}, c.partitions_for_topic("kp-all")
    finally:
        c.close()


def t_admin():
    S.require_api(broker, "CreateTopics")
    a = KafkaAdminClient(bootstrap_servers=BOOT, request_timeout_ms=30000)
    try:
        a.create_topics([NewTopic("kp-adm", num_partitions=4, replication_factor=1,
                                  topic_configs={"retention.ms": "100000"})], timeout_ms=15000)
        try:
            a.create_topics([NewTopic("kp-adm", 1, 1)], timeout_ms=15000)
            raise AssertionError("duplicate create succeeded")
        except TopicAlreadyExistsError:
            pass
        c = consumer()
        try:
            wait_until(lambda: c.partitions_for_topic("kp-adm") == {0, 1, 2, 3}, 30, what="4 partitions")
        finally:
            c.close()
        msgs = messages(40, 4)
        metas = produce(producer(acks="all"), "kp-adm", msgs)
        check_topic("kp-adm", msgs, metas, 4)
        if broker.serves(weirtest.API["DescribeConfigs"]):
            from kafka.admin import ConfigResource, ConfigResourceType
            resp = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-adm")])
            entries = {}
            for r in resp:
                for (_err, _msg, _rtype, _rname, cfgs) in r.resources:
                    assert _err == 0, (_err, _msg)
                    for c in cfgs:
                        entries[c[0]] = c[1]
            assert entries.get("retention.ms") == "100000", entries.get("retention.ms")
            assert entries.get("cleanup.policy") == "delete", entries.get("cleanup.policy")
        if broker.serves(weirtest.API["AlterConfigs"]):
            from kafka.admin import ConfigResource, ConfigResourceType
            a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-adm", configs={"retention.ms": "200000"})])
            resp = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-adm", configs={"retention.ms": None})])
            vals = [c[1] for r in resp for res in r.resources for c in res[4]]
            assert vals == ["200000"], vals
        if broker.serves(weirtest.API["CreatePartitions"]):
            a.create_partitions({"kp-adm": NewPartitions(6)})
            c = consumer()
            try:
                wait_until(lambda: c.partitions_for_topic("kp-adm") == set(range(6)), 30, what="6 partitions")
            finally:
                c.close()
        if broker.serves(weirtest.API["DeleteTopics"]):
            a.delete_topics(["kp-adm"], timeout_ms=15000)
            try:
                a.delete_topics(["kp-adm"], timeout_ms=15000)
                raise AssertionError("second delete succeeded")
            except UnknownTopicOrPartitionError:
                pass
    finally:
        a.close()


S.run("version probe picks record batch v2 (api_version >= 0.11)", t_version_probe)
S.run("produce acks=all, 3 partitions, read back with assign", t_produce_acks_all)
S.run("produce acks=1, compression codecs", t_produce_acks_1_compressed)
S.run("seek, beginning/end offsets, offsets_for_times, seek_to_end", t_seek_and_offsets)
S.run("topics and partitions_for_topic", t_metadata)
S.run("admin create topics (and configs, partitions, delete)", t_admin)
S.finish()
