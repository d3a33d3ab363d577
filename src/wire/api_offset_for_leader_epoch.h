/* OffsetForLeaderEpoch (key 23): versions 0-4, flexible from 4. Given a
 * leader epoch, returns the end offset of that epoch (the start offset of
 * the next one). v1 returns the epoch, v2 adds current_leader_epoch
 * fencing and throttle time, v3 adds replica_id (-2: a debug consumer). */

#ifndef WEIR_WIRE_API_OFFSET_FOR_LEADER_EPOCH_H
#define WEIR_WIRE_API_OFFSET_FOR_LEADER_EPOCH_H

#include "wire/codec.h"

struct offset_for_leader_epoch_req_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* v2+, default -1 */
    int32_t leader_epoch;
};
struct offset_for_leader_epoch_req_topic {
    struct wstr topic;
    WARR(struct offset_for_leader_epoch_req_partition) partitions;
};
struct offset_for_leader_epoch_req {
    int32_t replica_id; /* v3+, default -2 */
    WARR(struct offset_for_leader_epoch_req_topic) topics;
};

struct offset_for_leader_epoch_resp_partition {
    int16_t error_code;
    int32_t partition;
    int32_t leader_epoch; /* v1+, default -1 */
    int64_t end_offset;
};
struct offset_for_leader_epoch_resp_topic {
    struct wstr topic;
    WARR(struct offset_for_leader_epoch_resp_partition) partitions;
};
struct offset_for_leader_epoch_resp {
    int32_t throttle_time_ms; /* v2+ */
    WARR(struct offset_for_leader_epoch_resp_topic) topics;
};

extern const struct wschema offset_for_leader_epoch_req_schema, offset_for_leader_epoch_resp_schema;

#endif
