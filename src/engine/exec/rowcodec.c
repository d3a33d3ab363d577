/* rowcodec: see rowcodec.h. */
#include "engine/exec/rowcodec.h"

#include <string.h>

#include "common/err.h"

static void enc(struct buf *b, const struct vec *v, uint32_t i) {
    uint8_t valid = v->valid[i];
    buf_putc(b, valid);
    if (!valid) return;
    switch (v->type->kind) {
    case TY_NULL: return;
    case TY_STRING: case TY_BINARY: {
        struct vstr s = vec_str(v)[i];
        buf_append(b, &s.len, 4);
        buf_append(b, s.p, s.len);
        return;
    }
    case TY_STRUCT:
        for (uint32_t f = 0; f < v->nchild; f++) enc(b, v->child[f], i);
        return;
    case TY_ARRAY: case TY_MAP: {
        struct vlist l = vec_list(v)[i];
        buf_append(b, &l.len, 4);
        for (uint32_t k = 0; k < l.len; k++)
            for (uint32_t c = 0; c < v->nchild; c++) enc(b, v->child[c], l.off + k);
        return;
    }
    default: {
        size_t w = ty_width(v->type);
        buf_append(b, (const char *)v->data + w * i, w);
    }
    }
}

void rowc_encode(struct buf *out, struct vec *const *cols, uint32_t n, uint32_t i) {
    for (uint32_t c = 0; c < n; c++) enc(out, cols[c], i);
}

static int need(size_t len, size_t at, size_t n) { return at + n <= len ? 0 : WERR_CORRUPT; }

static int dec(const uint8_t *p, size_t len, size_t *at, struct vec *v, uint32_t i, int depth) {
    if (depth > 64 || need(len, *at, 1)) return WERR_CORRUPT;
    uint8_t valid = p[(*at)++];
    if (valid > 1) return WERR_CORRUPT;
    if (!valid) {
        v->valid[i] = 0;
        if (v->type->kind == TY_STRUCT)
            for (uint32_t f = 0; f < v->nchild; f++) v->child[f]->valid[i] = 0;
        return 0;
    }
    switch (v->type->kind) {
    case TY_NULL: v->valid[i] = 0; return 0;
    case TY_STRING: case TY_BINARY: {
        uint32_t n;
        if (need(len, *at, 4)) return WERR_CORRUPT;
        memcpy(&n, p + *at, 4);
        *at += 4;
        if (need(len, *at, n)) return WERR_CORRUPT;
        vec_set_str(v, i, (const char *)p + *at, n);
        *at += n;
        return 0;
    }
    case TY_STRUCT:
        for (uint32_t f = 0; f < v->nchild; f++)
            if (dec(p, len, at, v->child[f], i, depth + 1)) return WERR_CORRUPT;
        v->valid[i] = 1;
        return 0;
    case TY_ARRAY: case TY_MAP: {
        uint32_t n;
        if (need(len, *at, 4)) return WERR_CORRUPT;
        memcpy(&n, p + *at, 4);
        *at += 4;
        if (n > len - *at) return WERR_CORRUPT; /* every element takes at least a byte */
        uint32_t base = vec_list_reserve(v, n);
        for (uint32_t k = 0; k < n; k++)
            for (uint32_t c = 0; c < v->nchild; c++)
                if (dec(p, len, at, v->child[c], base + k, depth + 1)) return WERR_CORRUPT;
        v->child_len += n;
        vec_list(v)[i] = (struct vlist){base, n};
        v->valid[i] = 1;
        return 0;
    }
    default: {
        size_t w = ty_width(v->type);
        if (need(len, *at, w)) return WERR_CORRUPT;
        memcpy((char *)v->data + w * i, p + *at, w);
        *at += w;
        if (v->type->kind == TY_BOOLEAN && vec_u8(v)[i] > 1) return WERR_CORRUPT;
        v->valid[i] = 1;
        return 0;
    }
    }
}

int rowc_decode(const uint8_t *p, size_t len, size_t *at, struct vec *const *cols, uint32_t n, uint32_t i) {
    for (uint32_t c = 0; c < n; c++)
        if (dec(p, len, at, cols[c], i, 0)) return WERR_CORRUPT;
    return 0;
}
