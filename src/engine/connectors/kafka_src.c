/* kafka_src: see kafka_src.h. One rd_kafka consumer handle does everything
 * but commits: metadata, ListOffsets (through rd_kafka_offsets_for_times,
 * which batches per leader and also answers -2/-1), reading with assign(),
 * and group offsets through the admin API. It carries a private random
 * group.id only because librdkafka's assign() needs a consumer group
 * object; it never joins that group or commits to it.
 * Data loss is detected lazily: auto.offset.reset=error makes librdkafka
 * report a fetch below the log start instead of jumping, and an
 * end-of-partition event short of the range's end is checked against the
 * latest offset. */
#include "engine/connectors/kafka_src.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/uuid.h"
#include "engine/formats/json.h"

#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct ksrc {
    struct ksrc_opts o;
    rd_kafka_t *rk;        /* reader + metadata + offsets */
    rd_kafka_queue_t *q;   /* its consumer queue */
    char bootstrap[512];
    char err[768];
    pthread_mutex_t lock;  /* guards rderr (error_cb may run on librdkafka threads) */
    char rderr[256];       /* librdkafka's last global error */
};

/* ------------------------------------------------------------------ options */

void ksrc_opts_init(struct ksrc_opts *o) {
    memset(o, 0, sizeof *o);
    o->starting_timestamp = -1;
    o->fail_on_data_loss = 1;
    o->poll_timeout_ms = 120000;
    o->fetch_retries = 3;
    o->retry_interval_ms = 10;
    o->query_timeout_ms = 10000;
}

__attribute__((format(printf, 3, 4))) static int opt_err(char *err, size_t cap, const char *fmt, ...) {
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return WERR_INVALID;
}

static int parse_i64(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, int *out) {
    if (!strcasecmp(s, "true")) { *out = 1; return 0; }
    if (!strcasecmp(s, "false")) { *out = 0; return 0; }
    return -1;
}

int ksrc_opts_set(struct ksrc_opts *o, const char *key, const char *val, char *err, size_t errcap) {
    if (!strncasecmp(key, "kafka.", 6)) {
        const char *k = key + 6;
        static const char *const rejected[] = {"auto.offset.reset", "enable.auto.commit", "key.deserializer",
                                               "value.deserializer", "interceptor.classes"};
        for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++)
            if (!strcasecmp(k, rejected[i]))
                return opt_err(err, errcap,
                               "Kafka option '%s' is not supported: the source manages offsets and "
                               "deserialization itself (use startingOffsets / failOnDataLoss instead)", k);
        if (!strcasecmp(k, "group.id")) { o->group_id = val; return 0; }
        for (int i = 0; i < o->nkafka; i++)
            if (!strcmp(o->kafka_keys[i], k)) { o->kafka_vals[i] = val; return 0; }
        if (o->nkafka == (int)(sizeof o->kafka_keys / sizeof o->kafka_keys[0]))
            return opt_err(err, errcap, "too many kafka.* options");
        o->kafka_keys[o->nkafka] = k;
        o->kafka_vals[o->nkafka++] = val;
        return 0;
    }
    enum ksrc_strategy st = KSRC_NONE;
    if (!strcasecmp(key, "subscribe")) st = KSRC_SUBSCRIBE;
    else if (!strcasecmp(key, "subscribePattern")) st = KSRC_SUBSCRIBE_PATTERN;
    else if (!strcasecmp(key, "assign")) st = KSRC_ASSIGN;
    if (st != KSRC_NONE) {
        if (o->strategy != KSRC_NONE && o->strategy != st)
            return opt_err(err, errcap, "only one of \"assign\", \"subscribe\" or \"subscribePattern\" can be specified for the Kafka source");
        if (!*val) return opt_err(err, errcap, "option '%s' must not be empty", key);
        o->strategy = st;
        o->strategy_value = val;
        return 0;
    }
    if (!strcasecmp(key, "startingOffsets")) { o->starting_offsets = val; return 0; }
    if (!strcasecmp(key, "endingOffsets")) { o->ending_offsets = val; return 0; }
    if (!strcasecmp(key, "startingOffsetsByTimestamp")) { o->starting_offsets_by_timestamp = val; return 0; }
    if (!strcasecmp(key, "startingOffsetsByTimestampStrategy")) {
        if (!strcasecmp(val, "error")) o->timestamp_none_latest = 0;
        else if (!strcasecmp(val, "latest")) o->timestamp_none_latest = 1;
        else return opt_err(err, errcap, "option 'startingOffsetsByTimestampStrategy' must be \"error\" or \"latest\", got '%s'", val);
        return 0;
    }
    int64_t v;
    struct { const char *name; int64_t *dst; int64_t min; } nums[] = {
        {"startingTimestamp", &o->starting_timestamp, 0},
        {"maxOffsetsPerTrigger", &o->max_offsets_per_trigger, 1},
        {"kafkaConsumer.pollTimeoutMs", &o->poll_timeout_ms, 1},
        {"fetchOffset.retryIntervalMs", &o->retry_interval_ms, 0},
        {"fetchOffset.timeoutMs", &o->query_timeout_ms, 1},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if (strcasecmp(key, nums[i].name)) continue;
        if (parse_i64(val, &v) || v < nums[i].min)
            return opt_err(err, errcap, "option '%s' must be an integer >= %lld, got '%s'", nums[i].name,
                           (long long)nums[i].min, val);
        *nums[i].dst = v;
        return 0;
    }
    if (!strcasecmp(key, "fetchOffset.numRetries")) {
        if (parse_i64(val, &v) || v < 0 || v > 1000) return opt_err(err, errcap, "option 'fetchOffset.numRetries' must be an integer >= 0, got '%s'", val);
        o->fetch_retries = (int)v;
        return 0;
    }
    int *flag = NULL;
    if (!strcasecmp(key, "failOnDataLoss")) flag = &o->fail_on_data_loss;
    else if (!strcasecmp(key, "includeHeaders")) flag = &o->include_headers;
    if (flag) {
        if (parse_bool(val, flag)) return opt_err(err, errcap, "option '%s' must be true or false, got '%s'", key, val);
        return 0;
    }
    return WERR_NOTFOUND;
}

static const char *kafka_prop(const struct ksrc_opts *o, const char *k) {
    for (int i = 0; i < o->nkafka; i++)
        if (!strcmp(o->kafka_keys[i], k)) return o->kafka_vals[i];
    return NULL;
}

