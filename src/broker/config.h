/* config: broker settings (Kafka's server.properties names) and topic
 * settings (Kafka's topic-level names), with their defaults, types and the
 * broker setting each topic setting falls back to.
 *
 * A broker config is built from embedded defaults, then a properties file,
 * then --override key=value pairs; unknown keys are reported by name. The
 * topic config of a topic = its overrides, else the broker's setting for the
 * synonym, else the default; every lookup says where the value came from
 * (DescribeConfigs reports it as the config source). */
#ifndef WEIR_BROKER_CONFIG_H
#define WEIR_BROKER_CONFIG_H

#include "common/props.h"

#include <stdint.h>

enum cfg_type { CFG_STRING, CFG_INT, CFG_LONG, CFG_BOOL, CFG_LIST, CFG_DOUBLE };

/* Kafka's DescribeConfigs config sources. */
enum cfg_source {
    CFG_SRC_UNKNOWN = 0, CFG_SRC_TOPIC = 1, CFG_SRC_DYNAMIC_BROKER = 2, CFG_SRC_DYNAMIC_DEFAULT_BROKER = 3,
    CFG_SRC_STATIC_BROKER = 4, CFG_SRC_DEFAULT = 5,
};

struct broker_cfg {
    struct props set; /* keys given in the file or overrides (after validation) */
    char listeners[512], advertised_listeners[512], log_dirs[1024];
    char cluster_id[64];
    int32_t node_id, num_partitions, default_replication_factor;
    int auto_create_topics;
    int64_t log_segment_bytes, log_roll_ms, log_retention_ms, log_retention_bytes;
    int64_t log_retention_check_interval_ms, log_flush_interval_messages, log_flush_interval_ms;
    int32_t log_index_interval_bytes, message_max_bytes, socket_request_max_bytes, max_connections;
    int64_t queued_max_request_bytes; /* all connections' read buffers together */
    int64_t log_cleaner_backoff_ms;
    int32_t transaction_max_timeout_ms;
    int log_append_time; /* message.timestamp.type = LogAppendTime */
    char cleanup_policy[32];
    /* group coordinator */
    int32_t group_initial_rebalance_delay_ms, group_min_session_timeout_ms, group_max_session_timeout_ms;
    int32_t group_max_size, offset_metadata_max_bytes;
    int64_t offsets_retention_ms, offsets_retention_check_interval_ms;
};

/* Fills cfg from defaults + props (file then overrides, later wins).
 * Unknown keys are logged as warnings by name; invalid values are errors
 * (message in err). */
int broker_cfg_load(struct broker_cfg *cfg, const struct props *p, char *err, size_t errlen);
void broker_cfg_free(struct broker_cfg *cfg);

/* One topic-level config key. */
struct topic_cfg_def {
    const char *name;
    enum cfg_type type;
    const char *broker_synonym; /* broker key it falls back to, or NULL */
    const char *dflt;           /* default when neither is set */
    int read_only;
};
const struct topic_cfg_def *topic_cfg_defs(int *n);
const struct topic_cfg_def *topic_cfg_find(const char *name);
/* Checks a topic config value; 0 or WERR_INVALID with a message. */
int topic_cfg_validate(const char *name, const char *value, char *err, size_t errlen);

/* The effective value of a topic config: overrides (may be NULL), then the
 * broker's synonym, then the default. *src says which. Returned string is
 * valid while overrides and cfg are unchanged. */
const char *topic_cfg_value(const struct broker_cfg *cfg, const struct props *overrides, const char *name,
                            enum cfg_source *src);
/* The broker-level value of a broker key (for synonyms); NULL if not a
 * broker key. buf holds formatted numbers. */
const char *broker_cfg_value(const struct broker_cfg *cfg, const char *key, char *buf, size_t buflen,
                             enum cfg_source *src);

/* The i-th broker key weir knows (NULL past the end), for DescribeConfigs. */
const char *broker_cfg_key(int i, enum cfg_type *type);

/* Parses a listener like PLAINTEXT://127.0.0.1:9092 (host may be empty or
 * 0.0.0.0 for all addresses). Only the first listener of a list is used. */
int listener_parse(const char *s, char *host, size_t hostlen, int *port);

#endif
