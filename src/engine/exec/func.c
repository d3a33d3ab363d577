/* func: see func.h. The registry table, the helpers hooks share, and
 * Spark's implicit type coercion rules (non-ANSI mode):
 *   - numeric widening int < bigint < float < double; decimal with an
 *     integral type stays decimal (widened), decimal with float/double is double
 *   - NULL converts to anything; DATE widens to TIMESTAMP
 *   - in comparisons a string meets the other side's type (string vs int
 *     compares as int; vs decimal as double); in arithmetic a string is a double
 *   - any atomic value converts to STRING where a function expects a string;
 *     a string converts to a number, date, timestamp or binary where one is expected. */
#include "engine/exec/func.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/exec/kernels.h"
#include "engine/exec/valfmt.h"

static const struct func_def funcs[] = {
    {"abs", 1, 1, fh_abs},
    {"array", 0, -1, fh_array},
    {"ceil", 1, 1, fh_ceil},
    {"ceiling", 1, 1, fh_ceil},
    {"coalesce", 1, -1, fh_coalesce},
    {"concat", 0, -1, fh_concat},
    {"concat_ws", 1, -1, fh_concat_ws},
    {"current_date", 0, 0, fh_current_date},
    {"current_timestamp", 0, 0, fh_current_timestamp},
    {"date_add", 2, 2, fh_date_add},
    {"date_format", 2, 2, fh_date_format},
    {"date_sub", 2, 2, fh_date_sub},
    {"date_trunc", 2, 2, fh_date_trunc},
    {"datediff", 2, 2, fh_datediff},
    {"day", 1, 1, fh_dayofmonth},
    {"dayofmonth", 1, 1, fh_dayofmonth},
    {"dayofweek", 1, 1, fh_dayofweek},
    {"dayofyear", 1, 1, fh_dayofyear},
    {"element_at", 2, 2, fh_element_at},
    {"floor", 1, 1, fh_floor},
    {"from_csv", 2, 3, fh_from_csv},
    {"from_json", 2, 3, fh_from_json},
    {"from_unixtime", 1, 2, fh_from_unixtime},
    {"get_json_object", 2, 2, fh_get_json_object},
    {"getitem", 2, 2, fh_get_item},
    {"greatest", 2, -1, fh_greatest},
    {"hour", 1, 1, fh_hour},
    {"if", 3, 3, fh_if},
    {"ifnull", 2, 2, fh_nvl},
    {"ilike", 2, 2, fh_ilike},
    {"initcap", 1, 1, fh_initcap},
    {"instr", 2, 2, fh_instr},
    {"isnotnull", 1, 1, fh_isnotnull},
    {"isnull", 1, 1, fh_isnull},
    {"lcase", 1, 1, fh_lower},
    {"least", 2, -1, fh_least},
    {"length", 1, 1, fh_length},
    {"char_length", 1, 1, fh_length},
    {"character_length", 1, 1, fh_length},
    {"like", 2, 2, fh_like},
    {"lower", 1, 1, fh_lower},
    {"lpad", 2, 3, fh_lpad},
    {"ltrim", 1, 2, fh_ltrim},
    {"map", 0, -1, fh_map},
    {"minute", 1, 1, fh_minute},
    {"month", 1, 1, fh_month},
    {"named_struct", 0, -1, fh_named_struct},
    {"nullif", 2, 2, fh_nullif},
    {"nvl", 2, 2, fh_nvl},
    {"pow", 2, 2, fh_pow},
    {"power", 2, 2, fh_pow},
    {"quarter", 1, 1, fh_quarter},
    {"regexp_extract", 2, 3, fh_regexp_extract},
    {"regexp_replace", 3, 3, fh_regexp_replace},
    {"regexp_like", 2, 2, fh_rlike},
    {"replace", 2, 3, fh_replace},
    {"reverse", 1, 1, fh_reverse},
    {"rlike", 2, 2, fh_rlike},
    {"round", 1, 2, fh_round},
    {"rpad", 2, 3, fh_rpad},
    {"rtrim", 1, 2, fh_rtrim},
    {"second", 1, 1, fh_second},
    {"size", 1, 1, fh_size},
    {"split", 2, 3, fh_split},
    {"sqrt", 1, 1, fh_sqrt},
    {"struct", 0, -1, fh_struct},
    {"substr", 2, 3, fh_substring},
    {"substring", 2, 3, fh_substring},
    {"timestamp_seconds", 1, 1, fh_timestamp_seconds},
    {"to_date", 1, 2, fh_to_date},
    {"to_json", 1, 2, fh_to_json},
    {"to_timestamp", 1, 2, fh_to_timestamp},
    {"trim", 1, 2, fh_trim},
    {"ucase", 1, 1, fh_upper},
    {"unix_timestamp", 0, 2, fh_unix_timestamp},
    {"upper", 1, 1, fh_upper},
    {"weekofyear", 1, 1, fh_weekofyear},
    {"year", 1, 1, fh_year},
};

