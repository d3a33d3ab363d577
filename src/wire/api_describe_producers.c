/* DescribeProducers schemas; see api_describe_producers.h. */
#include "wire/api_describe_producers.h"

#define S struct describe_producers_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFAP(S, partition_indexes, WT_I32, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct describe_producers_req_topic, req_topic_f);

#define S struct describe_producers_req
static const struct wfield req_f[] = {
    WFA(S, topics, req_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(describe_producers_req_schema, struct describe_producers_req, req_f);

#define S struct describe_producers_resp_producer
static const struct wfield resp_producer_f[] = {
    WF(S, producer_id, WT_I64, 0, WV_MAX),
    WF(S, producer_epoch, WT_I32, 0, WV_MAX),
    WF(S, last_sequence, WT_I32, 0, WV_MAX, .def = -1),
    WF(S, last_timestamp, WT_I64, 0, WV_MAX, .def = -1),
    WF(S, coordinator_epoch, WT_I32, 0, WV_MAX),
    WF(S, current_txn_start_offset, WT_I64, 0, WV_MAX, .def = -1),
};
#undef S
static WSCHEMA(resp_producer_s, struct describe_producers_resp_producer, resp_producer_f);

#define S struct describe_producers_resp_partition
static const struct wfield resp_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 0, WV_MAX, .nullable_min = 0),
    WFA(S, active_producers, resp_producer_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_partition_s, struct describe_producers_resp_partition, resp_partition_f);

#define S struct describe_producers_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, resp_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct describe_producers_resp_topic, resp_topic_f);

#define S struct describe_producers_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(describe_producers_resp_schema, struct describe_producers_resp, resp_f);
