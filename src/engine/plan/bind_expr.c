/* bind_expr: AST expressions → typed expressions (expr.h).
 *
 * Literals take Spark's types (12 INT, 12L BIGINT, 1.5 DECIMAL(2,1), 1.5D and
 * 1e3 DOUBLE, 'x' STRING). Operators get the common type of their operands
 * (fb_common_type) and a kernel for it; DECIMAL + - * / are exact
 * (kern_decimal.c).
 *
 * Aggregate mode (agg != NULL): an aggregate call becomes a reference to an
 * aggregate output column; any other sub-expression must equal a grouping key
 * (compared after binding) or be built from such sub-expressions; a column
 * that is neither is Spark's MISSING_AGGREGATION error. The name of a key
 * (its column name, or `window` for window()) also resolves, so
 * `window.start` works after GROUP BY window(...). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "engine/exec/func.h"
#include "engine/exec/kernels.h"
#include "engine/formats/datetime.h"
#include "engine/plan/bind.h"

int bind_error(struct binder *b, uint32_t pos, const char *fmt, ...) {
    if (b->failed) return -1;
    b->failed = 1;
    if (b->quiet) return -1;
    b->err_pos = pos;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *m = arena_alloc(b->a, (size_t)n + 1);
    vsnprintf(m, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->err_msg = m;
    return -1;
}

static const char *tyname(struct binder *b, const struct ty *t) { return ty_sql_str(b->a, t); }

static const char *sql_of(struct binder *b, const struct ast *e) {
    struct buf x = {0};
    ast_print_expr(&x, e);
    const char *s = arena_strndup(b->a, x.p ? (char *)x.p : "", x.len);
    buf_free(&x);
    return s;
}

bool bind_has_aggregate(const struct ast *e) {
    if (!e) return false;
    if (e->kind == AST_FUNC && agg_is_aggregate(e->text)) return true;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (bind_has_aggregate(e->args[i])) return true;
    return false;
}

/* ---- columns ---- */

static const char *columns_list(struct binder *b, const struct bscope *s) {
    struct buf x = {0};
    for (uint32_t i = 0; i < s->n; i++) {
        if (i) buf_printf(&x, ", ");
        if (s->cols[i].qual) buf_printf(&x, "`%s`.", s->cols[i].qual);
        buf_printf(&x, "`%s`", s->cols[i].name);
    }
    if (!s->n) buf_printf(&x, "(none)");
    const char *r = arena_strndup(b->a, (char *)x.p, x.len);
    buf_free(&x);
    return r;
}

/* Applies .field parts to a struct-valued expression. */
static struct expr *fields(struct binder *b, struct expr *e, const char *const *parts, uint32_t n, uint32_t pos) {
    for (uint32_t i = 0; i < n && e; i++) {
        if (e->type->kind != TY_STRUCT) {
            bind_error(b, pos, "cannot access field '%s' of a value of type %s (only STRUCT has fields)", parts[i],
                       tyname(b, e->type));
            return NULL;
        }
        int f = ty_field_index(e->type, parts[i]);
        if (f < 0) {
            struct buf x = {0};
            for (uint32_t k = 0; k < e->type->nfields; k++) buf_printf(&x, "%s`%s`", k ? ", " : "", e->type->fields[k].name);
            bind_error(b, pos, "no such struct field `%s` in %.*s", parts[i], (int)x.len, (char *)x.p);
            buf_free(&x);
            return NULL;
        }
        e = expr_field(b->a, e, f);
    }
    return e;
}

/* Finds column `name` (optionally under qualifier): index, -1 none, -2 ambiguous. */
static int find_col(const struct bscope *s, const char *qual, const char *name) {
    int found = -1;
    for (uint32_t i = 0; i < s->n; i++) {
        if (strcasecmp(s->cols[i].name, name)) continue;
        if (qual && (!s->cols[i].qual || strcasecmp(s->cols[i].qual, qual))) continue;
        if (found >= 0) return -2;
        found = (int)i;
    }
    return found;
}

static struct expr *bind_column(struct binder *b, const struct ast *e, const struct bscope *s) {
    int c = -1;
    uint32_t used = 1;
    if (e->nparts >= 2) {
        c = find_col(s, e->parts[0], e->parts[1]);
        if (c >= 0) used = 2;
    }
    if (c < 0) {
        c = find_col(s, NULL, e->parts[0]);
        used = 1;
        if (c == -2) {
            bind_error(b, e->pos, "[AMBIGUOUS_REFERENCE] reference `%s` is ambiguous; qualify it with a table alias",
                       e->parts[0]);
            return NULL;
        }
    }
    if (c < 0) {
        bind_error(b, e->pos, "[UNRESOLVED_COLUMN] a column with name %s cannot be resolved; the available columns are: %s",
                   sql_of(b, e), columns_list(b, s));
        return NULL;
    }
    struct expr *x = expr_col(b->a, c, s->cols[c].type);
    return fields(b, x, e->parts + used, e->nparts - used, e->pos);
}

