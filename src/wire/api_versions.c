/* ApiVersions schemas; see api_versions.h. */
#include "wire/api_versions.h"

#define S struct api_versions_req
static const struct wfield req_f[] = {
    WF(S, client_software_name, WT_STR, 3, WV_MAX),
    WF(S, client_software_version, WT_STR, 3, WV_MAX),
};
#undef S
WSCHEMA(api_versions_req_schema, struct api_versions_req, req_f);

#define S struct api_versions_resp_key
static const struct wfield key_f[] = {
    WF(S, api_key, WT_I16, 0, WV_MAX),
    WF(S, min_version, WT_I16, 0, WV_MAX),
    WF(S, max_version, WT_I16, 0, WV_MAX),
};
#undef S
static WSCHEMA(key_s, struct api_versions_resp_key, key_f);

#define S struct api_versions_resp_feature
static const struct wfield feat_f[] = {
    WF(S, name, WT_STR, 3, WV_MAX),
    WF(S, min_version, WT_I16, 3, WV_MAX),
    WF(S, max_version, WT_I16, 3, WV_MAX),
};
#undef S
static WSCHEMA(feat_s, struct api_versions_resp_feature, feat_f);

#define S struct api_versions_resp_finalized
static const struct wfield fin_f[] = {
    WF(S, name, WT_STR, 3, WV_MAX),
    WF(S, max_version_level, WT_I16, 3, WV_MAX),
    WF(S, min_version_level, WT_I16, 3, WV_MAX),
};
#undef S
static WSCHEMA(fin_s, struct api_versions_resp_finalized, fin_f);

#define S struct api_versions_resp
static const struct wfield resp_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WFA(S, api_keys, key_s, 0, WV_MAX),
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WFA(S, supported_features, feat_s, 3, WV_MAX, .tag = 0),
    WF(S, finalized_features_epoch, WT_I64, 3, WV_MAX, .tag = 1, .def = -1),
    WFA(S, finalized_features, fin_s, 3, WV_MAX, .tag = 2),
    WF(S, zk_migration_ready, WT_BOOL, 3, WV_MAX, .tag = 3),
};
#undef S
WSCHEMA(api_versions_resp_schema, struct api_versions_resp, resp_f);
