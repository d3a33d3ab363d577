/* rowcodec: one row of typed vectors ↔ bytes, for the state store (keys and
 * aggregate states on disk). The encoding is self-delimiting given the
 * types (no type tags): per value a validity byte, then
 *   fixed-width types   their bytes (little-endian, as in memory)
 *   STRING/BINARY       u32 length + bytes
 *   STRUCT              the fields in order
 *   ARRAY/MAP           u32 count + the elements (keys and values interleaved)
 * Decoding is bounds-checked: a short or malformed input is WERR_CORRUPT,
 * never a crash. */
#ifndef WEIR_ENGINE_ROWCODEC_H
#define WEIR_ENGINE_ROWCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "engine/exec/vector.h"

/* Appends row i of each of the n vectors. */
void rowc_encode(struct buf *out, struct vec *const *cols, uint32_t n, uint32_t i);
/* Decodes n values from p[*at..len) into row i of cols (strings copied into
 * each vector's heap); advances *at. 0 or WERR_CORRUPT. */
int rowc_decode(const uint8_t *p, size_t len, size_t *at, struct vec *const *cols, uint32_t n, uint32_t i);

#endif
