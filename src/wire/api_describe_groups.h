/* DescribeGroups (key 15): versions 0-5, flexible from 5. v3 adds
 * authorized operations, v4 group_instance_id per member. */

#ifndef WEIR_WIRE_API_DESCRIBE_GROUPS_H
#define WEIR_WIRE_API_DESCRIBE_GROUPS_H

#include "wire/codec.h"

struct describe_groups_req {
    WARR(struct wstr) groups;
    int8_t include_authorized_operations; /* v3+ */
};

struct describe_groups_resp_member {
    struct wstr member_id;
    struct wstr group_instance_id; /* v4+, nullable, default null */
    struct wstr client_id;
    struct wstr client_host;
    struct wbytes member_metadata;
    struct wbytes member_assignment;
};
struct describe_groups_resp_group {
    int16_t error_code;
    struct wstr group_id;
    struct wstr group_state;
    struct wstr protocol_type;
    struct wstr protocol_data;
    WARR(struct describe_groups_resp_member) members;
    int32_t authorized_operations; /* v3+, default -2147483648 */
};
struct describe_groups_resp {
    int32_t throttle_time_ms; /* v1+ */
    WARR(struct describe_groups_resp_group) groups;
};

extern const struct wschema describe_groups_req_schema, describe_groups_resp_schema;

#endif
