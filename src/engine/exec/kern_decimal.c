/* kern_decimal: DECIMAL arithmetic with Spark's result types
 * (DecimalPrecision, allowPrecisionLoss = true):
 *   a + b, a - b   scale max(s1, s2), precision max(p1-s1, p2-s2) + scale + 1
 *   a * b          precision p1 + p2 + 1, scale s1 + s2
 *   a / b          scale max(6, s1 + p2 + 1), precision p1 - s1 + s2 + scale
 * and when the precision exceeds 38 the scale shrinks to keep the integer
 * digits (but not below min(scale, 6)). Values are exact 128-bit integers
 * rounded half up to the result scale; a result that does not fit the
 * precision, or an intermediate that overflows 128 bits, is NULL (Spark's
 * non-ANSI overflow), as is division by zero. */
#include "engine/exec/kernels.h"

#include "engine/sql/ast.h"

#define KSIG const struct expr *e, struct ectx *cx, struct vec *const *a, const uint32_t *sel, uint32_t n, struct vec *out

static __int128 p10(int k) {
    __int128 r = 1;
    while (k-- > 0) r *= 10;
    return r;
}

/* v / 10^k rounded half up (away from zero on .5) */
static __int128 drop_digits(__int128 v, int k) {
    if (k <= 0) return v;
    __int128 d = p10(k), q = v / d, r = v % d;
    if ((r < 0 ? -r : r) * 2 >= d) q += v < 0 ? -1 : 1;
    return q;
}

static void adjust(int *p, int *s) {
    if (*p <= 38) return;
    int int_digits = *p - *s, min_scale = *s < 6 ? *s : 6;
    int ns = 38 - int_digits;
    *s = ns > min_scale ? ns : min_scale;
    *p = 38;
}

const struct ty *kern_decimal_result(struct arena *ar, int op, const struct ty *x, const struct ty *y) {
    int p1 = x->precision, s1 = x->scale, p2 = y->precision, s2 = y->scale, p, s;
    switch (op) {
    case OP_ADD: case OP_SUB: {
        s = s1 > s2 ? s1 : s2;
        int r1 = p1 - s1, r2 = p2 - s2;
        p = (r1 > r2 ? r1 : r2) + s + 1;
        break;
    }
    case OP_MUL: p = p1 + p2 + 1; s = s1 + s2; break;
    case OP_DIV: s = 6 > s1 + p2 + 1 ? 6 : s1 + p2 + 1; p = p1 - s1 + s2 + s; break;
    default: return NULL;
    }
    adjust(&p, &s);
    return ty_decimal(ar, p, s);
}

static void k_dec(KSIG) {
    (void)cx;
    int s1 = a[0]->type->scale, s2 = a[1]->type->scale, s = out->type->scale;
    __int128 limit = p10(out->type->precision);
    const __int128 *x = vec_dec(a[0]), *y = vec_dec(a[1]);
    __int128 *o = vec_dec(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        __int128 r, l = x[i], m = y[i];
        int ok = 1;
        switch (e->op) {
        case OP_ADD:
        case OP_SUB: {
            int hs = s1 > s2 ? s1 : s2;
            ok = !__builtin_mul_overflow(l, p10(hs - s1), &l) && !__builtin_mul_overflow(m, p10(hs - s2), &m);
            if (ok) ok = e->op == OP_ADD ? !__builtin_add_overflow(l, m, &r) : !__builtin_sub_overflow(l, m, &r);
            if (ok) r = drop_digits(r, hs - s);
            break;
        }
        case OP_MUL:
            ok = !__builtin_mul_overflow(l, m, &r);
            if (ok) r = drop_digits(r, s1 + s2 - s);
            break;
        default: { /* OP_DIV: l * 10^(s + s2 - s1 + 1) / m, then round the extra digit */
            if (m == 0) {
                ok = 0;
                break;
            }
            int shift = s + s2 - s1 + 1;
            if (shift >= 0) ok = !__builtin_mul_overflow(l, p10(shift), &l);
            else l = drop_digits(l, -shift);
            if (ok) r = drop_digits(l / m, 1);
            break;
        }
        }
        if (!ok || r >= limit || r <= -limit) continue;
        o[i] = r;
        out->valid[i] = 1;
    }
}

expr_kernel kern_decimal_arith(int op) {
    return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV ? k_dec : NULL;
}
