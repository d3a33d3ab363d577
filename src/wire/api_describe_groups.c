/* DescribeGroups schemas; see api_describe_groups.h. */
#include "wire/api_describe_groups.h"

#define S struct describe_groups_req
static const struct wfield req_f[] = {
    WFAP(S, groups, WT_STR, 0, WV_MAX),
    WF(S, include_authorized_operations, WT_BOOL, 3, WV_MAX),
};
#undef S
WSCHEMA(describe_groups_req_schema, struct describe_groups_req, req_f);

#define S struct describe_groups_resp_member
static const struct wfield resp_member_f[] = {
    WF(S, member_id, WT_STR, 0, WV_MAX),
    WF(S, group_instance_id, WT_STR, 4, WV_MAX, .nullable_min = 4),
    WF(S, client_id, WT_STR, 0, WV_MAX),
    WF(S, client_host, WT_STR, 0, WV_MAX),
    WF(S, member_metadata, WT_BYTES, 0, WV_MAX),
    WF(S, member_assignment, WT_BYTES, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_member_s, struct describe_groups_resp_member, resp_member_f);

#define S struct describe_groups_resp_group
static const struct wfield resp_group_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, group_state, WT_STR, 0, WV_MAX),
    WF(S, protocol_type, WT_STR, 0, WV_MAX),
    WF(S, protocol_data, WT_STR, 0, WV_MAX),
    WFA(S, members, resp_member_s, 0, WV_MAX),
    WF(S, authorized_operations, WT_I32, 3, WV_MAX, .def = INT32_MIN),
};
#undef S
static WSCHEMA(resp_group_s, struct describe_groups_resp_group, resp_group_f);

#define S struct describe_groups_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WFA(S, groups, resp_group_s, 0, WV_MAX),
};
#undef S
WSCHEMA(describe_groups_resp_schema, struct describe_groups_resp, resp_f);
