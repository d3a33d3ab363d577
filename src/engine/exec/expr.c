/* expr: see expr.h. The evaluator: post-order over the tree, one kernel
 * call per node per batch. Lazy nodes (CASE, AND, OR, coalesce, if) get
 * their unevaluated args and evaluate them on subsets of rows themselves. */
#include "engine/exec/expr.h"

#include <string.h>

#include "engine/exec/valfmt.h"

struct vec *expr_out(const struct expr *e, struct ectx *cx, uint32_t cap) { return vec_new(cx->arena, e->type, cap); }

/* A constant as a full vector of at least cap rows, built once. The cache
 * is the one piece of mutable state in an expression tree; a plan is run by
 * one thread at a time. */
static struct vec *const_vec(const struct expr *e, uint32_t cap) {
    struct expr *m = (struct expr *)(uintptr_t)e;
    if (m->cache && m->cache->cap >= cap) return m->cache;
    uint32_t c = cap < BATCH_CAP ? BATCH_CAP : cap;
    /* the cache lives in the constant's own heap (the plan arena) */
    struct vec *v = vec_new(e->value->heap, e->type, c);
    for (uint32_t i = 0; i < c; i++) vec_copy_row(v, i, e->value, 0, false);
    m->cache = v;
    return v;
}

struct vec *expr_eval_sel(const struct expr *e, struct ectx *cx, const struct batch *in, const uint32_t *sel, uint32_t n) {
    switch (e->kind) {
    case EX_COL: return in->cols[e->col];
    case EX_CONST: return const_vec(e, in->cap);
    case EX_FIELD: {
        struct vec *s = expr_eval_sel(e->args[0], cx, in, sel, n);
        return s->child[e->field];
    }
    case EX_CALL: break;
    }
    struct vec *out = expr_out(e, cx, in->cap);
    if (e->lazy) {
        const struct batch *save = cx->in;
        cx->in = in;
        e->fn(e, cx, NULL, sel, n, out);
        cx->in = save;
        return out;
    }
    struct vec *argv[16];
    struct vec **args = e->nargs <= 16 ? argv : arena_alloc(cx->arena, e->nargs * sizeof *args);
    for (uint32_t i = 0; i < e->nargs; i++) args[i] = expr_eval_sel(e->args[i], cx, in, sel, n);
    e->fn(e, cx, args, sel, n, out);
    return out;
}

struct vec *expr_eval(const struct expr *e, struct ectx *cx, const struct batch *in) {
    return expr_eval_sel(e, cx, in, in->sel, in->nsel);
}

static struct expr *node(struct arena *a, enum expr_kind k, const struct ty *t) {
    struct expr *e = arena_calloc(a, sizeof *e);
    e->kind = k;
    e->type = t;
    return e;
}

struct expr *expr_col(struct arena *a, int col, const struct ty *t) {
    struct expr *e = node(a, EX_COL, t);
    e->col = col;
    return e;
}

struct expr *expr_field(struct arena *a, struct expr *s, int field) {
    struct expr *e = node(a, EX_FIELD, s->type->fields[field].type);
    e->field = field;
    e->args = arena_alloc(a, sizeof *e->args);
    e->args[0] = s;
    e->nargs = 1;
    e->name = s->type->fields[field].name;
    return e;
}

struct expr *expr_call(struct arena *a, const char *name, const struct ty *t, expr_kernel fn, struct expr **args, uint32_t n) {
    struct expr *e = node(a, EX_CALL, t);
    e->name = name;
    e->fn = fn;
    e->nargs = n;
    e->args = arena_alloc(a, (n ? n : 1) * sizeof *e->args);
    if (n) memcpy(e->args, args, n * sizeof *args);
    return e;
}

struct expr *expr_const_typed(struct arena *a, const struct ty *t) {
    struct expr *e = node(a, EX_CONST, t);
    e->value = vec_new(a, t, 1);
    return e;
}

