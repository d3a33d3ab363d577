/* Unit tests for src/storage: partition log append/read, segments, indexes,
 * timestamps, reopen, group-commit fds. Retention and log dirs are in
 * test_storage_retention.c, crash recovery in test_recovery.c. */
#include "test.h"

#include "common/buf.h"
#include "common/err.h"
#include "storage/fsutil.h"
#include "storage/plog.h"
#include "storage/segment.h"
#include "wire/batch.h"

#include <stdlib.h>
#include <unistd.h>

/* helpers from test_storage_util.c */
struct plog_cfg st_cfg(int64_t segment_bytes, int32_t index_interval);
void st_batch(struct buf *b, int n, int64_t ts, int vlen, int seq);
int st_append(struct plog *l, int nb, int n, int64_t ts, int vlen, int64_t now);
uint8_t *st_slice_bytes(struct plog_slice *s);
int64_t st_verify(struct plog *l, int32_t max_bytes);
int st_count_files(const char *dir, const char *suffix);
int64_t st_file_size(const char *path);
void st_seg_path(char *out, size_t n, const char *dir, int64_t base, const char *ext);
int st_seg_bases(const char *dir, int64_t *v, int max);

#define T0 1700000000000LL

static const char *pdir(const char *name) {
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", test_tmpdir(), name);
    return p;
}

TEST(storage_open_empty) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 4096);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 0);
    CHECK_EQ(plog_start_offset(l), 0);
    CHECK_EQ(plog_end_offset(l), 0);
    CHECK_EQ(plog_size_bytes(l), 0);
    struct plog_slice s;
    CHECK_EQ(plog_read(l, 0, 1000, 1, &s), 0);
    CHECK_EQ(s.len, 0);
    CHECK_EQ(s.fd, -1);
    CHECK_EQ(plog_read(l, 1, 1000, 1, &s), WERR_RANGE);
    int64_t o, ts;
    CHECK_EQ(plog_max_timestamp(l, &o, &ts), WERR_NOTFOUND);
    CHECK_EQ(plog_offset_for_time(l, 0, &o, &ts), WERR_NOTFOUND);
    plog_close(l);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 1);
}

TEST(storage_append_assigns_offsets_and_rewrites) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 4096);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    struct buf b = {0};
    st_batch(&b, 3, T0, 10, 0);
    st_batch(&b, 2, T0 + 3, 10, 3);
    struct plog_append res;
    REQUIRE_EQ(plog_append(l, b.p, b.len, T0, -1, &res), 0);
    CHECK_EQ(res.base_offset, 0);
    CHECK_EQ(res.last_offset, 4);
    CHECK_EQ(res.log_append_time, -1);
    CHECK_EQ(res.start_offset, 0);
    buf_clear(&b);
    st_batch(&b, 4, T0, 10, 5);
    REQUIRE_EQ(plog_append(l, b.p, b.len, T0, T0 + 999, &res), 0);
    CHECK_EQ(res.base_offset, 5);
    CHECK_EQ(res.last_offset, 8);
    CHECK_EQ(res.log_append_time, T0 + 999);
    /* the caller's buffer was rewritten: offset, LogAppendTime, CRC */
    struct batch_hdr h;
    REQUIRE_EQ(batch_parse_header(b.p, b.len, &h), 0);
    CHECK_EQ(h.base_offset, 5);
    CHECK(h.attributes & BATCH_ATTR_LOG_APPEND_TIME);
    CHECK_EQ(h.max_timestamp, T0 + 999);
    CHECK_EQ(batch_validate(b.p, b.len, 0, NULL, 0), 0);
    CHECK_EQ(plog_end_offset(l), 9);
    CHECK_EQ(st_verify(l, 1 << 20), 9);
    /* garbage is refused and nothing is appended */
    uint8_t junk[10] = {0};
    CHECK_EQ(plog_append(l, junk, sizeof junk, T0, -1, &res), WERR_INVALID);
    CHECK_EQ(plog_end_offset(l), 9);
    buf_free(&b);
    plog_close(l);
}

