/* op_dedup: dropDuplicates. A row goes on only if its key tuple was never
 * seen; the seen keys are the operator's state (a rowset).
 * Streaming with a watermark:
 *   - event-time column among the keys: rows at or below the watermark are
 *     late and dropped; keys whose event time is at or below the watermark
 *     are evicted at the end of the micro-batch (they cannot recur).
 *   - within_wm (dropDuplicatesWithinWatermark): the key excludes event time;
 *     each key remembers the first event time + delay and is evicted once the
 *     watermark passes it; late rows are dropped.
 *   - otherwise the state grows without bound, as in Spark.
 * A batch query deduplicates its whole input and forgets it at finish. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "engine/exec/op.h"
#include "engine/exec/rowcodec.h"
#include "engine/state/store.h"
#include "engine/exec/rowset.h"

struct op_dedup {
    struct op base;
    int *cols;
    uint32_t ncols;
    int wm_col;          /* input column with event time, -1 none */
    int wm_key;          /* index of wm_col among cols, -1 none */
    bool within;
    int64_t delay;
    struct rowset seen;
    int64_t *expiry;     /* within_wm: per id */
    int64_t *added;      /* per id: batch id that added it (-1: restored) */
    uint32_t expiry_cap;
    int64_t cur_batch, last_batch;
    struct buf removed;  /* keys evicted by the last finish: (u32 len, bytes)* */
    uint8_t *load_keep;
    uint32_t load_cap;
};

static void grow_ids(struct op_dedup *d) {
    if (d->seen.n <= d->expiry_cap) return;
    uint32_t nc = d->expiry_cap ? d->expiry_cap : 64;
    while (nc < d->seen.n) nc *= 2;
    d->expiry = realloc(d->expiry, nc * sizeof *d->expiry);
    d->added = realloc(d->added, nc * sizeof *d->added);
    d->load_keep = realloc(d->load_keep, nc);
    if (!d->expiry || !d->added || !d->load_keep) abort();
    d->expiry_cap = nc;
}

static int dedup_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_dedup *d = (struct op_dedup *)o;
    struct arena *ar = rc->ex.arena;
    const uint32_t *sel = in->sel;
    uint32_t n = in->nsel;
    int has_wm = rc->streaming && d->wm_col >= 0 && (d->wm_key >= 0 || d->within);
    if (has_wm && rc->watermark_us != WM_NONE) {
        const struct vec *t = in->cols[d->wm_col];
        uint32_t *ns = arena_alloc(ar, (n ? n : 1) * sizeof *ns), m = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            ns[m] = i;
            m += !t->valid[i] || vec_i64(t)[i] > rc->watermark_us;
        }
        o->stats.num_rows_dropped_by_watermark += n - m;
        sel = ns;
        n = m;
    }
    if (!n) return 0;
    struct vec **kv = arena_alloc(ar, d->ncols * sizeof *kv);
    for (uint32_t j = 0; j < d->ncols; j++) kv[j] = in->cols[d->cols[j]];
    uint64_t *h = arena_alloc(ar, n * sizeof *h);
    uint32_t *ids = arena_alloc(ar, n * sizeof *ids);
    uint8_t *isnew = arena_alloc(ar, n);
    rs_hash(kv, d->ncols, sel, n, h);
    rs_find_or_add(&d->seen, kv, sel, n, h, ids, isnew);
    uint32_t *out_sel = arena_alloc(ar, n * sizeof *out_sel), m = 0;
    grow_ids(d);
    for (uint32_t k = 0; k < n; k++) {
        if (!isnew[k]) continue;
        out_sel[m++] = sel[k];
        d->added[ids[k]] = rc->batch_id;
        if (d->within) {
            const struct vec *t = in->cols[d->wm_col];
            d->expiry[ids[k]] = t->valid[sel[k]] ? vec_i64(t)[sel[k]] + d->delay : INT64_MAX;
        }
    }
    o->stats.num_rows_updated += m;
    struct batch *out = arena_alloc(ar, sizeof *out);
    *out = *in;
    out->sel = out_sel;
    out->nsel = m;
    return op_emit(o, rc, out);
}

/* Drops the ids with keep[id] == 0, moving the per-id arrays along. */
static void compact(struct op_dedup *d, const uint8_t *keep) {
    uint32_t n = d->seen.n;
    uint32_t *remap = malloc((n ? n : 1) * sizeof *remap);
    rs_compact(&d->seen, keep, remap);
    for (uint32_t id = 0; id < n; id++)
        if (remap[id] != UINT32_MAX) {
            d->expiry[remap[id]] = d->expiry[id];
            d->added[remap[id]] = d->added[id];
        }
    free(remap);
}

