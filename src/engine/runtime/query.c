/* query: see query.h. The global watermark is the minimum over the
 * watermark operators that have seen data (Spark's default "min" policy),
 * each being its max event time minus its delay; it never moves backwards. */
#include "engine/runtime/query.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "engine/state/store.h"

int query_open(struct query *q, struct plan *plan, enum out_mode mode) {
    memset(q, 0, sizeof *q);
    q->plan = *plan;
    memset(plan, 0, sizeof *plan);
    int rc = phys_build(q->plan.root, &q->pipe);
    if (rc) return rc;
    arena_init(&q->arena, 8 << 20); /* one block holds a whole batch's temporaries: no mmap churn per batch */
    q->rc.ex.arena = &q->arena;
    q->rc.mode = mode;
    q->rc.streaming = q->pipe.streaming;
    q->watermark_us = WM_NONE;
    return 0;
}

void query_close(struct query *q) {
    phys_free(&q->pipe);
    plan_free(&q->plan);
    arena_free(&q->arena);
}

const char *query_error(const struct query *q) { return q->error; }

void query_begin(struct query *q, int64_t now_us) {
    q->rc.batch_id = q->next_batch_id;
    q->rc.watermark_us = q->watermark_us;
    q->rc.ex.now_us = now_us;
    for (uint32_t i = 0; i < q->pipe.nops; i++) {
        struct op_stats *s = &q->pipe.ops[i]->stats;
        s->num_rows_updated = s->num_rows_removed = s->num_rows_dropped_by_watermark = 0;
        s->rows_in = s->rows_out = 0;
    }
    for (uint32_t i = 0; i < q->pipe.nwms; i++) op_watermark_reset_stats(q->pipe.wms[i]);
}

int query_push(struct query *q, uint32_t src, const struct batch *b) {
    struct op *entry = q->pipe.srcs[src].entry;
    int rc = entry ? op_push(entry, &q->rc, b) : 0;
    if (!rc && q->rc.ex.error) rc = WERR_INVALID;
    if (q->rc.ex.error) {
        snprintf(q->error, sizeof q->error, "%s", q->rc.ex.error);
        q->rc.ex.error = NULL;
    }
    arena_reset(&q->arena);
    return rc;
}

int query_end(struct query *q, bool *want_nodata) {
    int rc = 0;
    for (uint32_t i = 0; i < q->pipe.nsrcs && !rc; i++)
        if (q->pipe.srcs[i].entry) rc = op_finish(q->pipe.srcs[i].entry, &q->rc);
    if (!rc && q->rc.ex.error) rc = WERR_INVALID;
    if (q->rc.ex.error) {
        snprintf(q->error, sizeof q->error, "%s", q->rc.ex.error);
        q->rc.ex.error = NULL;
    }
    arena_reset(&q->arena);
    int64_t global = WM_NONE;
    for (uint32_t i = 0; i < q->pipe.nwms; i++) {
        int64_t mx = op_watermark_max(q->pipe.wms[i]);
        if (mx == WM_NONE) continue;
        /* Spark keeps watermarks in milliseconds: floor the max event time to
         * ms first, so a restored watermark (stored in ms) is the same value */
        int64_t ms = mx >= 0 ? mx / 1000 : -((-mx + 999) / 1000);
        int64_t w = ms * 1000 - op_watermark_delay(q->pipe.wms[i]);
        if (global == WM_NONE || w < global) global = w;
    }
    int64_t old = q->watermark_us;
    if (global != WM_NONE && (q->watermark_us == WM_NONE || global > q->watermark_us)) q->watermark_us = global;
    if (want_nodata)
        *want_nodata = q->watermark_us != old && q->pipe.streaming && q->pipe.stateful && q->rc.mode != OUT_COMPLETE;
    q->next_batch_id++;
    return rc;
}

static void op_state_dir(char *out, size_t cap, const char *state_dir, uint32_t i) {
    snprintf(out, cap, "%s/%u/0", state_dir, i);
}

int query_state_save(struct query *q, const char *state_dir) {
    int64_t version = q->next_batch_id;
    int snapshot = version % SST_SNAPSHOT_EVERY == 0;
    uint32_t idx = 0;
    for (uint32_t i = 0; i < q->pipe.nops; i++) {
        struct op *o = q->pipe.ops[i];
        if (!o->vt->state_write) continue;
        struct sst_writer w;
        sst_begin(&w, snapshot, version);
        int rc = o->vt->state_write(o, &w, snapshot);
        char dir[4096];
        op_state_dir(dir, sizeof dir, state_dir, idx++);
        if (rc) {
            sst_abort(&w);
            return rc;
        }
        rc = sst_commit(&w, dir, version, snapshot);
        if (rc) return rc;
        /* keep what restoring the previous version needs (a crash before the
         * commit re-runs the batch from version - 1): drop only files below
         * the previous snapshot */
        if (snapshot && version > SST_SNAPSHOT_EVERY) sst_purge(dir, version - SST_SNAPSHOT_EVERY);
    }
    return 0;
}

struct load_ctx {
    struct op *o;
};

static int apply_cb(void *ctx, const struct sst_entry *e) {
    struct load_ctx *l = ctx;
    return l->o->vt->state_apply(l->o, e);
}

int query_state_load(struct query *q, const char *state_dir, int64_t version, int64_t watermark_us) {
    uint32_t idx = 0;
    for (uint32_t i = 0; i < q->pipe.nops; i++) {
        struct op *o = q->pipe.ops[i];
        if (!o->vt->state_apply) continue;
        char dir[4096];
        op_state_dir(dir, sizeof dir, state_dir, idx++);
        struct load_ctx l = {o};
        int rc = sst_load(dir, version, apply_cb, &l);
        if (rc) return rc;
        if (o->vt->state_loaded && (rc = o->vt->state_loaded(o))) return rc;
    }
    q->next_batch_id = version;
    q->watermark_us = watermark_us;
    return 0;
}
