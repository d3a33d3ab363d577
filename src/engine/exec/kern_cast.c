/* kern_cast: CAST between Spark types with non-ANSI semantics: a value that
 * does not convert becomes NULL rather than an error.
 *   string → int/bigint   trimmed; "12.7" → 12 (fraction truncated); out of
 *                         range or not a number → NULL
 *   double → int/bigint   truncation toward zero, saturating; NaN → 0 (Java)
 *   bigint → int          keeps the low 32 bits (Java's narrowing)
 *   string → boolean      t/true/y/yes/1 and f/false/n/no/0, any case
 *   string ↔ date/timestamp  via formats/datetime (Spark's default forms)
 *   number → timestamp    seconds since the epoch; timestamp → bigint: seconds (floor)
 *   anything → string     valfmt's Spark text; binary ↔ string keep the bytes
 *   struct → struct, array → array, map → map: element-wise, same shape.
 * The kernel dispatches once per batch on (from, to) and then loops. */
#include "engine/exec/kernels.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/exec/valfmt.h"
#include "engine/formats/datetime.h"

static int is_scalar(enum ty_kind k) { return k != TY_STRUCT && k != TY_ARRAY && k != TY_MAP; }

int kern_cast_supported(const struct ty *from, const struct ty *to) {
    enum ty_kind f = from->kind, t = to->kind;
    if (f == TY_NULL || ty_equal(from, to)) return 1;
    if (t == TY_STRING) return 1;
    if (t == TY_STRUCT) {
        if (f != TY_STRUCT || from->nfields != to->nfields) return 0;
        for (uint32_t i = 0; i < to->nfields; i++)
            if (!kern_cast_supported(from->fields[i].type, to->fields[i].type)) return 0;
        return 1;
    }
    if (t == TY_ARRAY) return f == TY_ARRAY && kern_cast_supported(from->elem, to->elem);
    if (t == TY_MAP) return f == TY_MAP && kern_cast_supported(from->key, to->key) && kern_cast_supported(from->elem, to->elem);
    if (!is_scalar(f)) return 0;
    switch (t) {
    case TY_BINARY: return f == TY_STRING || f == TY_BINARY || f == TY_INT || f == TY_BIGINT;
    case TY_BOOLEAN: return f != TY_BINARY && f != TY_DATE;
    case TY_INT: case TY_BIGINT: case TY_FLOAT: case TY_DOUBLE: case TY_DECIMAL:
        return f != TY_BINARY && f != TY_DATE;
    case TY_DATE: return f == TY_STRING || f == TY_TIMESTAMP || f == TY_DATE;
    case TY_TIMESTAMP: return f != TY_BINARY;
    default: return 0;
    }
}

/* ---- string parsing helpers ---- */

static void trim(const char **p, uint32_t *n) {
    while (*n && isspace((unsigned char)**p)) (*p)++, (*n)--;
    while (*n && isspace((unsigned char)(*p)[*n - 1])) (*n)--;
}

/* Integer text with optional sign and an ignored fraction; 0 on success. */
static int parse_i64(const char *p, uint32_t n, int64_t lo, int64_t hi, int64_t *out) {
    trim(&p, &n);
    if (!n) return -1;
    uint32_t i = 0;
    int neg = 0;
    if (p[0] == '+' || p[0] == '-') {
        neg = p[0] == '-';
        i++;
    }
    if (i == n) return -1;
    unsigned __int128 v = 0;
    int digits = 0;
    for (; i < n && isdigit((unsigned char)p[i]); i++, digits++) {
        v = v * 10 + (unsigned)(p[i] - '0');
        if (v > ((unsigned __int128)1 << 64)) return -1;
    }
    if (i < n && p[i] == '.') {
        i++;
        int fd = 0;
        for (; i < n && isdigit((unsigned char)p[i]); i++) fd++;
        if (!digits && !fd) return -1;
    } else if (!digits) {
        return -1;
    }
    if (i != n) return -1;
    __int128 s = neg ? -(__int128)v : (__int128)v;
    if (s < lo || s > hi) return -1;
    *out = (int64_t)s;
    return 0;
}

