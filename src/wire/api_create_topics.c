/* CreateTopics schemas; see api_create_topics.h. */
#include "wire/api_create_topics.h"

#define S struct create_topics_req_assignment
static const struct wfield req_assignment_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WFAP(S, broker_ids, WT_I32, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_assignment_s, struct create_topics_req_assignment, req_assignment_f);

#define S struct create_topics_req_config
static const struct wfield req_config_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, value, WT_STR, 0, WV_MAX, .nullable_min = 0),
};
#undef S
static WSCHEMA(req_config_s, struct create_topics_req_config, req_config_f);

#define S struct create_topics_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, num_partitions, WT_I32, 0, WV_MAX),
    WF(S, replication_factor, WT_I16, 0, WV_MAX),
    WFA(S, assignments, req_assignment_s, 0, WV_MAX),
    WFA(S, configs, req_config_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct create_topics_req_topic, req_topic_f);

#define S struct create_topics_req
static const struct wfield req_f[] = {
    WFA(S, topics, req_topic_s, 0, WV_MAX),
    WF(S, timeout_ms, WT_I32, 0, WV_MAX, .def = 60000),
    WF(S, validate_only, WT_BOOL, 1, WV_MAX),
};
#undef S
WSCHEMA(create_topics_req_schema, struct create_topics_req, req_f);

#define S struct create_topics_resp_config
static const struct wfield resp_config_f[] = {
    WF(S, name, WT_STR, 5, WV_MAX),
    WF(S, value, WT_STR, 5, WV_MAX, .nullable_min = 5),
    WF(S, read_only, WT_BOOL, 5, WV_MAX),
    WF(S, config_source, WT_I8, 5, WV_MAX, .def = -1),
    WF(S, is_sensitive, WT_BOOL, 5, WV_MAX),
};
#undef S
static WSCHEMA(resp_config_s, struct create_topics_resp_config, resp_config_f);

#define S struct create_topics_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WF(S, topic_id, WT_UUID, 7, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 1, WV_MAX, .nullable_min = 0),
    WF(S, topic_config_error_code, WT_I16, 5, WV_MAX, .tag = 0),
    WF(S, num_partitions, WT_I32, 5, WV_MAX, .def = -1),
    WF(S, replication_factor, WT_I16, 5, WV_MAX, .def = -1),
    WFA(S, configs, resp_config_s, 5, WV_MAX, .nullable_min = 5),
};
#undef S
static WSCHEMA(resp_topic_s, struct create_topics_resp_topic, resp_topic_f);

#define S struct create_topics_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 2, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
WSCHEMA(create_topics_resp_schema, struct create_topics_resp, resp_f);
