/* vrow: see vrow.h. */
#include "engine/exec/vrow.h"

#include <math.h>
#include <string.h>

static int cmp_double(double a, double b) {
    if (isnan(a)) return isnan(b) ? 0 : 1;
    if (isnan(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
}

static int cmp_bytes(struct vstr a, struct vstr b) {
    uint32_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

int vrow_cmp(const struct vec *x, uint32_t i, const struct vec *y, uint32_t j) {
    int xv = x->valid[i], yv = y->valid[j];
    if (!xv || !yv) return xv - yv;
    switch (x->type->kind) {
    case TY_NULL: return 0;
    case TY_BOOLEAN: return (int)vec_u8(x)[i] - (int)vec_u8(y)[j];
    case TY_INT: case TY_DATE: {
        int32_t a = vec_i32(x)[i], b = vec_i32(y)[j];
        return a < b ? -1 : a > b;
    }
    case TY_BIGINT: case TY_TIMESTAMP: {
        int64_t a = vec_i64(x)[i], b = vec_i64(y)[j];
        return a < b ? -1 : a > b;
    }
    case TY_FLOAT: return cmp_double(vec_f32(x)[i], vec_f32(y)[j]);
    case TY_DOUBLE: return cmp_double(vec_f64(x)[i], vec_f64(y)[j]);
    case TY_DECIMAL: {
        __int128 a = vec_dec(x)[i], b = vec_dec(y)[j];
        return a < b ? -1 : a > b;
    }
    case TY_STRING: case TY_BINARY: return cmp_bytes(vec_str(x)[i], vec_str(y)[j]);
    case TY_STRUCT:
        for (uint32_t f = 0; f < x->nchild; f++) {
            int c = vrow_cmp(x->child[f], i, y->child[f], j);
            if (c) return c;
        }
        return 0;
    case TY_ARRAY: case TY_MAP: {
        struct vlist a = vec_list(x)[i], b = vec_list(y)[j];
        uint32_t n = a.len < b.len ? a.len : b.len;
        for (uint32_t k = 0; k < n; k++)
            for (uint32_t c = 0; c < x->nchild; c++) {
                int r = vrow_cmp(x->child[c], a.off + k, y->child[c], b.off + k);
                if (r) return r;
            }
        return a.len < b.len ? -1 : a.len > b.len;
    }
    }
    return 0;
}

/* 64x64 → 128 multiply folded to 64 bits: the mixing step of wyhash-style hashes. */
static inline uint64_t mum(uint64_t a, uint64_t b) {
    unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t ld8(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t ld4(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint64_t vrow_hash_bytes(const void *p, uint32_t n, uint64_t seed) {
    /* short keys (most grouping keys) cost two multiplies: the first and
     * last 8 (or 4) bytes overlap instead of a byte loop */
    const unsigned char *s = p;
    const uint64_t k1 = 0xa0761d6478bd642fULL, k2 = 0xe7037ed1a0b428dbULL, k3 = 0x8ebc6af09c88c6e3ULL;
    uint64_t a, b;
    seed ^= k1;
    if (n <= 16) {
        if (n >= 8) {
            a = ld8(s);
            b = ld8(s + n - 8);
        } else if (n >= 4) {
            a = ld4(s);
            b = ld4(s + n - 4);
        } else if (n > 0) {
            a = ((uint64_t)s[0] << 16) | ((uint64_t)s[n >> 1] << 8) | s[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        uint32_t i = n;
        while (i > 16) {
            seed = mum(ld8(s) ^ k2, ld8(s + 8) ^ seed);
            s += 16;
            i -= 16;
        }
        a = ld8(s + i - 16);
        b = ld8(s + i - 8);
    }
    return mum(k3 ^ n, mum(a ^ k2, b ^ seed));
}

uint64_t vrow_hash(const struct vec *v, uint32_t i, uint64_t h) {
    if (!v->valid[i]) return vrow_mix(h ^ 0x5bd1e995ULL);
    switch (v->type->kind) {
    case TY_NULL: return vrow_mix(h ^ 0x5bd1e995ULL);
    case TY_BOOLEAN: return vrow_mix(h ^ (uint64_t)(vec_u8(v)[i] + 1));
    case TY_INT: case TY_DATE: return vrow_mix(h ^ (uint64_t)(uint32_t)vec_i32(v)[i]);
    case TY_BIGINT: case TY_TIMESTAMP: return vrow_mix(h ^ (uint64_t)vec_i64(v)[i]);
    case TY_FLOAT: case TY_DOUBLE: {
        double d = v->type->kind == TY_FLOAT ? vec_f32(v)[i] : vec_f64(v)[i];
        if (d == 0) d = 0; /* -0.0 hashes as 0.0 */
        if (isnan(d)) d = NAN;
        uint64_t w;
        memcpy(&w, &d, 8);
        return vrow_mix(h ^ w);
    }
    case TY_DECIMAL: {
        __int128 d = vec_dec(v)[i];
        return vrow_mix(h ^ (uint64_t)d ^ vrow_mix((uint64_t)(d >> 64)));
    }
    case TY_STRING: case TY_BINARY: return vrow_hash_bytes(vec_str(v)[i].p, vec_str(v)[i].len, h);
    case TY_STRUCT:
        for (uint32_t f = 0; f < v->nchild; f++) h = vrow_hash(v->child[f], i, h);
        return h;
    case TY_ARRAY: case TY_MAP: {
        struct vlist l = vec_list(v)[i];
        h = vrow_mix(h ^ l.len);
        for (uint32_t k = 0; k < l.len; k++)
            for (uint32_t c = 0; c < v->nchild; c++) h = vrow_hash(v->child[c], l.off + k, h);
        return h;
    }
    }
    return h;
}