int ksrc_opts_check(const struct ksrc_opts *o, char *err, size_t errcap) {
    if (!kafka_prop(o, "bootstrap.servers") || !*kafka_prop(o, "bootstrap.servers"))
        return opt_err(err, errcap, "option 'kafka.bootstrap.servers' must be specified for the Kafka source");
    if (o->strategy == KSRC_NONE)
        return opt_err(err, errcap, "one of the options 'subscribe', 'subscribePattern' or 'assign' is required for the Kafka source");
    return 0;
}

/* ------------------------------------------------------------------ handle */

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    enum log_level l = level <= 3 ? LOG_WARN : level <= 5 ? LOG_INFO : LOG_DEBUG;
    log_msg(l, "kafka source: %s: %s", fac, buf);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    struct ksrc *k = opaque;
    pthread_mutex_lock(&k->lock);
    snprintf(k->rderr, sizeof k->rderr, "%s", reason);
    pthread_mutex_unlock(&k->lock);
}

__attribute__((format(printf, 2, 3))) static void set_err(struct ksrc *k, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->err, sizeof k->err, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&k->lock);
    if (k->rderr[0]) {
        size_t l = strlen(k->err);
        snprintf(k->err + l, sizeof k->err - l, " (last client error: %s)", k->rderr);
    }
    pthread_mutex_unlock(&k->lock);
}

const char *ksrc_error(const struct ksrc *k) { return k->err; }

/* ------------------------------------------------------------------ Java client options */

/* Options a Spark user passes as kafka.* are the Java client's. Most have
 * the same name in librdkafka; these differ, or have no equivalent and
 * only tune the Java client, so they are renamed or skipped (with a
 * warning) rather than failing the query. Security options without an
 * equivalent (JKS trust stores) still fail, with librdkafka's hint. */
static const char *const java_renames[][2] = {
    {"fetch.max.wait.ms", "fetch.wait.max.ms"},
    {"receive.buffer.bytes", "socket.receive.buffer.bytes"},
    {"send.buffer.bytes", "socket.send.buffer.bytes"},
};
static const char *const java_only[] = {
    "max.poll.records", "default.api.timeout.ms", "client.dns.lookup", "ssl.keystore.type",
    "allow.auto.create.topics.enable", "exclude.internal.topics", "auto.commit.interval.ms",
};

int ksrc_jaas_parse(const char *cfg, char *user, size_t ucap, char *pass, size_t pcap, char *err, size_t errcap) {
    const char *p = cfg;
    while (*p == ' ') p++;
    const char *mod = p;
    while (*p && *p != ' ') p++;
    size_t ml = (size_t)(p - mod);
    int plain = ml >= 16 && !strncmp(p - 16, "PlainLoginModule", 16);
    int scram = ml >= 16 && !strncmp(p - 16, "ScramLoginModule", 16);
    if (!plain && !scram)
        return opt_err(err, errcap, "kafka.sasl.jaas.config: only PlainLoginModule and ScramLoginModule can be "
                       "translated (module '%.*s'); for OAUTHBEARER or GSSAPI use librdkafka's sasl.oauthbearer.* "
                       "or sasl.kerberos.* options", (int)ml, mod);
    user[0] = pass[0] = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n') p++;
        if (!*p || *p == ';') break;
        const char *key = p;
        while (*p && *p != '=' && *p != ' ' && *p != ';') p++;
        size_t kl = (size_t)(p - key);
        if (*p != '=') continue; /* "required" / "optional" / "sufficient" */
        p++;
        const char *val = p;
        size_t vl;
        if (*p == '"') {
            val = ++p;
            while (*p && *p != '"') p++;
            if (!*p) return opt_err(err, errcap, "kafka.sasl.jaas.config: unterminated quoted value");
            vl = (size_t)(p - val);
            p++;
        } else {
            while (*p && *p != ' ' && *p != ';') p++;
            vl = (size_t)(p - val);
        }
        char *dst = kl == 8 && !strncmp(key, "username", 8) ? user : kl == 8 && !strncmp(key, "password", 8) ? pass : NULL;
        size_t cap = dst == user ? ucap : pcap;
        if (dst) {
            if (vl >= cap) return opt_err(err, errcap, "kafka.sasl.jaas.config: value too long");
            memcpy(dst, val, vl);
            dst[vl] = 0;
        }
    }
    if (!user[0]) return opt_err(err, errcap, "kafka.sasl.jaas.config: no username=\"...\" found");
    return 0;
}

static int apply_kafka_props(struct ksrc *k, rd_kafka_conf_t *conf, char *err, size_t errcap) {
    char e[256];
    for (int i = 0; i < k->o.nkafka; i++) {
        const char *key = k->o.kafka_keys[i], *val = k->o.kafka_vals[i];
        int skip = 0;
        for (size_t j = 0; j < sizeof java_only / sizeof java_only[0]; j++)
            if (!strcmp(key, java_only[j])) skip = 1;
        if (skip) {
            log_warn("kafka source: ignoring Java client option 'kafka.%s' (no librdkafka equivalent)", key);
            continue;
        }
        for (size_t j = 0; j < sizeof java_renames / sizeof java_renames[0]; j++)
            if (!strcmp(key, java_renames[j][0])) key = java_renames[j][1];
        if (!strcmp(key, "sasl.jaas.config")) {
            char user[256], pass[256];
            if (ksrc_jaas_parse(val, user, sizeof user, pass, sizeof pass, err, errcap)) return WERR_INVALID;
            if (!kafka_prop(&k->o, "sasl.username")) rd_kafka_conf_set(conf, "sasl.username", user, NULL, 0);
            if (!kafka_prop(&k->o, "sasl.password")) rd_kafka_conf_set(conf, "sasl.password", pass, NULL, 0);
            continue;
        }
        if (rd_kafka_conf_set(conf, key, val, e, sizeof e) != RD_KAFKA_CONF_OK)
            return opt_err(err, errcap, "invalid Kafka client option 'kafka.%s': %s", k->o.kafka_keys[i], e);
    }
    return 0;
}

