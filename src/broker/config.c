/* config: see config.h. The broker keys are a table (name, type, default);
 * loading walks the given properties, checks each against the table, then
 * resolves the derived settings (log.retention.ms over .minutes over .hours,
 * log.roll.ms over log.roll.hours). */
#include "broker/config.h"

#include "common/err.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bkey {
    const char *name;
    enum cfg_type type;
    const char *dflt;
};

/* Broker keys weir understands. Keys Kafka has that make no sense on one
 * node are accepted silently (see ignored_keys) so an existing
 * server.properties loads without noise. */
static const struct bkey bkeys[] = {
    {"listeners", CFG_LIST, "PLAINTEXT://127.0.0.1:9092"},
    {"advertised.listeners", CFG_LIST, ""},
    {"log.dirs", CFG_LIST, "./data"},
    {"log.dir", CFG_STRING, "./data"},
    {"node.id", CFG_INT, "0"},
    {"broker.id", CFG_INT, "0"},
    {"cluster.id", CFG_STRING, ""},
    {"num.partitions", CFG_INT, "1"},
    {"default.replication.factor", CFG_INT, "1"},
    {"auto.create.topics.enable", CFG_BOOL, "true"},
    {"log.segment.bytes", CFG_LONG, "1073741824"},
    {"log.roll.ms", CFG_LONG, ""},
    {"log.roll.hours", CFG_INT, "168"},
    {"log.retention.ms", CFG_LONG, ""},
    {"log.retention.minutes", CFG_INT, ""},
    {"log.retention.hours", CFG_INT, "168"},
    {"log.retention.bytes", CFG_LONG, "-1"},
    {"log.retention.check.interval.ms", CFG_LONG, "300000"},
    {"log.flush.interval.messages", CFG_LONG, "9223372036854775807"},
    {"log.flush.interval.ms", CFG_LONG, ""},
    {"log.index.interval.bytes", CFG_INT, "4096"},
    {"message.max.bytes", CFG_INT, "1048588"},
    {"socket.request.max.bytes", CFG_INT, "104857600"},
    {"queued.max.request.bytes", CFG_LONG, "1073741824"},
    {"max.connections", CFG_INT, "2147483647"},
    {"message.timestamp.type", CFG_STRING, "CreateTime"},
    {"log.message.timestamp.type", CFG_STRING, "CreateTime"},
    {"log.cleanup.policy", CFG_LIST, "delete"},
    {"log.cleaner.backoff.ms", CFG_LONG, "15000"},
    {"transaction.max.timeout.ms", CFG_INT, "900000"},
    /* group coordinator (group.h) */
    {"group.initial.rebalance.delay.ms", CFG_INT, "3000"},
    {"group.min.session.timeout.ms", CFG_INT, "6000"},
    {"group.max.session.timeout.ms", CFG_INT, "1800000"},
    {"group.max.size", CFG_INT, "2147483647"},
    {"offsets.retention.minutes", CFG_INT, "10080"},
    {"offsets.retention.check.interval.ms", CFG_LONG, "600000"},
    {"offset.metadata.max.bytes", CFG_INT, "4096"},
};

static const char *ignored_keys[] = {
    "process.roles", "controller.quorum.voters", "controller.quorum.bootstrap.servers", "controller.listener.names",
    "inter.broker.listener.name", "listener.security.protocol.map", "num.network.threads", "num.io.threads",
    "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "num.recovery.threads.per.data.dir",
    "offsets.topic.replication.factor", "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
    "zookeeper.connect", "zookeeper.connection.timeout.ms", "offsets.topic.num.partitions",
    "log.flush.scheduler.interval.ms", "min.insync.replicas", "unclean.leader.election.enable",
};

const char *broker_cfg_key(int i, enum cfg_type *type) {
    if (i < 0 || i >= (int)(sizeof bkeys / sizeof bkeys[0])) return NULL;
    if (type) *type = bkeys[i].type;
    return bkeys[i].name;
}

static const struct bkey *bkey_find(const char *name) {
    for (size_t i = 0; i < sizeof bkeys / sizeof bkeys[0]; i++)
        if (!strcmp(bkeys[i].name, name)) return &bkeys[i];
    return NULL;
}

