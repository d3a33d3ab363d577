/* Unit tests for partition log recovery: torn tails, corrupt batches, offset
 * discontinuities, empty segments, missing or garbage indexes, the recovery
 * point limiting the scan, and a real crash (a child process that exits
 * without closing the log). */
#include "test.h"

#include "common/buf.h"
#include "common/err.h"
#include "storage/fsutil.h"
#include "storage/plog.h"
#include "wire/batch.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* helpers from test_storage_util.c */
struct plog_cfg st_cfg(int64_t segment_bytes, int32_t index_interval);
void st_batch(struct buf *b, int n, int64_t ts, int vlen, int seq);
int st_append(struct plog *l, int nb, int n, int64_t ts, int vlen, int64_t now);
int64_t st_verify(struct plog *l, int32_t max_bytes);
int st_count_files(const char *dir, const char *suffix);
int64_t st_file_size(const char *path);
void st_seg_path(char *out, size_t n, const char *dir, int64_t base, const char *ext);
int st_seg_bases(const char *dir, int64_t *v, int max);
int st_flip(const char *path, int64_t pos);

#define T0 1700000000000LL

static const char *pdir(void) {
    static char p[512];
    snprintf(p, sizeof p, "%s/t-0", test_tmpdir());
    return p;
}

/* Builds a log of nb batches of 2 records (value 40 bytes) and closes it
 * cleanly; returns the size of one batch (they are all equal). */
static size_t build_log(int64_t segment_bytes, int nb) {
    struct plog *l;
    struct plog_cfg c = st_cfg(segment_bytes, 100);
    if (plog_open(pdir(), &c, 0, &l, NULL)) return 0;
    for (int i = 0; i < nb; i++) st_append(l, 1, 2, T0 + i * 2, 40, T0);
    plog_close(l);
    struct buf b = {0};
    st_batch(&b, 2, T0, 40, 0);
    size_t n = b.len;
    buf_free(&b);
    return n;
}

static int truncate_to(const char *path, int64_t size) { return truncate(path, size); }

TEST(recovery_torn_tail) {
    size_t bsz = build_log(1 << 20, 10);
    REQUIRE(bsz > 0);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 0, "log");
    REQUIRE_EQ(st_file_size(path), (int64_t)(10 * bsz));
    REQUIRE_EQ(truncate_to(path, (int64_t)(10 * bsz - 7)), 0); /* torn last batch */
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 1);
    CHECK_EQ(rec.segments_scanned, 1);
    CHECK_EQ(rec.bytes_truncated, (int64_t)bsz - 7);
    CHECK_EQ(plog_end_offset(l), 18);
    CHECK_EQ(plog_flushed_offset(l), 18);
    CHECK_EQ(st_file_size(path), (int64_t)(9 * bsz));
    CHECK_EQ(st_verify(l, 1 << 20), 18);
    REQUIRE_EQ(st_append(l, 1, 2, T0, 40, T0), 0);
    CHECK_EQ(plog_end_offset(l), 20);
    CHECK_EQ(st_verify(l, 1 << 20), 20);
    plog_close(l);
}

TEST(recovery_torn_header_only) {
    size_t bsz = build_log(1 << 20, 4);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 0, "log");
    REQUIRE_EQ(truncate_to(path, (int64_t)(3 * bsz + 30)), 0); /* half a header */
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.bytes_truncated, 30);
    CHECK_EQ(plog_end_offset(l), 6);
    plog_close(l);
}

TEST(recovery_torn_tail_even_when_marked_clean) {
    /* The tail of a "clean" log is still walked; a bad tail falls back to a scan. */
    size_t bsz = build_log(1 << 20, 10);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 0, "log");
    REQUIRE_EQ(truncate_to(path, (int64_t)(10 * bsz - 7)), 0);
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 1, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 1);
    CHECK_EQ(rec.bytes_truncated, (int64_t)bsz - 7);
    CHECK_EQ(plog_end_offset(l), 18);
    plog_close(l);
}

TEST(recovery_corrupt_crc_mid_segment) {
    size_t bsz = build_log(1 << 20, 10);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 0, "log");
    REQUIRE_EQ(st_flip(path, (int64_t)(5 * bsz + bsz - 10)), 0); /* inside batch 5's records */
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 1);
    CHECK_EQ(rec.bytes_truncated, (int64_t)(5 * bsz));
    CHECK_EQ(plog_end_offset(l), 10);
    CHECK_EQ(st_verify(l, 1 << 20), 10);
    plog_close(l);
}

