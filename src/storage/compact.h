/* compact: the log cleaner for `cleanup.policy=compact` (and `compact,delete`,
 * where plog_housekeep's retention runs as well): keeps the newest record of
 * every key, drops tombstones once delete.retention.ms has passed, never
 * touches the active segment, keeps offsets (they become sparse).
 *
 * The one thing to know first: a cleaning pass is a job in three steps, so
 * the heavy part can run off the thread that owns the log:
 *
 *   plog_compact_prepare(l, cfg, now, &job)   owner thread: decides whether the
 *        log is dirty enough, snapshots the cleanable segments (dup()ed fds,
 *        sizes), returns NULL when there is nothing to do.
 *   compact_job_run(job)                      ANY thread, once: reads the
 *        snapshotted segments, builds the key map, writes `<base>.log.cleaned`
 *        (+ .index.cleaned, .timeindex.cleaned) next to each cleanable segment
 *        and fdatasyncs them. Touches no plog state; appends, reads, flushes
 *        and retention go on meanwhile on the owner thread.
 *   plog_compact_finish(l, job, &stats)       owner thread: swaps the cleaned
 *        segments in (renames, see compact.c for the crash analysis) or, if
 *        the run failed or was cancelled, removes the .cleaned files; frees
 *        the job either way.
 *
 * plog_compact() does all three synchronously. At most one job per log is
 * outstanding (prepare returns WERR_AGAIN otherwise). The owner must not
 * close or delete the log while a job is outstanding: call
 * compact_job_cancel (any thread), wait until compact_job_run has returned,
 * then plog_compact_finish and close (or close, then compact_job_discard).
 * Cost on the owner thread: finish does n + 3 directory fsyncs for n cleaned
 * segments, plus n renames; prepare dup()s one fd per segment.
 *
 * What is kept, per batch of a cleanable segment (Kafka's LogCleaner rules,
 * simplified where noted):
 *  - a record is kept when its key's newest offset in the cleanable range is
 *    its own, and it is not a tombstone (null value) past its retention;
 *    records without a key are dropped (Kafka counts them invalid and drops
 *    them; the broker rejects them at produce time: compress_batch_has_null_key);
 *  - the key map covers the cleanable range only: a newer value in the active
 *    segment (or past min.compaction.lag.ms) does not remove an older one yet;
 *  - a tombstone is past its retention when the newest timestamp of the
 *    segment holding it is older than now - delete.retention.ms (Kafka's rule
 *    before KIP-534, with the segment's largest timestamp for its mtime);
 *  - control batches (transaction markers) are always kept whole (Kafka drops
 *    a marker once its transaction's data is gone and delete.retention.ms has
 *    passed; keeping them costs one small batch per transaction and partition);
 *  - transactional data: a batch belongs to the open transaction of its
 *    producer id, which its next control batch ends. Records of a committed
 *    transaction are treated like any other; records of an aborted one are
 *    dropped (as Kafka does); records whose marker is not in the log yet
 *    (an open transaction: normally excluded by max_clean_offset) are not
 *    entered in the key map, so they remove nothing, and go only when a newer
 *    value of their key exists;
 *  - the last batch of every producer id (over the whole log, active segment
 *    included) is kept, emptied to its header if no record survives (Kafka's
 *    RETAIN_EMPTY), so producer state rebuilt by replaying headers
 *    (broker/pstate.c) still sees every producer's last sequence and epoch;
 *  - a segment's first and last batch are kept the same way, so segments still
 *    abut (segment i ends where i+1 begins) and recovery keeps checking that;
 *  - a batch whose records all survive is copied byte for byte; otherwise it is
 *    rewritten with the same baseOffset, lastOffsetDelta (the next offset is
 *    preserved), baseTimestamp, producer fields and the kept records byte for
 *    byte (their deltas unchanged), recordCount and, for CreateTime,
 *    maxTimestamp recomputed, recompressed with the batch's own codec (an
 *    emptied batch is written uncompressed), CRC recomputed.
 *
 * Dirty ratio: the cleaner checkpoint (file `cleaner-offset-checkpoint` in
 * the partition directory) is the end of the last cleaned range; dirty bytes
 * are those of cleanable segments at or after it, over all cleanable bytes.
 * Recovery relaxes the offset-continuity check (gaps allowed inside a
 * segment) only for segments below the checkpoint.
 *
 * Errors: 0 or a negative WERR_*. A failed pass leaves the log as it was. */
#ifndef WEIR_STORAGE_COMPACT_H
#define WEIR_STORAGE_COMPACT_H

#include "storage/plog.h"

#include <stddef.h>
#include <stdint.h>

struct plog_compact_cfg {
    double min_cleanable_dirty_ratio; /* min.cleanable.dirty.ratio, default 0.5 */
    int64_t min_compaction_lag_ms;    /* min.compaction.lag.ms, default 0 */
    int64_t max_compaction_lag_ms;    /* max.compaction.lag.ms, default INT64_MAX: a dirty segment older than this
                                       * is cleaned whatever the ratio */
    int64_t delete_retention_ms;      /* delete.retention.ms, default 86400000 */
    int64_t max_clean_offset;         /* nothing at or past this offset is cleaned (the broker passes the first
                                       * unstable offset of open transactions); -1 = no limit */
    size_t max_batch_bytes;           /* bound on a decompressed batch, default 256 MiB */
};
void plog_compact_cfg_default(struct plog_compact_cfg *cfg);

struct plog_compact_stats {
    double dirty_ratio;               /* at prepare */
    int segments;                     /* segments cleaned */
    int64_t bytes_before, bytes_after;
    int64_t records_read, records_kept;
    int64_t tombstones_dropped;
    int64_t batches_emptied;          /* kept as a header only */
    int64_t clean_end;                /* the new cleaner checkpoint */
};

struct compact_job;

/* Owner thread. *out = NULL (and 0) when there is nothing to clean. */
int plog_compact_prepare(struct plog *l, const struct plog_compact_cfg *cfg, int64_t now_ms,
                         struct compact_job **out);
/* Any thread, once per job. Returns the job's result (also kept for finish). */
int compact_job_run(struct compact_job *job);
/* Any thread: a running or future compact_job_run stops early with WERR_AGAIN. */
void compact_job_cancel(struct compact_job *job);
/* Owner thread: swap in (if the run succeeded) or discard; frees job. st may be NULL.
 * Returns the run's error, WERR_AGAIN if it was cancelled or never ran, or a
 * swap error (the log is then valid and partly cleaned). */
int plog_compact_finish(struct plog *l, struct compact_job *job, struct plog_compact_stats *st);
/* Any thread, after compact_job_run has returned (or instead of it): removes the
 * .cleaned files and frees the job without touching the log, for an owner that
 * closed the log meanwhile. */
void compact_job_discard(struct compact_job *job);
/* prepare + run + finish on the calling (owner) thread. st may be NULL; st->segments == 0 when
 * nothing was cleaned. */
int plog_compact(struct plog *l, const struct plog_compact_cfg *cfg, int64_t now_ms, struct plog_compact_stats *st);

/* Test hook (fault injection): when > 0, the crash-safety points of a pass
 * (after each file written, each rename, each directory sync) count it down and
 * the one that brings it to 0 calls _exit(77), as a kill -9 at that instant
 * would. Tests set it in a forked child. compact_crash_points counts the points
 * passed, so a test can run a pass once to learn how many there are. */
extern int compact_crash_at;
extern int compact_crash_points;

#endif