TEST(storage_round_trip_many_segments) {
    struct plog *l;
    struct plog_cfg c = st_cfg(2000, 300);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    for (int i = 0; i < 60; i++) REQUIRE_EQ(st_append(l, 1, 1 + i % 4, T0 + i * 10, 20 + i, T0), 0);
    int64_t end = plog_end_offset(l);
    CHECK(end > 100);
    CHECK(st_count_files(pdir("t-0"), ".log") > 3);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), st_count_files(pdir("t-0"), ".timeindex"));
    CHECK_EQ(st_verify(l, 1 << 20), end);
    CHECK_EQ(st_verify(l, 1), end); /* one batch per read */
    /* every offset reads back the batch that contains it */
    for (int64_t o = 0; o < end; o++) {
        struct plog_slice s;
        REQUIRE_EQ(plog_read(l, o, 100000, 1, &s), 0);
        REQUIRE(s.len > 0);
        uint8_t *p = st_slice_bytes(&s);
        REQUIRE(p != NULL);
        struct batch_hdr h;
        REQUIRE_EQ(batch_parse_header(p, (size_t)s.len, &h), 0);
        CHECK(h.base_offset <= o && o <= batch_last_offset(&h));
        CHECK_EQ(s.first_offset, h.base_offset);
        CHECK_EQ(batch_validate(p, (size_t)s.len, 0, NULL, 0), 0);
        free(p);
    }
    int64_t sum = 0, bases[64];
    int n = st_seg_bases(pdir("t-0"), bases, 64);
    char path[600];
    for (int i = 0; i < n; i++) {
        st_seg_path(path, sizeof path, pdir("t-0"), bases[i], "log");
        CHECK(st_file_size(path) <= 2000);
        sum += st_file_size(path);
    }
    CHECK_EQ(sum, plog_size_bytes(l));
    plog_close(l);
}

TEST(storage_read_max_bytes_and_min_one) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 4096);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    struct buf b = {0};
    st_batch(&b, 5, T0, 100, 0);
    size_t bsz = b.len;
    buf_free(&b);
    REQUIRE_EQ(st_append(l, 10, 5, T0, 100, T0), 0); /* 10 equal batches of bsz bytes */
    struct plog_slice s;
    /* from the middle of the third batch, room for two and a half batches */
    REQUIRE_EQ(plog_read(l, 12, (int32_t)(bsz * 5 / 2), 1, &s), 0);
    CHECK_EQ(s.first_offset, 10);
    CHECK_EQ(s.len, (int32_t)(bsz * 2));
    CHECK_EQ(s.pos, (int64_t)(bsz * 2));
    close(s.fd);
    /* too small for one batch: min_one gives it anyway, otherwise nothing */
    REQUIRE_EQ(plog_read(l, 12, 10, 1, &s), 0);
    CHECK_EQ(s.len, (int32_t)bsz);
    CHECK_EQ(s.first_offset, 10);
    close(s.fd);
    REQUIRE_EQ(plog_read(l, 12, 10, 0, &s), 0);
    CHECK_EQ(s.len, 0);
    CHECK_EQ(s.fd, -1);
    /* exactly one batch */
    REQUIRE_EQ(plog_read(l, 45, (int32_t)bsz, 0, &s), 0);
    CHECK_EQ(s.len, (int32_t)bsz);
    CHECK_EQ(s.first_offset, 45);
    close(s.fd);
    /* at the end: empty; past it: out of range */
    REQUIRE_EQ(plog_read(l, 50, 1000, 1, &s), 0);
    CHECK_EQ(s.len, 0);
    CHECK_EQ(plog_read(l, 51, 1000, 1, &s), WERR_RANGE);
    CHECK_EQ(plog_read(l, -1, 1000, 1, &s), WERR_RANGE);
    /* the fd outlives the log */
    REQUIRE_EQ(plog_read(l, 0, 1 << 20, 1, &s), 0);
    plog_close(l);
    uint8_t *p = st_slice_bytes(&s);
    REQUIRE(p != NULL);
    CHECK_EQ(batch_validate(p, (size_t)s.len, 0, NULL, 0), 0);
    free(p);
}

