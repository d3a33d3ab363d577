/* file_out: the file sink's file mechanics, in Spark's on-disk format.
 *
 *   <path>/[col=value/...]part-<5-digit split>-<uuid>-c<3-digit>.<ext>[.gz|.zst]
 *   <path>/_spark_metadata/<batchId>           a manifest ("v1" + one JSON line
 *   <path>/_spark_metadata/<batchId>.compact   per file), compacted every
 *                                              compact_interval batches
 *
 * THE ONE THING TO KNOW: a batch's output exists for readers only once its
 * manifest is written. The sink writes its data files (each fsynced on
 * fout_file_close), then calls fout_manifest_commit, which writes the
 * manifest atomically, durably and without replacing an existing one.
 * Every batch id up to the latest manifest is committed: a restarted query
 * that re-runs such a batch must skip writing (fout_manifest_has). Files not listed in any
 * manifest are leftovers of a crash; fout_orphans lists them and the sink
 * decides whether to delete them.
 *
 * Manifest lines are Spark's SinkFileStatus JSON: {"path":"file:///abs/file",
 * "size":N,"isDir":false,"modificationTime":ms,"blockReplication":1,
 * "blockSize":33554432,"action":"add"}. Every compact_interval-th batch
 * (batch id + 1 divisible by it; Spark's default 10) is written as
 * "<id>.compact" holding all live entries so far, as Spark's
 * CompactibleFileStreamLog expects, so Spark can read weir's output too.
 * compact_interval 0 never compacts.
 *
 * Ownership: struct fout_sink and struct fout_file belong to the caller
 * (close/free them); results of listing functions live in the caller's
 * arena. Threads: one sink per query driver; different fout_files may be
 * written from different threads. Errors: 0 or negative WERR_*
 * (WERR_IO with errno, WERR_CORRUPT for an unreadable manifest). */
#ifndef WEIR_FILE_OUT_H
#define WEIR_FILE_OUT_H

#include "common/arena.h"
#include "common/buf.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

enum fout_codec { FOUT_NONE, FOUT_GZIP, FOUT_ZSTD };
/* Spark's `compression` option: none/uncompressed, gzip, zstd (case-
 * insensitive). Other Spark codecs (bzip2, lz4, snappy, deflate) are
 * WERR_UNSUPPORTED; anything else WERR_INVALID. */
int fout_codec_parse(const char *name, enum fout_codec *out);
const char *fout_codec_suffix(enum fout_codec c); /* "", ".gz", ".zst" */

/* "part-00000-<uuid>-c000.csv.gz" into out[cap]; returns length or WERR_TOOBIG. */
int fout_part_name(char *out, size_t cap, int split, const char *uuid, int file_no, const char *ext,
                   enum fout_codec codec);
/* Appends "col=value/" per partition column, Hive-escaped (%XX for
 * control characters, DEL, the double quote and each of # % ' * / : = ? \\ { [ ] ^);
 * a NULL or empty value becomes __HIVE_DEFAULT_PARTITION__. */
#define FOUT_DEFAULT_PARTITION "__HIVE_DEFAULT_PARTITION__"
void fout_partition_dir(struct buf *out, const char *const *cols, const char *const *vals, int n);
/* Reverses the Hive escaping of one path segment value into the arena. */
char *fout_unescape(struct arena *a, const char *s, size_t n);

struct fout_sink;
/* Creates <path> and <path>/_spark_metadata if needed and resolves the
 * absolute path. compact_interval: see above (Spark default 10). */
int fout_sink_open(const char *path, int compact_interval, struct fout_sink **out);
void fout_sink_close(struct fout_sink *s);
const char *fout_sink_path(const struct fout_sink *s); /* absolute */

/* One output file being written. */
struct fout_file;
struct fout_status {
    char path[PATH_MAX]; /* absolute file system path */
    int64_t size;        /* bytes on disk (compressed) */
    int64_t mtime_ms;
};
/* Opens <sink>/<partition_dir><name> for writing (partition_dir "" or
 * "a=1/b=2/", created as needed). level: codec level, 0 = default (gzip 6,
 * zstd 3). The name must not exist yet (WERR_EXISTS). */
int fout_file_open(struct fout_sink *s, const char *partition_dir, const char *name, enum fout_codec codec,
                   int level, struct fout_file **out);
/* Appends uncompressed bytes. */
int fout_file_write(struct fout_file *f, const void *p, size_t n);
/* Uncompressed bytes written so far. */
uint64_t fout_file_bytes_in(const struct fout_file *f);
/* Finishes the codec stream, fsyncs the file and its directory, fills st
 * (may be NULL) and frees f. On error the file is removed and f freed. */
int fout_file_close(struct fout_file *f, struct fout_status *st);
/* Stops writing, removes the file, frees f. */
void fout_file_abort(struct fout_file *f);

/* ---- manifests ---- */
struct fout_entry {
    const char *path;     /* as written: a file: URI */
    const char *fs_path;  /* the decoded absolute file system path */
    int64_t size, mtime_ms;
    int is_delete;        /* action "delete" (only Spark writes these) */
};
/* Writes the manifest of batch `batch` listing files[0..n) (n may be 0).
 * WERR_EXISTS if the batch is already committed (fout_manifest_has). */
int fout_manifest_commit(struct fout_sink *s, int64_t batch, const struct fout_status *files, int n);
/* 1 if batch is committed, 0 if not, or a negative WERR_*. As in Spark,
 * every batch id up to the latest manifest counts as committed (batches
 * commit in order), which stays true after fout_manifest_purge. */
int fout_manifest_has(const struct fout_sink *s, int64_t batch);
/* Newest committed batch id, or WERR_NOTFOUND. */
int fout_manifest_latest(const struct fout_sink *s, int64_t *batch);
/* Committed batch ids, ascending. */
int fout_manifest_batches(const struct fout_sink *s, struct arena *a, int64_t **ids, int *n);
/* The files batch `batch` added (for a compact batch: its entries minus
 * those of all earlier batches), so a reader that walks batch ids sees each
 * file exactly once. */
int fout_manifest_batch_files(const struct fout_sink *s, int64_t batch, struct arena *a, struct fout_entry **out,
                              int *n);
/* All live files of all committed batches (latest compact + later deltas). */
int fout_manifest_all_files(const struct fout_sink *s, struct arena *a, struct fout_entry **out, int *n);
/* Deletes the manifests older than the latest .compact one (it lists all
 * their files), as Spark's fileSink.log.deletion does, so _spark_metadata
 * stays small. Batches before that compact batch can no longer be listed
 * one by one (fout_manifest_batch_files says WERR_NOTFOUND): call it only
 * when readers that walk batches are past them. */
int fout_manifest_purge(struct fout_sink *s);
/* Data files under the sink path (hidden and _-prefixed names skipped, as
 * Spark does) that no manifest lists: absolute paths in the arena. */
int fout_orphans(const struct fout_sink *s, struct arena *a, char ***paths, int *n);

#endif
