/* valfmt: one value of a vector as text, the way Spark casts it to STRING
 * (and, in VFMT_SHOW mode, the way Dataset.show prints it). Used by CAST to
 * STRING, the console and memory sinks, and the SQL test runner.
 *   doubles   Java's Double.toString: shortest round-trip digits, "1.0",
 *             "1.0E10" at or above 1e7 and below 1e-3
 *   dates     yyyy-MM-dd; timestamps yyyy-MM-dd HH:mm:ss[.fraction] (UTC,
 *             trailing zeros of the fraction dropped)
 *   nested    [a, b] for arrays, {a, b} for structs, {k -> v} for maps,
 *             null inside nested values printed as "null"
 *   binary    raw bytes for CAST; "[41 42]" hex in SHOW mode
 *   top-level NULL is "NULL" in SHOW mode (CAST callers check validity). */
#ifndef WEIR_ENGINE_VALFMT_H
#define WEIR_ENGINE_VALFMT_H

#include "common/buf.h"
#include "engine/exec/vector.h"

enum vfmt_mode { VFMT_CAST, VFMT_SHOW };

void vfmt_value(struct buf *b, const struct vec *v, uint32_t row, enum vfmt_mode mode);
/* Scalars, for kernels that format without a vector. */
void vfmt_double(struct buf *b, double d, int is_float);
void vfmt_date(struct buf *b, int32_t days);
void vfmt_timestamp(struct buf *b, int64_t micros);
void vfmt_decimal(struct buf *b, __int128 unscaled, int scale);
/* The shortest decimal digits that read back as d (as a float when
 * is_float): the digits (no point, at most 17) in digits, their count in
 * *nd, the sign in *neg; returns the exponent of the first digit, i.e.
 * |d| = 0.d1d2... * 10^(exp + 1). d is finite. */
int vfmt_shortest(double d, int is_float, char digits[32], int *nd, int *neg);

#endif
