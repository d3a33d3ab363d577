/* Unit tests for src/storage/compact: the newest value per key survives,
 * tombstones go after delete.retention.ms (injected now), the active segment
 * and offsets are untouched, batches are rewritten keeping baseOffset and
 * lastOffsetDelta, compressed batches of every codec, producer and control
 * batches kept, the dirty ratio and compaction lag honoured, the job API with
 * appends running meanwhile, and a crash at every step of a pass (a forked
 * child that _exit()s at the injected point) reopens to a valid log with no
 * newest value lost and no deleted key back. */
#include "test.h"

#include "common/buf.h"
#include "common/err.h"
#include "storage/compact.h"
#include "storage/fsutil.h"
#include "storage/plog.h"
#include "wire/batch.h"
#include "wire/compress.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* helpers from test_storage_util.c and test_compress.c */
struct plog_cfg st_cfg(int64_t segment_bytes, int32_t index_interval);
uint8_t *st_slice_bytes(struct plog_slice *s);
int st_count_files(const char *dir, const char *suffix);
int st_seg_bases(const char *dir, int64_t *v, int max);

#define T0 1700000000000LL
#define DAY 86400000LL
#define NKEYS_MAX 256

static const int codecs[] = {BATCH_COMPRESSION_NONE, BATCH_COMPRESSION_GZIP, BATCH_COMPRESSION_SNAPPY,
                             BATCH_COMPRESSION_LZ4, BATCH_COMPRESSION_ZSTD};

/* ---- a log of keyed records and its model ---- */

struct model {
    int64_t off[NKEYS_MAX]; /* newest offset per key, -1 if never written */
    int val[NKEYS_MAX];     /* newest value number, -1 = tombstone */
    int nkeys;
};

static void model_init(struct model *m, int nkeys) {
    m->nkeys = nkeys;
    for (int i = 0; i < NKEYS_MAX; i++) m->off[i] = -1, m->val[i] = 0;
}

struct rec {
    int64_t key;  /* key number, -1 for a null key */
    int val;      /* -1 = null value */
    int64_t ts;
};

/* Appends one batch of n records (compressed with codec) and updates m. */
static int put_batch(struct plog *l, struct model *m, int codec, const struct rec *r, int n, int64_t now,
                     int64_t pid, int attrs) {
    struct buf plain = {0}, b = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &plain, 0);
    for (int i = 0; i < n; i++) {
        char k[32], v[64];
        int kl = snprintf(k, sizeof k, "key-%lld", (long long)r[i].key);
        int vl = snprintf(v, sizeof v, "value-%d-%lld", r[i].val, (long long)r[i].key);
        batch_builder_add(&bb, r[i].ts, r[i].key >= 0 ? k : NULL, kl, r[i].val >= 0 ? v : NULL, vl, NULL, 0);
    }
    if (pid >= 0) {
        bb.producer_id = pid;
        bb.producer_epoch = 0;
        bb.base_sequence = 0;
    }
    bb.attributes = (int16_t)attrs;
    batch_builder_finish(&bb);
    buf_append(&b, plain.p, BATCH_HDR_SIZE);
    if (compress_compress(codec, plain.p + BATCH_HDR_SIZE, plain.len - BATCH_HDR_SIZE, &b)) abort();
    be16_put(b.p + BATCH_OFF_ATTRIBUTES, (uint16_t)(attrs | codec));
    be32_put(b.p + BATCH_OFF_LENGTH, (uint32_t)(b.len - BATCH_LOG_OVERHEAD));
    be32_put(b.p + BATCH_OFF_CRC, batch_compute_crc(b.p));
    struct plog_append res;
    int rc = plog_append(l, b.p, b.len, now, -1, &res);
    if (rc == 0 && m && !(attrs & BATCH_ATTR_CONTROL))
        for (int i = 0; i < n; i++)
            if (r[i].key >= 0) {
                m->off[r[i].key] = res.base_offset + i;
                m->val[r[i].key] = r[i].val;
            }
    buf_free(&plain);
    buf_free(&b);
    return rc;
}

static int put(struct plog *l, struct model *m, int64_t key, int val, int64_t ts) {
    struct rec r = {key, val, ts};
    return put_batch(l, m, BATCH_COMPRESSION_NONE, &r, 1, T0, -1, 0);
}

/* What a consumer from the start sees. */
struct seen {
    int64_t off[NKEYS_MAX];
    int val[NKEYS_MAX]; /* last value seen, -1 tombstone, -2 never seen */
    int64_t records, batches, empty_batches;
    int ok;             /* every batch valid, offsets strictly increasing */
    int codec_count[8];
};

