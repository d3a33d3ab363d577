/* IncrementalAlterConfigs schemas; see api_incremental_alter_configs.h. */
#include "wire/api_incremental_alter_configs.h"

#define S struct incremental_alter_configs_req_config
static const struct wfield req_config_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, config_operation, WT_I8, 0, WV_MAX),
    WF(S, value, WT_STR, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(req_config_s, struct incremental_alter_configs_req_config, req_config_f);

#define S struct incremental_alter_configs_req_resource
static const struct wfield req_resource_f[] = {
    WF(S, resource_type, WT_I8, 0, WV_MAX),
    WF(S, resource_name, WT_STR, 0, WV_MAX),
    WFA(S, configs, req_config_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_resource_s, struct incremental_alter_configs_req_resource, req_resource_f);

#define S struct incremental_alter_configs_req
static const struct wfield req_f[] = {
    WFA(S, resources, req_resource_s, 0, WV_MAX),
    WF(S, validate_only, WT_BOOL, 0, WV_MAX),
};
#undef S
WSCHEMA(incremental_alter_configs_req_schema, struct incremental_alter_configs_req, req_f);

#define S struct incremental_alter_configs_resp_response
static const struct wfield resp_response_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 0, WV_MAX, .nullable_min = 0),
    WF(S, resource_type, WT_I8, 0, WV_MAX),
    WF(S, resource_name, WT_STR, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_response_s, struct incremental_alter_configs_resp_response, resp_response_f);

#define S struct incremental_alter_configs_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, responses, resp_response_s, 0, WV_MAX),
};
#undef S
WSCHEMA(incremental_alter_configs_resp_schema, struct incremental_alter_configs_resp, resp_f);