static rd_kafka_t *make_handle(struct ksrc *k, const char *group, char *err, size_t errcap) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char e[256];
    /* Defaults for reading known ranges with low latency: a fetch at the end
     * of a partition (needed only to see end-of-partition) waits 10 ms and
     * the retry after a fetch error 100 ms, rather than librdkafka's 500 ms:
     * a fetch still parked at the broker when a read ends (the fetcher runs
     * on past the range) holds up the next read's first fetch that long.
     * librdkafka stops prefetching at queued.min.messages (100000) and then
     * backs off for up to a second, which left a large read idle most of
     * the time: allow a million (memory stays bounded by
     * queued.max.messages.kbytes). kafka.* options given by the user
     * override these. */
    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "10", NULL, 0);
    rd_kafka_conf_set(conf, "fetch.error.backoff.ms", "100", NULL, 0);
    rd_kafka_conf_set(conf, "queued.min.messages", "1000000", NULL, 0);
    if (apply_kafka_props(k, conf, err, errcap)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    static const char *const forced[][2] = {
        {"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "error"}, {"enable.partition.eof", "true"},
    };
    for (size_t i = 0; i < sizeof forced / sizeof forced[0]; i++)
        rd_kafka_conf_set(conf, forced[i][0], forced[i][1], NULL, 0);
    rd_kafka_conf_set(conf, "group.id", group, NULL, 0);
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
    if (!rk) {
        opt_err(err, errcap, "cannot create Kafka client: %s", e);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

int ksrc_new(const struct ksrc_opts *o, struct ksrc **out, char *err, size_t errcap) {
    int rc = ksrc_opts_check(o, err, errcap);
    if (rc) return rc;
    struct ksrc *k = calloc(1, sizeof *k);
    if (!k) return WERR_NOMEM;
    k->o = *o;
    pthread_mutex_init(&k->lock, NULL);
    snprintf(k->bootstrap, sizeof k->bootstrap, "%s", kafka_prop(o, "bootstrap.servers"));
    char id[UUID_STR_LEN + 1], group[64];
    if (uuid_v4_str(id)) { free(k); return WERR_IO; }
    snprintf(group, sizeof group, "weir-reader-%s", id);
    k->rk = make_handle(k, group, err, errcap);
    if (!k->rk) {
        pthread_mutex_destroy(&k->lock);
        free(k);
        return WERR_INVALID;
    }
    k->q = rd_kafka_queue_get_consumer(k->rk);
    *out = k;
    return 0;
}

/* Neither handle ever subscribes, so there is no group membership to leave:
 * skip the consumer close, which would otherwise wait for a coordinator
 * that may be unreachable (tens of seconds). */
static void destroy_handle(rd_kafka_t *rk) {
    rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

void ksrc_free(struct ksrc *k) {
    if (!k) return;
    if (k->q) rd_kafka_queue_destroy(k->q);
    if (k->rk) destroy_handle(k->rk);
    pthread_mutex_destroy(&k->lock);
    free(k);
}

static void sleep_ms(int64_t ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {}
}

/* Backoff before retry `attempt` (1-based). */
static void backoff(const struct ksrc *k, int attempt) {
    int64_t ms = k->o.retry_interval_ms;
    for (int i = 1; i < attempt && ms < 2000; i++) ms *= 2;
    sleep_ms(ms > 2000 ? 2000 : ms);
}

/* ------------------------------------------------------------------ JSON */

static int cmp_po(const void *a, const void *b) {
    const struct ksrc_po *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

static int cmp_tp(const void *a, const void *b) {
    const struct ksrc_tp *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

int ksrc_offsets_parse(const char *s, size_t n, struct arena *a, struct ksrc_po **out, int *count, char *err,
                       size_t errcap) {
    struct json_value *v;
    struct json_error e;
    if (json_parse(a, s, n, JSON_STRICT, &v, &e))
        return opt_err(err, errcap, "malformed offsets JSON at byte %zu: %s: %.*s", e.offset, e.msg, (int)(n > 200 ? 200 : n), s);
    if (v->type != JSON_OBJECT) return opt_err(err, errcap, "offsets JSON must be an object like {\"topic\":{\"0\":-2}}");
    int total = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        if (v->u.members[i].value.type != JSON_OBJECT)
            return opt_err(err, errcap, "offsets JSON: the value of topic '%s' must be an object of partition: offset", v->u.members[i].key);
        total += (int)v->u.members[i].value.len;
    }
    struct ksrc_po *po = arena_alloc(a, (size_t)(total ? total : 1) * sizeof *po);
    int k = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        const struct json_member *t = &v->u.members[i];
        for (uint32_t j = 0; j < t->value.len; j++) {
            const struct json_member *p = &t->value.u.members[j];
            int64_t part;
            if (parse_i64(p->key, &part) || part < 0 || part > INT32_MAX)
                return opt_err(err, errcap, "offsets JSON: '%s' is not a partition number (topic '%s')", p->key, t->key);
            if (p->value.type != JSON_NUMBER || !p->value.is_int || p->value.u.num.i < -2)
                return opt_err(err, errcap, "offsets JSON: offset of %s-%s must be an integer >= -2", t->key, p->key);
            po[k++] = (struct ksrc_po){t->key, (int32_t)part, p->value.u.num.i};
        }
    }
    *out = po;
    *count = k;
    return 0;
}

void ksrc_offsets_format(struct ksrc_po *po, int n, struct buf *out) {
    if (n > 1) qsort(po, (size_t)n, sizeof *po, cmp_po);
    buf_putc(out, '{');
    for (int i = 0; i < n; i++) {
        int new_topic = i == 0 || strcmp(po[i].topic, po[i - 1].topic);
        if (new_topic) {
            if (i) buf_append(out, "},", 2);
            json_write_string(out, po[i].topic, strlen(po[i].topic));
            buf_append(out, ":{", 2);
        } else {
            buf_putc(out, ',');
        }
        buf_printf(out, "\"%" PRId32 "\":%" PRId64, po[i].partition, po[i].offset);
    }
    if (n) buf_putc(out, '}');
    buf_putc(out, '}');
}

int ksrc_assign_parse(const char *s, size_t n, struct arena *a, struct ksrc_tp **out, int *count, char *err,
                      size_t errcap) {
    struct json_value *v;
    struct json_error e;
    if (json_parse(a, s, n, JSON_STRICT, &v, &e))
        return opt_err(err, errcap, "malformed 'assign' JSON at byte %zu: %s", e.offset, e.msg);
    if (v->type != JSON_OBJECT) return opt_err(err, errcap, "'assign' must be a JSON object like {\"topic\":[0,1]}");
    int total = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        if (v->u.members[i].value.type != JSON_ARRAY)
            return opt_err(err, errcap, "'assign': the value of topic '%s' must be an array of partitions", v->u.members[i].key);
        total += (int)v->u.members[i].value.len;
    }
    struct ksrc_tp *tp = arena_alloc(a, (size_t)(total ? total : 1) * sizeof *tp);
    int k = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        const struct json_member *t = &v->u.members[i];
        for (uint32_t j = 0; j < t->value.len; j++) {
            const struct json_value *p = &t->value.u.items[j];
            if (p->type != JSON_NUMBER || !p->is_int || p->u.num.i < 0 || p->u.num.i > INT32_MAX)
                return opt_err(err, errcap, "'assign': partitions of topic '%s' must be non-negative integers", t->key);
            tp[k++] = (struct ksrc_tp){t->key, (int32_t)p->u.num.i};
        }
    }
    if (k > 1) qsort(tp, (size_t)k, sizeof *tp, cmp_tp);
    *out = tp;
    *count = k;
    return 0;
}

/* ------------------------------------------------------------------ metadata */

static volatile const int *ksrc_stop_flag;
void ksrc_set_stop(volatile const int *flag) { ksrc_stop_flag = flag; }
static int ksrc_stopping(void) { return ksrc_stop_flag && *ksrc_stop_flag; }

static int fetch_metadata(struct ksrc *k, const struct rd_kafka_metadata **md) {
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int attempt = 0; attempt <= k->o.fetch_retries && !ksrc_stopping(); attempt++) {
        if (attempt) backoff(k, attempt);
        /* in slices of at most a second, so a stop request is noticed */
        int64_t deadline = clock_mono_ms() + k->o.query_timeout_ms;
        do {
            int64_t left = deadline - clock_mono_ms();
            e = rd_kafka_metadata(k->rk, 1, NULL, md, (int)(left < 1000 ? (left > 0 ? left : 1) : 1000));
        } while (e == RD_KAFKA_RESP_ERR__TIMED_OUT && clock_mono_ms() < deadline && !ksrc_stopping());
        if (!e) return 0;
        log_warn("kafka source: metadata request to %s failed (attempt %d of %d): %s", k->bootstrap, attempt + 1,
                 k->o.fetch_retries + 1, rd_kafka_err2str(e));
    }
    set_err(k, "cannot get metadata from Kafka at %s after %d attempts: %s", k->bootstrap, k->o.fetch_retries + 1,
            rd_kafka_err2str(e));
    return WERR_IO;
}

int ksrc_partitions(struct ksrc *k, struct arena *a, struct ksrc_tp **tps, int *n) {
    k->err[0] = 0;
    if (k->o.strategy == KSRC_ASSIGN) {
        char err[256];
        int rc = ksrc_assign_parse(k->o.strategy_value, strlen(k->o.strategy_value), a, tps, n, err, sizeof err);
        if (rc) set_err(k, "%s", err);
        return rc;
    }
    regex_t re;
    char **topics = NULL;
    int ntopics = 0;
    if (k->o.strategy == KSRC_SUBSCRIBE_PATTERN) {
        size_t pl = strlen(k->o.strategy_value);
        char *full = malloc(pl + 5);
        if (!full) return WERR_NOMEM;
        snprintf(full, pl + 5, "^(%s)$", k->o.strategy_value);
        int rr = regcomp(&re, full, REG_EXTENDED | REG_NOSUB);
        free(full);
        if (rr) {
            char m[128];
            regerror(rr, &re, m, sizeof m);
            set_err(k, "invalid subscribePattern '%s': %s", k->o.strategy_value, m);
            return WERR_INVALID;
        }
    } else if (k->o.strategy == KSRC_SUBSCRIBE) {
        /* comma list, blanks trimmed */
        const char *s = k->o.strategy_value;
        topics = arena_alloc(a, (strlen(s) / 2 + 2) * sizeof *topics);
        while (*s) {
            while (*s == ' ' || *s == ',') s++;
            const char *e = s;
            while (*e && *e != ',') e++;
            const char *t = e;
            while (t > s && t[-1] == ' ') t--;
            if (t > s) topics[ntopics++] = arena_strndup(a, s, (size_t)(t - s));
            s = e;
        }
        if (!ntopics) {
            set_err(k, "option 'subscribe' lists no topics");
            return WERR_INVALID;
        }
    } else {
        set_err(k, "no subscription strategy");
        return WERR_INVALID;
    }
    const struct rd_kafka_metadata *md;
    int rc = fetch_metadata(k, &md);
    if (rc) {
        if (k->o.strategy == KSRC_SUBSCRIBE_PATTERN) regfree(&re);
        return rc;
    }
    int cnt = 0;
    for (int i = 0; i < md->topic_cnt; i++) cnt += md->topics[i].partition_cnt;
    struct ksrc_tp *out = arena_alloc(a, (size_t)(cnt ? cnt : 1) * sizeof *out);
    int k2 = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        if (t->err && t->partition_cnt == 0) continue;
        int want = 0;
        if (k->o.strategy == KSRC_SUBSCRIBE) {
            for (int j = 0; j < ntopics && !want; j++) want = !strcmp(topics[j], t->topic);
        } else {
            want = strncmp(t->topic, "__", 2) && regexec(&re, t->topic, 0, NULL, 0) == 0;
        }
        if (!want) continue;
        const char *name = arena_strndup(a, t->topic, strlen(t->topic));
        for (int p = 0; p < t->partition_cnt; p++) out[k2++] = (struct ksrc_tp){name, t->partitions[p].id};
    }
    rd_kafka_metadata_destroy(md);
    if (k->o.strategy == KSRC_SUBSCRIBE_PATTERN) regfree(&re);
    if (k2 > 1) qsort(out, (size_t)k2, sizeof *out, cmp_tp);
    *tps = out;
    *n = k2;
    return 0;
}

