/* txn: the transaction coordinator (prefix txn_). This node coordinates
 * every transactional id.
 *
 * The one thing to know first: a transaction ends in two phases, and the
 * order of durable writes is what makes it crash-safe.
 *   1. PrepareCommit/PrepareAbort is appended to __transaction_state; once
 *      it is on disk the decision is made: a COMMIT/ABORT marker is
 *      appended to every partition of the transaction and EndTxn is
 *      answered (Kafka answers at the same point);
 *   2. once every marker is on disk, CompleteCommit/CompleteAbort is
 *      appended. Until then the transactional id's next requests
 *      (AddPartitionsToTxn of the next transaction, InitProducerId, ...)
 *      wait in t->parked and run when it completes, so its next state
 *      record never lands in the log before the markers are durable.
 * A marker is never written before its Prepare record is durable: a crash
 * cannot leave one partition committed and the transaction Ongoing (to be
 * aborted). A crash before (1) is durable leaves the transaction Ongoing
 * (it times out and is aborted); a crash after leaves a Prepare state, and
 * loading writes the markers again (a second marker for a closed
 * transaction is ignored by the partition and by consumers) and completes
 * it.
 *
 * AddPartitionsToTxn is answered as soon as its record is appended, not
 * once it is durable; two rules keep that safe. A transactional Produce
 * with acks=all is acknowledged only once __transaction_state is durable
 * up to the record that added its partition (t->need_off), so no client
 * holds an acknowledged write the coordinator could forget. And loading
 * repairs what a crash can leave behind, data on disk whose partition the
 * coordinator never durably added: such a partition joins its producer's
 * transaction if that is still Ongoing at the same epoch, and otherwise
 * gets an ABORT marker and the producer is fenced (its epoch bumped) so it
 * cannot go on to commit a transaction that lost data.
 *
 * State lives in memory, keyed by transactional id, and in the compacted
 * internal topic __transaction_state (one partition), with Kafka's record
 * formats so Kafka's tools can read it:
 *   key   v0: int16 version=0, string transactional_id
 *   value v0: int16 version=0, int64 producer_id, int16 producer_epoch,
 *             int32 transaction_timeout_ms, int8 state,
 *             [string topic, [int32 partition]], int64 last_update_ms,
 *             int64 start_ms
 * State codes are Kafka's: Empty 0, Ongoing 1, PrepareCommit 2,
 * PrepareAbort 3, CompleteCommit 4, CompleteAbort 5, Dead 6,
 * PrepareEpochFence 7. Everything runs on the network thread. */
#ifndef WEIR_BROKER_TXN_H
#define WEIR_BROKER_TXN_H

#include "broker/core.h"

#define TXN_TOPIC "__transaction_state"

enum txn_state {
    TXN_EMPTY = 0, TXN_ONGOING = 1, TXN_PREPARE_COMMIT = 2, TXN_PREPARE_ABORT = 3, TXN_COMPLETE_COMMIT = 4,
    TXN_COMPLETE_ABORT = 5, TXN_DEAD = 6, TXN_PREPARE_EPOCH_FENCE = 7,
};

struct txn_tp {
    char *topic;
    int32_t part;
};

struct txn {
    char *id;
    int64_t pid;
    int16_t epoch;
    int16_t last_epoch; /* the epoch before the last bump a producer asked for with its own id/epoch (KIP-360),
                           so a retry of that InitProducerId is answered, not fenced; -1 if none (memory only) */
    int32_t timeout_ms;
    enum txn_state state;
    struct txn_tp *tps; /* partitions in the transaction (markers go there) */
    int ntps, captps;
    int64_t start_ms, update_ms; /* wall clock */
    int ending;                  /* phase 1 written, waiting for it to be durable */
    int completing;              /* markers written, waiting for them to be durable */
    int64_t need_off;            /* __transaction_state must be durable below this before
                                    a transactional produce is acknowledged */
    struct req **parked;         /* requests waiting for the end of ending/completing */
    int nparked, capparked;
};

struct txn_coord {
    struct hmap by_id;  /* transactional id -> struct txn */
    struct hmap by_pid; /* 8-byte producer id -> struct txn */
    int loading;
};

/* Creates the coordinator, the internal topic if missing, and loads it;
 * transactions found in a Prepare state are completed. */
int txn_open(struct broker *b, char *err, size_t errlen);
void txn_free(struct broker *b);
/* Aborts transactions that ran past their timeout (housekeeping). */
void txn_tick(struct broker *b, int64_t now_wall);

const char *txn_state_name(enum txn_state s);
struct txn *txn_find(struct broker *b, const char *id, size_t len);
struct txn *txn_new(struct broker *b, const char *id, size_t len);
void txn_set_pid(struct broker *b, struct txn *t, int64_t pid);
int txn_has_tp(const struct txn *t, const char *topic, size_t tlen, int32_t part);
int txn_add_tp(struct txn *t, const char *topic, size_t tlen, int32_t part); /* 1 if new */
void txn_clear_tps(struct txn *t);
/* Appends t's state to the log; r (if any) waits until it is durable. */
int txn_store(struct broker *b, struct txn *t, struct req *r);
/* Writes t's COMMIT/ABORT markers; r (if any) waits until they are durable. */
void txn_write_markers(struct broker *b, struct txn *t, int commit, struct req *r);
/* Both phases at once, synchronously (timeouts, fencing, recovery). */
void txn_end_now(struct broker *b, struct txn *t, int commit, int bump);
/* Phase 1's second half, once the Prepare record is durable: writes the
 * markers and completes t (phase 2) when they are durable. */
void txn_decided(struct broker *b, struct txn *t);
/* Is t between EndTxn and its Complete record? Then requests for it wait:
 * txn_park queues r and returns H_PARKED for the handler to return; r's
 * handler runs again once t completes. */
static inline int txn_busy(const struct txn *t) { return t && (t->ending || t->completing); }
int txn_park(struct txn *t, struct req *r);

/* Produce-time check for a transactional batch of pid/epoch to topic/part:
 * 0 or a Kafka error code. *need_off is set to the offset below which
 * __transaction_state must be durable before the batch is acknowledged. */
int txn_check_produce(struct broker *b, const struct wstr *txn_id, int64_t pid, int16_t epoch, const char *topic,
                      size_t tlen, int32_t part, int64_t *need_off);

#endif
