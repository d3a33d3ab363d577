/* JoinGroup schemas; see api_join_group.h. */
#include "wire/api_join_group.h"

#define S struct join_group_req_protocol
static const struct wfield req_protocol_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, metadata, WT_BYTES, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_protocol_s, struct join_group_req_protocol, req_protocol_f);

#define S struct join_group_req
static const struct wfield req_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, session_timeout_ms, WT_I32, 0, WV_MAX),
    WF(S, rebalance_timeout_ms, WT_I32, 1, WV_MAX, .def = -1),
    WF(S, member_id, WT_STR, 0, WV_MAX),
    WF(S, group_instance_id, WT_STR, 5, WV_MAX, .nullable_min = 5),
    WF(S, protocol_type, WT_STR, 0, WV_MAX),
    WFA(S, protocols, req_protocol_s, 0, WV_MAX),
    WF(S, reason, WT_STR, 8, WV_MAX, .nullable_min = 8),
};
#undef S
WSCHEMA(join_group_req_schema, struct join_group_req, req_f);

#define S struct join_group_resp_member
static const struct wfield resp_member_f[] = {
    WF(S, member_id, WT_STR, 0, WV_MAX),
    WF(S, group_instance_id, WT_STR, 5, WV_MAX, .nullable_min = 5),
    WF(S, metadata, WT_BYTES, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_member_s, struct join_group_resp_member, resp_member_f);

#define S struct join_group_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 2, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, generation_id, WT_I32, 0, WV_MAX, .def = -1),
    WF(S, protocol_type, WT_STR, 7, WV_MAX, .nullable_min = 7),
    WF(S, protocol_name, WT_STR, 0, WV_MAX, .nullable_min = 7),
    WF(S, leader, WT_STR, 0, WV_MAX),
    WF(S, skip_assignment, WT_BOOL, 9, WV_MAX),
    WF(S, member_id, WT_STR, 0, WV_MAX),
    WFA(S, members, resp_member_s, 0, WV_MAX),
};
#undef S
WSCHEMA(join_group_resp_schema, struct join_group_resp, resp_f);
