/* group: the group coordinator (prefix grp_). This node is the coordinator
 * of every group and every transactional id.
 *
 * The one thing to know first: everything here runs on the network thread,
 * and a group holds raw pointers to the parked JoinGroup and SyncGroup
 * requests of its members (grp_member.join_req / sync_req). A parked request
 * stays alive until it is completed (req_complete), even if its connection
 * closes meanwhile, so the coordinator must complete every request it holds:
 * when the rebalance completes, when the member is removed or replaced, and
 * at shutdown (grp_detach_requests, before the connections are freed).
 *
 * Files:
 *   group.c            the classic group protocol state machine (Empty,
 *                      PreparingRebalance, CompletingRebalance, Stable,
 *                      Dead), JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 *                      session and rebalance timers (grp_tick)
 *   group_store.c      committed offsets and group metadata in the internal
 *                      topic __consumer_offsets: record format, appends
 *                      acknowledged after fsync, loading at start, offset
 *                      retention
 *   h_group_offsets.c  OffsetCommit, OffsetFetch, OffsetDelete
 *   h_groups.c         FindCoordinator, ListGroups, DescribeGroups,
 *                      DeleteGroups
 *
 * Timers: grp_next_deadline (monotonic ms) tells the loop when grp_tick must
 * run next (member session expiry, rebalance and initial-delay deadlines,
 * MEMBER_ID_REQUIRED pending members, the offset retention check). */
#ifndef WEIR_BROKER_GROUP_H
#define WEIR_BROKER_GROUP_H

#include "broker/core.h"
#include "wire/batch.h"

#include <stdint.h>

#define GRP_OFFSETS_TOPIC "__consumer_offsets"

enum grp_state { GRP_EMPTY, GRP_PREPARING_REBALANCE, GRP_COMPLETING_REBALANCE, GRP_STABLE, GRP_DEAD };

struct grp_protocol {
    char *name;
    uint8_t *meta;
    int32_t len;
};

struct grp_member {
    struct group *g;
    char *id;
    char *instance_id; /* group.instance.id (static membership), or NULL */
    char *client_id, *client_host;
    int32_t session_timeout_ms, rebalance_timeout_ms;
    struct grp_protocol *protocols;
    int nprotocols;
    uint8_t *assignment;
    int32_t assignment_len;
    struct req *join_req; /* parked JoinGroup, or NULL */
    struct req *sync_req; /* parked SyncGroup, or NULL */
    int64_t session_deadline; /* monotonic ms */
    int is_new;               /* joined in the current rebalance and not yet answered */
    int synced;               /* sent SyncGroup for the current generation */
    struct grp_member *next;
};

/* A member id handed out with MEMBER_ID_REQUIRED, not yet joined with it. */
struct grp_pending {
    char *id;
    int64_t deadline;
    struct grp_pending *next;
};

/* One committed offset. */
struct grp_offset {
    int64_t offset;
    int32_t leader_epoch;
    char *metadata;
    int64_t commit_ts; /* wall ms */
};

struct group {
    char *id;
    enum grp_state state;
    int32_t generation;
    char *protocol_type; /* NULL: none (a group that only stores offsets) */
    char *protocol;      /* the selected protocol, NULL while none */
    char *leader;        /* member id of the leader, NULL while none */
    struct grp_member *members;
    int nmembers;
    struct grp_pending *pending;
    int64_t rebalance_deadline; /* PreparingRebalance: complete the join at this time (monotonic ms) */
    int64_t sync_deadline;      /* after a join: members without a SyncGroup by then are removed; 0 none */
    int initial_delay;          /* the first rebalance from Empty: waiting group.initial.rebalance.delay.ms */
    int new_member_added;       /* a member joined during the initial delay */
    int64_t initial_end;        /* the initial delay never runs past this */
    int64_t state_ts;           /* wall ms of the last state change (Empty since) */
    struct hmap offsets;        /* "topic\0" + be32 partition -> struct grp_offset */
};

/* An offset committed inside a transaction (TxnOffsetCommit): written to
 * __consumer_offsets in a transactional batch, applied to the group when
 * the COMMIT marker lands there, dropped on ABORT. */
struct grp_txn_offset {
    int64_t pid;
    char *group, *topic;
    int32_t part, leader_epoch;
    int64_t offset, commit_ts;
    char *metadata;
    struct grp_txn_offset *next;
};

struct grp_coord {
    struct hmap groups; /* id -> struct group */
    struct grp_txn_offset *txn_pending;
    int64_t next_deadline;
    int64_t next_expiry_check; /* monotonic ms */
    int loading;
};