static int parse_long(const char *s, int64_t *out) {
    if (!s || !*s) return WERR_INVALID;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (*end == ' ') end++;
    if (errno || *end) return WERR_INVALID;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, int *out) {
    if (!strcasecmp(s, "true")) *out = 1;
    else if (!strcasecmp(s, "false")) *out = 0;
    else return WERR_INVALID;
    return 0;
}

static int check_value(enum cfg_type t, const char *v) {
    int64_t l;
    int b;
    switch (t) {
    case CFG_INT: return parse_long(v, &l) || l < INT32_MIN || l > INT32_MAX ? WERR_INVALID : 0;
    case CFG_LONG: return parse_long(v, &l);
    case CFG_BOOL: return parse_bool(v, &b);
    case CFG_DOUBLE: {
        char *end;
        strtod(v, &end);
        return *v && !*end ? 0 : WERR_INVALID;
    }
    default: return 0;
    }
}

/* The value of broker key k: as set, else its default ("" = unset). */
static const char *bget(const struct broker_cfg *cfg, const char *k) {
    const char *v = props_get(&cfg->set, k);
    if (v) return v;
    const struct bkey *b = bkey_find(k);
    return b ? b->dflt : "";
}

static int64_t bget_long(const struct broker_cfg *cfg, const char *k) {
    int64_t v = 0;
    parse_long(bget(cfg, k), &v);
    return v;
}

