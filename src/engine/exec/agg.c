/* agg: see agg.h. State layouts (all 8-byte aligned):
 *   count            int64 n
 *   sum int/bigint   int64 sum, int64 seen      (wraps like Spark's non-ANSI long sum)
 *   sum/avg double   double sum, int64 n
 *   sum/avg decimal  int128 sum, int64 n, pad
 *   avg int/bigint   double sum... no: int64 sum would overflow → double sum, int64 n
 *   min/max/first/last  int64 set, then a value slot of 16 bytes (scalars
 *                    inline; strings as pointer+length into the heap). */
#include "engine/exec/agg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "engine/exec/vrow.h"

static const char *const names[] = {"count", "sum", "avg", "mean", "min", "max", "first", "last", "first_value", "last_value", "any_value"};

bool agg_is_aggregate(const char *name) {
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(names[i], name)) return true;
    return false;
}

struct vslot {
    int64_t set;
    uint32_t cap; /* strings: bytes allocated at v.s.p (reused by later values) */
    union {
        int64_t i;
        double d;
        float f;
        __int128 dec;
        struct vstr s;
    } v;
};

int agg_resolve(struct arena *a, const char *name, const struct ty *t, struct agg_fn *out, char *err, size_t errcap) {
    memset(out, 0, sizeof *out);
    err[0] = 0;
    out->arg_type = t;
    if (!strcasecmp(name, "count")) {
        out->kind = t ? AGG_COUNT : AGG_COUNT_STAR;
        out->type = ty_bigint();
        out->state_size = 8;
        return 0;
    }
    if (!t) {
        snprintf(err, errcap, "%s(*) is not allowed; only count(*)", name);
        return -1;
    }
    if (!strcasecmp(name, "sum") || !strcasecmp(name, "avg") || !strcasecmp(name, "mean")) {
        int avg = strcasecmp(name, "sum") != 0;
        out->kind = avg ? AGG_AVG : AGG_SUM;
        switch (t->kind) {
        case TY_INT: case TY_BIGINT: out->type = avg ? ty_double() : ty_bigint(); break;
        case TY_FLOAT: case TY_DOUBLE: out->type = ty_double(); break;
        case TY_DECIMAL: {
            int p = t->precision + (avg ? 4 : 10), s = t->scale + (avg ? 4 : 0);
            out->type = ty_decimal(a, p > 38 ? 38 : p, s > 38 ? 38 : s);
            break;
        }
        case TY_NULL: out->type = avg ? ty_double() : ty_double(); break;
        default: {
            struct buf b = {0};
            ty_sql(&b, t);
            snprintf(err, errcap, "data type mismatch: %s requires a numeric argument, not %.*s", name, (int)b.len, (char *)b.p);
            buf_free(&b);
            return -1;
        }
        }
        out->state_size = 32;
        return 0;
    }
    if (t->kind == TY_STRUCT || t->kind == TY_ARRAY || t->kind == TY_MAP) {
        if (!strcasecmp(name, "min") || !strcasecmp(name, "max")) {
            snprintf(err, errcap, "%s of nested values is not supported", name);
            return -1;
        }
        snprintf(err, errcap, "%s of nested values is not supported yet", name);
        return -1;
    }
    if (!strcasecmp(name, "min")) out->kind = AGG_MIN;
    else if (!strcasecmp(name, "max")) out->kind = AGG_MAX;
    else if (!strcasecmp(name, "first") || !strcasecmp(name, "first_value") || !strcasecmp(name, "any_value")) out->kind = AGG_FIRST;
    else if (!strcasecmp(name, "last") || !strcasecmp(name, "last_value")) out->kind = AGG_LAST;
    else return -1;
    out->type = t;
    out->state_size = sizeof(struct vslot);
    return 0;
}

void agg_init(const struct agg_fn *f, void *state) { memset(state, 0, f->state_size); }

struct sum_i { int64_t sum, n; };
struct sum_d { double sum; int64_t n; };
struct sum_dec { __int128 sum; int64_t n, pad; };

