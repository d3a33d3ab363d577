/* DeleteGroups schemas; see api_delete_groups.h. */
#include "wire/api_delete_groups.h"

#define S struct delete_groups_req
static const struct wfield req_f[] = {
    WFAP(S, groups_names, WT_STR, 0, WV_MAX),
};
#undef S
WSCHEMA(delete_groups_req_schema, struct delete_groups_req, req_f);

#define S struct delete_groups_resp_result
static const struct wfield resp_result_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_result_s, struct delete_groups_resp_result, resp_result_f);

#define S struct delete_groups_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, results, resp_result_s, 0, WV_MAX),
};
#undef S
WSCHEMA(delete_groups_resp_schema, struct delete_groups_resp, resp_f);
