"""test_confluent.py: python3-confluent-kafka (librdkafka 2.0.2) against a fresh broker.

Run by test_confluent.sh with Debian's Python ($PY). Producer with delivery
reports (acks=all and acks=1, several partitions), consumer by assign/seek
(never subscribe, never commit), keys/values/headers/timestamps compared,
metadata, watermarks, offsets_for_times, and AdminClient topic and config
operations (skipped, not failed, while the broker does not advertise the API).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import Skip, wait_until  # noqa: E402

from confluent_kafka import (Consumer, KafkaError, KafkaException, Producer,  # noqa: E402
                             TopicPartition, TIMESTAMP_CREATE_TIME, OFFSET_BEGINNING, OFFSET_END)
from confluent_kafka.admin import (AdminClient, ConfigResource, NewPartitions,  # noqa: E402
                                   NewTopic)

S = weirtest.Suite("confluent")
broker = S.broker({"num.partitions": "4"})
BOOT = broker.bootstrap
BASE_TS = 1_600_000_000_000  # explicit CreateTime values, far from now


def producer(**extra):
    conf = {"bootstrap.servers": BOOT, "enable.idempotence": False, "linger.ms": 5, "log_level": 3,
            "message.timeout.ms": 30000}
    conf.update(extra)
    return Producer(conf)


def consumer(**extra):
    conf = {"bootstrap.servers": BOOT, "group.id": "weir-test-unused",
            "enable.auto.commit": False, "enable.auto.offset.store": False,
            "enable.partition.eof": True, "auto.offset.reset": "error",
            "fetch.wait.max.ms": 100, "log_level": 3}
    conf.update(extra)
    return Consumer(conf)


def make_messages(topic, n, partitions):
    """n messages spread over partitions, each with key, value, headers and an
    explicit timestamp (CreateTime)."""
    out = []
    for i in range(n):
        out.append({
            "topic": topic, "partition": i % partitions,
            "key": b"key-%d" % i,
            "value": (b"value-%d-" % i) + bytes((i * 7 + j) % 256 for j in range(i % 300)),
            "headers": [("seq", str(i).encode()), ("h-bin", bytes([0, 1, 255, i % 256])),
                        ("seq", b"dup-key-%d" % i)],
            "timestamp": BASE_TS + i * 10,
        })
    if n >= 10:
        out[3]["key"] = None          # null key
        out[5]["value"] = None        # null value (tombstone)
        out[7]["headers"] = []        # no headers
        out[9]["value"] = b""         # empty value
    return out


def produce_all(p, msgs):
    """Produces msgs; returns the delivery reports in sending order as
    (err, partition, offset, timestamp)."""
    reports = [None] * len(msgs)

    def cb(idx):
        def f(err, m):
            reports[idx] = (err, m.partition() if m is not None else None, m.offset() if m is not None else None,
                            m.timestamp() if m is not None else None)
        return f
    for i, m in enumerate(msgs):
        while True:
            try:
                p.produce(m["topic"], value=m["value"], key=m["key"], partition=m["partition"],
                          headers=m["headers"] or None, timestamp=m["timestamp"], on_delivery=cb(i))
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    left = p.flush(60)
    assert left == 0, "%d messages not delivered after 60 s" % left
    return reports


def check_reports(msgs, reports):
    """Every message acked without error; offsets dense per partition in send order."""
    errs = [(i, r) for i, r in enumerate(reports) if r is None or r[0] is not None]
    assert not errs, "delivery errors: %s" % errs[:5]
    by_part = {}
    for m, r in zip(msgs, reports):
        assert r[1] == m["partition"], (r, m["partition"])
        by_part.setdefault(r[1], []).append(r[2])
    for p, offs in by_part.items():
        assert offs == list(range(len(offs))), "partition %d offsets not dense: %s" % (p, offs[:20])
    return by_part


def read_partition(topic, partition, start=OFFSET_BEGINNING, c=None, max_msgs=None, timeout=30, **conf):
    """Reads from start until partition EOF (or max_msgs); returns the messages."""
    own = c is None
    c = c or consumer(**conf)
    try:
        c.assign([TopicPartition(topic, partition, start)])
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    break
                raise KafkaException(m.error())
            out.append(m)
            if max_msgs and len(out) >= max_msgs:
                break
        else:
            raise TimeoutError("no EOF on %s[%d] within %ds (%d read)" % (topic, partition, timeout, len(out)))
        return out
    finally:
        if own:
            c.close()


def same_message(got, want):
    hdrs = got.headers() or []
    return (got.key() == want["key"] and got.value() == want["value"] and
            list(hdrs) == list(want["headers"]) and
            got.timestamp() == (TIMESTAMP_CREATE_TIME, want["timestamp"]))


def read_partitions(topic, partitions, timeout=30, **conf):
    """Reads partitions 0..partitions-1 from the beginning with one consumer
    until each reports EOF; returns {partition: [messages]}."""
    c = consumer(**conf)
    try:
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        out = {p: [] for p in range(partitions)}
        eof = set()
        deadline = time.monotonic() + timeout
        while len(eof) < partitions:
            if time.monotonic() > deadline:
                raise TimeoutError("no EOF on %s partitions %s within %ds" % (
                    topic, sorted(set(range(partitions)) - eof), timeout))
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                    continue
                raise KafkaException(m.error())
            out[m.partition()].append(m)
        return out
    finally:
        c.close()


def check_readback(topic, msgs, reports, partitions, **conf):
    got_all = read_partitions(topic, partitions, **conf)
    for p in range(partitions):
        want = [(m, r) for m, r in zip(msgs, reports) if m["partition"] == p]
        got = got_all[p]
        assert len(got) == len(want), "partition %d: %d read, %d sent" % (p, len(got), len(want))
        for g, (m, r) in zip(got, want):
            assert g.offset() == r[2], "partition %d: offset %d, acked %d" % (p, g.offset(), r[2])
            assert same_message(g, m), "partition %d offset %d differs: got key=%r value=%r headers=%r ts=%r; want %r" % (
                p, g.offset(), g.key(), (g.value() or b"")[:40], g.headers(), g.timestamp(),
                {k: (v[:40] if isinstance(v, bytes) else v) for k, v in m.items()})


def t_produce_acks_all():
    msgs = make_messages("acks-all", 400, 4)
    reports = produce_all(producer(acks="all"), msgs)
    check_reports(msgs, reports)
    check_readback("acks-all", msgs, reports, 4)


def t_produce_acks_1():
    msgs = make_messages("acks-one", 300, 3)
    # the topic auto-creates with 4 partitions; the messages use 0..2, partition 3 stays empty
    reports = produce_all(producer(acks=1, **{"compression.type": "none"}), msgs)
    check_reports(msgs, reports)
    check_readback("acks-one", msgs, reports, 3)
    assert read_partition("acks-one", 3) == [], "partition 3 should be empty"


def t_produce_compressed():
    # librdkafka compresses whole batches; the broker stores them as they came
    for codec in ("gzip", "snappy", "lz4", "zstd"):
        topic = "comp-" + codec
        msgs = make_messages(topic, 120, 2)
        reports = produce_all(producer(acks="all", **{"compression.codec": codec}), msgs)
        check_reports(msgs, reports)
        check_readback(topic, msgs, reports, 2)


def t_read_uncommitted():
    msgs = make_messages("iso", 50, 1)
    reports = produce_all(producer(acks="all"), msgs)
    check_reports(msgs, reports)
    check_readback("iso", msgs, reports, 1, **{"isolation.level": "read_uncommitted"})
    check_readback("iso", msgs, reports, 1, **{"isolation.level": "read_committed"})


def t_seek():
    topic = "seek"
    msgs = make_messages(topic, 100, 1)
    check_reports(msgs, produce_all(producer(acks="all"), msgs))
    # assign at the middle
    got = read_partition(topic, 0, start=40)
    assert [m.offset() for m in got] == list(range(40, 100)), [m.offset() for m in got][:5]
    assert same_message(got[0], msgs[40])
    # seek() on an assigned consumer, backwards then forwards
    c = consumer()
    try:
        c.assign([TopicPartition(topic, 0, 90)])
        m = wait_until(lambda: (lambda x: x if x and not x.error() else None)(c.poll(0.5)), 30, what="first message")
        assert m.offset() == 90, m.offset()
        c.seek(TopicPartition(topic, 0, 10))
        m = wait_until(lambda: (lambda x: x if x and not x.error() else None)(c.poll(0.5)), 30, what="message after seek")
        assert m.offset() == 10 and same_message(m, msgs[10]), m.offset()
        c.seek(TopicPartition(topic, 0, 99))
        m = wait_until(lambda: (lambda x: x if x and not x.error() else None)(c.poll(0.5)), 30, what="last message")
        assert m.offset() == 99, m.offset()
        pos = c.position([TopicPartition(topic, 0)])[0].offset
        assert pos == 100, pos
    finally:
        c.close()
    # OFFSET_END: nothing until new messages arrive, then exactly those (long poll wakes up)
    c = consumer(**{"fetch.wait.max.ms": 5000})
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_END)])
        wait_until(lambda: (lambda x: x is not None and x.error() and x.error().code() == KafkaError._PARTITION_EOF)(c.poll(0.5)),
                   30, what="EOF at end")
        p = producer(acks="all")
        extra = make_messages(topic, 5, 1)
        check = produce_all(p, extra)
        assert [r[2] for r in check] == [100, 101, 102, 103, 104], check
        got = []
        deadline = time.monotonic() + 30
        while len(got) < 5 and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got.append(m)
        assert [m.offset() for m in got] == [100, 101, 102, 103, 104], [m.offset() for m in got]
    finally:
        c.close()


def t_metadata_watermarks_times():
    topic = "times"
    msgs = make_messages(topic, 60, 1)
    check_reports(msgs, produce_all(producer(acks="all"), msgs))
    c = consumer()
    try:
        md = c.list_topics(timeout=15)
        assert list(md.brokers) == [0] and md.brokers[0].port == broker.port, md.brokers
        assert md.controller_id == 0, md.controller_id
        t = md.topics[topic]
        assert t.error is None, t.error
        assert sorted(t.partitions) == [0, 1, 2, 3], sorted(t.partitions)
        for p in t.partitions.values():
            assert p.leader == 0 and p.replicas == [0] and p.isrs == [0] and p.error is None, p
        md1 = c.list_topics(topic, timeout=15)
        assert list(md1.topics) == [topic], list(md1.topics)
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=15)
        assert (lo, hi) == (0, 60), (lo, hi)
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 1), timeout=15)
        assert (lo, hi) == (0, 0), (lo, hi)
        # timestamps are BASE_TS + i*10
        q = [TopicPartition(topic, 0, BASE_TS), TopicPartition(topic, 0, BASE_TS + 255)]
        for ts, want in ((BASE_TS - 1, 0), (BASE_TS, 0), (BASE_TS + 255, 26), (BASE_TS + 590, 59),
                         (BASE_TS + 591, -1)):
            r = c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=15)
            assert r[0].error is None and r[0].offset == want, "ts %d: %r, want %d" % (ts, r[0], want)
        del q
    finally:
        c.close()


def t_unknown_partition():
    # producing to a partition that does not exist fails the delivery (no hang)
    p = producer(acks="all", **{"message.timeout.ms": 5000})
    errs = []
    p.produce("acks-all", b"x", partition=17, on_delivery=lambda e, m: errs.append(e))
    p.flush(30)
    assert len(errs) == 1 and errs[0] is not None, errs


# ---- AdminClient ----

def admin():
    return AdminClient({"bootstrap.servers": BOOT})


def result(fut, timeout=30):
    return fut.result(timeout=timeout)


def t_admin_create_delete():
    S.require_api(broker, "CreateTopics")
    S.require_api(broker, "DeleteTopics")
    a = admin()
    fs = a.create_topics([NewTopic("adm-a", num_partitions=3, replication_factor=1,
                                   config={"retention.ms": "3600000"}),
                          NewTopic("adm-b", num_partitions=1, replication_factor=1)], request_timeout=15)
    for f in fs.values():
        assert result(f) is None
    md = a.list_topics(timeout=15)
    assert len(md.topics["adm-a"].partitions) == 3 and len(md.topics["adm-b"].partitions) == 1
    # duplicate -> TOPIC_ALREADY_EXISTS (36)
    try:
        result(a.create_topics([NewTopic("adm-a", 1, 1)])["adm-a"])
        raise AssertionError("duplicate create succeeded")
    except KafkaException as e:
        assert e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS, e
    # replication factor 2 on one node -> INVALID_REPLICATION_FACTOR (38)
    try:
        result(a.create_topics([NewTopic("adm-rf", 1, 2)])["adm-rf"])
        raise AssertionError("replication factor 2 accepted")
    except KafkaException as e:
        assert e.args[0].code() == KafkaError.INVALID_REPLICATION_FACTOR, e
    # validate_only creates nothing
    result(a.create_topics([NewTopic("adm-v", 2, 1)], validate_only=True)["adm-v"])
    assert "adm-v" not in a.list_topics(timeout=15).topics
    # produce/consume on the created topic
    msgs = make_messages("adm-a", 30, 3)
    reports = produce_all(producer(acks="all"), msgs)
    check_reports(msgs, reports)
    check_readback("adm-a", msgs, reports, 3)
    # delete
    for f in a.delete_topics(["adm-a", "adm-b"], request_timeout=15).values():
        assert result(f) is None
    wait_until(lambda: not ({"adm-a", "adm-b"} & set(a.list_topics(timeout=15).topics)), 30,
               what="deleted topics to disappear from metadata")
    try:
        result(a.delete_topics(["adm-none"])["adm-none"])
        raise AssertionError("deleting a missing topic succeeded")
    except KafkaException as e:
        assert e.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART, e
    # re-create with the same name: starts empty
    result(a.create_topics([NewTopic("adm-a", 2, 1)])["adm-a"])
    c = consumer()
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition("adm-a", 0), timeout=15)
        assert (lo, hi) == (0, 0), (lo, hi)
    finally:
        c.close()


def t_admin_create_partitions():
    S.require_api(broker, "CreateTopics")
    S.require_api(broker, "CreatePartitions")
    a = admin()
    result(a.create_topics([NewTopic("adm-grow", 2, 1)])["adm-grow"])
    msgs = make_messages("adm-grow", 20, 2)
    check_reports(msgs, produce_all(producer(acks="all"), msgs))
    result(a.create_partitions([NewPartitions("adm-grow", 5)])["adm-grow"])
    wait_until(lambda: len(a.list_topics("adm-grow", timeout=15).topics["adm-grow"].partitions) == 5, 30,
               what="5 partitions in metadata")
    # shrinking is invalid (INVALID_PARTITIONS, 37)
    try:
        result(a.create_partitions([NewPartitions("adm-grow", 3)])["adm-grow"])
        raise AssertionError("shrinking partitions succeeded")
    except KafkaException as e:
        assert e.args[0].code() == KafkaError.INVALID_PARTITIONS, e
    # new partitions are usable, old data intact
    msgs = make_messages("adm-grow", 25, 5)
    for m in msgs:
        m["partition"] = 2 + (msgs.index(m) % 3)
    reports = produce_all(producer(acks="all"), msgs)
    assert all(r[0] is None for r in reports), reports[:3]
    for p in (2, 3, 4):
        assert len(read_partition("adm-grow", p)) == 25 // 3 + (1 if (p - 2) < 25 % 3 else 0)
    assert len(read_partition("adm-grow", 0)) == 10


def t_admin_internal_topics():
    """The coordinators' topics cannot be deleted or grown (as Kafka): a
    clear error, and the topic stays."""
    S.require_api(broker, "DeleteTopics")
    a = admin()
    for name in ("__consumer_offsets", "__transaction_state"):
        try:
            result(a.delete_topics([name], request_timeout=15)[name])
            raise AssertionError("deleting %s succeeded" % name)
        except KafkaException as e:
            assert e.args[0].code() == KafkaError.TOPIC_EXCEPTION, e  # (librdkafka's DeleteTopics v<5 has no message)
        try:
            result(a.create_partitions([NewPartitions(name, 3)])[name])
            raise AssertionError("growing %s succeeded" % name)
        except KafkaException as e:
            assert e.args[0].code() == KafkaError.TOPIC_EXCEPTION, e
        md = a.list_topics(timeout=15).topics
        assert name in md and len(md[name].partitions) == 1, sorted(md)


def t_admin_configs():
    S.require_api(broker, "CreateTopics")
    S.require_api(broker, "DescribeConfigs")
    a = admin()
    result(a.create_topics([NewTopic("adm-cfg", 1, 1, config={"retention.ms": "7200000"})])["adm-cfg"])
    res = ConfigResource(ConfigResource.Type.TOPIC, "adm-cfg")
    cfg = result(a.describe_configs([res])[res])
    for name in ("retention.ms", "retention.bytes", "segment.bytes", "cleanup.policy",
                 "max.message.bytes", "message.timestamp.type"):
        assert name in cfg, "%s missing from DescribeConfigs (got %s)" % (name, sorted(cfg)[:20])
    r = cfg["retention.ms"]
    assert r.value == "7200000" and r.source == 1 and not r.is_default, (r.value, r.source, r.is_default)  # DYNAMIC_TOPIC_CONFIG
    assert cfg["cleanup.policy"].value == "delete", cfg["cleanup.policy"].value
    assert cfg["cleanup.policy"].is_default or cfg["cleanup.policy"].source in (4, 5), cfg["cleanup.policy"].source
    # broker resource
    bres = ConfigResource(ConfigResource.Type.BROKER, "0")
    bcfg = result(a.describe_configs([bres])[bres])
    assert "log.retention.hours" in bcfg or "log.retention.ms" in bcfg, sorted(bcfg)[:20]
    assert "message.max.bytes" in bcfg, sorted(bcfg)[:20]
    # AlterConfigs (non-incremental: replaces the topic's whole override set)
    S.require_api(broker, "AlterConfigs")
    res2 = ConfigResource(ConfigResource.Type.TOPIC, "adm-cfg", set_config={"retention.bytes": "1048576"})
    assert result(a.alter_configs([res2])[res2]) is None
    cfg = result(a.describe_configs([res])[res])
    assert cfg["retention.bytes"].value == "1048576" and cfg["retention.bytes"].source == 1, cfg["retention.bytes"]
    # retention.ms was not in the new set: back to its default
    assert cfg["retention.ms"].source != 1, (cfg["retention.ms"].value, cfg["retention.ms"].source)
    # an unknown config name is rejected (INVALID_CONFIG, 40), and nothing changes
    res3 = ConfigResource(ConfigResource.Type.TOPIC, "adm-cfg", set_config={"no.such.config": "1"})
    try:
        result(a.alter_configs([res3])[res3])
        raise AssertionError("unknown config accepted")
    except KafkaException as e:
        assert e.args[0].code() == KafkaError.INVALID_CONFIG, e
    # describe of a missing topic fails with UNKNOWN_TOPIC_OR_PART
    res4 = ConfigResource(ConfigResource.Type.TOPIC, "adm-missing")
    try:
        result(a.describe_configs([res4])[res4])
        raise AssertionError("describe of missing topic succeeded")
    except KafkaException as e:
        assert e.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART, e
    # the override survives a restart
    broker.restart()
    a2 = admin()  # keep the handle alive while its future runs
    cfg = result(a2.describe_configs([res])[res])
    assert cfg["retention.bytes"].value == "1048576", cfg["retention.bytes"].value


def t_out_of_range_and_big_message():
    topic = "range"
    msgs = make_messages(topic, 10, 1)
    check_reports(msgs, produce_all(producer(acks="all"), msgs))
    # fetch beyond the end -> OFFSET_OUT_OF_RANGE, surfaced by auto.offset.reset=error
    c = consumer()
    try:
        c.assign([TopicPartition(topic, 0, 1000)])
        err = wait_until(lambda: (lambda m: m.error() if m is not None and m.error() and
                                  m.error().code() != KafkaError._PARTITION_EOF else None)(c.poll(0.5)),
                         30, what="an offset-out-of-range error")
        assert err.code() in (KafkaError._AUTO_OFFSET_RESET, KafkaError.OFFSET_OUT_OF_RANGE), err
    finally:
        c.close()
    # one message larger than fetch.max.bytes / max.partition.fetch.bytes still comes through (KIP-74)
    big = b"B" * 900_000
    p = producer(acks="all")
    res = []
    p.produce(topic, value=big, partition=0, on_delivery=lambda e, m: res.append((e, m.offset())))
    p.flush(30)
    assert res and res[0][0] is None and res[0][1] == 10, res
    got = read_partition(topic, 0, start=10, **{"fetch.max.bytes": 100_000, "max.partition.fetch.bytes": 50_000,
                                                "message.max.bytes": 100_000,
                                                "receive.message.max.bytes": 2_000_000})
    assert len(got) == 1 and got[0].value() == big, [len(m.value()) for m in got]


def t_acks_0():
    p = producer(acks=0)
    for i in range(100):
        p.produce("acks-zero", value=b"%d" % i, partition=0)
    assert p.flush(30) == 0
    c = consumer()
    try:
        wait_until(lambda: c.get_watermark_offsets(TopicPartition("acks-zero", 0), timeout=5)[1] == 100, 30,
                   what="100 messages written with acks=0")
    finally:
        c.close()
    got = read_partition("acks-zero", 0)
    assert [m.value() for m in got] == [b"%d" % i for i in range(100)]


def t_log_append_time():
    S.require_api(broker, "CreateTopics")
    a = admin()
    result(a.create_topics([NewTopic("lat", 1, 1, config={"message.timestamp.type": "LogAppendTime"})])["lat"])
    msgs = make_messages("lat", 20, 1)  # explicit CreateTime values in 2020
    t0 = int(time.time() * 1000)
    reports = produce_all(producer(acks="all", **{"compression.codec": "lz4"}), msgs)
    t1 = int(time.time() * 1000)
    check_reports(msgs, reports)
    got = read_partition("lat", 0)  # librdkafka checks the batch CRC: a rewritten timestamp needs a new CRC
    assert len(got) == 20
    from confluent_kafka import TIMESTAMP_LOG_APPEND_TIME
    for m, want in zip(got, msgs):
        ts_type, ts = m.timestamp()
        assert ts_type == TIMESTAMP_LOG_APPEND_TIME and t0 - 5000 <= ts <= t1 + 5000, (m.offset(), ts_type, ts, t0, t1)
        assert m.key() == want["key"] and m.value() == want["value"]


def t_invalid_topics():
    S.require_api(broker, "CreateTopics")
    a = admin()
    for name in ("bad name!", "a" * 250, ".", ".."):
        try:
            result(a.create_topics([NewTopic(name, 1, 1)])[name])
            raise AssertionError("invalid topic name %r accepted" % name[:20])
        except KafkaException as e:
            assert e.args[0].code() == KafkaError.TOPIC_EXCEPTION, (name[:20], e)
    for bad in ({"retention.ms": "not-a-number"}, {"cleanup.policy": "nonsense"}, {"no.such.config": "1"}):
        try:
            result(a.create_topics([NewTopic("cfg-bad", 1, 1, config=bad)])["cfg-bad"])
            raise AssertionError("invalid config %s accepted" % bad)
        except KafkaException as e:
            assert e.args[0].code() == KafkaError.INVALID_CONFIG, (bad, e)
    try:
        result(a.create_topics([NewTopic("zero-parts", 0, 1)])["zero-parts"])
        raise AssertionError("0 partitions accepted")
    except (KafkaException, ValueError) as e:
        if isinstance(e, KafkaException):
            assert e.args[0].code() == KafkaError.INVALID_PARTITIONS, e
    assert not ({"cfg-bad", "zero-parts"} & set(a.list_topics(timeout=15).topics))


def t_no_auto_create():
    global BOOT
    nb = S.broker({"auto.create.topics.enable": "false"}, name="weir-noauto")
    saved, BOOT = BOOT, nb.bootstrap
    try:
        p = producer(acks="all", **{"message.timeout.ms": 5000, "topic.metadata.propagation.max.ms": 1000})
        errs = []
        p.produce("nope", b"x", on_delivery=lambda e, m: errs.append(e))
        p.flush(30)
        assert len(errs) == 1 and errs[0] is not None, errs
        assert errs[0].code() in (KafkaError._UNKNOWN_TOPIC, KafkaError.UNKNOWN_TOPIC_OR_PART,
                                  KafkaError._MSG_TIMED_OUT), errs[0]
        c = consumer()
        try:
            md = c.list_topics("nope", timeout=15)
            t = md.topics.get("nope")
            assert t is not None and t.error is not None and t.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART, t
            assert "nope" not in c.list_topics(timeout=15).topics
        finally:
            c.close()
        assert not os.path.exists(os.path.join(nb.data_dir, "nope-0")), "partition dir created"
    finally:
        BOOT = saved


def t_retention():
    # on a broker of its own that checks retention often (the main one keeps the
    # default interval: the other tests' 2020 timestamps are past retention.ms)
    global BOOT
    S.require_api(broker, "CreateTopics")
    rb = S.broker({"log.retention.check.interval.ms": "200"}, name="weir-retention")
    saved, BOOT = BOOT, rb.bootstrap
    try:
        retention_on(rb)
    finally:
        BOOT = saved


def retention_on(broker):
    a = admin()
    # small segments, retention by size: old segments go and the log start offset moves
    result(a.create_topics([NewTopic("ret", 1, 1, config={"segment.bytes": "16384", "retention.bytes": "40000"})])["ret"])
    p = producer(acks="all", **{"linger.ms": 0})
    for i in range(400):
        p.produce("ret", value=b"%05d" % i + b"r" * 300, partition=0)
        if i % 50 == 49:
            p.flush(30)
    p.flush(30)
    c = consumer()
    try:
        lo, hi = wait_until(lambda: (lambda w: w if w[0] > 0 else None)(
            c.get_watermark_offsets(TopicPartition("ret", 0), timeout=5)), 60,
            what="retention to move the log start offset (log.retention.check.interval.ms=%s)" % (
                broker.overrides.get("log.retention.check.interval.ms")))
        assert hi == 400 and 0 < lo < 400, (lo, hi)
    finally:
        c.close()
    got = read_partition("ret", 0, start=OFFSET_BEGINNING)
    assert got and got[0].offset() == lo and got[-1].offset() == 399, (got[0].offset(), lo)
    assert got[0].value().startswith(b"%05d" % lo)


def t_idempotent():
    S.require_api(broker, "InitProducerId")
    msgs = make_messages("idem", 300, 3)
    reports = produce_all(producer(**{"enable.idempotence": True, "max.in.flight.requests.per.connection": 5}), msgs)
    check_reports(msgs, reports)
    check_readback("idem", msgs, reports, 3)


S.run("produce acks=all, 4 partitions, read back by assign", t_produce_acks_all)
S.run("produce acks=1, 3 partitions, read back", t_produce_acks_1)
S.run("compressed batches (gzip, snappy, lz4, zstd)", t_produce_compressed)
S.run("read_uncommitted and read_committed see the same", t_read_uncommitted)
S.run("assign at offset, seek, OFFSET_END + long poll", t_seek)
S.run("list_topics, get_watermark_offsets, offsets_for_times", t_metadata_watermarks_times)
S.run("produce to a missing partition fails", t_unknown_partition)
S.run("offset out of range; a message bigger than fetch.max.bytes", t_out_of_range_and_big_message)
S.run("acks=0", t_acks_0)
S.run("idempotent producer (InitProducerId, sequences)", t_idempotent)
S.run("admin create/delete topics", t_admin_create_delete)
S.run("admin create partitions", t_admin_create_partitions)
S.run("admin: internal topics cannot be deleted or grown", t_admin_internal_topics)
S.run("admin describe/alter configs", t_admin_configs)
S.run("topic with message.timestamp.type=LogAppendTime (lz4 batches)", t_log_append_time)
S.run("invalid topic names, configs, partition counts rejected", t_invalid_topics)
S.run("auto.create.topics.enable=false: unknown topic stays unknown", t_no_auto_create)
S.run("retention.bytes deletes old segments, log start offset moves", t_retention)
S.finish()
