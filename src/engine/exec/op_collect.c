/* op_collect: the end of a pipeline. Copies every batch it receives
 * (compacted, strings included) into its own arena; the memory and console
 * sinks and the tests read the batches back. op_collect_clear forgets them
 * (the runtime does it once a sink has consumed a micro-batch). */
#include <stdlib.h>
#include <string.h>

#include "engine/exec/op.h"

struct op_collect {
    struct op base;
    struct arena heap;
    struct batch **batches;
    uint32_t n, cap;
    uint64_t rows;
};

static int collect_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    (void)rc;
    struct op_collect *c = (struct op_collect *)o;
    if (!in->nsel) return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->batches = realloc(c->batches, c->cap * sizeof *c->batches);
        if (!c->batches) abort();
    }
    c->batches[c->n++] = batch_compact(&c->heap, in);
    c->rows += in->nsel;
    o->stats.rows_out += in->nsel;
    return 0;
}

static int collect_finish(struct op *o, struct run_ctx *rc) {
    (void)o;
    (void)rc;
    return 0;
}

static void collect_free(struct op *o) {
    struct op_collect *c = (struct op_collect *)o;
    arena_free(&c->heap);
    free(c->batches);
    free(c);
}

static const struct op_vt collect_vt = {.name = "Collect", .push = collect_push, .finish = collect_finish, .free = collect_free};

struct op *op_collect_new(const struct ty *schema) {
    struct op_collect *c = calloc(1, sizeof *c);
    c->base.vt = &collect_vt;
    c->base.schema = schema;
    arena_init(&c->heap, 1 << 16);
    return &c->base;
}

uint32_t op_collect_nbatches(const struct op *o) { return ((const struct op_collect *)o)->n; }
const struct batch *op_collect_batch(const struct op *o, uint32_t i) { return ((const struct op_collect *)o)->batches[i]; }
uint64_t op_collect_rows(const struct op *o) { return ((const struct op_collect *)o)->rows; }

void op_collect_clear(struct op *o) {
    struct op_collect *c = (struct op_collect *)o;
    arena_reset(&c->heap);
    c->n = 0;
    c->rows = 0;
}
