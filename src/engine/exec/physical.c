/* physical: see physical.h. A recursive walk from the root down: an
 * operator is created before its children so they can point at it. */
#include "engine/exec/physical.h"

#include <stdlib.h>
#include <string.h>

static void add(struct op ***arr, uint32_t *n, struct op *o) {
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!*arr) abort();
    (*arr)[(*n)++] = o;
}

static void build(const struct lp *n, struct op *next, struct pipeline *p) {
    struct op *o = NULL;
    switch (n->kind) {
    case LP_SCAN: {
        p->srcs = realloc(p->srcs, (p->nsrcs + 1) * sizeof *p->srcs);
        if (!p->srcs) abort();
        p->srcs[p->nsrcs++] = (struct phys_src){n->table, n->schema, next};
        return;
    }
    case LP_PROJECT: o = op_project_new(n->schema, n->exprs, n->nexprs); break;
    case LP_FILTER: o = op_filter_new(n->schema, n->pred); break;
    case LP_WATERMARK:
        o = op_watermark_new(n->schema, n->wm_col, n->wm_delay_us);
        add(&p->wms, &p->nwms, o);
        break;
    case LP_WINDOW: o = op_window_new(n->schema, n->win_time, n->win_size, n->win_slide, n->win_start); break;
    case LP_AGGREGATE: {
        int wm_key = n->streaming ? n->wm_col : -1;
        if (n->sess_key >= 0)
            o = op_session_new(n->schema, n->keys, n->nkeys, n->sess_key, n->sess_time, n->sess_gap, n->aggs, n->naggs, wm_key);
        else
            o = op_aggregate_new(n->schema, n->keys, n->nkeys, n->aggs, n->naggs, wm_key);
        p->stateful = true;
        break;
    }
    case LP_DEDUP:
        o = op_dedup_new(n->schema, n->dedup_cols, n->ndedup, n->child->wm_col, n->within_wm, n->child->wm_delay_us);
        p->stateful = true;
        break;
    case LP_UNION: o = op_union_new(n->schema, n->ninputs); break;
    case LP_SORT: o = op_sort_new(n->schema, n->sort, n->nsort); break;
    case LP_LIMIT: o = op_limit_new(n->schema, n->limit); break;
    case LP_GENERATE: o = op_generate_new(n->schema, n->gen, n->gen_outer, n->gen_pos); break;
    case LP_JOIN: {
        const struct lp *l = n->inputs[0], *r = n->inputs[1];
        if (n->stream_stream) {
            o = op_ssjoin_new(n->schema, l->schema, r->schema, n->lkeys, n->rkeys, n->njkeys, n->residual, n->ss_evict,
                              n->ss_lwm, n->ss_rwm, n->ss_lower, n->ss_upper,
                              n->join == JOIN_LEFT ? 0 : n->join == JOIN_RIGHT ? 1 : -1);
            o->next = next;
            add(&p->ops, &p->nops, o);
            p->stateful = true;
            build(l, op_ssjoin_entry(o, 0), p);
            build(r, op_ssjoin_entry(o, 1), p);
            return;
        }
        o = op_join_new(n->schema, n->join, n->build_left, n->build_left ? n->lkeys : n->rkeys,
                        n->build_left ? n->rkeys : n->lkeys, n->njkeys, n->residual, l->schema->nfields, r->schema->nfields);
        o->next = next;
        add(&p->ops, &p->nops, o);
        /* the build side's sources first: the runtime pushes sources in this order */
        build(n->build_left ? l : r, op_join_build_entry(o), p);
        build(n->build_left ? r : l, o, p);
        return;
    }
    }
    o->next = next;
    add(&p->ops, &p->nops, o);
    if (n->child) build(n->child, o, p);
    for (uint32_t i = 0; i < n->ninputs; i++) build(n->inputs[i], o, p);
}

int phys_build(const struct lp *root, struct pipeline *out) {
    memset(out, 0, sizeof *out);
    out->sink = op_collect_new(root->schema);
    out->streaming = root->streaming;
    build(root, out->sink, out);
    return 0;
}

void phys_free(struct pipeline *p) {
    for (uint32_t i = 0; i < p->nops; i++) op_free(p->ops[i]);
    op_free(p->sink);
    free(p->ops);
    free(p->srcs);
    free(p->wms);
    memset(p, 0, sizeof *p);
}
