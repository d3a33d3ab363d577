/* api: the Kafka APIs weir knows, by ApiKey: name, the version range the
 * broker supports, the first flexible version, and the request/response
 * body schemas. The version ranges cover every client named in
 * shared/notes/KAFKA-COMPAT.md (librdkafka 2.0.2, kafka-python 2.0.2,
 * kafkajs 2.2.4) and the newest clients (@platformatic/kafka, current
 * librdkafka), which ask for the newest, flexible versions.
 * An API with max_ver < 0 is known by name but not served. */
#ifndef WEIR_WIRE_API_H
#define WEIR_WIRE_API_H

#include "wire/codec.h"

enum api_key {
    API_PRODUCE = 0, API_FETCH = 1, API_LIST_OFFSETS = 2, API_METADATA = 3,
    API_OFFSET_COMMIT = 8, API_OFFSET_FETCH = 9, API_FIND_COORDINATOR = 10,
    API_JOIN_GROUP = 11, API_HEARTBEAT = 12, API_LEAVE_GROUP = 13, API_SYNC_GROUP = 14,
    API_DESCRIBE_GROUPS = 15, API_LIST_GROUPS = 16, API_SASL_HANDSHAKE = 17,
    API_API_VERSIONS = 18, API_CREATE_TOPICS = 19, API_DELETE_TOPICS = 20,
    API_DELETE_RECORDS = 21, API_INIT_PRODUCER_ID = 22, API_OFFSET_FOR_LEADER_EPOCH = 23,
    API_ADD_PARTITIONS_TO_TXN = 24, API_ADD_OFFSETS_TO_TXN = 25, API_END_TXN = 26,
    API_WRITE_TXN_MARKERS = 27, API_TXN_OFFSET_COMMIT = 28, API_DESCRIBE_ACLS = 29,
    API_CREATE_ACLS = 30, API_DELETE_ACLS = 31,
    API_DESCRIBE_CONFIGS = 32, API_ALTER_CONFIGS = 33, API_ALTER_REPLICA_LOG_DIRS = 34,
    API_DESCRIBE_LOG_DIRS = 35, API_SASL_AUTHENTICATE = 36, API_CREATE_PARTITIONS = 37,
    API_DELETE_GROUPS = 42, API_ELECT_LEADERS = 43, API_INCREMENTAL_ALTER_CONFIGS = 44,
    API_OFFSET_DELETE = 47, API_DESCRIBE_CLUSTER = 60, API_DESCRIBE_PRODUCERS = 61,
    API_DESCRIBE_TRANSACTIONS = 65, API_LIST_TRANSACTIONS = 66,
    API_KEY_MAX = 128,
};

struct api_info {
    int16_t key;
    const char *name;
    int16_t min_ver, max_ver; /* supported range; max_ver < 0: not served */
    int16_t flex_ver;         /* first flexible version; INT16_MAX if none */
    const struct wschema *req, *resp;
};

/* The entry for key, or NULL if weir does not know that ApiKey. */
const struct api_info *api_lookup(int key);
/* All known APIs, in ApiKey order; *n set to the count. */
const struct api_info *api_all(int *n);

static inline int api_is_flex(const struct api_info *a, int ver) { return ver >= a->flex_ver; }
/* Request header v2 / response header v1 in flexible versions, except the
 * ApiVersions response header, which is always v0. */
static inline int api_resp_header_flex(const struct api_info *a, int ver) {
    return a->key != API_API_VERSIONS && api_is_flex(a, ver);
}

#endif
