/* FindCoordinator schemas; see api_find_coordinator.h. */
#include "wire/api_find_coordinator.h"

#define S struct find_coordinator_req
static const struct wfield req_f[] = {
    WF(S, key, WT_STR, 0, 3),
    WF(S, key_type, WT_I8, 1, WV_MAX),
    WFAP(S, coordinator_keys, WT_STR, 4, WV_MAX),
};
#undef S
WSCHEMA(find_coordinator_req_schema, struct find_coordinator_req, req_f);

#define S struct find_coordinator_resp_coordinator
static const struct wfield resp_coordinator_f[] = {
    WF(S, key, WT_STR, 4, WV_MAX),
    WF(S, node_id, WT_I32, 4, WV_MAX),
    WF(S, host, WT_STR, 4, WV_MAX),
    WF(S, port, WT_I32, 4, WV_MAX),
    WF(S, error_code, WT_I16, 4, WV_MAX),
    WF(S, error_message, WT_STR, 4, WV_MAX, .nullable_min = 4),
};
#undef S
static WSCHEMA(resp_coordinator_s, struct find_coordinator_resp_coordinator, resp_coordinator_f);

#define S struct find_coordinator_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WF(S, error_code, WT_I16, 0, 3),
    WF(S, error_message, WT_STR, 1, 3, .nullable_min = 1),
    WF(S, node_id, WT_I32, 0, 3),
    WF(S, host, WT_STR, 0, 3),
    WF(S, port, WT_I32, 0, 3),
    WFA(S, coordinators, resp_coordinator_s, 4, WV_MAX),
};
#undef S
WSCHEMA(find_coordinator_resp_schema, struct find_coordinator_resp, resp_f);
