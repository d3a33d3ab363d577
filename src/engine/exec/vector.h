/* vector: typed column vectors with validity, and column batches.
 *
 * The one thing to know first: every vector and every byte of string or
 * nested data it references lives in the arena of the batch that owns it
 * (`heap`). Resetting that arena frees a whole batch at once; nothing in a
 * vector is freed individually. A vector of capacity `cap` holds rows
 * 0..cap-1 at fixed positions; a filter never moves rows, it shrinks the
 * batch's selection vector (`sel`), the list of row positions still active.
 * Operators and expression kernels read and write only positions in `sel`;
 * outputs keep the input's positions, so a projection over a filtered batch
 * keeps the same `sel`.
 *
 * Layouts (see type.h for one value's physical type):
 *   valid[i]   1 if row i has a value, 0 if it is NULL (a byte per row: the
 *              kernels combine validity with plain byte AND, which vectorizes).
 *   data       cap * ty_width(type) bytes.
 *   STRING/BINARY rows are struct vstr {p, len}; p points into `heap` or into
 *              any buffer that outlives the batch (zero-copy from a source).
 *   STRUCT     child[f] is the vector of field f, same capacity and positions.
 *   ARRAY      rows are struct vlist {off, len}: elements off..off+len-1 of
 *              child[0], whose capacity grows as needed (vec_list_reserve).
 *   MAP        like ARRAY with child[0] = keys and child[1] = values. */
#ifndef WEIR_ENGINE_VECTOR_H
#define WEIR_ENGINE_VECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "engine/types/type.h"

#define BATCH_CAP 2048u /* rows per batch produced by sources; a power of two */

struct vstr {
    const char *p;
    uint32_t len;
};

struct vlist {
    uint32_t off, len;
};

struct vec {
    const struct ty *type;
    uint32_t cap;        /* rows */
    uint8_t *valid;      /* cap bytes */
    void *data;          /* cap * ty_width(type) bytes, NULL for STRUCT / NULL type */
    struct vec **child;  /* see above */
    uint32_t nchild;
    uint32_t child_len;  /* ARRAY/MAP: elements used in the children */
    struct arena *heap;
};

/* A vector of `cap` rows, all NULL (valid zeroed, data uninitialised except
 * nested children, which are created empty). Lives in heap. */
struct vec *vec_new(struct arena *heap, const struct ty *t, uint32_t cap);
/* Marks every row valid (1) or null (0). */
void vec_fill_valid(struct vec *v, uint8_t valid);

static inline uint8_t *vec_u8(const struct vec *v) { return (uint8_t *)v->data; }
static inline int32_t *vec_i32(const struct vec *v) { return (int32_t *)v->data; }
static inline int64_t *vec_i64(const struct vec *v) { return (int64_t *)v->data; }
static inline float *vec_f32(const struct vec *v) { return (float *)v->data; }
static inline double *vec_f64(const struct vec *v) { return (double *)v->data; }
static inline __int128 *vec_dec(const struct vec *v) { return (__int128 *)v->data; }
static inline struct vstr *vec_str(const struct vec *v) { return (struct vstr *)v->data; }
static inline struct vlist *vec_list(const struct vec *v) { return (struct vlist *)v->data; }

/* Grows v in place to hold at least `rows` rows, keeping its contents (the
 * old arrays stay in the heap until it is reset). For vectors that
 * accumulate rows: nested children, operator state stores. */
void vec_reserve(struct vec *v, uint32_t rows);
/* Sets row i to a copy of s[0..n) in the vector's heap and marks it valid. */
void vec_set_str(struct vec *v, uint32_t i, const char *s, uint32_t n);
/* Reserves room for `extra` more elements in an ARRAY/MAP vector's children
 * and returns the index of the first free one (child_len). */
uint32_t vec_list_reserve(struct vec *v, uint32_t extra);
/* Copies row si of src into row di of dst (same type), deep for nested
 * types; string bytes are copied into dst's heap when copy_strings is set,
 * else the pointer is shared (valid only while src's buffers live). */
void vec_copy_row(struct vec *dst, uint32_t di, const struct vec *src, uint32_t si, bool copy_strings);

/* The identity selection 0..VEC_MAX_ROWS-1, filled at load time; shared,
 * never written after that. No batch holds more than VEC_MAX_ROWS rows. */
#define VEC_MAX_ROWS (BATCH_CAP * 8)
extern uint32_t vec_identity[VEC_MAX_ROWS];

/* A batch: equal-capacity column vectors plus the active rows. */
struct batch {
    uint32_t n;          /* rows 0..n-1 are filled */
    uint32_t cap;
    const uint32_t *sel; /* active rows: sel[0..nsel); vec_identity when all */
    uint32_t nsel;
    uint32_t ncols;
    struct vec **cols;
    struct arena *heap;  /* owns the vectors and their data */
};

/* A batch with one NULL-filled vector per field of `schema` (a STRUCT type),
 * capacity cap (<= VEC_MAX_ROWS), n = nsel = 0, sel = identity. */
struct batch *batch_new(struct arena *heap, const struct ty *schema, uint32_t cap);
/* After a producer filled rows 0..n-1: select them all. */
void batch_set_rows(struct batch *b, uint32_t n);
/* Copies the active rows of src into a new dense batch in heap (strings copied). */
struct batch *batch_compact(struct arena *heap, const struct batch *src);

#endif
