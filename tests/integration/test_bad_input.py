"""test_bad_input.py: hostile bytes from raw sockets (run by test_bad_input.sh).

While a python3-confluent-kafka producer and consumer keep working on their own
connections, raw sockets send: random bytes, an oversized and a negative length
prefix, truncated frames, unknown ApiKeys, unsupported versions, valid headers
with garbage bodies, magic-1 message sets and batches with a bad CRC. Checks:
the broker answers what Kafka answers (ApiVersions v99 -> error 35 with a v0
body; Produce magic 1 -> 43; bad CRC -> 2), closes the connection where Kafka
does and logs the client address, ApiKey and version; the process stays up and
the healthy client sees no error. Also max.connections and message.max.bytes.
"""
import os
import random
import re
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import weirtest  # noqa: E402
from weirtest import read_response, request, wait_until  # noqa: E402

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

S = weirtest.Suite("badinput")
broker = S.broker({"message.max.bytes": "100000", "socket.request.max.bytes": "1048576"})
rng = random.Random(4242)


# ---- encoders ----
def crc32c(data, _table=[]):
    if not _table:
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            _table.append(c)
    crc = 0xFFFFFFFF
    for b in data:
        crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def varint(n):
    n = (n << 1) ^ (n >> 63)  # zigzag
    out = b""
    while n & ~0x7F:
        out += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    return out + bytes([n])


def record_batch(values, ts=1_700_000_000_000, corrupt_crc=False):
    recs = b""
    for i, v in enumerate(values):
        body = b"\0" + varint(0) + varint(i) + varint(-1) + varint(len(v)) + v + varint(0)
        recs += varint(len(body)) + body
    after_crc = struct.pack(">hiqqqhii", 0, len(values) - 1, ts, ts, -1, -1, -1, len(values)) + recs
    crc = crc32c(after_crc)
    if corrupt_crc:
        crc ^= 0x1
    rest = struct.pack(">ibI", 0, 2, crc) + after_crc  # partitionLeaderEpoch, magic, crc
    return struct.pack(">qi", 0, len(rest)) + rest


def message_set_v1(values, ts=1_700_000_000_000):
    import zlib
    out = b""
    for i, v in enumerate(values):
        m = struct.pack(">bbq", 1, 0, ts) + struct.pack(">i", -1) + struct.pack(">i", len(v)) + v
        m = struct.pack(">I", zlib.crc32(m)) + m
        out += struct.pack(">qi", i, len(m)) + m
    return out


def string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def produce_body(version, topic, records, acks=1):
    body = b""
    if version >= 3:
        body += struct.pack(">h", -1)  # transactional_id null
    body += struct.pack(">hi", acks, 10000)
    body += struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">i", 0)
    body += struct.pack(">i", len(records)) + records
    return body


def produce_error(version, topic, records):
    """Sends one Produce; returns (error code, base offset) of its only partition."""
    with socket.create_connection(("127.0.0.1", broker.port), timeout=15) as s:
        s.sendall(request(0, version, 7, produce_body(version, topic, records)))
        corr, body = read_response(s)
    assert corr == 7, corr
    pos = 4  # topics count
    (tl,) = struct.unpack(">h", body[pos:pos + 2])
    pos += 2 + tl + 4
    _idx, err, base = struct.unpack(">ihq", body[pos:pos + 14])
    return err, base


def closed_by_broker(s, timeout=15):
    """True when the broker closes the connection (EOF or reset) before timeout."""
    s.settimeout(timeout)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def raw():
    return socket.create_connection(("127.0.0.1", broker.port), timeout=15)


def log_since(mark):
    return broker.log()[mark:]


# ---- the healthy client, running throughout ----
class Healthy:
    def __init__(self):
        self.stop = threading.Event()
        self.sent = 0
        self.errors = []
        self.acked = 0
        self.p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "enable.idempotence": False,
                           "linger.ms": 1, "log_level": 3})
        self.t = threading.Thread(target=self.run, daemon=True)

    def cb(self, err, m):
        if err:
            self.errors.append(str(err))
        else:
            self.acked += 1

    def run(self):
        while not self.stop.is_set():
            self.p.produce("healthy", value=b"%d" % self.sent, partition=0, on_delivery=self.cb)
            self.sent += 1
            self.p.poll(0.005)
        self.p.flush(30)


health = Healthy()
health.t.start()


