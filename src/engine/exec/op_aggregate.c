/* op_aggregate: hash aggregation with streaming state.
 *
 * Per input batch: evaluate the key expressions, drop rows that are late
 * (event-time key at or below the watermark: the window's end for a window
 * key, as Spark's eviction predicate `end <= watermark`), hash all rows,
 * find or create each row's group in the rowset (group id = slot), then fold
 * each aggregate's argument column into the states of those slots with one
 * agg_update loop. States are rows of `stride` bytes in one array indexed by
 * group id.
 *
 * At finish (end of a micro-batch) the output mode decides what goes out:
 *   batch query / complete   every group
 *   update                   groups changed in this micro-batch
 *   append                   groups whose event time is at or below the
 *                            watermark (they can no longer change)
 * then, in append and update mode, groups at or below the watermark are
 * evicted (Spark keeps everything in complete mode). A batch query forgets
 * all groups after emitting. count(DISTINCT x) keeps a rowset of
 * (group, value) pairs and folds only pairs it has not seen. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "engine/exec/op.h"
#include "engine/exec/rowcodec.h"
#include "engine/state/store.h"
#include "engine/exec/rowset.h"
#include "engine/plan/plan.h"

struct op_aggregate {
    struct op base;
    struct expr **keys;
    uint32_t nkeys;
    const struct lp_agg *aggs;
    uint32_t naggs;
    int wm_key;
    struct rowset groups;
    uint8_t *states;          /* groups.cap * stride */
    uint32_t states_cap;
    uint32_t stride, *offs;
    int64_t *updated;         /* per group: batch id of the last update */
    struct arena heap;        /* string values held in min/max/first/last states */
    struct rowset *distinct;  /* per agg with distinct: (group, value) pairs, else unused */
    /* state store bookkeeping */
    int64_t last_batch;       /* batch id of the last finish */
    struct buf removed;       /* keys evicted by the last finish: (u32 len, bytes)* */
    uint8_t *load_keep;       /* while restoring: 0 = removed by a later delta */
    uint32_t load_cap;
};

static int64_t event_time(const struct vec *k, uint32_t i) {
    if (k->type->kind == TY_STRUCT) return vec_i64(k->child[1])[i]; /* window.end */
    return vec_i64(k)[i];
}

static void ensure_states(struct op_aggregate *a, uint32_t groups) {
    if (groups <= a->states_cap) return;
    uint32_t ncap = a->states_cap ? a->states_cap : 64;
    while (ncap < groups) ncap *= 2;
    a->states = realloc(a->states, (size_t)ncap * a->stride + 1);
    a->updated = realloc(a->updated, (size_t)ncap * sizeof *a->updated);
    if (!a->states || !a->updated) abort();
    a->states_cap = ncap;
}

static int agg_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_aggregate *a = (struct op_aggregate *)o;
    struct arena *ar = rc->ex.arena;
    struct vec **kv = arena_alloc(ar, (a->nkeys ? a->nkeys : 1) * sizeof *kv);
    for (uint32_t j = 0; j < a->nkeys; j++) kv[j] = expr_eval(a->keys[j], &rc->ex, in);
    const uint32_t *sel = in->sel;
    uint32_t n = in->nsel;
    /* late rows */
    if (rc->streaming && a->wm_key >= 0 && rc->watermark_us != WM_NONE) {
        uint32_t *ns = arena_alloc(ar, (n ? n : 1) * sizeof *ns), m = 0;
        const struct vec *k = kv[a->wm_key];
        for (uint32_t x = 0; x < n; x++) {
            uint32_t i = sel[x];
            ns[m] = i;
            m += !k->valid[i] || event_time(k, i) > rc->watermark_us;
        }
        o->stats.num_rows_dropped_by_watermark += n - m;
        sel = ns;
        n = m;
    }
    if (!n) return 0;
    uint64_t *h = arena_alloc(ar, n * sizeof *h);
    uint32_t *ids = arena_alloc(ar, n * sizeof *ids);
    uint8_t *isnew = arena_alloc(ar, n);
    rs_hash(kv, a->nkeys, sel, n, h);
    uint32_t before = a->groups.n;
    rs_find_or_add(&a->groups, kv, sel, n, h, ids, isnew);
    if (a->groups.n > before) {
        ensure_states(a, a->groups.n);
        for (uint32_t g = before; g < a->groups.n; g++)
            for (uint32_t j = 0; j < a->naggs; j++) agg_init(&a->aggs[j].fn, a->states + (size_t)g * a->stride + a->offs[j]);
    }
    for (uint32_t x = 0; x < n; x++) a->updated[ids[x]] = rc->batch_id;
    for (uint32_t j = 0; j < a->naggs; j++) {
        const struct lp_agg *g = &a->aggs[j];
        const struct vec *arg = g->arg ? expr_eval(g->arg, &rc->ex, in) : NULL;
        const uint32_t *asel = sel, *aids = ids;
        uint32_t an = n;
        if (g->distinct && arg) {
            /* keep rows whose (group, value) pair is new; NULL values never count */
            struct vec *gv = vec_new(ar, ty_int(), in->cap);
            for (uint32_t x = 0; x < n; x++) {
                vec_i32(gv)[sel[x]] = (int32_t)ids[x];
                gv->valid[sel[x]] = 1;
            }
            struct vec *pair[2] = {gv, (struct vec *)arg};
            uint64_t *ph = arena_alloc(ar, n * sizeof *ph);
            uint32_t *pid = arena_alloc(ar, n * sizeof *pid);
            uint8_t *pnew = arena_alloc(ar, n);
            rs_hash(pair, 2, sel, n, ph);
            rs_find_or_add(&a->distinct[j], pair, sel, n, ph, pid, pnew);
            uint32_t *s2 = arena_alloc(ar, n * sizeof *s2), *i2 = arena_alloc(ar, n * sizeof *i2), m = 0;
            for (uint32_t x = 0; x < n; x++)
                if (pnew[x] && arg->valid[sel[x]]) {
                    s2[m] = sel[x];
                    i2[m++] = ids[x];
                }
            asel = s2;
            aids = i2;
            an = m;
        }
        agg_update(&g->fn, a->states + a->offs[j], a->stride, aids, arg, asel, an, &a->heap);
    }
    return 0;
}

