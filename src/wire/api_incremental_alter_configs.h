/* IncrementalAlterConfigs (key 44): versions 0-1, flexible from 1. Each
 * config carries an operation: 0 set, 1 delete, 2 append, 3 subtract. */

#ifndef WEIR_WIRE_API_INCREMENTAL_ALTER_CONFIGS_H
#define WEIR_WIRE_API_INCREMENTAL_ALTER_CONFIGS_H

#include "wire/codec.h"

struct incremental_alter_configs_req_config {
    struct wstr name;
    int8_t config_operation;
    struct wstr value; /* nullable */
};
struct incremental_alter_configs_req_resource {
    int8_t resource_type;
    struct wstr resource_name;
    WARR(struct incremental_alter_configs_req_config) configs;
};
struct incremental_alter_configs_req {
    WARR(struct incremental_alter_configs_req_resource) resources;
    int8_t validate_only;
};

struct incremental_alter_configs_resp_response {
    int16_t error_code;
    struct wstr error_message; /* nullable */
    int8_t resource_type;
    struct wstr resource_name;
};
struct incremental_alter_configs_resp {
    int32_t throttle_time_ms;
    WARR(struct incremental_alter_configs_resp_response) responses;
};

extern const struct wschema incremental_alter_configs_req_schema, incremental_alter_configs_resp_schema;

#endif
