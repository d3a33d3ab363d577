/* logdir: one log directory (`log.dirs` entry): the partition directories
 * `<topic>-<partition>/` inside it, the clean-shutdown marker and a lock file.
 *
 * The one thing to know first: the marker `.weir_cleanshutdown` exists only
 * while the broker is stopped after a clean shutdown. logdir_open reports
 * whether it was there (then plog_open may trust the segments) and removes it
 * at once, so a crash while running always means "recover". logdir_close with
 * clean = 1 writes it back after every partition log has been closed.
 *
 * Deleting a partition renames its directory to `<topic>-<p>.<hex>-delete`
 * first (plog_delete does this too); such directories are never listed as
 * partitions, and logdir_open finishes deleting them. Runs on one thread. */
#ifndef WEIR_STORAGE_LOGDIR_H
#define WEIR_STORAGE_LOGDIR_H

#include <stddef.h>
#include <stdint.h>

#define LOGDIR_CLEAN_MARKER ".weir_cleanshutdown"

struct logdir;
struct logdir_part {
    char *topic;          /* owned by the list */
    int32_t partition;
};

/* Opens (creating if missing) and locks the directory. WERR_EXISTS if another
 * process (or another open in this one) holds the lock, WERR_IO otherwise. */
int logdir_open(const char *path, struct logdir **out);
/* 1 if the clean-shutdown marker was present at open. */
int logdir_was_clean(const struct logdir *d);
const char *logdir_path(const struct logdir *d);
/* Lists the partition directories, sorted by topic then partition. Topic names
 * may contain '-', '.', '_': the name is split at the LAST '-'. The caller
 * frees the list with logdir_list_free. */
int logdir_list(const struct logdir *d, struct logdir_part **out, int *n);
void logdir_list_free(struct logdir_part *v, int n);
/* Writes path/<topic>-<partition> into out. WERR_INVALID for a bad topic name
 * (empty, over 249 chars, "." or "..", or chars outside [a-zA-Z0-9._-]). */
int logdir_partition_dir(const struct logdir *d, const char *topic, int32_t partition, char *out, size_t outlen);
/* Deletes a partition directory that is not open: rename to *-delete, fsync
 * the log dir, remove. 0 if it did not exist. */
int logdir_delete_partition(struct logdir *d, const char *topic, int32_t partition);
/* Unlocks and frees; with clean = 1 first writes the clean-shutdown marker
 * (call it after closing every plog of this dir). Returns 0 or WERR_IO. */
int logdir_close(struct logdir *d, int clean);

#endif