/* ---- literals ---- */

static struct expr *bind_int_lit(struct binder *b, const struct ast *e) {
    size_t n = strlen(e->text);
    char suf = n ? e->text[n - 1] : 0;
    if (suf == 'L' || suf == 'l') return expr_const_bigint(b->a, e->ival);
    if (suf == 'S' || suf == 's' || suf == 'Y' || suf == 'y') return expr_const_int(b->a, (int32_t)e->ival);
    if (e->ival >= INT32_MIN && e->ival <= INT32_MAX) return expr_const_int(b->a, (int32_t)e->ival);
    return expr_const_bigint(b->a, e->ival);
}

static struct expr *bind_number_lit(struct binder *b, const struct ast *e) {
    size_t n = strlen(e->text);
    char *t = arena_strndup(b->a, e->text, n);
    if (n >= 2 && (t[n - 1] == 'D' || t[n - 1] == 'd') && (t[n - 2] == 'B' || t[n - 2] == 'b')) {
        /* 1.5BD: DECIMAL with the literal's precision and scale */
        t[n - 2] = 0;
        const char *dot = strchr(t, '.');
        int digits = 0, scale = dot ? (int)strlen(dot + 1) : 0;
        for (const char *p = t; *p; p++) digits += *p >= '0' && *p <= '9';
        if (digits < scale) digits = scale;
        if (digits > 38) return bind_error(b, e->pos, "decimal literal %s has more than 38 digits", e->text), NULL;
        struct expr *c = expr_const_typed(b->a, ty_decimal(b->a, digits ? digits : 1, scale));
        if (kern_text_to(t, (uint32_t)strlen(t), c->value, 0))
            return bind_error(b, e->pos, "invalid decimal literal %s", e->text), NULL;
        return c;
    }
    if (t[n - 1] == 'F' || t[n - 1] == 'f') {
        t[n - 1] = 0;
        struct expr *c = expr_const_typed(b->a, ty_float());
        vec_f32(c->value)[0] = strtof(t, NULL);
        c->value->valid[0] = 1;
        return c;
    }
    if (t[n - 1] == 'D' || t[n - 1] == 'd') {
        t[n - 1] = 0;
        return expr_const_double(b->a, strtod(t, NULL));
    }
    /* 1.5 without suffix or exponent is DECIMAL(2,1), as in Spark */
    if (!strpbrk(t, "eE")) {
        const char *dot = strchr(t, '.');
        int digits = 0, scale = dot ? (int)strlen(dot + 1) : 0;
        for (const char *p = t; *p; p++) digits += *p >= '0' && *p <= '9';
        /* leading zeros of the integer part do not count: 0.05 is DECIMAL(2,2) */
        const char *q = t + (*t == '-' || *t == '+');
        while (*q == '0' && q[1] != '.' && q[1]) q++, digits--;
        if (*q == '0' && q[1] == '.') digits--;
        if (digits < scale) digits = scale;
        if (digits < 1) digits = 1;
        if (digits <= 38) {
            struct expr *c = expr_const_typed(b->a, ty_decimal(b->a, digits, scale));
            if (!kern_text_to(t, (uint32_t)strlen(t), c->value, 0)) return c;
        }
    }
    return expr_const_double(b->a, strtod(t, NULL));
}

int bind_interval(struct binder *b, const struct ast *e, int64_t *us) {
    const char *s;
    uint32_t len;
    if (e->kind == AST_INTERVAL || e->kind == AST_STRING) {
        s = e->text;
        len = e->len;
    } else {
        return bind_error(b, e->pos, "expected an interval such as '5 minutes' but found %s", sql_of(b, e));
    }
    int32_t months = 0;
    if (dt_interval_parse(s, len, &months, us))
        return bind_error(b, e->pos, "invalid interval '%s' (expected something like '10 minutes' or '1 hour 30 minutes')", s);
    if (months)
        return bind_error(b, e->pos, "interval '%s' has months or years, which have no fixed length; use days, hours, minutes or seconds", s);
    return 0;
}

/* ---- calls ---- */

