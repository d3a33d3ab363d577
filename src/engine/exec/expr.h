/* expr: bound, typed expressions and their vectorized evaluation.
 *
 * The one thing to know first: expr_eval evaluates a whole expression tree
 * over a batch one node at a time — each node runs one kernel loop over the
 * active rows (`sel[0..n)`) of its argument vectors — never the tree once
 * per row. Results keep the input's row positions (row i of the output is
 * computed from row i of the inputs), so the selection vector passes
 * through unchanged. A column reference returns the batch's own vector and a
 * struct field access returns the struct's child vector, both without a copy:
 * treat every returned vector as read-only.
 *
 * Memory: output vectors and the strings kernels build are allocated in
 * cx->arena, which the caller resets once the batch is done (see op.h).
 * Constants are materialised once per expression and reused (expr->cache).
 *
 * Semantics are Spark's non-ANSI defaults: NULL in → NULL out unless a
 * function says otherwise; integer overflow wraps; x/0 and x%0 are NULL;
 * invalid casts give NULL. */
#ifndef WEIR_ENGINE_EXPR_H
#define WEIR_ENGINE_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "engine/exec/vector.h"

struct expr;
struct ectx;

/* A kernel: computes out[sel[k]] for k < n from the already evaluated
 * argument vectors args[0..e->nargs). out has the batch's capacity and the
 * expression's type; its validity is all zero on entry. */
typedef void (*expr_kernel)(const struct expr *e, struct ectx *cx, struct vec *const *args, const uint32_t *sel,
                            uint32_t n, struct vec *out);

enum expr_kind {
    EX_COL,     /* input column `col` */
    EX_CONST,   /* `value`: a one-row vector */
    EX_FIELD,   /* field `field` of the struct args[0] */
    EX_CALL,    /* kernel(args) */
};

struct expr {
    enum expr_kind kind;
    const struct ty *type;
    const char *name;     /* function/operator name, for EXPLAIN and errors */
    int col;              /* EX_COL */
    int field;            /* EX_FIELD */
    struct vec *value;    /* EX_CONST: row 0 holds the value (or NULL) */
    struct expr **args;
    uint32_t nargs;
    expr_kernel fn;       /* EX_CALL */
    int op;               /* kernel-specific selector (operator, unit, ...) */
    void *state;          /* kernel-specific compiled state (regex, pattern, schema) */
    bool lazy;            /* EX_CALL: kernel evaluates its own args (CASE, AND/OR, coalesce) */
    struct vec *cache;    /* EX_CONST materialised to a full vector */
};

/* Evaluation context: one per running operator (not shared across threads). */
struct ectx {
    struct arena *arena;      /* batch-scoped: outputs and temporaries */
    int64_t now_us;           /* current_timestamp() for this micro-batch */
    const struct batch *in;   /* the batch being evaluated (for lazy kernels) */
    const char *error;        /* set by a kernel that must fail the query (FAILFAST); first wins */
};

/* Evaluates e over the active rows of `in`. Never fails: rows a function
 * cannot compute are NULL. */
struct vec *expr_eval(const struct expr *e, struct ectx *cx, const struct batch *in);
/* The same over an explicit subset of rows (lazy kernels use it). */
struct vec *expr_eval_sel(const struct expr *e, struct ectx *cx, const struct batch *in, const uint32_t *sel, uint32_t n);

/* Constructors (nodes live in a, the plan arena). */
struct expr *expr_col(struct arena *a, int col, const struct ty *t);
struct expr *expr_field(struct arena *a, struct expr *s, int field);
struct expr *expr_call(struct arena *a, const char *name, const struct ty *t, expr_kernel fn, struct expr **args, uint32_t n);
struct expr *expr_const_null(struct arena *a, const struct ty *t);
struct expr *expr_const_bool(struct arena *a, bool v);
struct expr *expr_const_int(struct arena *a, int32_t v);
struct expr *expr_const_bigint(struct arena *a, int64_t v);
struct expr *expr_const_double(struct arena *a, double v);
struct expr *expr_const_string(struct arena *a, const char *s, uint32_t n);
struct expr *expr_const_typed(struct arena *a, const struct ty *t); /* caller fills value row 0 */

bool expr_is_const(const struct expr *e);
/* True if the constant is NULL. */
bool expr_const_is_null(const struct expr *e);
/* Structural equality (same kinds, columns, kernels, constants). */
bool expr_equal(const struct expr *x, const struct expr *y);
/* A short text for EXPLAIN: `add(#0, 1)`. */
void expr_print(struct buf *b, const struct expr *e);

/* Resources an expression holds outside its arena (compiled regexes and
 * datetime patterns): registered at bind time, released with the plan. */
struct expr_res {
    void (*fn)(void *);
    void *p;
    struct expr_res *next;
};
void expr_res_add(struct arena *a, struct expr_res **list, void (*fn)(void *), void *p);
void expr_res_free(struct expr_res *list);

/* Builds a fresh output vector for e in the context arena. */
struct vec *expr_out(const struct expr *e, struct ectx *cx, uint32_t cap);

#endif
