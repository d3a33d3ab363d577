/* Fetch schemas; see api_fetch.h. */
#include "wire/api_fetch.h"

#define S struct fetch_req_replica_state
static const struct wfield rstate_f[] = {
    WF(S, replica_id, WT_I32, 15, WV_MAX, .def = -1),
    WF(S, replica_epoch, WT_I64, 15, WV_MAX, .def = -1),
};
#undef S
static WSCHEMA(rstate_s, struct fetch_req_replica_state, rstate_f);

#define S struct fetch_req_partition
static const struct wfield req_part_f[] = {
    WF(S, partition, WT_I32, 0, WV_MAX),
    WF(S, current_leader_epoch, WT_I32, 9, WV_MAX, .def = -1),
    WF(S, fetch_offset, WT_I64, 0, WV_MAX),
    WF(S, last_fetched_epoch, WT_I32, 12, WV_MAX, .def = -1),
    WF(S, log_start_offset, WT_I64, 5, WV_MAX, .def = -1),
    WF(S, partition_max_bytes, WT_I32, 0, WV_MAX),
    WF(S, replica_directory_id, WT_UUID, 17, WV_MAX, .tag = 0),
};
#undef S
static WSCHEMA(req_part_s, struct fetch_req_partition, req_part_f);

#define S struct fetch_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, topic, WT_STR, 0, 12),
    WF(S, topic_id, WT_UUID, 13, WV_MAX),
    WFA(S, partitions, req_part_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct fetch_req_topic, req_topic_f);

#define S struct fetch_req_forgotten
static const struct wfield forgotten_f[] = {
    WF(S, topic, WT_STR, 7, 12),
    WF(S, topic_id, WT_UUID, 13, WV_MAX),
    WFAP(S, partitions, WT_I32, 7, WV_MAX),
};
#undef S
static WSCHEMA(forgotten_s, struct fetch_req_forgotten, forgotten_f);

#define S struct fetch_req
static const struct wfield req_f[] = {
    WF(S, cluster_id, WT_STR, 12, WV_MAX, .nullable_min = 12, .tag = 0),
    WF(S, replica_id, WT_I32, 0, 14, .def = -1),
    WFS(S, replica_state, rstate_s, 15, WV_MAX, .tag = 1),
    WF(S, max_wait_ms, WT_I32, 0, WV_MAX),
    WF(S, min_bytes, WT_I32, 0, WV_MAX),
    WF(S, max_bytes, WT_I32, 3, WV_MAX, .def = 0x7fffffff),
    WF(S, isolation_level, WT_I8, 4, WV_MAX),
    WF(S, session_id, WT_I32, 7, WV_MAX),
    WF(S, session_epoch, WT_I32, 7, WV_MAX, .def = -1),
    WFA(S, topics, req_topic_s, 0, WV_MAX),
    WFA(S, forgotten_topics_data, forgotten_s, 7, WV_MAX),
    WF(S, rack_id, WT_STR, 11, WV_MAX),
};
#undef S
WSCHEMA(fetch_req_schema, struct fetch_req, req_f);

#define S struct fetch_resp_epoch_end_offset
static const struct wfield epoch_f[] = {
    WF(S, epoch, WT_I32, 12, WV_MAX, .def = -1),
    WF(S, end_offset, WT_I64, 12, WV_MAX, .def = -1),
};
#undef S
static WSCHEMA(epoch_s, struct fetch_resp_epoch_end_offset, epoch_f);

#define S struct fetch_resp_leader
static const struct wfield leader_f[] = {
    WF(S, leader_id, WT_I32, 12, WV_MAX, .def = -1),
    WF(S, leader_epoch, WT_I32, 12, WV_MAX, .def = -1),
};
#undef S
static WSCHEMA(leader_s, struct fetch_resp_leader, leader_f);

#define S struct fetch_resp_snapshot_id
static const struct wfield snap_f[] = {
    WF(S, end_offset, WT_I64, 0, WV_MAX, .def = -1),
    WF(S, epoch, WT_I32, 0, WV_MAX, .def = -1),
};
#undef S
static WSCHEMA(snap_s, struct fetch_resp_snapshot_id, snap_f);

#define S struct fetch_resp_aborted
static const struct wfield aborted_f[] = {
    WF(S, producer_id, WT_I64, 4, WV_MAX),
    WF(S, first_offset, WT_I64, 4, WV_MAX),
};
#undef S
static WSCHEMA(aborted_s, struct fetch_resp_aborted, aborted_f);

#define S struct fetch_resp_partition
static const struct wfield resp_part_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, high_watermark, WT_I64, 0, WV_MAX),
    WF(S, last_stable_offset, WT_I64, 4, WV_MAX, .def = -1),
    WF(S, log_start_offset, WT_I64, 5, WV_MAX, .def = -1),
    WFS(S, diverging_epoch, epoch_s, 12, WV_MAX, .tag = 0),
    WFS(S, current_leader, leader_s, 12, WV_MAX, .tag = 1),
    WFS(S, snapshot_id, snap_s, 12, WV_MAX, .tag = 2),
    WFA(S, aborted_transactions, aborted_s, 4, WV_MAX, .nullable_min = 4),
    WF(S, preferred_read_replica, WT_I32, 11, WV_MAX, .def = -1),
    WF(S, records, WT_RECORDS, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(resp_part_s, struct fetch_resp_partition, resp_part_f);

#define S struct fetch_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, topic, WT_STR, 0, 12),
    WF(S, topic_id, WT_UUID, 13, WV_MAX),
    WFA(S, partitions, resp_part_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct fetch_resp_topic, resp_topic_f);

#define S struct fetch_resp_node_endpoint
static const struct wfield node_f[] = {
    WF(S, node_id, WT_I32, 16, WV_MAX),
    WF(S, host, WT_STR, 16, WV_MAX),
    WF(S, port, WT_I32, 16, WV_MAX),
    WF(S, rack, WT_STR, 16, WV_MAX, .nullable_min = 16),
};
#undef S
static WSCHEMA(node_s, struct fetch_resp_node_endpoint, node_f);

#define S struct fetch_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WF(S, error_code, WT_I16, 7, WV_MAX),
    WF(S, session_id, WT_I32, 7, WV_MAX),
    WFA(S, responses, resp_topic_s, 0, WV_MAX),
    WFA(S, node_endpoints, node_s, 16, WV_MAX, .tag = 0),
};
#undef S
WSCHEMA(fetch_resp_schema, struct fetch_resp, resp_f);