/* Emits the groups with want[id] set, in id order, in batches. */
static int emit_groups(struct op_aggregate *a, struct run_ctx *rc, const uint8_t *want) {
    struct op *o = &a->base;
    uint32_t total = a->groups.n, at = 0;
    while (at < total) {
        struct batch *b = batch_new(rc->ex.arena, o->schema, BATCH_CAP);
        uint32_t m = 0;
        for (; at < total && m < BATCH_CAP; at++) {
            if (want && !want[at]) continue;
            for (uint32_t j = 0; j < a->nkeys; j++) vec_copy_row(b->cols[j], m, a->groups.cols[j], at, false);
            for (uint32_t j = 0; j < a->naggs; j++)
                agg_final(&a->aggs[j].fn, a->states + (size_t)at * a->stride + a->offs[j], b->cols[a->nkeys + j], m);
            m++;
        }
        batch_set_rows(b, m);
        int rc2 = op_emit(o, rc, b);
        if (rc2) return rc2;
    }
    return 0;
}

static void evict(struct op_aggregate *a, const uint8_t *keep) {
    uint32_t n = a->groups.n;
    uint32_t *remap = malloc((n ? n : 1) * sizeof *remap);
    rs_compact(&a->groups, keep, remap);
    uint8_t *ns = malloc((size_t)(a->groups.n ? a->groups.n : 1) * a->stride + 1);
    int64_t *nu = malloc((a->groups.n ? a->groups.n : 1) * sizeof *nu);
    for (uint32_t id = 0; id < n; id++) {
        if (remap[id] == UINT32_MAX) continue;
        memcpy(ns + (size_t)remap[id] * a->stride, a->states + (size_t)id * a->stride, a->stride);
        nu[remap[id]] = a->updated[id];
    }
    free(a->states);
    free(a->updated);
    a->states = ns;
    a->updated = nu;
    a->states_cap = a->groups.n ? a->groups.n : 1;
    free(remap);
    /* string values of evicted groups: move the live ones to a fresh heap */
    struct arena fresh;
    arena_init(&fresh, 1 << 14);
    for (uint32_t g = 0; g < a->groups.n; g++)
        for (uint32_t j = 0; j < a->naggs; j++) agg_state_rehome(&a->aggs[j].fn, a->states + (size_t)g * a->stride + a->offs[j], &fresh);
    arena_free(&a->heap);
    a->heap = fresh;
    /* distinct pairs refer to group ids; distinct aggregates exist only in
     * batch queries (streaming rejects them), where eviction drops every group */
    for (uint32_t j = 0; j < a->naggs; j++) {
        if (!a->aggs[j].distinct || !a->aggs[j].arg || a->groups.n) continue;
        const struct ty *pt[2] = {ty_int(), a->aggs[j].arg->type};
        rs_free(&a->distinct[j]);
        rs_init(&a->distinct[j], pt, 2);
    }
}

