/* Unit tests for common/uuid and engine/runtime/checkpoint: Spark's file
 * layout byte for byte, reading back, no overwrite of a batch, purge,
 * progress log, leftover temporary files, and a writer killed with SIGKILL
 * at an arbitrary moment leaving only whole files behind. */
#include "test.h"

#include "common/err.h"
#include "common/log.h"
#include "common/uuid.h"
#include "engine/runtime/checkpoint.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *slurp(const char *path) {
    static char b[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return "(missing)";
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    b[n < 0 ? 0 : n] = 0;
    return b;
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

TEST(ckpt_uuid) {
    char a[UUID_STR_LEN + 1], b[UUID_STR_LEN + 1];
    REQUIRE(uuid_v4_str(a) == 0);
    REQUIRE(uuid_v4_str(b) == 0);
    CHECK(strcmp(a, b) != 0);
    CHECK_EQ(strlen(a), 36);
    CHECK_EQ(a[14], '4');
    CHECK(strchr("89ab", a[19]) != NULL);
    CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
    uint8_t u[16];
    REQUIRE(uuid_parse(a, u) == 0);
    char c[UUID_STR_LEN + 1];
    uuid_format(u, c);
    CHECK_STR(a, c);
    CHECK_EQ(uuid_parse("0A8B7E4C-1234-4abc-9def-000000000000", u), 0);
    CHECK_EQ(u[0], 0x0a);
    CHECK_EQ(uuid_parse("0a8b7e4c-1234-4abc-9def-00000000000", u), WERR_PARSE);
    CHECK_EQ(uuid_parse("0a8b7e4c_1234-4abc-9def-000000000000", u), WERR_PARSE);
    CHECK_EQ(uuid_parse("0a8b7e4c-1234-4abc-9def-000000000000x", u), WERR_PARSE);
}

TEST(ckpt_layout_and_roundtrip) {
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/ck/lake", test_tmpdir());
    struct ckpt *c;
    int created = -1;
    REQUIRE(ckpt_open(dir, &c, &created) == 0);
    CHECK_EQ(created, 1);
    char id[UUID_STR_LEN + 1];
    snprintf(id, sizeof id, "%s", ckpt_id(c));
    snprintf(p, sizeof p, "%s/metadata", dir);
    char want[128];
    snprintf(want, sizeof want, "{\"id\":\"%s\"}", id);
    CHECK_STR(slurp(p), want);
    for (int i = 0; i < 4; i++) {
        static const char *const subs[] = {"offsets", "commits", "sources", "state"};
        snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
        CHECK(exists(p));
    }
    int64_t b;
    CHECK_EQ(ckpt_latest_offsets(c, &b), WERR_NOTFOUND);
    CHECK_EQ(ckpt_latest_commit(c, &b), WERR_NOTFOUND);

    const char *keys[] = {"spark.sql.shuffle.partitions", "spark.sql.streaming.multipleWatermarkPolicy"};
    const char *vals[] = {"200", "min"};
    const char *srcs[] = {"{\"mta-turnstile\":{\"0\":123,\"1\":456}}", "-"};
    struct ckpt_offsets o = {.watermark_ms = 1695488040000, .timestamp_ms = 1695488100123, .nconf = 2,
                             .conf_keys = keys, .conf_vals = vals, .nsources = 2, .sources = srcs};
    REQUIRE(ckpt_write_offsets(c, 0, &o) == 0);
    snprintf(p, sizeof p, "%s/offsets/0", dir);
    CHECK_STR(slurp(p), "v1\n{\"batchWatermarkMs\":1695488040000,\"batchTimestampMs\":1695488100123,"
                        "\"conf\":{\"spark.sql.shuffle.partitions\":\"200\",\"spark.sql.streaming.multipleWatermarkPolicy\":\"min\"}}\n"
                        "{\"mta-turnstile\":{\"0\":123,\"1\":456}}\n-");
    CHECK_EQ(ckpt_write_offsets(c, 0, &o), WERR_EXISTS); /* never rewritten */
    REQUIRE(ckpt_write_commit(c, 0, 1695488040000) == 0);
    snprintf(p, sizeof p, "%s/commits/0", dir);
    CHECK_STR(slurp(p), "v1\n{\"nextBatchWatermarkMs\":1695488040000}");
    CHECK_EQ(ckpt_write_commit(c, 0, 5), WERR_EXISTS);
    o.nconf = 0;
    o.nsources = 1;
    REQUIRE(ckpt_write_offsets(c, 1, &o) == 0);
    const char *bad[] = {"line\nbreak"};
    o.sources = bad;
    CHECK_EQ(ckpt_write_offsets(c, 2, &o), WERR_INVALID);
    CHECK_EQ(ckpt_latest_offsets(c, &b), 0);
    CHECK_EQ(b, 1);
    CHECK_EQ(ckpt_latest_commit(c, &b), 0);
    CHECK_EQ(b, 0);
    ckpt_close(c);

    /* reopen: same id, read back */
    REQUIRE(ckpt_open(dir, &c, &created) == 0);
    CHECK_EQ(created, 0);
    CHECK_STR(ckpt_id(c), id);
    struct arena a;
    arena_init(&a, 1024);
    struct ckpt_offsets r;
    REQUIRE(ckpt_read_offsets(c, 0, &a, &r) == 0);
    CHECK_EQ(r.watermark_ms, 1695488040000);
    CHECK_EQ(r.timestamp_ms, 1695488100123);
    REQUIRE_EQ(r.nconf, 2);
    CHECK_STR(r.conf_keys[1], "spark.sql.streaming.multipleWatermarkPolicy");
    CHECK_STR(r.conf_vals[0], "200");
    REQUIRE_EQ(r.nsources, 2);
    CHECK_STR(r.sources[0], "{\"mta-turnstile\":{\"0\":123,\"1\":456}}");
    CHECK_STR(r.sources[1], "-");
    REQUIRE(ckpt_read_offsets(c, 1, &a, &r) == 0);
    CHECK_EQ(r.nconf, 0);
    CHECK_EQ(r.nsources, 1);
    CHECK_EQ(ckpt_read_offsets(c, 7, &a, &r), WERR_NOTFOUND);
    int64_t wm = 0;
    CHECK_EQ(ckpt_read_commit(c, 0, &wm), 0);
    CHECK_EQ(wm, 1695488040000);
    CHECK_EQ(ckpt_read_commit(c, 1, &wm), WERR_NOTFOUND);
    /* a file in Spark's format with a trailing newline also reads */
    REQUIRE(ckpt_write_atomic(p, "x", "", 0, 0) != 0); /* p is a file, not a dir */
    snprintf(p, sizeof p, "%s/commits", dir);
    REQUIRE(ckpt_write_atomic(p, "5", "v1\n{\"nextBatchWatermarkMs\":42}\n", 30, 1) == 0);
    CHECK_EQ(ckpt_read_commit(c, 5, &wm), 0);
    CHECK_EQ(wm, 42);
    REQUIRE(ckpt_write_atomic(p, "6", "v2\n{\"nextBatchWatermarkMs\":42}", 29, 1) == 0);
    CHECK_EQ(ckpt_read_commit(c, 6, &wm), WERR_UNSUPPORTED);
    REQUIRE(ckpt_write_atomic(p, "7", "v1\n{\"next", 9, 1) == 0);
    CHECK_EQ(ckpt_read_commit(c, 7, &wm), WERR_CORRUPT);
    /* sources files */
    REQUIRE(ckpt_write_source_file(c, 0, 0, "{\"t\":{\"0\":0}}", 13) == 0);
    snprintf(p, sizeof p, "%s/sources/0/0", dir);
    CHECK_STR(slurp(p), "v1\n{\"t\":{\"0\":0}}");
    char *text;
    size_t tl;
    REQUIRE(ckpt_read_source_file(c, 0, 0, &a, &text, &tl) == 0);
    CHECK_STR(text, "{\"t\":{\"0\":0}}");
    CHECK_EQ(tl, 13);
    arena_free(&a);
    ckpt_close(c);
}

TEST(ckpt_corrupt_metadata) {
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/ck", test_tmpdir());
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/metadata", dir);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    CHECK_EQ(write(fd, "{\"id\":", 6), 6);
    close(fd);
    struct ckpt *c;
    CHECK_EQ(ckpt_open(dir, &c, NULL), WERR_CORRUPT);
}

