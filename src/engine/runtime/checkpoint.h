/* checkpoint: a streaming query's checkpoint directory in Spark's layout.
 *
 *   <dir>/metadata        {"id":"<query uuid>"}
 *   <dir>/offsets/<N>     v1
 *                         {"batchWatermarkMs":W,"batchTimestampMs":T,"conf":{...}}
 *                         one line per source, opaque to this module (a Kafka
 *                         source writes {"topic":{"0":123,"1":456}}; "-" = none)
 *   <dir>/commits/<N>     v1
 *                         {"nextBatchWatermarkMs":W}
 *   <dir>/sources/<i>/<N> per-source files ("v1\n" + text), e.g. initial offsets
 *   <dir>/state/          owned by the state store
 *   <dir>/progress.log    one StreamingQueryProgress JSON per line (weir's addition)
 *
 * THE ONE THING TO KNOW: every file except progress.log is written
 * atomically and durably: written to ".<name>.<uuid>.tmp" in the same
 * directory, fsynced, renamed over (without replacing an existing batch
 * file), and the directory fsynced. After a crash a file is either wholly
 * there or absent; leftover .tmp files are ignored and removed by ckpt_open.
 * offsets/N is written before batch N runs and never rewritten (WERR_EXISTS);
 * on restart the engine re-runs the batch from the stored offsets.
 *
 * Protocol for the engine (Spark's MicroBatchExecution):
 *   latest offsets L, latest commit C (either may be missing):
 *   - L == C or no L: start batch C+1 with new offsets.
 *   - L == C + 1:     batch L was planned but not committed: rerun it with
 *                     exactly offsets/L; the sink must dedupe by batch id.
 *
 * Threads: a struct ckpt is used by the query's driver thread only.
 * Errors: 0 or negative WERR_* (WERR_IO: errno is meaningful; WERR_CORRUPT:
 * a file exists but does not parse; WERR_NOTFOUND: no such batch). */
#ifndef WEIR_CHECKPOINT_H
#define WEIR_CHECKPOINT_H

#include "common/arena.h"

#include <stddef.h>
#include <stdint.h>

struct ckpt;

/* Opens the checkpoint at dir, creating the directory tree and metadata
 * (with a fresh query id) if it does not exist yet. *created says which.
 * The caller frees with ckpt_close. */
int ckpt_open(const char *dir, struct ckpt **out, int *created);
void ckpt_close(struct ckpt *c);
const char *ckpt_id(const struct ckpt *c);  /* the query id (uuid text) */
const char *ckpt_dir(const struct ckpt *c);

/* Highest batch id present in offsets/ (resp. commits/), or WERR_NOTFOUND. */
int ckpt_latest_offsets(const struct ckpt *c, int64_t *batch);
int ckpt_latest_commit(const struct ckpt *c, int64_t *batch);
/* All batch ids in offsets/ (resp. commits/), ascending, into an arena array. */
int ckpt_list_offsets(const struct ckpt *c, struct arena *a, int64_t **ids, int *n);
int ckpt_list_commits(const struct ckpt *c, struct arena *a, int64_t **ids, int *n);

struct ckpt_offsets {
    int64_t watermark_ms;  /* batchWatermarkMs */
    int64_t timestamp_ms;  /* batchTimestampMs */
    int nconf;             /* conf: string keys and values */
    const char **conf_keys, **conf_vals;
    int nsources;
    const char **sources;  /* one opaque line per source (no newline inside) */
};

/* Writes offsets/<batch>. WERR_EXISTS if that batch is already there;
 * WERR_INVALID if a source line contains a newline. */
int ckpt_write_offsets(struct ckpt *c, int64_t batch, const struct ckpt_offsets *o);
/* Reads offsets/<batch>; all strings are allocated in a. */
int ckpt_read_offsets(const struct ckpt *c, int64_t batch, struct arena *a, struct ckpt_offsets *o);

/* Writes commits/<batch> (WERR_EXISTS if present) / reads it back. */
int ckpt_write_commit(struct ckpt *c, int64_t batch, int64_t next_watermark_ms);
int ckpt_read_commit(const struct ckpt *c, int64_t batch, int64_t *next_watermark_ms);

/* sources/<src>/<batch>: "v1\n" + text, written atomically (replacing). */
int ckpt_write_source_file(struct ckpt *c, int src, int64_t batch, const char *text, size_t n);
/* Reads the text after the "v1" line into the arena (NUL-terminated). */
int ckpt_read_source_file(const struct ckpt *c, int src, int64_t batch, struct arena *a, char **text, size_t *n);

/* Appends one line (the JSON must not contain a newline) to progress.log.
 * Not fsynced: progress is for observation, not recovery; after a crash the
 * last line may be torn, so readers skip lines that do not parse. */
int ckpt_append_progress(struct ckpt *c, const char *json, size_t n);
/* The last up to `max` lines of progress.log, oldest first, in the arena. */
int ckpt_read_progress(const struct ckpt *c, struct arena *a, int max, char ***lines, int *n);

/* Deletes offsets/ and commits/ entries older than the newest `keep` of
 * each (Spark's minBatchesToRetain). sources/ and state/ are left alone
 * (sources/<i>/0 holds a source's initial offsets for the query's life).
 * progress.log is cut to its last max(keep, CKPT_PROGRESS_KEEP) lines
 * (Spark keeps the last 100 progress updates). keep >= 1. */
#define CKPT_PROGRESS_KEEP 100
int ckpt_purge(struct ckpt *c, int keep);
/* The cheap per-batch form of purging: deletes offsets/<batch> and
 * commits/<batch> (a batch that fell out of the retained window). Nothing is
 * synced: an entry that reappears after a crash is removed by the next
 * ckpt_purge. */
void ckpt_forget(struct ckpt *c, int64_t batch);
/* Cuts progress.log to its last CKPT_PROGRESS_KEEP lines without syncing
 * (the log is informational; a lost cut only leaves it longer). */
int ckpt_trim_progress(struct ckpt *c);

/* The atomic, durable file write used here and by the file sink: writes
 * data to dir/name via a temporary file, fsync, rename, fsync(dir).
 * noreplace: fail with WERR_EXISTS if dir/name exists. */
int ckpt_write_atomic(const char *dir, const char *name, const void *data, size_t len, int noreplace);
/* Reads a whole file into the arena (NUL-terminated). WERR_NOTFOUND if absent. */
int ckpt_read_file(const char *path, struct arena *a, char **data, size_t *len);

#endif
