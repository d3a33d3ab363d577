/* op_window: window(ts, size, slide, start) expansion. Appends a `window`
 * STRUCT<start, end> column; a row goes out once for every window that
 * contains its time (start inclusive, end exclusive):
 *     last = t - floormod(t - startTime, slide)        latest window start
 *     windows [last - i*slide, last - i*slide + size) for i = 0.. while t < end
 * Rows with a NULL time are dropped (Spark filters them).
 * Tumbling windows (slide == size) keep the input vectors and selection and
 * only add the window column (no copy); sliding windows gather the input
 * rows into new vectors, in chunks that fit a batch. */
#include <stdlib.h>

#include "engine/exec/op.h"

struct op_window {
    struct op base;
    struct expr *time;
    int64_t size, slide, start;
    uint32_t nwin; /* windows a row can fall in: ceil(size / slide) */
};

static int64_t floormod(int64_t a, int64_t b) {
    int64_t m = a % b;
    return m < 0 ? m + b : m;
}

static struct vec *window_vec(struct run_ctx *rc, const struct ty *t, uint32_t cap) {
    struct vec *w = vec_new(rc->ex.arena, t, cap);
    return w;
}

static int window_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_window *w = (struct op_window *)o;
    const struct vec *tv = expr_eval(w->time, &rc->ex, in);
    const int64_t *t = vec_i64(tv);
    const struct ty *wt = o->schema->fields[o->schema->nfields - 1].type;
    uint32_t nin = in->ncols;
    if (w->nwin == 1) {
        struct vec *wv = window_vec(rc, wt, in->cap);
        int64_t *ws = vec_i64(wv->child[0]), *we = vec_i64(wv->child[1]);
        uint32_t *sel = arena_alloc(rc->ex.arena, (in->nsel ? in->nsel : 1) * sizeof *sel);
        uint32_t m = 0;
        for (uint32_t k = 0; k < in->nsel; k++) {
            uint32_t i = in->sel[k];
            if (!tv->valid[i]) continue;
            int64_t s = t[i] - floormod(t[i] - w->start, w->slide);
            ws[i] = s;
            we[i] = s + w->size;
            wv->valid[i] = wv->child[0]->valid[i] = wv->child[1]->valid[i] = 1;
            sel[m++] = i;
        }
        struct batch *out = arena_alloc(rc->ex.arena, sizeof *out);
        *out = *in;
        out->sel = sel;
        out->nsel = m;
        out->ncols = nin + 1;
        out->cols = arena_alloc(rc->ex.arena, (nin + 1) * sizeof *out->cols);
        for (uint32_t c = 0; c < nin; c++) out->cols[c] = in->cols[c];
        out->cols[nin] = wv;
        return op_emit(o, rc, out);
    }
    /* sliding: gather rows into chunks of at most VEC_MAX_ROWS output rows */
    uint32_t per_chunk = VEC_MAX_ROWS / w->nwin;
    if (!per_chunk) per_chunk = 1;
    for (uint32_t at = 0; at < in->nsel; at += per_chunk) {
        uint32_t end = at + per_chunk < in->nsel ? at + per_chunk : in->nsel;
        uint32_t cap = (end - at) * w->nwin;
        struct batch *out = batch_new(rc->ex.arena, o->schema, cap ? cap : 1);
        struct vec *wv = out->cols[nin];
        uint32_t m = 0;
        for (uint32_t k = at; k < end; k++) {
            uint32_t i = in->sel[k];
            if (!tv->valid[i]) continue;
            int64_t last = t[i] - floormod(t[i] - w->start, w->slide);
            for (uint32_t j = 0; j < w->nwin; j++) {
                int64_t s = last - (int64_t)j * w->slide;
                if (!(s <= t[i] && t[i] < s + w->size)) continue;
                for (uint32_t c = 0; c < nin; c++) vec_copy_row(out->cols[c], m, in->cols[c], i, false);
                vec_i64(wv->child[0])[m] = s;
                vec_i64(wv->child[1])[m] = s + w->size;
                wv->valid[m] = wv->child[0]->valid[m] = wv->child[1]->valid[m] = 1;
                m++;
            }
        }
        batch_set_rows(out, m);
        int rc2 = op_emit(o, rc, out);
        if (rc2) return rc2;
    }
    return 0;
}

static int window_finish(struct op *o, struct run_ctx *rc) { return op_finish_next(o, rc); }
static void window_free(struct op *o) { free(o); }

static const struct op_vt window_vt = {.name = "Window", .push = window_push, .finish = window_finish, .free = window_free};

struct op *op_window_new(const struct ty *schema, struct expr *time, int64_t size, int64_t slide, int64_t start) {
    struct op_window *w = calloc(1, sizeof *w);
    w->base.vt = &window_vt;
    w->base.schema = schema;
    w->time = time;
    w->size = size;
    w->slide = slide;
    w->start = start;
    w->nwin = (uint32_t)((size + slide - 1) / slide);
    return &w->base;
}
