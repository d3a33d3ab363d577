/* op_join: hash equi-join (inner, outer on the probe side, left semi,
 * left anti, cross) with a build side that is hashed and a probe side that streams.
 *
 * The one thing to know first: the build side arrives through a separate
 * entry operator (op_join_build_entry) and must be complete before the
 * first probe row — the physical planner lists build-side sources first and
 * the runtime reads static tables before the first micro-batch. Build rows
 * are copied into the operator and kept for its lifetime (a stream-static
 * join reads the static side once). `finish` from the build side is
 * ignored; the probe side's finish is passed on.
 *
 * Output rows are left columns then right columns, whichever side builds.
 * NULL keys never match. Probing collects candidate (probe, build) pairs,
 * materialises them a batch at a time and checks the residual condition
 * (the non-equi parts of ON) over that batch in one evaluation; an outer row
 * is emitted with NULLs when none of its candidates passed. */
#include <stdlib.h>
#include <string.h>

#include "engine/exec/op.h"
#include "engine/exec/rowset.h"
#include "engine/plan/plan.h"

struct build_row {
    uint32_t b, r, next; /* batch, row, next row of the same key (UINT32_MAX ends) */
};

struct op_join;
struct join_entry {
    struct op base;
    struct op_join *j;
};

struct op_join {
    struct op base;
    struct join_entry entry;  /* where the build side pushes */
    enum ast_join type;
    bool build_left;
    struct expr **bkeys, **pkeys;
    uint32_t nkeys;
    struct expr *residual;
    uint32_t nleft, nright;
    struct arena heap;
    struct batch **bb;        /* build batches (compacted) with key columns appended */
    uint32_t nb, cap;
    struct rowset keys;
    uint32_t *head;           /* per key id: first build row */
    struct build_row *rows;
    uint32_t nrows, rows_cap, head_cap;
};

static int build_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_join *j = ((struct join_entry *)o)->j;
    /* evaluate the build keys, keep rows + keys */
    struct batch tmp = *in;
    uint32_t ncols = in->ncols;
    tmp.ncols = ncols + j->nkeys;
    tmp.cols = arena_alloc(rc->ex.arena, (tmp.ncols ? tmp.ncols : 1) * sizeof *tmp.cols);
    memcpy(tmp.cols, in->cols, ncols * sizeof *tmp.cols);
    for (uint32_t k = 0; k < j->nkeys; k++) tmp.cols[ncols + k] = expr_eval(j->bkeys[k], &rc->ex, in);
    struct batch *b = batch_compact(&j->heap, &tmp);
    if (j->nb == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 16;
        j->bb = realloc(j->bb, j->cap * sizeof *j->bb);
        if (!j->bb) abort();
    }
    uint32_t bi = j->nb++;
    j->bb[bi] = b;
    uint32_t n = b->nsel;
    if (!n) return 0;
    struct vec **kv = b->cols + ncols;
    uint64_t *h = malloc(n * sizeof *h);
    uint32_t *ids = malloc(n * sizeof *ids);
    rs_hash(kv, j->nkeys, vec_identity, n, h);
    rs_find_or_add(&j->keys, kv, vec_identity, n, h, ids, NULL);
    if (j->keys.n > j->head_cap) {
        uint32_t nc = j->head_cap ? j->head_cap : 64;
        while (nc < j->keys.n) nc *= 2;
        j->head = realloc(j->head, nc * sizeof *j->head);
        for (uint32_t x = j->head_cap; x < nc; x++) j->head[x] = UINT32_MAX;
        j->head_cap = nc;
    }
    if (j->nrows + n > j->rows_cap) {
        uint32_t nc = j->rows_cap ? j->rows_cap : 256;
        while (nc < j->nrows + n) nc *= 2;
        j->rows = realloc(j->rows, nc * sizeof *j->rows);
        if (!j->rows) abort();
        j->rows_cap = nc;
    }
    for (uint32_t r = 0; r < n; r++) {
        int null_key = 0;
        for (uint32_t k = 0; k < j->nkeys; k++) null_key |= !kv[k]->valid[r];
        uint32_t at = j->nrows++;
        j->rows[at] = (struct build_row){bi, r, UINT32_MAX};
        if (null_key) continue; /* NULL keys never match */
        j->rows[at].next = j->head[ids[r]];
        j->head[ids[r]] = at;
    }
    free(h);
    free(ids);
    o->stats.num_rows_total = j->nrows;
    return 0;
}

