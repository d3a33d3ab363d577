/* op_watermark: Spark's EventTimeWatermark. Rows pass through unchanged;
 * the operator records the largest event time it has seen. After a
 * micro-batch the runtime computes the next watermark as
 * max(previous, max event time - delay) over all watermark operators
 * (the global watermark is the minimum of theirs). Late rows are dropped by
 * the stateful operators, not here — as in Spark. */
#include <stdlib.h>

#include "engine/exec/op.h"

struct op_watermark {
    struct op base;
    int col;
    int64_t delay, max;
};

static int wm_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_watermark *w = (struct op_watermark *)o;
    const struct vec *v = in->cols[w->col];
    const int64_t *t = vec_i64(v);
    int64_t mx = w->max;
    for (uint32_t k = 0; k < in->nsel; k++) {
        uint32_t i = in->sel[k];
        if (v->valid[i] && t[i] > mx) mx = t[i];
    }
    w->max = mx;
    return op_emit(o, rc, in);
}

static int wm_finish(struct op *o, struct run_ctx *rc) { return op_finish_next(o, rc); }
static void wm_free(struct op *o) { free(o); }

static const struct op_vt wm_vt = {.name = "EventTimeWatermark", .push = wm_push, .finish = wm_finish, .free = wm_free};

struct op *op_watermark_new(const struct ty *schema, int col, int64_t delay_us) {
    struct op_watermark *w = calloc(1, sizeof *w);
    w->base.vt = &wm_vt;
    w->base.schema = schema;
    w->col = col;
    w->delay = delay_us;
    w->max = WM_NONE;
    return &w->base;
}

int64_t op_watermark_max(const struct op *o) { return ((const struct op_watermark *)o)->max; }
int64_t op_watermark_delay(const struct op *o) { return ((const struct op_watermark *)o)->delay; }
