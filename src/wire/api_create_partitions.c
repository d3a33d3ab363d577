/* CreatePartitions schemas; see api_create_partitions.h. */
#include "wire/api_create_partitions.h"

#define S struct create_partitions_req_assignment
static const struct wfield req_assignment_f[] = {
    WFAP(S, broker_ids, WT_I32, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_assignment_s, struct create_partitions_req_assignment, req_assignment_f);

#define S struct create_partitions_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, count, WT_I32, 0, WV_MAX),
    WFA(S, assignments, req_assignment_s, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(req_topic_s, struct create_partitions_req_topic, req_topic_f);

#define S struct create_partitions_req
static const struct wfield req_f[] = {
    WFA(S, topics, req_topic_s, 0, WV_MAX),
    WF(S, timeout_ms, WT_I32, 0, WV_MAX),
    WF(S, validate_only, WT_BOOL, 0, WV_MAX),
};
#undef S
WSCHEMA(create_partitions_req_schema, struct create_partitions_req, req_f);

#define S struct create_partitions_resp_result
static const struct wfield resp_result_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(resp_result_s, struct create_partitions_resp_result, resp_result_f);

#define S struct create_partitions_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, results, resp_result_s, 0, WV_MAX),
};
#undef S
WSCHEMA(create_partitions_resp_schema, struct create_partitions_resp, resp_f);