TEST(ckpt_purge_and_progress) {
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/ck", test_tmpdir());
    struct ckpt *c;
    REQUIRE(ckpt_open(dir, &c, NULL) == 0);
    const char *src[] = {"{\"t\":{\"0\":1}}"};
    struct ckpt_offsets o = {.nsources = 1, .sources = src};
    for (int i = 0; i < 10; i++) {
        REQUIRE(ckpt_write_offsets(c, i, &o) == 0);
        if (i < 9) REQUIRE(ckpt_write_commit(c, i, 0) == 0);
    }
    REQUIRE(ckpt_write_source_file(c, 0, 0, "x", 1) == 0);
    CHECK_EQ(ckpt_purge(c, 0), WERR_INVALID);
    REQUIRE(ckpt_purge(c, 3) == 0);
    struct arena a;
    arena_init(&a, 1024);
    int64_t *ids;
    int n;
    REQUIRE(ckpt_list_offsets(c, &a, &ids, &n) == 0);
    REQUIRE_EQ(n, 3);
    CHECK_EQ(ids[0], 7);
    CHECK_EQ(ids[2], 9);
    REQUIRE(ckpt_list_commits(c, &a, &ids, &n) == 0);
    REQUIRE_EQ(n, 3);
    CHECK_EQ(ids[0], 6);
    snprintf(p, sizeof p, "%s/sources/0/0", dir);
    CHECK(exists(p));

    char **lines;
    REQUIRE(ckpt_read_progress(c, &a, 10, &lines, &n) == 0);
    CHECK_EQ(n, 0);
    for (int i = 0; i < 5; i++) {
        char j[64];
        int l = snprintf(j, sizeof j, "{\"batchId\":%d}", i);
        REQUIRE(ckpt_append_progress(c, j, (size_t)l) == 0);
    }
    CHECK_EQ(ckpt_append_progress(c, "{\n}", 3), WERR_INVALID);
    /* a torn last line is dropped */
    snprintf(p, sizeof p, "%s/progress.log", dir);
    int fd = open(p, O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    CHECK_EQ(write(fd, "{\"batch", 7), 7);
    close(fd);
    REQUIRE(ckpt_read_progress(c, &a, 3, &lines, &n) == 0);
    REQUIRE_EQ(n, 3);
    CHECK_STR(lines[0], "{\"batchId\":2}");
    CHECK_STR(lines[2], "{\"batchId\":4}");
    /* the next append ends the torn line first, so only that line is damaged */
    REQUIRE(ckpt_append_progress(c, "{\"batchId\":5}", 13) == 0);
    REQUIRE(ckpt_read_progress(c, &a, 2, &lines, &n) == 0);
    REQUIRE_EQ(n, 2);
    CHECK_STR(lines[0], "{\"batch");
    CHECK_STR(lines[1], "{\"batchId\":5}");
    /* purge cuts the progress log to its last CKPT_PROGRESS_KEEP lines */
    for (int i = 6; i < CKPT_PROGRESS_KEEP + 20; i++) {
        char j[64];
        int l = snprintf(j, sizeof j, "{\"batchId\":%d}", i);
        REQUIRE(ckpt_append_progress(c, j, (size_t)l) == 0);
    }
    REQUIRE(ckpt_purge(c, 3) == 0);
    REQUIRE(ckpt_read_progress(c, &a, 1000, &lines, &n) == 0);
    REQUIRE_EQ(n, CKPT_PROGRESS_KEEP);
    CHECK_STR(lines[0], "{\"batchId\":20}");
    REQUIRE(ckpt_append_progress(c, "{}", 2) == 0);
    REQUIRE(ckpt_read_progress(c, &a, 1000, &lines, &n) == 0);
    CHECK_EQ(n, CKPT_PROGRESS_KEEP + 1);
    arena_free(&a);
    ckpt_close(c);
}

TEST(ckpt_leftover_tmp_files_ignored) {
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/ck", test_tmpdir());
    struct ckpt *c;
    REQUIRE(ckpt_open(dir, &c, NULL) == 0);
    REQUIRE(ckpt_write_commit(c, 0, 0) == 0);
    ckpt_close(c);
    /* a crash between write and rename leaves a temporary file (possibly torn) */
    snprintf(p, sizeof p, "%s/commits/.1.0a8b7e4c-1234-4abc-9def-000000000000.tmp", dir);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    CHECK_EQ(write(fd, "v1\n{\"nextBa", 11), 11);
    close(fd);
    snprintf(p, sizeof p, "%s/offsets/.3.x.tmp", dir);
    fd = open(p, O_WRONLY | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    /* before reopening, listing ignores it */
    REQUIRE(ckpt_open(dir, &c, NULL) == 0);
    int64_t b;
    CHECK_EQ(ckpt_latest_commit(c, &b), 0);
    CHECK_EQ(b, 0);
    CHECK_EQ(ckpt_latest_offsets(c, &b), WERR_NOTFOUND);
    CHECK(!exists(p)); /* and open removed it */
    REQUIRE(ckpt_write_commit(c, 1, 7) == 0);
    int64_t wm;
    CHECK_EQ(ckpt_read_commit(c, 1, &wm), 0);
    CHECK_EQ(wm, 7);
    ckpt_close(c);
}

TEST(ckpt_sigkill_during_writes) {
    /* A child writes offsets and commits as fast as it can; it is killed
     * at a moment that differs per round. Every file found afterwards must
     * be whole and readable, and batches must be contiguous. */
    for (int round = 0; round < 4; round++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/ck%d", test_tmpdir(), round);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            struct ckpt *c;
            if (ckpt_open(dir, &c, NULL)) _exit(2);
            char s[128];
            for (int64_t i = 0; i < 100000; i++) {
                snprintf(s, sizeof s, "{\"topic\":{\"0\":%lld,\"1\":%lld}}", (long long)i * 100, (long long)i * 7);
                const char *srcs[] = {s};
                struct ckpt_offsets o = {.watermark_ms = i, .timestamp_ms = i * 1000, .nsources = 1, .sources = srcs};
                if (ckpt_write_offsets(c, i, &o) || ckpt_write_commit(c, i, i + 1)) _exit(3);
            }
            _exit(0);
        }
        /* wait until some batches exist, then kill at a round-dependent point */
        char p[600];
        snprintf(p, sizeof p, "%s/commits/%d", dir, 3 + round * 5);
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            if (exists(p)) break;
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - start.tv_sec > 30) break;
            sched_yield();
        }
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        REQUIRE(exists(p));
        struct ckpt *c;
        REQUIRE(ckpt_open(dir, &c, NULL) == 0);
        int64_t lo, lc;
        REQUIRE(ckpt_latest_offsets(c, &lo) == 0);
        REQUIRE(ckpt_latest_commit(c, &lc) == 0);
        CHECK(lo == lc || lo == lc + 1); /* at most one batch planned but uncommitted */
        struct arena a;
        arena_init(&a, 4096);
        for (int64_t i = 0; i <= lo; i++) {
            struct ckpt_offsets o;
            REQUIRE(ckpt_read_offsets(c, i, &a, &o) == 0);
            CHECK_EQ(o.watermark_ms, i);
            REQUIRE_EQ(o.nsources, 1);
            char s[128];
            snprintf(s, sizeof s, "{\"topic\":{\"0\":%lld,\"1\":%lld}}", (long long)i * 100, (long long)i * 7);
            CHECK_STR(o.sources[0], s);
            int64_t wm;
            if (i <= lc) {
                REQUIRE(ckpt_read_commit(c, i, &wm) == 0);
                CHECK_EQ(wm, i + 1);
            }
        }
        arena_free(&a);
        ckpt_close(c);
    }
}

