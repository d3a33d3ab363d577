/* Unit tests for retention (time, size), partition deletion and log dirs. */
#include "test.h"

#include "common/buf.h"
#include "common/err.h"
#include "storage/fsutil.h"
#include "storage/logdir.h"
#include "storage/plog.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* helpers from test_storage_util.c */
struct plog_cfg st_cfg(int64_t segment_bytes, int32_t index_interval);
int st_append(struct plog *l, int nb, int n, int64_t ts, int vlen, int64_t now);
int64_t st_verify(struct plog *l, int32_t max_bytes);
int st_count_files(const char *dir, const char *suffix);
int st_seg_bases(const char *dir, int64_t *v, int max);

#define T0 1700000000000LL

static const char *pdir(const char *name) {
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", test_tmpdir(), name);
    return p;
}

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

TEST(storage_retention_by_time) {
    struct plog *l;
    struct plog_cfg c = st_cfg(400, 4096);
    c.retention_ms = 10000;
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    /* 12 batches, one per second of timestamps */
    for (int i = 0; i < 12; i++) REQUIRE_EQ(st_append(l, 1, 2, T0 + i * 1000, 60, T0 + i * 1000), 0);
    int64_t bases[32];
    int n0 = st_seg_bases(pdir("t-0"), bases, 32);
    REQUIRE(n0 >= 4);
    int64_t size0 = plog_size_bytes(l), end = plog_end_offset(l);
    /* nothing is older than 10 s yet */
    CHECK_EQ(plog_housekeep(l, T0 + 10001), 0); /* the oldest record is T0+1 */
    CHECK_EQ(plog_start_offset(l), 0);
    /* at T0+15500, segments whose newest record is before T0+5500 go */
    int64_t d = plog_housekeep(l, T0 + 15500);
    CHECK(d > 0);
    CHECK_EQ(plog_size_bytes(l), size0 - d);
    int n1 = st_seg_bases(pdir("t-0"), bases, 32);
    CHECK(n1 < n0);
    CHECK_EQ(plog_start_offset(l), bases[0]);
    CHECK(plog_start_offset(l) > 0);
    int64_t o, ts;
    REQUIRE_EQ(plog_offset_for_time(l, 0, &o, &ts), 0);
    CHECK_EQ(o, plog_start_offset(l));
    CHECK_EQ(st_verify(l, 1 << 20), end - plog_start_offset(l));
    /* everything expired: the active segment is rolled and all data goes */
    d = plog_housekeep(l, T0 + 100000);
    CHECK(d > 0);
    CHECK_EQ(plog_size_bytes(l), 0);
    CHECK_EQ(plog_start_offset(l), end);
    CHECK_EQ(plog_end_offset(l), end);
    CHECK_EQ(st_count_files(pdir("t-0"), ".log"), 1);
    n1 = st_seg_bases(pdir("t-0"), bases, 32);
    CHECK_EQ(bases[0], end);
    /* and appending continues from there */
    REQUIRE_EQ(st_append(l, 1, 2, T0 + 100000, 10, T0 + 100000), 0);
    CHECK_EQ(plog_end_offset(l), end + 2);
    plog_close(l);
    int64_t lso;
    CHECK_EQ(fsu_read_int64(pdir("t-0"), "log-start-offset", &lso), 0);
    CHECK_EQ(lso, end);
}

TEST(storage_retention_unlimited) {
    struct plog *l;
    struct plog_cfg c = st_cfg(400, 4096);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 10, 2, T0, 60, T0), 0);
    CHECK_EQ(plog_housekeep(l, T0 + 1000LL * 86400 * 365), 0);
    CHECK_EQ(plog_start_offset(l), 0);
    plog_close(l);
}

TEST(storage_retention_by_size) {
    struct plog *l;
    struct plog_cfg c = st_cfg(500, 4096);
    REQUIRE_EQ(plog_open(pdir("t-0"), &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 30, 2, T0, 60, T0), 0);
    int64_t bases[64];
    int n0 = st_seg_bases(pdir("t-0"), bases, 64);
    REQUIRE(n0 >= 6);
    int64_t total = plog_size_bytes(l);
    c.retention_bytes = 1200;
    plog_set_cfg(l, &c);
    int64_t d = plog_housekeep(l, T0);
    CHECK(d > 0);
    /* Kafka's rule: delete oldest while total - segment >= retention */
    CHECK(plog_size_bytes(l) >= 1200);
    CHECK_EQ(plog_size_bytes(l), total - d);
    int n1 = st_seg_bases(pdir("t-0"), bases, 64);
    CHECK(n1 < n0);
    CHECK_EQ(plog_start_offset(l), bases[0]);
    /* deleting one more segment would go below the limit */
    CHECK_EQ(plog_housekeep(l, T0), 0);
    c.retention_bytes = 0;
    plog_set_cfg(l, &c);
    CHECK(plog_housekeep(l, T0) > 0);
    CHECK_EQ(plog_size_bytes(l), 0);
    CHECK_EQ(plog_start_offset(l), plog_end_offset(l));
    plog_close(l);
}

TEST(storage_plog_delete_removes_everything) {
    struct plog *l;
    struct plog_cfg c = st_cfg(500, 4096);
    REQUIRE_EQ(plog_open(pdir("my.topic-3"), &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 10, 2, T0, 60, T0), 0);
    REQUIRE_EQ(plog_delete(l), 0);
    CHECK(!exists(pdir("my.topic-3")));
    CHECK_EQ(st_count_files(test_tmpdir(), "-delete"), 0);
}

