/* bind: the analyzer. Resolves names in an AST query against the catalog,
 * types every expression (inserting Spark's implicit casts), looks up
 * functions, separates aggregates from grouping keys, expands window() into
 * a WINDOW node, and builds the logical plan (plan.h).
 *
 * The one thing to know first: errors accumulate in the binder (first one
 * wins, sqlite-style) with the byte offset of the AST node they concern, so
 * the caller formats them with diag_format against the same source text.
 * Messages follow Spark's wording where Spark has one, and an unknown column
 * lists the columns that do exist.
 *
 * Files: bind_expr.c (expressions, aggregate mode), bind_query.c (SELECT,
 * FROM, WATERMARK, DEDUPLICATE, UNION, GROUP BY), stream_rules.c (Spark's
 * streaming restrictions and output-mode table). */
#ifndef WEIR_ENGINE_BIND_H
#define WEIR_ENGINE_BIND_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/plan/plan.h"

/* One visible column: qualifier (relation alias or table name, may be NULL). */
struct bscope_col {
    const char *qual;
    const char *name;
    const struct ty *type;
};

struct bscope {
    struct bscope_col *cols;
    uint32_t n;
};

struct aggbind; /* aggregate-mode state, private to bind_expr.c / bind_query.c */

struct binder {
    struct arena *a;             /* plan arena */
    const struct catalog *cat;
    struct expr_res *res;        /* resources of bound expressions (moved into the plan) */
    int failed;
    uint32_t err_pos;
    const char *err_msg;
    int quiet;                   /* >0: trying a binding; errors set failed but no message */
    int depth;                   /* view nesting */
    bool batch;                  /* read every table as a batch (Spark's read, not readStream) */
};

void bind_init(struct binder *b, struct arena *a, const struct catalog *cat);
/* Binds a query into p (p->root, p->res). Returns 0 or WERR_INVALID with
 * b->err_pos / b->err_msg set. */
int bind_query_plan(struct binder *b, const struct ast_query *q, struct plan *p);

/* Internal API shared by the bind_*.c files. */
int bind_error(struct binder *b, uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct expr *bind_expr(struct binder *b, const struct ast *e, const struct bscope *s, struct aggbind *agg);
struct lp *bind_query(struct binder *b, const struct ast_query *q, struct bscope *out_scope);
bool bind_has_aggregate(const struct ast *e);
/* Parses an interval literal or string ('5 minutes') to microseconds. */
int bind_interval(struct binder *b, const struct ast *e, int64_t *us);
void bscope_from_schema(struct binder *b, struct bscope *s, const struct ty *schema, const char *qual);

/* Aggregate-mode state: the grouping keys are bound first; select items and
 * HAVING are bound against them. Aggregate calls become references to the
 * aggregate's output columns (nkeys + i). */
struct aggbind {
    const struct bscope *in;     /* scope below the aggregate */
    struct expr **keys;
    const struct ast **key_asts;
    const char **key_names;
    uint32_t nkeys;
    struct lp_agg *aggs;
    uint32_t naggs, cap;
};

#endif
