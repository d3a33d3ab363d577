/* arena: bump allocator for request- and batch-scoped memory. Everything
 * allocated from an arena is freed at once by arena_reset/arena_free; single
 * objects are never freed. Not thread-safe: one owner at a time.
 * Allocation never fails silently: on OOM the process aborts (a broker that
 * cannot allocate a few KiB cannot serve anyway, and it keeps call sites
 * simple). Large requests get their own block. */
#ifndef WEIR_ARENA_H
#define WEIR_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena {
    struct arena_block *head;
    size_t block_size; /* default size of new blocks */
    size_t total;      /* bytes held in blocks */
};

void arena_init(struct arena *a, size_t block_size);
void *arena_alloc(struct arena *a, size_t n);      /* 16-byte aligned, uninitialised */
void *arena_calloc(struct arena *a, size_t n);     /* zeroed */
char *arena_strndup(struct arena *a, const char *s, size_t n); /* NUL-terminated copy */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_reset(struct arena *a); /* frees all but the first block, keeps it for reuse */
void arena_free(struct arena *a);

#endif
