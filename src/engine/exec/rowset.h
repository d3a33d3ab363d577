/* rowset: a hash set of key tuples stored column-wise, the shared core of
 * the hash aggregate (groups), deduplication (seen keys) and count(DISTINCT).
 *
 * The one thing to know first: a stored tuple gets a dense id (0..n-1) in
 * insertion order; ids change only when rs_compact drops tuples (state
 * eviction), which returns the old→new mapping so callers can move their
 * per-id data (aggregate states) the same way. Keys are copied into the
 * set's own arena (strings too), so input batches can go away. Lookups are
 * done a batch at a time: hashes for all rows first (rs_hash, one loop per
 * key column), then probing. Not thread-safe. */
#ifndef WEIR_ENGINE_ROWSET_H
#define WEIR_ENGINE_ROWSET_H

#include <stdint.h>

#include "common/arena.h"
#include "engine/exec/vector.h"

struct rowset {
    uint32_t ncols;
    const struct ty **types;
    struct arena *heap;      /* keys and their bytes */
    struct vec **cols;       /* stored keys, capacity `cap` */
    uint64_t *hashes;        /* per id */
    uint32_t n, cap;
    uint64_t *table;         /* open addressing: (hash high 32 bits << 32) | (id + 1); 0 = empty */
    uint32_t tcap;           /* power of two */
};

void rs_init(struct rowset *s, const struct ty *const *types, uint32_t ncols);
void rs_free(struct rowset *s);
/* h[k] = hash of the key tuple at row sel[k] of cols[0..ncols). */
void rs_hash(struct vec *const *cols, uint32_t ncols, const uint32_t *sel, uint32_t n, uint64_t *h);
/* For each row sel[k]: ids[k] = the tuple's id, inserting it if new
 * (isnew[k] = 1 then; isnew may be NULL). */
void rs_find_or_add(struct rowset *s, struct vec *const *cols, const uint32_t *sel, uint32_t n, const uint64_t *h,
                    uint32_t *ids, uint8_t *isnew);
/* Lookup only: ids[k] = the tuple's id or UINT32_MAX when absent. */
void rs_find(const struct rowset *s, struct vec *const *cols, const uint32_t *sel, uint32_t n, const uint64_t *h, uint32_t *ids);
/* Keeps the tuples with keep[id] != 0; remap[old id] = new id or UINT32_MAX. */
void rs_compact(struct rowset *s, const uint8_t *keep, uint32_t *remap);
/* Bytes held (keys, table). */
uint64_t rs_memory(const struct rowset *s);

#endif
