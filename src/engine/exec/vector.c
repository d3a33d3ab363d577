/* vector: see vector.h. Allocation of vectors and batches in an arena, and
 * the few row-level helpers (copy, string set, nested growth) that operators
 * need when they materialise rows (aggregation output, state restore). */
#include "engine/exec/vector.h"

#include <string.h>

uint32_t vec_identity[VEC_MAX_ROWS];

__attribute__((constructor)) static void vec_identity_init(void) {
    for (uint32_t i = 0; i < VEC_MAX_ROWS; i++) vec_identity[i] = i;
}

struct vec *vec_new(struct arena *heap, const struct ty *t, uint32_t cap) {
    struct vec *v = arena_calloc(heap, sizeof *v);
    v->type = t;
    v->cap = cap;
    v->heap = heap;
    v->valid = arena_calloc(heap, cap ? cap : 1);
    size_t w = ty_width(t);
    if (w) v->data = arena_calloc(heap, w * (cap ? cap : 1));
    switch (t->kind) {
    case TY_STRUCT:
        v->nchild = t->nfields;
        v->child = arena_alloc(heap, (t->nfields ? t->nfields : 1) * sizeof *v->child);
        for (uint32_t f = 0; f < t->nfields; f++) v->child[f] = vec_new(heap, t->fields[f].type, cap);
        break;
    case TY_ARRAY:
        v->nchild = 1;
        v->child = arena_alloc(heap, sizeof *v->child);
        v->child[0] = vec_new(heap, t->elem, cap);
        break;
    case TY_MAP:
        v->nchild = 2;
        v->child = arena_alloc(heap, 2 * sizeof *v->child);
        v->child[0] = vec_new(heap, t->key, cap);
        v->child[1] = vec_new(heap, t->elem, cap);
        break;
    default: break;
    }
    return v;
}

void vec_fill_valid(struct vec *v, uint8_t valid) { memset(v->valid, valid, v->cap); }

void vec_set_str(struct vec *v, uint32_t i, const char *s, uint32_t n) {
    char *p = arena_alloc(v->heap, n ? n : 1);
    if (n) memcpy(p, s, n);
    vec_str(v)[i] = (struct vstr){p, n};
    v->valid[i] = 1;
}

void vec_reserve(struct vec *v, uint32_t need) {
    if (need <= v->cap) return;
    uint32_t ncap = v->cap ? v->cap : 16;
    while (ncap < need) ncap *= 2;
    uint8_t *valid = arena_calloc(v->heap, ncap);
    memcpy(valid, v->valid, v->cap);
    v->valid = valid;
    size_t w = ty_width(v->type);
    if (w) {
        void *data = arena_calloc(v->heap, w * ncap);
        memcpy(data, v->data, w * v->cap);
        v->data = data;
    }
    if (v->type->kind == TY_STRUCT)
        for (uint32_t f = 0; f < v->nchild; f++) vec_reserve(v->child[f], ncap);
    v->cap = ncap;
}

uint32_t vec_list_reserve(struct vec *v, uint32_t extra) {
    uint32_t need = v->child_len + extra;
    for (uint32_t c = 0; c < v->nchild; c++) vec_reserve(v->child[c], need);
    return v->child_len;
}

void vec_copy_row(struct vec *dst, uint32_t di, const struct vec *src, uint32_t si, bool copy_strings) {
    if (!src->valid[si]) {
        dst->valid[di] = 0;
        if (dst->type->kind == TY_STRUCT)
            for (uint32_t f = 0; f < dst->nchild; f++) dst->child[f]->valid[di] = 0;
        return;
    }
    dst->valid[di] = 1;
    switch (src->type->kind) {
    case TY_NULL: dst->valid[di] = 0; break;
    case TY_STRING:
    case TY_BINARY:
        if (copy_strings) vec_set_str(dst, di, vec_str(src)[si].p, vec_str(src)[si].len);
        else vec_str(dst)[di] = vec_str(src)[si];
        break;
    case TY_STRUCT:
        for (uint32_t f = 0; f < src->nchild; f++) vec_copy_row(dst->child[f], di, src->child[f], si, copy_strings);
        break;
    case TY_ARRAY:
    case TY_MAP: {
        struct vlist l = vec_list(src)[si];
        uint32_t off = vec_list_reserve(dst, l.len);
        for (uint32_t c = 0; c < src->nchild; c++)
            for (uint32_t k = 0; k < l.len; k++)
                vec_copy_row(dst->child[c], off + k, src->child[c], l.off + k, copy_strings);
        dst->child_len += l.len;
        vec_list(dst)[di] = (struct vlist){off, l.len};
        break;
    }
    default: {
        size_t w = ty_width(src->type);
        memcpy((char *)dst->data + w * di, (const char *)src->data + w * si, w);
    }
    }
}

struct batch *batch_new(struct arena *heap, const struct ty *schema, uint32_t cap) {
    struct batch *b = arena_calloc(heap, sizeof *b);
    b->cap = cap;
    b->heap = heap;
    b->sel = vec_identity;
    b->ncols = schema->nfields;
    b->cols = arena_alloc(heap, (schema->nfields ? schema->nfields : 1) * sizeof *b->cols);
    for (uint32_t c = 0; c < schema->nfields; c++) b->cols[c] = vec_new(heap, schema->fields[c].type, cap);
    return b;
}

void batch_set_rows(struct batch *b, uint32_t n) {
    b->n = n;
    b->nsel = n;
    b->sel = vec_identity;
}

struct batch *batch_compact(struct arena *heap, const struct batch *src) {
    struct batch *b = arena_calloc(heap, sizeof *b);
    uint32_t cap = src->nsel ? src->nsel : 1;
    b->cap = cap;
    b->heap = heap;
    b->sel = vec_identity;
    b->ncols = src->ncols;
    b->cols = arena_alloc(heap, (src->ncols ? src->ncols : 1) * sizeof *b->cols);
    for (uint32_t c = 0; c < src->ncols; c++) {
        b->cols[c] = vec_new(heap, src->cols[c]->type, cap);
        for (uint32_t k = 0; k < src->nsel; k++) vec_copy_row(b->cols[c], k, src->cols[c], src->sel[k], true);
    }
    b->n = b->nsel = src->nsel;
    return b;
}