static void load(struct vslot *s, const struct vec *v, uint32_t i, struct arena *heap) {
    s->set = 1;
    switch (v->type->kind) {
    case TY_BOOLEAN: s->v.i = vec_u8(v)[i]; break;
    case TY_INT: case TY_DATE: s->v.i = vec_i32(v)[i]; break;
    case TY_BIGINT: case TY_TIMESTAMP: s->v.i = vec_i64(v)[i]; break;
    case TY_FLOAT: s->v.d = vec_f32(v)[i]; break;
    case TY_DOUBLE: s->v.d = vec_f64(v)[i]; break;
    case TY_DECIMAL: s->v.dec = vec_dec(v)[i]; break;
    case TY_STRING: case TY_BINARY: {
        /* reuse the slot's buffer when it is big enough: a long stream of
         * min/max updates must not grow the heap without bound */
        struct vstr x = vec_str(v)[i];
        char *p;
        if (s->v.s.p && s->cap >= x.len) {
            p = (char *)(uintptr_t)s->v.s.p;
        } else {
            uint32_t cap = x.len > 2 * s->cap ? x.len : 2 * s->cap;
            p = arena_alloc(heap, cap ? cap : 1);
            s->cap = cap;
        }
        if (x.len) memcpy(p, x.p, x.len);
        s->v.s = (struct vstr){p, x.len};
        break;
    }
    default: s->set = 0;
    }
}

/* compares the slot with row i of v (both set) */
static int cmp_slot(const struct vslot *s, const struct vec *v, uint32_t i) {
    switch (v->type->kind) {
    case TY_BOOLEAN: return (int)s->v.i - (int)vec_u8(v)[i];
    case TY_INT: case TY_DATE: return s->v.i < vec_i32(v)[i] ? -1 : s->v.i > vec_i32(v)[i];
    case TY_BIGINT: case TY_TIMESTAMP: return s->v.i < vec_i64(v)[i] ? -1 : s->v.i > vec_i64(v)[i];
    case TY_DECIMAL: return s->v.dec < vec_dec(v)[i] ? -1 : s->v.dec > vec_dec(v)[i];
    default: {
        /* doubles and strings: go through a one-row vector comparison */
        struct vec tmp = *v;
        uint8_t valid = 1;
        double d = s->v.d;
        float fl = (float)s->v.d;
        struct vstr st = s->v.s;
        tmp.valid = &valid;
        tmp.cap = 1;
        if (v->type->kind == TY_DOUBLE) tmp.data = &d;
        else if (v->type->kind == TY_FLOAT) tmp.data = &fl;
        else tmp.data = &st;
        return vrow_cmp(&tmp, 0, v, i);
    }
    }
}

void agg_update(const struct agg_fn *f, uint8_t *states, uint32_t stride, const uint32_t *slots, const struct vec *arg,
                const uint32_t *sel, uint32_t n, struct arena *heap) {
    switch (f->kind) {
    case AGG_COUNT_STAR:
        for (uint32_t k = 0; k < n; k++) (*(int64_t *)(states + (size_t)slots[k] * stride))++;
        return;
    case AGG_COUNT:
        for (uint32_t k = 0; k < n; k++) *(int64_t *)(states + (size_t)slots[k] * stride) += arg->valid[sel[k]];
        return;
    case AGG_SUM:
    case AGG_AVG:
        switch (arg->type->kind) {
        case TY_INT:
            if (f->kind == AGG_SUM) {
                const int32_t *x = vec_i32(arg);
                for (uint32_t k = 0; k < n; k++) {
                    uint32_t i = sel[k];
                    struct sum_i *s = (struct sum_i *)(states + (size_t)slots[k] * stride);
                    uint8_t v = arg->valid[i];
                    s->sum = (int64_t)((uint64_t)s->sum + (uint64_t)(v ? x[i] : 0));
                    s->n += v;
                }
            } else {
                const int32_t *x = vec_i32(arg);
                for (uint32_t k = 0; k < n; k++) {
                    uint32_t i = sel[k];
                    struct sum_d *s = (struct sum_d *)(states + (size_t)slots[k] * stride);
                    if (!arg->valid[i]) continue;
                    s->sum += x[i];
                    s->n++;
                }
            }
            return;
        case TY_BIGINT:
            if (f->kind == AGG_SUM) {
                const int64_t *x = vec_i64(arg);
                for (uint32_t k = 0; k < n; k++) {
                    uint32_t i = sel[k];
                    struct sum_i *s = (struct sum_i *)(states + (size_t)slots[k] * stride);
                    uint8_t v = arg->valid[i];
                    s->sum = (int64_t)((uint64_t)s->sum + (uint64_t)(v ? x[i] : 0));
                    s->n += v;
                }
            } else {
                const int64_t *x = vec_i64(arg);
                for (uint32_t k = 0; k < n; k++) {
                    uint32_t i = sel[k];
                    struct sum_d *s = (struct sum_d *)(states + (size_t)slots[k] * stride);
                    if (!arg->valid[i]) continue;
                    s->sum += (double)x[i];
                    s->n++;
                }
            }
            return;
        case TY_FLOAT:
        case TY_DOUBLE:
            for (uint32_t k = 0; k < n; k++) {
                uint32_t i = sel[k];
                struct sum_d *s = (struct sum_d *)(states + (size_t)slots[k] * stride);
                if (!arg->valid[i]) continue;
                s->sum += arg->type->kind == TY_FLOAT ? vec_f32(arg)[i] : vec_f64(arg)[i];
                s->n++;
            }
            return;
        case TY_DECIMAL:
            for (uint32_t k = 0; k < n; k++) {
                uint32_t i = sel[k];
                struct sum_dec *s = (struct sum_dec *)(states + (size_t)slots[k] * stride);
                if (!arg->valid[i]) continue;
                s->sum += vec_dec(arg)[i];
                s->n++;
            }
            return;
        default: return;
        }
    case AGG_MIN:
    case AGG_MAX:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            if (!arg->valid[i]) continue;
            struct vslot *s = (struct vslot *)(states + (size_t)slots[k] * stride);
            if (!s->set) {
                load(s, arg, i, heap);
                continue;
            }
            int c = cmp_slot(s, arg, i);
            if (f->kind == AGG_MIN ? c > 0 : c < 0) load(s, arg, i, heap);
        }
        return;
    case AGG_FIRST:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            struct vslot *s = (struct vslot *)(states + (size_t)slots[k] * stride);
            if (s->set) continue;
            if (!arg->valid[i]) {
                if (!f->ignore_nulls) s->set = 2; /* first value is NULL */
                continue;
            }
            load(s, arg, i, heap);
        }
        return;
    case AGG_LAST:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            struct vslot *s = (struct vslot *)(states + (size_t)slots[k] * stride);
            if (!arg->valid[i]) {
                if (!f->ignore_nulls) s->set = 2;
                continue;
            }
            load(s, arg, i, heap);
        }
        return;
    }
}

