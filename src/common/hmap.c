/* hmap: see hmap.h. The hash is FNV-1a mixed with a final avalanche; keys
 * are short (topic names, group ids), so this is plenty. */
#include "common/hmap.h"

#include <stdlib.h>
#include <string.h>

static char hmap_tomb_;
#define HMAP_TOMB (&hmap_tomb_)

uint64_t hmap_hash(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static struct hmap_slot *find(const struct hmap *m, const void *key, size_t klen, uint64_t h) {
    if (!m->cap) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct hmap_slot *s = &m->slots[i];
        if (!s->key) return NULL;
        if (s->key != HMAP_TOMB && s->hash == h && s->klen == klen && !memcmp(s->key, key, klen)) return s;
    }
}

static void grow(struct hmap *m) {
    size_t ncap = m->cap ? m->cap * 2 : 16;
    if (m->n * 10 < m->cap * 4 && m->cap) ncap = m->cap; /* mostly tombstones: rehash in place size */
    struct hmap_slot *old = m->slots;
    size_t ocap = m->cap;
    m->slots = calloc(ncap, sizeof *m->slots);
    if (!m->slots) abort();
    m->cap = ncap;
    m->used = m->n;
    for (size_t i = 0; i < ocap; i++) {
        struct hmap_slot *s = &old[i];
        if (!s->key || s->key == HMAP_TOMB) continue;
        size_t j = s->hash & (ncap - 1);
        while (m->slots[j].key) j = (j + 1) & (ncap - 1);
        m->slots[j] = *s;
    }
    free(old);
}

void *hmap_get(const struct hmap *m, const void *key, size_t klen) {
    struct hmap_slot *s = find(m, key, klen, hmap_hash(key, klen));
    return s ? s->val : NULL;
}

void *hmap_put(struct hmap *m, const void *key, size_t klen, void *val) {
    uint64_t h = hmap_hash(key, klen);
    struct hmap_slot *s = find(m, key, klen, h);
    if (s) {
        void *old = s->val;
        s->val = val;
        return old;
    }
    if ((m->used + 1) * 10 > m->cap * 7) grow(m);
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].key && m->slots[i].key != HMAP_TOMB) i = (i + 1) & mask;
    s = &m->slots[i];
    if (!s->key) m->used++;
    s->key = malloc(klen + 1);
    if (!s->key) abort();
    memcpy(s->key, key, klen);
    s->key[klen] = 0;
    s->klen = klen;
    s->hash = h;
    s->val = val;
    m->n++;
    return NULL;
}

void *hmap_del(struct hmap *m, const void *key, size_t klen) {
    struct hmap_slot *s = find(m, key, klen, hmap_hash(key, klen));
    if (!s) return NULL;
    void *v = s->val;
    free(s->key);
    s->key = HMAP_TOMB;
    s->val = NULL;
    m->n--;
    return v;
}

int hmap_next(const struct hmap *m, size_t *it, const char **key, size_t *klen, void **val) {
    while (*it < m->cap) {
        struct hmap_slot *s = &m->slots[(*it)++];
        if (s->key && s->key != HMAP_TOMB) {
            if (key) *key = s->key;
            if (klen) *klen = s->klen;
            if (val) *val = s->val;
            return 1;
        }
    }
    return 0;
}

void hmap_free(struct hmap *m) {
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != HMAP_TOMB) free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}