TEST(recovery_corrupt_segment_drops_later_segments) {
    size_t bsz = build_log(600, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    REQUIRE(n >= 4);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), bases[1], "log");
    REQUIRE_EQ(st_flip(path, (int64_t)bsz + 70), 0); /* second batch of segment 1 */
    unlink(strcat(strcpy(path, pdir()), "/recovery-point")); /* force a full scan */
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 1);
    CHECK_EQ(rec.segments_scanned, 2);
    CHECK_EQ(plog_end_offset(l), bases[1] + 2);
    CHECK_EQ(st_count_files(pdir(), ".log"), 2);
    CHECK_EQ(st_count_files(pdir(), ".index"), 2);
    CHECK_EQ(st_count_files(pdir(), ".timeindex"), 2);
    CHECK_EQ(st_verify(l, 1 << 20), bases[1] + 2);
    plog_close(l);
}

TEST(recovery_offset_discontinuity) {
    size_t bsz = build_log(1 << 20, 8);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 0, "log");
    /* rewrite batch 3's baseOffset (outside the CRC, so the CRC still holds) */
    uint8_t off[8];
    be64_put(off, 1000);
    int fd = open(path, O_RDWR);
    REQUIRE(fd >= 0);
    REQUIRE_EQ(pwrite(fd, off, 8, (off_t)(3 * bsz)), 8);
    close(fd);
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.bytes_truncated, (int64_t)(5 * bsz));
    CHECK_EQ(plog_end_offset(l), 6);
    plog_close(l);
}

TEST(recovery_empty_last_segment) {
    /* a crash right after a roll leaves an empty active segment */
    build_log(1 << 20, 5);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 10, "log");
    close(open(path, O_CREAT | O_WRONLY, 0644));
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.bytes_truncated, 0);
    CHECK_EQ(plog_end_offset(l), 10);
    CHECK_EQ(st_count_files(pdir(), ".log"), 2);
    REQUIRE_EQ(st_append(l, 1, 2, T0, 40, T0), 0);
    CHECK_EQ(st_file_size(path) > 0, 1);
    CHECK_EQ(st_verify(l, 1 << 20), 12);
    plog_close(l);
}

TEST(recovery_empty_middle_segment) {
    build_log(600, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    REQUIRE(n >= 4);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), bases[2], "log");
    REQUIRE_EQ(truncate_to(path, 0), 0);
    unlink(strcat(strcpy(path, pdir()), "/recovery-point"));
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    /* the empty segment goes; the next no longer continues the offsets and goes too */
    CHECK_EQ(plog_end_offset(l), bases[2]);
    CHECK_EQ(st_verify(l, 1 << 20), bases[2]);
    CHECK(rec.bytes_truncated > 0);
    CHECK_EQ(st_count_files(pdir(), ".log"), 2);
    REQUIRE_EQ(st_append(l, 1, 2, T0, 40, T0), 0);
    CHECK_EQ(plog_end_offset(l), bases[2] + 2);
    plog_close(l);
}

TEST(recovery_missing_segment_in_the_middle) {
    build_log(600, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    REQUIRE(n >= 4);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), bases[2], "log");
    REQUIRE_EQ(unlink(path), 0);
    unlink(strcat(strcpy(path, pdir()), "/recovery-point"));
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(plog_end_offset(l), bases[2]);
    CHECK_EQ(st_count_files(pdir(), ".log"), 2);
    CHECK_EQ(st_count_files(pdir(), ".index"), 2); /* orphan index files removed */
    CHECK_EQ(st_verify(l, 1 << 20), bases[2]);
    plog_close(l);
}

TEST(recovery_missing_index_rebuilt) {
    build_log(600, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    REQUIRE(n >= 4);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), bases[1], "index");
    int64_t isz = st_file_size(path);
    REQUIRE(isz > 0);
    REQUIRE_EQ(unlink(path), 0);
    st_seg_path(path, sizeof path, pdir(), bases[n - 1], "timeindex");
    REQUIRE_EQ(unlink(path), 0);
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 1, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 1);
    CHECK_EQ(rec.indexes_rebuilt, 2);
    CHECK_EQ(rec.bytes_truncated, 0);
    st_seg_path(path, sizeof path, pdir(), bases[1], "index");
    CHECK_EQ(st_file_size(path), isz);
    CHECK_EQ(plog_end_offset(l), 40);
    CHECK_EQ(st_verify(l, 1 << 20), 40);
    int64_t o, ts;
    REQUIRE_EQ(plog_offset_for_time(l, T0 + 39, &o, &ts), 0);
    CHECK_EQ(o, 39);
    REQUIRE_EQ(plog_max_timestamp(l, &o, &ts), 0);
    CHECK_EQ(o, 39);
    CHECK_EQ(ts, T0 + 39);
    plog_close(l);
    /* the rebuilt indexes are trusted next time */
    REQUIRE_EQ(plog_open(pdir(), &c, 1, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 0);
    CHECK_EQ(rec.indexes_rebuilt, 0);
    plog_close(l);
}

