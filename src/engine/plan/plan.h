/* plan: the catalog of tables and views, and the logical plan the binder
 * produces from a query.
 *
 * The one thing to know first: a logical plan node's output is a STRUCT type
 * (`schema`), one field per column, and every expression above it refers to
 * those columns by index (EX_COL). `wm_col` marks the output column that
 * carries event time with a watermark (a TIMESTAMP column or a window struct
 * whose `end` is compared with the watermark), or -1: it is how the
 * streaming rules and the stateful operators know what they may evict.
 * All nodes live in the plan arena; the plan owns its expressions and the
 * resources they hold (`res`, freed by plan_free).
 *
 * Logical operators:
 *   SCAN       a catalog table (streaming if its format is a stream source)
 *   PROJECT    exprs → columns
 *   FILTER     pred
 *   WATERMARK  marks column wm_col with delay wm_delay_us (Spark's withWatermark)
 *   WINDOW     appends `window` STRUCT<start, end> per row and per window the
 *              row falls in (tumbling: one; sliding: size/slide of them)
 *   AGGREGATE  keys then aggs; output = keys..., aggs...
 *   DEDUP      drops rows whose key columns were seen before (dropDuplicates)
 *   UNION      UNION ALL of inputs with the same column types
 *   SORT, LIMIT (batch queries; streaming only after a complete-mode aggregate)
 *   JOIN       equi-join of inputs[0] (left) and inputs[1] (right): output =
 *              left columns then right columns; the build side is hashed
 *              (the static side of a stream-static join), the other probes
 *   GENERATE   explode / explode_outer / posexplode: the input columns then
 *              one row per element (pos, col for arrays; pos, key, value for maps) */
#ifndef WEIR_ENGINE_PLAN_H
#define WEIR_ENGINE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "engine/exec/agg.h"
#include "engine/exec/expr.h"
#include "engine/sql/ast.h"

/* ---- catalog ---- */

enum cat_kind { CAT_TABLE, CAT_VIEW };

struct cat_entry {
    enum cat_kind kind;
    const char *name;
    uint32_t pos;                /* where it was declared */
    const char *format;          /* USING ... (lower case) */
    const char **opt_keys, **opt_vals;
    uint32_t nopts;
    const struct ty *schema;     /* columns a scan produces (tables), or NULL for sinks without columns */
    bool streaming;              /* kafka, rate, socket: a stream source */
    const struct ast_query *view;
};

struct catalog {
    struct arena *a;
    struct cat_entry **entries;
    uint32_t n, cap;
};

void cat_init(struct catalog *c, struct arena *a);
const struct cat_entry *cat_find(const struct catalog *c, const char *name);
/* Adds the table or view a CREATE statement declares. Errors (duplicate
 * name, missing columns for a file/memory table) are written to err. */
int cat_add(struct catalog *c, const struct ast_stmt *s, char *err, size_t errcap);
const char *cat_opt(const struct cat_entry *e, const char *key); /* case-insensitive, or NULL */
/* The fixed schema of Spark's Kafka source (headers when includeHeaders). */
const struct ty *cat_kafka_schema(struct arena *a, bool headers);

/* ---- logical plan ---- */

enum lp_kind { LP_SCAN, LP_PROJECT, LP_FILTER, LP_WATERMARK, LP_WINDOW, LP_AGGREGATE, LP_DEDUP, LP_UNION, LP_SORT, LP_LIMIT, LP_GENERATE, LP_JOIN };

struct lp_agg {
    struct agg_fn fn;
    struct expr *arg;            /* NULL for count(*) */
    bool distinct;
    const char *name;
};

struct lp_sort_key {
    struct expr *expr;
    bool desc, nulls_first;
};

struct lp {
    enum lp_kind kind;
    const struct ty *schema;
    struct lp *child;
    struct lp **inputs;          /* UNION */
    uint32_t ninputs;
    bool streaming;
    int wm_col;                  /* see above; -1 if none */
    int64_t wm_delay_us;         /* of the watermark that wm_col carries */
    uint32_t pos;                /* source position for messages */
    /* SCAN */
    const struct cat_entry *table;
    /* PROJECT */
    struct expr **exprs;
    uint32_t nexprs;
    /* FILTER */
    struct expr *pred;
    /* WINDOW: time column expression, size/slide/start in microseconds */
    struct expr *win_time;
    int64_t win_size, win_slide, win_start;
    /* AGGREGATE */
    struct expr **keys;
    uint32_t nkeys;
    struct lp_agg *aggs;
    uint32_t naggs;
    int sess_key;                /* session_window: index of its key (-1 none); keys[sess_key] is a placeholder */
    struct expr *sess_time;
    int64_t sess_gap;
    /* DEDUP: key columns; within_wm = dropDuplicatesWithinWatermark */
    int *dedup_cols;
    uint32_t ndedup;
    bool within_wm;
    /* JOIN: keys over each input's columns, residual over the joined row */
    enum ast_join join;
    struct expr **lkeys, **rkeys;
    uint32_t njkeys;
    struct expr *residual;
    bool build_left;             /* hash the left input (the right one streams) */
    bool stream_stream;          /* both inputs stream: op_ssjoin buffers both */
    /* stream-stream state eviction: the ON condition bounds lt - rt (event
     * times of the watermarked columns ss_lwm / ss_rwm of each input) to
     * [ss_lower, ss_upper]; ss_evict when both bounds and both columns exist */
    bool ss_evict;
    int ss_lwm, ss_rwm;
    int64_t ss_lower, ss_upper;
    /* GENERATE */
    struct expr *gen;
    bool gen_outer, gen_pos;
    /* SORT / LIMIT */
    struct lp_sort_key *sort;
    uint32_t nsort;
    int64_t limit;
};

/* A bound query, ready to be checked and run. */
struct plan {
    struct lp *root;
    struct expr_res *res;
};

void plan_free(struct plan *p);
/* EXPLAIN-style text of the tree, one node per line, indented. */
void lp_print(struct buf *b, const struct lp *n, int indent);

#endif