static struct expr *run_hook(struct binder *b, const struct ast *call, const char *name, const struct func_def *d,
                             struct expr **args, uint32_t n) {
    if ((int)n < d->min_args || (d->max_args >= 0 && (int)n > d->max_args)) {
        if (d->min_args == d->max_args)
            bind_error(b, call->pos, "[WRONG_NUM_ARGS] %s requires %d argument%s but got %u", d->name, d->min_args,
                       d->min_args == 1 ? "" : "s", n);
        else if (d->max_args < 0)
            bind_error(b, call->pos, "[WRONG_NUM_ARGS] %s requires at least %d arguments but got %u", d->name, d->min_args, n);
        else
            bind_error(b, call->pos, "[WRONG_NUM_ARGS] %s requires %d to %d arguments but got %u", d->name, d->min_args,
                       d->max_args, n);
        return NULL;
    }
    struct fbind fb = {.a = b->a, .name = d->name, .nargs = n, .err_arg = -1, .res = &b->res};
    fb.args = arena_alloc(b->a, (n ? n : 1) * sizeof *fb.args);
    if (n) memcpy(fb.args, args, n * sizeof *args);
    (void)name;
    if (d->bind(&fb)) {
        uint32_t pos = fb.err_arg >= 0 && (uint32_t)fb.err_arg < call->nargs ? call->args[fb.err_arg]->pos : call->pos;
        bind_error(b, pos, "%s", fb.err);
        return NULL;
    }
    return fb.result;
}

/* Calls a registered function by name with bound args (operators reuse it). */
static struct expr *call_named(struct binder *b, const struct ast *at, const char *name, struct expr **args, uint32_t n) {
    const struct func_def *d = func_lookup(name);
    return run_hook(b, at, name, d, args, n);
}

static struct expr *to_bool(struct binder *b, struct expr *x, const struct ast *at) {
    if (!x) return NULL;
    if (x->type->kind == TY_BOOLEAN) return x;
    if (x->type->kind == TY_NULL || x->type->kind == TY_STRING) return fb_cast_expr(b->a, x, ty_boolean());
    bind_error(b, at->pos, "[DATATYPE_MISMATCH] %s must be a BOOLEAN but has type %s", sql_of(b, at), tyname(b, x->type));
    return NULL;
}

static struct expr *mk1(struct binder *b, const char *name, const struct ty *t, expr_kernel k, struct expr *x) {
    return expr_call(b->a, name, t, k, &x, 1);
}

static struct expr *mk2(struct binder *b, const char *name, const struct ty *t, expr_kernel k, struct expr *x, struct expr *y) {
    struct expr *args[2] = {x, y};
    return expr_call(b->a, name, t, k, args, 2);
}

static const char *op_fn_name(int op) {
    switch (op) {
    case OP_ADD: return "add"; case OP_SUB: return "subtract"; case OP_MUL: return "multiply";
    case OP_DIV: return "divide"; case OP_MOD: return "remainder"; case OP_IDIV: return "div";
    case OP_EQ: return "equal"; case OP_NE: return "not_equal"; case OP_LT: return "less"; case OP_LE: return "less_or_equal";
    case OP_GT: return "greater"; case OP_GE: return "greater_or_equal"; case OP_EQ_NS: return "equal_null_safe";
    case OP_BITAND: return "bit_and"; case OP_BITOR: return "bit_or"; case OP_BITXOR: return "bit_xor";
    default: return "op";
    }
}

static struct expr *bind_compare(struct binder *b, const struct ast *at, int op, struct expr *x, struct expr *y) {
    const struct ty *t = fb_common_type(b->a, x->type, y->type);
    expr_kernel k = t ? kern_cmp(op, t->kind) : NULL;
    if (!k) {
        bind_error(b, at->pos, "[DATATYPE_MISMATCH] cannot compare %s with %s in %s", tyname(b, x->type), tyname(b, y->type),
                   sql_of(b, at));
        return NULL;
    }
    struct expr *e = mk2(b, op_fn_name(op), ty_boolean(), k, fb_cast_expr(b->a, x, t), fb_cast_expr(b->a, y, t));
    e->op = op;
    return e;
}

/* timestamp/date ± INTERVAL */
static void k_ts_add(const struct expr *e, struct ectx *cx, struct vec *const *a, const uint32_t *sel, uint32_t n, struct vec *out) {
    (void)cx;
    int64_t d = *(const int64_t *)e->state;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        vec_i64(out)[i] = vec_i64(a[0])[i] + d;
        out->valid[i] = 1;
    }
}