static void read_all(struct plog *l, struct seen *s) {
    memset(s, 0, sizeof *s);
    for (int i = 0; i < NKEYS_MAX; i++) s->val[i] = -2, s->off[i] = -1;
    s->ok = 1;
    int64_t off = plog_start_offset(l), end = plog_end_offset(l), prev = -1;
    struct buf scratch = {0};
    while (off < end) {
        struct plog_slice sl;
        if (plog_read(l, off, 3000, 1, &sl) || sl.len <= 0) {
            s->ok = 0;
            break;
        }
        uint8_t *p = st_slice_bytes(&sl);
        if (!p || batch_validate_stored(p, (size_t)sl.len, NULL, 0)) {
            free(p);
            s->ok = 0;
            break;
        }
        struct batch_iter it;
        const uint8_t *bp;
        size_t n;
        struct batch_hdr h;
        batch_iter_init(&it, p, (size_t)sl.len);
        while (batch_iter_next(&it, &bp, &n, &h) == 1) {
            if (h.base_offset <= prev) s->ok = 0;
            s->batches++;
            s->codec_count[batch_compression(&h)]++;
            if (h.record_count == 0) s->empty_batches++;
            struct batch_rec_iter ri;
            struct batch_record r;
            if (compress_rec_iter_init(&ri, bp, n, &scratch, 1 << 24)) {
                s->ok = 0;
                break;
            }
            int rc;
            while ((rc = batch_rec_iter_next(&ri, &r)) == 1) {
                if (r.offset <= prev) s->ok = 0;
                prev = r.offset;
                s->records++;
                if (h.attributes & BATCH_ATTR_CONTROL) continue;
                if (!r.key) continue;
                long long k;
                if (sscanf((const char *)r.key, "key-%lld", &k) != 1 || k < 0 || k >= NKEYS_MAX) {
                    s->ok = 0;
                    continue;
                }
                int v = -1;
                if (r.value && sscanf((const char *)r.value, "value-%d", &v) != 1) s->ok = 0;
                s->val[k] = r.value ? v : -1;
                s->off[k] = r.offset;
            }
            if (rc < 0) s->ok = 0;
            if (batch_last_offset(&h) < prev) s->ok = 0;
            prev = batch_last_offset(&h);
            off = prev + 1;
        }
        free(p);
    }
    buf_free(&scratch);
}

/* Every key's newest value is what a consumer ends with, at its offset;
 * tombstoned keys end as a tombstone or not at all. */
static int matches(const struct model *m, const struct seen *s) {
    int ok = s->ok;
    for (int k = 0; k < m->nkeys; k++) {
        if (m->off[k] < 0) continue;
        if (m->val[k] >= 0) {
            if (s->val[k] != m->val[k] || s->off[k] != m->off[k]) {
                fprintf(stderr, "    key %d: want %d at %lld, saw %d at %lld\n", k, m->val[k], (long long)m->off[k],
                        s->val[k], (long long)s->off[k]);
                ok = 0;
            }
        } else if (s->val[k] != -1 && s->val[k] != -2) {
            fprintf(stderr, "    key %d: deleted, but saw %d at %lld\n", k, s->val[k], (long long)s->off[k]);
            ok = 0;
        }
    }
    return ok;
}

static const char *pdir(const char *name) {
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", test_tmpdir(), name);
    return p;
}

static struct plog_compact_cfg ccfg(double ratio) {
    struct plog_compact_cfg c;
    plog_compact_cfg_default(&c);
    c.min_cleanable_dirty_ratio = ratio;
    return c;
}

/* nkeys keys updated rounds times, one record per batch, value = round. */
static void updates(struct plog *l, struct model *m, int nkeys, int rounds, int64_t ts) {
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < nkeys; k++) put(l, m, k, r, ts + r);
}

TEST(compact_keeps_the_newest_value_per_key) {
    struct plog *l;
    struct plog_cfg c = st_cfg(2000, 200);
    REQUIRE_EQ(plog_open(pdir("a"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 20);
    updates(l, &m, 20, 30, T0);
    int64_t end = plog_end_offset(l), start = plog_start_offset(l), size = plog_size_bytes(l);
    struct seen before, after;
    read_all(l, &before);
    CHECK(matches(&m, &before));
    struct plog_compact_cfg cc = ccfg(0.5);
    struct plog_compact_stats st;
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK(st.segments > 10);
    CHECK(st.dirty_ratio > 0.99);
    CHECK_EQ(plog_end_offset(l), end);
    CHECK_EQ(plog_start_offset(l), start);
    CHECK(plog_size_bytes(l) < size / 3);
    CHECK_EQ(plog_size_bytes(l), size - st.bytes_before + st.bytes_after);
    read_all(l, &after);
    CHECK(matches(&m, &after));
    /* at most one record per key in the cleaned part, plus the edges kept as headers and the active segment */
    CHECK(after.records < before.records / 5);
    CHECK_EQ(st_count_files(pdir("a"), ".cleaned"), 0);
    /* a second pass finds nothing dirty */
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK_EQ(st.segments, 0);
    /* appends go on, and survive a clean and an unclean reopen */
    put(l, &m, 3, 1000, T0 + 100);
    plog_close(l);
    REQUIRE_EQ(plog_open(pdir("a"), &c, 1, &l, NULL), 0);
    read_all(l, &after);
    CHECK(matches(&m, &after));
    plog_close(l);
    char path[600];
    snprintf(path, sizeof path, "%s/recovery-point", pdir("a"));
    unlink(path);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir("a"), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.bytes_truncated, 0);
    CHECK(rec.segments_scanned > 10);
    CHECK_EQ(plog_end_offset(l), end + 1);
    read_all(l, &after);
    CHECK(matches(&m, &after));
    plog_close(l);
}

TEST(compact_offsets_are_kept_and_sparse) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 100);
    REQUIRE_EQ(plog_open(pdir("o"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 5);
    updates(l, &m, 5, 40, T0);
    struct plog_compact_cfg cc = ccfg(0);
    REQUIRE_EQ(plog_compact(l, &cc, T0, NULL), 0);
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s)); /* checks each surviving record is at its original offset */
    /* a read at an offset that is gone returns the next batch that exists */
    int64_t k0 = m.off[0];
    struct plog_slice sl;
    REQUIRE_EQ(plog_read(l, 1, 1 << 20, 1, &sl), 0);
    uint8_t *p = st_slice_bytes(&sl);
    struct batch_hdr h;
    REQUIRE(p && batch_parse_header(p, (size_t)sl.len, &h) == 0);
    CHECK(h.base_offset >= 1);
    free(p);
    /* reading exactly at a surviving offset starts at its batch */
    REQUIRE_EQ(plog_read(l, k0, 1 << 20, 1, &sl), 0);
    p = st_slice_bytes(&sl);
    REQUIRE(p && batch_parse_header(p, (size_t)sl.len, &h) == 0);
    CHECK(h.base_offset <= k0 && batch_last_offset(&h) >= k0);
    free(p);
    /* ListOffsets by time still answers */
    int64_t off, ts;
    CHECK_EQ(plog_offset_for_time(l, T0, &off, &ts), 0);
    plog_close(l);
}

