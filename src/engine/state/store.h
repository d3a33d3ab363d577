/* store: versioned state files for one stateful operator, in Spark's
 * layout under the checkpoint: state/<operator>/<partition>/<V>.delta and
 * <V>.snapshot, where V = batch id + 1 (the state after batch V-1).
 *
 * The one thing to know first: a delta holds only what batch V-1 changed
 * (puts of new or updated keys, removes of evicted keys); a snapshot holds
 * the whole state. Loading version V starts at the newest snapshot at or
 * below V and replays the deltas after it in order. Operators write a
 * snapshot every SST_SNAPSHOT_EVERY versions so recovery stays short (Spark's
 * minDeltasForSnapshot). Files are written atomically and durably
 * (ckpt_write_atomic) and carry a CRC-32C: a torn or corrupt file is
 * WERR_CORRUPT, never silently half-applied.
 *
 * File: "WSS1", u8 kind (1 delta, 2 snapshot), i64 version, then entries
 * {u8 op (1 put, 2 remove), u32 klen, key, [u32 vlen, value]}, u8 0, u32 crc
 * of everything before it. Keys and values are opaque bytes (rowcodec). */
#ifndef WEIR_ENGINE_STORE_H
#define WEIR_ENGINE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define SST_SNAPSHOT_EVERY 10

enum sst_op { SST_PUT = 1, SST_REMOVE = 2 };

struct sst_entry {
    enum sst_op op;
    const uint8_t *key, *val;
    uint32_t klen, vlen;
};

struct sst_writer {
    struct buf b;
    uint64_t entries;
};

void sst_begin(struct sst_writer *w, int snapshot, int64_t version);
void sst_put(struct sst_writer *w, const void *key, uint32_t klen, const void *val, uint32_t vlen);
void sst_remove(struct sst_writer *w, const void *key, uint32_t klen);
/* Writes <dir>/<version>.delta or .snapshot (creating dir) and frees w. */
int sst_commit(struct sst_writer *w, const char *dir, int64_t version, int snapshot);
void sst_abort(struct sst_writer *w);

/* Replays state version `version` from dir: cb is called for each entry of
 * the newest snapshot <= version and then of each later delta <= version.
 * Version 0 is the empty state (no files needed). A missing delta in the
 * chain is WERR_NOTFOUND; a bad file WERR_CORRUPT; cb's non-zero result stops
 * and is returned. */
int sst_load(const char *dir, int64_t version, int (*cb)(void *ctx, const struct sst_entry *e), void *ctx);
/* Removes files of versions below keep_from that the newest snapshot at or
 * below keep_from makes unnecessary. */
int sst_purge(const char *dir, int64_t keep_from);

#endif
