/* OffsetDelete (key 47): version 0 only, not flexible. Deletes committed
 * offsets of partitions the group no longer consumes. */

#ifndef WEIR_WIRE_API_OFFSET_DELETE_H
#define WEIR_WIRE_API_OFFSET_DELETE_H

#include "wire/codec.h"

struct offset_delete_req_partition {
    int32_t partition_index;
};
struct offset_delete_req_topic {
    struct wstr name;
    WARR(struct offset_delete_req_partition) partitions;
};
struct offset_delete_req {
    struct wstr group_id;
    WARR(struct offset_delete_req_topic) topics;
};

struct offset_delete_resp_partition {
    int32_t partition_index;
    int16_t error_code;
};
struct offset_delete_resp_topic {
    struct wstr name;
    WARR(struct offset_delete_resp_partition) partitions;
};
struct offset_delete_resp {
    int16_t error_code;
    int32_t throttle_time_ms;
    WARR(struct offset_delete_resp_topic) topics;
};

extern const struct wschema offset_delete_req_schema, offset_delete_resp_schema;

#endif