static struct expr *bind_arith(struct binder *b, const struct ast *at, int op, struct expr *x, struct expr *y) {
    if (op == OP_CONCAT) {
        struct expr *args[2] = {x, y};
        return call_named(b, at, "concat", args, 2);
    }
    /* timestamp ± interval */
    if ((op == OP_ADD || op == OP_SUB) && at->args[1]->kind == AST_INTERVAL &&
        (x->type->kind == TY_TIMESTAMP || x->type->kind == TY_DATE || x->type->kind == TY_STRING)) {
        int64_t us;
        if (bind_interval(b, at->args[1], &us)) return NULL;
        int64_t *st = arena_alloc(b->a, sizeof *st);
        *st = op == OP_SUB ? -us : us;
        struct expr *e = mk1(b, op == OP_ADD ? "timestamp_add" : "timestamp_sub", ty_timestamp(), k_ts_add,
                             fb_cast_expr(b->a, x, ty_timestamp()));
        e->state = st;
        return e;
    }
    if (at->args[0]->kind == AST_INTERVAL || at->args[1]->kind == AST_INTERVAL) {
        bind_error(b, at->pos, "INTERVAL values are supported only as TIMESTAMP + INTERVAL, TIMESTAMP - INTERVAL and in WATERMARK");
        return NULL;
    }
    /* date ± int days */
    if ((op == OP_ADD || op == OP_SUB) && x->type->kind == TY_DATE && ty_is_integral(y->type)) {
        struct expr *args[2] = {x, y};
        return call_named(b, at, op == OP_ADD ? "date_add" : "date_sub", args, 2);
    }
    const struct ty *tx = x->type, *ty = y->type;
    if (tx->kind == TY_STRING || tx->kind == TY_NULL) tx = ty_double();
    if (ty->kind == TY_STRING || ty->kind == TY_NULL) ty = ty_double();
    if (x->type->kind == TY_NULL && y->type->kind != TY_NULL && ty_is_numeric(y->type)) tx = y->type;
    if (y->type->kind == TY_NULL && x->type->kind != TY_NULL && ty_is_numeric(x->type)) ty = x->type;
    if (!ty_is_numeric(tx) || !ty_is_numeric(ty)) {
        bind_error(b, at->pos, "[DATATYPE_MISMATCH] %s needs numeric operands but got %s and %s", sql_of(b, at),
                   tyname(b, x->type), tyname(b, y->type));
        return NULL;
    }
    /* exact decimal arithmetic when a decimal meets a decimal or an integer */
    if ((tx->kind == TY_DECIMAL || ty->kind == TY_DECIMAL) && ty_is_numeric(tx) && ty_is_numeric(ty) &&
        tx->kind != TY_FLOAT && tx->kind != TY_DOUBLE && ty->kind != TY_FLOAT && ty->kind != TY_DOUBLE &&
        kern_decimal_arith(op)) {
        const struct ty *dx = tx->kind == TY_DECIMAL ? tx : ty_decimal(b->a, tx->kind == TY_INT ? 10 : 20, 0);
        const struct ty *dy = ty->kind == TY_DECIMAL ? ty : ty_decimal(b->a, ty->kind == TY_INT ? 10 : 20, 0);
        struct expr *e = mk2(b, op_fn_name(op), kern_decimal_result(b->a, op, dx, dy), kern_decimal_arith(op),
                             fb_cast_expr(b->a, x, dx), fb_cast_expr(b->a, y, dy));
        e->op = op;
        return e;
    }
    const struct ty *t;
    if (op == OP_DIV) t = ty_double();
    else if (op == OP_IDIV) t = ty_bigint();
    else {
        t = fb_common_type(b->a, tx, ty);
        if (t->kind == TY_DECIMAL) t = ty_double(); /* % on decimals: in DOUBLE */
    }
    if ((op == OP_BITAND || op == OP_BITOR || op == OP_BITXOR) && !ty_is_integral(t)) {
        bind_error(b, at->pos, "[DATATYPE_MISMATCH] %s needs integral operands", sql_of(b, at));
        return NULL;
    }
    expr_kernel k = kern_arith(op, t->kind);
    if (!k) {
        bind_error(b, at->pos, "operator %s is not supported for %s", ast_op_name(op), tyname(b, t));
        return NULL;
    }
    struct expr *e = mk2(b, op_fn_name(op), t, k, fb_cast_expr(b->a, x, t), fb_cast_expr(b->a, y, t));
    e->op = op;
    return e;
}

/* ---- aggregate mode ---- */