TEST(storage_segment_sparse_index_lookup) {
    /* The segment module directly: entries every > interval bytes, lookups
     * land at or before the batch holding the offset. */
    const char *dir = test_tmpdir();
    struct seg *s;
    REQUIRE_EQ(seg_create(dir, 1000, T0, &s), 0);
    struct buf b = {0};
    int64_t off = 1000, pos[40], base[40];
    for (int i = 0; i < 40; i++) {
        buf_clear(&b);
        st_batch(&b, 2, T0 + i, 50, i);
        batch_set_base_offset(b.p, off, 0);
        pos[i] = s->size;
        base[i] = off;
        REQUIRE_EQ(seg_append(s, b.p, b.len, 250, T0), 0);
        off += 2;
    }
    buf_free(&b);
    CHECK_EQ(s->end, 1080);
    CHECK(s->n_oidx > 5 && s->n_oidx < 40);
    for (uint32_t i = 1; i < s->n_oidx; i++) {
        CHECK(s->oidx[i].rel > s->oidx[i - 1].rel);
        CHECK(s->oidx[i].pos - s->oidx[i - 1].pos > 250);
    }
    for (int i = 0; i < 40; i++) {
        for (int d = 0; d < 2; d++) {
            int64_t p = seg_lookup_pos(s, base[i] + d);
            CHECK(p <= pos[i]);
            CHECK(pos[i] - p <= 250 + 200); /* within about one interval */
            int found = 0;
            for (int j = 0; j < 40; j++) found |= pos[j] == p;
            CHECK(found);
        }
    }
    CHECK_EQ(seg_lookup_pos(s, 999), 0);
    /* time index: strictly increasing, the last entry is the max after deactivation */
    CHECK(s->n_tidx > 0);
    REQUIRE_EQ(seg_deactivate(s), 0);
    CHECK_EQ(s->tidx[s->n_tidx - 1].ts, T0 + 39 + 1);
    CHECK_EQ(s->base + s->tidx[s->n_tidx - 1].rel, 1079);
    char path[600];
    st_seg_path(path, sizeof path, dir, 1000, "index");
    CHECK_EQ(st_file_size(path), (int64_t)s->n_oidx * 8);
    st_seg_path(path, sizeof path, dir, 1000, "timeindex");
    CHECK_EQ(st_file_size(path), (int64_t)s->n_tidx * 12);
    seg_close(s);
}

