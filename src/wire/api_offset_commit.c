/* OffsetCommit schemas; see api_offset_commit.h. */
#include "wire/api_offset_commit.h"

#define S struct offset_commit_req_partition
static const struct wfield req_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, committed_offset, WT_I64, 0, WV_MAX),
    WF(S, committed_leader_epoch, WT_I32, 6, WV_MAX, .def = -1),
    WF(S, commit_timestamp, WT_I64, 1, 1, .def = -1),
    WF(S, committed_metadata, WT_STR, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(req_partition_s, struct offset_commit_req_partition, req_partition_f);

#define S struct offset_commit_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, req_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct offset_commit_req_topic, req_topic_f);

#define S struct offset_commit_req
static const struct wfield req_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, generation_id_or_member_epoch, WT_I32, 1, WV_MAX, .def = -1),
    WF(S, member_id, WT_STR, 1, WV_MAX),
    WF(S, group_instance_id, WT_STR, 7, WV_MAX, .nullable_min = 7),
    WF(S, retention_time_ms, WT_I64, 2, 4, .def = -1),
    WFA(S, topics, req_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(offset_commit_req_schema, struct offset_commit_req, req_f);

#define S struct offset_commit_resp_partition
static const struct wfield resp_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_partition_s, struct offset_commit_resp_partition, resp_partition_f);

#define S struct offset_commit_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, resp_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct offset_commit_resp_topic, resp_topic_f);

#define S struct offset_commit_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 3, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(offset_commit_resp_schema, struct offset_commit_resp, resp_f);