void agg_merge(const struct agg_fn *f, void *dst, const void *src, struct arena *heap) {
    switch (f->kind) {
    case AGG_COUNT: case AGG_COUNT_STAR: *(int64_t *)dst += *(const int64_t *)src; return;
    case AGG_SUM: case AGG_AVG:
        switch (f->arg_type->kind) {
        case TY_INT: case TY_BIGINT:
            if (f->kind == AGG_SUM) {
                struct sum_i *d = dst;
                const struct sum_i *s = src;
                d->sum = (int64_t)((uint64_t)d->sum + (uint64_t)s->sum);
                d->n += s->n;
                return;
            }
            /* avg of ints keeps a double sum */
            __attribute__((fallthrough));
        case TY_FLOAT: case TY_DOUBLE: case TY_NULL: {
            struct sum_d *d = dst;
            const struct sum_d *s = src;
            d->sum += s->sum;
            d->n += s->n;
            return;
        }
        case TY_DECIMAL: {
            struct sum_dec *d = dst;
            const struct sum_dec *s = src;
            d->sum += s->sum;
            d->n += s->n;
            return;
        }
        default: return;
        }
    case AGG_MIN: case AGG_MAX: case AGG_FIRST: case AGG_LAST: {
        struct vslot *d = dst;
        const struct vslot *s = src;
        if (!s->set) return;
        int take = 0;
        if (f->kind == AGG_LAST || !d->set) take = 1;
        else if (f->kind != AGG_FIRST && d->set == 1 && s->set == 1) {
            /* compare through a one-row vector of the source slot */
            struct vec v = {.type = f->arg_type, .cap = 1};
            uint8_t valid = 1;
            v.valid = &valid;
            int32_t i32 = (int32_t)s->v.i;
            uint8_t u8 = (uint8_t)s->v.i;
            float fl = (float)s->v.d;
            switch (f->arg_type->kind) {
            case TY_BOOLEAN: v.data = &u8; break;
            case TY_INT: case TY_DATE: v.data = &i32; break;
            case TY_FLOAT: v.data = &fl; break;
            default: v.data = (void *)&s->v; break;
            }
            int c = cmp_slot(d, &v, 0);
            take = f->kind == AGG_MIN ? c > 0 : c < 0;
        }
        if (!take) return;
        *d = *s;
        if (s->set == 1 && (f->arg_type->kind == TY_STRING || f->arg_type->kind == TY_BINARY)) {
            char *p = arena_alloc(heap, s->v.s.len ? s->v.s.len : 1);
            if (s->v.s.len) memcpy(p, s->v.s.p, s->v.s.len);
            d->v.s.p = p;
            d->cap = s->v.s.len;
        }
        return;
    }
    }
}

