/* CreatePartitions (key 37): versions 0-3, flexible from 2. Raises the
 * partition count of topics; assignments is null for automatic placement. */

#ifndef WEIR_WIRE_API_CREATE_PARTITIONS_H
#define WEIR_WIRE_API_CREATE_PARTITIONS_H

#include "wire/codec.h"

struct create_partitions_req_assignment {
    WARR(int32_t) broker_ids;
};
struct create_partitions_req_topic {
    struct wstr name;
    int32_t count;
    WARR(struct create_partitions_req_assignment) assignments; /* nullable */
};
struct create_partitions_req {
    WARR(struct create_partitions_req_topic) topics;
    int32_t timeout_ms;
    int8_t validate_only;
};

struct create_partitions_resp_result {
    struct wstr name;
    int16_t error_code;
    struct wstr error_message; /* nullable, default null */
};
struct create_partitions_resp {
    int32_t throttle_time_ms;
    WARR(struct create_partitions_resp_result) results;
};

extern const struct wschema create_partitions_req_schema, create_partitions_resp_schema;

#endif