TEST(compact_rewrites_batches_keeping_base_and_last_offset_delta) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    REQUIRE_EQ(plog_open(pdir("b"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 10);
    /* batch 0: keys 0..9; batch 1: keys 0..4 again; batch 2 (last of the segment): keys 0..1 */
    struct rec r[10];
    for (int i = 0; i < 10; i++) r[i] = (struct rec){i, 0, T0 + i};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, r, 10, T0, -1, 0), 0);
    for (int i = 0; i < 5; i++) r[i] = (struct rec){i, 1, T0 + 20 + i};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, r, 5, T0, -1, 0), 0);
    for (int i = 0; i < 2; i++) r[i] = (struct rec){i, 2, T0 + 30 + i};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, r, 2, T0, -1, 0), 0);
    plog_close(l);
    c.segment_bytes = 1; /* the next append rolls */
    REQUIRE_EQ(plog_open(pdir("b"), &c, 1, &l, NULL), 0);
    put(l, &m, 50, 0, T0 + 40);
    struct plog_compact_cfg cc = ccfg(0);
    struct plog_compact_stats st;
    REQUIRE_EQ(plog_compact(l, &cc, T0, &st), 0);
    CHECK_EQ(st.segments, 1);
    CHECK_EQ(st.records_read, 17);
    CHECK_EQ(st.records_kept, 10);
    struct plog_slice sl;
    REQUIRE_EQ(plog_read(l, 0, 1 << 20, 1, &sl), 0);
    uint8_t *p = st_slice_bytes(&sl);
    REQUIRE(p);
    CHECK_EQ(batch_validate_stored(p, (size_t)sl.len, NULL, 0), 0);
    CHECK(batch_validate(p, (size_t)sl.len, 0, NULL, 0) != 0); /* not a valid produce request any more */
    struct batch_iter it;
    const uint8_t *bp;
    size_t n;
    struct batch_hdr h[3];
    batch_iter_init(&it, p, (size_t)sl.len);
    int nb = 0;
    while (nb < 3 && batch_iter_next(&it, &bp, &n, &h[nb]) == 1) nb++;
    REQUIRE_EQ(nb, 3);
    CHECK_EQ(h[0].base_offset, 0);
    CHECK_EQ(h[0].last_offset_delta, 9);
    CHECK_EQ(h[0].record_count, 5); /* keys 5..9 */
    CHECK_EQ(h[0].base_timestamp, T0);
    CHECK_EQ(h[0].max_timestamp, T0 + 9);
    CHECK_EQ(h[1].base_offset, 10);
    CHECK_EQ(h[1].last_offset_delta, 4);
    CHECK_EQ(h[1].record_count, 3); /* keys 2..4 */
    CHECK_EQ(h[1].max_timestamp, T0 + 24);
    CHECK_EQ(h[2].base_offset, 15);
    CHECK_EQ(h[2].record_count, 2); /* untouched: copied byte for byte */
    free(p);
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s));
    plog_close(l);
}

TEST(compact_tombstones_go_after_delete_retention) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 100);
    REQUIRE_EQ(plog_open(pdir("t"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 10);
    updates(l, &m, 10, 10, T0);
    for (int k = 0; k < 5; k++) put(l, &m, k, -1, T0 + 100); /* delete keys 0..4 */
    updates(l, &m, 10, 0, T0);
    for (int i = 0; i < 40; i++) put(l, &m, 9, 100 + i, T0 + 200 + i); /* push the tombstones out of the active segment */
    struct plog_compact_cfg cc = ccfg(0);
    cc.delete_retention_ms = DAY;
    struct plog_compact_stats st;
    /* within the retention: the tombstones stay, the older values go */
    REQUIRE_EQ(plog_compact(l, &cc, T0 + DAY / 2, &st), 0);
    CHECK(st.segments > 0);
    CHECK_EQ(st.tombstones_dropped, 0);
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s));
    for (int k = 0; k < 5; k++) CHECK_EQ(s.val[k], -1);
    /* after it: gone, and no older value of theirs is left to come back */
    cc.min_cleanable_dirty_ratio = 0;
    plog_close(l);
    REQUIRE_EQ(plog_open(pdir("t"), &c, 1, &l, NULL), 0);
    put(l, &m, 9, 500, T0 + 300);          /* something dirty, so the pass runs */
    for (int i = 0; i < 40; i++) put(l, &m, 8, 200 + i, T0 + 300 + i);
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 2 * DAY, &st), 0);
    CHECK(st.segments > 0);
    CHECK_EQ(st.tombstones_dropped, 5);
    read_all(l, &s);
    CHECK(matches(&m, &s));
    for (int k = 0; k < 5; k++) CHECK_EQ(s.val[k], -2);
    for (int k = 5; k < 10; k++) CHECK(s.val[k] >= 0);
    plog_close(l);
}