void agg_final(const struct agg_fn *f, const void *state, struct vec *out, uint32_t i) {
    out->valid[i] = 0;
    switch (f->kind) {
    case AGG_COUNT: case AGG_COUNT_STAR:
        vec_i64(out)[i] = *(const int64_t *)state;
        out->valid[i] = 1;
        return;
    case AGG_SUM: case AGG_AVG: {
        enum ty_kind k = f->arg_type->kind;
        if ((k == TY_INT || k == TY_BIGINT) && f->kind == AGG_SUM) {
            const struct sum_i *s = state;
            if (!s->n) return;
            vec_i64(out)[i] = s->sum;
        } else if (k == TY_DECIMAL) {
            const struct sum_dec *s = state;
            if (!s->n) return;
            if (f->kind == AGG_SUM) {
                /* a sum that no longer fits its DECIMAL(p, s) is NULL (non-ANSI overflow) */
                __int128 lim = 1;
                for (int d = 0; d < out->type->precision; d++) lim *= 10;
                if (s->sum >= lim || s->sum <= -lim) return;
                vec_dec(out)[i] = s->sum;
            } else {
                /* avg: scale up by 4 digits then divide, rounding half up */
                __int128 num = s->sum * 10000, q = num / s->n, r = num % s->n;
                if ((r < 0 ? -r : r) * 2 >= s->n) q += num < 0 ? -1 : 1;
                vec_dec(out)[i] = q;
            }
        } else {
            const struct sum_d *s = state;
            if (!s->n) return;
            vec_f64(out)[i] = f->kind == AGG_AVG ? s->sum / (double)s->n : s->sum;
        }
        out->valid[i] = 1;
        return;
    }
    default: {
        const struct vslot *s = state;
        if (s->set != 1) return;
        out->valid[i] = 1;
        switch (out->type->kind) {
        case TY_BOOLEAN: vec_u8(out)[i] = (uint8_t)s->v.i; break;
        case TY_INT: case TY_DATE: vec_i32(out)[i] = (int32_t)s->v.i; break;
        case TY_BIGINT: case TY_TIMESTAMP: vec_i64(out)[i] = s->v.i; break;
        case TY_FLOAT: vec_f32(out)[i] = (float)s->v.d; break;
        case TY_DOUBLE: vec_f64(out)[i] = s->v.d; break;
        case TY_DECIMAL: vec_dec(out)[i] = s->v.dec; break;
        case TY_STRING: case TY_BINARY: vec_str(out)[i] = s->v.s; break;
        default: out->valid[i] = 0;
        }
    }
    }
}

static int slot_is_string(const struct agg_fn *f) {
    return (f->kind == AGG_MIN || f->kind == AGG_MAX || f->kind == AGG_FIRST || f->kind == AGG_LAST) &&
           (f->arg_type->kind == TY_STRING || f->arg_type->kind == TY_BINARY);
}

void agg_state_encode(const struct agg_fn *f, const void *state, struct buf *out) {
    if (!slot_is_string(f)) {
        buf_append(out, state, f->state_size);
        return;
    }
    const struct vslot *s = state;
    buf_append(out, &s->set, 8);
    uint32_t n = s->set == 1 ? s->v.s.len : 0;
    buf_append(out, &n, 4);
    if (n) buf_append(out, s->v.s.p, n);
}

int agg_state_decode(const struct agg_fn *f, const uint8_t *p, size_t len, size_t *at, void *state, struct arena *heap) {
    if (!slot_is_string(f)) {
        if (len - *at < f->state_size) return WERR_CORRUPT;
        memcpy(state, p + *at, f->state_size);
        *at += f->state_size;
        return 0;
    }
    struct vslot *s = state;
    uint32_t n;
    if (len - *at < 12) return WERR_CORRUPT;
    memset(s, 0, sizeof *s);
    memcpy(&s->set, p + *at, 8);
    memcpy(&n, p + *at + 8, 4);
    *at += 12;
    if (len - *at < n) return WERR_CORRUPT;
    char *q = arena_alloc(heap, n ? n : 1);
    if (n) memcpy(q, p + *at, n);
    *at += n;
    s->v.s = (struct vstr){q, n};
    s->cap = n;
    return 0;
}

void agg_state_rehome(const struct agg_fn *f, void *state, struct arena *heap) {
    if (!slot_is_string(f)) return;
    struct vslot *s = state;
    if (s->set != 1 || !s->v.s.p) {
        s->v.s.p = NULL;
        s->cap = 0;
        return;
    }
    char *p = arena_alloc(heap, s->v.s.len ? s->v.s.len : 1);
    if (s->v.s.len) memcpy(p, s->v.s.p, s->v.s.len);
    s->v.s.p = p;
    s->cap = s->v.s.len;
}
