/* State store tests: store files round trip and corruption, and queries
 * that stop after every micro-batch and restart from the state files give
 * the same output as a query that never stopped. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "engine/exec/rowtext.h"
#include "engine/runtime/query.h"
#include "engine/runtime/session.h"
#include "engine/state/store.h"

static int collect_cb(void *ctx, const struct sst_entry *e) {
    struct buf *b = ctx;
    buf_printf(b, "%s %.*s%s%.*s\n", e->op == SST_PUT ? "put" : "del", (int)e->klen, (const char *)e->key,
               e->op == SST_PUT ? "=" : "", (int)e->vlen, e->val ? (const char *)e->val : "");
    return 0;
}

TEST(engine_state_store_files) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/st/0/0", test_tmpdir());
    struct sst_writer w;
    sst_begin(&w, 0, 1);
    sst_put(&w, "a", 1, "1", 1);
    sst_put(&w, "b", 1, "2", 1);
    REQUIRE(sst_commit(&w, dir, 1, 0) == 0);
    sst_begin(&w, 0, 2);
    sst_remove(&w, "a", 1);
    sst_put(&w, "c", 1, "3", 1);
    REQUIRE(sst_commit(&w, dir, 2, 0) == 0);
    struct buf b = {0};
    REQUIRE(sst_load(dir, 2, collect_cb, &b) == 0);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "put a=1\nput b=2\ndel a\nput c=3\n");
    buf_clear(&b);
    /* a snapshot at 3 replaces the chain */
    sst_begin(&w, 1, 3);
    sst_put(&w, "b", 1, "2", 1);
    REQUIRE(sst_commit(&w, dir, 3, 1) == 0);
    REQUIRE(sst_load(dir, 3, collect_cb, &b) == 0);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "put b=2\n");
    buf_clear(&b);
    CHECK_EQ(sst_load(dir, 4, collect_cb, &b), WERR_NOTFOUND);
    REQUIRE(sst_purge(dir, 3) == 0);
    char path[600];
    snprintf(path, sizeof path, "%s/1.delta", dir);
    CHECK(fopen(path, "r") == NULL);
    /* a flipped byte is detected */
    snprintf(path, sizeof path, "%s/3.snapshot", dir);
    FILE *f = fopen(path, "r+b");
    REQUIRE(f);
    fseek(f, 15, SEEK_SET);
    fputc('X', f);
    fclose(f);
    buf_clear(&b);
    CHECK_EQ(sst_load(dir, 3, collect_cb, &b), WERR_CORRUPT);
    buf_free(&b);
}

/* Runs `sql` over the given micro-batch inputs (one string of rows per
 * micro-batch, for table t); with restart, the query is rebuilt from the
 * state files before every micro-batch. Returns all output, one line per row,
 * each micro-batch's rows sorted, batches separated by "--\n". */
static char *run(const char *sql, const char *const *batches, int n, int restart, const char *state_dir) {
    struct buf out = {0};
    struct session s;
    struct query q;
    int open = 0;
    int64_t next = 0, wm = WM_NONE;
    for (int i = 0; i < n; i++) {
        if (!open || restart) {
            if (open) {
                query_close(&q);
                sess_free(&s);
            }
            sess_init(&s);
    s.streaming_selects = true;
            if (sess_load(&s, NULL, sql, strlen(sql), NULL)) {
                fprintf(stderr, "%s", s.err);
                abort();
            }
            query_open(&q, &s.queries[s.nqueries - 1].plan, s.queries[s.nqueries - 1].mode);
            if (restart && query_state_load(&q, state_dir, next, wm)) abort();
            open = 1;
        }
        struct arena a;
        arena_init(&a, 4096);
        char err[200];
        struct batch *b = rowtext_parse(&a, q.pipe.srcs[0].schema, batches[i], strlen(batches[i]), err, sizeof err);
        if (!b) abort();
        for (int round = 0; round < 2; round++) {
            bool more = false;
            query_begin(&q, 0);
            if (!round) query_push(&q, 0, b);
            query_end(&q, &more);
            if (restart && query_state_save(&q, state_dir)) abort();
            next = q.next_batch_id;
            wm = q.watermark_us;
            if (!more) break;
        }
        struct buf rows = {0};
        for (uint32_t k = 0; k < op_collect_nbatches(q.pipe.sink); k++) rowtext_format(&rows, op_collect_batch(q.pipe.sink, k));
        op_collect_clear(q.pipe.sink);
        /* sort lines */
        char *lines[256];
        int nl = 0;
        buf_putc(&rows, 0);
        for (char *save = NULL, *l = strtok_r((char *)rows.p, "\n", &save); l && nl < 256; l = strtok_r(NULL, "\n", &save)) lines[nl++] = l;
        for (int x = 0; x < nl; x++)
            for (int y = x + 1; y < nl; y++)
                if (strcmp(lines[x], lines[y]) > 0) {
                    char *t = lines[x];
                    lines[x] = lines[y];
                    lines[y] = t;
                }
        for (int x = 0; x < nl; x++) buf_printf(&out, "%s\n", lines[x]);
        buf_printf(&out, "--\n");
        buf_free(&rows);
        arena_free(&a);
    }
    if (open) {
        query_close(&q);
        sess_free(&s);
    }
    buf_putc(&out, 0);
    return (char *)out.p;
}

