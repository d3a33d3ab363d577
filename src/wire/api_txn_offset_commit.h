/* TxnOffsetCommit (key 28): versions 0-4, flexible from 3. v2 adds
 * committed_leader_epoch, v3 the group generation, member and
 * group_instance_id (fencing zombie producers, KIP-447). */

#ifndef WEIR_WIRE_API_TXN_OFFSET_COMMIT_H
#define WEIR_WIRE_API_TXN_OFFSET_COMMIT_H

#include "wire/codec.h"

struct txn_offset_commit_req_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v2+, default -1 */
    struct wstr committed_metadata; /* nullable */
};
struct txn_offset_commit_req_topic {
    struct wstr name;
    WARR(struct txn_offset_commit_req_partition) partitions;
};
struct txn_offset_commit_req {
    struct wstr transactional_id;
    struct wstr group_id;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t generation_id; /* v3+, default -1 */
    struct wstr member_id; /* v3+ */
    struct wstr group_instance_id; /* v3+, nullable, default null */
    WARR(struct txn_offset_commit_req_topic) topics;
};

struct txn_offset_commit_resp_partition {
    int32_t partition_index;
    int16_t error_code;
};
struct txn_offset_commit_resp_topic {
    struct wstr name;
    WARR(struct txn_offset_commit_resp_partition) partitions;
};
struct txn_offset_commit_resp {
    int32_t throttle_time_ms;
    WARR(struct txn_offset_commit_resp_topic) topics;
};

extern const struct wschema txn_offset_commit_req_schema, txn_offset_commit_resp_schema;

#endif
