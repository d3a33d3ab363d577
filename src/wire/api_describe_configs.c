/* DescribeConfigs schemas; see api_describe_configs.h. */
#include "wire/api_describe_configs.h"

#define S struct describe_configs_req_resource
static const struct wfield req_resource_f[] = {
    WF(S, resource_type, WT_I8, 0, WV_MAX),
    WF(S, resource_name, WT_STR, 0, WV_MAX),
    WFAP(S, configuration_keys, WT_STR, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(req_resource_s, struct describe_configs_req_resource, req_resource_f);

#define S struct describe_configs_req
static const struct wfield req_f[] = {
    WFA(S, resources, req_resource_s, 0, WV_MAX),
    WF(S, include_synonyms, WT_BOOL, 1, WV_MAX),
    WF(S, include_documentation, WT_BOOL, 3, WV_MAX),
};
#undef S
WSCHEMA(describe_configs_req_schema, struct describe_configs_req, req_f);

#define S struct describe_configs_resp_synonym
static const struct wfield resp_synonym_f[] = {
    WF(S, name, WT_STR, 1, WV_MAX),
    WF(S, value, WT_STR, 1, WV_MAX, .nullable_min = 0),
    WF(S, source, WT_I8, 1, WV_MAX),
};
#undef S
static WSCHEMA(resp_synonym_s, struct describe_configs_resp_synonym, resp_synonym_f);

#define S struct describe_configs_resp_config
static const struct wfield resp_config_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, value, WT_STR, 0, WV_MAX, .nullable_min = 0),
    WF(S, read_only, WT_BOOL, 0, WV_MAX),
    WF(S, is_default, WT_BOOL, 0, 0),
    WF(S, config_source, WT_I8, 1, WV_MAX, .def = -1),
    WF(S, is_sensitive, WT_BOOL, 0, WV_MAX),
    WFA(S, synonyms, resp_synonym_s, 1, WV_MAX),
    WF(S, config_type, WT_I8, 3, WV_MAX),
    WF(S, documentation, WT_STR, 3, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(resp_config_s, struct describe_configs_resp_config, resp_config_f);

#define S struct describe_configs_resp_result
static const struct wfield resp_result_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 0, WV_MAX, .nullable_min = 0),
    WF(S, resource_type, WT_I8, 0, WV_MAX),
    WF(S, resource_name, WT_STR, 0, WV_MAX),
    WFA(S, configs, resp_config_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_result_s, struct describe_configs_resp_result, resp_result_f);

#define S struct describe_configs_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, results, resp_result_s, 0, WV_MAX),
};
#undef S
WSCHEMA(describe_configs_resp_schema, struct describe_configs_resp, resp_f);