static int agg_state_write(struct op *o, struct sst_writer *w, int snapshot);
static int agg_state_apply(struct op *o, const struct sst_entry *e);
static int agg_state_loaded(struct op *o);

static int agg_finish(struct op *o, struct run_ctx *rc) {
    struct op_aggregate *a = (struct op_aggregate *)o;
    uint32_t n = a->groups.n;
    /* the evictions of the previous micro-batch were written (or are not
     * wanted: no checkpoint); keep only this one's */
    buf_clear(&a->removed);
    int rc2 = 0;
    if (!rc->streaming && a->nkeys == 0 && n == 0) {
        /* a global aggregate over no rows still gives one row (count 0, sum NULL) */
        struct vec *none[1] = {NULL};
        uint64_t h;
        uint32_t id;
        uint32_t zero = 0;
        rs_hash(none, 0, &zero, 1, &h);
        rs_find_or_add(&a->groups, none, &zero, 1, &h, &id, NULL);
        ensure_states(a, 1);
        for (uint32_t j = 0; j < a->naggs; j++) agg_init(&a->aggs[j].fn, a->states + a->offs[j]);
        a->updated[0] = rc->batch_id;
        n = 1;
    }
    if (!rc->streaming || rc->mode == OUT_COMPLETE) {
        rc2 = emit_groups(a, rc, NULL);
        o->stats.num_rows_updated = 0;
        for (uint32_t g = 0; g < n; g++) o->stats.num_rows_updated += a->updated[g] == rc->batch_id;
    } else {
        uint8_t *want = calloc(n ? n : 1, 1), *keep = malloc(n ? n : 1);
        int can_evict = a->wm_key >= 0 && rc->watermark_us != WM_NONE;
        uint32_t evicted = 0, updated = 0;
        for (uint32_t g = 0; g < n; g++) {
            const struct vec *k = a->wm_key >= 0 ? a->groups.cols[a->wm_key] : NULL;
            int old = can_evict && k->valid[g] && event_time(k, g) <= rc->watermark_us;
            updated += a->updated[g] == rc->batch_id;
            want[g] = rc->mode == OUT_APPEND ? old : a->updated[g] == rc->batch_id;
            keep[g] = !old;
            evicted += old;
        }
        rc2 = emit_groups(a, rc, want);
        o->stats.num_rows_updated = updated;
        if (evicted) {
            struct buf kb = {0};
            for (uint32_t g = 0; g < n; g++) {
                if (keep[g]) continue;
                buf_clear(&kb);
                rowc_encode(&kb, a->groups.cols, a->nkeys, g);
                uint32_t len = (uint32_t)kb.len;
                buf_append(&a->removed, &len, 4);
                buf_append(&a->removed, kb.p, kb.len);
            }
            buf_free(&kb);
            evict(a, keep);
            o->stats.num_rows_removed += evicted;
        }
        free(want);
        free(keep);
    }
    if (!rc->streaming) {
        /* a batch query: forget everything */
        uint8_t *keep = calloc(n ? n : 1, 1);
        evict(a, keep);
        free(keep);
    }
    a->last_batch = rc->batch_id;
    o->stats.num_rows_total = a->groups.n;
    o->stats.memory_used_bytes = (int64_t)(rs_memory(&a->groups) + (uint64_t)a->states_cap * a->stride + a->heap.total);
    if (rc2) return rc2;
    return op_finish_next(o, rc);
}

static void agg_free(struct op *o) {
    struct op_aggregate *a = (struct op_aggregate *)o;
    rs_free(&a->groups);
    for (uint32_t j = 0; j < a->naggs; j++)
        if (a->aggs[j].distinct) rs_free(&a->distinct[j]);
    free(a->distinct);
    free(a->states);
    free(a->updated);
    free(a->offs);
    arena_free(&a->heap);
    buf_free(&a->removed);
    free(a->load_keep);
    free(a);
}

/* ---- state store ---- */

