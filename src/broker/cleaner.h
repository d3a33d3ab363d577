/* cleaner: the log-cleaner thread for compacted topics. The network thread
 * prepares a compaction job for a partition (storage/compact.h), submits it
 * here, and gets it back through the broker's eventfd once the thread has
 * run it; the network thread then swaps the cleaned segments in
 * (plog_compact_finish). Jobs run one at a time, in submission order.
 * A partition that goes away while its job is outstanding withdraws it:
 * the job is cancelled and handed back once the thread is done with it. */
#ifndef WEIR_BROKER_CLEANER_H
#define WEIR_BROKER_CLEANER_H

#include "storage/compact.h"

#include <stdint.h>

struct cleaner;

int cleaner_start(int notify_fd, struct cleaner **out);
void cleaner_submit(struct cleaner *c, uint64_t uid, struct compact_job *job);
/* Calls cb for every job the thread has finished running (caller's thread). */
void cleaner_drain(struct cleaner *c, void (*cb)(void *ctx, uint64_t uid, struct compact_job *job), void *ctx);
/* Cancels job, waits until the thread is not running it, and removes it from
 * the queues: the caller owns it again (to finish or discard). */
void cleaner_withdraw(struct cleaner *c, struct compact_job *job);
/* Stops the thread. Every job must have been withdrawn or drained first. */
void cleaner_stop(struct cleaner *c);

#endif
