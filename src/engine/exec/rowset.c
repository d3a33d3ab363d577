/* rowset: see rowset.h. Linear probing over a power-of-two table kept at
 * most half full; the stored 64-bit hash short-cuts most key comparisons.
 * Fixed-width key columns hash and compare in type-specialised loops;
 * strings hash with vrow_hash_bytes. A table slot keeps the top half of the
 * hash next to the id, so most mismatches are rejected without touching the
 * stored keys, and a batch's slots are prefetched before probing (large
 * states are cache-miss bound). */
#include "engine/exec/rowset.h"

#include <stdlib.h>
#include <string.h>

#include "engine/exec/vrow.h"

static void *xrealloc(void *p, size_t n) {
    void *r = realloc(p, n ? n : 1);
    if (!r) abort();
    return r;
}

void rs_init(struct rowset *s, const struct ty *const *types, uint32_t ncols) {
    memset(s, 0, sizeof *s);
    s->ncols = ncols;
    s->types = malloc((ncols ? ncols : 1) * sizeof *s->types);
    memcpy(s->types, types, ncols * sizeof *types);
    s->heap = malloc(sizeof *s->heap);
    arena_init(s->heap, 1 << 16);
    s->cap = 64;
    s->cols = malloc((ncols ? ncols : 1) * sizeof *s->cols);
    for (uint32_t c = 0; c < ncols; c++) s->cols[c] = vec_new(s->heap, types[c], s->cap);
    s->hashes = malloc(s->cap * sizeof *s->hashes);
    s->tcap = 128;
    s->table = calloc(s->tcap, sizeof *s->table);
}

void rs_free(struct rowset *s) {
    if (!s->heap) return;
    arena_free(s->heap);
    free(s->heap);
    free(s->types);
    free(s->cols);
    free(s->hashes);
    free(s->table);
    memset(s, 0, sizeof *s);
}

uint64_t rs_memory(const struct rowset *s) {
    return s->heap->total + (uint64_t)s->cap * 8 + (uint64_t)s->tcap * 8;
}

/* Folds column v into h[k] for rows sel[k], one loop per column (structs
 * recurse into their fields). */
static void hash_col(const struct vec *v, const uint32_t *sel, uint32_t n, uint64_t *h) {
    switch (v->type->kind) {
    case TY_INT: case TY_DATE: {
        const int32_t *x = vec_i32(v);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            uint64_t w = v->valid[i] ? (uint64_t)(uint32_t)x[i] : 0x5bd1e995ULL;
            h[k] = vrow_mix(h[k] ^ (w + 0x9e3779b97f4a7c15ULL));
        }
        break;
    }
    case TY_BIGINT: case TY_TIMESTAMP: {
        const int64_t *x = vec_i64(v);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            uint64_t w = v->valid[i] ? (uint64_t)x[i] : 0x5bd1e995ULL;
            h[k] = vrow_mix(h[k] ^ (w + 0x9e3779b97f4a7c15ULL));
        }
        break;
    }
    case TY_STRING: case TY_BINARY: {
        const struct vstr *x = vec_str(v);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = sel[k];
            h[k] = v->valid[i] ? vrow_hash_bytes(x[i].p, x[i].len, h[k]) : vrow_mix(h[k] ^ 0x5bd1e995ULL);
        }
        break;
    }
    case TY_STRUCT:
        /* a NULL struct has NULL fields (vector invariant), so hashing the fields suffices
         * once the struct's own validity is folded in */
        for (uint32_t k = 0; k < n; k++) h[k] ^= (uint64_t)v->valid[sel[k]] << 7;
        for (uint32_t f = 0; f < v->nchild; f++) hash_col(v->child[f], sel, n, h);
        break;
    default:
        for (uint32_t k = 0; k < n; k++) h[k] = vrow_hash(v, sel[k], h[k]);
    }
}

void rs_hash(struct vec *const *cols, uint32_t ncols, const uint32_t *sel, uint32_t n, uint64_t *h) {
    for (uint32_t k = 0; k < n; k++) h[k] = 0x243f6a8885a308d3ULL;
    for (uint32_t c = 0; c < ncols; c++) hash_col(cols[c], sel, n, h);
}

/* Does stored tuple id equal row i of cols? */
static int tuple_eq(const struct rowset *s, struct vec *const *cols, uint32_t i, uint32_t id) {
    for (uint32_t c = 0; c < s->ncols; c++) {
        const struct vec *a = cols[c], *b = s->cols[c];
        if (a->valid[i] != b->valid[id]) return 0;
        if (!a->valid[i]) continue;
        switch (a->type->kind) {
        case TY_INT: case TY_DATE:
            if (vec_i32(a)[i] != vec_i32(b)[id]) return 0;
            break;
        case TY_BIGINT: case TY_TIMESTAMP:
            if (vec_i64(a)[i] != vec_i64(b)[id]) return 0;
            break;
        case TY_STRING: case TY_BINARY: {
            struct vstr x = vec_str(a)[i], y = vec_str(b)[id];
            if (x.len != y.len || (x.len && memcmp(x.p, y.p, x.len))) return 0;
            break;
        }
        default:
            if (vrow_cmp(a, i, b, id) != 0) return 0;
        }
    }
    return 1;
}

