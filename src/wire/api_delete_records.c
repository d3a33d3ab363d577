/* DeleteRecords schemas; see api_delete_records.h. */
#include "wire/api_delete_records.h"

#define S struct delete_records_req_partition
static const struct wfield req_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, offset, WT_I64, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_partition_s, struct delete_records_req_partition, req_partition_f);

#define S struct delete_records_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, req_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct delete_records_req_topic, req_topic_f);

#define S struct delete_records_req
static const struct wfield req_f[] = {
    WFA(S, topics, req_topic_s, 0, WV_MAX),
    WF(S, timeout_ms, WT_I32, 0, WV_MAX),
};
#undef S
WSCHEMA(delete_records_req_schema, struct delete_records_req, req_f);

#define S struct delete_records_resp_partition
static const struct wfield resp_partition_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, low_watermark, WT_I64, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_partition_s, struct delete_records_resp_partition, resp_partition_f);

#define S struct delete_records_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, partitions, resp_partition_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct delete_records_resp_topic, resp_topic_f);

#define S struct delete_records_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(delete_records_resp_schema, struct delete_records_resp, resp_f);
