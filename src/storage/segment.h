/* segment: one log segment of a partition: `<base>.log` holding record
 * batches back to back exactly as they came on the wire (baseOffset
 * rewritten), plus its sparse offset index `<base>.index` and time index
 * `<base>.timeindex`. Runs on the owning log's thread only.
 *
 * The one thing to know first: the .log file is the truth and the indexes are
 * hints. Every index is kept in memory as a growing array (8 or 12 bytes per
 * entry, one entry per index.interval.bytes of log, nothing for an empty
 * segment) and mirrored to its file by appending; an index that fails the
 * sanity checks at open is rebuilt from the log.
 *
 * Index semantics (our own, documented here because lookups rely on them):
 *  - offset index entry (rel, pos): the batch with baseOffset base+rel starts
 *    at file position pos. Entries strictly increase in both fields. A lookup
 *    for offset o starts scanning at the last entry with base+rel <= o.
 *  - time index entry (ts, rel): ts is the largest batch maxTimestamp over all
 *    batches of the segment up to the point the entry was written, and base+rel
 *    the offset of the first record carrying ts. Entries strictly increase in
 *    ts. The last entry of an inactive segment is its largest timestamp (an
 *    entry is forced when the segment stops being active).
 * Both files are big-endian: index uint32 rel + uint32 pos, timeindex int64 ts
 * + uint32 rel. */
#ifndef WEIR_STORAGE_SEGMENT_H
#define WEIR_STORAGE_SEGMENT_H

#include "wire/batch.h"

#include <stddef.h>
#include <stdint.h>

struct seg_oidx { uint32_t rel, pos; };
struct seg_tidx { int64_t ts; uint32_t rel; };

struct seg {
    int64_t base;            /* base offset, the file name */
    int64_t end;             /* offset after the last batch (== base when empty) */
    int64_t size;            /* bytes in the .log */
    int fd;                  /* .log, read/write */
    int oidx_fd, tidx_fd;    /* index files, open only while the segment is active */
    struct seg_oidx *oidx;
    uint32_t n_oidx, cap_oidx;
    struct seg_tidx *tidx;
    uint32_t n_tidx, cap_tidx;
    int64_t bytes_since_idx; /* log bytes appended since the last offset index entry */
    int64_t max_ts;          /* largest batch maxTimestamp, -1 if none */
    int64_t max_ts_off;      /* offset of the first record with max_ts, -1 if none */
    int64_t first_ts;        /* maxTimestamp of the first batch (time roll base), -1 if none */
    int64_t created_ms;      /* wall time the segment was created (mtime when reopened) */
    int64_t mtime_ms;        /* wall time of the last append (retention when no timestamps) */
    int sparse;              /* set by the owner before loading: the segment lies below the cleaner
                              * checkpoint, so its batches may leave offset gaps (storage/compact.h) */
};

/* seg_path: dir/%020lld.ext */
void seg_path(char *out, size_t outlen, const char *dir, int64_t base, const char *ext);

/* Creates an empty active segment (truncating any files of that name). */
int seg_create(const char *dir, int64_t base, int64_t now_ms, struct seg **out);
/* Opens an existing segment read/write (not active). *idx_ok is set to 0 if
 * an index file is missing or fails the checks that need no log scan. */
int seg_open(const char *dir, int64_t base, struct seg **out, int *idx_ok);
/* Trusted load: the log is believed intact. end_hint >= 0 gives the end
 * offset (the next segment's base); otherwise the tail after the last index
 * entry is scanned (headers only). Also checks the index entries against the
 * end offset. WERR_CORRUPT if anything is off: the caller then recovers. */
int seg_load_trusted(struct seg *s, int64_t end_hint);
/* Full scan from position 0: every batch is validated (CRC, records, with
 * batch_validate_stored: compacted batches may hold fewer records), the
 * first must start at s->base and each later one exactly where the previous
 * one ended, or, when s->sparse is set, anywhere after it (compaction leaves
 * gaps, see storage/compact.h, but keeps a segment's first and last batch so
 * segments still abut). With limit >= 0 (the next segment's base) no offset
 * may reach limit: a flipped baseOffset bit (outside the CRC) cannot make an
 * offset jump past the next segment. The file is truncated at the first
 * invalid byte (*truncated gets the bytes cut), indexes are rebuilt in memory
 * and rewritten to their files. */
int seg_recover(struct seg *s, const char *dir, int32_t index_interval, int64_t limit, int64_t *truncated);
/* Creates the files `<base>.log<suffix>`, `.index<suffix>`, `.timeindex<suffix>`
 * (truncating them) for a segment written aside, e.g. by the cleaner with
 * suffix ".cleaned"; s->fd and the index fds are open as for an active segment. */
int seg_create_aside(const char *dir, int64_t base, const char *suffix, int64_t now_ms, struct seg **out);
/* Ends a segment written aside: forces the final time index entry, fdatasyncs
 * the log and both index files and closes the index files. WERR_IO. */
int seg_seal(struct seg *s);
/* Opens the index files for appending (the segment becomes the active one). */
int seg_activate(struct seg *s, const char *dir);
/* Forces the final time index entry, syncs and closes the index files. */
int seg_deactivate(struct seg *s);
/* Appends len bytes of whole batches (offsets already assigned) at the end,
 * updating the indexes. On a write error the file is cut back to its old
 * size and WERR_IO returned. */
int seg_append(struct seg *s, const uint8_t *data, size_t len, int32_t index_interval, int64_t now_ms);
/* File position where a scan for offset may start (from the offset index). */
int64_t seg_lookup_pos(const struct seg *s, int64_t offset);
/* The largest indexed batch position <= pos (0 if none): a batch boundary. */
int64_t seg_index_pos_at_or_before(const struct seg *s, int64_t pos);
/* File position where a scan for the first batch with maxTimestamp >= ts may
 * start (from the time index, then the offset index). */
int64_t seg_lookup_time_pos(const struct seg *s, int64_t ts);
/* Syncs the index files if open (the log is synced by the owner). */
void seg_sync_indexes(struct seg *s);
void seg_close(struct seg *s);
/* Closes and unlinks the segment's files (log first), frees s. */
int seg_remove(struct seg *s, const char *dir);

/* Sequential header reader over a segment's bytes [pos, limit). */
struct seg_reader {
    int fd;
    int64_t pos, limit;
    uint8_t *buf;
    size_t cap;
    int64_t bpos;
    size_t blen;
};
void seg_reader_init(struct seg_reader *r, const struct seg *s, int64_t pos);
/* The same over any descriptor, bytes [pos, limit) (e.g. a dup()ed fd another thread reads). */
void seg_reader_init_fd(struct seg_reader *r, int fd, int64_t pos, int64_t limit);
void seg_reader_free(struct seg_reader *r);
/* 1 with the next batch's header and position (the reader moves past it),
 * 0 at the limit, WERR_CORRUPT if the bytes at the position are not a
 * plausible batch header or the batch runs past the limit, WERR_IO. */
int seg_reader_next(struct seg_reader *r, int64_t *pos, struct batch_hdr *h);
/* Pointer to n bytes at file position pos (valid until the next reader call),
 * NULL if past the limit or on an I/O error. */
const uint8_t *seg_reader_peek(struct seg_reader *r, int64_t pos, size_t n);

/* Offset of the first record whose timestamp is the batch's maxTimestamp:
 * exact for uncompressed CreateTime batches, the base offset otherwise. */
int64_t seg_batch_max_ts_offset(const uint8_t *batch, size_t len, const struct batch_hdr *h);

#endif
