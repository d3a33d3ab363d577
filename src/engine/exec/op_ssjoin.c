/* op_ssjoin: equi-join of two streams (Spark's stream-stream join, append
 * mode): inner, and left/right outer when state is evicted by the watermark
 * (then a row of the outer side that never matched is emitted with NULLs
 * when it is evicted, as Spark does).
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
 * State eviction, as Spark's: when both inputs have a watermarked event-time
 * column and the ON condition bounds their difference (lt - rt in
 * [lower, upper], from comparisons such as `lt >= rt - INTERVAL 5 minutes`
 * or BETWEEN), input rows at or below the watermark are late and dropped,
 * and at the end of each micro-batch a left row is evicted once lt - lower
 * <= watermark and a right row once rt + upper <= watermark: no future row
 * of the other side can match them. Without such bounds the buffers grow
 * with the streams, as Spark's do.
 *
 * The buffers are saved to the state store (a put per buffered row, key =
 * side and the row's serial number; evicted rows become removes) and
 * restored on restart. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "engine/exec/op.h"
#include "engine/exec/rowcodec.h"
#include "engine/exec/rowset.h"
#include "engine/state/store.h"

struct ss_row {
    uint32_t b, r, next;
    uint64_t serial; /* identity in the state store */
    uint8_t matched; /* joined at least once (outer joins emit the others with NULLs at eviction) */
    uint8_t dirty;   /* matched changed since the last state write */
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
    uint64_t saved;           /* serials below this are in the state store */
    uint64_t next_serial;
    int wm;                   /* event-time column (eviction), -1 none */
};

struct op_ssjoin {
    struct op base;
    struct ss_entry entry[2];
    struct ss_side side[2];
    uint32_t nkeys;
    struct expr *residual;
    int finished;
    bool evict;
    int64_t lower, upper;
    int outer;                /* -1 inner, 0 left outer, 1 right outer: the side whose unmatched rows go out */
    struct buf removed;       /* (u8 side, u64 serial)* evicted since the last state write */
};

