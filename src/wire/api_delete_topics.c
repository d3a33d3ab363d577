/* DeleteTopics schemas; see api_delete_topics.h. */
#include "wire/api_delete_topics.h"

#define S struct delete_topics_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 6, WV_MAX, .nullable_min = 6),
    WF(S, topic_id, WT_UUID, 6, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct delete_topics_req_topic, req_topic_f);

#define S struct delete_topics_req
static const struct wfield req_f[] = {
    WFA(S, topics, req_topic_s, 6, WV_MAX),
    WFAP(S, topic_names, WT_STR, 0, 5),
    WF(S, timeout_ms, WT_I32, 0, WV_MAX),
};
#undef S
WSCHEMA(delete_topics_req_schema, struct delete_topics_req, req_f);

#define S struct delete_topics_resp_result
static const struct wfield resp_result_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX, .nullable_min = 6),
    WF(S, topic_id, WT_UUID, 6, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 5, WV_MAX, .nullable_min = 5),
};
#undef S
static WSCHEMA(resp_result_s, struct delete_topics_resp_result, resp_result_f);

#define S struct delete_topics_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 1, WV_MAX),
    WFA(S, responses, resp_result_s, 0, WV_MAX),
};
#undef S
WSCHEMA(delete_topics_resp_schema, struct delete_topics_resp, resp_f);
