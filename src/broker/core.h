/* core: the broker's internal objects, shared by the network loop, the
 * topic registry and the API handlers (and by nothing outside src/broker).
 *
 * Ownership: the broker owns topics, partitions and connections. A request
 * is owned by its connection's queue; requests are answered strictly in the
 * order they arrived on their connection (Kafka's rule), so a parked request
 * (acks=all waiting for its fsync, a fetch waiting for data) holds back the
 * responses behind it but not their processing. Everything runs on the
 * network thread except the fsyncs of the flusher (flusher.h). */
#ifndef WEIR_BROKER_CORE_H
#define WEIR_BROKER_CORE_H

#include "broker/config.h"
#include "broker/cleaner.h"
#include "broker/flusher.h"
#include "broker/producer_ids.h"
#include "broker/pstate.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/hmap.h"
#include "storage/plog.h"
#include "wire/frame.h"

#include <stdint.h>
#include <string.h>

struct req;
struct conn;
struct broker;
struct txn_coord;

/* A request waiting on a partition: produce acks=all waiting for fsync up
 * to `offset`, or a fetch waiting for data past `offset`. */
struct waiter {
    struct req *req;
    int64_t offset;
    struct waiter *next;
};

struct partition {
    struct topic *topic;
    int32_t index;
    uint64_t uid;           /* unique id for flusher completions */
    struct plog *log;
    struct pstate *ps;           /* idempotent producers */
    char *dir;
    struct waiter *sync_waiters; /* produce acks=all, any order */
    int sync_inflight;           /* flusher jobs running for this partition */
    int64_t sync_inflight_upto;  /* the highest offset a running job covers */
    struct waiter *fetch_waiters;
    int64_t last_flush_ms;       /* flush.ms housekeeping */
    struct compact_job *cjob;    /* outstanding log-cleaner job, or NULL */
};

struct topic {
    char *name;
    uint8_t id[16];
    int32_t npart;
    struct partition **parts;
    struct props overrides; /* topic-level config overrides */
    struct plog_cfg pcfg;   /* resolved storage settings */
    int log_append_time;
    int32_t max_message_bytes;
    int compact;                 /* cleanup.policy has compact */
    struct plog_compact_cfg ccfg;
    int deleted;
};

enum req_state { REQ_NEW, REQ_PARKED, REQ_DONE, REQ_NO_RESPONSE };

struct req {
    struct conn *conn;
    struct req *next;        /* next on the connection's queue */
    struct req_header hdr;
    const struct api_info *api;
    int flex;                /* the request version is flexible */
    struct arena arena;      /* the frame copy, decoded body, handler state */
    uint8_t *frame;
    size_t frame_len;
    void *body;              /* decoded request struct */
    enum req_state state;
    enum req_state early;    /* completed while its handler was still running */
    struct wout out;         /* the encoded response */
    int *fds;                /* descriptors to close once the response is sent */
    int nfds, capfds;
    /* parking */
    int pending;             /* partitions still to be synced (produce) */
    int64_t deadline_ms;     /* monotonic; fetch long poll */
    struct req *park_next, *park_prev; /* the broker's list of parked requests with a deadline */
    int woken;               /* fetch: on the broker's wake list */
    struct req *wake_next;
    void *hstate;            /* handler state for a parked request */
    /* Called instead of req_complete once every sync the request waits on
     * is done (a handler with a second phase, e.g. EndTxn); it must end by
     * completing the request. */
    void (*on_synced)(struct broker *b, struct req *r);
    int64_t start_us;
};

struct conn {
    struct broker *b;
    int fd;
    uint64_t id;
    char addr[64];
    struct buf rbuf;
    size_t rpos;             /* parsed up to here in rbuf */
    struct req *head, *tail;
    int nreqs;
    size_t send_piece, send_off; /* progress sending head's response */
    uint32_t events;         /* current epoll interest */
    int closed;              /* fd closed; struct lives until nreqs == 0 */
    int dead;                /* on the broker's dead list, freed after this loop iteration */
    int ready;               /* on the broker's ready list (frames waiting to be processed) */
    int mem_blocked;         /* waiting for read-buffer memory (queued.max.request.bytes) */
    struct conn *ready_next;
    struct conn *next, *prev;
};

struct broker {
    struct broker_cfg cfg;
    char host[256];
    int port;
    char adv_host[256];
    int adv_port;
    char cluster_id[64];
    int epfd, lfd, evfd;
    volatile int stopping;
    int ran;                 /* broker_run was entered */
    struct flusher *flusher;
    struct cleaner *cleaner;
    struct hmap topics;      /* name -> struct topic */
    struct hmap parts_by_uid;/* uid (8 bytes) -> struct partition */
    uint64_t next_uid, next_conn_id;
    struct conn *conns, *dead_conns, *ready_conns;
    int nconns;
    size_t rbuf_bytes;       /* read-buffer capacity of all connections */
    int nmem_blocked;
    struct req *parked;      /* requests with a deadline */
    struct req *wake;        /* fetches to re-evaluate after new data */
    int64_t next_housekeep_ms, last_retention_ms;
    struct logdir *logdir;
    struct pid_alloc pids;
    struct txn_coord *txn;
    int64_t last_snapshot_ms, last_clean_ms;
    int clean_start;         /* the log dir had the clean-shutdown marker */
    char meta_dir[1100];
    struct grp_coord *grp;   /* group coordinator (group.h) */
};

