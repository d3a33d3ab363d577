/* vrow: per-row comparison and hashing of vector values, for the operators
 * that work on whole rows (IN lists, min/max, grouping keys, sort, dedup).
 * Two rows are compared only between vectors of the same type. Ordering is
 * Spark's: NULL sorts first, NaN is greater than every other double and
 * equal to itself, -0.0 equals 0.0, strings/binary compare bytewise
 * (unsigned), structs field by field, arrays element by element. */
#ifndef WEIR_ENGINE_VROW_H
#define WEIR_ENGINE_VROW_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/exec/vector.h"

/* <0, 0, >0; NULLs compare equal to each other and below any value. */
int vrow_cmp(const struct vec *x, uint32_t i, const struct vec *y, uint32_t j);
static inline bool vrow_eq(const struct vec *x, uint32_t i, const struct vec *y, uint32_t j) {
    return vrow_cmp(x, i, y, j) == 0;
}
/* A hash of row i combined into h (NULL hashes to a fixed value). Equal
 * rows (vrow_cmp == 0) hash equal. */
uint64_t vrow_hash(const struct vec *v, uint32_t i, uint64_t h);
/* Hash helpers for kernels. */
static inline uint64_t vrow_mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}
uint64_t vrow_hash_bytes(const void *p, uint32_t n, uint64_t seed);

#endif
