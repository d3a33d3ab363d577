/* op_limit: passes the first `limit` rows of a (batch) query. */
#include <stdlib.h>

#include "engine/exec/op.h"

struct op_limit {
    struct op base;
    int64_t limit, seen;
};

static int limit_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_limit *l = (struct op_limit *)o;
    if (l->seen >= l->limit) return 0;
    struct batch *out = arena_alloc(rc->ex.arena, sizeof *out);
    *out = *in;
    if ((int64_t)in->nsel > l->limit - l->seen) out->nsel = (uint32_t)(l->limit - l->seen);
    l->seen += out->nsel;
    return op_emit(o, rc, out);
}

static int limit_finish(struct op *o, struct run_ctx *rc) {
    ((struct op_limit *)o)->seen = 0;
    return op_finish_next(o, rc);
}

static void limit_free(struct op *o) { free(o); }

static const struct op_vt limit_vt = {.name = "Limit", .push = limit_push, .finish = limit_finish, .free = limit_free};

struct op *op_limit_new(const struct ty *schema, int64_t limit) {
    struct op_limit *l = calloc(1, sizeof *l);
    l->base.vt = &limit_vt;
    l->base.schema = schema;
    l->limit = limit;
    return &l->base;
}
