# Turnstile readings for test_engine_turnstile.sh: produces N CSV messages
# (fixed seed) to topic mta-turnstile and writes the reference result of the
# pipeline (dedup, 5-minute windows closed by the final watermark, sums)
# computed independently here, in the CSV sink's format.
# usage: engine_turnstile_gen.py BOOTSTRAP N EXPECTED.csv [CHUNK DELAY_S [WATERMARK_DELAY_S]]
# (with CHUNK/DELAY the messages trickle in: CHUNK at a time, then a pause)
import random, sys
import warnings
warnings.filterwarnings("ignore")
from confluent_kafka import Producer
boot, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
chunk = int(sys.argv[4]) if len(sys.argv) > 4 else 0
delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0
wm_delay = int(sys.argv[6]) if len(sys.argv) > 6 else 300
import time
random.seed(7)
p = Producer({'bootstrap.servers': boot})
rows = []
base = 1695484800  # 2023-09-23 16:00:00 UTC
import datetime
for i in range(n):
    st = random.randrange(20)
    t = base + i * 3 + random.randrange(-60, 60)
    ts = datetime.datetime.utcfromtimestamp(t).strftime('%Y-%m-%d %H:%M:%S')
    idv = str(i if random.random() > 0.05 else max(0, i - 1))
    e, x = random.randrange(1000), random.randrange(1000)
    rec = ["A%03d" % (st % 7), "R%03d" % (st % 5), "02-00-%02d" % (st % 3), "Station-%d" % st, "456NQR", "BMT", "09-23-23", "REGULAR", ts[11:], str(e), str(x), idv, '"%s"' % ts]
    line = ",".join(rec)
    if chunk:
        # trickling in: one partition, so a micro-batch always reads a prefix
        # of the readings and no row is ever behind the watermark (with
        # several partitions a batch can see one partition's part of a chunk,
        # 900 s of event time, before another's: its rows then arrive late)
        p.produce('mta-turnstile', key=str(i).encode(), value=line.encode(), partition=0)
    else:
        p.produce('mta-turnstile', key=str(i).encode(), value=line.encode())
    rows.append((rec, t, e, x, idv))
    if i % 1000 == 0: p.poll(0)
    if chunk and i % chunk == chunk - 1:
        p.flush()
        time.sleep(delay)
p.flush()
# reference: dedup on (ID, STATION, TIMESTAMP) keeping the first, 5-minute windows, closed by the final watermark
seen = set(); groups = {}
maxt = max(r[1] for r in rows)
wm = maxt - wm_delay
for rec, t, e, x, idv in rows:
    k = (idv, rec[3], rec[12])
    if k in seen: continue
    seen.add(k)
    ws = t - t % 300
    key = tuple(rec[0:8]) + (ws,)
    g = groups.setdefault(key, [0, 0]); g[0] += e; g[1] += x
with open(out, 'w') as f:
    for key, (e, x) in groups.items():
        ws = key[8]; we = ws + 300
        if we > wm: continue
        fmt = lambda s: datetime.datetime.utcfromtimestamp(s).strftime('%Y-%m-%dT%H:%M:%S.000Z')
        f.write(",".join(list(key[0:8]) + [fmt(ws), fmt(we), datetime.datetime.utcfromtimestamp(we).strftime('%H:%M:%S'), str(e), str(x)]) + "\n")
