/* plog: one partition's log, like Kafka's: a directory `<topic>-<partition>/`
 * of segments (see segment.h) plus two small files written atomically:
 * `log-start-offset` (the first offset still visible, moved by retention and
 * DeleteRecords) and `recovery-point` (every offset below it was fdatasync'ed;
 * after a crash only segments from the one holding it onwards are scanned).
 *
 * Threads: a plog is single-threaded, it runs on the broker's network thread.
 * The one exception is group commit: plog_sync_fds hands out dup()ed
 * descriptors that another thread may fdatasync; it reports back with
 * plog_mark_flushed on the log's thread. The other is the cleaner
 * (storage/compact.h): a compaction job snapshots the closed segments on the
 * log's thread, does its heavy work on any thread, and is swapped in on the
 * log's thread.
 *
 * Errors: 0 or a negative WERR_* (common/err.h). After a failed fdatasync the
 * log is poisoned (like Kafka taking the log dir offline): plog_append returns
 * WERR_IO until the log is closed and reopened (which recovers it). */
#ifndef WEIR_STORAGE_PLOG_H
#define WEIR_STORAGE_PLOG_H

#include <stddef.h>
#include <stdint.h>

struct plog;   /* one partition's log; single-threaded: runs on the broker's network thread */
struct plog_cfg {
    int64_t segment_bytes;           /* segment.bytes, default 1073741824 */
    int64_t segment_ms;              /* segment.ms, default 604800000 */
    int64_t retention_ms;            /* retention.ms, -1 = unlimited, default 604800000 */
    int64_t retention_bytes;         /* retention.bytes, -1 = unlimited */
    int32_t index_interval_bytes;    /* index.interval.bytes, default 4096 */
    int64_t flush_interval_messages; /* flush.messages: fdatasync after this many appended records; INT64_MAX = never */
    int64_t flush_interval_ms;       /* flush.ms: fdatasync when the oldest unflushed append is this old; INT64_MAX = never */
};
/* Kafka's defaults (flush.* = never). */
void plog_cfg_default(struct plog_cfg *cfg);

struct plog_recovery {               /* what plog_open found */
    int recovered;                   /* 1 if a scan was needed (no clean shutdown or stale data) */
    int segments_scanned, indexes_rebuilt;
    int64_t bytes_truncated;
};
/* Opens (creating the directory if missing) the log in dir. clean = the caller found the
 * clean-shutdown marker of the log dir: then segments are trusted (indexes still checked for
 * sanity and rebuilt if missing/stale). Otherwise every segment past the partition's persisted
 * recovery point is scanned: batches validated by CRC and offset continuity, the log truncated
 * at the first invalid byte, indexes rebuilt. rec may be NULL. */
int plog_open(const char *dir, const struct plog_cfg *cfg, int clean, struct plog **out, struct plog_recovery *rec);
void plog_close(struct plog *l);            /* fdatasync, persist recovery point, free */
/* Close and remove the directory and its files. The directory is first renamed
 * to `<dir>.<hex>-delete` (see logdir.h) so a crash mid-way never leaves a
 * half log that looks live. l is freed even on error. */
int plog_delete(struct plog *l);
void plog_set_cfg(struct plog *l, const struct plog_cfg *cfg);
int64_t plog_start_offset(const struct plog *l);
int64_t plog_end_offset(const struct plog *l);        /* next offset to assign (log end offset) */
int64_t plog_flushed_offset(const struct plog *l);    /* recovery point: all offsets below are fdatasync'ed */
int64_t plog_size_bytes(const struct plog *l);
struct plog_append {
    int64_t base_offset, last_offset;  /* first and last offset assigned */
    int64_t log_append_time;           /* -1 unless log_append_time_ms >= 0 was passed */
    int64_t start_offset;              /* log start offset after the append */
};
/* Appends one or more concatenated, already-validated v2 batches (data is modified in place:
 * baseOffset assigned (partitionLeaderEpoch set to 0), and with log_append_time_ms >= 0 the
 * timestamp type and maxTimestamp set and CRC recomputed). Rolls the segment first when needed
 * (size, time). Writes with write(2) (page cache); may fdatasync according to
 * flush_interval_messages/ms. WERR_INVALID if data is not whole batches; WERR_IO on a write
 * error (nothing appended then). */
int plog_append(struct plog *l, uint8_t *data, size_t len, int64_t now_ms, int64_t log_append_time_ms, struct plog_append *res);
struct plog_slice {
    int fd;                 /* a dup()ed descriptor the CALLER closes (it may outlive the segment); -1 when len == 0 */
    int64_t pos;            /* file position of the first byte */
    int32_t len;            /* whole batches only; 0 when offset == end offset */
    int64_t first_offset;   /* baseOffset of the first batch in the slice */
};
/* Finds the batch containing offset (via the sparse index then a short scan) and returns whole
 * batches from it within one segment, at most max_bytes, but at least one whole batch when
 * min_one is set (Kafka returns the first batch even if larger than max_bytes).
 * WERR_RANGE if offset < start offset or > end offset. */
int plog_read(struct plog *l, int64_t offset, int32_t max_bytes, int min_one, struct plog_slice *out);
/* ListOffsets by timestamp: the first offset whose batch maxTimestamp >= ts (Kafka's semantic:
 * the earliest offset whose timestamp is >= ts; resolve to the record inside the batch when the
 * batch is uncompressed, else the batch base offset), and that timestamp. WERR_NOTFOUND if none. */
int plog_offset_for_time(struct plog *l, int64_t ts, int64_t *offset, int64_t *found_ts);
/* ListOffsets MAX_TIMESTAMP (-3): offset and timestamp of the record with the largest timestamp. WERR_NOTFOUND on an empty log. */
int plog_max_timestamp(struct plog *l, int64_t *offset, int64_t *ts);
int plog_delete_records(struct plog *l, int64_t offset);  /* WERR_RANGE if offset > end offset */
/* Time roll + retention by time and size; returns bytes deleted (>= 0) or a WERR. */
int64_t plog_housekeep(struct plog *l, int64_t now_ms);
int plog_flush(struct plog *l);  /* fdatasync everything appended so far, synchronously */
/* Group commit from another thread: returns up to max dup()ed fds covering every segment holding
 * data past the recovery point and the end offset they cover; the caller fdatasyncs and closes
 * them on its own thread, then calls plog_mark_flushed(l, upto) on the log's thread.
 * Returns the number of fds (0 when nothing is unflushed: *upto is then the recovery point). */
int plog_sync_fds(struct plog *l, int *fds, int max, int64_t *upto);
void plog_mark_flushed(struct plog *l, int64_t upto);

#endif