int broker_cfg_load(struct broker_cfg *cfg, const struct props *p, char *err, size_t errlen) {
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < p->n; i++) {
        const char *k = p->v[i].key, *v = p->v[i].value;
        const struct bkey *b = bkey_find(k);
        if (!b) {
            int ignored = 0;
            for (size_t j = 0; j < sizeof ignored_keys / sizeof ignored_keys[0]; j++)
                if (!strcmp(ignored_keys[j], k)) ignored = 1;
            if (!ignored) log_warn("config: unknown key '%s' ignored", k);
            continue;
        }
        if (check_value(b->type, v)) {
            snprintf(err, errlen, "config: invalid value '%s' for %s", v, k);
            return WERR_INVALID;
        }
        props_set(&cfg->set, k, v, p->v[i].line);
    }

    const char *l = bget(cfg, "listeners");
    snprintf(cfg->listeners, sizeof cfg->listeners, "%s", l);
    const char *al = bget(cfg, "advertised.listeners");
    snprintf(cfg->advertised_listeners, sizeof cfg->advertised_listeners, "%s", *al ? al : l);
    const char *dirs = props_get(&cfg->set, "log.dirs");
    if (!dirs) dirs = props_get(&cfg->set, "log.dir");
    if (!dirs) dirs = "./data";
    snprintf(cfg->log_dirs, sizeof cfg->log_dirs, "%s", dirs);
    char *comma = strchr(cfg->log_dirs, ',');
    if (comma) {
        log_warn("config: log.dirs lists several directories; weir uses the first (%.*s)", (int)(comma - cfg->log_dirs),
                 cfg->log_dirs);
        *comma = 0;
    }
    snprintf(cfg->cluster_id, sizeof cfg->cluster_id, "%s", bget(cfg, "cluster.id"));

    cfg->node_id = (int32_t)(props_get(&cfg->set, "node.id") ? bget_long(cfg, "node.id") : bget_long(cfg, "broker.id"));
    cfg->num_partitions = (int32_t)bget_long(cfg, "num.partitions");
    cfg->default_replication_factor = (int32_t)bget_long(cfg, "default.replication.factor");
    parse_bool(bget(cfg, "auto.create.topics.enable"), &cfg->auto_create_topics);
    cfg->log_segment_bytes = bget_long(cfg, "log.segment.bytes");
    cfg->log_roll_ms = *bget(cfg, "log.roll.ms") ? bget_long(cfg, "log.roll.ms")
                                                 : bget_long(cfg, "log.roll.hours") * 3600000;
    if (*bget(cfg, "log.retention.ms")) cfg->log_retention_ms = bget_long(cfg, "log.retention.ms");
    else if (*bget(cfg, "log.retention.minutes")) cfg->log_retention_ms = bget_long(cfg, "log.retention.minutes") * 60000;
    else cfg->log_retention_ms = bget_long(cfg, "log.retention.hours") * 3600000;
    if (cfg->log_retention_ms < 0) cfg->log_retention_ms = -1;
    cfg->log_retention_bytes = bget_long(cfg, "log.retention.bytes");
    cfg->log_retention_check_interval_ms = bget_long(cfg, "log.retention.check.interval.ms");
    cfg->log_flush_interval_messages = bget_long(cfg, "log.flush.interval.messages");
    cfg->log_flush_interval_ms = *bget(cfg, "log.flush.interval.ms") ? bget_long(cfg, "log.flush.interval.ms") : INT64_MAX;
    cfg->log_index_interval_bytes = (int32_t)bget_long(cfg, "log.index.interval.bytes");
    cfg->message_max_bytes = (int32_t)bget_long(cfg, "message.max.bytes");
    cfg->socket_request_max_bytes = (int32_t)bget_long(cfg, "socket.request.max.bytes");
    cfg->max_connections = (int32_t)bget_long(cfg, "max.connections");
    cfg->log_cleaner_backoff_ms = bget_long(cfg, "log.cleaner.backoff.ms");
    cfg->transaction_max_timeout_ms = (int32_t)bget_long(cfg, "transaction.max.timeout.ms");
    cfg->queued_max_request_bytes = bget_long(cfg, "queued.max.request.bytes");
    if (cfg->queued_max_request_bytes < 0) cfg->queued_max_request_bytes = INT64_MAX; /* Kafka's -1: no limit */
    if (cfg->queued_max_request_bytes < 2 * (int64_t)cfg->socket_request_max_bytes) {
        /* one largest request must always fit, with room for reading others */
        cfg->queued_max_request_bytes = 2 * (int64_t)cfg->socket_request_max_bytes;
    }
    const char *tt = props_get(&cfg->set, "message.timestamp.type");
    if (!tt) tt = bget(cfg, "log.message.timestamp.type");
    if (strcmp(tt, "CreateTime") && strcmp(tt, "LogAppendTime")) {
        snprintf(err, errlen, "config: message.timestamp.type must be CreateTime or LogAppendTime, not '%s'", tt);
        return WERR_INVALID;
    }
    cfg->log_append_time = !strcmp(tt, "LogAppendTime");
    snprintf(cfg->cleanup_policy, sizeof cfg->cleanup_policy, "%s", bget(cfg, "log.cleanup.policy"));
    cfg->group_initial_rebalance_delay_ms = (int32_t)bget_long(cfg, "group.initial.rebalance.delay.ms");
    cfg->group_min_session_timeout_ms = (int32_t)bget_long(cfg, "group.min.session.timeout.ms");
    cfg->group_max_session_timeout_ms = (int32_t)bget_long(cfg, "group.max.session.timeout.ms");
    cfg->group_max_size = (int32_t)bget_long(cfg, "group.max.size");
    cfg->offsets_retention_ms = bget_long(cfg, "offsets.retention.minutes") * 60000;
    cfg->offsets_retention_check_interval_ms = bget_long(cfg, "offsets.retention.check.interval.ms");
    cfg->offset_metadata_max_bytes = (int32_t)bget_long(cfg, "offset.metadata.max.bytes");
    if (cfg->group_initial_rebalance_delay_ms < 0 || cfg->group_min_session_timeout_ms < 0 ||
        cfg->group_max_session_timeout_ms < cfg->group_min_session_timeout_ms || cfg->group_max_size < 1 ||
        cfg->offsets_retention_ms < 60000 || cfg->offsets_retention_check_interval_ms < 1) {
        snprintf(err, errlen, "config: a group coordinator setting (group.*, offsets.retention.*) is out of range");
        return WERR_INVALID;
    }

    if (cfg->default_replication_factor < 1) {
        snprintf(err, errlen, "config: default.replication.factor must be at least 1");
        return WERR_INVALID;
    }
    if (cfg->default_replication_factor > 1) /* Kafka with one broker behaves the same way */
        log_warn("config: default.replication.factor=%d cannot be met by a single node: creating topics with the "
                 "default will fail with INVALID_REPLICATION_FACTOR", cfg->default_replication_factor);
    if (cfg->num_partitions < 1) {
        snprintf(err, errlen, "config: num.partitions must be at least 1");
        return WERR_INVALID;
    }
    if (cfg->log_segment_bytes < 14 || cfg->log_index_interval_bytes < 0 || cfg->message_max_bytes < 0 ||
        cfg->socket_request_max_bytes < 64 || cfg->max_connections < 1) {
        snprintf(err, errlen, "config: a size or count setting is out of range");
        return WERR_INVALID;
    }
    int port;
    char host[256];
    if (listener_parse(cfg->listeners, host, sizeof host, &port)) {
        snprintf(err, errlen, "config: cannot parse listeners '%s' (expected PLAINTEXT://host:port)", cfg->listeners);
        return WERR_INVALID;
    }
    return 0;
}

