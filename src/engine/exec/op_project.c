/* op_project: evaluates one expression per output column over the batch
 * and passes the same selection on. Column references and struct fields
 * come through without a copy (expr_eval returns the input's vectors). */
#include <stdlib.h>

#include "engine/exec/op.h"

struct op_project {
    struct op base;
    struct expr **exprs;
    uint32_t n;
};

static int project_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_project *p = (struct op_project *)o;
    struct batch *out = arena_alloc(rc->ex.arena, sizeof *out);
    *out = *in;
    out->ncols = p->n;
    out->cols = arena_alloc(rc->ex.arena, (p->n ? p->n : 1) * sizeof *out->cols);
    for (uint32_t i = 0; i < p->n; i++) out->cols[i] = expr_eval(p->exprs[i], &rc->ex, in);
    return op_emit(o, rc, out);
}

static int project_finish(struct op *o, struct run_ctx *rc) { return op_finish_next(o, rc); }
static void project_free(struct op *o) { free(o); }

static const struct op_vt project_vt = {.name = "Project", .push = project_push, .finish = project_finish, .free = project_free};

struct op *op_project_new(const struct ty *schema, struct expr **exprs, uint32_t n) {
    struct op_project *p = calloc(1, sizeof *p);
    p->base.vt = &project_vt;
    p->base.schema = schema;
    p->exprs = exprs;
    p->n = n;
    return &p->base;
}

void op_free(struct op *o) {
    if (o) o->vt->free(o);
}
