/* TxnOffsetCommit schemas; see api_txn_offset_commit.h. */
#include "wire/api_txn_offset_commit.h"

#define S struct txn_offset_commit_req_partition
static const struct wfield req_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, committed_offset, WT_I64, 0, WV_MAX),
    WF(S, committed_leader_epoch, WT_I32, 2, WV_MAX, .def = -1),
    WF(S, committed_metadata, WT_STR, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(req_partition_s, struct txn_offset_commit_req_partition, req_partition_f);

#define S struct txn_offset_commit_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, req_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct txn_offset_commit_req_topic, req_topic_f);

#define S struct txn_offset_commit_req
static const struct wfield req_f[] = {
    WF(S, transactional_id, WT_STR, 0, WV_MAX),
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WF(S, producer_id, WT_I64, 0, WV_MAX),
    WF(S, producer_epoch, WT_I16, 0, WV_MAX),
    WF(S, generation_id, WT_I32, 3, WV_MAX, .def = -1),
    WF(S, member_id, WT_STR, 3, WV_MAX),
    WF(S, group_instance_id, WT_STR, 3, WV_MAX, .nullable_min = 3),
    WFA(S, topics, req_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(txn_offset_commit_req_schema, struct txn_offset_commit_req, req_f);

#define S struct txn_offset_commit_resp_partition
static const struct wfield resp_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_partition_s, struct txn_offset_commit_resp_partition, resp_partition_f);

#define S struct txn_offset_commit_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, resp_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct txn_offset_commit_resp_topic, resp_topic_f);

#define S struct txn_offset_commit_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(txn_offset_commit_resp_schema, struct txn_offset_commit_resp, resp_f);
