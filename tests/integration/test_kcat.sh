#!/usr/bin/env bash
# test_kcat.sh: kcat 1.7.1 (librdkafka 2.0.2) against a fresh broker.
#   - keyed messages with headers from a file (-P -l -K), consumed back with -e
#     and a format printing offset, key, value, headers, timestamp; compared
#     byte for byte; offsets dense; N in = N out
#   - binary values (NUL, newlines, all byte values) from whole files, read back
#     length-prefixed (%R) and compared
#   - several partitions by explicit -p
#   - kcat -L (metadata) and -Q (offsets for times, earliest, latest)
set -uo pipefail
source "$(dirname "$0")/lib/weir.sh"
weir_init kcat
weir_start num.partitions=3 || { echo "kcat: 0 passed, 1 failed"; exit 1; }
B=$WEIR_BOOTSTRAP
T=$WEIR_TMP
KC=(kcat -b "$B" -m 15 -X api.version.request=true)

# ---- 1. keyed messages with headers, from a file ----
N1=300; N2=200
awk -v n=$N1 'BEGIN { for (i = 0; i < n; i++) { x = ""; for (j = 0; j < i % 37; j++) x = x "x";
  printf "key-%04d\tvalue %d: some text, with spaces; and = signs %s\n", i, i, x } }' >"$T/in1.txt"
awk -v n=$N2 'BEGIN { for (i = 0; i < n; i++) printf "k2-%d\tsecond batch %d\n", i, i }' >"$T/in2.txt"
t0=$(date +%s%3N)
"${KC[@]}" -P -t keyed -p 0 -K '\t' -H trace=abc123 -H app=weir-test -l "$T/in1.txt" 2>"$T/p1.err"; rc1=$?
t1=$(date +%s%3N)
# a later timestamp for the second batch, so offsets-for-times has something to find
later_than() { [ "$(date +%s%3N)" -gt "$1" ]; }
wait_until 10 later_than $((t1 + 5)) || fail "clock did not advance"
t2=$(date +%s%3N)
"${KC[@]}" -P -t keyed -p 0 -K '\t' -H other=xyz -l "$T/in2.txt" 2>"$T/p2.err"; rc2=$?
t3=$(date +%s%3N)
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]; then ok "produce keyed files"; else fail "produce keyed files" "rc $rc1/$rc2: $(cat "$T/p1.err" "$T/p2.err")"; fi

"${KC[@]}" -C -t keyed -p 0 -o beginning -e -q -f '%o\t%k\t%s\t%h\t%T\n' >"$T/out.txt" 2>"$T/c.err"
rc=$?
# expected: offset, key, value, headers (timestamps checked separately)
{
  awk -F'\t' '{printf "%d\t%s\t%s\ttrace=abc123,app=weir-test\n", NR-1, $1, $2}' "$T/in1.txt"
  awk -F'\t' -v base=$N1 '{printf "%d\t%s\t%s\tother=xyz\n", base+NR-1, $1, $2}' "$T/in2.txt"
} >"$T/expected.txt"
cut -f1-4 "$T/out.txt" >"$T/out4.txt"
if [ $rc -eq 0 ] && cmp -s "$T/expected.txt" "$T/out4.txt"; then
  ok "consume keyed: $((N1 + N2)) in, same out, byte for byte, offsets dense"
else
  fail "consume keyed" "rc=$rc, $(wc -l <"$T/out4.txt") lines out; diff: $(diff "$T/expected.txt" "$T/out4.txt" | head -5) $(head -3 "$T/c.err")"
fi
# timestamps: CreateTime set by kcat at produce time
if awk -F'\t' -v n1=$N1 -v t0=$t0 -v t1=$t1 -v t2=$t2 -v t3=$t3 '
     { ts=$5; if (NR<=n1) { if (ts<t0-1000 || ts>t1+1000) bad++ } else { if (ts<t2 || ts>t3+1000) bad++ } }
     END { exit bad>0 }' "$T/out.txt"; then
  ok "timestamps within the produce windows"
else
  fail "timestamps" "windows [$t0,$t1] [$t2,$t3]; got $(cut -f5 "$T/out.txt" | sort -u | head -3 | tr '\n' ' ')"
fi