/* ------------------------------------------------------------------ offsets */

/* ListOffsets for tps[i] at ts_each[i] (or at `ts` for all when ts_each is
 * NULL): -2 earliest, -1 latest, else a timestamp; out[i] = offset, or -1
 * where a timestamp matched nothing. */
static int list_offsets_v(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t ts, const int64_t *ts_each,
                          int64_t *out) {
    if (n == 0) return 0;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    const char *what = ts_each ? "by-timestamp" : ts == KSRC_EARLIEST ? "earliest" : ts == KSRC_LATEST ? "latest" : "by-timestamp";
    int bad = -1;
    for (int attempt = 0; attempt <= k->o.fetch_retries; attempt++) {
        if (attempt) backoff(k, attempt);
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
        for (int i = 0; i < n; i++)
            rd_kafka_topic_partition_list_add(l, tps[i].topic, tps[i].partition)->offset = ts_each ? ts_each[i] : ts;
        e = rd_kafka_offsets_for_times(k->rk, l, (int)k->o.query_timeout_ms);
        bad = -1;
        if (!e) {
            for (int i = 0; i < n; i++) {
                rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(l, tps[i].topic, tps[i].partition);
                if (!p || p->err) {
                    e = p ? p->err : RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
                    bad = i;
                    break;
                }
                out[i] = p->offset;
            }
        }
        rd_kafka_topic_partition_list_destroy(l);
        if (!e) return 0;
        if (e == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION || e == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
            e == RD_KAFKA_RESP_ERR_INVALID_REQUEST) {
            set_err(k, "the Kafka broker at %s cannot list %s offsets: %s", k->bootstrap, what, rd_kafka_err2str(e));
            return WERR_UNSUPPORTED;
        }
        if (bad >= 0)
            log_warn("kafka source: listing %s offsets of %s-%d failed (attempt %d of %d): %s", what, tps[bad].topic,
                     (int)tps[bad].partition, attempt + 1, k->o.fetch_retries + 1, rd_kafka_err2str(e));
        else
            log_warn("kafka source: listing %s offsets failed (attempt %d of %d): %s", what, attempt + 1,
                     k->o.fetch_retries + 1, rd_kafka_err2str(e));
    }
    if (bad >= 0)
        set_err(k, "cannot list %s offsets of %s-%d from Kafka at %s after %d attempts: %s", what, tps[bad].topic,
                (int)tps[bad].partition, k->bootstrap, k->o.fetch_retries + 1, rd_kafka_err2str(e));
    else
        set_err(k, "cannot list %s offsets from Kafka at %s after %d attempts: %s", what, k->bootstrap,
                k->o.fetch_retries + 1, rd_kafka_err2str(e));
    return WERR_IO;
}

