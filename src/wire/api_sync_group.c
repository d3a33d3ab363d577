/* SyncGroup schemas; see api_sync_group.h. */
#include "wire/api_sync_group.h"

#define S struct sync_group_req_assignment
static const struct wfield req_assignment_f[] = {
    WF(S, member_id, WT_STR, 0, WV_MAX),
    WF(S, assignment, WT_BYTES, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_assignment_s, struct sync_group_req_assignment, req_assignment_f);

#define S struct sync_group_req
static const struct wfield req_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, generation_id, WT_I32, 0, WV_MAX),
    WF(S, member_id, WT_STR, 0, WV_MAX),
    WF(S, group_instance_id, WT_STR, 3, WV_MAX, .nullable_min = 3),
    WF(S, protocol_type, WT_STR, 5, WV_MAX, .nullable_min = 5),
    WF(S, protocol_name, WT_STR, 5, WV_MAX, .nullable_min = 5),
    WFA(S, assignments, req_assignment_s, 0, WV_MAX),
};
#undef S
WSCHEMA(sync_group_req_schema, struct sync_group_req, req_f);

#define S struct sync_group_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, protocol_type, WT_STR, 5, WV_MAX, .nullable_min = 5),
    WF(S, protocol_name, WT_STR, 5, WV_MAX, .nullable_min = 5),
    WF(S, assignment, WT_BYTES, 0, WV_MAX),
};
#undef S
WSCHEMA(sync_group_resp_schema, struct sync_group_resp, resp_f);