TEST(storage_offset_for_time_and_max_timestamp) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1500, 200);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    /* batches of 4 records, record k has timestamp T0 + 10*k */
    struct buf b = {0};
    for (int i = 0; i < 30; i++) {
        struct batch_builder bb;
        buf_clear(&b);
        batch_builder_init(&bb, &b, 0);
        for (int j = 0; j < 4; j++) batch_builder_add(&bb, T0 + 10 * (i * 4 + j), "k", 1, "value", 5, NULL, 0);
        batch_builder_finish(&bb);
        REQUIRE_EQ(plog_append(l, b.p, b.len, T0, -1, NULL), 0);
    }
    CHECK(st_count_files(pdir("t-0"), ".log") > 2);
    int64_t o, ts;
    for (int k = 0; k < 120; k++) {
        REQUIRE_EQ(plog_offset_for_time(l, T0 + 10 * k, &o, &ts), 0);
        CHECK_EQ(o, k);
        CHECK_EQ(ts, T0 + 10 * k);
        REQUIRE_EQ(plog_offset_for_time(l, T0 + 10 * k - 5, &o, &ts), 0);
        CHECK_EQ(o, k);
        CHECK_EQ(ts, T0 + 10 * k);
    }
    REQUIRE_EQ(plog_offset_for_time(l, 0, &o, &ts), 0);
    CHECK_EQ(o, 0);
    CHECK_EQ(plog_offset_for_time(l, T0 + 10 * 119 + 1, &o, &ts), WERR_NOTFOUND);
    REQUIRE_EQ(plog_max_timestamp(l, &o, &ts), 0);
    CHECK_EQ(o, 119);
    CHECK_EQ(ts, T0 + 1190);
    /* an out-of-order record in the middle: the max is inside a batch */
    buf_clear(&b);
    struct batch_builder bb;
    batch_builder_init(&bb, &b, 0);
    batch_builder_add(&bb, T0 + 5, "k", 1, "v", 1, NULL, 0);
    batch_builder_add(&bb, T0 + 999999, "k", 1, "v", 1, NULL, 0);
    batch_builder_add(&bb, T0 + 6, "k", 1, "v", 1, NULL, 0);
    batch_builder_finish(&bb);
    REQUIRE_EQ(plog_append(l, b.p, b.len, T0, -1, NULL), 0);
    REQUIRE_EQ(plog_max_timestamp(l, &o, &ts), 0);
    CHECK_EQ(o, 121);
    CHECK_EQ(ts, T0 + 999999);
    REQUIRE_EQ(plog_offset_for_time(l, T0 + 2000, &o, &ts), 0);
    CHECK_EQ(o, 121);
    /* LogAppendTime batches resolve to their base offset */
    buf_clear(&b);
    st_batch(&b, 3, T0, 5, 0);
    REQUIRE_EQ(plog_append(l, b.p, b.len, T0, T0 + 2000000, NULL), 0);
    REQUIRE_EQ(plog_offset_for_time(l, T0 + 1500000, &o, &ts), 0);
    CHECK_EQ(o, 123);
    CHECK_EQ(ts, T0 + 2000000);
    REQUIRE_EQ(plog_max_timestamp(l, &o, &ts), 0);
    CHECK_EQ(o, 123);
    CHECK_EQ(ts, T0 + 2000000);
    /* the same after a clean reopen (time indexes read back from disk) */
    plog_close(l);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 1, &l, NULL), 0);
    REQUIRE_EQ(plog_max_timestamp(l, &o, &ts), 0);
    CHECK_EQ(o, 123);
    for (int k = 0; k < 120; k += 7) {
        REQUIRE_EQ(plog_offset_for_time(l, T0 + 10 * k - 3, &o, &ts), 0);
        CHECK_EQ(o, k);
    }
    /* records below the start offset are skipped */
    REQUIRE_EQ(plog_delete_records(l, 50), 0);
    REQUIRE_EQ(plog_offset_for_time(l, T0, &o, &ts), 0);
    CHECK_EQ(o, 50);
    CHECK_EQ(ts, T0 + 500);
    buf_free(&b);
    plog_close(l);
}

TEST(storage_roll_by_size_and_time) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 4096);
    c.segment_ms = 60000;
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 3, 2, T0, 10, T0), 0);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 1);
    /* a batch timestamped more than segment.ms after the segment's first batch rolls */
    REQUIRE_EQ(st_append(l, 1, 2, T0 + 60001, 10, T0), 0);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 2);
    int64_t bases[8];
    REQUIRE_EQ(st_seg_bases(pdir("t-0"), bases, 8), 2);
    CHECK_EQ(bases[1], 6);
    REQUIRE_EQ(st_append(l, 1, 2, T0 + 60002, 10, T0), 0);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 2);
    /* housekeeping rolls by wall time too (from max(first timestamp, creation)) */
    CHECK_EQ(plog_housekeep(l, T0 + 60002 + 60000), 0); /* first batch max ts is T0+60002 */
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 2);
    CHECK_EQ(plog_housekeep(l, T0 + 60002 + 60001), 0);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 3);
    /* an empty active segment never rolls */
    CHECK_EQ(plog_housekeep(l, T0 + 10000000), 0);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 3);
    /* size: a new segment when the append would pass segment.bytes */
    c.segment_bytes = 500;
    plog_set_cfg(l, &c);
    REQUIRE_EQ(st_append(l, 12, 1, T0 + 70000, 50, T0), 0);
    int n = st_seg_bases(pdir("t-0"), bases, 8);
    CHECK(n >= 5);
    for (int i = 2; i < n; i++) {
        char path[600];
        st_seg_path(path, sizeof path, pdir("t-0"), bases[i], "log");
        CHECK(st_file_size(path) <= 500);
        CHECK(st_file_size(path) > 0);
    }
    CHECK_EQ(st_verify(l, 1 << 20), plog_end_offset(l));
    plog_close(l);
}

TEST(storage_batch_larger_than_segment) {
    struct plog *l;
    struct plog_cfg c = st_cfg(200, 4096);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 3, 5, T0, 100, T0), 0);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 3);
    CHECK_EQ(st_verify(l, 1), 15);
    plog_close(l);
}