static int agg_state_write(struct op *o, struct sst_writer *w, int snapshot) {
    struct op_aggregate *a = (struct op_aggregate *)o;
    struct buf k = {0}, v = {0};
    if (!snapshot) {
        for (size_t at = 0; at + 4 <= a->removed.len;) {
            uint32_t len;
            memcpy(&len, a->removed.p + at, 4);
            sst_remove(w, a->removed.p + at + 4, len);
            at += 4 + len;
        }
    }
    buf_clear(&a->removed);
    for (uint32_t g = 0; g < a->groups.n; g++) {
        if (!snapshot && a->updated[g] != a->last_batch) continue;
        buf_clear(&k);
        buf_clear(&v);
        rowc_encode(&k, a->groups.cols, a->nkeys, g);
        for (uint32_t j = 0; j < a->naggs; j++)
            agg_state_encode(&a->aggs[j].fn, a->states + (size_t)g * a->stride + a->offs[j], &v);
        sst_put(w, k.p ? k.p : (const uint8_t *)"", (uint32_t)k.len, v.p ? v.p : (const uint8_t *)"", (uint32_t)v.len);
    }
    buf_free(&k);
    buf_free(&v);
    return 0;
}

static int agg_state_apply(struct op *o, const struct sst_entry *e) {
    struct op_aggregate *a = (struct op_aggregate *)o;
    struct arena tmp;
    arena_init(&tmp, 4096);
    struct vec *kv[256];
    for (uint32_t j = 0; j < a->nkeys; j++) kv[j] = vec_new(&tmp, a->keys[j]->type, 1);
    size_t at = 0;
    int rc = rowc_decode(e->key, e->klen, &at, kv, a->nkeys, 0);
    if (!rc && at != e->klen) rc = WERR_CORRUPT;
    if (!rc) {
        uint32_t zero = 0, id;
        uint64_t h;
        uint8_t fresh;
        rs_hash(kv, a->nkeys, &zero, 1, &h);
        rs_find_or_add(&a->groups, kv, &zero, 1, &h, &id, &fresh);
        ensure_states(a, a->groups.n);
        if (a->groups.n > a->load_cap) {
            uint32_t nc = a->load_cap ? a->load_cap * 2 : 64;
            while (nc < a->groups.n) nc *= 2;
            a->load_keep = realloc(a->load_keep, nc);
            if (!a->load_keep) abort();
            a->load_cap = nc;
        }
        a->updated[id] = -1;
        a->load_keep[id] = e->op == SST_PUT;
        if (e->op == SST_PUT) {
            size_t vat = 0;
            for (uint32_t j = 0; j < a->naggs && !rc; j++)
                rc = agg_state_decode(&a->aggs[j].fn, e->val, e->vlen, &vat,
                                      a->states + (size_t)id * a->stride + a->offs[j], &a->heap);
            if (!rc && vat != e->vlen) rc = WERR_CORRUPT;
        }
    }
    arena_free(&tmp);
    return rc;
}

static int agg_state_loaded(struct op *o) {
    struct op_aggregate *a = (struct op_aggregate *)o;
    uint32_t removed = 0;
    for (uint32_t g = 0; g < a->groups.n; g++) removed += !a->load_keep[g];
    if (removed) evict(a, a->load_keep);
    free(a->load_keep);
    a->load_keep = NULL;
    a->load_cap = 0;
    o->stats.num_rows_total = a->groups.n;
    return 0;
}

static const struct op_vt agg_vt = {"stateStoreSave", agg_push, agg_finish, agg_free,
                                     agg_state_write, agg_state_apply, agg_state_loaded};

struct op *op_aggregate_new(const struct ty *schema, struct expr **keys, uint32_t nkeys, const struct lp_agg *aggs,
                            uint32_t naggs, int wm_key) {
    struct op_aggregate *a = calloc(1, sizeof *a);
    a->base.vt = &agg_vt;
    a->base.schema = schema;
    a->base.stateful = true;
    a->keys = keys;
    a->nkeys = nkeys;
    a->aggs = aggs;
    a->naggs = naggs;
    a->wm_key = wm_key;
    const struct ty *kt[256];
    for (uint32_t j = 0; j < nkeys && j < 256; j++) kt[j] = keys[j]->type;
    rs_init(&a->groups, kt, nkeys);
    a->offs = malloc((naggs ? naggs : 1) * sizeof *a->offs);
    for (uint32_t j = 0; j < naggs; j++) {
        a->offs[j] = a->stride;
        a->stride += (aggs[j].fn.state_size + 15) & ~15u;
    }
    if (!a->stride) a->stride = 16;
    arena_init(&a->heap, 1 << 14);
    a->distinct = calloc(naggs ? naggs : 1, sizeof *a->distinct);
    for (uint32_t j = 0; j < naggs; j++)
        if (aggs[j].distinct && aggs[j].arg) {
            const struct ty *pt[2] = {ty_int(), aggs[j].arg->type};
            rs_init(&a->distinct[j], pt, 2);
        }
    return &a->base;
}