static struct expr *bind_agg_call(struct binder *b, const struct ast *e, const struct bscope *s, struct aggbind *agg) {
    if (!agg) {
        bind_error(b, e->pos, "aggregate function %s is not allowed here (only in SELECT and HAVING of a query)", e->text);
        return NULL;
    }
    struct expr *arg = NULL;
    bool ignore_nulls = false;
    if (e->star) {
        if (strcasecmp(e->text, "count")) {
            bind_error(b, e->pos, "%s(*) is not allowed; only count(*)", e->text);
            return NULL;
        }
    } else {
        if (e->nargs < 1 || e->nargs > 2) {
            bind_error(b, e->pos, "[WRONG_NUM_ARGS] %s requires 1 argument but got %u", e->text, e->nargs);
            return NULL;
        }
        for (uint32_t i = 0; i < e->nargs; i++)
            if (bind_has_aggregate(e->args[i])) {
                bind_error(b, e->args[i]->pos, "it is not allowed to use an aggregate function in the argument of another aggregate function");
                return NULL;
            }
        arg = bind_expr(b, e->args[0], agg->in, NULL);
        if (!arg) return NULL;
        if (e->nargs == 2) {
            if (strcasecmp(e->text, "first") && strcasecmp(e->text, "last")) {
                bind_error(b, e->pos, "[WRONG_NUM_ARGS] %s requires 1 argument but got 2", e->text);
                return NULL;
            }
            struct expr *ig = bind_expr(b, e->args[1], agg->in, NULL);
            if (!ig) return NULL;
            if (ig->kind != EX_CONST || ig->type->kind != TY_BOOLEAN) {
                bind_error(b, e->args[1]->pos, "the second argument of %s must be a boolean literal", e->text);
                return NULL;
            }
            ignore_nulls = vec_u8(ig->value)[0];
        }
        if (!strcasecmp(e->text, "count") && e->distinct && e->nargs > 1) {
            bind_error(b, e->pos, "count(DISTINCT ...) with several columns is not supported yet");
            return NULL;
        }
    }
    (void)s;
    struct agg_fn fn;
    char err[200];
    if (agg_resolve(b->a, e->text, arg ? arg->type : NULL, &fn, err, sizeof err)) {
        bind_error(b, e->pos, "%s", err);
        return NULL;
    }
    fn.ignore_nulls = ignore_nulls;
    bool distinct = e->distinct && fn.kind != AGG_MIN && fn.kind != AGG_MAX;
    /* reuse an identical aggregate */
    for (uint32_t i = 0; i < agg->naggs; i++) {
        struct lp_agg *g = &agg->aggs[i];
        if (g->fn.kind == fn.kind && g->distinct == distinct && g->fn.ignore_nulls == fn.ignore_nulls &&
            ((!g->arg && !arg) || (g->arg && arg && expr_equal(g->arg, arg))))
            return expr_col(b->a, (int)(agg->nkeys + i), g->fn.type);
    }
    if (agg->naggs == agg->cap) {
        uint32_t ncap = agg->cap ? agg->cap * 2 : 8;
        struct lp_agg *na = arena_alloc(b->a, ncap * sizeof *na);
        if (agg->naggs) memcpy(na, agg->aggs, agg->naggs * sizeof *na);
        agg->aggs = na;
        agg->cap = ncap;
    }
    struct lp_agg *g = &agg->aggs[agg->naggs];
    g->fn = fn;
    g->arg = arg;
    g->distinct = distinct;
    g->name = ast_auto_name(b->a, e);
    return expr_col(b->a, (int)(agg->nkeys + agg->naggs++), fn.type);
}

/* In aggregate mode, a sub-expression equal to a grouping key is that key. */
static int match_key(struct binder *b, const struct ast *e, struct aggbind *agg) {
    if (e->kind == AST_NULL || e->kind == AST_BOOL || e->kind == AST_INT || e->kind == AST_NUMBER ||
        e->kind == AST_STRING || e->kind == AST_INTERVAL || e->kind == AST_TYPED || e->kind == AST_BINARY_LIT)
        return -1;
    if (bind_has_aggregate(e)) return -1;
    /* the key's own AST (covers window(...) and aliases) */
    struct buf x = {0};
    ast_print_expr(&x, e);
    for (uint32_t i = 0; i < agg->nkeys; i++) {
        if (!agg->key_asts[i]) continue;
        struct buf y = {0};
        ast_print_expr(&y, agg->key_asts[i]);
        int same = x.len == y.len && !strncasecmp((char *)x.p, (char *)y.p, x.len);
        buf_free(&y);
        if (same) {
            buf_free(&x);
            return (int)i;
        }
    }
    buf_free(&x);
    int saved_failed = b->failed;
    b->quiet++;
    struct expr *t = bind_expr(b, e, agg->in, NULL);
    b->quiet--;
    b->failed = saved_failed;
    if (!t) return -1;
    for (uint32_t i = 0; i < agg->nkeys; i++)
        if (expr_equal(t, agg->keys[i])) return (int)i;
    return -1;
}

static struct expr *key_ref(struct binder *b, struct aggbind *agg, int k) {
    return expr_col(b->a, k, agg->keys[k]->type);
}

/* ---- the main switch ---- */

/* Levenshtein distance, case-insensitive, capped for long names. */
static int edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40) return 99;
    int d[41][41];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + cost;
            d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
        }
    return d[n][m];
}

