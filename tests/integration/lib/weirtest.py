"""weirtest: shared harness for weir's Python integration tests.

A test creates a `Suite`, starts one or more `Broker`s (each on a free port with
its own temporary data dir), runs checks, and calls `suite.finish()`, which
prints the summary line "N passed, N failed[, N skipped]" that tests/run.sh
adds up, and exits non-zero when anything failed.

The one thing to know first: nothing here sleeps for a fixed time to let
something happen. `wait_until` polls a condition with a generous deadline, and
`Broker.start` polls until the broker accepts connections (30 s deadline).

Environment: WEIR (the binary under test, normally build/weir-test, falling
back to ./weir), WEIR_ROOT (the repository), KEEP=1 keeps temp dirs.
"""
import atexit
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.environ.get("WEIR_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def weir_binary():
    w = os.environ.get("WEIR")
    if w and os.access(w, os.X_OK):
        return w
    for cand in (os.path.join(ROOT, "build", "weir-test"), os.path.join(ROOT, "weir")):
        if os.access(cand, os.X_OK):
            return cand
    raise RuntimeError("no weir binary: set WEIR or run `make`")


def free_port():
    """A port that was free a moment ago (bind port 0, read it, close)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(cond, timeout=30.0, interval=0.05, what="condition"):
    """Polls cond() until it returns a true value (returned) or the deadline
    passes (raises TimeoutError naming `what`)."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            v = cond()
            if v:
                return v
        except Exception as e:  # conditions may fail while things settle
            last_exc = e
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.0fs waiting for %s%s" % (
                timeout, what, (" (last error: %r)" % last_exc) if last_exc else ""))
        time.sleep(interval)


_live_brokers = []


def _cleanup_all():
    """atexit: no broker process or temp dir outlives the test, whatever happened."""
    for b in list(_live_brokers):
        try:
            b.cleanup()
        except Exception:
            pass


atexit.register(_cleanup_all)
# the runner's timeout sends SIGTERM: exit normally so atexit runs
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "UndefinedBehaviorSanitizer", "SUMMARY: AddressSanitizer")


