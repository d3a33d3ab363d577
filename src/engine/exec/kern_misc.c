/* kern_misc: conditionals (CASE, coalesce, if, nullif, nvl, greatest,
 * least), math (abs, round, floor, ceil, sqrt, pow) and nested values
 * (struct, named_struct, array, subscript, element_at, size).
 *
 * Conditionals evaluate every branch over the batch and pick per row;
 * that is correct under non-ANSI semantics (no branch can raise) and keeps
 * each step a plain loop. struct()/named_struct() alias their argument
 * vectors as the result's children instead of copying them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exec/func.h"
#include "engine/exec/kernels.h"
#include "engine/exec/valfmt.h"
#include "engine/exec/vrow.h"

#define KSIG const struct expr *e, struct ectx *cx, struct vec *const *a, const uint32_t *sel, uint32_t n, struct vec *out

/* Makes all args the common type of all of them. */
static int unify(struct fbind *fb, uint32_t from, uint32_t step, const struct ty **out) {
    const struct ty *t = ty_null();
    for (uint32_t i = from; i < fb->nargs; i += step) {
        const struct ty *c = fb_common_type(fb->a, t, fb->args[i]->type);
        if (!c) {
            struct buf x = {0}, y = {0};
            ty_sql(&x, t);
            ty_sql(&y, fb->args[i]->type);
            fb_fail(fb, (int)i, "data type mismatch: %s needs its arguments to have a common type, but got %.*s and %.*s",
                    fb->name, (int)x.len, (char *)x.p, (int)y.len, (char *)y.p);
            buf_free(&x);
            buf_free(&y);
            return -1;
        }
        t = c;
    }
    for (uint32_t i = from; i < fb->nargs; i += step) fb->args[i] = fb_cast_expr(fb->a, fb->args[i], t);
    *out = t;
    return 0;
}

/* ---- conditionals ---- */

static void k_case(KSIG) {
    (void)cx;
    uint32_t pairs = (e->nargs - (uint32_t)e->op) / 2;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k], p;
        for (p = 0; p < pairs; p++)
            if (a[2 * p]->valid[i] && vec_u8(a[2 * p])[i]) break;
        if (p < pairs) vec_copy_row(out, i, a[2 * p + 1], i, false);
        else if (e->op) vec_copy_row(out, i, a[e->nargs - 1], i, false);
    }
}

struct expr *func_case(struct arena *a, struct expr **args, uint32_t n, bool has_else, const struct ty *t) {
    struct expr *e = expr_call(a, "case", t, k_case, args, n);
    e->op = has_else;
    return e;
}

static void k_coalesce(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        for (uint32_t j = 0; j < e->nargs; j++)
            if (a[j]->valid[i]) {
                vec_copy_row(out, i, a[j], i, false);
                break;
            }
    }
}

int fh_coalesce(struct fbind *fb) {
    const struct ty *t;
    if (unify(fb, 0, 1, &t)) return -1;
    return fb_call(fb, t, k_coalesce);
}

int fh_nvl(struct fbind *fb) { return fh_coalesce(fb); }

static void k_if(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        int c = a[0]->valid[i] && vec_u8(a[0])[i];
        vec_copy_row(out, i, a[c ? 1 : 2], i, false);
    }
}

int fh_if(struct fbind *fb) {
    const struct ty *t;
    if (fb_cast(fb, 0, ty_boolean())) return -1;
    if (unify(fb, 1, 1, &t)) return -1;
    return fb_call(fb, t, k_if);
}

static void k_nullif(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (a[0]->valid[i] && a[1]->valid[i] && vrow_cmp(a[0], i, a[1], i) == 0) continue;
        vec_copy_row(out, i, a[0], i, false);
    }
}

int fh_nullif(struct fbind *fb) {
    const struct ty *t;
    if (unify(fb, 0, 1, &t)) return -1;
    return fb_call(fb, t, k_nullif);
}

static void k_minmax(KSIG) {
    (void)cx;
    int want = e->op; /* 1 greatest, -1 least; NULLs skipped */
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        int best = -1;
        for (uint32_t j = 0; j < e->nargs; j++) {
            if (!a[j]->valid[i]) continue;
            if (best < 0 || vrow_cmp(a[j], i, a[best], i) * want > 0) best = (int)j;
        }
        if (best >= 0) vec_copy_row(out, i, a[best], i, false);
    }
}

static int minmax_hook(struct fbind *fb, int want) {
    const struct ty *t;
    if (unify(fb, 0, 1, &t)) return -1;
    fb_call(fb, t, k_minmax);
    fb->result->op = want;
    return 0;
}

int fh_greatest(struct fbind *fb) { return minmax_hook(fb, 1); }
int fh_least(struct fbind *fb) { return minmax_hook(fb, -1); }