struct expr *expr_const_null(struct arena *a, const struct ty *t) { return expr_const_typed(a, t); }

struct expr *expr_const_bool(struct arena *a, bool v) {
    struct expr *e = expr_const_typed(a, ty_boolean());
    vec_u8(e->value)[0] = v;
    e->value->valid[0] = 1;
    return e;
}

struct expr *expr_const_int(struct arena *a, int32_t v) {
    struct expr *e = expr_const_typed(a, ty_int());
    vec_i32(e->value)[0] = v;
    e->value->valid[0] = 1;
    return e;
}

struct expr *expr_const_bigint(struct arena *a, int64_t v) {
    struct expr *e = expr_const_typed(a, ty_bigint());
    vec_i64(e->value)[0] = v;
    e->value->valid[0] = 1;
    return e;
}

struct expr *expr_const_double(struct arena *a, double v) {
    struct expr *e = expr_const_typed(a, ty_double());
    vec_f64(e->value)[0] = v;
    e->value->valid[0] = 1;
    return e;
}

struct expr *expr_const_string(struct arena *a, const char *s, uint32_t n) {
    struct expr *e = expr_const_typed(a, ty_string());
    vec_set_str(e->value, 0, s, n);
    return e;
}

bool expr_is_const(const struct expr *e) { return e->kind == EX_CONST; }
bool expr_const_is_null(const struct expr *e) { return e->kind == EX_CONST && !e->value->valid[0]; }

static bool const_equal(const struct vec *x, const struct vec *y) {
    if (!ty_equal(x->type, y->type)) return false;
    if (x->valid[0] != y->valid[0]) return false;
    if (!x->valid[0]) return true;
    struct buf a = {0}, b = {0};
    vfmt_value(&a, x, 0, VFMT_SHOW);
    vfmt_value(&b, y, 0, VFMT_SHOW);
    bool eq = a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
    buf_free(&a);
    buf_free(&b);
    return eq;
}

bool expr_equal(const struct expr *x, const struct expr *y) {
    if (x == y) return true;
    if (x->kind != y->kind || !ty_equal(x->type, y->type) || x->nargs != y->nargs) return false;
    switch (x->kind) {
    case EX_COL: return x->col == y->col;
    case EX_CONST: return const_equal(x->value, y->value);
    case EX_FIELD: return x->field == y->field && expr_equal(x->args[0], y->args[0]);
    case EX_CALL:
        if (x->fn != y->fn || x->op != y->op || strcmp(x->name ? x->name : "", y->name ? y->name : "")) return false;
        for (uint32_t i = 0; i < x->nargs; i++)
            if (!expr_equal(x->args[i], y->args[i])) return false;
        return true;
    }
    return false;
}

void expr_print(struct buf *b, const struct expr *e) {
    switch (e->kind) {
    case EX_COL: buf_printf(b, "#%d", e->col); return;
    case EX_CONST:
        if (e->type->kind == TY_STRING && e->value->valid[0]) {
            buf_putc(b, '\'');
            vfmt_value(b, e->value, 0, VFMT_SHOW);
            buf_putc(b, '\'');
        } else {
            vfmt_value(b, e->value, 0, VFMT_SHOW);
        }
        return;
    case EX_FIELD:
        expr_print(b, e->args[0]);
        buf_printf(b, ".%s", e->name);
        return;
    case EX_CALL:
        buf_printf(b, "%s(", e->name ? e->name : "?");
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (i) buf_printf(b, ", ");
            expr_print(b, e->args[i]);
        }
        buf_putc(b, ')');
        return;
    }
}

void expr_res_add(struct arena *a, struct expr_res **list, void (*fn)(void *), void *p) {
    struct expr_res *r = arena_alloc(a, sizeof *r);
    r->fn = fn;
    r->p = p;
    r->next = *list;
    *list = r;
}

void expr_res_free(struct expr_res *list) {
    for (; list; list = list->next) list->fn(list->p);
}