static int build_finish(struct op *o, struct run_ctx *rc) {
    (void)o;
    (void)rc;
    return 0;
}

static void build_free(struct op *o) { (void)o; }

static const struct op_vt build_vt = {.name = "JoinBuild", .push = build_push, .finish = build_finish, .free = build_free};

static void null_row(struct vec *v, uint32_t m) {
    v->valid[m] = 0;
    if (v->type->kind == TY_STRUCT)
        for (uint32_t f = 0; f < v->nchild; f++) null_row(v->child[f], m);
}

/* One candidate output row: probe row (position in the input batch) and
 * build row (UINT32_MAX: none, the NULL side of an outer join). */
struct pair {
    uint32_t probe, build;
};

/* Materialises pairs[0..n) into a batch (left columns then right), checks
 * the residual over the whole batch at once, marks the probe rows that
 * matched and emits the passing rows (or, with emit off, only marks). */
static int emit_pairs(struct op_join *j, struct run_ctx *rc, const struct batch *in, const struct pair *pairs, uint32_t n,
                      uint8_t *matched, bool emit) {
    if (!n) return 0;
    struct batch *o = batch_new(rc->ex.arena, j->base.schema, n);
    uint32_t poff = j->build_left ? j->nleft : 0, boff = j->build_left ? 0 : j->nleft;
    uint32_t np = j->build_left ? j->nright : j->nleft, nbld = j->build_left ? j->nleft : j->nright;
    if (j->base.schema->nfields < j->nleft + j->nright) nbld = 0; /* semi/anti: only the left columns go out */
    for (uint32_t c = 0; c < np; c++)
        for (uint32_t m = 0; m < n; m++) vec_copy_row(o->cols[poff + c], m, in->cols[c], pairs[m].probe, false);
    for (uint32_t c = 0; c < nbld; c++)
        for (uint32_t m = 0; m < n; m++) {
            const struct pair *p = &pairs[m];
            if (p->build == UINT32_MAX) null_row(o->cols[boff + c], m);
            else vec_copy_row(o->cols[boff + c], m, j->bb[j->rows[p->build].b]->cols[c], j->rows[p->build].r, false);
        }
    batch_set_rows(o, n);
    if (j->residual) {
        /* the residual reads build columns: semi/anti joins have none (the binder forbids it) */
        struct vec *v = expr_eval(j->residual, &rc->ex, o);
        uint32_t *sel = arena_alloc(rc->ex.arena, n * sizeof *sel), k = 0;
        for (uint32_t m = 0; m < n; m++) {
            int ok = pairs[m].build == UINT32_MAX || (v->valid[m] && vec_u8(v)[m]);
            if (ok) sel[k++] = m;
        }
        o->sel = sel;
        o->nsel = k;
    }
    for (uint32_t x = 0; x < o->nsel; x++) {
        const struct pair *p = &pairs[o->sel[x]];
        if (p->build != UINT32_MAX) matched[p->probe] = 1;
    }
    return emit ? op_emit(&j->base, rc, o) : 0;
}