static int parse_double(const char *p, uint32_t n, double *out) {
    trim(&p, &n);
    if (!n || n > 400) return -1;
    char tmp[401];
    memcpy(tmp, p, n);
    tmp[n] = 0;
    /* Spark accepts a trailing d/D/f/F and Java's spellings of the specials */
    if (n > 1 && strchr("dDfF", tmp[n - 1]) && !isalpha((unsigned char)tmp[n - 2])) tmp[--n] = 0;
    const char *s = tmp;
    int neg = 0;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    if (!strcasecmp(s, "nan")) { *out = NAN; return 0; }
    if (!strcasecmp(s, "infinity") || !strcasecmp(s, "inf")) { *out = neg ? -INFINITY : INFINITY; return 0; }
    if (!isdigit((unsigned char)*s) && *s != '.') return -1;
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (*end || end == tmp) return -1;
    if ((tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X'))) return -1;
    *out = d;
    return 0;
}

static const __int128 pow10_128[39] = {
    (__int128)1, (__int128)10, (__int128)100, (__int128)1000, (__int128)10000, (__int128)100000,
    (__int128)1000000, (__int128)10000000, (__int128)100000000, (__int128)1000000000,
    (__int128)10000000000LL, (__int128)100000000000LL, (__int128)1000000000000LL, (__int128)10000000000000LL,
    (__int128)100000000000000LL, (__int128)1000000000000000LL, (__int128)10000000000000000LL,
    (__int128)100000000000000000LL, (__int128)1000000000000000000LL,
    (__int128)1000000000000000000LL * 10, (__int128)1000000000000000000LL * 100, (__int128)1000000000000000000LL * 1000,
    (__int128)1000000000000000000LL * 10000, (__int128)1000000000000000000LL * 100000,
    (__int128)1000000000000000000LL * 1000000, (__int128)1000000000000000000LL * 10000000,
    (__int128)1000000000000000000LL * 100000000, (__int128)1000000000000000000LL * 1000000000,
    (__int128)1000000000000000000LL * 10000000000LL, (__int128)1000000000000000000LL * 100000000000LL,
    (__int128)1000000000000000000LL * 1000000000000LL, (__int128)1000000000000000000LL * 10000000000000LL,
    (__int128)1000000000000000000LL * 100000000000000LL, (__int128)1000000000000000000LL * 1000000000000000LL,
    (__int128)1000000000000000000LL * 10000000000000000LL, (__int128)1000000000000000000LL * 100000000000000000LL,
    (__int128)1000000000000000000LL * 1000000000000000000LL,
    (__int128)1000000000000000000LL * 1000000000000000000LL * 10,
    (__int128)1000000000000000000LL * 1000000000000000000LL * 100,
};

/* Decimal text into unscaled value at `scale`, rounding half up; fails when
 * the result needs more than `prec` digits. */
static int parse_decimal(const char *p, uint32_t n, int prec, int scale, __int128 *out) {
    trim(&p, &n);
    uint32_t i = 0;
    int neg = 0;
    if (i < n && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
    __int128 v = 0;
    int digits = 0, frac = 0, any = 0, round_up = 0;
    for (; i < n && isdigit((unsigned char)p[i]); i++) {
        any = 1;
        if (v || p[i] != '0') digits++;
        if (digits > 38) return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (i < n && p[i] == '.') {
        for (i++; i < n && isdigit((unsigned char)p[i]); i++) {
            any = 1;
            if (frac < scale) {
                v = v * 10 + (p[i] - '0');
                frac++;
            } else if (frac == scale) {
                round_up = p[i] >= '5';
                frac++;
            }
        }
    }
    int exp10 = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        int64_t ev;
        if (parse_i64(p + i + 1, n - i - 1, -1000, 1000, &ev)) return -1;
        exp10 = (int)ev;
        i = n;
    }
    if (!any || i != n) return -1;
    if (frac > scale) frac = scale;
    /* v has `frac` fractional digits; scale to `scale` and apply exponent */
    int shift = scale - frac + exp10;
    if (shift > 0) {
        if (shift > 38) return v == 0 ? (*out = 0, 0) : -1;
        v *= pow10_128[shift];
    } else if (shift < 0) {
        if (-shift > 38) v = 0;
        else {
            __int128 d = pow10_128[-shift];
            round_up = (v % d) * 2 >= d;
            v /= d;
        }
    }
    if (round_up) v++;
    if (v >= pow10_128[prec]) return -1;
    *out = neg ? -v : v;
    return 0;
}

/* ---- the kernel ---- */

static void cast_rows(const struct vec *src, const uint32_t *sel, uint32_t n, struct vec *dst, struct buf *tmp);

static double to_double_row(const struct vec *s, uint32_t i) {
    switch (s->type->kind) {
    case TY_BOOLEAN: return vec_u8(s)[i];
    case TY_INT: return vec_i32(s)[i];
    case TY_BIGINT: return (double)vec_i64(s)[i];
    case TY_FLOAT: return vec_f32(s)[i];
    case TY_DOUBLE: return vec_f64(s)[i];
    case TY_DECIMAL: return (double)vec_dec(s)[i] / (double)pow10_128[s->type->scale];
    case TY_TIMESTAMP: return (double)vec_i64(s)[i] / 1e6;
    default: return 0;
    }
}

/* Integral value of a numeric row (truncating, saturating for floats). */
static int to_i64_row(const struct vec *s, uint32_t i, int64_t *out, struct buf *tmp) {
    (void)tmp;
    switch (s->type->kind) {
    case TY_BOOLEAN: *out = vec_u8(s)[i]; return 0;
    case TY_INT: *out = vec_i32(s)[i]; return 0;
    case TY_BIGINT: *out = vec_i64(s)[i]; return 0;
    case TY_TIMESTAMP: *out = dt_floordiv(vec_i64(s)[i], DT_US_PER_SEC); return 0;
    case TY_FLOAT: case TY_DOUBLE: {
        double d = to_double_row(s, i);
        if (isnan(d)) *out = 0;
        else if (d >= 9223372036854775807.0) *out = INT64_MAX;
        else if (d <= -9223372036854775808.0) *out = INT64_MIN;
        else *out = (int64_t)d;
        return 0;
    }
    case TY_DECIMAL: {
        __int128 v = vec_dec(s)[i] / pow10_128[s->type->scale];
        *out = (int64_t)v;
        return 0;
    }
    case TY_STRING: return parse_i64(vec_str(s)[i].p, vec_str(s)[i].len, INT64_MIN, INT64_MAX, out);
    default: return -1;
    }
}

void kern_cast_to_text(struct buf *b, const struct vec *v, uint32_t i) { vfmt_value(b, v, i, VFMT_CAST); }

static void cast_rows(const struct vec *src, const uint32_t *sel, uint32_t n, struct vec *dst, struct buf *tmp) {
    enum ty_kind f = src->type->kind, t = dst->type->kind;
    if (f == TY_NULL) return; /* all NULL */
    if (ty_equal(src->type, dst->type) && is_scalar(t)) {
        for (uint32_t k = 0; k < n; k++) vec_copy_row(dst, sel[k], src, sel[k], false);
        return;
    }
    switch (t) {
    case TY_STRING:
    case TY_BINARY:
        if (f == TY_STRING || f == TY_BINARY) {
            for (uint32_t k = 0; k < n; k++) {
                uint32_t i = sel[k];
                dst->valid[i] = src->valid[i];
                vec_str(dst)[i] = vec_str(src)[i];
            }
            return;
        }
        if (t == TY_BINARY) { /* int/bigint → big-endian bytes */
            for (uint32_t k = 0; k < n; k++) {
                uint32_t i = sel[k];
                if (!src->valid[i]) continue;
                unsigned char be[8];
                int w = f == TY_INT ? 4 : 8;
                uint64_t v = f == TY_INT ? (uint32_t)vec_i32(src)[i] : (uint64_t)vec_i64(src)[i];
                for (int b = 0; b < w; b++) be[b] = (unsigned char)(v >> (8 * (w - 1 - b)));
                vec_set_str(dst, i, (const char *)be, (uint32_t)w);
            }
            return;
        }
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            buf_clear(tmp);
            vfmt_value(tmp, src, i, VFMT_CAST);
            vec_set_str(dst, i, (const char *)tmp->p, (uint32_t)tmp->len);
        }
        return;
    case TY_BOOLEAN:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            if (f == TY_STRING) {
                const char *p = vec_str(src)[i].p;
                uint32_t len = vec_str(src)[i].len;
                trim(&p, &len);
                char w[8] = {0};
                if (len == 0 || len > 5) continue;
                for (uint32_t c = 0; c < len; c++) w[c] = (char)tolower((unsigned char)p[c]);
                if (!strcmp(w, "t") || !strcmp(w, "true") || !strcmp(w, "y") || !strcmp(w, "yes") || !strcmp(w, "1"))
                    vec_u8(dst)[i] = 1;
                else if (!strcmp(w, "f") || !strcmp(w, "false") || !strcmp(w, "n") || !strcmp(w, "no") || !strcmp(w, "0"))
                    vec_u8(dst)[i] = 0;
                else
                    continue;
            } else if (f == TY_DECIMAL) {
                vec_u8(dst)[i] = vec_dec(src)[i] != 0;
            } else {
                vec_u8(dst)[i] = to_double_row(src, i) != 0;
            }
            dst->valid[i] = 1;
        }
        return;
    case TY_INT:
    case TY_BIGINT:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            int64_t v;
            if (f == TY_STRING) {
                if (parse_i64(vec_str(src)[i].p, vec_str(src)[i].len, t == TY_INT ? INT32_MIN : INT64_MIN,
                              t == TY_INT ? INT32_MAX : INT64_MAX, &v))
                    continue;
            } else if (to_i64_row(src, i, &v, tmp)) {
                continue;
            }
            if (t == TY_INT) {
                if (f == TY_FLOAT || f == TY_DOUBLE) {
                    double d = to_double_row(src, i);
                    v = isnan(d) ? 0 : d >= 2147483647.0 ? INT32_MAX : d <= -2147483648.0 ? INT32_MIN : (int64_t)d;
                }
                vec_i32(dst)[i] = (int32_t)(uint32_t)(uint64_t)v;
            } else {
                vec_i64(dst)[i] = v;
            }
            dst->valid[i] = 1;
        }
        return;
    case TY_FLOAT:
    case TY_DOUBLE:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            double d;
            if (f == TY_STRING) {
                if (parse_double(vec_str(src)[i].p, vec_str(src)[i].len, &d)) continue;
            } else {
                d = to_double_row(src, i);
            }
            if (t == TY_FLOAT) vec_f32(dst)[i] = (float)d;
            else vec_f64(dst)[i] = d;
            dst->valid[i] = 1;
        }
        return;
    case TY_DECIMAL: {
        int prec = dst->type->precision, scale = dst->type->scale;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            __int128 v;
            if (f == TY_STRING) {
                if (parse_decimal(vec_str(src)[i].p, vec_str(src)[i].len, prec, scale, &v)) continue;
            } else if (f == TY_DECIMAL) {
                int ss = src->type->scale;
                v = vec_dec(src)[i];
                if (scale >= ss) v *= pow10_128[scale - ss];
                else {
                    __int128 d = pow10_128[ss - scale], r = v % d;
                    v /= d;
                    if ((r < 0 ? -r : r) * 2 >= d) v += v < 0 || r < 0 ? -1 : 1;
                }
                if (v >= pow10_128[prec] || v <= -pow10_128[prec]) continue;
            } else if (f == TY_FLOAT || f == TY_DOUBLE) {
                double d = to_double_row(src, i) * (double)pow10_128[scale];
                if (isnan(d) || fabs(d) >= (double)pow10_128[prec]) continue;
                v = (__int128)llround(d);
                if (fabs(d) >= 9.2e18) v = (__int128)d;
            } else {
                int64_t x;
                if (to_i64_row(src, i, &x, tmp)) continue;
                v = (__int128)x * pow10_128[scale];
                if (v >= pow10_128[prec] || v <= -pow10_128[prec]) continue;
            }
            vec_dec(dst)[i] = v;
            dst->valid[i] = 1;
        }
        return;
    }
    case TY_DATE:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            int32_t d;
            if (f == TY_STRING) {
                if (dt_cast_str_to_date(vec_str(src)[i].p, vec_str(src)[i].len, &d)) continue;
            } else {
                d = dt_ts_to_date(vec_i64(src)[i]);
            }
            vec_i32(dst)[i] = d;
            dst->valid[i] = 1;
        }
        return;
    case TY_TIMESTAMP:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            int64_t ts;
            if (f == TY_STRING) {
                if (dt_cast_str_to_ts(vec_str(src)[i].p, vec_str(src)[i].len, &ts)) continue;
            } else if (f == TY_DATE) {
                ts = dt_date_to_ts(vec_i32(src)[i]);
            } else if (f == TY_FLOAT || f == TY_DOUBLE || f == TY_DECIMAL) {
                double d = to_double_row(src, i);
                if (isnan(d) || isinf(d)) continue;
                ts = (int64_t)(d * 1e6);
            } else if (f == TY_BOOLEAN) {
                continue;
            } else {
                int64_t s;
                if (to_i64_row(src, i, &s, tmp)) continue;
                ts = (int64_t)((uint64_t)s * 1000000u);
            }
            vec_i64(dst)[i] = ts;
            dst->valid[i] = 1;
        }
        return;
    case TY_STRUCT:
        for (uint32_t fi = 0; fi < dst->nchild; fi++) cast_rows(src->child[fi], sel, n, dst->child[fi], tmp);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            dst->valid[i] = src->valid[i];
            if (!src->valid[i])
                for (uint32_t fi = 0; fi < dst->nchild; fi++) dst->child[fi]->valid[i] = 0;
        }
        return;
    case TY_ARRAY:
    case TY_MAP: {
        /* copy the list structure, then cast the elements in one pass */
        uint32_t total = 0;
        for (uint32_t k = 0; k < n; k++)
            if (src->valid[sel[k]]) total += vec_list(src)[sel[k]].len;
        uint32_t base = vec_list_reserve(dst, total);
        uint32_t *esel = malloc((total ? total : 1) * sizeof *esel);
        uint32_t *dsel = malloc((total ? total : 1) * sizeof *dsel);
        uint32_t m = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!src->valid[i]) continue;
            struct vlist l = vec_list(src)[i];
            vec_list(dst)[i] = (struct vlist){base + m, l.len};
            dst->valid[i] = 1;
            for (uint32_t e = 0; e < l.len; e++, m++) {
                esel[m] = l.off + e;
                dsel[m] = base + m;
            }
        }
        dst->child_len = base + m;
        for (uint32_t c = 0; c < dst->nchild; c++) {
            /* cast element j of src into position dsel[j]: src and dst positions differ, so go row by row
             * through a temporary dense vector */
            struct vec *tmpv = vec_new(dst->heap, src->child[c]->type, m ? m : 1);
            for (uint32_t j = 0; j < m; j++) vec_copy_row(tmpv, j, src->child[c], esel[j], false);
            struct vec *outv = vec_new(dst->heap, dst->child[c]->type, m ? m : 1);
            for (uint32_t at = 0; at < m; at += VEC_MAX_ROWS) {
                uint32_t chunk = m - at < VEC_MAX_ROWS ? m - at : VEC_MAX_ROWS;
                uint32_t *cs = malloc(chunk * sizeof *cs);
                for (uint32_t j = 0; j < chunk; j++) cs[j] = at + j;
                cast_rows(tmpv, cs, chunk, outv, tmp);
                free(cs);
            }
            for (uint32_t j = 0; j < m; j++) vec_copy_row(dst->child[c], dsel[j], outv, j, false);
        }
        free(esel);
        free(dsel);
        return;
    }
    case TY_NULL: return;
    }
}

