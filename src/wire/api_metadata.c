/* Metadata schemas; see api_metadata.h. */
#include "wire/api_metadata.h"

#define S struct metadata_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, topic_id, WT_UUID, 10, WV_MAX),
    WF(S, name, WT_STR, 0, WV_MAX, .nullable_min = 10),
};
#undef S
static WSCHEMA(req_topic_s, struct metadata_req_topic, req_topic_f);

#define S struct metadata_req
static const struct wfield req_f[] = {
    WFA(S, topics, req_topic_s, 0, WV_MAX, .nullable_min = 1),
    WF(S, allow_auto_topic_creation, WT_BOOL, 4, WV_MAX, .def = 1),
    WF(S, include_cluster_authorized_operations, WT_BOOL, 8, 10),
    WF(S, include_topic_authorized_operations, WT_BOOL, 8, WV_MAX),
};
#undef S
WSCHEMA(metadata_req_schema, struct metadata_req, req_f);

#define S struct metadata_resp_broker
static const struct wfield broker_f[] = {
    WF(S, node_id, WT_I32, 0, WV_MAX),
    WF(S, host, WT_STR, 0, WV_MAX),
    WF(S, port, WT_I32, 0, WV_MAX),
    WF(S, rack, WT_STR, 1, WV_MAX, .nullable_min = 1),
};
#undef S
static WSCHEMA(broker_s, struct metadata_resp_broker, broker_f);

#define S struct metadata_resp_partition
static const struct wfield part_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, leader_id, WT_I32, 0, WV_MAX),
    WF(S, leader_epoch, WT_I32, 7, WV_MAX, .def = -1),
    WFAP(S, replica_nodes, WT_I32, 0, WV_MAX),
    WFAP(S, isr_nodes, WT_I32, 0, WV_MAX),
    WFAP(S, offline_replicas, WT_I32, 5, WV_MAX),
};
#undef S
static WSCHEMA(part_s, struct metadata_resp_partition, part_f);

#define S struct metadata_resp_topic
static const struct wfield topic_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, name, WT_STR, 0, WV_MAX, .nullable_min = 12),
    WF(S, topic_id, WT_UUID, 10, WV_MAX),
    WF(S, is_internal, WT_BOOL, 1, WV_MAX),
    WFA(S, partitions, part_s, 0, WV_MAX),
    WF(S, topic_authorized_operations, WT_I32, 8, WV_MAX, .def = INT32_MIN),
};
#undef S
static WSCHEMA(topic_s, struct metadata_resp_topic, topic_f);

#define S struct metadata_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 3, WV_MAX),
    WFA(S, brokers, broker_s, 0, WV_MAX),
    WF(S, cluster_id, WT_STR, 2, WV_MAX, .nullable_min = 2),
    WF(S, controller_id, WT_I32, 1, WV_MAX, .def = -1),
    WFA(S, topics, topic_s, 0, WV_MAX),
    WF(S, cluster_authorized_operations, WT_I32, 8, 10, .def = INT32_MIN),
};
#undef S
WSCHEMA(metadata_resp_schema, struct metadata_resp, resp_f);
