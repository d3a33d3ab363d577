/* buf: see buf.h. Capacity doubles; never shrinks until buf_free. */
#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_reserve(struct buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        fprintf(stderr, "buf: out of memory growing to %zu bytes\n", cap);
        abort();
    }
    b->p = p;
    b->cap = cap;
}

void buf_append(struct buf *b, const void *p, size_t n) {
    if (!n) return;
    buf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void buf_putc(struct buf *b, uint8_t c) {
    buf_reserve(b, 1);
    b->p[b->len++] = c;
}

void buf_printf(struct buf *b, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n + 1);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

void buf_free(struct buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void buf_be16(struct buf *b, uint16_t v) {
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    buf_append(b, x, 2);
}

void buf_be32(struct buf *b, uint32_t v) {
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    buf_append(b, x, 4);
}

void buf_be64(struct buf *b, uint64_t v) {
    buf_be32(b, (uint32_t)(v >> 32));
    buf_be32(b, (uint32_t)v);
}

void buf_str16(struct buf *b, const char *s, size_t n) {
    if (!s) {
        buf_be16(b, 0xffff);
        return;
    }
    if (n > 0x7fff) n = 0x7fff;
    buf_be16(b, (uint16_t)n);
    buf_append(b, s, n);
}

void buf_cstr16(struct buf *b, const char *s) { buf_str16(b, s, s ? strlen(s) : 0); }

void buf_bytes32(struct buf *b, const void *p, int32_t n) {
    buf_be32(b, (uint32_t)n);
    if (n > 0) buf_append(b, p, (size_t)n);
}
