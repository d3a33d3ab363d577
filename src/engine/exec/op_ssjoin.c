/* op_ssjoin: inner equi-join of two streams (Spark's stream-stream join,
 * append mode).
 *
 * The one thing to know first: both inputs are buffered for the life of the
 * query. A batch arriving on one side is joined with everything the other
 * side has buffered so far, then added to its own side's buffer; so every
 * pair of rows meets exactly once, whichever arrives first (the runtime
 * pushes one side's batches before the other's within a micro-batch, and the
 * second side then sees the first side's new rows). Each side has its own
 * entry operator (op_ssjoin_entry); finish is passed on once both sides
 * finished the micro-batch.
 *
 * State is not evicted yet (weir does not derive the time-range bounds of
 * the ON condition that would let it), so the buffers grow with the streams,
 * as Spark's do without a watermark. The buffers are saved to the state
 * store (a put per buffered row, key = side and row number) and restored on
 * restart. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "engine/exec/op.h"
#include "engine/exec/rowcodec.h"
#include "engine/exec/rowset.h"
#include "engine/state/store.h"

struct ss_row {
    uint32_t b, r, next;
};

struct op_ssjoin;
struct ss_entry {
    struct op base;
    struct op_ssjoin *j;
    int side;
};

struct ss_side {
    struct expr **keys;
    const struct ty *schema;  /* the side's input columns */
    struct arena heap;
    struct batch **bb;        /* buffered rows: input columns then key columns */
    uint32_t nb, cap;
    struct rowset keyset;
    uint32_t *head, head_cap;
    struct ss_row *rows;
    uint32_t nrows, rows_cap;
    uint32_t saved;           /* rows already in the state store */
};

struct op_ssjoin {
    struct op base;
    struct ss_entry entry[2];
    struct ss_side side[2];
    uint32_t nkeys;
    struct expr *residual;
    int finished;
};

static void side_add(struct op_ssjoin *j, struct ss_side *s, const struct batch *b, struct vec **kv) {
    uint32_t ncols = s->schema->nfields;
    struct batch tmp = *b;
    struct vec **cols = malloc((ncols + j->nkeys + 1) * sizeof *cols);
    if (!cols) abort();
    tmp.ncols = ncols + j->nkeys;
    tmp.cols = cols;
    memcpy(cols, b->cols, ncols * sizeof *cols);
    for (uint32_t k = 0; k < j->nkeys; k++) cols[ncols + k] = kv[k];
    struct batch *c = batch_compact(&s->heap, &tmp);
    free(cols);
    if (s->nb == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->bb = realloc(s->bb, s->cap * sizeof *s->bb);
        if (!s->bb) abort();
    }
    uint32_t bi = s->nb++;
    s->bb[bi] = c;
    uint32_t n = c->nsel;
    if (!n) return;
    uint64_t *h = malloc(n * sizeof *h);
    uint32_t *ids = malloc(n * sizeof *ids);
    rs_hash(c->cols + ncols, j->nkeys, vec_identity, n, h);
    rs_find_or_add(&s->keyset, c->cols + ncols, vec_identity, n, h, ids, NULL);
    if (s->keyset.n > s->head_cap) {
        uint32_t nc = s->head_cap ? s->head_cap : 64;
        while (nc < s->keyset.n) nc *= 2;
        s->head = realloc(s->head, nc * sizeof *s->head);
        for (uint32_t x = s->head_cap; x < nc; x++) s->head[x] = UINT32_MAX;
        s->head_cap = nc;
    }
    if (s->nrows + n > s->rows_cap) {
        uint32_t nc = s->rows_cap ? s->rows_cap : 256;
        while (nc < s->nrows + n) nc *= 2;
        s->rows = realloc(s->rows, nc * sizeof *s->rows);
        if (!s->rows) abort();
        s->rows_cap = nc;
    }
    for (uint32_t r = 0; r < n; r++) {
        int null_key = 0;
        for (uint32_t k = 0; k < j->nkeys; k++) null_key |= !c->cols[ncols + k]->valid[r];
        uint32_t at = s->nrows++;
        s->rows[at] = (struct ss_row){bi, r, UINT32_MAX};
        if (null_key) continue;
        s->rows[at].next = s->head[ids[r]];
        s->head[ids[r]] = at;
    }
    free(h);
    free(ids);
}