TEST(compact_never_touches_the_active_segment) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 100);
    REQUIRE_EQ(plog_open(pdir("act"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 3);
    updates(l, &m, 3, 30, T0);
    /* the active segment now holds a few updates of the same keys */
    int64_t bases[64];
    int nseg = st_seg_bases(pdir("act"), bases, 64);
    REQUIRE(nseg > 2);
    int64_t act = bases[nseg - 1];
    struct seen before;
    read_all(l, &before);
    int64_t in_active = plog_end_offset(l) - act;
    REQUIRE(in_active >= 3);
    struct plog_compact_cfg cc = ccfg(0);
    REQUIRE_EQ(plog_compact(l, &cc, T0, NULL), 0);
    /* every record from the active segment's base on is still there */
    struct plog_slice sl;
    int64_t recs = 0, off = act;
    while (off < plog_end_offset(l)) {
        REQUIRE_EQ(plog_read(l, off, 1 << 20, 1, &sl), 0);
        uint8_t *p = st_slice_bytes(&sl);
        struct batch_iter it;
        const uint8_t *bp;
        size_t n;
        struct batch_hdr h;
        batch_iter_init(&it, p, (size_t)sl.len);
        while (batch_iter_next(&it, &bp, &n, &h) == 1) {
            CHECK_EQ(h.base_offset, off);
            recs += h.record_count;
            off = batch_last_offset(&h) + 1;
        }
        free(p);
    }
    CHECK_EQ(recs, in_active);
    /* and the cleaned part still holds each key's last value before the active segment
     * (the key map covers only the cleanable range, as Kafka's does) */
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s));
    CHECK(s.records >= in_active + 3);
    plog_close(l);
}

TEST(compact_compressed_batches_every_codec) {
    for (int ci = 0; ci < 5; ci++) {
        char name[32];
        snprintf(name, sizeof name, "z%d", ci);
        struct plog *l;
        struct plog_cfg c = st_cfg(3000, 100);
        REQUIRE_EQ(plog_open(pdir(name), &c, 0, &l, NULL), 0);
        struct model m;
        model_init(&m, 16);
        srand(11 + ci);
        for (int b = 0; b < 60; b++) {
            struct rec r[8];
            for (int i = 0; i < 8; i++) r[i] = (struct rec){rand() % 16, b * 8 + i, T0 + b};
            if (b % 7 == 3) r[2].val = -1;
            REQUIRE_EQ(put_batch(l, &m, codecs[ci], r, 8, T0, -1, 0), 0);
        }
        struct seen before, after;
        read_all(l, &before);
        CHECK(matches(&m, &before));
        struct plog_compact_cfg cc = ccfg(0);
        struct plog_compact_stats st;
        REQUIRE_EQ(plog_compact(l, &cc, T0, &st), 0);
        CHECK(st.segments > 2);
        CHECK(st.records_kept < st.records_read);
        read_all(l, &after);
        CHECK(matches(&m, &after));
        CHECK(after.records < before.records);
        /* kept batches keep their codec (only emptied ones become uncompressed) */
        if (ci) CHECK(after.codec_count[codecs[ci]] > 0);
        if (ci) CHECK_EQ(after.codec_count[0], after.empty_batches);
        plog_close(l);
        REQUIRE_EQ(plog_open(pdir(name), &c, 0, &l, NULL), 0);
        read_all(l, &after);
        CHECK(matches(&m, &after));
        plog_close(l);
    }
}