static int list_offsets(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t ts, int64_t *out) {
    return list_offsets_v(k, tps, n, ts, NULL, out);
}

/* Timestamp lookups done: out[i] < 0 means no message at or after the
 * timestamp: latest, or an error, per startingOffsetsByTimestampStrategy. */
static int finish_by_time(struct ksrc *k, const struct ksrc_tp *tps, int n, const int64_t *ts_each, int64_t ts,
                          int64_t *out) {
    int need_latest = 0;
    for (int i = 0; i < n; i++) {
        if (out[i] >= 0) continue;
        if (!k->o.timestamp_none_latest) {
            set_err(k, "no offset in %s-%d has a timestamp at or after %lld; set startingOffsetsByTimestampStrategy "
                       "to \"latest\" to start such partitions at their latest offset",
                    tps[i].topic, (int)tps[i].partition, (long long)(ts_each ? ts_each[i] : ts));
            return WERR_NOTFOUND;
        }
        need_latest = 1;
    }
    if (!need_latest) return 0;
    int64_t *latest = malloc((size_t)n * sizeof *latest);
    if (!latest) return WERR_NOMEM;
    int rc = list_offsets(k, tps, n, KSRC_LATEST, latest);
    for (int i = 0; !rc && i < n; i++)
        if (out[i] < 0) out[i] = latest[i];
    free(latest);
    return rc;
}

int ksrc_earliest(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t *out) {
    k->err[0] = 0;
    return list_offsets(k, tps, n, KSRC_EARLIEST, out);
}

int ksrc_latest(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t *out) {
    k->err[0] = 0;
    return list_offsets(k, tps, n, KSRC_LATEST, out);
}

int ksrc_offsets_for_times(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t ts_ms, int64_t *out) {
    k->err[0] = 0;
    if (ts_ms < 0) return WERR_INVALID;
    int rc = list_offsets(k, tps, n, ts_ms, out);
    return rc ? rc : finish_by_time(k, tps, n, NULL, ts_ms, out);
}

int ksrc_resolve_by_timestamp(struct ksrc *k, const char *json, const struct ksrc_tp *tps, int n, int64_t *out) {
    k->err[0] = 0;
    struct arena a;
    arena_init(&a, 1024);
    struct ksrc_po *po;
    int npo;
    char err[256];
    int rc = ksrc_offsets_parse(json, strlen(json), &a, &po, &npo, err, sizeof err);
    if (rc) set_err(k, "startingOffsetsByTimestamp: %s", err);
    int64_t *ts = rc ? NULL : malloc((size_t)(n ? n : 1) * sizeof *ts);
    if (!rc && !ts) rc = WERR_NOMEM;
    for (int i = 0; !rc && i < n; i++) {
        int found = 0;
        for (int j = 0; j < npo; j++)
            if (po[j].partition == tps[i].partition && !strcmp(po[j].topic, tps[i].topic)) { ts[i] = po[j].offset; found = 1; }
        if (!found || ts[i] < 0) {
            set_err(k, "startingOffsetsByTimestamp %s partition %s-%d", found ? "has a negative timestamp for" : "does not specify",
                    tps[i].topic, (int)tps[i].partition);
            rc = WERR_INVALID;
        }
    }
    if (!rc) rc = list_offsets_v(k, tps, n, 0, ts, out);
    if (!rc) rc = finish_by_time(k, tps, n, ts, 0, out);
    free(ts);
    arena_free(&a);
    return rc;
}

