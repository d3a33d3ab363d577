/* source_rate: Spark's rate source. Row v (v = 0, 1, 2, ...) has
 * value = v and timestamp = start + v / rowsPerSecond seconds, where start
 * is when the query first ran (kept in the offsets as "start"). The offset
 * is the number of rows released so far: at time t, floor((t - start) *
 * rowsPerSecond), as Spark's RateStreamProvider. Offsets text:
 * {"start":<micros>,"rows":<n>}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "engine/connectors/source.h"

struct source_rate {
    struct source base;
    int64_t rps;
    struct arena arena;
};

static int64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int parse_off(const char *s, int64_t *start, int64_t *rows) {
    long long a, b;
    if (!s || sscanf(s, "{\"start\":%lld,\"rows\":%lld}", &a, &b) != 2) return -1;
    *start = a;
    *rows = b;
    return 0;
}

static int rate_initial(struct source *src, bool batch_query, struct buf *out) {
    (void)src;
    (void)batch_query;
    buf_printf(out, "{\"start\":%lld,\"rows\":0}", (long long)now_us());
    return 0;
}

static int rate_ending(struct source *src, const char *start, struct buf *out) {
    bool has;
    return src->vt->latest(src, start, 0, out, &has);
}

static int rate_latest(struct source *src, const char *start, int64_t max_rows, struct buf *end, bool *has_data) {
    struct source_rate *r = (struct source_rate *)src;
    int64_t st, rows = 0;
    if (parse_off(start, &st, &rows)) {
        st = now_us();
        rows = 0;
    }
    int64_t avail = (now_us() - st) * r->rps / 1000000;
    if (max_rows > 0 && avail - rows > max_rows) avail = rows + max_rows;
    if (avail < rows) avail = rows;
    buf_printf(end, "{\"start\":%lld,\"rows\":%lld}", (long long)st, (long long)avail);
    *has_data = avail > rows;
    return 0;
}

static int rate_read(struct source *src, const char *start, const char *end, source_emit emit, void *ctx) {
    struct source_rate *r = (struct source_rate *)src;
    int64_t st, from = 0, to;
    if (parse_off(end, &st, &to)) return -1;
    if (start) {
        int64_t st2;
        if (parse_off(start, &st2, &from)) return -1;
    }
    for (int64_t v = from; v < to;) {
        uint32_t n = to - v < BATCH_CAP ? (uint32_t)(to - v) : BATCH_CAP;
        struct batch *b = batch_new(&r->arena, src->schema, n);
        for (uint32_t k = 0; k < n; k++, v++) {
            vec_i64(b->cols[0])[k] = st + v * 1000000 / r->rps;
            vec_i64(b->cols[1])[k] = v;
            b->cols[0]->valid[k] = b->cols[1]->valid[k] = 1;
        }
        batch_set_rows(b, n);
        int rc = emit(ctx, b);
        arena_reset(&r->arena);
        if (rc) return rc;
    }
    return 0;
}

static int rate_clamp(struct source *src, const char *start, const char *end, const char *target, struct buf *out) {
    (void)src;
    (void)start;
    int64_t st, e, t;
    if (parse_off(end, &st, &e) || parse_off(target, &st, &t)) return -1;
    buf_printf(out, "{\"start\":%lld,\"rows\":%lld}", (long long)st, (long long)(e < t ? e : t));
    return 0;
}

static void rate_close(struct source *s) {
    arena_free(&((struct source_rate *)s)->arena);
    free(s);
}

static const struct source_vt rate_vt = {rate_initial, rate_ending, rate_latest, rate_read, rate_close, rate_clamp, NULL};

int source_rate_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap) {
    struct source_rate *r = calloc(1, sizeof *r);
    r->base.vt = &rate_vt;
    r->base.table = t;
    r->base.schema = t->schema;
    r->rps = 1;
    const char *v = cat_opt(t, "rowsPerSecond");
    if (v) {
        char *e;
        r->rps = strtoll(v, &e, 10);
        if (*e || r->rps <= 0) {
            snprintf(err, errcap, "rate source: rowsPerSecond must be a positive integer, not '%s'", v);
            free(r);
            return -1;
        }
    }
    arena_init(&r->arena, 1 << 16);
    snprintf(r->base.desc, sizeof r->base.desc, "RateStreamV2[rowsPerSecond=%lld, rampUpTimeSeconds=0, numPartitions=default",
             (long long)r->rps);
    *out = &r->base;
    return 0;
}