static void side_add(struct op_ssjoin *j, struct ss_side *s, const struct batch *b, struct vec **kv, const uint64_t *serials,
                     const uint8_t *matched) {
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
        uint64_t serial = serials ? serials[r] : s->next_serial++;
        if (serials && serial >= s->next_serial) s->next_serial = serial + 1;
        s->rows[at] = (struct ss_row){bi, r, UINT32_MAX, serial, matched ? matched[r] : 0, 0};
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
static int emit_pairs(struct op_ssjoin *j, struct run_ctx *rc, int side, const struct batch *in, const struct pair *p, uint32_t n,
                      uint8_t *in_matched) {
    if (!n) return 0;
    struct ss_side *o = &j->side[1 - side];
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
    for (uint32_t x = 0; x < out->nsel; x++) {
        const struct pair *q = &p[out->sel[x]];
        in_matched[q->in] = 1;
        struct ss_row *r = &o->rows[q->other];
        if (!r->matched) {
            r->matched = 1;
            r->dirty = 1;
        }
    }
    return op_emit(&j->base, rc, out);
}

/* Outer join: an evicted row that never matched goes out with NULLs. */
static int emit_unmatched(struct op_ssjoin *j, struct run_ctx *rc, int sd, const uint8_t *keep) {
    const struct ss_side *s = &j->side[sd];
    uint32_t nl = j->side[0].schema->nfields;
    struct batch *out = NULL;
    uint32_t m = 0;
    int rc2 = 0;
    for (uint32_t i = 0; i < s->nrows && !rc2; i++) {
        const struct ss_row *r = &s->rows[i];
        if (keep[i] || r->matched) continue;
        if (!out) out = batch_new(rc->ex.arena, j->base.schema, BATCH_CAP);
        uint32_t off = sd == 0 ? 0 : nl;
        for (uint32_t c = 0; c < s->schema->nfields; c++)
            vec_copy_row(out->cols[off + c], m, s->bb[r->b]->cols[c], r->r, false);
        /* the other side's columns stay NULL (fresh batch) */
        if (++m == BATCH_CAP) {
            batch_set_rows(out, m);
            rc2 = op_emit(&j->base, rc, out);
            out = NULL;
            m = 0;
        }
    }
    if (!rc2 && out && m) {
        batch_set_rows(out, m);
        rc2 = op_emit(&j->base, rc, out);
    }
    return rc2;
}

static int entry_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct ss_entry *e = (struct ss_entry *)o;
    struct op_ssjoin *j = e->j;
    struct ss_side *me = &j->side[e->side], *other = &j->side[1 - e->side];
    struct arena *ar = rc->ex.arena;
    uint32_t n = in->nsel;
    /* late rows: at or below the watermark (only when state is evicted by it) */
    if (j->evict && rc->watermark_us != WM_NONE) {
        const struct vec *t = in->cols[me->wm];
        uint32_t *sel = arena_alloc(ar, (n ? n : 1) * sizeof *sel), m = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = in->sel[k];
            sel[m] = i;
            m += !t->valid[i] || vec_i64(t)[i] > rc->watermark_us;
        }
        j->base.stats.num_rows_dropped_by_watermark += n - m;
        struct batch *f = arena_alloc(ar, sizeof *f);
        *f = *in;
        f->sel = sel;
        f->nsel = m;
        in = f;
        n = m;
    }
    struct vec **kv = arena_alloc(ar, (j->nkeys ? j->nkeys : 1) * sizeof *kv);
    for (uint32_t k = 0; k < j->nkeys; k++) kv[k] = expr_eval(me->keys[k], &rc->ex, in);
    uint64_t *h = arena_alloc(ar, (n ? n : 1) * sizeof *h);
    uint32_t *ids = arena_alloc(ar, (n ? n : 1) * sizeof *ids);
    rs_hash(kv, j->nkeys, in->sel, n, h);
    rs_find(&other->keyset, kv, in->sel, n, h, ids);
    struct pair *pairs = arena_alloc(ar, BATCH_CAP * sizeof *pairs);
    uint8_t *in_matched = arena_calloc(ar, in->cap ? in->cap : 1);
    uint32_t np = 0;
    int rc2 = 0;
    for (uint32_t k = 0; k < n && !rc2; k++) {
        int null_key = 0;
        for (uint32_t x = 0; x < j->nkeys; x++) null_key |= !kv[x]->valid[in->sel[k]];
        if (null_key || ids[k] == UINT32_MAX) continue;
        for (uint32_t r = other->head[ids[k]]; r != UINT32_MAX; r = other->rows[r].next) {
            pairs[np++] = (struct pair){in->sel[k], r};
            if (np == BATCH_CAP) {
                if ((rc2 = emit_pairs(j, rc, e->side, in, pairs, np, in_matched))) break;
                np = 0;
            }
        }
    }
    if (!rc2) rc2 = emit_pairs(j, rc, e->side, in, pairs, np, in_matched);
    /* then remember the new rows for the other side's future batches */
    struct batch dense = *in;
    uint8_t *m2 = arena_alloc(ar, (n ? n : 1));
    for (uint32_t k = 0; k < n; k++) m2[k] = in_matched[in->sel[k]]; /* positions after compaction */
    side_add(j, me, &dense, kv, NULL, m2);
    j->base.stats.num_rows_total = j->side[0].nrows + j->side[1].nrows;
    return rc2;
}