int fh_isnull(struct fbind *fb) { return fb_call(fb, ty_boolean(), kern_isnull); }
int fh_isnotnull(struct fbind *fb) { return fb_call(fb, ty_boolean(), kern_isnotnull); }

/* ---- math ---- */

static int need_numeric(struct fbind *fb, uint32_t i) {
    if (ty_is_numeric(fb->args[i]->type)) return 0;
    if (fb->args[i]->type->kind == TY_NULL || fb->args[i]->type->kind == TY_STRING) return fb_cast(fb, i, ty_double());
    struct buf b = {0};
    ty_sql(&b, fb->args[i]->type);
    fb_fail(fb, (int)i, "data type mismatch: argument %u of %s requires a numeric type but has %.*s", i + 1, fb->name,
            (int)b.len, (char *)b.p);
    buf_free(&b);
    return -1;
}

static void k_abs(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        out->valid[i] = 1;
        switch (out->type->kind) {
        case TY_INT: { int32_t v = vec_i32(a[0])[i]; vec_i32(out)[i] = v < 0 ? (int32_t)(0u - (uint32_t)v) : v; break; }
        case TY_BIGINT: { int64_t v = vec_i64(a[0])[i]; vec_i64(out)[i] = v < 0 ? (int64_t)(0ull - (uint64_t)v) : v; break; }
        case TY_FLOAT: vec_f32(out)[i] = fabsf(vec_f32(a[0])[i]); break;
        case TY_DOUBLE: vec_f64(out)[i] = fabs(vec_f64(a[0])[i]); break;
        case TY_DECIMAL: { __int128 v = vec_dec(a[0])[i]; vec_dec(out)[i] = v < 0 ? -v : v; break; }
        default: out->valid[i] = 0;
        }
    }
}

int fh_abs(struct fbind *fb) {
    if (need_numeric(fb, 0)) return -1;
    return fb_call(fb, fb->args[0]->type, k_abs);
}

/* Spark rounds a double through its shortest decimal text (Scala's
 * BigDecimal(d)), half up: round(2.675, 2) = 2.68 although 2.675 is stored
 * as 2.67499999... So: shortest round-trip digits, then decimal rounding. */
static double round_half_up(double x, int d) {
    if (isnan(x) || isinf(x) || d > 300) return x;
    char digits[32];
    int nd, neg;
    int exp10 = vfmt_shortest(x, 0, digits, &nd, &neg);
    /* value = 0.d1d2... * 10^(exp10+1); keep digits up to 10^-d */
    int keep = exp10 + 1 + d; /* number of leading digits kept */
    if (keep >= nd) return x;
    if (keep < 0) return neg ? -0.0 : 0.0;
    int up = digits[keep] >= '5';
    /* build the kept digits as an integer string and add one if rounding up */
    char num[40];
    int m = 0;
    num[m++] = '0';
    for (int i = 0; i < keep; i++) num[m++] = digits[i];
    if (up) {
        int i = m - 1;
        while (num[i] == '9') num[i--] = '0';
        num[i]++;
    }
    num[m] = 0;
    char out[96];
    snprintf(out, sizeof out, "%s%se%d", neg ? "-" : "", num, exp10 + 1 - keep);
    return strtod(out, NULL);
}

static void k_round(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || (e->nargs > 1 && !a[1]->valid[i])) continue;
        int d = e->nargs > 1 ? vec_i32(a[1])[i] : 0;
        out->valid[i] = 1;
        switch (out->type->kind) {
        case TY_INT: case TY_BIGINT: {
            int64_t v = out->type->kind == TY_INT ? vec_i32(a[0])[i] : vec_i64(a[0])[i];
            if (d < 0) {
                int64_t p = 1;
                for (int j = 0; j < -d && p < INT64_MAX / 10; j++) p *= 10;
                int64_t q = v / p, r = v % p;
                if (r * 2 >= p) q++;
                else if (r * 2 <= -p) q--;
                v = (int64_t)((uint64_t)q * (uint64_t)p);
            }
            if (out->type->kind == TY_INT) vec_i32(out)[i] = (int32_t)v;
            else vec_i64(out)[i] = v;
            break;
        }
        case TY_FLOAT: vec_f32(out)[i] = (float)round_half_up(vec_f32(a[0])[i], d); break;
        case TY_DOUBLE: vec_f64(out)[i] = round_half_up(vec_f64(a[0])[i], d); break;
        case TY_DECIMAL: {
            __int128 v = vec_dec(a[0])[i];
            int s = a[0]->type->scale, ns = out->type->scale;
            if (ns < s) {
                __int128 p = 1;
                for (int j = 0; j < s - ns; j++) p *= 10;
                __int128 q = v / p, r = v % p;
                if (r * 2 >= p) q++;
                else if (r * 2 <= -p) q--;
                v = q;
            }
            vec_dec(out)[i] = v;
            break;
        }
        default: out->valid[i] = 0;
        }
    }
}