TEST(recovery_garbage_and_stale_index_rebuilt) {
    build_log(600, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    REQUIRE(n >= 4);
    char path[600];
    /* garbage: random bytes */
    st_seg_path(path, sizeof path, pdir(), bases[0], "index");
    int64_t isz = st_file_size(path);
    int fd = open(path, O_WRONLY | O_TRUNC);
    REQUIRE(fd >= 0);
    uint8_t junk[24];
    for (int i = 0; i < 24; i++) junk[i] = (uint8_t)(i * 37 + 11);
    REQUIRE_EQ(write(fd, junk, sizeof junk), 24);
    close(fd);
    /* stale: an entry pointing past the end of the log */
    st_seg_path(path, sizeof path, pdir(), bases[1], "index");
    fd = open(path, O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    uint8_t e[8];
    be32_put(e, 1000);
    be32_put(e + 4, 100000);
    REQUIRE_EQ(write(fd, e, 8), 8);
    close(fd);
    /* stale time index: an offset beyond the segment */
    st_seg_path(path, sizeof path, pdir(), bases[2], "timeindex");
    fd = open(path, O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    uint8_t t[12];
    be64_put(t, (uint64_t)(T0 + 100000));
    be32_put(t + 8, 5000);
    REQUIRE_EQ(write(fd, t, 12), 12);
    close(fd);
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 1, &l, &rec), 0);
    CHECK_EQ(rec.indexes_rebuilt, 3);
    CHECK_EQ(rec.bytes_truncated, 0);
    st_seg_path(path, sizeof path, pdir(), bases[0], "index");
    CHECK_EQ(st_file_size(path), isz);
    CHECK_EQ(st_verify(l, 1 << 20), 40);
    int64_t o, ts;
    REQUIRE_EQ(plog_max_timestamp(l, &o, &ts), 0);
    CHECK_EQ(ts, T0 + 39);
    for (int64_t x = 0; x < 40; x += 3) {
        struct plog_slice s;
        REQUIRE_EQ(plog_read(l, x, 1, 1, &s), 0);
        CHECK(s.first_offset == x || s.first_offset == x - 1);
        close(s.fd);
    }
    plog_close(l);
}

TEST(recovery_point_limits_the_scan) {
    build_log(600, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    REQUIRE(n >= 4);
    /* clean close wrote recovery-point = end: an unclean open scans only the last segment */
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 1);
    CHECK_EQ(rec.segments_scanned, 1);
    plog_close(l);
    /* a recovery point inside segment 1: segments 1.. are scanned */
    REQUIRE_EQ(fsu_write_int64(pdir(), "recovery-point", bases[1] + 1), 0);
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.segments_scanned, n - 1);
    plog_close(l);
    /* no recovery point: everything */
    char path[600];
    unlink(strcat(strcpy(path, pdir()), "/recovery-point"));
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.segments_scanned, n);
    CHECK_EQ(rec.bytes_truncated, 0);
    CHECK_EQ(plog_end_offset(l), 40);
    plog_close(l);
}

TEST(recovery_after_process_crash) {
    /* A child appends, flushes part of it, appends more and dies without
     * closing: everything written reached the page cache and survives; the
     * scan starts at the persisted recovery point. */
    struct plog_cfg c = st_cfg(600, 100);
    pdir(); /* create the test directory before forking: the child must use the same one */
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        struct plog *l;
        if (plog_open(pdir(), &c, 0, &l, NULL)) _exit(1);
        if (st_append(l, 10, 2, T0, 40, T0)) _exit(2);
        if (plog_flush(l)) _exit(3);
        if (st_append(l, 10, 2, T0, 40, T0)) _exit(4);
        _exit(0); /* no plog_close */
    }
    int st;
    waitpid(pid, &st, 0);
    REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    int64_t rp = -1;
    REQUIRE_EQ(fsu_read_int64(pdir(), "recovery-point", &rp), 0);
    CHECK_EQ(rp, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    int from = 0;
    while (from + 1 < n && bases[from + 1] <= rp) from++;
    struct plog *l;
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    CHECK_EQ(rec.recovered, 1);
    CHECK_EQ(rec.segments_scanned, n - from);
    CHECK_EQ(rec.bytes_truncated, 0);
    CHECK_EQ(plog_end_offset(l), 40);
    CHECK_EQ(st_verify(l, 1 << 20), 40);
    plog_close(l);
}

