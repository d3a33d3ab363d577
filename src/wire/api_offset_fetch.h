/* OffsetFetch (key 9): versions 0-9, flexible from 6. Up to v7 one group
 * (topics null = all, from v2) with a top-level error code (v2+); from v8
 * a batch of groups, each with its own topics and error code. v5 adds the
 * committed leader epoch, v7 require_stable, v9 member id and epoch. */

#ifndef WEIR_WIRE_API_OFFSET_FETCH_H
#define WEIR_WIRE_API_OFFSET_FETCH_H

#include "wire/codec.h"

struct offset_fetch_req_topic {
    struct wstr name; /* v0-7 */
    WARR(int32_t) partition_indexes; /* v0-7 */
};
struct offset_fetch_req_group_topic {
    struct wstr name; /* v8+ */
    WARR(int32_t) partition_indexes; /* v8+ */
};
struct offset_fetch_req_group {
    struct wstr group_id; /* v8+ */
    struct wstr member_id; /* v9+, nullable, default null */
    int32_t member_epoch; /* v9+, default -1 */
    WARR(struct offset_fetch_req_group_topic) topics; /* v8+, nullable */
};
struct offset_fetch_req {
    struct wstr group_id; /* v0-7 */
    WARR(struct offset_fetch_req_topic) topics; /* v0-7, nullable v2+ */
    WARR(struct offset_fetch_req_group) groups; /* v8+ */
    int8_t require_stable; /* v7+ */
};

struct offset_fetch_resp_partition {
    int32_t partition_index; /* v0-7 */
    int64_t committed_offset; /* v0-7 */
    int32_t committed_leader_epoch; /* v5-7, default -1 */
    struct wstr metadata; /* v0-7, nullable */
    int16_t error_code; /* v0-7 */
};
struct offset_fetch_resp_topic {
    struct wstr name; /* v0-7 */
    WARR(struct offset_fetch_resp_partition) partitions; /* v0-7 */
};
struct offset_fetch_resp_group_partition {
    int32_t partition_index; /* v8+ */
    int64_t committed_offset; /* v8+ */
    int32_t committed_leader_epoch; /* v8+, default -1 */
    struct wstr metadata; /* v8+, nullable */
    int16_t error_code; /* v8+ */
};
struct offset_fetch_resp_group_topic {
    struct wstr name; /* v8+ */
    WARR(struct offset_fetch_resp_group_partition) partitions; /* v8+ */
};
struct offset_fetch_resp_group {
    struct wstr group_id; /* v8+ */
    WARR(struct offset_fetch_resp_group_topic) topics; /* v8+ */
    int16_t error_code; /* v8+ */
};
struct offset_fetch_resp {
    int32_t throttle_time_ms; /* v3+ */
    WARR(struct offset_fetch_resp_topic) topics; /* v0-7 */
    int16_t error_code; /* v2-7 */
    WARR(struct offset_fetch_resp_group) groups; /* v8+ */
};

extern const struct wschema offset_fetch_req_schema, offset_fetch_resp_schema;

#endif
