/* DeleteTopics (key 20): versions 0-6, flexible from 4. Up to v5 the
 * request is a list of names (topic_names); v6 replaces it with topics, each
 * a name or a topic id (name nullable). v5 adds error messages. */

#ifndef WEIR_WIRE_API_DELETE_TOPICS_H
#define WEIR_WIRE_API_DELETE_TOPICS_H

#include "wire/codec.h"

struct delete_topics_req_topic {
    struct wstr name; /* v6+, nullable, default null */
    uint8_t topic_id[16]; /* v6+ */
};
struct delete_topics_req {
    WARR(struct delete_topics_req_topic) topics; /* v6+ */
    WARR(struct wstr) topic_names; /* v0-5 */
    int32_t timeout_ms;
};

struct delete_topics_resp_result {
    struct wstr name; /* nullable v6+ */
    uint8_t topic_id[16]; /* v6+ */
    int16_t error_code;
    struct wstr error_message; /* v5+, nullable, default null */
};
struct delete_topics_resp {
    int32_t throttle_time_ms; /* v1+ */
    WARR(struct delete_topics_resp_result) responses;
};

extern const struct wschema delete_topics_req_schema, delete_topics_resp_schema;

#endif
