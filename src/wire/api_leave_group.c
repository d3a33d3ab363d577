/* LeaveGroup schemas; see api_leave_group.h. */
#include "wire/api_leave_group.h"

#define S struct leave_group_req_member
static const struct wfield req_member_f[] = {
    WF(S, member_id, WT_STR, 3, WV_MAX),
    WF(S, group_instance_id, WT_STR, 3, WV_MAX, .nullable_min = 3),
    WF(S, reason, WT_STR, 5, WV_MAX, .nullable_min = 5),
};
#undef S
static WSCHEMA(req_member_s, struct leave_group_req_member, req_member_f);

#define S struct leave_group_req
static const struct wfield req_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, member_id, WT_STR, 0, 2),
    WFA(S, members, req_member_s, 3, WV_MAX),
};
#undef S
WSCHEMA(leave_group_req_schema, struct leave_group_req, req_f);

#define S struct leave_group_resp_member
static const struct wfield resp_member_f[] = {
    WF(S, member_id, WT_STR, 3, WV_MAX),
    WF(S, group_instance_id, WT_STR, 3, WV_MAX, .nullable_min = 3),
    WF(S, error_code, WT_I16, 3, WV_MAX),
};
#undef S
static WSCHEMA(resp_member_s, struct leave_group_resp_member, resp_member_f);

#define S struct leave_group_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WFA(S, members, resp_member_s, 3, WV_MAX),
};
#undef S
WSCHEMA(leave_group_resp_schema, struct leave_group_resp, resp_f);
