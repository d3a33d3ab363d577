/* source_memory: a table whose rows are given inline ('rows' option, one row
 * per line in rowtext format, `|` between fields) or appended by the
 * embedding program (source_memory_add). The offset is the number of rows
 * added so far: {"rows":<n>}. A batch read returns everything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/connectors/source.h"
#include "engine/exec/rowtext.h"

struct source_memory {
    struct source base;
    struct arena keep;     /* the rows, as one batch per add */
    struct batch **batches;
    uint64_t *ends;        /* row count after batch i */
    uint32_t n;
};

static int off(const char *s, int64_t *rows) {
    long long v;
    if (!s) {
        *rows = 0;
        return 0;
    }
    if (sscanf(s, "{\"rows\":%lld}", &v) != 1) return -1;
    *rows = v;
    return 0;
}

int source_memory_add(struct source *src, const char *text, size_t len, char *err, size_t errcap) {
    struct source_memory *m = (struct source_memory *)src;
    struct batch *b = rowtext_parse(&m->keep, src->schema, text, len, err, errcap);
    if (!b) return -1;
    m->batches = realloc(m->batches, (m->n + 1) * sizeof *m->batches);
    m->ends = realloc(m->ends, (m->n + 1) * sizeof *m->ends);
    if (!m->batches || !m->ends) abort();
    m->batches[m->n] = b;
    m->ends[m->n] = (m->n ? m->ends[m->n - 1] : 0) + b->nsel;
    m->n++;
    return 0;
}

static int mem_initial(struct source *src, bool batch_query, struct buf *out) {
    (void)src;
    (void)batch_query;
    buf_printf(out, "{\"rows\":0}");
    return 0;
}

static int mem_ending(struct source *src, const char *start, struct buf *out) {
    bool has;
    return src->vt->latest(src, start, 0, out, &has);
}

static int mem_latest(struct source *src, const char *start, int64_t max_rows, struct buf *end, bool *has_data) {
    struct source_memory *m = (struct source_memory *)src;
    int64_t from;
    if (off(start, &from)) return -1;
    int64_t total = m->n ? (int64_t)m->ends[m->n - 1] : 0;
    if (max_rows > 0 && total - from > max_rows) total = from + max_rows;
    buf_printf(end, "{\"rows\":%lld}", (long long)total);
    *has_data = total > from;
    return 0;
}

static int mem_read(struct source *src, const char *start, const char *end, source_emit emit, void *ctx) {
    struct source_memory *m = (struct source_memory *)src;
    int64_t from, to;
    if (off(start, &from) || off(end, &to)) return -1;
    uint64_t before = 0;
    for (uint32_t i = 0; i < m->n; i++) {
        const struct batch *b = m->batches[i];
        uint64_t lo = before, hi = m->ends[i];
        before = hi;
        if ((int64_t)hi <= from || (int64_t)lo >= to) continue;
        struct batch v = *b;
        uint32_t skip = (int64_t)lo < from ? (uint32_t)(from - (int64_t)lo) : 0;
        uint32_t stop = (int64_t)hi > to ? (uint32_t)(to - (int64_t)lo) : b->nsel;
        v.sel = b->sel + skip;
        v.nsel = stop - skip;
        int rc = emit(ctx, &v);
        if (rc) return rc;
    }
    return 0;
}

static int mem_clamp(struct source *src, const char *start, const char *end, const char *target, struct buf *out) {
    (void)src;
    (void)start;
    int64_t e, t;
    if (off(end, &e) || off(target, &t)) return -1;
    buf_printf(out, "{\"rows\":%lld}", (long long)(e < t ? e : t));
    return 0;
}

static void mem_close(struct source *s) {
    struct source_memory *m = (struct source_memory *)s;
    arena_free(&m->keep);
    free(m->batches);
    free(m->ends);
    free(m);
}

static const struct source_vt mem_vt = {mem_initial, mem_ending, mem_latest, mem_read, mem_close, mem_clamp, NULL};

int source_memory_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap) {
    struct source_memory *m = calloc(1, sizeof *m);
    m->base.vt = &mem_vt;
    m->base.table = t;
    m->base.schema = t->schema;
    arena_init(&m->keep, 1 << 16);
    snprintf(m->base.desc, sizeof m->base.desc, "MemoryStream[%s]", t->name);
    *out = &m->base;
    const char *rows = cat_opt(t, "rows");
    if (rows && source_memory_add(&m->base, rows, strlen(rows), err, errcap)) {
        mem_close(&m->base);
        return -1;
    }
    return 0;
}