struct pair {
    uint32_t in, other;
};

/* Joined rows for pairs[0..n): left columns then right columns. */
static int emit_pairs(struct op_ssjoin *j, struct run_ctx *rc, int side, const struct batch *in, const struct pair *p, uint32_t n) {
    if (!n) return 0;
    const struct ss_side *o = &j->side[1 - side];
    uint32_t nl = j->side[0].schema->nfields, nr = j->side[1].schema->nfields;
    struct batch *out = batch_new(rc->ex.arena, j->base.schema, n);
    uint32_t in_off = side == 0 ? 0 : nl, o_off = side == 0 ? nl : 0, nin = side == 0 ? nl : nr, no = side == 0 ? nr : nl;
    for (uint32_t c = 0; c < nin; c++)
        for (uint32_t m = 0; m < n; m++) vec_copy_row(out->cols[in_off + c], m, in->cols[c], p[m].in, false);
    for (uint32_t c = 0; c < no; c++)
        for (uint32_t m = 0; m < n; m++) {
            const struct ss_row *r = &o->rows[p[m].other];
            vec_copy_row(out->cols[o_off + c], m, o->bb[r->b]->cols[c], r->r, false);
        }
    batch_set_rows(out, n);
    if (j->residual) {
        struct vec *v = expr_eval(j->residual, &rc->ex, out);
        uint32_t *sel = arena_alloc(rc->ex.arena, n * sizeof *sel), k = 0;
        for (uint32_t m = 0; m < n; m++)
            if (v->valid[m] && vec_u8(v)[m]) sel[k++] = m;
        out->sel = sel;
        out->nsel = k;
    }
    return op_emit(&j->base, rc, out);
}

static int entry_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct ss_entry *e = (struct ss_entry *)o;
    struct op_ssjoin *j = e->j;
    struct ss_side *me = &j->side[e->side], *other = &j->side[1 - e->side];
    struct arena *ar = rc->ex.arena;
    uint32_t n = in->nsel;
    struct vec **kv = arena_alloc(ar, (j->nkeys ? j->nkeys : 1) * sizeof *kv);
    for (uint32_t k = 0; k < j->nkeys; k++) kv[k] = expr_eval(me->keys[k], &rc->ex, in);
    uint64_t *h = arena_alloc(ar, (n ? n : 1) * sizeof *h);
    uint32_t *ids = arena_alloc(ar, (n ? n : 1) * sizeof *ids);
    rs_hash(kv, j->nkeys, in->sel, n, h);
    rs_find(&other->keyset, kv, in->sel, n, h, ids);
    struct pair *pairs = arena_alloc(ar, BATCH_CAP * sizeof *pairs);
    uint32_t np = 0;
    int rc2 = 0;
    for (uint32_t k = 0; k < n && !rc2; k++) {
        int null_key = 0;
        for (uint32_t x = 0; x < j->nkeys; x++) null_key |= !kv[x]->valid[in->sel[k]];
        if (null_key || ids[k] == UINT32_MAX) continue;
        for (uint32_t r = other->head[ids[k]]; r != UINT32_MAX; r = other->rows[r].next) {
            pairs[np++] = (struct pair){in->sel[k], r};
            if (np == BATCH_CAP) {
                if ((rc2 = emit_pairs(j, rc, e->side, in, pairs, np))) break;
                np = 0;
            }
        }
    }
    if (!rc2) rc2 = emit_pairs(j, rc, e->side, in, pairs, np);
    /* then remember the new rows for the other side's future batches */
    struct batch dense = *in;
    side_add(j, me, &dense, kv);
    j->base.stats.num_rows_total = j->side[0].nrows + j->side[1].nrows;
    return rc2;
}

static int entry_finish(struct op *o, struct run_ctx *rc) {
    struct op_ssjoin *j = ((struct ss_entry *)o)->j;
    if (++j->finished < 2) return 0;
    j->finished = 0;
    return op_finish_next(&j->base, rc);
}

static void entry_free(struct op *o) { (void)o; }