# ---- 1b. per-message headers (one invocation per message), edge cases, checked via -J ----
hdr_ok=1
"${KC[@]}" -P -t hdrs -p 0 -K : -H "a=1=2" -H "empty=" -H "dup=x" -H "dup=y" -H "noval" <<<"k0:v0" || hdr_ok=0
"${KC[@]}" -P -t hdrs -p 0 -K : <<<"k1:no headers" || hdr_ok=0
"${KC[@]}" -P -t hdrs -p 0 -K : -H "utf8=ünïcødé ✓" -H "long=$(printf 'h%.0s' $(seq 1 3000))" <<<"k2:v2" || hdr_ok=0
"${KC[@]}" -C -t hdrs -p 0 -o beginning -e -q -J >"$T/hdrs.json" 2>&1 || hdr_ok=0
if [ $hdr_ok = 1 ] && "$PY" - "$T/hdrs.json" <<'EOF'
import json, sys
ms = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.startswith("{")]
assert [m["offset"] for m in ms] == [0, 1, 2], [m["offset"] for m in ms]
assert ms[0]["headers"] == ["a", "1=2", "empty", "", "dup", "x", "dup", "y", "noval", None], ms[0]["headers"]
assert "headers" not in ms[1] or ms[1]["headers"] in ([], None), ms[1]
assert ms[2]["headers"] == ["utf8", "ünïcødé ✓", "long", "h" * 3000], ms[2]["headers"][:3]
assert [(m["key"], m["payload"]) for m in ms] == [("k0", "v0"), ("k1", "no headers"), ("k2", "v2")]
EOF
then ok "per-message headers (duplicates, '=', empty, null, UTF-8, 3000-byte value)"; else fail "per-message headers" "$(head -c 600 "$T/hdrs.json")"; fi

# ---- 2. binary-safe values: each file is one message ----
"$PY" - "$T" <<'EOF'
import os, sys, random
t = sys.argv[1]; r = random.Random(7)
os.makedirs(t + "/bin", exist_ok=True)
for i in range(24):
    if i == 0: data = bytes(range(256)) * 4            # every byte value
    elif i == 1: data = b"\n\n\x00\r\n\x00"            # delimiters and NULs only
    elif i == 2: data = b"\x00"
    else: data = bytes(r.getrandbits(8) for _ in range(r.choice([1, 10, 100, 1000, 5000, 70000])))
    open("%s/bin/%02d" % (t, i), "wb").write(data)
