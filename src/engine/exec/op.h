/* op: physical operators, push-based.
 *
 * The one thing to know first: a source pushes a batch into the first
 * operator, and each operator pushes its output into `next` before
 * returning, so a batch travels the whole pipeline inside one call. All
 * output batches and temporaries go into the run context's batch arena
 * (`rc->ex.arena`), which the runtime resets after each source batch;
 * operators that keep data across batches (aggregate, dedup, sort, the
 * collector) copy what they keep into their own memory. At the end of a
 * micro-batch the runtime calls `finish` on each source operator; finish
 * flows down the chain the same way (an aggregate emits its rows there).
 *
 * One operator per file: op_project.c, op_filter.c, op_watermark.c,
 * op_window.c, op_aggregate.c, op_session.c, op_dedup.c, op_join.c,
 * op_ssjoin.c, op_generate.c, op_union.c, op_sort.c, op_limit.c,
 * op_collect.c. */
#ifndef WEIR_ENGINE_OP_H
#define WEIR_ENGINE_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/exec/expr.h"

enum out_mode { OUT_APPEND, OUT_UPDATE, OUT_COMPLETE };

#define WM_NONE INT64_MIN /* no watermark yet */

/* Per micro-batch facts every operator may read. */
struct run_ctx {
    struct ectx ex;            /* arena = batch arena; now_us = batch timestamp */
    int64_t batch_id;
    int64_t watermark_us;      /* the watermark for this batch (WM_NONE before the first) */
    enum out_mode mode;
    bool streaming;            /* false: a batch query (everything emitted at finish) */
};

/* Counters in the shape of Spark's stateOperators progress entries. */
struct op_stats {
    int64_t rows_in, rows_out;
    int64_t num_rows_total, num_rows_updated, num_rows_removed;
    int64_t num_rows_dropped_by_watermark;
    int64_t memory_used_bytes;
};

struct op;
struct sst_writer;
struct sst_entry;
struct op_vt {
    const char *name;
    int (*push)(struct op *o, struct run_ctx *rc, const struct batch *in);
    int (*finish)(struct op *o, struct run_ctx *rc);
    void (*free)(struct op *o);
    /* Stateful operators only (NULL otherwise), see state/store.h:
     * state_write adds the changes of the last finished micro-batch (or, with
     * snapshot set, the whole state) to w; state_apply replays one entry
     * when the state is restored. */
    int (*state_write)(struct op *o, struct sst_writer *w, int snapshot);
    int (*state_apply)(struct op *o, const struct sst_entry *e);
    int (*state_loaded)(struct op *o); /* after the last entry */
};

struct op {
    const struct op_vt *vt;
    struct op *next;
    const struct ty *schema;   /* output columns */
    struct op_stats stats;
    bool stateful;
};

static inline int op_push(struct op *o, struct run_ctx *rc, const struct batch *b) {
    o->stats.rows_in += b->nsel;
    return o->vt->push(o, rc, b);
}
static inline int op_finish(struct op *o, struct run_ctx *rc) { return o->vt->finish(o, rc); }
/* Pushes to next (if any) and counts the rows out. */
static inline int op_emit(struct op *o, struct run_ctx *rc, const struct batch *b) {
    o->stats.rows_out += b->nsel;
    return o->next && b->nsel ? op_push(o->next, rc, b) : 0;
}
static inline int op_finish_next(struct op *o, struct run_ctx *rc) { return o->next ? op_finish(o->next, rc) : 0; }
void op_free(struct op *o); /* frees one operator (not its next) */

/* Constructors. Expressions are borrowed from the plan (they outlive the ops). */
struct op *op_project_new(const struct ty *schema, struct expr **exprs, uint32_t n);
struct op *op_filter_new(const struct ty *schema, struct expr *pred);
/* Tracks the max of column col; see op_watermark_max. */
struct op *op_watermark_new(const struct ty *schema, int col, int64_t delay_us);
int64_t op_watermark_max(const struct op *o); /* max event time seen (WM_NONE if none) */
int64_t op_watermark_delay(const struct op *o);
/* Event-time min/max/avg of the rows seen since the last reset; returns the count. */
int64_t op_watermark_stats(const struct op *o, int64_t *min, int64_t *max, int64_t *avg);
void op_watermark_reset_stats(struct op *o);
struct op *op_window_new(const struct ty *schema, struct expr *time, int64_t size, int64_t slide, int64_t start);
struct lp_agg;
/* wm_key: index of the key holding event time (timestamp or window struct), or -1. */
struct op *op_aggregate_new(const struct ty *schema, struct expr **keys, uint32_t nkeys, const struct lp_agg *aggs,
                            uint32_t naggs, int wm_key);
/* wm_col: input column with event time (-1 none); within_wm: evict by that time + delay. */
/* Aggregation over session_window(time, gap): keys[sess_key] is a placeholder
 * the operator fills with each session's {start, end}. */
struct op *op_session_new(const struct ty *schema, struct expr **keys, uint32_t nkeys, int sess_key, struct expr *time,
                          int64_t gap, const struct lp_agg *aggs, uint32_t naggs, int wm_key);
struct op *op_dedup_new(const struct ty *schema, const int *cols, uint32_t ncols, int wm_col, bool within_wm, int64_t delay_us);
struct op *op_union_new(const struct ty *schema, uint32_t ninputs);
struct lp_sort_key;
struct op *op_sort_new(const struct ty *schema, const struct lp_sort_key *keys, uint32_t n);
struct op *op_limit_new(const struct ty *schema, int64_t limit);
/* Hash join (see op_join.c). type is an enum ast_join; build_left: the left
 * input is hashed. Build-side batches must be pushed into
 * op_join_build_entry(join) before the probe side's first batch. */
struct op *op_join_new(const struct ty *schema, int type, bool build_left, struct expr **bkeys, struct expr **pkeys,
                       uint32_t nkeys, struct expr *residual, uint32_t nleft, uint32_t nright);
struct op *op_join_build_entry(struct op *join);
/* Inner join of two streams (op_ssjoin.c): each side pushes into its entry. */
struct op *op_ssjoin_new(const struct ty *schema, const struct ty *left, const struct ty *right, struct expr **lkeys,
                         struct expr **rkeys, uint32_t nkeys, struct expr *residual, bool evict, int lwm, int rwm,
                         int64_t lower, int64_t upper, int outer /* -1 inner, 0 left, 1 right */);
struct op *op_ssjoin_entry(struct op *join, int side);
/* explode: appends [pos,] col (array) or [pos,] key, value (map) per element. */
struct op *op_generate_new(const struct ty *schema, struct expr *gen, bool outer, bool pos);

/* The collector: the end of every pipeline. Keeps copies of the rows it
 * receives in its own arena (the memory sink, the console sink and the tests
 * read them). clear_each_batch: forget rows at the start of each micro-batch. */
struct op *op_collect_new(const struct ty *schema);
uint32_t op_collect_nbatches(const struct op *o);
const struct batch *op_collect_batch(const struct op *o, uint32_t i);
uint64_t op_collect_rows(const struct op *o);
void op_collect_clear(struct op *o);

#endif
