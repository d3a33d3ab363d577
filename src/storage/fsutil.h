/* fsutil: the small file-system helpers the storage layer needs to be
 * crash-safe: atomic replacement of a small file (write tmp, fdatasync,
 * rename, fsync the directory), directory fsync, recursive removal of a
 * partition directory, full-length pread/pwrite loops.
 * The one thing to know: a file replaced with fsu_write_atomic is either the
 * old or the new content after a crash, never a mix or empty. */
#ifndef WEIR_STORAGE_FSUTIL_H
#define WEIR_STORAGE_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Replaces dir/name with data (via dir/name.tmp). 0 or WERR_IO. */
int fsu_write_atomic(const char *dir, const char *name, const void *data, size_t len);
/* Reads dir/name holding one decimal int64 (as written by fsu_write_int64).
 * WERR_NOTFOUND if missing, WERR_CORRUPT if unparsable. */
int fsu_read_int64(const char *dir, const char *name, int64_t *out);
/* Like fsu_write_atomic without any fsync: for hints whose loss or
 * staleness is harmless (a reader that finds the file missing, empty or
 * garbled falls back to the safe default). The rename still makes a reader
 * see either the old or the new content while the machine stays up. */
int fsu_write_hint(const char *dir, const char *name, const void *data, size_t len);
int fsu_write_int64_hint(const char *dir, const char *name, int64_t v);
int fsu_write_int64(const char *dir, const char *name, int64_t v);
int fsu_fsync_dir(const char *dir);
/* mkdir -p. */
int fsu_mkdirs(const char *path);
/* Removes the files in dir (one level, no subdirectories expected) then dir. */
int fsu_remove_dir(const char *dir);
/* Loops until n bytes are transferred; pread returns the bytes read (short
 * only at end of file) or -1; pwrite returns 0 or -1 (errno set). */
ssize_t fsu_pread_full(int fd, void *p, size_t n, int64_t off);
int fsu_pwrite_full(int fd, const void *p, size_t n, int64_t off);

#endif