static const struct op_vt entry_vt = {.name = "StreamingSymmetricHashJoinInput", .push = entry_push, .finish = entry_finish,
                                      .free = entry_free};

/* ---- state store: put per buffered row: key = side byte + row number ---- */

static int ss_state_write(struct op *o, struct sst_writer *w, int snapshot) {
    struct op_ssjoin *j = (struct op_ssjoin *)o;
    struct buf v = {0};
    for (int sd = 0; sd < 2; sd++) {
        struct ss_side *s = &j->side[sd];
        for (uint32_t r = snapshot ? 0 : s->saved; r < s->nrows; r++) {
            uint8_t key[5];
            key[0] = (uint8_t)sd;
            memcpy(key + 1, &r, 4);
            buf_clear(&v);
            rowc_encode(&v, s->bb[s->rows[r].b]->cols, s->schema->nfields, s->rows[r].r);
            sst_put(w, key, 5, v.p, (uint32_t)v.len);
        }
        s->saved = s->nrows;
    }
    buf_free(&v);
    return 0;
}

static int ss_state_apply(struct op *o, const struct sst_entry *e) {
    struct op_ssjoin *j = (struct op_ssjoin *)o;
    if (e->op != SST_PUT || e->klen != 5 || e->key[0] > 1) return WERR_CORRUPT;
    struct ss_side *s = &j->side[e->key[0]];
    struct arena tmp;
    arena_init(&tmp, 4096);
    struct batch *b = batch_new(&tmp, s->schema, 1);
    size_t at = 0;
    int rc = rowc_decode(e->val, e->vlen, &at, b->cols, s->schema->nfields, 0);
    if (!rc && at != e->vlen) rc = WERR_CORRUPT;
    if (!rc) {
        batch_set_rows(b, 1);
        struct ectx ex = {.arena = &tmp};
        struct vec *kv[64];
        for (uint32_t k = 0; k < j->nkeys && k < 64; k++) kv[k] = expr_eval(s->keys[k], &ex, b);
        side_add(j, s, b, kv);
        s->saved = s->nrows;
    }
    arena_free(&tmp);
    return rc;
}

static int ss_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    (void)o;
    (void)rc;
    (void)in;
    return WERR_INVALID; /* data arrives through the entries */
}

static int ss_finish(struct op *o, struct run_ctx *rc) { return op_finish_next(o, rc); }

static void ss_free(struct op *o) {
    struct op_ssjoin *j = (struct op_ssjoin *)o;
    for (int sd = 0; sd < 2; sd++) {
        struct ss_side *s = &j->side[sd];
        rs_free(&s->keyset);
        arena_free(&s->heap);
        free(s->bb);
        free(s->head);
        free(s->rows);
    }
    free(j);
}

static const struct op_vt ss_vt = {.name = "symmetricHashJoin", .push = ss_push, .finish = ss_finish, .free = ss_free,
                                   .state_write = ss_state_write, .state_apply = ss_state_apply};

struct op *op_ssjoin_new(const struct ty *schema, const struct ty *left, const struct ty *right, struct expr **lkeys,
                         struct expr **rkeys, uint32_t nkeys, struct expr *residual) {
    struct op_ssjoin *j = calloc(1, sizeof *j);
    j->base.vt = &ss_vt;
    j->base.schema = schema;
    j->base.stateful = true;
    j->nkeys = nkeys;
    j->residual = residual;
    const struct ty *kt[256];
    for (int sd = 0; sd < 2; sd++) {
        struct ss_side *s = &j->side[sd];
        s->keys = sd ? rkeys : lkeys;
        s->schema = sd ? right : left;
        arena_init(&s->heap, 1 << 16);
        for (uint32_t k = 0; k < nkeys && k < 256; k++) kt[k] = s->keys[k]->type;
        rs_init(&s->keyset, kt, nkeys);
        j->entry[sd].base.vt = &entry_vt;
        j->entry[sd].j = j;
        j->entry[sd].side = sd;
        j->entry[sd].base.schema = s->schema;
    }
    return &j->base;
}

struct op *op_ssjoin_entry(struct op *join, int side) { return &((struct op_ssjoin *)join)->entry[side].base; }