TEST(ckpt_garbage_files_are_errors_not_crashes) {
    /* offsets/ and commits/ entries with random or truncated contents (a
     * disk that lied, a hand edit) read as WERR_CORRUPT/UNSUPPORTED, never
     * as a crash or a made-up value */
    char dir[512], sub[600];
    snprintf(dir, sizeof dir, "%s/ck", test_tmpdir());
    struct ckpt *c;
    REQUIRE(ckpt_open(dir, &c, NULL) == 0);
    log_set_level((enum log_level)(LOG_ERROR + 1)); /* hundreds of expected complaints */
    const char *good = "v1\n{\"batchWatermarkMs\":5,\"batchTimestampMs\":6,\"conf\":{\"a\":\"b\"}}\n{\"t\":{\"0\":1}}";
    size_t gl = strlen(good);
    uint64_t x = 0x2545F4914F6CDD1Dull;
    struct arena a;
    arena_init(&a, 4096);
    for (int i = 0; i < 400; i++) {
        char buf[256];
        memcpy(buf, good, gl);
        size_t n = gl;
        for (int e = 0; e < 3 && n > 0; e++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            size_t at = x % n;
            if (x & 0x100) buf[at] = (char)(x >> 24);
            else n = at; /* truncate */
        }
        char name[32];
        snprintf(name, sizeof name, "%d", i);
        snprintf(sub, sizeof sub, "%s/offsets", dir);
        REQUIRE(ckpt_write_atomic(sub, name, buf, n, 1) == 0);
        struct ckpt_offsets o;
        int rc = ckpt_read_offsets(c, i, &a, &o);
        CHECK(rc == 0 || rc == WERR_CORRUPT || rc == WERR_UNSUPPORTED);
        snprintf(sub, sizeof sub, "%s/commits", dir);
        REQUIRE(ckpt_write_atomic(sub, name, buf, n, 1) == 0);
        int64_t wm;
        rc = ckpt_read_commit(c, i, &wm);
        CHECK(rc == WERR_CORRUPT || rc == WERR_UNSUPPORTED);
        if ((i & 63) == 0) arena_reset(&a);
    }
    arena_free(&a);
    ckpt_close(c);
}
