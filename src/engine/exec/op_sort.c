/* op_sort: ORDER BY. Buffers the micro-batch's rows (with their evaluated
 * sort keys) in its own arena, sorts row references at finish and emits
 * them in order; then forgets them. Used by batch queries and, on streams,
 * only after an aggregation in complete mode (the stream rules enforce it).
 * NULLs go first or last per key as the plan says (Spark's default: first
 * for ASC, last for DESC). */
#include <stdlib.h>
#include <string.h>

#include "engine/exec/op.h"
#include "engine/exec/vrow.h"
#include "engine/plan/plan.h"

struct op_sort {
    struct op base;
    const struct lp_sort_key *keys;
    uint32_t nkeys;
    struct arena heap;
    struct batch **batches; /* columns: input..., keys... */
    uint32_t n, cap;
};

struct rowref {
    uint32_t b, r;
};

static int cmp_rows(const void *x, const void *y, void *ctx) {
    const struct rowref *a = x, *b = y;
    const struct op_sort *s = ctx;
    uint32_t base = s->base.schema->nfields;
    for (uint32_t k = 0; k < s->nkeys; k++) {
        const struct vec *va = s->batches[a->b]->cols[base + k], *vb = s->batches[b->b]->cols[base + k];
        int na = !va->valid[a->r], nb = !vb->valid[b->r];
        if (na || nb) {
            if (na && nb) continue;
            int c = na ? -1 : 1;
            return s->keys[k].nulls_first ? c : -c;
        }
        int c = vrow_cmp(va, a->r, vb, b->r);
        if (c) return s->keys[k].desc ? -c : c;
    }
    if (a->b != b->b) return a->b < b->b ? -1 : 1; /* stable */
    return a->r < b->r ? -1 : a->r > b->r;
}

static int sort_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_sort *s = (struct op_sort *)o;
    struct batch tmp = *in;
    tmp.ncols = in->ncols + s->nkeys;
    tmp.cols = arena_alloc(rc->ex.arena, tmp.ncols * sizeof *tmp.cols);
    memcpy(tmp.cols, in->cols, in->ncols * sizeof *tmp.cols);
    for (uint32_t k = 0; k < s->nkeys; k++) tmp.cols[in->ncols + k] = expr_eval(s->keys[k].expr, &rc->ex, in);
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->batches = realloc(s->batches, s->cap * sizeof *s->batches);
        if (!s->batches) abort();
    }
    s->batches[s->n++] = batch_compact(&s->heap, &tmp);
    return 0;
}

static int sort_finish(struct op *o, struct run_ctx *rc) {
    struct op_sort *s = (struct op_sort *)o;
    uint64_t total = 0;
    for (uint32_t i = 0; i < s->n; i++) total += s->batches[i]->nsel;
    struct rowref *refs = malloc((total ? total : 1) * sizeof *refs);
    uint64_t m = 0;
    for (uint32_t i = 0; i < s->n; i++)
        for (uint32_t r = 0; r < s->batches[i]->nsel; r++) refs[m++] = (struct rowref){i, r};
    qsort_r(refs, total, sizeof *refs, cmp_rows, s);
    int rc2 = 0;
    uint32_t nc = o->schema->nfields;
    for (uint64_t at = 0; at < total && !rc2;) {
        struct batch *b = batch_new(rc->ex.arena, o->schema, BATCH_CAP);
        uint32_t k = 0;
        for (; at < total && k < BATCH_CAP; at++, k++)
            for (uint32_t c = 0; c < nc; c++) vec_copy_row(b->cols[c], k, s->batches[refs[at].b]->cols[c], refs[at].r, false);
        batch_set_rows(b, k);
        rc2 = op_emit(o, rc, b);
    }
    free(refs);
    arena_reset(&s->heap);
    s->n = 0;
    return rc2 ? rc2 : op_finish_next(o, rc);
}

static void sort_free(struct op *o) {
    struct op_sort *s = (struct op_sort *)o;
    arena_free(&s->heap);
    free(s->batches);
    free(s);
}

static const struct op_vt sort_vt = {.name = "Sort", .push = sort_push, .finish = sort_finish, .free = sort_free};

struct op *op_sort_new(const struct ty *schema, const struct lp_sort_key *keys, uint32_t n) {
    struct op_sort *s = calloc(1, sizeof *s);
    s->base.vt = &sort_vt;
    s->base.schema = schema;
    s->keys = keys;
    s->nkeys = n;
    arena_init(&s->heap, 1 << 16);
    return &s->base;
}
