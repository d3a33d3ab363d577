/* LeaveGroup (key 13): versions 0-5, flexible from 4. Up to v2 one
 * member_id; from v3 a batch of members (with group_instance_id) and a
 * result per member; v5 adds a reason. */

#ifndef WEIR_WIRE_API_LEAVE_GROUP_H
#define WEIR_WIRE_API_LEAVE_GROUP_H

#include "wire/codec.h"

struct leave_group_req_member {
    struct wstr member_id; /* v3+ */
    struct wstr group_instance_id; /* v3+, nullable, default null */
    struct wstr reason; /* v5+, nullable, default null */
};
struct leave_group_req {
    struct wstr group_id;
    struct wstr member_id; /* v0-2 */
    WARR(struct leave_group_req_member) members; /* v3+ */
};

struct leave_group_resp_member {
    struct wstr member_id; /* v3+ */
    struct wstr group_instance_id; /* v3+, nullable */
    int16_t error_code; /* v3+ */
};
struct leave_group_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    WARR(struct leave_group_resp_member) members; /* v3+ */
};

extern const struct wschema leave_group_req_schema, leave_group_resp_schema;

#endif
