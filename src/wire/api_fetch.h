/* Fetch (key 1): versions 0-17, flexible from 12. Topics are named up to
 * v12 and identified by topic id from v13. Request: v3 adds max_bytes, v4
 * isolation_level, v5 log_start_offset, v7 fetch sessions (session id and
 * epoch, forgotten topics), v9 current_leader_epoch, v11 rack_id, v12 tagged
 * fields (ClusterId tag 0; ReplicaState tag 1 from v15, which replaces
 * replica_id), v17 replica_directory_id (partition tag 0).
 * Response: v4 last_stable_offset and aborted transactions, v5
 * log_start_offset, v7 top-level error_code and session_id, v11
 * preferred_read_replica, v12 partition tags DivergingEpoch (0),
 * CurrentLeader (1), SnapshotId (2), v16 NodeEndpoints (top-level tag 0).
 * Responses usually carry records as file ranges (struct wrecs, is_file). */
#ifndef WEIR_WIRE_API_FETCH_H
#define WEIR_WIRE_API_FETCH_H

#include "wire/codec.h"

struct fetch_req_replica_state { /* ReplicaState, v15+ */
    int32_t replica_id;    /* default -1 */
    int64_t replica_epoch; /* default -1 */
};
struct fetch_req_partition {     /* FetchPartition */
    int32_t partition;
    int32_t current_leader_epoch;    /* v9+, default -1 */
    int64_t fetch_offset;
    int32_t last_fetched_epoch;      /* v12+, default -1 */
    int64_t log_start_offset;        /* v5+, default -1 */
    int32_t partition_max_bytes;
    uint8_t replica_directory_id[16]; /* v17+, tag 0 */
};
struct fetch_req_topic {         /* FetchTopic */
    struct wstr topic;   /* v0-12 */
    uint8_t topic_id[16]; /* v13+ */
    WARR(struct fetch_req_partition) partitions;
};
struct fetch_req_forgotten {     /* ForgottenTopic, v7+ */
    struct wstr topic;    /* v7-12 */
    uint8_t topic_id[16]; /* v13+ */
    WARR(int32_t) partitions;
};
struct fetch_req {
    struct wstr cluster_id; /* v12+, tag 0, nullable, default null */
    int32_t replica_id;     /* v0-14, default -1 */
    struct fetch_req_replica_state replica_state; /* v15+, tag 1 */
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;      /* v3+, default 0x7fffffff */
    int8_t isolation_level; /* v4+ */
    int32_t session_id;     /* v7+, default 0 */
    int32_t session_epoch;  /* v7+, default -1 */
    WARR(struct fetch_req_topic) topics;
    WARR(struct fetch_req_forgotten) forgotten_topics_data; /* v7+ */
    struct wstr rack_id;    /* v11+, default "" */
};

struct fetch_resp_epoch_end_offset { /* EpochEndOffset (DivergingEpoch), v12+ */
    int32_t epoch;      /* default -1 */
    int64_t end_offset; /* default -1 */
};
struct fetch_resp_leader {           /* LeaderIdAndEpoch (CurrentLeader), v12+ */
    int32_t leader_id;    /* default -1 */
    int32_t leader_epoch; /* default -1 */
};
struct fetch_resp_snapshot_id {      /* SnapshotId, v12+ */
    int64_t end_offset; /* default -1 */
    int32_t epoch;      /* default -1 */
};
struct fetch_resp_aborted {          /* AbortedTransaction, v4+ */
    int64_t producer_id;
    int64_t first_offset;
};
struct fetch_resp_partition {        /* PartitionData */
    int32_t partition_index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset; /* v4+, default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    struct fetch_resp_epoch_end_offset diverging_epoch; /* v12+, tag 0 */
    struct fetch_resp_leader current_leader;            /* v12+, tag 1 */
    struct fetch_resp_snapshot_id snapshot_id;          /* v12+, tag 2 */
    WARR(struct fetch_resp_aborted) aborted_transactions; /* v4+, nullable */
    int32_t preferred_read_replica; /* v11+, default -1 */
    struct wrecs records;           /* nullable */
};
struct fetch_resp_topic {            /* FetchableTopicResponse */
    struct wstr topic;    /* v0-12 */
    uint8_t topic_id[16]; /* v13+ */
    WARR(struct fetch_resp_partition) partitions;
};
struct fetch_resp_node_endpoint {    /* NodeEndpoint, v16+ */
    int32_t node_id;
    struct wstr host;
    int32_t port;
    struct wstr rack; /* nullable, default null */
};
struct fetch_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;       /* v7+ */
    int32_t session_id;       /* v7+, default 0 */
    WARR(struct fetch_resp_topic) responses;
    WARR(struct fetch_resp_node_endpoint) node_endpoints; /* v16+, tag 0 */
};

extern const struct wschema fetch_req_schema, fetch_resp_schema;

#endif