def t_random_bytes():
    for i in range(150):
        n = rng.choice([1, 3, 4, 5, 8, 17, 64, 500, 4096])
        data = bytes(rng.getrandbits(8) for _ in range(n))
        if i % 3 == 0:  # a plausible small length prefix followed by random bytes
            data = struct.pack(">i", n) + data
        with raw() as s:
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                closed_by_broker(s, 5)
            except OSError:
                pass
    assert broker.alive()
    broker.api_versions()


def t_oversized_length():
    mark = len(broker.log())
    for length in (0x7FFFFFFF, 1048577, 64 << 20):
        with raw() as s:
            s.sendall(struct.pack(">i", length))  # only the prefix: no body follows
            assert closed_by_broker(s), "length %d: connection not closed" % length
    wait_until(lambda: "exceeds socket.request.max.bytes" in log_since(mark), 10, what="log line for oversized length")


def t_negative_length():
    for length in (-1, -2147483648, 0, 3):
        with raw() as s:
            s.sendall(struct.pack(">i", length) + b"\0" * 16)
            assert closed_by_broker(s), "length %d: connection not closed" % length


def t_truncated_frames():
    mark = len(broker.log())
    full = request(3, 1, 5, struct.pack(">i", -1))
    for cut in (1, 4, 6, 10, len(full) - 1):
        s = raw()
        s.sendall(full[:cut])
        s.close()
    # a frame announcing 100 bytes, 20 sent, then close
    s = raw()
    s.sendall(struct.pack(">i", 100) + b"\0" * 20)
    s.close()
    # the log names the ApiKey and version when the header made it (Metadata v1 here)
    wait_until(lambda: "truncated request: ApiKey 3 (Metadata) v1" in log_since(mark), 10,
               what="log line for a truncated request naming ApiKey and version")
    wait_until(lambda: "truncated request" in log_since(mark), 10, what="log line for a truncated request")
    broker.api_versions()


def t_unknown_api_key():
    mark = len(broker.log())
    for key in (9999, 1000, -1, 67, 32767):
        with raw() as s:
            port = s.getsockname()[1]
            s.sendall(request(key, 0, 1, b"\0" * 8))
            assert closed_by_broker(s), "ApiKey %d: connection not closed" % key
        wait_until(lambda: re.search(r"127\.0\.0\.1:%d\b.*ApiKey %d\b.*v0" % (port, key), log_since(mark)), 10,
                   what="log line naming client 127.0.0.1:%d, ApiKey %d, v0" % (port, key))


def t_api_versions_v99():
    with raw() as s:
        s.sendall(request(18, 99, 42, b""))
        corr, body = read_response(s)
        assert corr == 42, corr
        err, n = struct.unpack(">hi", body[:6])
        assert err == 35, "error %d, want 35 (UNSUPPORTED_VERSION)" % err
        apis = {}
        for i in range(n):
            k, lo, hi = struct.unpack(">hhh", body[6 + 6 * i:12 + 6 * i])
            apis[k] = (lo, hi)
        # v0 body: nothing after the array (no throttle time)
        assert len(body) == 6 + 6 * n, "v0 body expected: %d bytes, want %d" % (len(body), 6 + 6 * n)
        assert apis.get(18, (9, 9))[0] == 0 and apis[18][1] >= 3, apis.get(18)
        assert 0 in apis and 1 in apis and 3 in apis, sorted(apis)
        # the connection stays usable: a v0 request now works
        s.sendall(request(18, 0, 43, b""))
        corr, body = read_response(s)
        assert corr == 43 and struct.unpack(">h", body[:2])[0] == 0


def t_unsupported_versions():
    mark = len(broker.log())
    for key, ver in ((0, 99), (1, 99), (3, 99), (2, 99), (0, -1)):
        with raw() as s:
            port = s.getsockname()[1]
            s.sendall(request(key, ver, 1, b"\0" * 32))
            assert closed_by_broker(s), "ApiKey %d v%d: connection not closed" % (key, ver)
        wait_until(lambda: re.search(r"127\.0\.0\.1:%d\b.*ApiKey %d\b.*v%d\b" % (port, key, ver), log_since(mark)), 10,
                   what="log line naming 127.0.0.1:%d, ApiKey %d, v%d" % (port, key, ver))