const struct func_def *func_lookup(const char *name) {
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (!strcasecmp(funcs[i].name, name)) return &funcs[i];
    return NULL;
}

const char *const *func_names(size_t *n) {
    static const char *names[sizeof funcs / sizeof funcs[0]];
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) names[i] = funcs[i].name;
    *n = sizeof funcs / sizeof funcs[0];
    return names;
}

int fb_fail(struct fbind *fb, int arg, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fb->err, sizeof fb->err, fmt, ap);
    va_end(ap);
    fb->err_arg = arg;
    return -1;
}

struct expr *fb_cast_expr(struct arena *a, struct expr *e, const struct ty *t) {
    if (ty_equal(e->type, t)) return e;
    struct expr *c = expr_call(a, "cast", t, kern_cast, &e, 1);
    return c;
}

static int rank(enum ty_kind k) {
    switch (k) {
    case TY_INT: return 1;
    case TY_BIGINT: return 2;
    case TY_DECIMAL: return 3;
    case TY_FLOAT: return 4;
    case TY_DOUBLE: return 5;
    default: return 0;
    }
}

static int is_atomic(const struct ty *t) { return t->kind != TY_STRUCT && t->kind != TY_ARRAY && t->kind != TY_MAP; }

bool fb_implicit_ok(const struct ty *from, const struct ty *to) {
    if (ty_equal(from, to) || from->kind == TY_NULL) return true;
    if (ty_is_numeric(from) && ty_is_numeric(to)) return true;
    if (to->kind == TY_STRING) return is_atomic(from) && from->kind != TY_BINARY;
    if (from->kind == TY_STRING)
        return ty_is_numeric(to) || to->kind == TY_DATE || to->kind == TY_TIMESTAMP || to->kind == TY_BINARY ||
               to->kind == TY_BOOLEAN;
    if (from->kind == TY_DATE && to->kind == TY_TIMESTAMP) return true;
    if (from->kind == TY_TIMESTAMP && to->kind == TY_DATE) return true;
    if (from->kind == TY_ARRAY && to->kind == TY_ARRAY) return fb_implicit_ok(from->elem, to->elem);
    return false;
}

/* Decimal type wide enough for an integral type (Spark: INT is (10,0), BIGINT (20,0)). */
static const struct ty *dec_for(struct arena *a, const struct ty *t) {
    if (t->kind == TY_DECIMAL) return t;
    return ty_decimal(a, t->kind == TY_INT ? 10 : 20, 0);
}