/* Rebuilds side s keeping rows with keep[row] (new arena, same serials). */
static void side_rebuild(struct op_ssjoin *j, struct ss_side *s, const uint8_t *keep) {
    struct ss_side old = *s;
    s->bb = NULL;
    s->nb = s->cap = 0;
    s->head = NULL;
    s->head_cap = 0;
    s->rows = NULL;
    s->nrows = s->rows_cap = 0;
    arena_init(&s->heap, 1 << 16);
    const struct ty *kt[256];
    for (uint32_t k = 0; k < j->nkeys && k < 256; k++) kt[k] = s->keys[k]->type;
    rs_init(&s->keyset, kt, j->nkeys);
    uint32_t ncols = old.schema->nfields;
    struct arena tmp;
    arena_init(&tmp, 1 << 16);
    for (uint32_t at = 0; at < old.nrows;) {
        /* gather up to a batch of surviving rows */
        struct batch *b = batch_new(&tmp, old.schema, BATCH_CAP);
        struct vec **kv = arena_alloc(&tmp, (j->nkeys ? j->nkeys : 1) * sizeof *kv);
        for (uint32_t k = 0; k < j->nkeys; k++) kv[k] = vec_new(&tmp, s->keys[k]->type, BATCH_CAP);
        uint64_t serials[BATCH_CAP];
        uint8_t matched[BATCH_CAP], dirty[BATCH_CAP];
        uint32_t m = 0;
        for (; at < old.nrows && m < BATCH_CAP; at++) {
            if (!keep[at]) continue;
            const struct ss_row *r = &old.rows[at];
            const struct batch *src = old.bb[r->b];
            for (uint32_t c = 0; c < ncols; c++) vec_copy_row(b->cols[c], m, src->cols[c], r->r, true);
            for (uint32_t k = 0; k < j->nkeys; k++) vec_copy_row(kv[k], m, src->cols[ncols + k], r->r, true);
            matched[m] = r->matched;
            dirty[m] = r->dirty;
            serials[m++] = r->serial;
        }
        batch_set_rows(b, m);
        uint32_t first = s->nrows;
        if (m) side_add(j, s, b, kv, serials, matched);
        for (uint32_t x = 0; x < m; x++) s->rows[first + x].dirty = dirty[x];
        arena_reset(&tmp);
    }
    arena_free(&tmp);
    s->next_serial = old.next_serial > s->next_serial ? old.next_serial : s->next_serial;
    rs_free(&old.keyset);
    arena_free(&old.heap);
    free(old.bb);
    free(old.head);
    free(old.rows);
}

/* Evicts the rows no future row of the other side can match. */
static int evict(struct op_ssjoin *j, struct run_ctx *rc, int64_t wm) {
    int rc2 = 0;
    for (int sd = 0; sd < 2 && !rc2; sd++) {
        struct ss_side *s = &j->side[sd];
        if (!s->nrows) continue;
        uint8_t *keep = malloc(s->nrows);
        uint32_t dropped = 0;
        for (uint32_t i = 0; i < s->nrows; i++) {
            const struct ss_row *r = &s->rows[i];
            const struct vec *t = s->bb[r->b]->cols[s->wm];
            int64_t ts = vec_i64(t)[r->r];
            /* left: lt - lower <= wm; right: rt + upper <= wm */
            int old = t->valid[r->r] && (sd == 0 ? ts - j->lower <= wm : ts + j->upper <= wm);
            keep[i] = !old;
            if (old) {
                dropped++;
                uint8_t side = (uint8_t)sd;
                buf_append(&j->removed, &side, 1);
                buf_append(&j->removed, &r->serial, 8);
            }
        }
        if (dropped && j->outer == sd) rc2 = emit_unmatched(j, rc, sd, keep);
        if (dropped) {
            side_rebuild(j, s, keep);
            j->base.stats.num_rows_removed += dropped;
        }
        free(keep);
    }
    return rc2;
}

static int entry_finish(struct op *o, struct run_ctx *rc) {
    struct op_ssjoin *j = ((struct ss_entry *)o)->j;
    if (++j->finished < 2) return 0;
    j->finished = 0;
    buf_clear(&j->removed); /* the previous micro-batch's were written (or unwanted) */
    int rc2 = j->evict && rc->watermark_us != WM_NONE ? evict(j, rc, rc->watermark_us) : 0;
    j->base.stats.num_rows_total = j->side[0].nrows + j->side[1].nrows;
    return rc2 ? rc2 : op_finish_next(&j->base, rc);
}

static void entry_free(struct op *o) { (void)o; }

static const struct op_vt entry_vt = {.name = "StreamingSymmetricHashJoinInput", .push = entry_push, .finish = entry_finish,
                                      .free = entry_free};

/* ---- state store: put per buffered row: key = side byte + row number ---- */

