/* DescribeProducers (key 61): version 0, flexible. The idempotent and
 * transactional producer state of partitions. */

#ifndef WEIR_WIRE_API_DESCRIBE_PRODUCERS_H
#define WEIR_WIRE_API_DESCRIBE_PRODUCERS_H

#include "wire/codec.h"

struct describe_producers_req_topic {
    struct wstr name;
    WARR(int32_t) partition_indexes;
};
struct describe_producers_req {
    WARR(struct describe_producers_req_topic) topics;
};

struct describe_producers_resp_producer {
    int64_t producer_id;
    int32_t producer_epoch;
    int32_t last_sequence; /* default -1 */
    int64_t last_timestamp; /* default -1 */
    int32_t coordinator_epoch;
    int64_t current_txn_start_offset; /* default -1 */
};
struct describe_producers_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    struct wstr error_message; /* nullable, default null */
    WARR(struct describe_producers_resp_producer) active_producers;
};
struct describe_producers_resp_topic {
    struct wstr name;
    WARR(struct describe_producers_resp_partition) partitions;
};
struct describe_producers_resp {
    int32_t throttle_time_ms;
    WARR(struct describe_producers_resp_topic) topics;
};

extern const struct wschema describe_producers_req_schema, describe_producers_resp_schema;

#endif
