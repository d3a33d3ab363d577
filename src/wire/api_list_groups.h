/* ListGroups (key 16): versions 0-5, flexible from 3. v4 filters by
 * state and returns it, v5 filters by group type and returns it. */

#ifndef WEIR_WIRE_API_LIST_GROUPS_H
#define WEIR_WIRE_API_LIST_GROUPS_H

#include "wire/codec.h"

struct list_groups_req {
    WARR(struct wstr) states_filter; /* v4+ */
    WARR(struct wstr) types_filter; /* v5+ */
};

struct list_groups_resp_group {
    struct wstr group_id;
    struct wstr protocol_type;
    struct wstr group_state; /* v4+ */
    struct wstr group_type; /* v5+ */
};
struct list_groups_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    WARR(struct list_groups_resp_group) groups;
};

extern const struct wschema list_groups_req_schema, list_groups_resp_schema;

#endif