int ksrc_resolve(struct ksrc *k, const char *spec, const struct ksrc_tp *tps, int n, int is_end,
                 int64_t missing_default, int64_t *out) {
    k->err[0] = 0;
    const char *what = is_end ? "endingOffsets" : "startingOffsets";
    int rc = 0;
    if (!spec || !strcasecmp(spec, "latest")) return list_offsets(k, tps, n, KSRC_LATEST, out);
    if (!strcasecmp(spec, "earliest")) {
        if (is_end) { set_err(k, "ending offset not valid in batch queries: %s = earliest", what); return WERR_INVALID; }
        return list_offsets(k, tps, n, KSRC_EARLIEST, out);
    }
    struct arena a;
    arena_init(&a, 1024);
    struct ksrc_po *po;
    int npo;
    char err[256];
    rc = ksrc_offsets_parse(spec, strlen(spec), &a, &po, &npo, err, sizeof err);
    if (rc) { set_err(k, "%s: %s", what, err); goto done; }
    int need_e = 0, need_l = 0;
    for (int i = 0; i < n; i++) {
        int64_t v = missing_default;
        int found = 0;
        for (int j = 0; j < npo; j++)
            if (po[j].partition == tps[i].partition && !strcmp(po[j].topic, tps[i].topic)) { v = po[j].offset; found = 1; }
        if (!found && missing_default != KSRC_EARLIEST && missing_default != KSRC_LATEST) {
            set_err(k, "%s does not specify an offset for partition %s-%d; give every assigned partition an offset "
                       "(-2 = earliest, -1 = latest)", what, tps[i].topic, (int)tps[i].partition);
            rc = WERR_INVALID;
            goto done;
        }
        if (v == KSRC_EARLIEST && is_end && found) {
            set_err(k, "%s: earliest (-2) is not a valid ending offset (partition %s-%d)", what, tps[i].topic, (int)tps[i].partition);
            rc = WERR_INVALID;
            goto done;
        }
        out[i] = v;
        need_e |= v == KSRC_EARLIEST;
        need_l |= v == KSRC_LATEST;
    }
    int64_t *tmp = malloc((size_t)(n ? n : 1) * sizeof *tmp);
    if (!tmp) { rc = WERR_NOMEM; goto done; }
    if (need_e && !(rc = list_offsets(k, tps, n, KSRC_EARLIEST, tmp)))
        for (int i = 0; i < n; i++)
            if (out[i] == KSRC_EARLIEST) out[i] = tmp[i];
    if (!rc && need_l && !(rc = list_offsets(k, tps, n, KSRC_LATEST, tmp)))
        for (int i = 0; i < n; i++)
            if (out[i] == KSRC_LATEST) out[i] = tmp[i];
    free(tmp);
done:
    arena_free(&a);
    return rc;
}

void ksrc_rate_limit(const int64_t *start, int64_t *end, int n, int64_t limit) {
    if (limit <= 0) return;
    double total = 0;
    for (int i = 0; i < n; i++)
        if (end[i] > start[i]) total += (double)(end[i] - start[i]);
    if (total <= (double)limit) return;
    for (int i = 0; i < n; i++) {
        if (end[i] <= start[i]) continue;
        double share = (double)limit * ((double)(end[i] - start[i]) / total);
        int64_t take = share < 1 ? (int64_t)ceil(share) : (int64_t)floor(share);
        if (start[i] + take < end[i]) end[i] = start[i] + take;
    }
}

/* ------------------------------------------------------------------ reading */

struct rstate {
    const struct ksrc_range *r;
    int64_t next;    /* next offset we expect to deliver from */
    int64_t end;     /* possibly lowered on data loss */
    int done;
};

static struct rstate *find_state(struct rstate *st, int n, const char *topic, int32_t part) {
    for (int i = 0; i < n; i++)
        if (st[i].r->partition == part && !strcmp(st[i].r->topic, topic)) return &st[i];
    return NULL;
}

/* A finished partition is not paused: with librdkafka 2.0 a partition
 * paused here and resumed after the next read's assign() often waits about
 * one second before its first fetch, which made every micro-batch after the
 * first take over a second. Messages fetched past the end are dropped below
 * and the read's final unassign stops the fetcher. */
static void finish_partition(struct ksrc *k, struct rstate *s, int *remaining) {
    (void)k;
    if (s->done) return;
    s->done = 1;
    (*remaining)--;
}

/* Data loss on s: offsets [from, to) are gone. Returns 0 to go on (and
 * counts) or WERR_RANGE with the message set. */
static int data_loss(struct ksrc *k, struct rstate *s, int64_t from, int64_t to, const char *why,
                     struct ksrc_read_stats *stats) {
    if (k->o.fail_on_data_loss) {
        set_err(k, "data loss in %s-%d: offsets %" PRId64 " to %" PRId64 " are no longer available (%s). "
                   "Some data may have been lost because it is not available in Kafka any more; either the data "
                   "was aged out by Kafka or the topic may have been deleted before all the data in the topic was "
                   "processed. If you don't want the query to fail on such cases, set the source option "
                   "\"failOnDataLoss\" to \"false\".",
                s->r->topic, (int)s->r->partition, from, to - 1, why);
        return WERR_RANGE;
    }
    log_warn("kafka source: %s-%d: offsets %" PRId64 " to %" PRId64 " were lost (%s); skipping them "
             "(failOnDataLoss=false)", s->r->topic, (int)s->r->partition, from, to - 1, why);
    if (stats) stats->lost_offsets += to - from;
    return 0;
}

/* Moves the fetch position of s. librdkafka stops fetching a partition
 * after an offset-reset error and a seek does not revive it, so the whole
 * assignment is renewed with every unfinished partition at its next offset
 * (messages from the old assignment are discarded by librdkafka). */
static int reassign(struct ksrc *k, struct rstate *st, int ns) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(ns ? ns : 1);
    for (int i = 0; i < ns; i++)
        if (!st[i].done) rd_kafka_topic_partition_list_add(l, st[i].r->topic, st[i].r->partition)->offset = st[i].next;
    rd_kafka_resp_err_t e = rd_kafka_assign(k->rk, l);
    if (!e) rd_kafka_resume_partitions(k->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        set_err(k, "cannot re-assign partitions: %s", rd_kafka_err2str(e));
        return WERR_IO;
    }
    return 0;
}

/* The partition reported "offset out of range" or EOF short of the end:
 * compare with what the broker has now. */
static int check_loss(struct ksrc *k, struct rstate *s, struct rstate *all, int ns, int *remaining,
                      struct ksrc_read_stats *stats, int fetch_stopped) {
    struct ksrc_tp tp = {s->r->topic, s->r->partition};
    int64_t lo, hi;
    int rc = list_offsets(k, &tp, 1, KSRC_EARLIEST, &lo);
    if (!rc) rc = list_offsets(k, &tp, 1, KSRC_LATEST, &hi);
    if (rc) return rc;
    if (s->next < lo) {
        int64_t upto = lo < s->end ? lo : s->end;
        if ((rc = data_loss(k, s, s->next, upto, "the partition's earliest offset is now beyond them", stats))) return rc;
        s->next = upto;
        if (s->next >= s->end) { finish_partition(k, s, remaining); return 0; }
        return reassign(k, all, ns);
    }
    if (hi < s->end) {
        if ((rc = data_loss(k, s, hi > s->next ? hi : s->next, s->end, "the partition's latest offset is now below them",
                            stats)))
            return rc;
        s->end = hi;
        if (s->next >= s->end) { finish_partition(k, s, remaining); return 0; }
    }
    /* the data is there: keep fetching (restarting the fetcher if an
     * offset-reset error stopped it) */
    return fetch_stopped ? reassign(k, all, ns) : 0;
}

