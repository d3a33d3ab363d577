/* CreateTopics (key 19): versions 0-7, flexible from 5. Below v4 the
 * client must give explicit partition and replica counts (no -1 defaults).
 * v1 adds validate_only and error messages, v5 returns the resulting
 * configs, partition count and replication factor per topic (and a tagged
 * topic_config_error_code), v7 the topic id. */

#ifndef WEIR_WIRE_API_CREATE_TOPICS_H
#define WEIR_WIRE_API_CREATE_TOPICS_H

#include "wire/codec.h"

struct create_topics_req_assignment {
    int32_t partition_index;
    WARR(int32_t) broker_ids;
};
struct create_topics_req_config {
    struct wstr name;
    struct wstr value; /* nullable */
};
struct create_topics_req_topic {
    struct wstr name;
    int32_t num_partitions;
    int16_t replication_factor;
    WARR(struct create_topics_req_assignment) assignments;
    WARR(struct create_topics_req_config) configs;
};
struct create_topics_req {
    WARR(struct create_topics_req_topic) topics;
    int32_t timeout_ms; /* default 60000 */
    int8_t validate_only; /* v1+ */
};

struct create_topics_resp_config {
    struct wstr name; /* v5+ */
    struct wstr value; /* v5+, nullable */
    int8_t read_only; /* v5+ */
    int8_t config_source; /* v5+, default -1 */
    int8_t is_sensitive; /* v5+ */
};
struct create_topics_resp_topic {
    struct wstr name;
    uint8_t topic_id[16]; /* v7+ */
    int16_t error_code;
    struct wstr error_message; /* v1+, nullable */
    int16_t topic_config_error_code; /* v5+, tag 0 */
    int32_t num_partitions; /* v5+, default -1 */
    int16_t replication_factor; /* v5+, default -1 */
    WARR(struct create_topics_resp_config) configs; /* v5+, nullable */
};
struct create_topics_resp {
    int32_t throttle_time_ms; /* v2+ */
    WARR(struct create_topics_resp_topic) topics;
};

extern const struct wschema create_topics_req_schema, create_topics_resp_schema;

#endif
