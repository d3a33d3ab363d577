/* OffsetFetch schemas; see api_offset_fetch.h. */
#include "wire/api_offset_fetch.h"

#define S struct offset_fetch_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, 7),
    WFAP(S, partition_indexes, WT_I32, 0, 7),
};
#undef S
static WSCHEMA(req_topic_s, struct offset_fetch_req_topic, req_topic_f);

#define S struct offset_fetch_req_group_topic
static const struct wfield req_group_topic_f[] = {
    WF(S, name, WT_STR, 8, WV_MAX),
    WFAP(S, partition_indexes, WT_I32, 8, WV_MAX),
};
#undef S
static WSCHEMA(req_group_topic_s, struct offset_fetch_req_group_topic, req_group_topic_f);

#define S struct offset_fetch_req_group
static const struct wfield req_group_f[] = {
    WF(S, group_id, WT_STR, 8, WV_MAX),
    WF(S, member_id, WT_STR, 9, WV_MAX, .nullable_min = 9),
    WF(S, member_epoch, WT_I32, 9, WV_MAX, .def = -1),
    WFA(S, topics, req_group_topic_s, 8, WV_MAX, .nullable_min = 8),
};
#undef S
static WSCHEMA(req_group_s, struct offset_fetch_req_group, req_group_f);

#define S struct offset_fetch_req
static const struct wfield req_f[] = {
    WF(S, group_id, WT_STR, 0, 7),
    WFA(S, topics, req_topic_s, 0, 7, .nullable_min = 2),
    WFA(S, groups, req_group_s, 8, WV_MAX),
    WF(S, require_stable, WT_BOOL, 7, WV_MAX),
};
#undef S
WSCHEMA(offset_fetch_req_schema, struct offset_fetch_req, req_f);

#define S struct offset_fetch_resp_partition
static const struct wfield resp_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, 7),
    WF(S, committed_offset, WT_I64, 0, 7),
    WF(S, committed_leader_epoch, WT_I32, 5, 7, .def = -1),
    WF(S, metadata, WT_STR, 0, 7, .nullable_min = 0),
    WF(S, error_code, WT_I16, 0, 7),
};
#undef S
static WSCHEMA(resp_partition_s, struct offset_fetch_resp_partition, resp_partition_f);

#define S struct offset_fetch_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, 7),
    WFA(S, partitions, resp_partition_s, 0, 7),
};
#undef S
static WSCHEMA(resp_topic_s, struct offset_fetch_resp_topic, resp_topic_f);

#define S struct offset_fetch_resp_group_partition
static const struct wfield resp_group_partition_f[] = {
    WF(S, partition_index, WT_I32, 8, WV_MAX),
    WF(S, committed_offset, WT_I64, 8, WV_MAX),
    WF(S, committed_leader_epoch, WT_I32, 8, WV_MAX, .def = -1),
    WF(S, metadata, WT_STR, 8, WV_MAX, .nullable_min = 8),
    WF(S, error_code, WT_I16, 8, WV_MAX),
};
#undef S
static WSCHEMA(resp_group_partition_s, struct offset_fetch_resp_group_partition, resp_group_partition_f);

#define S struct offset_fetch_resp_group_topic
static const struct wfield resp_group_topic_f[] = {
    WF(S, name, WT_STR, 8, WV_MAX),
    WFA(S, partitions, resp_group_partition_s, 8, WV_MAX),
};
#undef S
static WSCHEMA(resp_group_topic_s, struct offset_fetch_resp_group_topic, resp_group_topic_f);

#define S struct offset_fetch_resp_group
static const struct wfield resp_group_f[] = {
    WF(S, group_id, WT_STR, 8, WV_MAX),
    WFA(S, topics, resp_group_topic_s, 8, WV_MAX),
    WF(S, error_code, WT_I16, 8, WV_MAX),
};
#undef S
static WSCHEMA(resp_group_s, struct offset_fetch_resp_group, resp_group_f);

#define S struct offset_fetch_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 3, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, 7),
    WF(S, error_code, WT_I16, 2, 7),
    WFA(S, groups, resp_group_s, 8, WV_MAX),
};
#undef S
WSCHEMA(offset_fetch_resp_schema, struct offset_fetch_resp, resp_f);