TEST(compact_keeps_producer_last_batches_and_markers) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 100);
    REQUIRE_EQ(plog_open(pdir("p"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 4);
    struct rec r[3] = {{0, 1, T0}, {1, 1, T0}, {2, 1, T0}};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, r, 3, T0, 77, 0), 0); /* producer 77's only batch */
    int64_t p77_last = m.off[0];
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, r, 3, T0, 78, 0), 0); /* producer 78, then more */
    /* a commit marker: control + transactional, key = version 0 type 1 */
    struct buf b = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &b, 0);
    bb.attributes = BATCH_ATTR_CONTROL | BATCH_ATTR_TRANSACTIONAL;
    bb.producer_id = 79;
    bb.producer_epoch = 0;
    uint8_t key[4] = {0, 0, 0, 1}, val[6] = {0, 0, 0, 0, 0, 0};
    batch_builder_add(&bb, T0, key, 4, val, 6, NULL, 0);
    batch_builder_finish(&bb);
    struct plog_append res;
    REQUIRE_EQ(plog_append(l, b.p, b.len, T0, -1, &res), 0);
    int64_t marker = res.base_offset;
    buf_free(&b);
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, r, 3, T0, 78, 0), 0);
    updates(l, &m, 4, 30, T0 + 1); /* everything above is superseded */
    struct plog_compact_cfg cc = ccfg(0);
    REQUIRE_EQ(plog_compact(l, &cc, T0, NULL), 0);
    /* scan for the three survivors */
    int found77 = 0, found78 = 0, found_marker = 0;
    int64_t off = 0;
    while (off < plog_end_offset(l)) {
        struct plog_slice sl;
        REQUIRE_EQ(plog_read(l, off, 1 << 20, 1, &sl), 0);
        uint8_t *p = st_slice_bytes(&sl);
        struct batch_iter it;
        const uint8_t *bp;
        size_t n;
        struct batch_hdr h;
        batch_iter_init(&it, p, (size_t)sl.len);
        while (batch_iter_next(&it, &bp, &n, &h) == 1) {
            if (h.producer_id == 77) {
                found77++;
                CHECK_EQ(h.base_offset, p77_last);
                CHECK_EQ(h.last_offset_delta, 2);
                CHECK_EQ(h.base_sequence, 0);
            }
            if (h.producer_id == 78) found78++;
            if (h.producer_id == 79) {
                found_marker++;
                CHECK_EQ(h.base_offset, marker);
                CHECK_EQ(h.record_count, 1);
                CHECK(h.attributes & BATCH_ATTR_CONTROL);
            }
            off = batch_last_offset(&h) + 1;
        }
        free(p);
    }
    CHECK_EQ(found77, 1); /* the only batch of 77: kept (as a header: everything in it is superseded) */
    CHECK_EQ(found78, 1); /* 78's first batch went, its last stays */
    CHECK_EQ(found_marker, 1);
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s));
    plog_close(l);
}

static int put_marker(struct plog *l, int64_t pid, int type) {
    struct buf b = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &b, 0);
    bb.attributes = BATCH_ATTR_CONTROL | BATCH_ATTR_TRANSACTIONAL;
    bb.producer_id = pid;
    bb.producer_epoch = 0;
    uint8_t key[4] = {0, 0, 0, (uint8_t)type}, val[6] = {0};
    batch_builder_add(&bb, T0, key, 4, val, 6, NULL, 0);
    batch_builder_finish(&bb);
    struct plog_append res;
    int rc = plog_append(l, b.p, b.len, T0, -1, &res);
    buf_free(&b);
    return rc;
}

/* Offset of every record of key k still in the log, and its value. */
static int key_history(struct plog *l, int k, int64_t *offs, int *vals, int max) {
    int n = 0;
    int64_t off = plog_start_offset(l);
    struct buf scratch = {0};
    while (off < plog_end_offset(l)) {
        struct plog_slice sl;
        if (plog_read(l, off, 1 << 20, 1, &sl) || sl.len <= 0) break;
        uint8_t *p = st_slice_bytes(&sl);
        struct batch_iter it;
        const uint8_t *bp;
        size_t bn;
        struct batch_hdr h;
        batch_iter_init(&it, p, (size_t)sl.len);
        while (batch_iter_next(&it, &bp, &bn, &h) == 1) {
            struct batch_rec_iter ri;
            struct batch_record r;
            if (!(h.attributes & BATCH_ATTR_CONTROL) && compress_rec_iter_init(&ri, bp, bn, &scratch, 1 << 24) == 0)
                while (batch_rec_iter_next(&ri, &r) == 1) {
                    long long kk;
                    int v = -1;
                    if (!r.key || sscanf((const char *)r.key, "key-%lld", &kk) != 1 || kk != k || n >= max) continue;
                    if (r.value) sscanf((const char *)r.value, "value-%d", &v);
                    offs[n] = r.offset;
                    vals[n++] = v;
                }
            off = batch_last_offset(&h) + 1;
        }
        free(p);
    }
    buf_free(&scratch);
    return n;
}

TEST(compact_transactions_committed_aborted_open) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1200, 100);
    REQUIRE_EQ(plog_open(pdir("txn"), &c, 0, &l, NULL), 0);
    for (int k = 0; k < 3; k++) {
        struct rec r = {k, 1, T0};
        REQUIRE_EQ(put_batch(l, NULL, BATCH_COMPRESSION_NONE, &r, 1, T0, -1, 0), 0);
    }
    /* pid 5 aborts key 0 = 2; pid 6 commits key 1 = 2; pid 7 leaves key 2 = 2 open */
    for (int k = 0; k < 3; k++) {
        struct rec r = {k, 2, T0};
        REQUIRE_EQ(put_batch(l, NULL, BATCH_COMPRESSION_LZ4, &r, 1, T0, 5 + k, BATCH_ATTR_TRANSACTIONAL), 0);
    }
    REQUIRE_EQ(put_marker(l, 5, 0), 0);
    REQUIRE_EQ(put_marker(l, 6, 1), 0);
    for (int i = 0; i < 40; i++) {
        struct rec o = {3, i, T0};
        REQUIRE_EQ(put_batch(l, NULL, BATCH_COMPRESSION_NONE, &o, 1, T0, -1, 0), 0);
    }
    struct plog_compact_cfg cc = ccfg(0);
    REQUIRE_EQ(plog_compact(l, &cc, T0, NULL), 0);
    struct seen s;
    read_all(l, &s);
    CHECK(s.ok);
    int64_t offs[8];
    int vals[8];
    /* aborted: its record goes, the older value stays */
    CHECK_EQ(key_history(l, 0, offs, vals, 8), 1);
    CHECK_EQ(vals[0], 1);
    /* committed: it replaces the older value */
    CHECK_EQ(key_history(l, 1, offs, vals, 8), 1);
    CHECK_EQ(vals[0], 2);
    /* open: both stay (the open one may still abort) */
    CHECK_EQ(key_history(l, 2, offs, vals, 8), 2);
    CHECK_EQ(vals[0], 1);
    CHECK_EQ(vals[1], 2);
    plog_close(l);
}

