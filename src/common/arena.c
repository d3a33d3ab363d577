/* arena: see arena.h. Blocks form a singly linked list, newest first; the
 * first block allocated is kept across resets so a per-connection arena
 * costs no malloc per request in the steady state. */
#include "common/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

static struct arena_block *block_new(size_t size) {
    struct arena_block *b = malloc(sizeof *b + size);
    if (!b) {
        fprintf(stderr, "arena: out of memory allocating %zu bytes\n", size);
        abort();
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void arena_init(struct arena *a, size_t block_size) {
    a->head = NULL;
    a->block_size = block_size ? block_size : 4096;
    a->total = 0;
}

void *arena_alloc(struct arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t sz = n > a->block_size ? n : a->block_size;
        struct arena_block *nb = block_new(sz);
        a->total += sz;
        if (b && n > a->block_size) {
            /* oversized: insert behind the head so the head keeps its free space */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *arena_calloc(struct arena *a, size_t n) {
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void arena_reset(struct arena *a) {
    struct arena_block *b = a->head, *keep = NULL;
    while (b) {
        struct arena_block *next = b->next;
        if (!next) keep = b; /* the oldest block */
        else free(b);
        b = next;
    }
    if (keep && keep->size > a->block_size) { /* an oversized first block is not worth keeping */
        free(keep);
        keep = NULL;
    }
    a->head = keep;
    a->total = 0;
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
        a->total = keep->size;
    }
}

void arena_free(struct arena *a) {
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
