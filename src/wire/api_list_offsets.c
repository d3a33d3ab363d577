/* ListOffsets schemas; see api_list_offsets.h. */
#include "wire/api_list_offsets.h"

#define S struct list_offsets_req_partition
static const struct wfield req_part_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, current_leader_epoch, WT_I32, 4, WV_MAX, .def = -1),
    WF(S, timestamp, WT_I64, 0, WV_MAX),
    WF(S, max_num_offsets, WT_I32, 0, 0, .def = 1),
};
#undef S
static WSCHEMA(req_part_s, struct list_offsets_req_partition, req_part_f);

#define S struct list_offsets_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, req_part_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct list_offsets_req_topic, req_topic_f);

#define S struct list_offsets_req
static const struct wfield req_f[] = {
    WF(S, replica_id, WT_I32, 0, WV_MAX),
    WF(S, isolation_level, WT_I8, 2, WV_MAX),
    WFA(S, topics, req_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(list_offsets_req_schema, struct list_offsets_req, req_f);

#define S struct list_offsets_resp_partition
static const struct wfield resp_part_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WFAP(S, old_style_offsets, WT_I64, 0, 0),
    WF(S, timestamp, WT_I64, 1, WV_MAX, .def = -1),
    WF(S, offset, WT_I64, 1, WV_MAX, .def = -1),
    WF(S, leader_epoch, WT_I32, 4, WV_MAX, .def = -1),
};
#undef S
static WSCHEMA(resp_part_s, struct list_offsets_resp_partition, resp_part_f);

#define S struct list_offsets_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, resp_part_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct list_offsets_resp_topic, resp_topic_f);

#define S struct list_offsets_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 2, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(list_offsets_resp_schema, struct list_offsets_resp, resp_f);