static struct expr *bind_func(struct binder *b, const struct ast *e, const struct bscope *s, struct aggbind *agg) {
    if (agg_is_aggregate(e->text)) return bind_agg_call(b, e, s, agg);
    if (e->star) {
        bind_error(b, e->pos, "%s(*) is not allowed", e->text);
        return NULL;
    }
    if (!strncasecmp(e->text, "explode", 7) || !strncasecmp(e->text, "posexplode", 10)) {
        bind_error(b, e->pos, "generators like %s are supported only as a whole SELECT item, not nested in expressions", e->text);
        return NULL;
    }
    if (!strcasecmp(e->text, "window") || !strcasecmp(e->text, "session_window")) {
        /* (also reached when window() appears outside GROUP BY) */
        bind_error(b, e->pos, "%s() is supported only as a GROUP BY key", e->text);
        return NULL;
    }
    const struct func_def *d = func_lookup(e->text);
    if (!d) {
        /* suggest the closest known name (aggregates included) */
        size_t nn;
        const char *const *names = func_names(&nn);
        static const char *const aggs[] = {"count", "sum", "avg", "min", "max", "first", "last"};
        const char *best = NULL;
        int bestd = 3;
        for (size_t i = 0; i < nn + sizeof aggs / sizeof aggs[0]; i++) {
            const char *cand = i < nn ? names[i] : aggs[i - nn];
            int dist = edit_distance(e->text, cand);
            if (dist < bestd) {
                bestd = dist;
                best = cand;
            }
        }
        if (best) bind_error(b, e->pos, "[UNRESOLVED_ROUTINE] cannot resolve function `%s`; did you mean `%s`?", e->text, best);
        else bind_error(b, e->pos, "[UNRESOLVED_ROUTINE] cannot resolve function `%s`", e->text);
        return NULL;
    }
    if (e->distinct) {
        bind_error(b, e->pos, "DISTINCT is allowed only in aggregate functions");
        return NULL;
    }
    struct expr *argv[64];
    if (e->nargs > 64) {
        bind_error(b, e->pos, "too many arguments");
        return NULL;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        argv[i] = bind_expr(b, e->args[i], s, agg);
        if (!argv[i]) return NULL;
    }
    struct expr *r = run_hook(b, e, e->text, d, argv, e->nargs);
    /* struct(a, b.c): fields named after columns, as Spark does */
    if (r && !strcasecmp(d->name, "struct") && r->type->kind == TY_STRUCT) {
        struct ty_field fs[256];
        for (uint32_t i = 0; i < e->nargs && i < 256; i++) {
            fs[i] = r->type->fields[i];
            const struct ast *x = e->args[i];
            if (x->kind == AST_COLUMN) fs[i].name = x->parts[x->nparts - 1];
            else if (x->kind == AST_FIELD) fs[i].name = x->text;
        }
        r->type = ty_struct(b->a, fs, e->nargs);
    }
    return r;
}