TEST(recovery_removes_leftovers) {
    build_log(1 << 20, 3);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 777, "index");
    close(open(path, O_CREAT | O_WRONLY, 0644));
    snprintf(path, sizeof path, "%s/recovery-point.tmp", pdir());
    close(open(path, O_CREAT | O_WRONLY, 0644));
    struct plog *l;
    struct plog_cfg c = st_cfg(1 << 20, 100);
    REQUIRE_EQ(plog_open(pdir(), &c, 1, &l, NULL), 0);
    CHECK_EQ(st_count_files(pdir(), ".index"), 1);
    CHECK_EQ(st_count_files(pdir(), ".tmp"), 0);
    CHECK_EQ(plog_end_offset(l), 6);
    plog_close(l);
}

TEST(recovery_random_damage_always_yields_a_valid_prefix) {
    /* Random byte flips and truncations anywhere in any segment: the reopened
     * log must read back cleanly, be a prefix of the original, and accept
     * appends that continue its offsets. */
    srand(7);
    struct plog_cfg c = st_cfg(700, 150);
    for (int round = 0; round < 60; round++) {
        char dir[600], path[700];
        snprintf(dir, sizeof dir, "%s/r-%d", test_tmpdir(), round);
        struct plog *l;
        REQUIRE_EQ(plog_open(dir, &c, 0, &l, NULL), 0);
        for (int i = 0; i < 12; i++) REQUIRE_EQ(st_append(l, 1, 1 + rand() % 3, T0 + i * 5, 10 + rand() % 60, T0), 0);
        int64_t end0 = plog_end_offset(l);
        plog_close(l);
        int64_t bases[32];
        int n = st_seg_bases(dir, bases, 32);
        REQUIRE(n > 0);
        int victim = rand() % n;
        st_seg_path(path, sizeof path, dir, bases[victim], "log");
        int64_t sz = st_file_size(path);
        if (sz > 0) {
            if (rand() % 2) REQUIRE_EQ(st_flip(path, rand() % sz), 0);
            else REQUIRE_EQ(truncate(path, rand() % sz), 0);
        }
        /* damage below the recovery point is trusted by design (that data was
         * fdatasync'ed): only the last segment is always scanned */
        if (victim < n - 1 || rand() % 2) {
            snprintf(path, sizeof path, "%s/recovery-point", dir);
            unlink(path);
        }
        struct plog_recovery rec;
        REQUIRE_EQ(plog_open(dir, &c, 0, &l, &rec), 0);
        int64_t end = plog_end_offset(l);
        CHECK(end <= end0);
        CHECK(end >= bases[victim]);
        CHECK_EQ(st_verify(l, 1 << 20), end);
        CHECK_EQ(st_verify(l, 1), end);
        REQUIRE_EQ(st_append(l, 1, 2, T0, 10, T0), 0);
        CHECK_EQ(plog_end_offset(l), end + 2);
        CHECK_EQ(st_verify(l, 1 << 20), end + 2);
        plog_close(l);
    }
}

TEST(recovery_first_segment_cut_to_empty_drops_the_rest) {
    size_t bsz = build_log(600, 20);
    int64_t bases[32];
    int n = st_seg_bases(pdir(), bases, 32);
    REQUIRE(n >= 3);
    char path[600];
    st_seg_path(path, sizeof path, pdir(), 0, "log");
    REQUIRE_EQ(truncate(path, (int64_t)bsz / 2), 0);
    unlink(strcat(strcpy(path, pdir()), "/recovery-point"));
    struct plog *l;
    struct plog_cfg c = st_cfg(600, 100);
    struct plog_recovery rec;
    REQUIRE_EQ(plog_open(pdir(), &c, 0, &l, &rec), 0);
    /* nothing after a hole survives: the log is empty from offset 0 */
    CHECK_EQ(plog_start_offset(l), 0);
    CHECK_EQ(plog_end_offset(l), 0);
    CHECK_EQ(plog_size_bytes(l), 0);
    CHECK_EQ(st_count_files(pdir(), ".log"), 1);
    REQUIRE_EQ(st_append(l, 1, 2, T0, 40, T0), 0);
    CHECK_EQ(st_verify(l, 1 << 20), 2);
    plog_close(l);
}
