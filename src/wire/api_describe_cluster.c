/* DescribeCluster schemas; see api_describe_cluster.h. */
#include "wire/api_describe_cluster.h"

#define S struct describe_cluster_req
static const struct wfield req_f[] = {
    WF(S, include_cluster_authorized_operations, WT_BOOL, 0, WV_MAX),
    WF(S, endpoint_type, WT_I8, 1, WV_MAX, .def = 1),
};
#undef S
WSCHEMA(describe_cluster_req_schema, struct describe_cluster_req, req_f);

#define S struct describe_cluster_resp_broker
static const struct wfield resp_broker_f[] = {
    WF(S, broker_id, WT_I32, 0, WV_MAX),
    WF(S, host, WT_STR, 0, WV_MAX),
    WF(S, port, WT_I32, 0, WV_MAX),
    WF(S, rack, WT_STR, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(resp_broker_s, struct describe_cluster_resp_broker, resp_broker_f);

#define S struct describe_cluster_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 0, WV_MAX, .nullable_min = 0),
    WF(S, endpoint_type, WT_I8, 1, WV_MAX, .def = 1),
    WF(S, cluster_id, WT_STR, 0, WV_MAX),
    WF(S, controller_id, WT_I32, 0, WV_MAX, .def = -1),
    WFA(S, brokers, resp_broker_s, 0, WV_MAX),
    WF(S, cluster_authorized_operations, WT_I32, 0, WV_MAX, .def = INT32_MIN),
};
#undef S
WSCHEMA(describe_cluster_resp_schema, struct describe_cluster_resp, resp_f);
