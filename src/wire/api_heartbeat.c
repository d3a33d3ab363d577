/* Heartbeat schemas; see api_heartbeat.h. */
#include "wire/api_heartbeat.h"

#define S struct heartbeat_req
static const struct wfield req_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, generation_id, WT_I32, 0, WV_MAX),
    WF(S, member_id, WT_STR, 0, WV_MAX),
    WF(S, group_instance_id, WT_STR, 3, WV_MAX, .nullable_min = 3),
};
#undef S
WSCHEMA(heartbeat_req_schema, struct heartbeat_req, req_f);

#define S struct heartbeat_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
};
#undef S
WSCHEMA(heartbeat_resp_schema, struct heartbeat_resp, resp_f);