void broker_cfg_free(struct broker_cfg *cfg) { props_free(&cfg->set); }

/* ---- topic configs ---- */

static const struct topic_cfg_def tdefs[] = {
    {"cleanup.policy", CFG_LIST, "log.cleanup.policy", "delete", 0},
    {"compression.type", CFG_STRING, NULL, "producer", 0},
    {"delete.retention.ms", CFG_LONG, NULL, "86400000", 0},
    {"file.delete.delay.ms", CFG_LONG, NULL, "60000", 0},
    {"flush.messages", CFG_LONG, "log.flush.interval.messages", "9223372036854775807", 0},
    {"flush.ms", CFG_LONG, "log.flush.interval.ms", "9223372036854775807", 0},
    {"index.interval.bytes", CFG_INT, "log.index.interval.bytes", "4096", 0},
    {"max.compaction.lag.ms", CFG_LONG, NULL, "9223372036854775807", 0},
    {"max.message.bytes", CFG_INT, "message.max.bytes", "1048588", 0},
    {"message.timestamp.type", CFG_STRING, "message.timestamp.type", "CreateTime", 0},
    {"min.cleanable.dirty.ratio", CFG_DOUBLE, NULL, "0.5", 0},
    {"min.compaction.lag.ms", CFG_LONG, NULL, "0", 0},
    {"min.insync.replicas", CFG_INT, NULL, "1", 0},
    {"retention.bytes", CFG_LONG, "log.retention.bytes", "-1", 0},
    {"retention.ms", CFG_LONG, "log.retention.ms", "604800000", 0},
    {"segment.bytes", CFG_INT, "log.segment.bytes", "1073741824", 0},
    {"segment.index.bytes", CFG_INT, NULL, "10485760", 0},
    {"segment.ms", CFG_LONG, "log.roll.ms", "604800000", 0},
    {"unclean.leader.election.enable", CFG_BOOL, NULL, "false", 0},
};

const struct topic_cfg_def *topic_cfg_defs(int *n) {
    *n = (int)(sizeof tdefs / sizeof tdefs[0]);
    return tdefs;
}

const struct topic_cfg_def *topic_cfg_find(const char *name) {
    for (size_t i = 0; i < sizeof tdefs / sizeof tdefs[0]; i++)
        if (!strcmp(tdefs[i].name, name)) return &tdefs[i];
    return NULL;
}

int topic_cfg_validate(const char *name, const char *value, char *err, size_t errlen) {
    const struct topic_cfg_def *d = topic_cfg_find(name);
    if (!d) {
        snprintf(err, errlen, "Unknown topic config name: %s", name);
        return WERR_INVALID;
    }
    if (!value || check_value(d->type, value)) {
        snprintf(err, errlen, "Invalid value %s for configuration %s", value ? value : "null", name);
        return WERR_INVALID;
    }
    int64_t v = 0;
    parse_long(value, &v);
    if (!strcmp(name, "cleanup.policy")) {
        if (strcmp(value, "delete") && strcmp(value, "compact") && strcmp(value, "compact,delete") &&
            strcmp(value, "delete,compact")) {
            snprintf(err, errlen, "Invalid value %s for configuration cleanup.policy: each value must be one of: "
                                  "compact, delete", value);
            return WERR_INVALID;
        }
    } else if (!strcmp(name, "message.timestamp.type")) {
        if (strcmp(value, "CreateTime") && strcmp(value, "LogAppendTime")) {
            snprintf(err, errlen, "Invalid value %s for configuration message.timestamp.type: String must be one "
                                  "of: CreateTime, LogAppendTime", value);
            return WERR_INVALID;
        }
    } else if (!strcmp(name, "segment.bytes") && v < 14) {
        snprintf(err, errlen, "Invalid value %s for configuration segment.bytes: Value must be at least 14", value);
        return WERR_INVALID;
    } else if ((!strcmp(name, "segment.ms") || !strcmp(name, "flush.ms") || !strcmp(name, "flush.messages")) && v < 1) {
        snprintf(err, errlen, "Invalid value %s for configuration %s: Value must be at least 1", value, name);
        return WERR_INVALID;
    } else if (!strcmp(name, "max.message.bytes") && v < 0) {
        snprintf(err, errlen, "Invalid value %s for configuration max.message.bytes: Value must be at least 0", value);
        return WERR_INVALID;
    } else if (!strcmp(name, "min.insync.replicas") && v != 1) {
        snprintf(err, errlen, "Invalid value %s for configuration min.insync.replicas: a single node has one replica",
                 value);
        return WERR_INVALID;
    }
    return 0;
}