struct expr *bind_expr(struct binder *b, const struct ast *e, const struct bscope *s, struct aggbind *agg) {
    if (b->failed) return NULL;
    if (agg) {
        int k = match_key(b, e, agg);
        if (k >= 0) return key_ref(b, agg, k);
        if (e->kind == AST_COLUMN) {
            /* a key's name (e.g. `window`) followed by fields */
            for (uint32_t i = 0; i < agg->nkeys; i++)
                if (agg->key_names[i] && !strcasecmp(agg->key_names[i], e->parts[0]))
                    return fields(b, key_ref(b, agg, (int)i), e->parts + 1, e->nparts - 1, e->pos);
            /* resolvable but not grouped: Spark's MISSING_AGGREGATION */
            int saved = b->failed;
            b->quiet++;
            struct expr *t = bind_column(b, e, agg->in);
            b->quiet--;
            b->failed = saved;
            if (t) {
                bind_error(b, e->pos, "[MISSING_AGGREGATION] the non-aggregating expression %s is based on columns which are not "
                           "participating in the GROUP BY clause; add it to the GROUP BY or aggregate it (e.g. first(%s))",
                           sql_of(b, e), sql_of(b, e));
                return NULL;
            }
            return bind_column(b, e, agg->in); /* reports the unresolved column */
        }
    }
    switch (e->kind) {
    case AST_NULL: return expr_const_null(b->a, ty_null());
    case AST_BOOL: return expr_const_bool(b->a, e->ival != 0);
    case AST_INT: return bind_int_lit(b, e);
    case AST_NUMBER: return bind_number_lit(b, e);
    case AST_STRING: return expr_const_string(b->a, e->text, e->len);
    case AST_BINARY_LIT: {
        struct expr *c = expr_const_typed(b->a, ty_binary());
        vec_set_str(c->value, 0, e->text, e->len);
        return c;
    }
    case AST_TYPED: {
        struct expr *c = expr_const_typed(b->a, e->type);
        if (kern_text_to(e->text, e->len, c->value, 0)) {
            bind_error(b, e->pos, "invalid %s literal '%s'", e->type->kind == TY_DATE ? "DATE" : "TIMESTAMP", e->text);
            return NULL;
        }
        return c;
    }
    case AST_INTERVAL:
        bind_error(b, e->pos, "INTERVAL values are supported only as TIMESTAMP + INTERVAL, TIMESTAMP - INTERVAL and in WATERMARK");
        return NULL;
    case AST_COLUMN: return bind_column(b, e, s);
    case AST_STAR:
        bind_error(b, e->pos, "* is allowed only in a SELECT list or in count(*)");
        return NULL;
    case AST_UNARY: {
        struct expr *x = bind_expr(b, e->args[0], s, agg);
        if (!x) return NULL;
        if (e->op == OP_PLUS) return x;
        if (x->type->kind == TY_STRING || x->type->kind == TY_NULL) x = fb_cast_expr(b->a, x, ty_double());
        expr_kernel k = kern_unary(e->op, x->type->kind);
        if (!k) {
            bind_error(b, e->pos, "[DATATYPE_MISMATCH] %s needs a numeric operand but has %s", sql_of(b, e), tyname(b, x->type));
            return NULL;
        }
        struct expr *r = mk1(b, e->op == OP_NEG ? "negative" : "bit_not", x->type, k, x);
        r->op = e->op;
        return r;
    }
    case AST_BINOP: {
        struct expr *x = e->args[0]->kind == AST_INTERVAL ? NULL : bind_expr(b, e->args[0], s, agg);
        struct expr *y = e->args[1]->kind == AST_INTERVAL ? expr_const_null(b->a, ty_null()) : bind_expr(b, e->args[1], s, agg);
        if (b->failed) return NULL;
        if (!x) {
            bind_error(b, e->args[0]->pos, "INTERVAL values are supported only as TIMESTAMP + INTERVAL, TIMESTAMP - INTERVAL and in WATERMARK");
            return NULL;
        }
        if (e->op >= OP_EQ && e->op <= OP_EQ_NS) return bind_compare(b, e, e->op, x, y);
        return bind_arith(b, e, e->op, x, y);
    }
    case AST_AND:
    case AST_OR: {
        struct expr *x = to_bool(b, bind_expr(b, e->args[0], s, agg), e->args[0]);
        struct expr *y = to_bool(b, bind_expr(b, e->args[1], s, agg), e->args[1]);
        if (!x || !y) return NULL;
        return mk2(b, e->kind == AST_AND ? "and" : "or", ty_boolean(), e->kind == AST_AND ? kern_and : kern_or, x, y);
    }
    case AST_NOT: {
        struct expr *x = to_bool(b, bind_expr(b, e->args[0], s, agg), e->args[0]);
        return x ? mk1(b, "not", ty_boolean(), kern_not, x) : NULL;
    }
    case AST_FUNC: return bind_func(b, e, s, agg);
    case AST_CASE: {
        uint32_t i = 0, n = e->nargs - (e->has_else ? 1 : 0);
        struct expr *operand = NULL;
        if (e->has_operand) {
            operand = bind_expr(b, e->args[i++], s, agg);
            if (!operand) return NULL;
        }
        uint32_t npairs = (n - i) / 2, m = 0;
        struct expr **args = arena_alloc(b->a, (2 * npairs + 1) * sizeof *args);
        const struct ty *t = ty_null();
        for (; i + 1 < n + 1 && i < n; i += 2) {
            struct expr *w = bind_expr(b, e->args[i], s, agg);
            struct expr *th = bind_expr(b, e->args[i + 1], s, agg);
            if (!w || !th) return NULL;
            if (operand) w = bind_compare(b, e->args[i], OP_EQ, operand, w);
            else w = to_bool(b, w, e->args[i]);
            if (!w) return NULL;
            const struct ty *c = fb_common_type(b->a, t, th->type);
            if (!c) {
                bind_error(b, e->args[i + 1]->pos, "[DATATYPE_MISMATCH] the THEN and ELSE branches of CASE must have a common type; got %s and %s",
                           tyname(b, t), tyname(b, th->type));
                return NULL;
            }
            t = c;
            args[m++] = w;
            args[m++] = th;
        }
        if (e->has_else) {
            struct expr *el = bind_expr(b, e->args[e->nargs - 1], s, agg);
            if (!el) return NULL;
            const struct ty *c = fb_common_type(b->a, t, el->type);
            if (!c) {
                bind_error(b, e->args[e->nargs - 1]->pos, "[DATATYPE_MISMATCH] the THEN and ELSE branches of CASE must have a common type; got %s and %s",
                           tyname(b, t), tyname(b, el->type));
                return NULL;
            }
            t = c;
            args[m++] = el;
        }
        for (uint32_t k = 1; k < m; k += 2) args[k] = fb_cast_expr(b->a, args[k], t);
        if (e->has_else) args[m - 1] = fb_cast_expr(b->a, args[m - 1], t);
        return func_case(b->a, args, m, e->has_else, t);
    }
    case AST_IN: {
        struct expr **args = arena_alloc(b->a, e->nargs * sizeof *args);
        const struct ty *t = ty_null();
        for (uint32_t i = 0; i < e->nargs; i++) {
            args[i] = bind_expr(b, e->args[i], s, agg);
            if (!args[i]) return NULL;
            const struct ty *c = fb_common_type(b->a, t, args[i]->type);
            if (!c) {
                bind_error(b, e->args[i]->pos, "[DATATYPE_MISMATCH] the values of IN must have a common type with %s; got %s",
                           tyname(b, t), tyname(b, args[i]->type));
                return NULL;
            }
            t = c;
        }
        for (uint32_t i = 0; i < e->nargs; i++) args[i] = fb_cast_expr(b->a, args[i], t);
        struct expr *r = expr_call(b->a, "in", ty_boolean(), kern_in, args, e->nargs);
        r->op = e->negated;
        return r;
    }
    case AST_BETWEEN: {
        struct expr *x = bind_expr(b, e->args[0], s, agg);
        struct expr *lo = bind_expr(b, e->args[1], s, agg);
        struct expr *hi = bind_expr(b, e->args[2], s, agg);
        if (!x || !lo || !hi) return NULL;
        struct expr *l = bind_compare(b, e, OP_GE, x, lo), *h = l ? bind_compare(b, e, OP_LE, x, hi) : NULL;
        if (!h) return NULL;
        struct expr *r = mk2(b, "and", ty_boolean(), kern_and, l, h);
        return e->negated ? mk1(b, "not", ty_boolean(), kern_not, r) : r;
    }
    case AST_LIKE: {
        struct expr *args[2];
        args[0] = bind_expr(b, e->args[0], s, agg);
        args[1] = bind_expr(b, e->args[1], s, agg);
        if (!args[0] || !args[1]) return NULL;
        const char *fn = e->op == AST_LIKE_LIKE ? "like" : e->op == AST_LIKE_ILIKE ? "ilike" : "rlike";
        struct expr *r = call_named(b, e, fn, args, 2);
        if (!r) return NULL;
        if (e->nargs > 2) {
            if (e->args[2]->len != 1) {
                bind_error(b, e->args[2]->pos, "the ESCAPE string must be a single character");
                return NULL;
            }
            char *esc = arena_strndup(b->a, e->args[2]->text, 1);
            r->state = esc;
        }
        return e->negated ? mk1(b, "not", ty_boolean(), kern_not, r) : r;
    }
    case AST_ISNULL: {
        struct expr *x = bind_expr(b, e->args[0], s, agg);
        if (!x) return NULL;
        return mk1(b, e->negated ? "isnotnull" : "isnull", ty_boolean(), e->negated ? kern_isnotnull : kern_isnull, x);
    }
    case AST_ISBOOL: {
        struct expr *x = to_bool(b, bind_expr(b, e->args[0], s, agg), e->args[0]);
        if (!x) return NULL;
        struct expr *r = mk1(b, "is_bool", ty_boolean(), kern_isbool, x);
        r->op = (int)e->ival;
        r->state = e->negated ? (void *)r : NULL;
        return r;
    }
    case AST_CAST: {
        struct expr *x = bind_expr(b, e->args[0], s, agg);
        if (!x) return NULL;
        if (!kern_cast_supported(x->type, e->type)) {
            bind_error(b, e->pos, "[DATATYPE_MISMATCH] cannot cast %s to %s", tyname(b, x->type), tyname(b, e->type));
            return NULL;
        }
        if (ty_equal(x->type, e->type)) return x;
        return mk1(b, "cast", e->type, kern_cast, x);
    }
    case AST_SUBSCRIPT: {
        struct expr *args[2];
        args[0] = bind_expr(b, e->args[0], s, agg);
        args[1] = bind_expr(b, e->args[1], s, agg);
        if (!args[0] || !args[1]) return NULL;
        return call_named(b, e, "getitem", args, 2);
    }
    case AST_FIELD: {
        struct expr *x = bind_expr(b, e->args[0], s, agg);
        if (!x) return NULL;
        const char *parts[1] = {e->text};
        return fields(b, x, parts, 1, e->pos);
    }
    case AST_LAMBDA: break;
    }
    bind_error(b, e->pos, "unsupported expression");
    return NULL;
}
