/* OffsetForLeaderEpoch schemas; see api_offset_for_leader_epoch.h. */
#include "wire/api_offset_for_leader_epoch.h"

#define S struct offset_for_leader_epoch_req_partition
static const struct wfield req_partition_f[] = {
    WF(S, partition, WT_I32, 0, WV_MAX),
    WF(S, current_leader_epoch, WT_I32, 2, WV_MAX, .def = -1),
    WF(S, leader_epoch, WT_I32, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_partition_s, struct offset_for_leader_epoch_req_partition, req_partition_f);

#define S struct offset_for_leader_epoch_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, topic, WT_STR, 0, WV_MAX),
    WFA(S, partitions, req_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct offset_for_leader_epoch_req_topic, req_topic_f);

#define S struct offset_for_leader_epoch_req
static const struct wfield req_f[] = {
    WF(S, replica_id, WT_I32, 3, WV_MAX, .def = -2),
    WFA(S, topics, req_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(offset_for_leader_epoch_req_schema, struct offset_for_leader_epoch_req, req_f);

#define S struct offset_for_leader_epoch_resp_partition
static const struct wfield resp_partition_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, partition, WT_I32, 0, WV_MAX),
    WF(S, leader_epoch, WT_I32, 1, WV_MAX, .def = -1),
    WF(S, end_offset, WT_I64, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_partition_s, struct offset_for_leader_epoch_resp_partition, resp_partition_f);

#define S struct offset_for_leader_epoch_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, topic, WT_STR, 0, WV_MAX),
    WFA(S, partitions, resp_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct offset_for_leader_epoch_resp_topic, resp_topic_f);

#define S struct offset_for_leader_epoch_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 2, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(offset_for_leader_epoch_resp_schema, struct offset_for_leader_epoch_resp, resp_f);