class Broker:
    """One weir broker process on a free port with its own data dir.

    overrides: dict of Kafka property -> value passed as --override.
    The data dir survives stop/kill so `restart()` reopens the same log; it is
    removed by `cleanup()` (called by Suite.finish) unless KEEP=1.
    """

    def __init__(self, overrides=None, data_dir=None, name="weir"):
        self.name = name
        self.binary = weir_binary()
        self.tmp = tempfile.mkdtemp(prefix="weir-it-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(self.tmp, "broker.log")
        self.port = free_port()
        self.overrides = dict(overrides or {})
        self.proc = None
        self.starts = 0
        self.expected_down = True  # false while running; set by stop/kill
        _live_brokers.append(self)

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    def _argv(self):
        ov = {"listeners": "PLAINTEXT://127.0.0.1:%d" % self.port, "log.dirs": self.data_dir}
        ov.update(self.overrides)
        argv = [self.binary, "broker"]
        for k, v in ov.items():
            argv += ["--override", "%s=%s" % (k, v)]
        return argv

    def start(self, timeout=30.0):
        """Starts the broker and polls until it accepts TCP connections."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        logf = open(self.log_path, "ab")
        logf.write(("---- start #%d: %s\n" % (self.starts, " ".join(self._argv()))).encode())
        logf.flush()
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
        self.proc = subprocess.Popen(self._argv(), stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        logf.close()
        self.expected_down = False
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("broker exited with %s while starting; log:\n%s" % (
                    self.proc.returncode, self.log_tail()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                pass
            if time.monotonic() >= deadline:
                raise TimeoutError("broker did not accept connections within %.0fs; log:\n%s"
                                   % (timeout, self.log_tail()))
            time.sleep(0.02)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30.0):
        """SIGTERM and wait; returns the exit status (None if it was not running)."""
        if self.proc is None:
            return None
        self.expected_down = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("broker did not stop within %.0fs of SIGTERM" % timeout)
        return self.proc.returncode

    def kill(self):
        """SIGKILL and wait (a crash)."""
        self.expected_down = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, kill=False):
        if kill:
            self.kill()
        else:
            self.stop()
        return self.start()

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=80):
        return "\n".join(self.log().splitlines()[-n:])

    def sanitizer_errors(self):
        return [l for l in self.log().splitlines() if any(m in l for m in SANITIZER_MARKERS)]

    def api_versions(self):
        """ApiVersions v0 over a raw socket: {api_key: (min, max)}."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(request(18, 0, 1, b""))
            corr, body = read_response(s)
        err, n = struct.unpack(">hi", body[:6])
        out = {}
        for i in range(n):
            k, lo, hi = struct.unpack(">hhh", body[6 + 6 * i:12 + 6 * i])
            out[k] = (lo, hi)
        return out

    def serves(self, api_key):
        return api_key in self.api_versions()

    def cleanup(self):
        if self in _live_brokers:
            _live_brokers.remove(self)
        try:
            self.kill()
        finally:
            if os.environ.get("KEEP") != "1":
                shutil.rmtree(self.tmp, ignore_errors=True)


# ---- raw protocol helpers (request header v1, response header v0) ----

def request(api_key, api_version, corr, body, client_id=b"weirtest"):
    """A length-prefixed request with header v1 (non-flexible)."""
    hdr = struct.pack(">hhi", api_key, api_version, corr)
    hdr += struct.pack(">h", len(client_id)) + client_id
    payload = hdr + body
    return struct.pack(">i", len(payload)) + payload


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def read_response(s):
    """Reads one response: (correlation id, body after the v0 header)."""
    (n,) = struct.unpack(">i", recv_exact(s, 4))
    data = recv_exact(s, n)
    return struct.unpack(">i", data[:4])[0], data[4:]


# ---- API keys by name, for "is it served" checks ----
API = {"Produce": 0, "Fetch": 1, "ListOffsets": 2, "Metadata": 3, "ApiVersions": 18,
       "CreateTopics": 19, "DeleteTopics": 20, "DeleteRecords": 21, "InitProducerId": 22,
       "OffsetForLeaderEpoch": 23, "DescribeConfigs": 32, "AlterConfigs": 33,
       "CreatePartitions": 37, "IncrementalAlterConfigs": 44, "DescribeCluster": 60}


class Skip(Exception):
    """Raised by a test body to count it as skipped, with the reason printed."""


class Suite:
    """Collects results: `run(name, fn)` counts fn as passed unless it raises
    (AssertionError/any exception = failed, Skip = skipped). `check` records
    one named condition inside a test without stopping it."""

    def __init__(self, title):
        self.title = title
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.brokers = []
        self._soft_failures = []

    def broker(self, overrides=None, start=True, **kw):
        b = Broker(overrides, **kw)
        self.brokers.append(b)
        if start:
            b.start()
        return b

    def check(self, cond, what):
        """Soft assertion: records a failure (failing the current test) but continues."""
        if not cond:
            self._soft_failures.append(what)
            print("    check failed: %s" % what, flush=True)
        return cond

    def require_api(self, broker, api_name):
        if API[api_name] not in broker.api_versions():
            raise Skip("admin: %s not served yet" % api_name)

    def run(self, name, fn, *args, **kw):
        self._soft_failures = []
        t0 = time.monotonic()
        try:
            fn(*args, **kw)
            if self._soft_failures:
                raise AssertionError("%d check(s) failed: %s" % (
                    len(self._soft_failures), "; ".join(self._soft_failures[:5])))
        except Skip as e:
            self.skipped += 1
            print("SKIP %s: %s" % (name, e), flush=True)
            return None
        except Exception as e:
            self.failed += 1
            print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - t0, e), flush=True)
            traceback.print_exc(file=sys.stdout)
            for b in self.brokers:
                print("---- %s log (last lines, %s):" % (b.name, b.log_path))
                print(b.log_tail(60))
                print("----", flush=True)
            return False
        self.passed += 1
        print("ok   %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
        return True

    def finish(self):
        """Stops brokers (checking for clean exit and sanitizer reports), cleans
        up, prints the summary line and exits."""
        for b in self.brokers:
            try:
                if not b.expected_down and not b.alive():
                    self.failed += 1
                    print("FAIL %s: broker died (exit status %s); log:\n%s" % (
                        b.name, b.proc.returncode, b.log_tail(120)))
                elif b.alive():
                    rc = b.stop()
                    if rc != 0:
                        self.failed += 1
                        print("FAIL %s: exit status %s after SIGTERM; log:\n%s" % (b.name, rc, b.log_tail()))
                errs = b.sanitizer_errors()
                if errs:
                    self.failed += 1
                    print("FAIL %s: sanitizer reports in broker log:\n%s" % (b.name, b.log_tail(120)))
            except Exception as e:
                self.failed += 1
                print("FAIL stopping %s: %s" % (b.name, e))
            finally:
                b.cleanup()
        title = "".join(c for c in self.title if c.isalpha()) or "test"
        line = "%s: %d passed, %d failed" % (title, self.passed, self.failed)
        if self.skipped:
            line += ", %d skipped" % self.skipped
        print(line, flush=True)
        sys.exit(1 if self.failed else 0)


def unique_topic(prefix="t"):
    return "%s-%d-%d" % (prefix, os.getpid(), int(time.monotonic() * 1e6) % 10**9)