TEST(logdir_marker_list_and_delete) {
    const char *root = pdir("logs");
    struct logdir *d;
    REQUIRE_EQ(logdir_open(root, &d), 0);
    CHECK_EQ(logdir_was_clean(d), 0);
    /* a second open while locked fails */
    struct logdir *d2;
    CHECK_EQ(logdir_open(root, &d2), WERR_EXISTS);
    const char *topics[] = {"orders", "my-topic", "a.b_c-d", "x"};
    int parts[] = {0, 12, 1, 7};
    char p[600];
    struct plog_cfg c = st_cfg(1 << 20, 4096);
    for (int i = 0; i < 4; i++) {
        REQUIRE_EQ(logdir_partition_dir(d, topics[i], parts[i], p, sizeof p), 0);
        struct plog *l;
        REQUIRE_EQ(plog_open(p, &c, logdir_was_clean(d), &l, NULL), 0);
        REQUIRE_EQ(st_append(l, 1, 1, T0, 10, T0), 0);
        plog_close(l);
    }
    CHECK_EQ(logdir_partition_dir(d, "bad/topic", 0, p, sizeof p), WERR_INVALID);
    CHECK_EQ(logdir_partition_dir(d, "", 0, p, sizeof p), WERR_INVALID);
    CHECK_EQ(logdir_partition_dir(d, "..", 0, p, sizeof p), WERR_INVALID);
    /* noise that is not a partition */
    snprintf(p, sizeof p, "%s/not_a_partition", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/file-1", root);
    close(open(p, O_CREAT | O_WRONLY, 0644));
    snprintf(p, sizeof p, "%s/orders-x", root);
    mkdir(p, 0755);
    struct logdir_part *v;
    int n;
    REQUIRE_EQ(logdir_list(d, &v, &n), 0);
    REQUIRE_EQ(n, 4);
    CHECK_STR(v[0].topic, "a.b_c-d");
    CHECK_EQ(v[0].partition, 1);
    CHECK_STR(v[1].topic, "my-topic");
    CHECK_EQ(v[1].partition, 12);
    CHECK_STR(v[2].topic, "orders");
    CHECK_EQ(v[2].partition, 0);
    CHECK_STR(v[3].topic, "x");
    CHECK_EQ(v[3].partition, 7);
    logdir_list_free(v, n);
    REQUIRE_EQ(logdir_delete_partition(d, "my-topic", 12), 0);
    CHECK_EQ(logdir_delete_partition(d, "my-topic", 12), 0); /* already gone */
    REQUIRE_EQ(logdir_list(d, &v, &n), 0);
    CHECK_EQ(n, 3);
    logdir_list_free(v, n);
    /* clean close writes the marker; the next open sees it and removes it */
    REQUIRE_EQ(logdir_close(d, 1), 0);
    snprintf(p, sizeof p, "%s/%s", root, LOGDIR_CLEAN_MARKER);
    CHECK(exists(p));
    REQUIRE_EQ(logdir_open(root, &d), 0);
    CHECK_EQ(logdir_was_clean(d), 1);
    CHECK(!exists(p));
    /* a crash (close without the marker) means recovery next time */
    REQUIRE_EQ(logdir_close(d, 0), 0);
    REQUIRE_EQ(logdir_open(root, &d), 0);
    CHECK_EQ(logdir_was_clean(d), 0);
    logdir_close(d, 0);
}

TEST(logdir_finishes_interrupted_delete) {
    const char *root = pdir("logs");
    struct logdir *d;
    REQUIRE_EQ(logdir_open(root, &d), 0);
    char p[600], del[700];
    struct plog_cfg c = st_cfg(1 << 20, 4096);
    REQUIRE_EQ(logdir_partition_dir(d, "gone", 0, p, sizeof p), 0);
    struct plog *l;
    REQUIRE_EQ(plog_open(p, &c, 0, &l, NULL), 0);
    REQUIRE_EQ(st_append(l, 2, 2, T0, 10, T0), 0);
    plog_close(l);
    logdir_close(d, 0);
    /* simulate a crash right after the rename */
    snprintf(del, sizeof del, "%s.0123456789ab-delete", p);
    REQUIRE_EQ(rename(p, del), 0);
    REQUIRE_EQ(logdir_open(root, &d), 0);
    CHECK(!exists(del));
    struct logdir_part *v;
    int n;
    REQUIRE_EQ(logdir_list(d, &v, &n), 0);
    CHECK_EQ(n, 0);
    logdir_list_free(v, n);
    logdir_close(d, 0);
}

TEST(storage_many_empty_partitions) {
    /* 100 empty partitions open and close (broker start path); no timing
     * assertion here, see the report for measurements. */
    struct plog *ls[100];
    struct plog_cfg c;
    plog_cfg_default(&c);
    char p[600];
    for (int i = 0; i < 100; i++) {
        snprintf(p, sizeof p, "%s/logs/topic-%d", test_tmpdir(), i);
        REQUIRE_EQ(plog_open(p, &c, 0, &ls[i], NULL), 0);
    }
    for (int i = 0; i < 100; i++) plog_close(ls[i]);
    for (int i = 0; i < 100; i++) {
        snprintf(p, sizeof p, "%s/logs/topic-%d", test_tmpdir(), i);
        REQUIRE_EQ(plog_open(p, &c, 1, &ls[i], NULL), 0);
        CHECK_EQ(plog_end_offset(ls[i]), 0);
    }
    for (int i = 0; i < 100; i++) plog_close(ls[i]);
}
