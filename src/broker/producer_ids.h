/* producer_ids: allocation of idempotent-producer ids, unique across
 * restarts: ids are handed out from blocks of PID_BLOCK whose end is made
 * durable (<meta dir>/producer-ids) before the first id of a block is used. */
#ifndef WEIR_BROKER_PRODUCER_IDS_H
#define WEIR_BROKER_PRODUCER_IDS_H

#include <stdint.h>

#define PID_BLOCK 1000

struct pid_alloc {
    char path[1200];
    int64_t next, block_end;
};

int pid_alloc_open(struct pid_alloc *a, const char *meta_dir);
/* The next producer id, or -1 if the block file cannot be written. */
int64_t pid_alloc_next(struct pid_alloc *a);

#endif
