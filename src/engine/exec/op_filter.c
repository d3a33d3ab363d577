/* op_filter: evaluates the predicate and narrows the selection vector to
 * the rows where it is TRUE (NULL and FALSE drop the row). No data moves. */
#include <stdlib.h>

#include "engine/exec/op.h"

struct op_filter {
    struct op base;
    struct expr *pred;
};

static int filter_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_filter *f = (struct op_filter *)o;
    struct vec *p = expr_eval(f->pred, &rc->ex, in);
    uint32_t *sel = arena_alloc(rc->ex.arena, (in->nsel ? in->nsel : 1) * sizeof *sel);
    uint32_t m = 0;
    const uint8_t *v = p->valid, *d = p->data;
    for (uint32_t k = 0; k < in->nsel; k++) {
        uint32_t i = in->sel[k];
        sel[m] = i;
        m += v[i] & d[i];
    }
    struct batch *out = arena_alloc(rc->ex.arena, sizeof *out);
    *out = *in;
    out->sel = sel;
    out->nsel = m;
    return op_emit(o, rc, out);
}

static int filter_finish(struct op *o, struct run_ctx *rc) { return op_finish_next(o, rc); }
static void filter_free(struct op *o) { free(o); }

static const struct op_vt filter_vt = {.name = "Filter", .push = filter_push, .finish = filter_finish, .free = filter_free};

struct op *op_filter_new(const struct ty *schema, struct expr *pred) {
    struct op_filter *f = calloc(1, sizeof *f);
    f->base.vt = &filter_vt;
    f->base.schema = schema;
    f->pred = pred;
    return &f->base;
}