/* ---- lifecycle (broker.c) ---- */
/* Creates the coordinator and loads __consumer_offsets (creating the topic
 * when missing). 0 or a WERR with a message in err. */
int grp_open(struct broker *b, char *err, size_t errlen);
/* Completes every request the groups hold (no response): call before the
 * connections are freed. */
void grp_detach_requests(struct broker *b);
void grp_free(struct broker *b);

/* ---- timers (net.c) ---- */
int64_t grp_next_deadline(struct broker *b); /* monotonic ms; INT64_MAX when none */
void grp_tick(struct broker *b, int64_t now);

/* ---- registry and state (group.c) ---- */
struct group *grp_find(struct broker *b, const char *id, size_t len);
/* Finds or creates an Empty group. */
struct group *grp_get_or_create(struct broker *b, const char *id, size_t len);
/* Removes and frees a group (its offsets must already be tombstoned if they
 * are to disappear from disk). Completes held requests. */
void grp_remove(struct broker *b, struct group *g);
/* Frees g's members without answering their parked requests (loading, shutdown). */
void grp_free_members(struct group *g);
const char *grp_state_name(enum grp_state s);
void grp_set_state(struct group *g, enum grp_state s);
struct grp_member *grp_member_find(struct group *g, const char *id, size_t len);
/* The metadata of m for protocol name (NULL if m does not support it). */
const struct grp_protocol *grp_member_protocol(const struct grp_member *m, const char *name);
/* Is the group subscribed to topic (consumer protocol subscriptions of its members)? */
int grp_subscribed_to(const struct group *g, const char *topic, size_t len);

/* ---- offsets (group_store.c) ---- */
struct grp_offset *grp_offset_get(struct group *g, const char *topic, size_t tlen, int32_t part);
/* Sets (replacing) an offset in memory; metadata is copied. */
void grp_offset_set(struct group *g, const char *topic, size_t tlen, int32_t part, int64_t offset, int32_t epoch,
                    const char *meta, size_t mlen, int64_t commit_ts);
void grp_offset_del(struct group *g, const char *topic, size_t tlen, int32_t part);
void grp_offsets_free(struct group *g);

/* A batch of records for __consumer_offsets under construction. */
struct grp_batch {
    struct buf buf;      /* the batch */
    struct buf key, val; /* scratch for one record */
    int n;               /* records added */
    int64_t ts;          /* wall ms: record timestamps */
    struct batch_builder bb;
};
void grp_batch_init(struct grp_batch *bt);
void grp_batch_free(struct grp_batch *bt);
/* Offset commit record (value NULL-meta allowed); tombstone when tomb. */
void grp_batch_offset(struct grp_batch *bt, const char *group, const char *topic, size_t tlen, int32_t part,
                      const struct grp_offset *o, int tomb);
/* Group metadata record of g's current state; tombstone when tomb. */
void grp_batch_group(struct grp_batch *bt, const struct group *g, int tomb);
/* Appends the batch to __consumer_offsets. When r is given, r waits for the
 * fsync (r->pending) and the caller returns H_PARKED if r->pending > 0; an
 * empty batch makes r wait until everything already in the log is durable.
 * Returns a Kafka error code (0 on success). */
int grp_batch_append(struct broker *b, struct grp_batch *bt, struct req *r);

/* A topic was deleted: its committed offsets go too (as Kafka does), with
 * tombstones in the log (topics.c calls this). */
void grp_topic_deleted(struct broker *b, const char *topic);

/* ---- transactional offsets (group_store.c) ---- */
/* One offset of a TxnOffsetCommit. */
struct grp_txn_commit {
    const char *topic;
    size_t tlen;
    int32_t part, leader_epoch;
    int64_t offset;
    const char *metadata;
    size_t mlen;
};
/* Writes the offsets as a transactional batch of producer pid/epoch to
 * __consumer_offsets and holds them pending; r (if any) waits until the
 * batch is durable. Returns a Kafka error code. */
int grp_txn_commit_offsets(struct broker *b, struct req *r, const char *group, int64_t pid, int16_t epoch,
                           const struct grp_txn_commit *v, int n);
/* The transaction of pid ended (its marker is in __consumer_offsets):
 * COMMIT applies its pending offsets, ABORT drops them. */
void grp_txn_complete(struct broker *b, int64_t pid, int commit);
/* Is an offset of group/topic/partition pending in an open transaction? */
int grp_txn_pending(struct broker *b, const char *group, const char *topic, size_t tlen, int32_t part);
void grp_txn_free_pending(struct broker *b);

/* Persists g's metadata (no wait for the fsync). */
void grp_store_group(struct broker *b, struct group *g);

#endif
