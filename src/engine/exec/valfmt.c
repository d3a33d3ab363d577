/* valfmt: see valfmt.h. The double formatting finds the shortest "%.*e"
 * precision that reads back to the same value, then lays the digits out
 * the way Java does (plain between 1e-3 and 1e7, else d.dddE±n). */
#include "engine/exec/valfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/formats/datetime.h"

int vfmt_shortest(double d, int is_float, char digits[32], int *nd, int *neg) {
    char tmp[64];
    int prec;
    for (prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, d);
        if (is_float ? (float)strtod(tmp, NULL) == (float)d : strtod(tmp, NULL) == d) break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", prec, d);
    /* tmp = [-]D[.DDD]e±XX: collect the digits and the exponent */
    *nd = 0;
    *neg = tmp[0] == '-';
    const char *p = tmp + *neg;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[(*nd)++] = *p;
    return atoi(p + 1);
}

void vfmt_double(struct buf *b, double d, int is_float) {
    if (isnan(d)) { buf_printf(b, "NaN"); return; }
    if (isinf(d)) { buf_printf(b, d < 0 ? "-Infinity" : "Infinity"); return; }
    if (d == 0) { buf_printf(b, signbit(d) ? "-0.0" : "0.0"); return; }
    char digits[32];
    int nd, neg;
    int exp10 = vfmt_shortest(d, is_float, digits, &nd, &neg);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (neg) buf_putc(b, '-');
    double ad = fabs(d);
    if (ad >= 1e-3 && ad < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++) buf_putc(b, (uint8_t)(i < nd ? digits[i] : '0'));
            buf_putc(b, '.');
            if (nd > exp10 + 1) buf_append(b, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
            else buf_putc(b, '0');
        } else {
            buf_printf(b, "0.");
            for (int i = 0; i < -exp10 - 1; i++) buf_putc(b, '0');
            buf_append(b, digits, (size_t)nd);
        }
    } else {
        buf_putc(b, (uint8_t)digits[0]);
        buf_putc(b, '.');
        if (nd > 1) buf_append(b, digits + 1, (size_t)(nd - 1));
        else buf_putc(b, '0');
        buf_printf(b, "E%d", exp10);
    }
}

void vfmt_date(struct buf *b, int32_t days) {
    char tmp[DT_TS_STR_MAX];
    int n = dt_cast_date_to_str(days, tmp);
    if (n > 0) buf_append(b, tmp, (size_t)n);
}

void vfmt_timestamp(struct buf *b, int64_t micros) {
    char tmp[DT_TS_STR_MAX];
    int n = dt_cast_ts_to_str(micros, tmp);
    if (n > 0) buf_append(b, tmp, (size_t)n);
}

void vfmt_decimal(struct buf *b, __int128 v, int scale) {
    char tmp[48];
    int n = 0, neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale) tmp[n++] = '0';
    if (neg) buf_putc(b, '-');
    for (int i = n - 1; i >= 0; i--) {
        buf_putc(b, (uint8_t)tmp[i]);
        if (i == scale && scale > 0) buf_putc(b, '.');
    }
}

static void fmt_nested(struct buf *b, const struct vec *v, uint32_t row, enum vfmt_mode mode) {
    if (!v->valid[row]) {
        buf_printf(b, "null");
        return;
    }
    vfmt_value(b, v, row, mode);
}

void vfmt_value(struct buf *b, const struct vec *v, uint32_t row, enum vfmt_mode mode) {
    if (!v->valid[row]) {
        buf_printf(b, mode == VFMT_SHOW ? "NULL" : "null");
        return;
    }
    switch (v->type->kind) {
    case TY_NULL: buf_printf(b, "NULL"); break;
    case TY_BOOLEAN: buf_printf(b, vec_u8(v)[row] ? "true" : "false"); break;
    case TY_INT: buf_printf(b, "%d", vec_i32(v)[row]); break;
    case TY_BIGINT: buf_printf(b, "%lld", (long long)vec_i64(v)[row]); break;
    case TY_FLOAT: vfmt_double(b, vec_f32(v)[row], 1); break;
    case TY_DOUBLE: vfmt_double(b, vec_f64(v)[row], 0); break;
    case TY_DECIMAL: vfmt_decimal(b, vec_dec(v)[row], v->type->scale); break;
    case TY_DATE: vfmt_date(b, vec_i32(v)[row]); break;
    case TY_TIMESTAMP: vfmt_timestamp(b, vec_i64(v)[row]); break;
    case TY_STRING: buf_append(b, vec_str(v)[row].p, vec_str(v)[row].len); break;
    case TY_BINARY: {
        struct vstr s = vec_str(v)[row];
        if (mode == VFMT_CAST) {
            buf_append(b, s.p, s.len);
            break;
        }
        buf_putc(b, '[');
        for (uint32_t i = 0; i < s.len; i++) buf_printf(b, i ? " %02X" : "%02X", (unsigned char)s.p[i]);
        buf_putc(b, ']');
        break;
    }
    case TY_STRUCT:
        buf_putc(b, '{');
        for (uint32_t f = 0; f < v->nchild; f++) {
            if (f) buf_printf(b, ", ");
            fmt_nested(b, v->child[f], row, mode);
        }
        buf_putc(b, '}');
        break;
    case TY_ARRAY: {
        struct vlist l = vec_list(v)[row];
        buf_putc(b, '[');
        for (uint32_t k = 0; k < l.len; k++) {
            if (k) buf_printf(b, ", ");
            fmt_nested(b, v->child[0], l.off + k, mode);
        }
        buf_putc(b, ']');
        break;
    }
    case TY_MAP: {
        struct vlist l = vec_list(v)[row];
        buf_putc(b, '{');
        for (uint32_t k = 0; k < l.len; k++) {
            if (k) buf_printf(b, ", ");
            fmt_nested(b, v->child[0], l.off + k, mode);
            buf_printf(b, " -> ");
            fmt_nested(b, v->child[1], l.off + k, mode);
        }
        buf_putc(b, '}');
        break;
    }
    }
}
