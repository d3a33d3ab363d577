/* ListGroups schemas; see api_list_groups.h. */
#include "wire/api_list_groups.h"

#define S struct list_groups_req
static const struct wfield req_f[] = {
    WFAP(S, states_filter, WT_STR, 4, WV_MAX),
    WFAP(S, types_filter, WT_STR, 5, WV_MAX),
};
#undef S
WSCHEMA(list_groups_req_schema, struct list_groups_req, req_f);

#define S struct list_groups_resp_group
static const struct wfield resp_group_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, protocol_type, WT_STR, 0, WV_MAX),
    WF(S, group_state, WT_STR, 4, WV_MAX),
    WF(S, group_type, WT_STR, 5, WV_MAX),
};
#undef S
static WSCHEMA(resp_group_s, struct list_groups_resp_group, resp_group_f);

#define S struct list_groups_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WFA(S, groups, resp_group_s, 0, WV_MAX),
};
#undef S
WSCHEMA(list_groups_resp_schema, struct list_groups_resp, resp_f);
