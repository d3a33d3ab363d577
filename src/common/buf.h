/* buf: a growable byte buffer (heap). The owner frees it with buf_free.
 * Writers append; on OOM the process aborts (see arena.h for why). */
#ifndef WEIR_BUF_H
#define WEIR_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
    uint8_t *p;
    size_t len, cap;
};

void buf_reserve(struct buf *b, size_t extra); /* ensure room for extra more bytes */
void buf_append(struct buf *b, const void *p, size_t n);
void buf_putc(struct buf *b, uint8_t c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* Big-endian integers and Kafka's classic (non-compact) encodings, for the
 * records the broker writes to its internal topics and snapshot files. */
void buf_be16(struct buf *b, uint16_t v);
void buf_be32(struct buf *b, uint32_t v);
void buf_be64(struct buf *b, uint64_t v);
/* int16 length + bytes; s NULL writes -1 (null). n is capped at INT16_MAX. */
void buf_str16(struct buf *b, const char *s, size_t n);
/* The same for a NUL-terminated string (NULL: null). */
void buf_cstr16(struct buf *b, const char *s);
/* int32 length n (-1 for null) + n bytes of p. */
void buf_bytes32(struct buf *b, const void *p, int32_t n);
static inline void buf_clear(struct buf *b) { b->len = 0; }

#endif
