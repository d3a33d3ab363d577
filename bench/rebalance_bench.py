#!/usr/bin/python3
"""rebalance_bench: how long a three-member group takes to hand a departed
member's partitions to the other two, against the configured timeouts
(issue 4, performance). Complements bench/groups_bench.py (one LeaveGroup run)
with repetitions and the crash case:

  leave  the member closes (LeaveGroup): the rebalance should start at once;
         the others learn of it on their next heartbeat (heartbeat.interval.ms)
         and rejoin; expected well under a second, independent of
         session.timeout.ms
  crash  the member's process is killed with SIGKILL (no LeaveGroup): the
         coordinator notices only when its session expires, so expected
         about session.timeout.ms plus the rejoin

Each member is its own process (confluent-kafka, eager range assignor,
six partitions, so 2/2/2 then 3/3). In the leave case some runs take
~0.45 s instead of ~0.06 s: the gap is between the broker logging the
LeaveGroup and the survivors' JoinGroups arriving (the broker completes the
join as soon as both are in, and answers long-poll Fetches on time), so it is
on the client side; the runs with fetch.wait.max.ms 500 (librdkafka's
default) and 100 show whether the in-flight long poll is what delays the
eager rejoin (inconclusive so far). The clock runs from the close/kill to the
moment both survivors report owning three partitions each. Prints RESULT
lines and a table; asserts nothing.
Usage: bench/rebalance_bench.py [--reps 5] [--session-ms 6000] [--heartbeat-ms 100] [--fetch-wait-ms 500,100]
(starts ./weir)"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "lib"))
import weirtest  # noqa: E402

MEMBER = r'''
import select, sys, time
from confluent_kafka import Consumer
bootstrap, group, topic, session, hb, fetch_wait = sys.argv[1:7]
owned = set()
def on_assign(c, parts):
    global owned
    owned = {p.partition for p in parts}
    print("%.6f %s" % (time.time(), ",".join(map(str, sorted(owned)))), flush=True)
def on_revoke(c, parts):
    global owned
    owned = set()
    print("%.6f -" % time.time(), flush=True)
c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "session.timeout.ms": int(session),
              "heartbeat.interval.ms": int(hb), "max.poll.interval.ms": 300000, "log_level": 0,
              "fetch.wait.max.ms": int(fetch_wait)})
c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
try:
    while sys.stdin.readable():
        c.poll(0.01)
        if select.select([sys.stdin], [], [], 0)[0]:
            if sys.stdin.readline().strip() == "close":
                break
finally:
    t = time.time()
    c.close()
    print("closed %.6f %.6f" % (t, time.time()), flush=True)
'''


class Member:
    def __init__(self, b, group, topic, session, hb, fetch_wait, path):
        self.path = path
        self.out = open(path, "w")
        self.p = subprocess.Popen([sys.executable, "-c", MEMBER, b.bootstrap, group, topic, str(session), str(hb),
                                   str(fetch_wait)],
                                  stdin=subprocess.PIPE, stdout=self.out, stderr=subprocess.DEVNULL, text=True)

    def owned(self):
        """(time, partitions) of the latest assignment event, or (0, None)."""
        last = (0.0, None)
        with open(self.path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0][0].isdigit():
                    last = (float(parts[0]), set() if parts[1] == "-" else {int(x) for x in parts[1].split(",")})
        return last

    def close(self):
        self.p.stdin.write("close\n")
        self.p.stdin.flush()

    def kill(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def stop(self):
        if self.p.poll() is None:
            try:
                self.close()
                self.p.wait(30)
            except Exception:
                self.p.kill()
                self.p.wait()
        self.out.close()


def one(b, mode, rep, session, hb, fetch_wait, tmp):
    topic = "rb-%s-%d-%d" % (mode, fetch_wait, rep)
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": b.bootstrap})
    for f in a.create_topics([NewTopic(topic, 6, 1)]).values():
        f.result(30)
    ms = [Member(b, "g-" + topic, topic, session, hb, fetch_wait, os.path.join(tmp, "%s-%d.out" % (topic, i)))
          for i in range(3)]
    try:
        weirtest.wait_until(lambda: sorted(len(m.owned()[1] or ()) for m in ms) == [2, 2, 2], 60, what="2/2/2")
        t0 = time.time()
        if mode == "leave":
            ms[2].close()
        else:
            ms[2].kill()
        weirtest.wait_until(lambda: all(len(m.owned()[1] or ()) == 3 for m in ms[:2]), 120, interval=0.005,
                            what="3/3")
        return max(m.owned()[0] for m in ms[:2]) - t0
    finally:
        for m in ms:
            m.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--session-ms", type=int, default=6000)
    ap.add_argument("--heartbeat-ms", type=int, default=100)
    ap.add_argument("--fetch-wait-ms", default="500,100",
                    help="fetch.wait.max.ms values for the leave case (librdkafka's default is 500)")
    args = ap.parse_args()
    os.environ.setdefault("WEIR", os.path.join(ROOT, "weir"))
    b = weirtest.Broker({"group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000"})
    b.start()
    try:
        waits = [int(x) for x in args.fetch_wait_ms.split(",")]
        for mode, fw in [("leave", w) for w in waits] + [("crash", waits[0])]:
            took = [one(b, mode, r, args.session_ms, args.heartbeat_ms, fw, b.tmp) for r in range(args.reps)]
            med = statistics.median(took)
            print("RESULT bench=rebalance_%s members=3 reps=%d median_s=%.3f min_s=%.3f max_s=%.3f "
                  "session_timeout_s=%.1f heartbeat_interval_s=%.3f fetch_wait_max_s=%.3f" % (
                      mode, args.reps, med, min(took), max(took), args.session_ms / 1000, args.heartbeat_ms / 1000,
                      fw / 1000), flush=True)
            print("%-40s median %.3f s (min %.3f, max %.3f) session.timeout.ms %d, heartbeat %d ms, "
                  "fetch.wait.max.ms %d" % (
                      "3 members, one %s: reassigned in" % ("leaves" if mode == "leave" else "is SIGKILLed"),
                      med, min(took), max(took), args.session_ms, args.heartbeat_ms, fw), flush=True)
    finally:
        b.stop()
        b.cleanup()


if __name__ == "__main__":
    main()
