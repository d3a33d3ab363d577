/* op_generate: explode, explode_outer, posexplode. Each input row goes out
 * once per element of its array (or entry of its map), its columns copied
 * and the element appended ([pos,] col / [pos,] key, value). A NULL or empty
 * collection drops the row, except for explode_outer, which keeps it once
 * with NULL elements. Output batches hold at most VEC_MAX_ROWS rows. */
#include <stdlib.h>

#include "engine/exec/op.h"

struct op_generate {
    struct op base;
    struct expr *gen;
    bool outer, pos;
};

static int gen_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_generate *g = (struct op_generate *)o;
    const struct vec *c = expr_eval(g->gen, &rc->ex, in);
    uint32_t nin = in->ncols, extra = o->schema->nfields - nin;
    struct batch *out = NULL;
    uint32_t m = 0;
    for (uint32_t k = 0; k < in->nsel; k++) {
        uint32_t i = in->sel[k];
        uint32_t len = c->valid[i] ? vec_list(c)[i].len : 0;
        uint32_t reps = len ? len : g->outer ? 1 : 0;
        for (uint32_t e = 0; e < reps; e++) {
            if (!out || m == out->cap) {
                if (out) {
                    batch_set_rows(out, m);
                    int r = op_emit(o, rc, out);
                    if (r) return r;
                }
                out = batch_new(rc->ex.arena, o->schema, BATCH_CAP);
                m = 0;
            }
            for (uint32_t col = 0; col < nin; col++) vec_copy_row(out->cols[col], m, in->cols[col], i, false);
            uint32_t at = nin;
            if (g->pos) {
                out->cols[at]->valid[m] = len > 0;
                vec_i32(out->cols[at])[m] = (int32_t)e;
                at++;
            }
            for (uint32_t x = 0; x + (g->pos ? 1 : 0) < extra; x++, at++) {
                if (len) vec_copy_row(out->cols[at], m, c->child[x], vec_list(c)[i].off + e, false);
                else out->cols[at]->valid[m] = 0;
            }
            m++;
        }
    }
    if (out && m) {
        batch_set_rows(out, m);
        return op_emit(o, rc, out);
    }
    return 0;
}

static int gen_finish(struct op *o, struct run_ctx *rc) { return op_finish_next(o, rc); }
static void gen_free(struct op *o) { free(o); }

static const struct op_vt gen_vt = {.name = "Generate", .push = gen_push, .finish = gen_finish, .free = gen_free};

struct op *op_generate_new(const struct ty *schema, struct expr *gen, bool outer, bool pos) {
    struct op_generate *g = calloc(1, sizeof *g);
    g->base.vt = &gen_vt;
    g->base.schema = schema;
    g->gen = gen;
    g->outer = outer;
    g->pos = pos;
    return &g->base;
}
