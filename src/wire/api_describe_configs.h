/* DescribeConfigs (key 32): versions 0-4, flexible from 4. configuration_keys
 * null = all keys. v0 has is_default per config; v1 replaces it with
 * config_source and adds synonyms (when include_synonyms), v3 adds
 * config_type and documentation (when include_documentation).
 * Resource types: 2 topic, 4 broker, 8 broker logger. */

#ifndef WEIR_WIRE_API_DESCRIBE_CONFIGS_H
#define WEIR_WIRE_API_DESCRIBE_CONFIGS_H

#include "wire/codec.h"

struct describe_configs_req_resource {
    int8_t resource_type;
    struct wstr resource_name;
    WARR(struct wstr) configuration_keys; /* nullable */
};
struct describe_configs_req {
    WARR(struct describe_configs_req_resource) resources;
    int8_t include_synonyms; /* v1+ */
    int8_t include_documentation; /* v3+ */
};

struct describe_configs_resp_synonym {
    struct wstr name; /* v1+ */
    struct wstr value; /* v1+, nullable */
    int8_t source; /* v1+ */
};
struct describe_configs_resp_config {
    struct wstr name;
    struct wstr value; /* nullable */
    int8_t read_only;
    int8_t is_default; /* v0 */
    int8_t config_source; /* v1+, default -1 */
    int8_t is_sensitive;
    WARR(struct describe_configs_resp_synonym) synonyms; /* v1+ */
    int8_t config_type; /* v3+ */
    struct wstr documentation; /* v3+, nullable */
};
struct describe_configs_resp_result {
    int16_t error_code;
    struct wstr error_message; /* nullable */
    int8_t resource_type;
    struct wstr resource_name;
    WARR(struct describe_configs_resp_config) configs;
};
struct describe_configs_resp {
    int32_t throttle_time_ms;
    WARR(struct describe_configs_resp_result) results;
};

extern const struct wschema describe_configs_req_schema, describe_configs_resp_schema;

#endif