#define BATCH 1024

int ksrc_read(struct ksrc *k, const struct ksrc_range *r, int n, ksrc_msg_fn fn, void *opaque,
              struct ksrc_read_stats *stats) {
    k->err[0] = 0;
    pthread_mutex_lock(&k->lock);
    k->rderr[0] = 0;
    pthread_mutex_unlock(&k->lock);
    if (stats) memset(stats, 0, sizeof *stats);
    struct rstate *st = calloc((size_t)(n ? n : 1), sizeof *st);
    if (!st) return WERR_NOMEM;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n ? n : 1);
    int remaining = 0, ns = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].start >= r[i].end) continue;
        if (r[i].start < 0) {
            set_err(k, "range of %s-%d starts at %" PRId64 ": resolve offsets first", r[i].topic, (int)r[i].partition, r[i].start);
            free(st);
            rd_kafka_topic_partition_list_destroy(l);
            return WERR_INVALID;
        }
        if (find_state(st, ns, r[i].topic, r[i].partition)) {
            set_err(k, "partition %s-%d appears twice in one read", r[i].topic, (int)r[i].partition);
            free(st);
            rd_kafka_topic_partition_list_destroy(l);
            return WERR_INVALID;
        }
        st[ns] = (struct rstate){.r = &r[i], .next = r[i].start, .end = r[i].end};
        rd_kafka_topic_partition_list_add(l, r[i].topic, r[i].partition)->offset = r[i].start;
        ns++;
        remaining++;
    }
    int rc = 0;
    if (remaining) {
        rd_kafka_resp_err_t e = rd_kafka_assign(k->rk, l);
        if (e) {
            set_err(k, "cannot assign partitions: %s", rd_kafka_err2str(e));
            rc = WERR_IO;
        } else {
            /* a partition paused by an earlier read stays paused across
             * unassign/assign in librdkafka: resume explicitly */
            rd_kafka_resume_partitions(k->rk, l);
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_message_t *msgs[BATCH];
    struct ksrc_header *hdrs = NULL;
    size_t hcap = 0;
    int64_t last_progress = clock_mono_ms();
    struct rstate *last = NULL;
    while (!rc && remaining > 0) {
        /* rd_kafka_consume_batch_queue waits until BATCH messages or the
         * timeout: take what is queued without waiting, and wait (briefly,
         * so a range shorter than BATCH is not held up) only when nothing is */
        ssize_t got = rd_kafka_consume_batch_queue(k->q, 0, msgs, BATCH);
        if (got == 0) got = rd_kafka_consume_batch_queue(k->q, 2, msgs, BATCH);
        if (got < 0) {
            set_err(k, "consume failed: %s", rd_kafka_err2str(rd_kafka_last_error()));
            rc = WERR_IO;
            break;
        }
        for (ssize_t i = 0; i < got; i++) {
            rd_kafka_message_t *m = msgs[i];
            if (rc) { rd_kafka_message_destroy(m); continue; }
            struct rstate *s = NULL;
            if (m->rkt) {
                /* messages arrive in runs from one partition: try the last one first */
                const char *tn = rd_kafka_topic_name(m->rkt);
                if (last && last->r->partition == m->partition && !strcmp(last->r->topic, tn)) s = last;
                else s = last = find_state(st, ns, tn, m->partition);
            }
            if (m->err) {
                if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    if (s && !s->done) {
                        last_progress = clock_mono_ms();
                        if (m->offset >= s->end) finish_partition(k, s, &remaining);
                        else if (m->offset > s->next) s->next = m->offset; /* gap (compaction, markers) up to EOF */
                        if (!s->done && m->offset < s->end) rc = check_loss(k, s, st, ns, &remaining, stats, 0);
                    }
                } else if (s && !s->done && (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
                                             m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)) {
                    rc = check_loss(k, s, st, ns, &remaining, stats, 1);
                    last_progress = clock_mono_ms();
                } else if (!s || !s->done) {
                    const char *es = rd_kafka_message_errstr(m);
                    pthread_mutex_lock(&k->lock);
                    snprintf(k->rderr, sizeof k->rderr, "%s", es);
                    pthread_mutex_unlock(&k->lock);
                    log_warn("kafka source: %s%s%s: %s", s ? s->r->topic : "", s ? "-" : "",
                             s ? "partition" : "consumer", es);
                    if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
                        if (s) rc = check_loss(k, s, st, ns, &remaining, stats, 0);
                    }
                }
                rd_kafka_message_destroy(m);
                continue;
            }
            if (!s || s->done || m->offset < s->next) { rd_kafka_message_destroy(m); continue; }
            if (m->offset >= s->end) {
                finish_partition(k, s, &remaining);
                rd_kafka_message_destroy(m);
                continue;
            }
            last_progress = clock_mono_ms();
            struct ksrc_msg km = {
                .topic = s->r->topic, .partition = s->r->partition, .offset = m->offset,
                .key = m->key, .key_len = m->key_len, .value = m->payload, .value_len = m->len,
            };
            rd_kafka_timestamp_type_t tt;
            km.timestamp_ms = rd_kafka_message_timestamp(m, &tt);
            km.timestamp_type = tt == RD_KAFKA_TIMESTAMP_CREATE_TIME ? 0 : tt == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? 1 : -1;
            if (k->o.include_headers) {
                rd_kafka_headers_t *h = NULL;
                if (!rd_kafka_message_headers(m, &h) && h) {
                    size_t hc = rd_kafka_header_cnt(h);
                    if (hc > hcap) {
                        hcap = hc * 2;
                        struct ksrc_header *nh = realloc(hdrs, hcap * sizeof *hdrs);
                        if (!nh) { fprintf(stderr, "kafka source: out of memory\n"); abort(); }
                        hdrs = nh;
                    }
                    for (size_t j = 0; j < hc; j++) {
                        const char *name;
                        const void *val;
                        size_t vl;
                        rd_kafka_header_get_all(h, j, &name, &val, &vl);
                        hdrs[j] = (struct ksrc_header){name, val, vl};
                    }
                    km.nheaders = (int)hc;
                    km.headers = hdrs;
                }
            }
            s->next = m->offset + 1;
            if (stats) {
                stats->messages++;
                stats->bytes += (int64_t)(m->key_len + m->len);
            }
            int cb = fn(opaque, &km);
            if (cb) rc = cb;
            else if (s->next >= s->end) finish_partition(k, s, &remaining);
            rd_kafka_message_destroy(m);
        }
        if (!rc && remaining > 0 && clock_mono_ms() - last_progress > k->o.poll_timeout_ms) {
            char which[256] = "";
            size_t wl = 0;
            for (int i = 0; i < ns && wl < sizeof which - 40; i++)
                if (!st[i].done)
                    wl += (size_t)snprintf(which + wl, sizeof which - wl, "%s%s-%d@%" PRId64, wl ? ", " : "",
                                           st[i].r->topic, (int)st[i].r->partition, st[i].next);
            set_err(k, "no data from Kafka at %s for %lld ms while reading %s (kafkaConsumer.pollTimeoutMs)",
                    k->bootstrap, (long long)k->o.poll_timeout_ms, which);
            rc = WERR_AGAIN;
        }
    }
    rd_kafka_assign(k->rk, NULL);
    free(hdrs);
    free(st);
    return rc;
}