void kern_cast(const struct expr *e, struct ectx *cx, struct vec *const *a, const uint32_t *sel, uint32_t n, struct vec *out) {
    (void)e;
    (void)cx;
    struct buf tmp = {0};
    cast_rows(a[0], sel, n, out, &tmp);
    buf_free(&tmp);
}

int kern_text_to(const char *p, uint32_t n, struct vec *out, uint32_t i) {
    out->valid[i] = 0;
    switch (out->type->kind) {
    case TY_STRING: case TY_BINARY: vec_set_str(out, i, p, n); return 0;
    case TY_BOOLEAN: {
        const char *q = p;
        uint32_t m = n;
        trim(&q, &m);
        if (m == 4 && !strncasecmp(q, "true", 4)) vec_u8(out)[i] = 1;
        else if (m == 5 && !strncasecmp(q, "false", 5)) vec_u8(out)[i] = 0;
        else return -1;
        break;
    }
    case TY_INT: case TY_BIGINT: {
        int64_t v;
        if (parse_i64(p, n, out->type->kind == TY_INT ? INT32_MIN : INT64_MIN, out->type->kind == TY_INT ? INT32_MAX : INT64_MAX, &v))
            return -1;
        /* CSV/JSON readers reject fractions for integral fields */
        if (memchr(p, '.', n)) return -1;
        if (out->type->kind == TY_INT) vec_i32(out)[i] = (int32_t)v;
        else vec_i64(out)[i] = v;
        break;
    }
    case TY_FLOAT: case TY_DOUBLE: {
        double d;
        if (parse_double(p, n, &d)) return -1;
        if (out->type->kind == TY_FLOAT) vec_f32(out)[i] = (float)d;
        else vec_f64(out)[i] = d;
        break;
    }
    case TY_DECIMAL: {
        __int128 v;
        if (parse_decimal(p, n, out->type->precision, out->type->scale, &v)) return -1;
        vec_dec(out)[i] = v;
        break;
    }
    case TY_DATE: {
        int32_t d;
        if (dt_cast_str_to_date(p, n, &d)) return -1;
        vec_i32(out)[i] = d;
        break;
    }
    case TY_TIMESTAMP: {
        int64_t ts;
        if (dt_cast_str_to_ts(p, n, &ts)) return -1;
        vec_i64(out)[i] = ts;
        break;
    }
    default: return -1;
    }
    out->valid[i] = 1;
    return 0;
}

int kern_text_fmt(const char *p, uint32_t n, struct vec *out, uint32_t i, const struct text_fmt *fmt) {
    if (fmt && fmt->ts && out->type->kind == TY_TIMESTAMP) {
        int64_t ts;
        out->valid[i] = 0;
        if (dt_parse(fmt->ts, p, n, &ts)) return -1;
        vec_i64(out)[i] = ts;
        out->valid[i] = 1;
        return 0;
    }
    if (fmt && fmt->date && out->type->kind == TY_DATE) {
        int64_t ts;
        out->valid[i] = 0;
        if (dt_parse(fmt->date, p, n, &ts)) return -1;
        vec_i32(out)[i] = dt_ts_to_date(ts);
        out->valid[i] = 1;
        return 0;
    }
    return kern_text_to(p, n, out, i);
}
