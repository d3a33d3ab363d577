/* OffsetDelete schemas; see api_offset_delete.h. */
#include "wire/api_offset_delete.h"

#define S struct offset_delete_req_partition
static const struct wfield req_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_partition_s, struct offset_delete_req_partition, req_partition_f);

#define S struct offset_delete_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, req_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct offset_delete_req_topic, req_topic_f);

#define S struct offset_delete_req
static const struct wfield req_f[] = {
    WF(S, group_id, WT_STR, 0, WV_MAX),
    WFA(S, topics, req_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(offset_delete_req_schema, struct offset_delete_req, req_f);

#define S struct offset_delete_resp_partition
static const struct wfield resp_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_partition_s, struct offset_delete_resp_partition, resp_partition_f);

#define S struct offset_delete_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, resp_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct offset_delete_resp_topic, resp_topic_f);

#define S struct offset_delete_resp
static const struct wfield resp_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(offset_delete_resp_schema, struct offset_delete_resp, resp_f);