static inline uint64_t slot_of(uint64_t h, uint32_t id) { return (h & 0xFFFFFFFF00000000ULL) | (uint64_t)(id + 1); }

static void grow_table(struct rowset *s) {
    uint32_t ncap = s->tcap * 2;
    uint64_t *t = calloc(ncap, sizeof *t);
    if (!t) abort();
    for (uint32_t id = 0; id < s->n; id++) {
        uint32_t p = (uint32_t)s->hashes[id] & (ncap - 1);
        while (t[p]) p = (p + 1) & (ncap - 1);
        t[p] = slot_of(s->hashes[id], id);
    }
    free(s->table);
    s->table = t;
    s->tcap = ncap;
}

static uint32_t insert(struct rowset *s, struct vec *const *cols, uint32_t i, uint64_t h) {
    if (s->n == s->cap) {
        uint32_t ncap = s->cap * 2;
        for (uint32_t c = 0; c < s->ncols; c++) vec_reserve(s->cols[c], ncap);
        s->hashes = xrealloc(s->hashes, ncap * sizeof *s->hashes);
        s->cap = ncap;
    }
    uint32_t id = s->n++;
    for (uint32_t c = 0; c < s->ncols; c++) vec_copy_row(s->cols[c], id, cols[c], i, true);
    s->hashes[id] = h;
    return id;
}

void rs_find_or_add(struct rowset *s, struct vec *const *cols, const uint32_t *sel, uint32_t n, const uint64_t *h,
                    uint32_t *ids, uint8_t *isnew) {
    while ((s->n + n) * 2 > s->tcap && s->tcap < (1u << 31)) grow_table(s);
    for (uint32_t k = 0; k < n; k++) __builtin_prefetch(&s->table[(uint32_t)h[k] & (s->tcap - 1)]);
    for (uint32_t k = 0; k < n; k++) {
        if ((s->n + 1) * 2 > s->tcap) grow_table(s);
        uint32_t i = sel[k], mask = s->tcap - 1, p = (uint32_t)h[k] & mask;
        uint64_t hi = h[k] & 0xFFFFFFFF00000000ULL;
        uint8_t fresh = 0;
        for (;;) {
            uint64_t e = s->table[p];
            if (!e) {
                uint32_t id = insert(s, cols, i, h[k]);
                s->table[p] = slot_of(h[k], id);
                ids[k] = id;
                fresh = 1;
                break;
            }
            uint32_t id = (uint32_t)e - 1;
            if ((e & 0xFFFFFFFF00000000ULL) == hi && s->hashes[id] == h[k] && tuple_eq(s, cols, i, id)) {
                ids[k] = id;
                break;
            }
            p = (p + 1) & mask;
        }
        if (isnew) isnew[k] = fresh;
    }
}

void rs_find(const struct rowset *s, struct vec *const *cols, const uint32_t *sel, uint32_t n, const uint64_t *h, uint32_t *ids) {
    uint32_t mask = s->tcap - 1;
    for (uint32_t k = 0; k < n; k++) __builtin_prefetch(&s->table[(uint32_t)h[k] & mask]);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t p = (uint32_t)h[k] & mask;
        uint64_t hi = h[k] & 0xFFFFFFFF00000000ULL;
        ids[k] = UINT32_MAX;
        for (;;) {
            uint64_t e = s->table[p];
            if (!e) break;
            uint32_t id = (uint32_t)e - 1;
            if ((e & 0xFFFFFFFF00000000ULL) == hi && s->hashes[id] == h[k] && tuple_eq(s, cols, sel[k], id)) {
                ids[k] = id;
                break;
            }
            p = (p + 1) & mask;
        }
    }
}

void rs_compact(struct rowset *s, const uint8_t *keep, uint32_t *remap) {
    struct rowset ns;
    rs_init(&ns, s->types, s->ncols);
    for (uint32_t id = 0; id < s->n; id++) {
        if (!keep[id]) {
            remap[id] = UINT32_MAX;
            continue;
        }
        if ((ns.n + 1) * 2 > ns.tcap) grow_table(&ns);
        uint32_t nid = insert(&ns, s->cols, id, s->hashes[id]);
        uint32_t p = (uint32_t)s->hashes[id] & (ns.tcap - 1);
        while (ns.table[p]) p = (p + 1) & (ns.tcap - 1);
        ns.table[p] = slot_of(s->hashes[id], nid);
        remap[id] = nid;
    }
    rs_free(s);
    *s = ns;
}