TEST(compact_dirty_ratio_and_lag) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 100);
    REQUIRE_EQ(plog_open(pdir("r"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 50);
    updates(l, &m, 50, 4, T0);
    struct plog_compact_cfg cc = ccfg(0.5);
    struct plog_compact_stats st;
    /* min.compaction.lag.ms: nothing is old enough */
    cc.min_compaction_lag_ms = DAY;
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK_EQ(st.segments, 0);
    cc.min_compaction_lag_ms = 0;
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK(st.segments > 0);
    int64_t size = plog_size_bytes(l);
    /* a little more dirt: below the ratio, nothing happens */
    updates(l, &m, 5, 3, T0 + 10);
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK_EQ(st.segments, 0);
    /* max.compaction.lag.ms forces it */
    cc.max_compaction_lag_ms = 500;
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK(st.segments > 0);
    CHECK(st.dirty_ratio < 0.5);
    cc.max_compaction_lag_ms = INT64_MAX;
    /* lots of dirt: above it */
    updates(l, &m, 50, 6, T0 + 20);
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK(st.segments > 0);
    CHECK(st.dirty_ratio >= 0.5);
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s));
    (void)size;
    /* max_clean_offset (an open transaction) bounds the range */
    updates(l, &m, 50, 6, T0 + 30);
    cc.max_clean_offset = plog_start_offset(l) + 1;
    REQUIRE_EQ(plog_compact(l, &cc, T0 + 1000, &st), 0);
    CHECK_EQ(st.segments, 0);
    plog_close(l);
}

struct runner {
    struct compact_job *j;
    int rc;
};
static void *run_thread(void *arg) {
    struct runner *r = arg;
    r->rc = compact_job_run(r->j);
    return NULL;
}

TEST(compact_job_on_another_thread_while_appending) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 100);
    c.retention_bytes = -1;
    REQUIRE_EQ(plog_open(pdir("j"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 20);
    updates(l, &m, 20, 20, T0);
    struct plog_compact_cfg cc = ccfg(0);
    struct compact_job *j, *j2;
    REQUIRE_EQ(plog_compact_prepare(l, &cc, T0, &j), 0);
    REQUIRE(j);
    CHECK_EQ(plog_compact_prepare(l, &cc, T0, &j2), WERR_AGAIN);
    struct runner r = {j, -1};
    pthread_t t;
    REQUIRE_EQ(pthread_create(&t, NULL, run_thread, &r), 0);
    updates(l, &m, 20, 10, T0 + 50); /* appends and rolls go on meanwhile */
    pthread_join(t, NULL);
    CHECK_EQ(r.rc, 0);
    /* retention drops the oldest segment before the swap: it is skipped */
    int64_t bases[128];
    int n = st_seg_bases(pdir("j"), bases, 128);
    REQUIRE(n > 3);
    REQUIRE_EQ(plog_delete_records(l, bases[1]), 0);
    struct plog_compact_stats st;
    REQUIRE_EQ(plog_compact_finish(l, j, &st), 0);
    CHECK(st.segments > 0);
    CHECK_EQ(st_count_files(pdir("j"), ".cleaned"), 0);
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s));
    /* a cancelled job changes nothing */
    updates(l, &m, 20, 10, T0 + 60);
    REQUIRE_EQ(plog_compact_prepare(l, &cc, T0, &j), 0);
    REQUIRE(j);
    compact_job_cancel(j);
    CHECK_EQ(compact_job_run(j), WERR_AGAIN);
    CHECK_EQ(plog_compact_finish(l, j, &st), WERR_AGAIN);
    CHECK_EQ(st.segments, 0);
    CHECK_EQ(st_count_files(pdir("j"), ".cleaned"), 0);
    /* a job discarded after the log closed */
    REQUIRE_EQ(plog_compact_prepare(l, &cc, T0, &j), 0);
    REQUIRE(j);
    CHECK_EQ(compact_job_run(j), 0);
    CHECK(st_count_files(pdir("j"), ".log.cleaned") > 0);
    compact_job_cancel(j); /* the owner closes the log: cancel, wait for run, close, discard */
    plog_close(l);
    compact_job_discard(j);
    CHECK_EQ(st_count_files(pdir("j"), ".cleaned"), 0);
    REQUIRE_EQ(plog_open(pdir("j"), &c, 1, &l, NULL), 0);
    read_all(l, &s);
    CHECK(matches(&m, &s));
    plog_close(l);
}

/* ---- crash at every step ---- */

static void build_crash_log(const char *dir, struct model *m) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1200, 100);
    if (plog_open(dir, &c, 0, &l, NULL)) abort();
    model_init(m, 12);
    srand(5);
    for (int i = 0; i < 300; i++) {
        int k = rand() % 12;
        int v = (i % 29 == 5) ? -1 : i; /* some deletes */
        put(l, m, k, v, T0 + i);
    }
    for (int k = 0; k < 3; k++) put(l, m, k, -1, T0 + 300); /* deleted for good */
    for (int i = 0; i < 30; i++) put(l, m, 3 + i % 9, 1000 + i, T0 + 301 + i);
    plog_close(l);
}

