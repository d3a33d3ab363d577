/* DeleteGroups (key 42): versions 0-2, flexible from 2. */

#ifndef WEIR_WIRE_API_DELETE_GROUPS_H
#define WEIR_WIRE_API_DELETE_GROUPS_H

#include "wire/codec.h"

struct delete_groups_req {
    WARR(struct wstr) groups_names;
};

struct delete_groups_resp_result {
    struct wstr group_id;
    int16_t error_code;
};
struct delete_groups_resp {
    int32_t throttle_time_ms;
    WARR(struct delete_groups_resp_result) results;
};

extern const struct wschema delete_groups_req_schema, delete_groups_resp_schema;

#endif