EOF
"${KC[@]}" -P -t binary -p 1 -k binkey "$T"/bin/* 2>"$T/pb.err" && ok "produce binary files" || fail "produce binary files" "$(cat "$T/pb.err")"
"${KC[@]}" -C -t binary -p 1 -o beginning -e -q -f '%o %R%s' >"$T/bin.out" 2>"$T/cb.err"
if "$PY" - "$T" <<'EOF'
import sys, struct, os
t = sys.argv[1]
files = sorted(os.listdir(t + "/bin"))
raw = open(t + "/bin.out", "rb").read()
pos = 0; n = 0
for i, f in enumerate(files):
    want = open(t + "/bin/" + f, "rb").read()
    sp = raw.index(b" ", pos)
    off = int(raw[pos:sp]); pos = sp + 1
    (ln,) = struct.unpack(">i", raw[pos:pos + 4]); pos += 4
    got = raw[pos:pos + ln]; pos += ln
    assert off == i, "offset %d != %d" % (off, i)
    assert got == want, "message %d: %d bytes, want %d bytes (first diff at %s)" % (
        i, len(got), len(want), next((j for j in range(min(len(got), len(want))) if got[j] != want[j]), "end"))
    n += 1
assert pos == len(raw), "%d trailing bytes" % (len(raw) - pos)
print("binary: %d messages equal" % n)
EOF
then ok "binary values byte for byte"; else fail "binary values byte for byte" "$(head -3 "$T/cb.err")"; fi

# ---- 3. several partitions by explicit -p ----
allok=1
for p in 0 1 2; do
  seq 1 $((50 + p * 10)) | sed "s/^/p$p-/" | "${KC[@]}" -P -t parts -p $p 2>>"$T/pp.err" || allok=0
done
for p in 0 1 2; do
  "${KC[@]}" -C -t parts -p $p -o beginning -e -q -f '%p %o %s\n' >"$T/parts$p.out" 2>>"$T/pp.err" || allok=0
  seq 1 $((50 + p * 10)) | awk -v p=$p '{printf "%d %d p%d-%s\n", p, NR-1, p, $0}' >"$T/parts$p.exp"
  cmp -s "$T/parts$p.exp" "$T/parts$p.out" || { allok=0; echo "partition $p differs: $(diff "$T/parts$p.exp" "$T/parts$p.out" | head -3)"; }
done
[ $allok = 1 ] && ok "three partitions by explicit -p" || fail "three partitions" "$(head -3 "$T/pp.err")"

# ---- 4. metadata ----
"${KC[@]}" -L -J >"$T/meta.json" 2>"$T/meta.err"
if "$PY" - "$T/meta.json" "$WEIR_PORT" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
port = int(sys.argv[2])
assert [(b["id"], b["name"]) for b in m["brokers"]] == [(0, "127.0.0.1:%d" % port)], m["brokers"]
topics = {t["topic"]: t for t in m["topics"]}
for name in ("keyed", "binary", "parts"):
    t = topics[name]
    assert "error" not in t or not t["error"], t
    ps = sorted(p["partition"] for p in t["partitions"])
    assert ps == [0, 1, 2], (name, ps)
    for p in t["partitions"]:
        assert p["leader"] == 0 and [r["id"] for r in p["replicas"]] == [0] and [r["id"] for r in p["isrs"]] == [0], p
EOF
then ok "kcat -L metadata (brokers, topics, partitions, leaders, replicas, isr)"; else fail "kcat -L metadata" "$(head -c 600 "$T/meta.json") $(cat "$T/meta.err")"; fi
"${KC[@]}" -L -t keyed >"$T/meta.txt" 2>&1
grep -q 'topic "keyed" with 3 partitions' "$T/meta.txt" && ok "kcat -L -t keyed" || fail "kcat -L -t keyed" "$(cat "$T/meta.txt")"

# ---- 5. offsets for times ----
q() { "${KC[@]}" -Q -t "keyed:0:$1" 2>&1 | sed -n 's/.*offset \(-\{0,1\}[0-9]*\).*/\1/p' | head -1; }
got_begin=$(q -2); got_end=$(q -1); got_zero=$(q 0); got_mid=$(q "$t2"); got_future=$(q $((t3 + 3600000)))
want_mid=$N1
# kcat prints offset -1 (or an error) when no message has a timestamp >= the one asked
if [ "$got_begin" = 0 ] && [ "$got_end" = $((N1 + N2)) ] && [ "$got_zero" = 0 ] && [ "$got_mid" = "$want_mid" ] &&
   { [ "$got_future" = -1 ] || [ -z "$got_future" ]; }; then
  ok "kcat -Q offsets (earliest, latest, by time)"
else
  fail "kcat -Q offsets" "earliest=$got_begin latest=$got_end ts0=$got_zero ts($t2)=$got_mid (want $want_mid) future=$got_future; raw: $("${KC[@]}" -Q -t "keyed:0:$t2" 2>&1)"
fi

# ---- 6. consume from the middle (-o N) and relative to the end (-o -N) ----
"${KC[@]}" -C -t keyed -p 0 -o 123 -c 3 -q -f '%o %k\n' >"$T/mid.out" 2>&1
printf '123 key-0123\n124 key-0124\n125 key-0125\n' | cmp -s - "$T/mid.out" && ok "consume from offset 123" || fail "consume from offset 123" "$(cat "$T/mid.out")"
"${KC[@]}" -C -t keyed -p 0 -o -2 -e -q -f '%o %k\n' >"$T/tail.out" 2>&1
printf '%d k2-%d\n%d k2-%d\n' $((N1 + N2 - 2)) $((N2 - 2)) $((N1 + N2 - 1)) $((N2 - 1)) | cmp -s - "$T/tail.out" && ok "consume last two (-o -2)" || fail "consume -o -2" "$(cat "$T/tail.out")"

# ---- 7. data survives a clean restart ----
weir_stop || fail "clean stop" "exit status $?"
weir_start || { fail "restart"; weir_finish; exit 1; }
"${KC[@]}" -C -t keyed -p 0 -o beginning -e -q -f '%o\t%k\t%s\t%h\n' >"$T/out2.txt" 2>"$T/c2.err"
cmp -s "$T/expected.txt" "$T/out2.txt" && ok "same data after clean restart" || fail "same data after restart" "$(diff "$T/expected.txt" "$T/out2.txt" | head -5)"

weir_finish
