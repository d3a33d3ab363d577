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
static inline void buf_clear(struct buf *b) { b->len = 0; }

#endif