static inline struct wstr wstr_c(const char *s) { return (struct wstr){s, s ? (int32_t)strlen(s) : 0}; }
/* An arena copy of a wire string, NUL-terminated. */
static inline char *wstr_dup(struct arena *a, struct wstr s) { return arena_strndup(a, s.p ? s.p : "", (size_t)s.n); }

/* Handler results. */
enum { H_DONE = 0, H_PARKED = 1, H_NO_RESPONSE = 2, H_CLOSE = 3 };
typedef int (*handler_fn)(struct broker *b, struct req *r);

/* Encodes resp (schema of r's API response) as r's response. */
void req_respond(struct req *r, const void *resp);
/* Finishes a parked request: its response is in r->out (or none). */
void req_complete(struct broker *b, struct req *r, enum req_state st);
/* Keeps fd open until r's response is sent, then closes it. */
void req_own_fd(struct req *r, int fd);
/* Parks r with a deadline (monotonic ms) on the broker's timer list. */
void req_park(struct broker *b, struct req *r, int64_t deadline_ms);
void req_unpark(struct broker *b, struct req *r);

/* Handlers (h_*.c). */
int h_api_versions(struct broker *b, struct req *r);
int h_metadata(struct broker *b, struct req *r);
int h_produce(struct broker *b, struct req *r);
int h_fetch(struct broker *b, struct req *r);
int h_list_offsets(struct broker *b, struct req *r);
int h_offset_for_leader_epoch(struct broker *b, struct req *r);
int h_create_topics(struct broker *b, struct req *r);
int h_delete_topics(struct broker *b, struct req *r);
int h_create_partitions(struct broker *b, struct req *r);
int h_delete_records(struct broker *b, struct req *r);
int h_describe_configs(struct broker *b, struct req *r);
int h_alter_configs(struct broker *b, struct req *r);
int h_incremental_alter_configs(struct broker *b, struct req *r);
int h_describe_cluster(struct broker *b, struct req *r);
int h_init_producer_id(struct broker *b, struct req *r);
int h_add_partitions_to_txn(struct broker *b, struct req *r);
int h_add_offsets_to_txn(struct broker *b, struct req *r);
int h_end_txn(struct broker *b, struct req *r);
int h_txn_offset_commit(struct broker *b, struct req *r);
int h_describe_transactions(struct broker *b, struct req *r);
int h_list_transactions(struct broker *b, struct req *r);
/* group coordinator (group.h) */
int h_find_coordinator(struct broker *b, struct req *r);
int h_join_group(struct broker *b, struct req *r);
int h_sync_group(struct broker *b, struct req *r);
int h_heartbeat(struct broker *b, struct req *r);
int h_leave_group(struct broker *b, struct req *r);
int h_offset_commit(struct broker *b, struct req *r);
int h_offset_fetch(struct broker *b, struct req *r);
int h_offset_delete(struct broker *b, struct req *r);
int h_list_groups(struct broker *b, struct req *r);
int h_describe_groups(struct broker *b, struct req *r);
int h_delete_groups(struct broker *b, struct req *r);
handler_fn handler_for(int api_key);

/* Fetch and produce hooks used by the loop. */
void fetch_on_timeout(struct broker *b, struct req *r);
void fetch_on_wake(struct broker *b, struct req *r);
void fetch_cancel(struct broker *b, struct req *r);
void produce_on_synced(struct broker *b, struct partition *p);
/* Appends whole batches the broker built itself to p (partition_io.c):
 * producer state updated, parked fetches woken; r (if any) waits until
 * they are durable. Returns a Kafka error code. */
int partition_append_batches(struct broker *b, struct partition *p, uint8_t *data, size_t len, struct req *r);
/* Calls fn for every whole batch of p from its log start; a non-zero
 * return stops the scan and is returned (err says where). */
typedef int (*partition_scan_fn)(void *ctx, const struct batch_hdr *h, const uint8_t *batch, size_t len);
int partition_scan(struct partition *p, partition_scan_fn fn, void *ctx, char *err, size_t errlen);

/* A request waiting on syncs has one fewer to wait for. */
void req_sync_done(struct broker *b, struct req *r);
/* Completes every produce request waiting on p (p is going away). */
void produce_release_waiters(struct broker *b, struct partition *p);
/* Called after appending to p: wakes fetches waiting on it. */
void partition_notify_append(struct broker *b, struct partition *p);
/* Makes r wait (r->pending) until p is fsync'ed below upto, and asks for the sync. */
void partition_add_sync_waiter(struct broker *b, struct partition *p, struct req *r, int64_t upto);
/* Asks the flusher to sync p if it has waiters and no job in flight. */
void partition_request_sync(struct broker *b, struct partition *p);

/* Sync tokens: the broker's own waits on durability (partition_io.c). A
 * token is a connectionless request that partition_add_sync_waiter can
 * hold on several partitions; once every one of them is durable up to its
 * offset, fn(b, ctx) runs (if fn is set) and the token is freed. A new
 * token holds one guard wait, so adding waiters never fires it early;
 * sync_token_arm releases the guard (and fires at once if nothing is left
 * to wait for). ctx is malloc'ed or NULL and fn owns it (a token dropped at
 * shutdown frees it). */
struct req *sync_token_new(void (*fn)(struct broker *b, void *ctx), void *ctx);
void sync_token_arm(struct broker *b, struct req *tok);
/* Frees a token without running it (shutdown). */
void sync_token_drop(struct req *tok);
/* Starts the sync of p up to upto with nobody waiting on the result. */
void partition_sync_soon(struct broker *b, struct partition *p, int64_t upto);

#endif
