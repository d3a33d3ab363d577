/* kernels: the vectorized function implementations the binder picks from.
 * Each kernel has the expr_kernel signature (expr.h) and assumes the binder
 * already made its arguments the types it expects (implicit casts are
 * explicit cast nodes by then). Files: kern_arith.c (arithmetic, comparison,
 * logic, IN), kern_cast.c, kern_string.c, kern_misc.c (conditionals, math,
 * nested values), kern_time.c, kern_parse.c (from_csv/from_json/to_json). */
#ifndef WEIR_ENGINE_KERNELS_H
#define WEIR_ENGINE_KERNELS_H

#include "engine/exec/expr.h"

/* kern_arith.c — both args of type kind; NULL when the pair is unsupported.
 * op is an enum ast_op value (OP_ADD ... OP_EQ_NS, OP_BITAND ...). */
expr_kernel kern_arith(int op, enum ty_kind kind);
expr_kernel kern_cmp(int op, enum ty_kind kind);
expr_kernel kern_unary(int op, enum ty_kind kind); /* OP_NEG, OP_BITNOT */
void kern_and(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);
void kern_or(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);
void kern_not(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);
void kern_isnull(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);
void kern_isnotnull(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);
/* e->op: 1 = IS TRUE, 0 = IS FALSE; negated by e->state != NULL */
void kern_isbool(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);
/* args[0] IN (args[1..]); all the same type. e->op = 1 for NOT IN. */
void kern_in(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);

/* kern_decimal.c — DECIMAL + - * / with Spark's result types. */
const struct ty *kern_decimal_result(struct arena *a, int op, const struct ty *x, const struct ty *y);
expr_kernel kern_decimal_arith(int op);

/* kern_cast.c — CAST(args[0] AS e->type). Returns 0 if the cast is allowed. */
int kern_cast_supported(const struct ty *from, const struct ty *to);
void kern_cast(const struct expr *, struct ectx *, struct vec *const *, const uint32_t *, uint32_t, struct vec *);
/* Converts text to row i of out (any atomic type) the way CSV/JSON readers
 * do; strings are copied into out's heap. Returns 0, or -1 leaving NULL. */
int kern_text_to(const char *p, uint32_t n, struct vec *out, uint32_t i);
/* Readers' timestampFormat / dateFormat options (NULL: Spark's default cast). */
struct dt_pattern;
struct text_fmt {
    const struct dt_pattern *ts, *date;
};
int kern_text_fmt(const char *p, uint32_t n, struct vec *out, uint32_t i, const struct text_fmt *fmt);
/* Writes the text of a string-cast of row i of v into b (no NUL). */
struct buf;
void kern_cast_to_text(struct buf *b, const struct vec *v, uint32_t i);

/* kern_parse.c — a parsed JSON value into row i of out (from_json's rules:
 * wrong shapes are NULL; strings point into the JSON DOM's arena). */
struct json_value;
void kern_json_to_row(struct ectx *cx, const struct json_value *j, struct vec *out, uint32_t i, const struct text_fmt *fmt);
/* kern_parse.c — row i of v as compact JSON (to_json's rules). */
void kern_write_json(struct buf *b, const struct vec *v, uint32_t i);

#endif
