/* ListOffsets (key 2): versions 0-9, flexible from 6. v0 asks for up to
 * max_num_offsets offsets and gets an array back (old_style_offsets); v1+
 * returns one timestamp/offset pair. v2 adds isolation_level, v4 leader
 * epochs. v7-9 only add special timestamps (-3 max timestamp, -4 local log
 * start, -5 last tiered offset), no fields. */
#ifndef WEIR_WIRE_API_LIST_OFFSETS_H
#define WEIR_WIRE_API_LIST_OFFSETS_H

#include "wire/codec.h"

struct list_offsets_req_partition { /* ListOffsetsPartition */
    int32_t partition_index;
    int32_t current_leader_epoch; /* v4+, default -1 */
    int64_t timestamp;
    int32_t max_num_offsets;      /* v0 only, default 1 */
};
struct list_offsets_req_topic {     /* ListOffsetsTopic */
    struct wstr name;
    WARR(struct list_offsets_req_partition) partitions;
};
struct list_offsets_req {
    int32_t replica_id;
    int8_t isolation_level; /* v2+ */
    WARR(struct list_offsets_req_topic) topics;
};

struct list_offsets_resp_partition { /* ListOffsetsPartitionResponse */
    int32_t partition_index;
    int16_t error_code;
    WARR(int64_t) old_style_offsets; /* v0 only */
    int64_t timestamp;    /* v1+, default -1 */
    int64_t offset;       /* v1+, default -1 */
    int32_t leader_epoch; /* v4+, default -1 */
};
struct list_offsets_resp_topic {     /* ListOffsetsTopicResponse */
    struct wstr name;
    WARR(struct list_offsets_resp_partition) partitions;
};
struct list_offsets_resp {
    int32_t throttle_time_ms; /* v2+ */
    WARR(struct list_offsets_resp_topic) topics;
};

extern const struct wschema list_offsets_req_schema, list_offsets_resp_schema;

#endif