/* ------------------------------------------------------------------ commits */

/* Group offsets go through the admin API (AlterConsumerGroupOffsets /
 * ListConsumerGroupOffsets, i.e. OffsetCommit / OffsetFetch outside any
 * group membership) on the reader's handle: no consumer-group machinery, a
 * bounded wait, and nothing left to wait for when the handle is destroyed
 * (a librdkafka consumer commit towards an unreachable coordinator holds up
 * rd_kafka_destroy for up to a minute). */
static rd_kafka_event_t *admin_wait(struct ksrc *k, rd_kafka_queue_t *q) {
    int64_t deadline = clock_mono_ms() + k->o.query_timeout_ms + 500;
    while (clock_mono_ms() < deadline) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (ev) return ev;
    }
    return NULL;
}

/* The first error in an admin group result (group or partition level). */
static const char *group_result_error(rd_kafka_event_t *ev, const rd_kafka_group_result_t **groups, size_t ng,
                                      const rd_kafka_topic_partition_list_t **parts) {
    if (rd_kafka_event_error(ev)) return rd_kafka_event_error_string(ev);
    if (ng != 1) return "unexpected result";
    const rd_kafka_error_t *ge = rd_kafka_group_result_error(groups[0]);
    if (ge) return rd_kafka_error_string(ge);
    *parts = rd_kafka_group_result_partitions(groups[0]);
    for (int i = 0; *parts && i < (*parts)->cnt; i++)
        if ((*parts)->elems[i].err) return rd_kafka_err2str((*parts)->elems[i].err);
    return NULL;
}

static rd_kafka_AdminOptions_t *admin_opts(struct ksrc *k, rd_kafka_admin_op_t op) {
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(k->rk, op);
    char e[128];
    rd_kafka_AdminOptions_set_request_timeout(opt, (int)k->o.query_timeout_ms, e, sizeof e);
    return opt;
}

int ksrc_commit(struct ksrc *k, const char *group, const struct ksrc_po *po, int n) {
    k->err[0] = 0;
    if (!group) group = k->o.group_id;
    if (!group || !*group) {
        set_err(k, "no consumer group to commit to (set kafka.group.id)");
        return WERR_INVALID;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n ? n : 1);
    for (int i = 0; i < n; i++) rd_kafka_topic_partition_list_add(l, po[i].topic, po[i].partition)->offset = po[i].offset;
    rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(group, l);
    rd_kafka_AdminOptions_t *opt = admin_opts(k, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(k->rk);
    rd_kafka_AlterConsumerGroupOffsets(k->rk, &req, 1, opt, q);
    rd_kafka_event_t *ev = admin_wait(k, q);
    const char *why = "timed out";
    if (ev) {
        size_t ng = 0;
        const rd_kafka_group_result_t **groups = NULL;
        const rd_kafka_AlterConsumerGroupOffsets_result_t *res = rd_kafka_event_AlterConsumerGroupOffsets_result(ev);
        if (res) groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &ng);
        const rd_kafka_topic_partition_list_t *parts = NULL;
        why = res || rd_kafka_event_error(ev) ? group_result_error(ev, groups, ng, &parts) : "unexpected event";
    }
    int rc = 0;
    if (why) {
        set_err(k, "cannot commit offsets for group '%s' to Kafka at %s: %s", group, k->bootstrap, why);
        rc = WERR_IO;
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int ksrc_committed(struct ksrc *k, const char *group, const struct ksrc_tp *tps, int n, int64_t *out) {
    k->err[0] = 0;
    if (!group) group = k->o.group_id;
    if (!group || !*group) {
        set_err(k, "no consumer group given (set kafka.group.id)");
        return WERR_INVALID;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n ? n : 1);
    for (int i = 0; i < n; i++) rd_kafka_topic_partition_list_add(l, tps[i].topic, tps[i].partition);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, l);
    rd_kafka_AdminOptions_t *opt = admin_opts(k, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(k->rk);
    rd_kafka_ListConsumerGroupOffsets(k->rk, &req, 1, opt, q);
    rd_kafka_event_t *ev = admin_wait(k, q);
    const char *why = "timed out";
    const rd_kafka_topic_partition_list_t *parts = NULL;
    if (ev) {
        size_t ng = 0;
        const rd_kafka_group_result_t **groups = NULL;
        const rd_kafka_ListConsumerGroupOffsets_result_t *res = rd_kafka_event_ListConsumerGroupOffsets_result(ev);
        if (res) groups = rd_kafka_ListConsumerGroupOffsets_result_groups(res, &ng);
        why = res || rd_kafka_event_error(ev) ? group_result_error(ev, groups, ng, &parts) : "unexpected event";
    }
    int rc = 0;
    if (why) {
        set_err(k, "cannot read committed offsets of group '%s' from Kafka at %s: %s", group, k->bootstrap, why);
        rc = WERR_IO;
    } else {
        for (int i = 0; i < n; i++) {
            const rd_kafka_topic_partition_t *p = NULL;
            for (int j = 0; parts && j < parts->cnt && !p; j++)
                if (parts->elems[j].partition == tps[i].partition && !strcmp(parts->elems[j].topic, tps[i].topic))
                    p = &parts->elems[j];
            out[i] = p ? p->offset : RD_KAFKA_OFFSET_INVALID;
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}
