/* hmap: open-addressing hash map from byte-string keys to pointers. Keys
 * are copied into the map; values are borrowed (the caller owns them).
 * Linear probing with tombstones; grows at 70% load. Not thread-safe. */
#ifndef WEIR_HMAP_H
#define WEIR_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
    char *key; /* NULL = empty, HMAP_TOMB = deleted */
    size_t klen;
    uint64_t hash;
    void *val;
};
struct hmap {
    struct hmap_slot *slots;
    size_t cap, n, used; /* used counts tombstones too */
};

uint64_t hmap_hash(const void *p, size_t n);
void *hmap_get(const struct hmap *m, const void *key, size_t klen);
/* Inserts or replaces; returns the previous value or NULL. */
void *hmap_put(struct hmap *m, const void *key, size_t klen, void *val);
/* Removes; returns the removed value or NULL. */
void *hmap_del(struct hmap *m, const void *key, size_t klen);
void hmap_free(struct hmap *m); /* frees keys and slots, not values */

/* Iteration: for (size_t it = 0; hmap_next(m, &it, &k, &kl, &v);) ... */
int hmap_next(const struct hmap *m, size_t *it, const char **key, size_t *klen, void **val);

#endif
