/* Metadata (key 3): versions 0-12, flexible from 9.
 * Request topics: in v0 the array is not nullable and empty means "all
 * topics"; from v1 null means all topics and empty means none. v4 adds
 * allow_auto_topic_creation, v8 the authorized-operations flags
 * (include_cluster_authorized_operations only v8-10), v10 topic ids (names
 * nullable from v10; queries by id work from v12).
 * Response: v1 rack/controller/is_internal, v2 cluster_id, v3 throttle, v5
 * offline replicas, v7 leader epoch, v8 authorized operations (cluster
 * level only v8-10), v10 topic_id, v12 topic name nullable. */
#ifndef WEIR_WIRE_API_METADATA_H
#define WEIR_WIRE_API_METADATA_H

#include "wire/codec.h"

struct metadata_req_topic {  /* MetadataRequestTopic */
    uint8_t topic_id[16]; /* v10+ */
    struct wstr name;     /* nullable v10+ */
};
struct metadata_req {
    WARR(struct metadata_req_topic) topics; /* nullable v1+ (null = all) */
    int8_t allow_auto_topic_creation;            /* v4+, default true */
    int8_t include_cluster_authorized_operations; /* v8-10 */
    int8_t include_topic_authorized_operations;   /* v8+ */
};

struct metadata_resp_broker {    /* MetadataResponseBroker */
    int32_t node_id;
    struct wstr host;
    int32_t port;
    struct wstr rack; /* v1+, nullable, default null */
};
struct metadata_resp_partition { /* MetadataResponsePartition */
    int16_t error_code;
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch; /* v7+, default -1 */
    WARR(int32_t) replica_nodes;
    WARR(int32_t) isr_nodes;
    WARR(int32_t) offline_replicas; /* v5+ */
};
struct metadata_resp_topic {     /* MetadataResponseTopic */
    int16_t error_code;
    struct wstr name;     /* nullable v12+ */
    uint8_t topic_id[16]; /* v10+ */
    int8_t is_internal;   /* v1+ */
    WARR(struct metadata_resp_partition) partitions;
    int32_t topic_authorized_operations; /* v8+, default INT32_MIN */
};
struct metadata_resp {
    int32_t throttle_time_ms; /* v3+ */
    WARR(struct metadata_resp_broker) brokers;
    struct wstr cluster_id;   /* v2+, nullable, default null */
    int32_t controller_id;    /* v1+, default -1 */
    WARR(struct metadata_resp_topic) topics;
    int32_t cluster_authorized_operations; /* v8-10, default INT32_MIN */
};

extern const struct wschema metadata_req_schema, metadata_resp_schema;

#endif