static int crash_run(const char *dir, int at) {
    pid_t pid = fork();
    if (pid == 0) {
        struct plog *l;
        struct plog_cfg c = st_cfg(1200, 100);
        if (plog_open(dir, &c, 1, &l, NULL)) _exit(2);
        struct plog_compact_cfg cc = ccfg(0);
        cc.delete_retention_ms = 0; /* tombstones may go too: the hardest case */
        compact_crash_at = at;
        int rc = plog_compact(l, &cc, T0 + DAY, NULL);
        _exit(rc ? 3 : 0); /* no close: as if killed right after */
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(compact_crash_at_every_step_recovers) {
    struct model m;
    /* count the crash points of a full pass */
    build_crash_log(pdir("count"), &m);
    {
        struct plog *l;
        struct plog_cfg c = st_cfg(1200, 100);
        REQUIRE_EQ(plog_open(pdir("count"), &c, 1, &l, NULL), 0);
        struct plog_compact_cfg cc = ccfg(0);
        cc.delete_retention_ms = 0;
        compact_crash_points = 0;
        REQUIRE_EQ(plog_compact(l, &cc, T0 + DAY, NULL), 0);
        plog_close(l);
    }
    int points = compact_crash_points;
    REQUIRE(points > 10);
    for (int at = 1; at <= points + 1; at++) {
        char name[32];
        snprintf(name, sizeof name, "crash-%d", at);
        const char *dir = pdir(name);
        char d[512];
        snprintf(d, sizeof d, "%s", dir);
        build_crash_log(d, &m);
        int code = crash_run(d, at);
        CHECK_EQ(code, at <= points ? 77 : 0);
        struct plog *l;
        struct plog_cfg c = st_cfg(1200, 100);
        struct plog_recovery rec;
        REQUIRE_EQ(plog_open(d, &c, 0, &l, &rec), 0);
        CHECK_EQ(rec.bytes_truncated, 0);
        CHECK_EQ(st_count_files(d, ".cleaned"), 0);
        struct seen s;
        read_all(l, &s);
        if (!matches(&m, &s)) test_fail(__FILE__, __LINE__, "crash at point %d of %d", at, points);
        CHECK_EQ(plog_end_offset(l), 333);
        /* the next pass completes and the log is still right */
        struct plog_compact_cfg cc = ccfg(0);
        cc.delete_retention_ms = 0;
        REQUIRE_EQ(plog_compact(l, &cc, T0 + DAY, NULL), 0);
        read_all(l, &s);
        CHECK(matches(&m, &s));
        plog_close(l);
        REQUIRE_EQ(plog_open(d, &c, 0, &l, NULL), 0);
        read_all(l, &s);
        CHECK(matches(&m, &s));
        plog_close(l);
    }
}

TEST(compact_recovery_checks_offsets_of_cleaned_segments) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 100);
    REQUIRE_EQ(plog_open(pdir("rc"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 8);
    updates(l, &m, 8, 40, T0);
    struct plog_compact_cfg cc = ccfg(0);
    struct plog_compact_stats st;
    REQUIRE_EQ(plog_compact(l, &cc, T0, &st), 0);
    REQUIRE(st.segments > 3);
    int64_t cp = st.clean_end;
    plog_close(l);
    int64_t bases[64];
    int n = st_seg_bases(pdir("rc"), bases, 64);
    REQUIRE(n > 4);
    char path[600], rp[600];
    snprintf(rp, sizeof rp, "%s/recovery-point", pdir("rc"));
    /* a gap-free check would reject the cleaned segments: with the checkpoint they load whole */
    unlink(rp);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir("rc"), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.bytes_truncated, 0);
    CHECK(rec.segments_scanned >= n);
    plog_close(l);
    /* a baseOffset flipped past the next segment (outside the CRC) is caught even there */
    snprintf(path, sizeof path, "%s/%020lld.log", pdir("rc"), (long long)bases[1]);
    int fd = open(path, O_RDWR);
    REQUIRE(fd >= 0);
    uint8_t hdr[BATCH_HDR_SIZE], off[8];
    REQUIRE_EQ(pread(fd, hdr, sizeof hdr, 0), (ssize_t)sizeof hdr);
    int64_t second = (int64_t)be32_get(hdr + BATCH_OFF_LENGTH) + BATCH_LOG_OVERHEAD;
    be64_put(off, (uint64_t)bases[2] + 5);
    REQUIRE_EQ(pwrite(fd, off, 8, second), 8);
    close(fd);
    REQUIRE(bases[2] <= cp);
    unlink(rp);
    REQUIRE_EQ(plog_open(pdir("rc"), &c, 0, &l, &rec), 0);
    CHECK(rec.bytes_truncated > 0);
    /* cut at the flipped batch; nothing after a hole survives */
    CHECK(plog_end_offset(l) > bases[1] && plog_end_offset(l) < bases[2]);
    CHECK_EQ(st_count_files(pdir("rc"), ".log"), 2);
    struct seen s;
    read_all(l, &s);
    CHECK(s.ok);
    plog_close(l);
}

TEST(compact_random_model_many_passes) {
    /* Random updates, deletes, codecs, batch sizes and producer ids, with
     * cleaning passes (dirty ratios 0, 0.3, 0.6) and reopens (clean and not)
     * in between: after each step every key's newest value is what a
     * consumer from the start ends with, and no deleted key comes back. */
    srand(1234);
    struct plog *l;
    struct plog_cfg c = st_cfg(2500, 150);
    REQUIRE_EQ(plog_open(pdir("rand"), &c, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 40);
    int64_t now = T0;
    int64_t empties_seen = 0;
    for (int step = 0; step < 60; step++) {
        int nb = 5 + rand() % 30;
        for (int b = 0; b < nb; b++) {
            struct rec r[6];
            int n = 1 + rand() % 6;
            for (int i = 0; i < n; i++) {
                r[i].key = rand() % 40;
                r[i].val = rand() % 10 == 0 ? -1 : step * 1000 + b * 10 + i;
                r[i].ts = now;
            }
            int64_t pid = rand() % 4 == 0 ? 100 + rand() % 3 : -1;
            REQUIRE_EQ(put_batch(l, &m, codecs[rand() % 5], r, n, now, pid, 0), 0);
            now += 1000;
        }
        struct plog_compact_cfg cc = ccfg((rand() % 3) * 0.3);
        cc.delete_retention_ms = 20000;
        struct plog_compact_stats st;
        REQUIRE_EQ(plog_compact(l, &cc, now, &st), 0);
        struct seen s;
        read_all(l, &s);
        empties_seen += s.empty_batches;
        if (!matches(&m, &s)) {
            test_fail(__FILE__, __LINE__, "step %d", step);
            break;
        }
        if (step % 10 == 9) {
            int clean = rand() % 2;
            plog_close(l);
            if (!clean) {
                char rp[600];
                snprintf(rp, sizeof rp, "%s/recovery-point", pdir("rand"));
                unlink(rp);
            }
            struct plog_recovery rec;
            REQUIRE_EQ(plog_open(pdir("rand"), &c, clean, &l, &rec), 0);
            CHECK_EQ(rec.bytes_truncated, 0);
            read_all(l, &s);
            if (!matches(&m, &s)) test_fail(__FILE__, __LINE__, "reopen at step %d", step);
        }
    }
    CHECK(empties_seen > 0);
    plog_close(l);
}

static int64_t batch_at(struct plog *l, int64_t off, struct batch_hdr *h) {
    struct plog_slice sl;
    if (plog_read(l, off, 1 << 20, 1, &sl) || sl.len <= 0) return -1;
    uint8_t *p = st_slice_bytes(&sl);
    int rc = p ? batch_parse_header(p, (size_t)sl.len, h) : -1;
    free(p);
    return rc ? -1 : h->base_offset;
}

TEST(compact_empty_batches_go_once_not_needed) {
    struct plog *l;
    struct plog_cfg big = st_cfg(1 << 20, 100), tiny = st_cfg(1, 100);
    REQUIRE_EQ(plog_open(pdir("emp"), &big, 0, &l, NULL), 0);
    struct model m;
    model_init(&m, 4);
    /* segment A: [k3=0] [k1=5 from producer 10] [k1=6] [k3=1] */
    struct rec r = {3, 0, T0};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, &r, 1, T0, -1, 0), 0);
    r = (struct rec){1, 5, T0};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, &r, 1, T0, 10, 0), 0);
    int64_t p10 = m.off[1];
    r = (struct rec){1, 6, T0};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, &r, 1, T0, -1, 0), 0);
    r = (struct rec){3, 1, T0};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, &r, 1, T0, -1, 0), 0);
    /* segment B (active): one record */
    plog_set_cfg(l, &tiny);
    r = (struct rec){2, 0, T0};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, &r, 1, T0, -1, 0), 0);
    plog_set_cfg(l, &big);
    struct plog_compact_cfg cc = ccfg(0);
    struct plog_compact_stats st;
    REQUIRE_EQ(plog_compact(l, &cc, T0, &st), 0);
    CHECK_EQ(st.segments, 1);
    CHECK_EQ(st.batches_emptied, 2); /* producer 10's last batch, and A's first (k3=0, superseded) */
    struct batch_hdr h;
    CHECK_EQ(batch_at(l, p10, &h), p10);
    CHECK_EQ(h.record_count, 0);
    CHECK_EQ(h.producer_id, 10);
    CHECK_EQ(batch_at(l, 0, &h), 0);
    CHECK_EQ(h.record_count, 0);
    /* producer 10 writes again (in B), B rolls: its old batch in A is needed no more */
    r = (struct rec){2, 1, T0};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, &r, 1, T0, 10, 0), 0);
    plog_set_cfg(l, &tiny);
    r = (struct rec){0, 0, T0};
    REQUIRE_EQ(put_batch(l, &m, BATCH_COMPRESSION_NONE, &r, 1, T0, -1, 0), 0);
    REQUIRE_EQ(plog_compact(l, &cc, T0, &st), 0);
    CHECK_EQ(st.segments, 2);
    CHECK_EQ(batch_at(l, p10, &h), p10 + 1); /* the read lands on the next batch that exists */
    CHECK_EQ(batch_at(l, 0, &h), 0);         /* A's first batch stays: it is A's edge */
    struct seen s;
    read_all(l, &s);
    CHECK(matches(&m, &s));
    plog_close(l);
}
