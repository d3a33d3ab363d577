/* Produce (key 0): versions 0-11, flexible from 9. Records are record
 * batches (v3+, magic 2) or message sets (v0-2), kept as raw bytes pointing
 * into the request buffer. v10+ responses may carry the new leader of a
 * partition (CurrentLeader, tag 0) and its endpoint (NodeEndpoints, tag 0 at
 * the top level) for NOT_LEADER_OR_FOLLOWER answers. */
#ifndef WEIR_WIRE_API_PRODUCE_H
#define WEIR_WIRE_API_PRODUCE_H

#include "wire/codec.h"

struct produce_req_partition {
    int32_t index;
    struct wrecs records; /* nullable */
};
struct produce_req_topic {
    struct wstr name;
    WARR(struct produce_req_partition) partition_data;
};
struct produce_req {
    struct wstr transactional_id; /* v3+, nullable, default null */
    int16_t acks;
    int32_t timeout_ms;
    WARR(struct produce_req_topic) topic_data;
};

struct produce_resp_batch_error {  /* BatchIndexAndErrorMessage, v8+ */
    int32_t batch_index;
    struct wstr batch_index_error_message; /* nullable, default null */
};
struct produce_resp_leader {       /* LeaderIdAndEpoch, v10+ */
    int32_t leader_id;    /* default -1 */
    int32_t leader_epoch; /* default -1 */
};
struct produce_resp_partition {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    int64_t log_append_time_ms; /* v2+, default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    WARR(struct produce_resp_batch_error) record_errors; /* v8+ */
    struct wstr error_message;  /* v8+, nullable, default null */
    struct produce_resp_leader current_leader; /* v10+, tag 0 */
};
struct produce_resp_topic {
    struct wstr name;
    WARR(struct produce_resp_partition) partition_responses;
};
struct produce_resp_node_endpoint { /* NodeEndpoint, v10+ */
    int32_t node_id;
    struct wstr host;
    int32_t port;
    struct wstr rack; /* nullable, default null */
};
struct produce_resp {
    WARR(struct produce_resp_topic) responses;
    int32_t throttle_time_ms; /* v1+ */
    WARR(struct produce_resp_node_endpoint) node_endpoints; /* v10+, tag 0 */
};

extern const struct wschema produce_req_schema, produce_resp_schema;

#endif
