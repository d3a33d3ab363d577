/* JoinGroup (key 11): versions 0-9, flexible from 6. v1 adds
 * rebalance_timeout_ms; from v4 a member without an id gets
 * MEMBER_ID_REQUIRED and rejoins with the id it was given; v5 static
 * membership (group_instance_id); v7 protocol_type in the response; v8 a
 * reason; v9 skip_assignment. */

#ifndef WEIR_WIRE_API_JOIN_GROUP_H
#define WEIR_WIRE_API_JOIN_GROUP_H

#include "wire/codec.h"

struct join_group_req_protocol {
    struct wstr name;
    struct wbytes metadata;
};
struct join_group_req {
    struct wstr group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* v1+, default -1 */
    struct wstr member_id;
    struct wstr group_instance_id; /* v5+, nullable, default null */
    struct wstr protocol_type;
    WARR(struct join_group_req_protocol) protocols;
    struct wstr reason; /* v8+, nullable, default null */
};

struct join_group_resp_member {
    struct wstr member_id;
    struct wstr group_instance_id; /* v5+, nullable, default null */
    struct wbytes metadata;
};
struct join_group_resp {
    int32_t throttle_time_ms; /* v2+ */
    int16_t error_code;
    int32_t generation_id; /* default -1 */
    struct wstr protocol_type; /* v7+, nullable, default null */
    struct wstr protocol_name; /* nullable v7+ */
    struct wstr leader;
    int8_t skip_assignment; /* v9+ */
    struct wstr member_id;
    WARR(struct join_group_resp_member) members;
};

extern const struct wschema join_group_req_schema, join_group_resp_schema;

#endif