const char *broker_cfg_value(const struct broker_cfg *cfg, const char *key, char *buf, size_t buflen,
                             enum cfg_source *src) {
    const struct bkey *b = bkey_find(key);
    if (!b) return NULL;
    int set = props_get(&cfg->set, key) != NULL;
    if (src) *src = set ? CFG_SRC_STATIC_BROKER : CFG_SRC_DEFAULT;
    /* derived values: report the resolved number */
    if (!strcmp(key, "log.retention.ms")) {
        snprintf(buf, buflen, "%" PRId64, cfg->log_retention_ms);
        if (src && (props_get(&cfg->set, "log.retention.minutes") || props_get(&cfg->set, "log.retention.hours")))
            *src = CFG_SRC_STATIC_BROKER;
        return buf;
    }
    if (!strcmp(key, "log.roll.ms")) {
        snprintf(buf, buflen, "%" PRId64, cfg->log_roll_ms);
        if (src && props_get(&cfg->set, "log.roll.hours")) *src = CFG_SRC_STATIC_BROKER;
        return buf;
    }
    if (!strcmp(key, "log.flush.interval.ms")) {
        snprintf(buf, buflen, "%" PRId64, cfg->log_flush_interval_ms);
        return buf;
    }
    if (!strcmp(key, "message.timestamp.type")) {
        if (src && props_get(&cfg->set, "log.message.timestamp.type")) *src = CFG_SRC_STATIC_BROKER;
        return cfg->log_append_time ? "LogAppendTime" : "CreateTime";
    }
    return bget(cfg, key);
}

const char *topic_cfg_value(const struct broker_cfg *cfg, const struct props *overrides, const char *name,
                            enum cfg_source *src) {
    static __thread char buf[64];
    const char *v = overrides ? props_get(overrides, name) : NULL;
    if (v) {
        if (src) *src = CFG_SRC_TOPIC;
        return v;
    }
    const struct topic_cfg_def *d = topic_cfg_find(name);
    if (!d) return NULL;
    if (d->broker_synonym) {
        enum cfg_source bs;
        const char *bv = broker_cfg_value(cfg, d->broker_synonym, buf, sizeof buf, &bs);
        if (bv && bs == CFG_SRC_STATIC_BROKER) {
            if (src) *src = CFG_SRC_STATIC_BROKER;
            return bv;
        }
        if (bv && *bv) { /* the broker's default, which may differ from the topic default */
            if (src) *src = CFG_SRC_DEFAULT;
            return bv;
        }
    }
    if (src) *src = CFG_SRC_DEFAULT;
    return d->dflt;
}

int listener_parse(const char *s, char *host, size_t hostlen, int *port) {
    const char *p = strstr(s, "://");
    p = p ? p + 3 : s;
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (p[i] == ':') colon = p + i;
    if (!colon) return WERR_INVALID;
    size_t hl = (size_t)(colon - p);
    if (hl >= hostlen) return WERR_INVALID;
    memcpy(host, p, hl);
    host[hl] = 0;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [::1] */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    char *e;
    long v = strtol(colon + 1, &e, 10);
    if (e == colon + 1 || (size_t)(e - p) != len || v < 0 || v > 65535) return WERR_INVALID;
    *port = (int)v;
    return 0;
}