static int dedup_finish(struct op *o, struct run_ctx *rc) {
    struct op_dedup *d = (struct op_dedup *)o;
    buf_clear(&d->removed); /* the previous micro-batch's evictions are written or unwanted */
    uint32_t n = d->seen.n;
    int evict_all = !rc->streaming;
    int can = rc->streaming && rc->watermark_us != WM_NONE && (d->within || d->wm_key >= 0);
    if ((evict_all || can) && n) {
        uint8_t *keep = malloc(n);
        uint32_t removed = 0;
        for (uint32_t id = 0; id < n; id++) {
            int old = evict_all;
            if (!old && d->within) old = d->expiry[id] <= rc->watermark_us;
            else if (!old) {
                const struct vec *t = d->seen.cols[d->wm_key];
                old = t->valid[id] && vec_i64(t)[id] <= rc->watermark_us;
            }
            keep[id] = !old;
            removed += old;
        }
        if (removed) {
            if (!evict_all) {
                struct buf kb = {0};
                for (uint32_t id = 0; id < n; id++) {
                    if (keep[id]) continue;
                    buf_clear(&kb);
                    rowc_encode(&kb, d->seen.cols, d->ncols, id);
                    uint32_t len = (uint32_t)kb.len;
                    buf_append(&d->removed, &len, 4);
                    buf_append(&d->removed, kb.p, kb.len);
                }
                buf_free(&kb);
            }
            compact(d, keep);
            if (!evict_all) o->stats.num_rows_removed += removed;
        }
        free(keep);
    }
    d->last_batch = rc->batch_id;
    o->stats.num_rows_total = d->seen.n;
    o->stats.memory_used_bytes = (int64_t)rs_memory(&d->seen);
    return op_finish_next(o, rc);
}

/* ---- state store: key = the key tuple, value = expiry (within_wm) or empty ---- */

static int dedup_state_write(struct op *o, struct sst_writer *w, int snapshot) {
    struct op_dedup *d = (struct op_dedup *)o;
    if (!snapshot)
        for (size_t at = 0; at + 4 <= d->removed.len;) {
            uint32_t len;
            memcpy(&len, d->removed.p + at, 4);
            sst_remove(w, d->removed.p + at + 4, len);
            at += 4 + len;
        }
    buf_clear(&d->removed);
    struct buf k = {0};
    for (uint32_t id = 0; id < d->seen.n; id++) {
        if (!snapshot && d->added[id] != d->last_batch) continue;
        buf_clear(&k);
        rowc_encode(&k, d->seen.cols, d->ncols, id);
        sst_put(w, k.p ? k.p : (const uint8_t *)"", (uint32_t)k.len, d->within ? (const void *)&d->expiry[id] : "",
                d->within ? 8 : 0);
    }
    buf_free(&k);
    return 0;
}

static int dedup_state_apply(struct op *o, const struct sst_entry *e) {
    struct op_dedup *d = (struct op_dedup *)o;
    struct arena tmp;
    arena_init(&tmp, 4096);
    struct vec *kv[256];
    for (uint32_t j = 0; j < d->ncols; j++) kv[j] = vec_new(&tmp, d->seen.types[j], 1);
    size_t at = 0;
    int rc = rowc_decode(e->key, e->klen, &at, kv, d->ncols, 0);
    if (!rc && at != e->klen) rc = WERR_CORRUPT;
    if (!rc && e->op == SST_PUT && e->vlen != (d->within ? 8u : 0u)) rc = WERR_CORRUPT;
    if (!rc) {
        uint32_t zero = 0, id;
        uint64_t h;
        rs_hash(kv, d->ncols, &zero, 1, &h);
        rs_find_or_add(&d->seen, kv, &zero, 1, &h, &id, NULL);
        grow_ids(d);
        d->added[id] = -1;
        d->load_keep[id] = e->op == SST_PUT;
        if (e->op == SST_PUT && d->within) memcpy(&d->expiry[id], e->val, 8);
    }
    arena_free(&tmp);
    return rc;
}

static int dedup_state_loaded(struct op *o) {
    struct op_dedup *d = (struct op_dedup *)o;
    uint32_t removed = 0;
    for (uint32_t id = 0; id < d->seen.n; id++) removed += !d->load_keep[id];
    if (removed) compact(d, d->load_keep);
    o->stats.num_rows_total = d->seen.n;
    return 0;
}

static void dedup_free(struct op *o) {
    struct op_dedup *d = (struct op_dedup *)o;
    rs_free(&d->seen);
    free(d->cols);
    free(d->expiry);
    free(d->added);
    free(d->load_keep);
    buf_free(&d->removed);
    free(d);
}

static const struct op_vt dedup_vt = {.name = "dedupe", .push = dedup_push, .finish = dedup_finish, .free = dedup_free,
                                      .state_write = dedup_state_write, .state_apply = dedup_state_apply,
                                      .state_loaded = dedup_state_loaded};

struct op *op_dedup_new(const struct ty *schema, const int *cols, uint32_t ncols, int wm_col, bool within_wm, int64_t delay_us) {
    struct op_dedup *d = calloc(1, sizeof *d);
    d->base.vt = &dedup_vt;
    d->base.schema = schema;
    d->base.stateful = true;
    d->cols = malloc((ncols ? ncols : 1) * sizeof *d->cols);
    memcpy(d->cols, cols, ncols * sizeof *cols);
    d->ncols = ncols;
    d->wm_col = wm_col;
    d->wm_key = -1;
    for (uint32_t j = 0; j < ncols; j++)
        if (cols[j] == wm_col) d->wm_key = (int)j;
    d->within = within_wm;
    d->delay = delay_us;
    const struct ty *kt[256];
    for (uint32_t j = 0; j < ncols && j < 256; j++) kt[j] = schema->fields[cols[j]].type;
    rs_init(&d->seen, kt, ncols);
    return &d->base;
}
