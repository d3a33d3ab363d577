/* AlterConfigs (key 33): versions 0-2, flexible from 2. Replaces the whole
 * set of dynamic configs of each resource (see IncrementalAlterConfigs). */

#ifndef WEIR_WIRE_API_ALTER_CONFIGS_H
#define WEIR_WIRE_API_ALTER_CONFIGS_H

#include "wire/codec.h"

struct alter_configs_req_config {
    struct wstr name;
    struct wstr value; /* nullable */
};
struct alter_configs_req_resource {
    int8_t resource_type;
    struct wstr resource_name;
    WARR(struct alter_configs_req_config) configs;
};
struct alter_configs_req {
    WARR(struct alter_configs_req_resource) resources;
    int8_t validate_only;
};

struct alter_configs_resp_response {
    int16_t error_code;
    struct wstr error_message; /* nullable */
    int8_t resource_type;
    struct wstr resource_name;
};
struct alter_configs_resp {
    int32_t throttle_time_ms;
    WARR(struct alter_configs_resp_response) responses;
};

extern const struct wschema alter_configs_req_schema, alter_configs_resp_schema;

#endif