TEST(storage_reopen_after_clean_close) {
    struct plog *l;
    struct plog_cfg c = st_cfg(3000, 256);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    for (int i = 0; i < 40; i++) REQUIRE_EQ(st_append(l, 1, 3, T0 + i * 3, 40, T0), 0);
    int64_t end = plog_end_offset(l), size = plog_size_bytes(l);
    REQUIRE_EQ(plog_delete_records(l, 7), 0);
    plog_close(l);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 1, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 0);
    CHECK_EQ(rec.segments_scanned, 0);
    CHECK_EQ(rec.indexes_rebuilt, 0);
    CHECK_EQ(plog_end_offset(l), end);
    CHECK_EQ(plog_start_offset(l), 7);
    CHECK_EQ(plog_flushed_offset(l), end);
    CHECK_EQ(plog_size_bytes(l), size);
    CHECK_EQ(st_verify(l, 5000), end - 6); /* from the batch holding offset 7 */
    /* appending continues the offsets */
    REQUIRE_EQ(st_append(l, 2, 3, T0 + 500, 40, T0), 0);
    CHECK_EQ(plog_end_offset(l), end + 6);
    plog_close(l);
    /* and an unclean open of a cleanly closed log finds nothing to cut */
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.bytes_truncated, 0);
    CHECK_EQ(plog_end_offset(l), end + 6);
    CHECK_EQ(plog_start_offset(l), 7);
    plog_close(l);
}

TEST(storage_flush_and_sync_fds) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1000, 4096);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    int fds[8];
    int64_t upto = -1;
    CHECK_EQ(plog_sync_fds(l, fds, 8, &upto), 0);
    CHECK_EQ(upto, 0);
    REQUIRE_EQ(st_append(l, 10, 2, T0, 100, T0), 0); /* several segments */
    int64_t end = plog_end_offset(l);
    CHECK_EQ(plog_flushed_offset(l), 0);
    int nseg = st_count_files(pdir("t-0"), ".log");
    REQUIRE(nseg >= 3);
    /* limited to 2 fds: covers the first two segments only */
    int n = plog_sync_fds(l, fds, 2, &upto);
    REQUIRE_EQ(n, 2);
    CHECK(upto > 0 && upto < end);
    for (int i = 0; i < n; i++) {
        CHECK_EQ(fdatasync(fds[i]), 0);
        close(fds[i]);
    }
    plog_mark_flushed(l, upto);
    CHECK_EQ(plog_flushed_offset(l), upto);
    n = plog_sync_fds(l, fds, 8, &upto);
    CHECK_EQ(n, nseg - 2);
    CHECK_EQ(upto, end);
    for (int i = 0; i < n; i++) close(fds[i]);
    /* data appended in between stays unflushed */
    REQUIRE_EQ(st_append(l, 1, 2, T0, 10, T0), 0);
    plog_mark_flushed(l, upto);
    CHECK_EQ(plog_flushed_offset(l), end);
    plog_mark_flushed(l, end + 1000); /* clamped to the end */
    CHECK_EQ(plog_flushed_offset(l), end + 2);
    plog_close(l);
    int64_t rp = -1;
    CHECK_EQ(fsu_read_int64(pdir("t-0"), "recovery-point", &rp), 0);
    CHECK_EQ(rp, end + 2);
}

TEST(storage_flush_policies) {
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 4096);
    c.flush_interval_messages = 5;
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 1, 3, T0, 10, T0), 0);
    CHECK_EQ(plog_flushed_offset(l), 0);
    REQUIRE_EQ(st_append(l, 1, 3, T0, 10, T0), 0);
    CHECK_EQ(plog_flushed_offset(l), 6);
    c.flush_interval_messages = INT64_MAX;
    c.flush_interval_ms = 1000;
    plog_set_cfg(l, &c);
    REQUIRE_EQ(st_append(l, 1, 1, T0, 10, T0 + 10), 0);
    CHECK_EQ(plog_flushed_offset(l), 6);
    REQUIRE_EQ(st_append(l, 1, 1, T0, 10, T0 + 500), 0);
    CHECK_EQ(plog_flushed_offset(l), 6);
    CHECK_EQ(plog_housekeep(l, T0 + 999), 0);
    CHECK_EQ(plog_flushed_offset(l), 6);
    CHECK_EQ(plog_housekeep(l, T0 + 1010), 0);
    CHECK_EQ(plog_flushed_offset(l), 8);
    REQUIRE_EQ(st_append(l, 1, 1, T0, 10, T0 + 2000), 0);
    REQUIRE_EQ(st_append(l, 1, 1, T0, 10, T0 + 3000), 0); /* the oldest unflushed is 1000 ms old */
    CHECK_EQ(plog_flushed_offset(l), 10);
    CHECK_EQ(plog_flush(l), 0);
    plog_close(l);
}

