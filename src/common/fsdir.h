/* fsdir: directory helpers shared by the storage, the broker and the
 * engine's file outputs. */
#ifndef WEIR_FSDIR_H
#define WEIR_FSDIR_H

/* mkdir -p: creates path and its missing parents (mode 0755). 0,
 * WERR_INVALID (empty or too long), or WERR_IO (errno says why). */
int fs_mkdirs(const char *path);

#endif