const struct ty *fb_common_type(struct arena *a, const struct ty *x, const struct ty *y) {
    if (ty_equal(x, y)) return x;
    if (x->kind == TY_NULL) return y;
    if (y->kind == TY_NULL) return x;
    if (ty_is_numeric(x) && ty_is_numeric(y)) {
        if (x->kind == TY_DECIMAL || y->kind == TY_DECIMAL) {
            if (x->kind == TY_FLOAT || x->kind == TY_DOUBLE || y->kind == TY_FLOAT || y->kind == TY_DOUBLE)
                return ty_double();
            const struct ty *dx = dec_for(a, x), *dy = dec_for(a, y);
            int s = dx->scale > dy->scale ? dx->scale : dy->scale;
            int ix = dx->precision - dx->scale, iy = dy->precision - dy->scale;
            int p = (ix > iy ? ix : iy) + s;
            if (p > 38) p = 38;
            return ty_decimal(a, p, s);
        }
        return rank(x->kind) >= rank(y->kind) ? x : y;
    }
    if ((x->kind == TY_DATE && y->kind == TY_TIMESTAMP) || (y->kind == TY_DATE && x->kind == TY_TIMESTAMP))
        return ty_timestamp();
    if (x->kind == TY_STRING && is_atomic(y)) return y->kind == TY_DECIMAL ? ty_double() : y;
    if (y->kind == TY_STRING && is_atomic(x)) return x->kind == TY_DECIMAL ? ty_double() : x;
    if (x->kind == TY_ARRAY && y->kind == TY_ARRAY) {
        const struct ty *e = fb_common_type(a, x->elem, y->elem);
        return e ? ty_array(a, e, true) : NULL;
    }
    if (x->kind == TY_STRUCT && y->kind == TY_STRUCT && x->nfields == y->nfields) {
        struct ty_field fs[64];
        if (x->nfields > 64) return NULL;
        for (uint32_t i = 0; i < x->nfields; i++) {
            fs[i] = x->fields[i];
            fs[i].type = fb_common_type(a, x->fields[i].type, y->fields[i].type);
            if (!fs[i].type) return NULL;
        }
        return ty_struct(a, fs, x->nfields);
    }
    return NULL;
}

int fb_cast(struct fbind *fb, uint32_t i, const struct ty *t) {
    struct expr *e = fb->args[i];
    if (ty_equal(e->type, t)) return 0;
    if (!fb_implicit_ok(e->type, t)) {
        struct buf b = {0}, c = {0};
        ty_sql(&b, e->type);
        ty_sql(&c, t);
        fb_fail(fb, (int)i, "data type mismatch: argument %u of %s requires %.*s but has %.*s", i + 1, fb->name,
                (int)c.len, (char *)c.p, (int)b.len, (char *)b.p);
        buf_free(&b);
        buf_free(&c);
        return -1;
    }
    fb->args[i] = fb_cast_expr(fb->a, e, t);
    return 0;
}

const char *fb_const_str(struct fbind *fb, uint32_t i, uint32_t *len) {
    struct expr *e = fb->args[i];
    if (e->kind != EX_CONST || !e->value->valid[0] || e->type->kind != TY_STRING) return NULL;
    struct vstr s = vec_str(e->value)[0];
    if (len) *len = s.len;
    return arena_strndup(fb->a, s.p, s.len);
}

int fb_call(struct fbind *fb, const struct ty *t, expr_kernel k) {
    fb->result = expr_call(fb->a, fb->name, t, k, fb->args, fb->nargs);
    return 0;
}

int fb_const_map(struct fbind *fb, uint32_t i, const char ***keys, const char ***vals, uint32_t *n) {
    struct expr *m = fb->args[i];
    if (m->type->kind != TY_MAP || m->kind != EX_CALL || strcmp(m->name ? m->name : "", "map"))
        return fb_fail(fb, (int)i, "the options of %s must be given as map('key', 'value', ...)", fb->name);
    *n = m->nargs / 2;
    *keys = arena_alloc(fb->a, (*n ? *n : 1) * sizeof **keys);
    *vals = arena_alloc(fb->a, (*n ? *n : 1) * sizeof **vals);
    for (uint32_t j = 0; j < m->nargs; j++) {
        struct expr *x = m->args[j];
        while (x->kind == EX_CALL && x->nargs == 1 && !strcmp(x->name ? x->name : "", "cast")) x = x->args[0];
        if (x->kind != EX_CONST || !x->value->valid[0])
            return fb_fail(fb, (int)i, "the options of %s must be constants", fb->name);
        struct buf b = {0};
        vfmt_value(&b, x->value, 0, VFMT_CAST);
        const char *s = arena_strndup(fb->a, b.p ? (const char *)b.p : "", b.len);
        buf_free(&b);
        if (j % 2) (*vals)[j / 2] = s;
        else (*keys)[j / 2] = s;
    }
    return 0;
}