int fh_round(struct fbind *fb) {
    if (need_numeric(fb, 0) || (fb->nargs > 1 && fb_cast(fb, 1, ty_int()))) return -1;
    const struct ty *t = fb->args[0]->type;
    if (t->kind == TY_DECIMAL) {
        uint32_t len;
        int d = 0;
        if (fb->nargs > 1) {
            if (fb->args[1]->kind != EX_CONST || !fb->args[1]->value->valid[0])
                return fb_fail(fb, 1, "the scale of round on a decimal must be a constant");
            d = vec_i32(fb->args[1]->value)[0];
        }
        (void)len;
        int ns = d < 0 ? 0 : d > t->scale ? t->scale : d;
        int np = t->precision - t->scale + ns + 1;
        if (np > 38) np = 38;
        t = ty_decimal(fb->a, np, ns);
    }
    return fb_call(fb, t, k_round);
}

static void k_floorceil(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        out->valid[i] = 1;
        const struct vec *x = a[0];
        switch (x->type->kind) {
        case TY_INT: vec_i64(out)[i] = vec_i32(x)[i]; break;
        case TY_BIGINT: vec_i64(out)[i] = vec_i64(x)[i]; break;
        case TY_DECIMAL: {
            __int128 v = vec_dec(x)[i], p = 1;
            for (int j = 0; j < x->type->scale; j++) p *= 10;
            __int128 q = v / p, r = v % p;
            if (e->op && r > 0) q++;
            if (!e->op && r < 0) q--;
            vec_i64(out)[i] = (int64_t)q;
            break;
        }
        default: {
            double d = x->type->kind == TY_FLOAT ? vec_f32(x)[i] : vec_f64(x)[i];
            d = e->op ? ceil(d) : floor(d);
            vec_i64(out)[i] = isnan(d) ? 0 : d >= 9.2233720368547758e18 ? INT64_MAX : d <= -9.2233720368547758e18 ? INT64_MIN : (int64_t)d;
        }
        }
    }
}

int fh_floor(struct fbind *fb) {
    if (need_numeric(fb, 0)) return -1;
    fb_call(fb, ty_bigint(), k_floorceil);
    fb->result->op = 0;
    return 0;
}

int fh_ceil(struct fbind *fb) {
    if (need_numeric(fb, 0)) return -1;
    fb_call(fb, ty_bigint(), k_floorceil);
    fb->result->op = 1;
    return 0;
}

static void k_sqrt(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        vec_f64(out)[i] = sqrt(vec_f64(a[0])[i]);
        out->valid[i] = 1;
    }
}

int fh_sqrt(struct fbind *fb) {
    if (need_numeric(fb, 0) || fb_cast(fb, 0, ty_double())) return -1;
    return fb_call(fb, ty_double(), k_sqrt);
}

static void k_pow(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        vec_f64(out)[i] = pow(vec_f64(a[0])[i], vec_f64(a[1])[i]);
        out->valid[i] = 1;
    }
}

int fh_pow(struct fbind *fb) {
    if (need_numeric(fb, 0) || need_numeric(fb, 1) || fb_cast(fb, 0, ty_double()) || fb_cast(fb, 1, ty_double())) return -1;
    return fb_call(fb, ty_double(), k_pow);
}

/* ---- nested values ---- */

static void k_named_struct(KSIG) {
    (void)cx;
    /* alias the value vectors as children: no copy */
    for (uint32_t f = 0; f < out->nchild; f++) out->child[f] = a[2 * f + 1];
    (void)e;
    for (uint32_t k = 0; k < n; k++) out->valid[sel[k]] = 1;
}

int fh_named_struct(struct fbind *fb) {
    if (fb->nargs % 2) return fb_fail(fb, -1, "named_struct expects an even number of arguments (name, value, ...)");
    struct ty_field fs[256];
    if (fb->nargs / 2 > 256) return fb_fail(fb, -1, "named_struct has too many fields");
    for (uint32_t i = 0; i < fb->nargs; i += 2) {
        const char *name = fb_const_str(fb, i, NULL);
        if (!name) return fb_fail(fb, (int)i, "named_struct field names must be string literals");
        fs[i / 2] = (struct ty_field){name, fb->args[i + 1]->type, true};
    }
    return fb_call(fb, ty_struct(fb->a, fs, fb->nargs / 2), k_named_struct);
}

/* struct(a, b): fields col1, col2, ... (the binder renames fields that are columns) */
static void k_struct(KSIG) {
    (void)cx; (void)e;
    for (uint32_t f = 0; f < out->nchild; f++) out->child[f] = a[f];
    for (uint32_t k = 0; k < n; k++) out->valid[sel[k]] = 1;
}

