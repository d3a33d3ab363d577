/* query: see query.h. The global watermark is the minimum over the
 * watermark operators that have seen data (Spark's default "min" policy),
 * each being its max event time minus its delay; it never moves backwards. */
#include "engine/runtime/query.h"

#include <string.h>

int query_open(struct query *q, struct plan *plan, enum out_mode mode) {
    memset(q, 0, sizeof *q);
    q->plan = *plan;
    memset(plan, 0, sizeof *plan);
    int rc = phys_build(q->plan.root, &q->pipe);
    if (rc) return rc;
    arena_init(&q->arena, 1 << 20);
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

void query_begin(struct query *q, int64_t now_us) {
    q->rc.batch_id = q->next_batch_id;
    q->rc.watermark_us = q->watermark_us;
    q->rc.ex.now_us = now_us;
    for (uint32_t i = 0; i < q->pipe.nops; i++) {
        struct op_stats *s = &q->pipe.ops[i]->stats;
        s->num_rows_updated = s->num_rows_removed = s->num_rows_dropped_by_watermark = 0;
        s->rows_in = s->rows_out = 0;
    }
}

int query_push(struct query *q, uint32_t src, const struct batch *b) {
    struct op *entry = q->pipe.srcs[src].entry;
    int rc = entry ? op_push(entry, &q->rc, b) : 0;
    arena_reset(&q->arena);
    return rc;
}

int query_end(struct query *q, bool *want_nodata) {
    int rc = 0;
    for (uint32_t i = 0; i < q->pipe.nsrcs && !rc; i++)
        if (q->pipe.srcs[i].entry) rc = op_finish(q->pipe.srcs[i].entry, &q->rc);
    arena_reset(&q->arena);
    int64_t global = WM_NONE;
    for (uint32_t i = 0; i < q->pipe.nwms; i++) {
        int64_t mx = op_watermark_max(q->pipe.wms[i]);
        if (mx == WM_NONE) continue;
        int64_t w = mx - op_watermark_delay(q->pipe.wms[i]);
        if (global == WM_NONE || w < global) global = w;
    }
    int64_t old = q->watermark_us;
    if (global != WM_NONE && (q->watermark_us == WM_NONE || global > q->watermark_us)) q->watermark_us = global;
    if (want_nodata)
        *want_nodata = q->watermark_us != old && q->pipe.streaming && q->pipe.stateful && q->rc.mode != OUT_COMPLETE;
    q->next_batch_id++;
    return rc;
}