def t_garbage_body():
    mark = len(broker.log())
    cases = [(3, 1, b"\x7f\xff\xff\xff"),              # Metadata v1: 2^31-1 topics, nothing follows
             (3, 9, b"\xff\xff\xff\xff\x0f"),          # Metadata v9 (flexible, header v2 missing)
             (0, 7, b"\x00\x05ab"),                    # Produce v7 cut in the transactional id
             (1, 11, bytes(rng.getrandbits(8) for _ in range(40))),
             (2, 5, b"\xff" * 3),
             (19, 4, b"\x00\x00\x00\x02\x00\x03abc"),  # CreateTopics v4 cut short
             (32, 1, b"\x00\x00\x00\x05\x02")]     # DescribeConfigs v1: 5 resources, 1 byte follows
    for key, ver, body in cases:
        with raw() as s:
            port = s.getsockname()[1]
            s.sendall(request(key, ver, 9, body))
            assert closed_by_broker(s), "ApiKey %d v%d with garbage: connection not closed" % (key, ver)
        wait_until(lambda: re.search(r"127\.0\.0\.1:%d\b.*v%d\b.*ApiKey %d\b|127\.0\.0\.1:%d\b.*ApiKey %d\b.*v%d\b" % (
            port, ver, key, port, key, ver), log_since(mark)), 10,
            what="log line naming 127.0.0.1:%d, ApiKey %d, v%d" % (port, key, ver))
    broker.api_versions()


def t_framing():
    # 50 pipelined requests in one write: 50 responses, in order
    with raw() as s:
        s.sendall(b"".join(request(18, 0, 1000 + i, b"") for i in range(50)))
        corrs = [read_response(s)[0] for _ in range(50)]
        assert corrs == list(range(1000, 1050)), corrs[:5]
    # one request trickled a byte at a time
    with raw() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in request(3, 1, 77, struct.pack(">i", 0)):
            s.sendall(bytes([b]))
        assert read_response(s)[0] == 77
    # a client id longer than the frame
    with raw() as s:
        hdr = struct.pack(">hhih", 18, 0, 5, 30000) + b"abc"
        s.sendall(struct.pack(">i", len(hdr)) + hdr)
        assert closed_by_broker(s), "client id past the frame: not closed"
    # ApiVersions v3 (flexible header v2) with a garbled tagged-field count: answered
    # with an error or closed, never a crash
    with raw() as s:
        hdr = struct.pack(">hhih", 18, 3, 6, 4) + b"test" + b"\xff\xff\xff\xff\x7f"
        s.sendall(struct.pack(">i", len(hdr) + 3) + hdr + b"\x01\x01\x00")
        s.settimeout(10)
        try:
            n = s.recv(4)
            if n:
                read_rest = s.recv(65536)
                del read_rest
        except OSError:
            pass
    broker.api_versions()