int fh_struct(struct fbind *fb) {
    struct ty_field fs[256];
    if (fb->nargs > 256) return fb_fail(fb, -1, "struct has too many fields");
    for (uint32_t i = 0; i < fb->nargs; i++) {
        char *nm = arena_alloc(fb->a, 16);
        snprintf(nm, 16, "col%u", i + 1);
        fs[i] = (struct ty_field){nm, fb->args[i]->type, true};
    }
    return fb_call(fb, ty_struct(fb->a, fs, fb->nargs), k_struct);
}

static void k_array(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        uint32_t base = vec_list_reserve(out, e->nargs);
        for (uint32_t j = 0; j < e->nargs; j++) vec_copy_row(out->child[0], base + j, a[j], i, false);
        out->child_len += e->nargs;
        vec_list(out)[i] = (struct vlist){base, e->nargs};
        out->valid[i] = 1;
    }
}

int fh_array(struct fbind *fb) {
    const struct ty *t = ty_string();
    if (fb->nargs && unify(fb, 0, 1, &t)) return -1;
    return fb_call(fb, ty_array(fb->a, t, true), k_array);
}

/* op 0: array[i] 0-based; op 1: element_at 1-based (negative from the end) */
static void k_subscript(KSIG) {
    (void)cx;
    const struct vec *c = a[0];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!c->valid[i] || !a[1]->valid[i]) continue;
        struct vlist l = vec_list(c)[i];
        if (c->type->kind == TY_MAP) {
            for (uint32_t j = 0; j < l.len; j++)
                if (vrow_cmp(c->child[0], l.off + j, a[1], i) == 0) {
                    vec_copy_row(out, i, c->child[1], l.off + j, false);
                    break;
                }
            continue;
        }
        int64_t idx = vec_i32(a[1])[i];
        if (e->op == 1) {
            if (idx == 0) continue; /* Spark errors; non-ANSI NULL here */
            idx = idx > 0 ? idx - 1 : (int64_t)l.len + idx;
        }
        if (idx < 0 || idx >= (int64_t)l.len) continue;
        vec_copy_row(out, i, c->child[0], l.off + (uint32_t)idx, false);
    }
}

static int subscript_hook(struct fbind *fb, int one_based) {
    const struct ty *t = fb->args[0]->type;
    if (t->kind == TY_MAP) {
        if (fb_cast(fb, 1, t->key)) return -1;
        fb_call(fb, t->elem, k_subscript);
    } else if (t->kind == TY_ARRAY) {
        if (fb_cast(fb, 1, ty_int())) return -1;
        fb_call(fb, t->elem, k_subscript);
    } else {
        struct buf b = {0};
        ty_sql(&b, t);
        fb_fail(fb, 0, "cannot subscript a value of type %.*s (only ARRAY and MAP)", (int)b.len, (char *)b.p);
        buf_free(&b);
        return -1;
    }
    fb->result->op = one_based;
    return 0;
}

int fh_get_item(struct fbind *fb) { return subscript_hook(fb, 0); }
int fh_element_at(struct fbind *fb) { return subscript_hook(fb, 1); }

static void k_size(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        /* Spark's legacy sizeOfNull: size(NULL) = -1 */
        vec_i32(out)[i] = a[0]->valid[i] ? (int32_t)vec_list(a[0])[i].len : -1;
        out->valid[i] = 1;
    }
}

int fh_size(struct fbind *fb) {
    if (fb->args[0]->type->kind != TY_ARRAY && fb->args[0]->type->kind != TY_MAP)
        return fb_fail(fb, 0, "size expects an ARRAY or MAP");
    return fb_call(fb, ty_int(), k_size);
}

/* map(k1, v1, k2, v2, ...) */
static void k_map(KSIG) {
    (void)cx;
    uint32_t pairs = e->nargs / 2;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        uint32_t base = vec_list_reserve(out, pairs);
        for (uint32_t j = 0; j < pairs; j++) {
            vec_copy_row(out->child[0], base + j, a[2 * j], i, false);
            vec_copy_row(out->child[1], base + j, a[2 * j + 1], i, false);
        }
        out->child_len += pairs;
        vec_list(out)[i] = (struct vlist){base, pairs};
        out->valid[i] = 1;
    }
}

int fh_map(struct fbind *fb) {
    if (fb->nargs % 2) return fb_fail(fb, -1, "map expects an even number of arguments (key, value, ...)");
    const struct ty *kt = ty_string(), *vt = ty_string();
    if (fb->nargs) {
        if (unify(fb, 0, 2, &kt) || unify(fb, 1, 2, &vt)) return -1;
        if (kt->kind == TY_NULL) kt = ty_string();
    }
    return fb_call(fb, ty_map(fb->a, kt, vt, true), k_map);
}
