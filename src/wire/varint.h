/* varint: the variable-length integers of the Kafka protocol.
 * Unsigned varints (LEB128, 7 bits per byte, low first) carry compact
 * lengths and tag numbers in flexible versions; signed varints (zigzag
 * then LEB128) carry lengths and deltas inside records. Decoders take a
 * bounds pointer and return the number of bytes read, 0 on truncation or
 * overlong encodings (more than 5 bytes for 32 bits, 10 for 64). */
#ifndef WEIR_VARINT_H
#define WEIR_VARINT_H

#include <stddef.h>
#include <stdint.h>

static inline size_t uvarint_put(uint8_t *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}
static inline size_t varint_put(uint8_t *p, int64_t v) {
    return uvarint_put(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}
static inline size_t uvarint_len(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) { v >>= 7; n++; }
    return n;
}
static inline size_t varint_len(int64_t v) { return uvarint_len(((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }

/* maxbytes: 5 for 32-bit values, 10 for 64-bit. */
static inline size_t uvarint_get(const uint8_t *p, const uint8_t *end, uint64_t *out, int maxbytes) {
    uint64_t v = 0;
    for (int i = 0; i < maxbytes; i++) {
        if (p + i >= end) return 0;
        uint8_t b = p[i];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return (size_t)i + 1;
        }
    }
    return 0;
}
static inline size_t varint_get(const uint8_t *p, const uint8_t *end, int64_t *out, int maxbytes) {
    uint64_t u;
    size_t n = uvarint_get(p, end, &u, maxbytes);
    if (n) *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return n;
}

#endif