def t_many_partial():
    # 200 connections each holding half a request (and some a huge announced
    # length), kept open: the broker keeps serving others
    held = []
    try:
        for i in range(200):
            s = raw()
            if i % 2:
                s.sendall(request(3, 1, i, struct.pack(">i", -1))[:7])
            else:
                s.sendall(struct.pack(">i", 1048000) + b"\0" * 100)  # under the limit, never completed
            held.append(s)
        with raw() as s:
            s.sendall(request(18, 0, 5, b""))
            assert read_response(s)[0] == 5
        # and many connections hammering random bytes concurrently
        def hammer(seed):
            r = random.Random(seed)
            for _ in range(30):
                try:
                    with raw() as s:
                        s.sendall(struct.pack(">i", r.randrange(8, 200)) + bytes(r.getrandbits(8) for _ in range(r.randrange(0, 300))))
                        s.shutdown(socket.SHUT_WR)
                        closed_by_broker(s, 5)
                except OSError:
                    pass
        ts = [threading.Thread(target=hammer, args=(k,)) for k in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        broker.api_versions()
    finally:
        for s in held:
            s.close()
    assert broker.alive()


def vm_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def t_length_prefix_allocates_nothing():
    # 40 connections announce ~100 MB frames (under the limit) and send 100 bytes:
    # the broker must not reserve the announced size up front (was: 128 MB of
    # address space per connection, abort() once malloc failed)
    b3 = S.broker({"socket.request.max.bytes": str(100 * 1024 * 1024)}, name="weir-prealloc")
    before = vm_kb(b3.proc.pid, "VmSize")
    held = []
    try:
        for _ in range(40):
            s = socket.create_connection(("127.0.0.1", b3.port), timeout=15)
            s.sendall(struct.pack(">i", 100 * 1024 * 1024 - 1) + b"\0" * 100)
            held.append(s)
        with socket.create_connection(("127.0.0.1", b3.port), timeout=15) as s:  # all 40 were read by now
            s.sendall(request(18, 0, 1, b""))
            read_response(s)
        grown = vm_kb(b3.proc.pid, "VmSize") - before
        assert grown < 1024 * 1024, "address space grew by %d MB for 40 length prefixes" % (grown // 1024)
    finally:
        for s in held:
            s.close()
    assert b3.alive()


def t_request_memory_budget():
    # 12 connections each send 3.5 MB of a 4 MB frame and stall: with
    # socket.request.max.bytes=4 MB the read buffers of all connections are
    # capped at 8 MB (queued.max.request.bytes), so the broker's resident
    # memory stays bounded; small requests on other connections are still
    # served, and when the stalled ones go away the memory comes back.
    mb = 1024 * 1024
    b4 = S.broker({"socket.request.max.bytes": str(4 * mb), "queued.max.request.bytes": str(8 * mb)},
                  name="weir-budget")
    before = vm_kb(b4.proc.pid, "VmRSS")
    held = []
    try:
        for _ in range(12):
            s = socket.create_connection(("127.0.0.1", b4.port), timeout=15)
            s.setblocking(False)
            try:
                s.sendall(struct.pack(">i", 4 * mb) + b"\1" * (3 * mb + mb // 2))
            except BlockingIOError:
                pass  # the broker stopped reading this one: that is the point
            held.append(s)
        with socket.create_connection(("127.0.0.1", b4.port), timeout=15) as s:
            s.sendall(request(18, 0, 1, b""))
            read_response(s)
        grown_mb = (vm_kb(b4.proc.pid, "VmRSS") - before) // 1024
        # unbounded, this would be 12 x 3.5 MB = 42 MB; the budget allows 8 MB plus a read chunk each
        assert grown_mb < 24, "resident memory grew by %d MB for 12 stalled 4 MB frames" % grown_mb
    finally:
        for s in held:
            s.close()
    with socket.create_connection(("127.0.0.1", b4.port), timeout=15) as s:
        s.sendall(request(18, 0, 2, b""))
        read_response(s)
    assert b4.alive()


def t_produce_raw_valid():
    # sanity check of this test's own encoder: a valid batch is accepted
    err, base = produce_error(3, "raw", record_batch([b"a", b"bb", b"ccc"]))
    assert (err, base) == (0, 0), (err, base)
    err, base = produce_error(7, "raw", record_batch([b"d"]))
    assert (err, base) == (0, 3), (err, base)


def t_produce_magic1():
    err, _ = produce_error(2, "old-format", message_set_v1([b"x", b"y"]))
    assert err == 43, "Produce v2 with magic 1: error %d, want 43 (UNSUPPORTED_FOR_MESSAGE_FORMAT)" % err
    err, _ = produce_error(3, "old-format", message_set_v1([b"x"]))
    # Kafka answers v3+ with a pre-v2 format as an invalid record; weir uses 43 for every old format
    assert err in (43, 87), "Produce v3 with magic 1: error %d, want 43 (or 87 INVALID_RECORD)" % err


def t_produce_bad_crc():
    err, _ = produce_error(3, "raw", record_batch([b"bad"], corrupt_crc=True))
    assert err == 2, "bad CRC: error %d, want 2 (CORRUPT_MESSAGE)" % err
    # a truncated batch inside a well-formed request
    good = record_batch([b"q" * 50])
    err, _ = produce_error(3, "raw", good[:-10])
    assert err in (2, 87), "truncated batch: error %d, want 2 (CORRUPT_MESSAGE) or 87" % err
    # nothing of these reached the log: still 4 records
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "x", "enable.auto.commit": False, "log_level": 3})
    try:
        assert c.get_watermark_offsets(TopicPartition("raw", 0), timeout=15) == (0, 4)
    finally:
        c.close()


def t_message_too_large():
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "enable.idempotence": False,
                  "message.max.bytes": 4000000, "log_level": 3})
    res = []
    p.produce("big", value=b"x" * 500000, partition=0, on_delivery=lambda e, m: res.append(e))
    p.flush(30)  # separate batches: the broker rejects a whole batch
    p.produce("big", value=b"y" * 1000, partition=0, on_delivery=lambda e, m: res.append(e))
    p.flush(30)
    errs = [e.code() if e else None for e in res]
    assert KafkaError.MSG_SIZE_TOO_LARGE in errs, "500 kB message: %s, want MSG_SIZE_TOO_LARGE (10)" % errs
    assert None in errs, "the small message failed too: %s" % errs
    err, _ = produce_error(3, "big", record_batch([b"z" * 150000]))
    assert err == 10, "raw 150 kB batch: error %d, want 10" % err


