#!/usr/bin/python3
"""groups_bench: the group coordinator's numbers (issue 4, performance).

  commit   OffsetCommit v2 requests of 100 partitions each, over raw sockets
           (no client library in the way), from C concurrent connections, each
           sending its next commit when the previous one is answered: commits
           per second and latency p50/p99. Every commit is answered only after
           its fsync, so this measures group commit across connections.
  rebalance  a three-member confluent-kafka (librdkafka) group on a six-
           partition topic; one member closes (LeaveGroup); the time until the
           other two own all six partitions, against the configured timeouts
           (session.timeout.ms 10000, max.poll.interval.ms 300000, heartbeat
           interval 100 ms).

Prints RESULT lines (key=value) and a short table. Not a test: asserts nothing.
Usage: bench/groups_bench.py [--secs 5] [--conns 1,8,32]   (starts ./weir)"""
import argparse
import os
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "lib"))
import weirtest  # noqa: E402


def s16(b):
    return struct.pack(">h", len(b)) + b


def commit_request(corr, group, topic, nparts, base):
    body = s16(group) + struct.pack(">i", -1) + s16(b"") + struct.pack(">q", -1)
    body += struct.pack(">i", 1) + s16(topic) + struct.pack(">i", nparts)
    for p in range(nparts):
        body += struct.pack(">iq", p, base + p) + s16(b"")
    return weirtest.request(8, 2, corr, body)


def committer(port, group, secs, lat, stop_at):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    i = 0
    while time.monotonic() < stop_at:
        i += 1
        req = commit_request(i, group, b"bench-commits", 100, i)
        t0 = time.perf_counter()
        s.sendall(req)
        weirtest.read_response(s)
        lat.append(time.perf_counter() - t0)
    s.close()


def bench_commits(port, conns, secs):
    lats = [[] for _ in range(conns)]
    stop_at = time.monotonic() + secs
    ts = [threading.Thread(target=committer, args=(port, b"bench-g%d" % i, secs, lats[i], stop_at))
          for i in range(conns)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    el = time.monotonic() - t0
    all_l = sorted(x for l in lats for x in l)
    n = len(all_l)
    p50 = all_l[n // 2] * 1000
    p99 = all_l[min(n - 1, int(n * 0.99))] * 1000
    return n / el, p50, p99


def bench_rebalance(bootstrap):
    from confluent_kafka import Consumer
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": bootstrap})
    for f in a.create_topics([NewTopic("bench-rebalance", 6, 1)]).values():
        f.result(30)
    conf = {"bootstrap.servers": bootstrap, "group.id": "bench-rebalance", "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 100, "max.poll.interval.ms": 300000}
    owned = [set(), set(), set()]
    cs = []
    for i in range(3):
        def on_assign(c, parts, i=i):
            owned[i] = {p.partition for p in parts}

        def on_revoke(c, parts, i=i):
            owned[i] = set()
        c = Consumer(dict(conf, **{"client.id": "m%d" % i}))
        c.subscribe(["bench-rebalance"], on_assign=on_assign, on_revoke=on_revoke)
        cs.append(c)
    stop = threading.Event()
    active = [True, True, True]

    def poller(i):
        while not stop.is_set():
            if active[i]:
                cs[i].poll(0.02)
            else:
                time.sleep(0.01)
    ts = [threading.Thread(target=poller, args=(i,)) for i in range(3)]
    for t in ts:
        t.start()
    weirtest.wait_until(lambda: sorted(len(o) for o in owned) == [2, 2, 2], 60, what="2/2/2")
    active[2] = False
    time.sleep(0.05)  # let poller 2 leave poll()
    t0 = time.monotonic()
    cs[2].close()
    weirtest.wait_until(lambda: len(owned[0]) + len(owned[1]) == 6 and len(owned[0]) == 3, 60, interval=0.001,
                        what="3/3")
    took = time.monotonic() - t0
    stop.set()
    for t in ts:
        t.join()
    cs[0].close()
    cs[1].close()
    return took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secs", type=float, default=5)
    ap.add_argument("--conns", default="1,8,32")
    args = ap.parse_args()
    os.environ.setdefault("WEIR", os.path.join(ROOT, "weir"))
    b = weirtest.Broker({"group.initial.rebalance.delay.ms": "0"})
    b.start()
    try:
        from kafka import KafkaAdminClient
        from kafka.admin import NewTopic as KNewTopic
        ka = KafkaAdminClient(bootstrap_servers=b.bootstrap)
        ka.create_topics([KNewTopic("bench-commits", 100, 1)])
        ka.close()
        print("%-34s %12s %10s %10s" % ("OffsetCommit (100 partitions)", "commits/s", "p50 ms", "p99 ms"))
        for conns in [int(x) for x in args.conns.split(",")]:
            rate, p50, p99 = bench_commits(b.port, conns, args.secs)
            print("RESULT bench=group_commit conns=%d commits_per_s=%.0f partitions_per_s=%.0f p50_ms=%.2f p99_ms=%.2f"
                  % (conns, rate, rate * 100, p50, p99))
            print("%-34s %12.0f %10.2f %10.2f" % ("  %d connection(s)" % conns, rate, p50, p99))
        took = bench_rebalance(b.bootstrap)
        print("RESULT bench=group_rebalance members=3 leave_to_reassigned_s=%.3f session_timeout_s=10 "
              "heartbeat_interval_s=0.1" % took)
        print("%-34s %8.3f s (session.timeout.ms 10 s, heartbeat 0.1 s)" % ("rebalance after a member leaves", took))
    finally:
        b.stop()
        b.cleanup()


if __name__ == "__main__":
    main()
