/* func: the scalar function registry. The binder resolves `name(args)` by
 * looking the name up here (case-insensitive) and calling the entry's bind
 * hook with the already bound argument expressions. The hook checks arity
 * and types, inserts Spark's implicit casts (fb_cast), compiles constant
 * arguments (regex, datetime pattern, schema) into expression state, and
 * builds the call expression. Errors are messages; the binder adds the
 * source position. Kernels live in the kern_*.c files next to each hook.
 *
 * Aggregate functions are not here: see agg.h. */
#ifndef WEIR_ENGINE_FUNC_H
#define WEIR_ENGINE_FUNC_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/exec/expr.h"

struct fbind {
    struct arena *a;          /* plan arena: expressions and state live here */
    const char *name;         /* the name as written */
    struct expr **args;       /* bound arguments; hooks may replace entries */
    uint32_t nargs;
    struct expr *result;      /* set by the hook on success */
    char err[300];            /* set by the hook on failure */
    int err_arg;              /* argument the error is about, or -1 */
    struct expr_res **res;    /* where hooks register state to release */
};

struct func_def {
    const char *name;
    int min_args, max_args;   /* max -1: variadic */
    int (*bind)(struct fbind *fb);
};

const struct func_def *func_lookup(const char *name);
/* Names of every registered function, for "did you mean" messages. */
const char *const *func_names(size_t *n);

/* Options given as a constant map('key', 'value', ...) argument (from_csv,
 * from_json, to_json): keys and values as strings in the arena. 0, or -1
 * with fb->err when args[i] is not a constant map of strings. */
int fb_const_map(struct fbind *fb, uint32_t i, const char ***keys, const char ***vals, uint32_t *n);

/* Helpers for hooks (func.c). All return 0 or -1 with fb->err set. */
int fb_fail(struct fbind *fb, int arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Replaces args[i] by CAST(args[i] AS t) unless it already has type t;
 * fails with Spark's "data type mismatch" message if the cast is not an
 * implicit one Spark would do. */
int fb_cast(struct fbind *fb, uint32_t i, const struct ty *t);
/* Wraps e in a cast node (no checks). */
struct expr *fb_cast_expr(struct arena *a, struct expr *e, const struct ty *t);
/* If args[i] is a non-NULL string constant, returns it (NUL-terminated copy
 * in the arena) and its length; else NULL. */
const char *fb_const_str(struct fbind *fb, uint32_t i, uint32_t *len);
/* Builds the call with the given kernel and result type into fb->result. */
int fb_call(struct fbind *fb, const struct ty *t, expr_kernel k);
/* The common type two expressions are widened to for comparison and
 * arithmetic (Spark's findTightestCommonType plus string promotion), or NULL. */
const struct ty *fb_common_type(struct arena *a, const struct ty *x, const struct ty *y);
/* May `from` be implicitly cast to `to` (Spark's ImplicitTypeCasts)? */
bool fb_implicit_ok(const struct ty *from, const struct ty *to);

/* Hooks defined in the kern_*.c files, gathered by the table in func.c. */
#define FUNC_HOOK(n) int n(struct fbind *fb)
FUNC_HOOK(fh_concat); FUNC_HOOK(fh_concat_ws); FUNC_HOOK(fh_lower); FUNC_HOOK(fh_upper);
FUNC_HOOK(fh_trim); FUNC_HOOK(fh_ltrim); FUNC_HOOK(fh_rtrim); FUNC_HOOK(fh_length);
FUNC_HOOK(fh_substring); FUNC_HOOK(fh_split); FUNC_HOOK(fh_regexp_replace); FUNC_HOOK(fh_regexp_extract);
FUNC_HOOK(fh_rlike); FUNC_HOOK(fh_like); FUNC_HOOK(fh_ilike); FUNC_HOOK(fh_replace); FUNC_HOOK(fh_instr);
FUNC_HOOK(fh_lpad); FUNC_HOOK(fh_rpad); FUNC_HOOK(fh_reverse); FUNC_HOOK(fh_initcap);
FUNC_HOOK(fh_coalesce); FUNC_HOOK(fh_nullif); FUNC_HOOK(fh_if); FUNC_HOOK(fh_nvl); FUNC_HOOK(fh_abs);
FUNC_HOOK(fh_round); FUNC_HOOK(fh_floor); FUNC_HOOK(fh_ceil); FUNC_HOOK(fh_struct); FUNC_HOOK(fh_named_struct);
FUNC_HOOK(fh_array); FUNC_HOOK(fh_element_at); FUNC_HOOK(fh_get_item); FUNC_HOOK(fh_size); FUNC_HOOK(fh_sqrt);
FUNC_HOOK(fh_pow); FUNC_HOOK(fh_greatest); FUNC_HOOK(fh_least); FUNC_HOOK(fh_isnull); FUNC_HOOK(fh_isnotnull);
FUNC_HOOK(fh_to_timestamp); FUNC_HOOK(fh_date_format); FUNC_HOOK(fh_from_unixtime); FUNC_HOOK(fh_unix_timestamp);
FUNC_HOOK(fh_current_timestamp); FUNC_HOOK(fh_current_date); FUNC_HOOK(fh_to_date); FUNC_HOOK(fh_date_trunc);
FUNC_HOOK(fh_year); FUNC_HOOK(fh_month); FUNC_HOOK(fh_dayofmonth); FUNC_HOOK(fh_hour); FUNC_HOOK(fh_minute);
FUNC_HOOK(fh_second); FUNC_HOOK(fh_dayofweek); FUNC_HOOK(fh_dayofyear); FUNC_HOOK(fh_quarter);
FUNC_HOOK(fh_weekofyear); FUNC_HOOK(fh_timestamp_seconds); FUNC_HOOK(fh_date_add); FUNC_HOOK(fh_date_sub);
FUNC_HOOK(fh_datediff);
FUNC_HOOK(fh_map); FUNC_HOOK(fh_get_json_object); FUNC_HOOK(fh_from_csv); FUNC_HOOK(fh_from_json); FUNC_HOOK(fh_to_json);

/* CASE: args = when0, then0, when1, then1, ..., [else]; has_else says. */
struct expr *func_case(struct arena *a, struct expr **args, uint32_t n, bool has_else, const struct ty *t);

#endif
