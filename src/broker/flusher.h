/* flusher: the group-commit thread. The network thread submits jobs (a
 * partition uid, the dup'ed descriptors of its unsynced segments and the
 * offset they cover); the flusher threads take the queued jobs one at a time,
 * fdatasyncs them, and hands the completions back through an eventfd. One
 * fdatasync therefore covers every produce request that was waiting on the
 * partition when the job started, however many there were. */
#ifndef WEIR_BROKER_FLUSHER_H
#define WEIR_BROKER_FLUSHER_H

#include <stdint.h>

struct flusher;

/* notify_fd: an eventfd the flusher writes 1 to after completing jobs. */
int flusher_start(int notify_fd, struct flusher **out);
/* Takes ownership of fds (closes them after syncing). */
void flusher_submit(struct flusher *f, uint64_t uid, const int *fds, int nfds, int64_t upto);
/* Calls cb for each completed job (on the caller's thread). err: 0 or -errno. */
void flusher_drain(struct flusher *f, void (*cb)(void *ctx, uint64_t uid, int64_t upto, int err), void *ctx);
/* Finishes queued jobs, joins the thread, frees. */
void flusher_stop(struct flusher *f);

#endif
