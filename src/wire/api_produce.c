/* Produce schemas; see api_produce.h. */
#include "wire/api_produce.h"

#define S struct produce_req_partition
static const struct wfield req_part_f[] = {
    WF(S, index, WT_I32, 0, WV_MAX),
    WF(S, records, WT_RECORDS, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(req_part_s, struct produce_req_partition, req_part_f);

#define S struct produce_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partition_data, req_part_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct produce_req_topic, req_topic_f);

#define S struct produce_req
static const struct wfield req_f[] = {
    WF(S, transactional_id, WT_STR, 3, WV_MAX, .nullable_min = 3),
    WF(S, acks, WT_I16, 0, WV_MAX),
    WF(S, timeout_ms, WT_I32, 0, WV_MAX),
    WFA(S, topic_data, req_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(produce_req_schema, struct produce_req, req_f);

#define S struct produce_resp_batch_error
static const struct wfield batch_err_f[] = {
    WF(S, batch_index, WT_I32, 8, WV_MAX),
    WF(S, batch_index_error_message, WT_STR, 8, WV_MAX, .nullable_min = 8),
};
#undef S
static WSCHEMA(batch_err_s, struct produce_resp_batch_error, batch_err_f);

#define S struct produce_resp_leader
static const struct wfield leader_f[] = {
    WF(S, leader_id, WT_I32, 10, WV_MAX, .def = -1),
    WF(S, leader_epoch, WT_I32, 10, WV_MAX, .def = -1),
};
#undef S
static WSCHEMA(leader_s, struct produce_resp_leader, leader_f);

#define S struct produce_resp_partition
static const struct wfield resp_part_f[] = {
    WF(S, index, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, base_offset, WT_I64, 0, WV_MAX),
    WF(S, log_append_time_ms, WT_I64, 2, WV_MAX, .def = -1),
    WF(S, log_start_offset, WT_I64, 5, WV_MAX, .def = -1),
    WFA(S, record_errors, batch_err_s, 8, WV_MAX),
    WF(S, error_message, WT_STR, 8, WV_MAX, .nullable_min = 8),
    WFS(S, current_leader, leader_s, 10, WV_MAX, .tag = 0),
};
#undef S
static WSCHEMA(resp_part_s, struct produce_resp_partition, resp_part_f);

#define S struct produce_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partition_responses, resp_part_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct produce_resp_topic, resp_topic_f);

#define S struct produce_resp_node_endpoint
static const struct wfield node_f[] = {
    WF(S, node_id, WT_I32, 10, WV_MAX),
    WF(S, host, WT_STR, 10, WV_MAX),
    WF(S, port, WT_I32, 10, WV_MAX),
    WF(S, rack, WT_STR, 10, WV_MAX, .nullable_min = 10),
};
#undef S
static WSCHEMA(node_s, struct produce_resp_node_endpoint, node_f);

#define S struct produce_resp
static const struct wfield resp_f[] = {
    WFA(S, responses, resp_topic_s, 0, WV_MAX),
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WFA(S, node_endpoints, node_s, 10, WV_MAX, .tag = 0),
};
#undef S
WSCHEMA(produce_resp_schema, struct produce_resp, resp_f);
