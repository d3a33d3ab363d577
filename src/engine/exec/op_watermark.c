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
    /* event-time statistics of the current micro-batch (progress eventTime) */
    int64_t bmin, bmax, bcount;
    double bsum;
};

static int wm_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_watermark *w = (struct op_watermark *)o;
    const struct vec *v = in->cols[w->col];
    const int64_t *t = vec_i64(v);
    int64_t mx = w->max, bmin = w->bmin, bmax = w->bmax, cnt = 0;
    double sum = 0;
    for (uint32_t k = 0; k < in->nsel; k++) {
        uint32_t i = in->sel[k];
        if (!v->valid[i]) continue;
        int64_t x = t[i];
        if (x > mx) mx = x;
        if (x > bmax) bmax = x;
        if (x < bmin) bmin = x;
        sum += (double)x;
        cnt++;
    }
    w->max = mx;
    w->bmin = bmin;
    w->bmax = bmax;
    w->bsum += sum;
    w->bcount += cnt;
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
    op_watermark_reset_stats(&w->base);
    return &w->base;
}

void op_watermark_reset_stats(struct op *o) {
    struct op_watermark *w = (struct op_watermark *)o;
    w->bmin = INT64_MAX;
    w->bmax = INT64_MIN;
    w->bsum = 0;
    w->bcount = 0;
}

int64_t op_watermark_stats(const struct op *o, int64_t *min, int64_t *max, int64_t *avg) {
    const struct op_watermark *w = (const struct op_watermark *)o;
    if (!w->bcount) return 0;
    *min = w->bmin;
    *max = w->bmax;
    *avg = (int64_t)(w->bsum / (double)w->bcount);
    return w->bcount;
}

int64_t op_watermark_max(const struct op *o) { return ((const struct op_watermark *)o)->max; }
int64_t op_watermark_delay(const struct op *o) { return ((const struct op_watermark *)o)->delay; }