static int ss_state_write(struct op *o, struct sst_writer *w, int snapshot) {
    struct op_ssjoin *j = (struct op_ssjoin *)o;
    struct buf v = {0};
    if (!snapshot)
        for (size_t at = 0; at + 9 <= j->removed.len; at += 9) sst_remove(w, j->removed.p + at, 9);
    buf_clear(&j->removed);
    for (int sd = 0; sd < 2; sd++) {
        struct ss_side *s = &j->side[sd];
        for (uint32_t r = 0; r < s->nrows; r++) {
            if (!snapshot && s->rows[r].serial < s->saved && !s->rows[r].dirty) continue;
            s->rows[r].dirty = 0;
            uint8_t key[9];
            key[0] = (uint8_t)sd;
            memcpy(key + 1, &s->rows[r].serial, 8);
            buf_clear(&v);
            buf_putc(&v, s->rows[r].matched);
            rowc_encode(&v, s->bb[s->rows[r].b]->cols, s->schema->nfields, s->rows[r].r);
            sst_put(w, key, 9, v.p ? v.p : (const uint8_t *)"", (uint32_t)v.len);
        }
        s->saved = s->next_serial;
    }
    buf_free(&v);
    return 0;
}

/* Restoring: removes are collected and applied once at the end. */
static int ss_state_apply(struct op *o, const struct sst_entry *e) {
    struct op_ssjoin *j = (struct op_ssjoin *)o;
    if (e->klen != 9 || e->key[0] > 1) return WERR_CORRUPT;
    struct ss_side *s = &j->side[e->key[0]];
    uint64_t serial;
    memcpy(&serial, e->key + 1, 8);
    if (e->op == SST_REMOVE) {
        buf_append(&j->removed, e->key, 9);
        return 0;
    }
    struct arena tmp;
    arena_init(&tmp, 4096);
    struct batch *b = batch_new(&tmp, s->schema, 1);
    size_t at = 1;
    int rc = e->vlen < 1 ? WERR_CORRUPT : rowc_decode(e->val, e->vlen, &at, b->cols, s->schema->nfields, 0);
    uint8_t matched = e->vlen ? e->val[0] : 0;
    if (!rc && at != e->vlen) rc = WERR_CORRUPT;
    if (!rc) {
        batch_set_rows(b, 1);
        struct ectx ex = {.arena = &tmp};
        struct vec *kv[64];
        for (uint32_t k = 0; k < j->nkeys && k < 64; k++) kv[k] = expr_eval(s->keys[k], &ex, b);
        /* a later put of the same serial (matched changed) replaces the row */
        for (uint32_t i = 0; i < s->nrows; i++)
            if (s->rows[i].serial == serial) {
                s->rows[i].matched = matched;
                arena_free(&tmp);
                return 0;
            }
        side_add(j, s, b, kv, &serial, &matched);
        s->saved = s->next_serial;
    }
    arena_free(&tmp);
    return rc;
}

static int ss_state_loaded(struct op *o) {
    struct op_ssjoin *j = (struct op_ssjoin *)o;
    for (int sd = 0; sd < 2; sd++) {
        struct ss_side *s = &j->side[sd];
        if (!s->nrows || !j->removed.len) continue;
        uint8_t *keep = malloc(s->nrows);
        uint32_t gone = 0;
        for (uint32_t i = 0; i < s->nrows; i++) {
            keep[i] = 1;
            for (size_t at = 0; at + 9 <= j->removed.len; at += 9) {
                uint64_t ser;
                memcpy(&ser, j->removed.p + at + 1, 8);
                if (j->removed.p[at] == sd && ser == s->rows[i].serial) {
                    keep[i] = 0;
                    gone++;
                    break;
                }
            }
        }
        if (gone) side_rebuild(j, s, keep);
        free(keep);
    }
    buf_clear(&j->removed);
    return 0;
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
    buf_free(&j->removed);
    free(j);
}

static const struct op_vt ss_vt = {.name = "symmetricHashJoin", .push = ss_push, .finish = ss_finish, .free = ss_free,
                                   .state_write = ss_state_write, .state_apply = ss_state_apply,
                                   .state_loaded = ss_state_loaded};

struct op *op_ssjoin_new(const struct ty *schema, const struct ty *left, const struct ty *right, struct expr **lkeys,
                         struct expr **rkeys, uint32_t nkeys, struct expr *residual, bool evict, int lwm, int rwm,
                         int64_t lower, int64_t upper, int outer) {
    struct op_ssjoin *j = calloc(1, sizeof *j);
    j->outer = outer;
    j->evict = evict;
    j->lower = lower;
    j->upper = upper;
    j->side[0].wm = evict ? lwm : -1;
    j->side[1].wm = evict ? rwm : -1;
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