static int probe_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_join *j = (struct op_join *)o;
    uint32_t n = in->nsel;
    struct arena *ar = rc->ex.arena;
    struct vec **kv = arena_alloc(ar, (j->nkeys ? j->nkeys : 1) * sizeof *kv);
    for (uint32_t k = 0; k < j->nkeys; k++) kv[k] = expr_eval(j->pkeys[k], &rc->ex, in);
    uint64_t *h = arena_alloc(ar, (n ? n : 1) * sizeof *h);
    uint32_t *ids = arena_alloc(ar, (n ? n : 1) * sizeof *ids);
    if (j->nkeys) {
        rs_hash(kv, j->nkeys, in->sel, n, h);
        rs_find(&j->keys, kv, in->sel, n, h, ids);
    }
    uint8_t *matched = arena_calloc(ar, in->cap ? in->cap : 1);
    bool semi = j->type == JOIN_LEFT_SEMI || j->type == JOIN_LEFT_ANTI;
    bool outer = j->type == JOIN_LEFT || j->type == JOIN_RIGHT || j->type == JOIN_FULL;
    /* candidate pairs, emitted in chunks of BATCH_CAP */
    struct pair *pairs = arena_alloc(ar, BATCH_CAP * sizeof *pairs);
    uint32_t np = 0;
    int rc2 = 0;
    for (uint32_t k = 0; k < n && !rc2; k++) {
        uint32_t i = in->sel[k];
        int null_key = 0;
        for (uint32_t x = 0; x < j->nkeys; x++) null_key |= !kv[x]->valid[i];
        uint32_t r = j->nkeys == 0 ? (j->nrows ? 0 : UINT32_MAX) : (null_key || ids[k] == UINT32_MAX) ? UINT32_MAX : j->head[ids[k]];
        while (r != UINT32_MAX) {
            pairs[np++] = (struct pair){i, r};
            if (np == BATCH_CAP) {
                rc2 = emit_pairs(j, rc, in, pairs, np, matched, !semi);
                np = 0;
                if (rc2) break;
            }
            if (semi && !j->residual) break; /* one match is enough */
            r = j->nkeys == 0 ? (r + 1 < j->nrows ? r + 1 : UINT32_MAX) : j->rows[r].next;
        }
    }
    if (!rc2) rc2 = emit_pairs(j, rc, in, pairs, np, matched, !semi);
    /* rows of the outer side without a match, and the semi/anti results */
    np = 0;
    for (uint32_t k = 0; k < n && !rc2; k++) {
        uint32_t i = in->sel[k];
        int want = (j->type == JOIN_LEFT_SEMI && matched[i]) || (j->type == JOIN_LEFT_ANTI && !matched[i]) || (outer && !matched[i]);
        if (!want) continue;
        pairs[np++] = (struct pair){i, UINT32_MAX};
        if (np == BATCH_CAP) {
            rc2 = emit_pairs(j, rc, in, pairs, np, matched, true);
            np = 0;
        }
    }
    if (!rc2) rc2 = emit_pairs(j, rc, in, pairs, np, matched, true);
    return rc2;
}

static int join_finish(struct op *o, struct run_ctx *rc) { return op_finish_next(o, rc); }

static void join_free(struct op *o) {
    struct op_join *j = (struct op_join *)o;
    rs_free(&j->keys);
    arena_free(&j->heap);
    free(j->bb);
    free(j->head);
    free(j->rows);
    free(j);
}

static const struct op_vt join_vt = {.name = "Join", .push = probe_push, .finish = join_finish, .free = join_free};

struct op *op_join_new(const struct ty *schema, int type, bool build_left, struct expr **bkeys, struct expr **pkeys,
                       uint32_t nkeys, struct expr *residual, uint32_t nleft, uint32_t nright) {
    struct op_join *j = calloc(1, sizeof *j);
    j->base.vt = &join_vt;
    j->base.schema = schema;
    j->entry.base.vt = &build_vt;
    j->entry.j = j;
    j->type = (enum ast_join)type;
    j->build_left = build_left;
    j->bkeys = bkeys;
    j->pkeys = pkeys;
    j->nkeys = nkeys;
    j->residual = residual;
    j->nleft = nleft;
    j->nright = nright;
    arena_init(&j->heap, 1 << 16);
    const struct ty *kt[256];
    for (uint32_t k = 0; k < nkeys && k < 256; k++) kt[k] = bkeys[k]->type;
    rs_init(&j->keys, kt, nkeys);
    return &j->base;
}

struct op *op_join_build_entry(struct op *join) { return &((struct op_join *)join)->entry.base; }
