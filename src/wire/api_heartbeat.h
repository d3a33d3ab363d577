/* Heartbeat (key 12): versions 0-4, flexible from 4. v3 adds
 * group_instance_id. */

#ifndef WEIR_WIRE_API_HEARTBEAT_H
#define WEIR_WIRE_API_HEARTBEAT_H

#include "wire/codec.h"

struct heartbeat_req {
    struct wstr group_id;
    int32_t generation_id;
    struct wstr member_id;
    struct wstr group_instance_id; /* v3+, nullable, default null */
};

struct heartbeat_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
};

extern const struct wschema heartbeat_req_schema, heartbeat_resp_schema;

#endif