def t_max_connections():
    b2 = S.broker({"max.connections": "3"}, name="weir-maxconn")
    mark = 0
    socks = []
    try:
        for i in range(3):
            s = socket.create_connection(("127.0.0.1", b2.port), timeout=15)
            s.sendall(request(18, 0, i, b""))
            read_response(s)  # accepted and served
            socks.append(s)
        extra = [socket.create_connection(("127.0.0.1", b2.port), timeout=15) for _ in range(3)]
        for s in extra:
            try:
                s.sendall(request(18, 0, 9, b""))
            except OSError:
                pass
            assert closed_by_broker(s), "connection beyond max.connections was served"
            s.close()
        assert "max.connections (3) reached" in b2.log()[mark:], "no log line for refused connections"
        # the first three still work
        for i, s in enumerate(socks):
            s.sendall(request(18, 0, 100 + i, b""))
            assert read_response(s)[0] == 100 + i
        # freeing one lets a new one in (the broker notices the close asynchronously: poll)
        socks.pop().close()

        def new_conn_served():
            s = socket.create_connection(("127.0.0.1", b2.port), timeout=15)
            try:
                s.sendall(request(18, 0, 7, b""))
                s.settimeout(2)
                return read_response(s)[0] == 7
            except (OSError, ConnectionError):
                return False
            finally:
                s.close()
        wait_until(new_conn_served, 30, what="a new connection after one was closed")
    finally:
        for s in socks:
            s.close()


def t_healthy_client():
    t0 = time.monotonic()
    health.stop.set()
    health.t.join(60)
    print("    producer stopped in %.1fs" % (time.monotonic() - t0))
    assert not health.errors, "healthy producer saw %d errors: %s" % (len(health.errors), health.errors[:3])
    assert health.acked == health.sent and health.sent > 0, (health.acked, health.sent)
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "x", "enable.partition.eof": True,
                  "enable.auto.commit": False, "log_level": 3})
    try:
        c.assign([TopicPartition("healthy", 0, 0)])
        got = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF and len(got) >= health.sent:
                    break
                continue
            got.append(int(m.value()))
            if len(got) >= health.sent:
                break
        assert got == list(range(health.sent)), "healthy consumer read %d of %d (first mismatch %s)" % (
            len(got), health.sent, next((i for i, v in enumerate(got) if v != i), None))
    finally:
        c.close()
    print("    healthy client: %d messages produced and read back during the bad input" % health.sent)


S.run("random bytes on 150 connections", t_random_bytes)
S.run("oversized length prefix closes before any body", t_oversized_length)
S.run("negative / too-short length prefix", t_negative_length)
S.run("truncated frames then close", t_truncated_frames)
S.run("unknown ApiKeys close, log names client/ApiKey/version", t_unknown_api_key)
S.run("ApiVersions v99 -> error 35 with v0 body", t_api_versions_v99)
S.run("unsupported versions close, log names client/ApiKey/version", t_unsupported_versions)
S.run("valid header, garbage body", t_garbage_body)
S.run("pipelining, trickled bytes, client id past the frame, bad tagged fields", t_framing)
S.run("200 held partial requests, 8 threads of random frames", t_many_partial)
S.run("a length prefix alone allocates nothing", t_length_prefix_allocates_nothing)
S.run("read buffers of all connections capped by queued.max.request.bytes", t_request_memory_budget)
S.run("raw Produce with a valid batch (encoder check)", t_produce_raw_valid)
S.run("Produce with magic-1 message set -> 43", t_produce_magic1)
S.run("Produce with bad CRC -> 2, nothing stored", t_produce_bad_crc)
S.run("message.max.bytes -> MESSAGE_TOO_LARGE (10)", t_message_too_large)
S.run("max.connections=3 enforced", t_max_connections)
S.run("healthy client unaffected throughout", t_healthy_client)
S.finish()
