/* OffsetCommit (key 8): versions 0-9, flexible from 8. v1 adds the group
 * generation and member (and a per-partition commit_timestamp, v1 only),
 * v2-4 retention_time_ms, v6 committed_leader_epoch, v7 group_instance_id.
 * generation_id_or_member_epoch is the generation for classic groups. */

#ifndef WEIR_WIRE_API_OFFSET_COMMIT_H
#define WEIR_WIRE_API_OFFSET_COMMIT_H

#include "wire/codec.h"

struct offset_commit_req_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v6+, default -1 */
    int64_t commit_timestamp; /* v1, default -1 */
    struct wstr committed_metadata; /* nullable */
};
struct offset_commit_req_topic {
    struct wstr name;
    WARR(struct offset_commit_req_partition) partitions;
};
struct offset_commit_req {
    struct wstr group_id;
    int32_t generation_id_or_member_epoch; /* v1+, default -1 */
    struct wstr member_id; /* v1+ */
    struct wstr group_instance_id; /* v7+, nullable, default null */
    int64_t retention_time_ms; /* v2-4, default -1 */
    WARR(struct offset_commit_req_topic) topics;
};

struct offset_commit_resp_partition {
    int32_t partition_index;
    int16_t error_code;
};
struct offset_commit_resp_topic {
    struct wstr name;
    WARR(struct offset_commit_resp_partition) partitions;
};
struct offset_commit_resp {
    int32_t throttle_time_ms; /* v3+ */
    WARR(struct offset_commit_resp_topic) topics;
};

extern const struct wschema offset_commit_req_schema, offset_commit_resp_schema;

#endif