static const char *const word_batches[] = {
    "2024-01-01 12:07:00|dog\n2024-01-01 12:08:00|owl\n",
    "2024-01-01 12:14:00|dog\n2024-01-01 12:09:00|cat\n",
    "2024-01-01 12:15:00|cat\n2024-01-01 12:08:00|dog\n2024-01-01 12:13:00|owl\n2024-01-01 12:21:00|owl\n",
    "2024-01-01 12:04:00|donkey\n2024-01-01 12:17:00|owl\n",
    "2024-01-01 12:40:00|x\n",
};

static void same_with_restarts(const char *sql, const char *const *batches, int n, const char *sub) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), sub);
    char *a = run(sql, batches, n, 0, dir);
    char *b = run(sql, batches, n, 1, dir);
    CHECK_STR(b, a);
    free(a);
    free(b);
}

TEST(engine_state_restart_windowed_counts) {
    const char *base = "CREATE TABLE t (ts TIMESTAMP, word STRING) USING memory OPTIONS ('streaming' = 'true');\n";
    const char *q = "SELECT window.start, word, count(*), min(word), max(ts) FROM t WATERMARK ts DELAY OF INTERVAL 10 minutes "
                    "GROUP BY window(ts, '10 minutes', '5 minutes'), word;\n";
    char sql[1024];
    snprintf(sql, sizeof sql, "%sSET outputMode = update;\n%s", base, q);
    same_with_restarts(sql, word_batches, 5, "upd");
    snprintf(sql, sizeof sql, "%s%s", base, q);
    same_with_restarts(sql, word_batches, 5, "app");
}

TEST(engine_state_restart_dedup) {
    const char *sql = "CREATE TABLE t (ts TIMESTAMP, word STRING) USING memory OPTIONS ('streaming' = 'true');\n"
                      "SELECT word, ts FROM t WATERMARK ts DELAY OF INTERVAL 5 minutes DEDUPLICATE WITHIN WATERMARK BY (word);\n";
    same_with_restarts(sql, word_batches, 5, "dd1");
    const char *sql2 = "CREATE TABLE t (ts TIMESTAMP, word STRING) USING memory OPTIONS ('streaming' = 'true');\n"
                       "SELECT word FROM t DEDUPLICATE BY (word);\n";
    same_with_restarts(sql2, word_batches, 5, "dd2");
}

TEST(engine_state_snapshot_every_ten) {
    /* 25 micro-batches of a complete-mode count: snapshots at 10 and 20, restored correctly */
    const char *sql = "CREATE TABLE t (ts TIMESTAMP, word STRING) USING memory OPTIONS ('streaming' = 'true');\n"
                      "SET outputMode = complete;\nSELECT word, count(*) FROM t GROUP BY word;\n";
    const char *b[25];
    for (int i = 0; i < 25; i++) b[i] = word_batches[i % 5];
    same_with_restarts(sql, b, 25, "snap");
    char path[600];
    snprintf(path, sizeof path, "%s/snap/0/0/20.snapshot", test_tmpdir());
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) fclose(f);
}

TEST(engine_state_restart_session_windows) {
    const char *sql = "CREATE TABLE t (ts TIMESTAMP, word STRING) USING memory OPTIONS ('streaming' = 'true');\n"
                      "SELECT word, session_window.start, session_window.end, count(*), max(ts) FROM t "
                      "WATERMARK ts DELAY OF INTERVAL 2 minutes GROUP BY session_window(ts, '3 minutes'), word;\n";
    same_with_restarts(sql, word_batches, 5, "sess");
    const char *sql2 = "CREATE TABLE t (ts TIMESTAMP, word STRING) USING memory OPTIONS ('streaming' = 'true');\n"
                       "SET outputMode = complete;\n"
                       "SELECT word, session_window.start, count(*) FROM t GROUP BY session_window(ts, '4 minutes'), word;\n";
    same_with_restarts(sql2, word_batches, 5, "sess2");
}
