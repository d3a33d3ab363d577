/* pstate: a partition's idempotent-producer state, as Kafka keeps it: per
 * producer id, its epoch and the metadata of its last five batches (first
 * and last sequence, offsets), so a retried batch is recognised as a
 * duplicate (answered with its original offset, not appended twice), a gap
 * in sequence numbers is refused (OUT_OF_ORDER_SEQUENCE_NUMBER) and an old
 * epoch is fenced (INVALID_PRODUCER_EPOCH).
 *
 * Durability: the state is derived from the log, so it can always be
 * rebuilt by replaying batch headers. A snapshot file (`producer-state` in
 * the partition directory, written atomically on close and periodically)
 * records the state up to an offset; opening replays only the log after it.
 * A snapshot past the log end (the log was cut in recovery) is ignored and
 * the whole log is replayed. Runs on the network thread.
 *
 * Transactions: a producer's first transactional batch opens its
 * transaction at that offset; a control batch (COMMIT or ABORT marker)
 * closes it. The last stable offset (LSO) is the first offset of the oldest
 * open transaction (or the log end); read_committed consumers read up to
 * it. Aborted transactions are remembered (producer id, first offset, marker
 * offset) so Fetch can list those overlapping the data it returns. */
#ifndef WEIR_BROKER_PSTATE_H
#define WEIR_BROKER_PSTATE_H

#include "storage/plog.h"
#include "wire/batch.h"

#include <stdint.h>

#define PSTATE_BATCHES 5

struct pstate;

/* Loads the snapshot in dir (if any) and replays log from its offset. */
int pstate_open(const char *dir, struct plog *log, struct pstate **out);
void pstate_free(struct pstate *ps);
/* Writes the snapshot (state up to the log end offset) if it changed;
 * aborted transactions wholly below log_start are dropped. */
int pstate_snapshot(struct pstate *ps, const char *dir, int64_t log_start, int64_t log_end);

enum pstate_verdict { PS_APPEND = 0, PS_DUPLICATE = 1, PS_ERROR = 2 };
/* Checks a batch from producer h->producer_id (>= 0) before it is appended.
 * PS_DUPLICATE sets *dup_base_offset; PS_ERROR sets *kerr (a Kafka code). */
enum pstate_verdict pstate_check(struct pstate *ps, const struct batch_hdr *h, int64_t *dup_base_offset,
                                 int16_t *kerr);
/* Records an appended batch (h with its assigned base offset). For control
 * batches the batch bytes are needed (the marker type is in the record). */
void pstate_update(struct pstate *ps, const struct batch_hdr *h, const uint8_t *batch, size_t len);

/* First offset of the oldest open transaction, or -1 when none is open. */
int64_t pstate_first_unstable(struct pstate *ps);
/* Is producer pid in an open transaction here? */
int pstate_txn_open(struct pstate *ps, int64_t pid);
/* The open transactions: a malloc'ed array in *out (free it), their count
 * returned. */
struct ptxn_open {
    int64_t pid, first_offset;
    int16_t epoch;
};
int pstate_open_txns(struct pstate *ps, struct ptxn_open **out);
struct ptxn_aborted {
    int64_t pid, first_offset, last_offset; /* last = the ABORT marker's offset */
};
/* Aborted transactions that overlap [from, upto): *out points into the
 * state (valid until the next update), *n their count. */
void pstate_aborted_in(struct pstate *ps, int64_t from, int64_t upto, const struct ptxn_aborted **out, int *n);
/* Control record types. */
enum { CTRL_ABORT = 0, CTRL_COMMIT = 1 };
/* The marker type of a control batch, or -1 if it is not a valid one. */
int pstate_control_type(const uint8_t *batch, size_t len);
/* Number of producers tracked (for tests and metrics). */
int pstate_count(const struct pstate *ps);

#endif
