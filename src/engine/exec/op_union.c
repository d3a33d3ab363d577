/* op_union: UNION ALL. Every input pipeline pushes into the same union
 * operator, which passes batches on; it passes `finish` on once all of its
 * inputs have finished the micro-batch. */
#include <stdlib.h>

#include "engine/exec/op.h"

struct op_union {
    struct op base;
    uint32_t ninputs, finished;
};

static int union_push(struct op *o, struct run_ctx *rc, const struct batch *in) { return op_emit(o, rc, in); }

static int union_finish(struct op *o, struct run_ctx *rc) {
    struct op_union *u = (struct op_union *)o;
    if (++u->finished < u->ninputs) return 0;
    u->finished = 0;
    return op_finish_next(o, rc);
}

static void union_free(struct op *o) { free(o); }

static const struct op_vt union_vt = {.name = "Union", .push = union_push, .finish = union_finish, .free = union_free};

struct op *op_union_new(const struct ty *schema, uint32_t ninputs) {
    struct op_union *u = calloc(1, sizeof *u);
    u->base.vt = &union_vt;
    u->base.schema = schema;
    u->ninputs = ninputs;
    return &u->base;
}