TEST(storage_delete_records) {
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 4096);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 20, 2, T0, 50, T0), 0);
    int64_t bases[64];
    int n0 = st_seg_bases(pdir("t-0"), bases, 64);
    REQUIRE(n0 >= 4);
    int64_t cut = bases[2] + 1; /* inside the third segment */
    CHECK_EQ(plog_delete_records(l, plog_end_offset(l) + 1), WERR_RANGE);
    REQUIRE_EQ(plog_delete_records(l, cut), 0);
    CHECK_EQ(plog_start_offset(l), cut);
    int n1 = st_seg_bases(pdir("t-0"), bases, 64);
    CHECK_EQ(n1, n0 - 2);
    CHECK(bases[0] <= cut);
    struct plog_slice s;
    CHECK_EQ(plog_read(l, cut - 1, 1000, 1, &s), WERR_RANGE);
    REQUIRE_EQ(plog_read(l, cut, 1000, 1, &s), 0);
    CHECK(s.first_offset <= cut);
    close(s.fd);
    /* moving backwards is a no-op */
    REQUIRE_EQ(plog_delete_records(l, 1), 0);
    CHECK_EQ(plog_start_offset(l), cut);
    /* up to the end: the active segment stays, reads at the end are empty */
    int64_t end = plog_end_offset(l);
    REQUIRE_EQ(plog_delete_records(l, end), 0);
    CHECK_EQ(plog_start_offset(l), end);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 1);
    REQUIRE_EQ(plog_read(l, end, 1000, 1, &s), 0);
    CHECK_EQ(s.len, 0);
    plog_close(l);
    int64_t lso = -1;
    CHECK_EQ(fsu_read_int64(pdir("t-0"), "log-start-offset", &lso), 0);
    CHECK_EQ(lso, end);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 1, &l, NULL), 0);
    CHECK_EQ(plog_start_offset(l), end);
    CHECK_EQ(plog_end_offset(l), end);
    plog_close(l);
}

TEST(storage_read_lengths_with_dense_and_sparse_index) {
    /* Equal batches, so the expected slice is easy to compute; the read path
     * skips ahead with the index and must still return whole batches only. */
    int32_t intervals[] = {0, 1, 150, 1000, 100000};
    struct buf b = {0};
    st_batch(&b, 2, T0, 30, 0);
    int64_t bsz = (int64_t)b.len;
    buf_free(&b);
    for (int iv = 0; iv < 5; iv++) {
        char name[32];
        snprintf(name, sizeof name, "t-%d", iv);
        struct plog *l;
        struct plog_cfg c = st_cfg(1 << 20, intervals[iv]);
        REQUIRE_EQ(plog_open(pdir(name), &c, 0, &l, NULL), 0);
        REQUIRE_EQ(st_append(l, 40, 2, T0, 30, T0), 0);
        for (int64_t o = 0; o < 80; o += 3) {
            for (int32_t mb = 1; mb < 45 * bsz; mb += (int32_t)(bsz / 3)) {
                struct plog_slice s;
                REQUIRE_EQ(plog_read(l, o, mb, 1, &s), 0);
                int64_t first = o / 2, left = 40 - first;
                int64_t nb = mb / bsz;
                if (nb < 1) nb = 1;
                if (nb > left) nb = left;
                CHECK_EQ(s.first_offset, first * 2);
                CHECK_EQ(s.pos, first * bsz);
                CHECK_EQ(s.len, nb * bsz);
                close(s.fd);
            }
        }
        plog_close(l);
    }
}
