/* SyncGroup (key 14): versions 0-5, flexible from 4. The leader sends the
 * assignments; every member gets its own back. v3 adds group_instance_id,
 * v5 protocol type and name both ways. */

#ifndef WEIR_WIRE_API_SYNC_GROUP_H
#define WEIR_WIRE_API_SYNC_GROUP_H

#include "wire/codec.h"

struct sync_group_req_assignment {
    struct wstr member_id;
    struct wbytes assignment;
};
struct sync_group_req {
    struct wstr group_id;
    int32_t generation_id;
    struct wstr member_id;
    struct wstr group_instance_id; /* v3+, nullable, default null */
    struct wstr protocol_type; /* v5+, nullable, default null */
    struct wstr protocol_name; /* v5+, nullable, default null */
    WARR(struct sync_group_req_assignment) assignments;
};

struct sync_group_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    struct wstr protocol_type; /* v5+, nullable, default null */
    struct wstr protocol_name; /* v5+, nullable, default null */
    struct wbytes assignment;
};

extern const struct wschema sync_group_req_schema, sync_group_resp_schema;

#endif
