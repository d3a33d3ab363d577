/* Unit tests for engine/connectors/kafka_src against librdkafka's in-process
 * mock cluster: options, offsets JSON, partition discovery, earliest/latest,
 * exact range reads with keys/values/timestamps/headers, data loss both
 * ways, rate limiting, group commits, and an unreachable broker. */
#include "test.h"

#include "common/err.h"
#include "engine/connectors/kafka_src.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdlib.h>

#define BASE_TS INT64_C(1695488040000)

struct cluster {
    rd_kafka_t *prod;
    rd_kafka_mock_cluster_t *mc;
    char bootstrap[256];
};

/* The mock cluster is owned by the handle that created it, so one producer
 * both owns the cluster and produces to it. */
static int cluster_start(struct cluster *c) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", NULL, 0);
    rd_kafka_conf_set(conf, "test.mock.num.brokers", "1", NULL, 0);
    rd_kafka_conf_set(conf, "linger.ms", "0", NULL, 0);
    c->prod = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!c->prod) return -1;
    c->mc = rd_kafka_handle_mock_cluster(c->prod);
    if (!c->mc) return -1;
    snprintf(c->bootstrap, sizeof c->bootstrap, "%s", rd_kafka_mock_cluster_bootstraps(c->mc));
    return 0;
}

static void cluster_stop(struct cluster *c) {
    if (c->prod) rd_kafka_destroy(c->prod);
}

static int produce(struct cluster *c, const char *topic, int32_t part, int64_t i, const void *val, size_t vlen,
                   int with_headers) {
    char key[32];
    int kl = snprintf(key, sizeof key, "k%lld", (long long)i);
    rd_kafka_resp_err_t e;
    if (with_headers)
        e = rd_kafka_producev(c->prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
                              RD_KAFKA_V_KEY(key, (size_t)kl), RD_KAFKA_V_VALUE((void *)val, vlen),
                              RD_KAFKA_V_TIMESTAMP(BASE_TS + i * 1000), RD_KAFKA_V_HEADER("h1", "one", 3),
                              RD_KAFKA_V_HEADER("h2", NULL, 0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END);
    else
        e = rd_kafka_producev(c->prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
                              RD_KAFKA_V_KEY((i % 5 == 4 ? NULL : key), (i % 5 == 4 ? 0 : (size_t)kl)),
                              RD_KAFKA_V_VALUE((void *)val, vlen), RD_KAFKA_V_TIMESTAMP(BASE_TS + i * 1000),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    return e ? -1 : 0;
}

/* topic "t" (3 partitions x 20 messages "v<p>-<i>", timestamps BASE_TS + i s),
 * "other" (1 x 5, with headers) and "__internal" (1 x 1) */
static int seed(struct cluster *c) {
    if (rd_kafka_mock_topic_create(c->mc, "t", 3, 1) || rd_kafka_mock_topic_create(c->mc, "other", 1, 1) ||
        rd_kafka_mock_topic_create(c->mc, "__internal", 1, 1))
        return -1;
    char v[32];
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < 20; i++) {
            int n = snprintf(v, sizeof v, "v%d-%d", p, i);
            if (produce(c, "t", p, i, v, (size_t)n, 0)) return -1;
        }
    for (int i = 0; i < 5; i++)
        if (produce(c, "other", 0, i, "o", 1, 1)) return -1;
    if (produce(c, "__internal", 0, 0, "x", 1, 0)) return -1;
    return rd_kafka_flush(c->prod, 30000) ? -1 : 0;
}

static struct ksrc *open_src(struct cluster *c, const char *strategy, const char *value) {
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    char err[256];
    if (ksrc_opts_set(&o, "kafka.bootstrap.servers", c->bootstrap, err, sizeof err)) return NULL;
    if (ksrc_opts_set(&o, strategy, value, err, sizeof err)) return NULL;
    ksrc_opts_set(&o, "kafka.log_level", "0", err, sizeof err);
    ksrc_opts_set(&o, "kafkaConsumer.pollTimeoutMs", "20000", err, sizeof err);
    struct ksrc *k;
    if (ksrc_new(&o, &k, err, sizeof err)) {
        fprintf(stderr, "    ksrc_new: %s\n", err);
        return NULL;
    }
    return k;
}

TEST(ksrc_options) {
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    char err[256];
    CHECK_EQ(o.fail_on_data_loss, 1);
    CHECK_EQ(ksrc_opts_check(&o, err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "kafka.bootstrap.servers") != NULL);
    CHECK_EQ(ksrc_opts_set(&o, "kafka.bootstrap.servers", "h:9092", err, sizeof err), 0);
    CHECK_EQ(ksrc_opts_check(&o, err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "subscribe") != NULL);
    CHECK_EQ(ksrc_opts_set(&o, "subscribe", "a,b", err, sizeof err), 0);
    CHECK_EQ(ksrc_opts_set(&o, "assign", "{\"a\":[0]}", err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "only one of") != NULL);
    CHECK_EQ(ksrc_opts_check(&o, err, sizeof err), 0);
    CHECK_EQ(ksrc_opts_set(&o, "kafka.auto.offset.reset", "earliest", err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "auto.offset.reset") != NULL);
    CHECK_EQ(ksrc_opts_set(&o, "kafka.enable.auto.commit", "true", err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_opts_set(&o, "kafka.value.deserializer", "x", err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_opts_set(&o, "kafka.group.id", "lag-group", err, sizeof err), 0);
    CHECK_STR(o.group_id, "lag-group");
    CHECK_EQ(ksrc_opts_set(&o, "kafka.security.protocol", "SASL_SSL", err, sizeof err), 0);
    CHECK_EQ(o.nkafka, 2);
    CHECK_STR(o.kafka_keys[1], "security.protocol");
    CHECK_EQ(ksrc_opts_set(&o, "FAILONDATALOSS", "false", err, sizeof err), 0);
    CHECK_EQ(o.fail_on_data_loss, 0);
    CHECK_EQ(ksrc_opts_set(&o, "failOnDataLoss", "nope", err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_opts_set(&o, "includeHeaders", "true", err, sizeof err), 0);
    CHECK_EQ(ksrc_opts_set(&o, "maxOffsetsPerTrigger", "1000", err, sizeof err), 0);
    CHECK_EQ(o.max_offsets_per_trigger, 1000);
    CHECK_EQ(ksrc_opts_set(&o, "maxOffsetsPerTrigger", "0", err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_opts_set(&o, "startingTimestamp", "abc", err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_opts_set(&o, "startingOffsets", "earliest", err, sizeof err), 0);
    CHECK_EQ(ksrc_opts_set(&o, "minPartitions", "4", err, sizeof err), WERR_NOTFOUND);
    /* a bad librdkafka property is reported when the handle is made */
    CHECK_EQ(ksrc_opts_set(&o, "kafka.no.such.property", "1", err, sizeof err), 0);
    struct ksrc *k;
    CHECK_EQ(ksrc_new(&o, &k, err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "no.such.property") != NULL);
}

TEST(ksrc_java_client_options) {
    char user[64], pass[64], err[256];
    CHECK_EQ(ksrc_jaas_parse("org.apache.kafka.common.security.plain.PlainLoginModule required "
                             "username=\"alice\" password=\"s3 cret\";", user, sizeof user, pass, sizeof pass, err, sizeof err), 0);
    CHECK_STR(user, "alice");
    CHECK_STR(pass, "s3 cret");
    CHECK_EQ(ksrc_jaas_parse("org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password=x;",
                             user, sizeof user, pass, sizeof pass, err, sizeof err), 0);
    CHECK_STR(user, "bob");
    CHECK_STR(pass, "x");
    CHECK_EQ(ksrc_jaas_parse("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;", user,
                             sizeof user, pass, sizeof pass, err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "OAUTHBEARER") != NULL);
    CHECK_EQ(ksrc_jaas_parse("x.PlainLoginModule required username=\"open", user, sizeof user, pass, sizeof pass, err,
                             sizeof err), WERR_INVALID);
    /* a PySpark user's options build a client: renamed, translated, skipped */
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    ksrc_opts_set(&o, "kafka.bootstrap.servers", "127.0.0.1:1", err, sizeof err);
    ksrc_opts_set(&o, "subscribe", "t", err, sizeof err);
    ksrc_opts_set(&o, "kafka.log_level", "0", err, sizeof err);
    ksrc_opts_set(&o, "kafka.security.protocol", "SASL_PLAINTEXT", err, sizeof err);
    ksrc_opts_set(&o, "kafka.sasl.mechanism", "PLAIN", err, sizeof err);
    ksrc_opts_set(&o, "kafka.sasl.jaas.config",
                  "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";", err,
                  sizeof err);
    ksrc_opts_set(&o, "kafka.fetch.max.wait.ms", "50", err, sizeof err);
    ksrc_opts_set(&o, "kafka.max.poll.records", "500", err, sizeof err);
    struct ksrc *k;
    CHECK_EQ(ksrc_new(&o, &k, err, sizeof err), 0);
    if (k) ksrc_free(k);
    /* a JKS trust store cannot be used: say what to do instead */
    ksrc_opts_set(&o, "kafka.ssl.truststore.location", "/etc/kafka/truststore.jks", err, sizeof err);
    CHECK_EQ(ksrc_new(&o, &k, err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "ssl.ca.location") != NULL);
}

TEST(ksrc_offsets_json) {
    struct arena a;
    arena_init(&a, 1024);
    struct ksrc_po *po;
    int n;
    char err[256];
    const char *j = "{\"t\":{\"1\":456,\"0\":-2},\"a\":{\"3\":-1}}";
    REQUIRE(ksrc_offsets_parse(j, strlen(j), &a, &po, &n, err, sizeof err) == 0);
    REQUIRE_EQ(n, 3);
    CHECK_STR(po[0].topic, "t");
    CHECK_EQ(po[0].partition, 1);
    CHECK_EQ(po[0].offset, 456);
    struct buf b = {0};
    ksrc_offsets_format(po, n, &b);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "{\"a\":{\"3\":-1},\"t\":{\"0\":-2,\"1\":456}}");
    buf_clear(&b);
    ksrc_offsets_format(po, 0, &b);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "{}");
    buf_free(&b);
    CHECK_EQ(ksrc_offsets_parse("{\"t\":{\"x\":1}}", 13, &a, &po, &n, err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_offsets_parse("{\"t\":{\"0\":-3}}", 14, &a, &po, &n, err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_offsets_parse("{\"t\":[0]}", 9, &a, &po, &n, err, sizeof err), WERR_INVALID);
    CHECK_EQ(ksrc_offsets_parse("{\"t\":{\"0\":1}", 12, &a, &po, &n, err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "byte") != NULL);
    struct ksrc_tp *tp;
    REQUIRE(ksrc_assign_parse("{\"b\":[2,0],\"a\":[1]}", 19, &a, &tp, &n, err, sizeof err) == 0);
    REQUIRE_EQ(n, 3);
    CHECK_STR(tp[0].topic, "a");
    CHECK_STR(tp[1].topic, "b");
    CHECK_EQ(tp[1].partition, 0);
    CHECK_EQ(ksrc_assign_parse("{\"b\":[-1]}", 10, &a, &tp, &n, err, sizeof err), WERR_INVALID);
    arena_free(&a);
}

TEST(ksrc_rate_limit_spark_rule) {
    int64_t start[3] = {0, 100, 50}, end[3] = {100, 400, 50};
    ksrc_rate_limit(start, end, 3, 40); /* backlogs 100 and 300: shares 10 and 30 */
    CHECK_EQ(end[0], 10);
    CHECK_EQ(end[1], 130);
    CHECK_EQ(end[2], 50);
    int64_t s2[2] = {0, 0}, e2[2] = {1, 1000};
    ksrc_rate_limit(s2, e2, 2, 10); /* a share below 1 rounds up */
    CHECK_EQ(e2[0], 1);
    CHECK_EQ(e2[1], 9);
    int64_t s3[1] = {5}, e3[1] = {8};
    ksrc_rate_limit(s3, e3, 1, 100); /* under the limit: unchanged */
    CHECK_EQ(e3[0], 8);
}

struct got {
    int n;
    char rows[128][64];
    int64_t ts[128];
    int tstype[128];
    int nheaders[128];
    int null_keys;
    int stop_after;
};

static int collect(void *opaque, const struct ksrc_msg *m) {
    struct got *g = opaque;
    if (g->n < 128) {
        snprintf(g->rows[g->n], 64, "%s/%d/%lld/%.*s/%.*s", m->topic, (int)m->partition, (long long)m->offset,
                 m->key ? (int)m->key_len : 4, m->key ? (const char *)m->key : "null", (int)m->value_len,
                 (const char *)m->value);
        g->ts[g->n] = m->timestamp_ms;
        g->tstype[g->n] = m->timestamp_type;
        g->nheaders[g->n] = m->nheaders;
        if (m->nheaders == 2) {
            if (strcmp(m->headers[0].key, "h1") || m->headers[0].value_len != 3 || memcmp(m->headers[0].value, "one", 3) ||
                m->headers[1].value != NULL)
                g->nheaders[g->n] = -1;
        }
    }
    if (!m->key) g->null_keys++;
    g->n++;
    return g->stop_after && g->n >= g->stop_after ? 42 : 0;
}

TEST(ksrc_discover_offsets_and_read_ranges) {
    struct cluster c = {0};
    REQUIRE(cluster_start(&c) == 0);
    REQUIRE(seed(&c) == 0);
    struct arena a;
    arena_init(&a, 4096);
    struct ksrc *k = open_src(&c, "subscribe", " t , other,missing");
    REQUIRE(k);
    struct ksrc_tp *tps;
    int n;
    REQUIRE(ksrc_partitions(k, &a, &tps, &n) == 0);
    REQUIRE_EQ(n, 4);
    CHECK_STR(tps[0].topic, "other");
    CHECK_STR(tps[1].topic, "t");
    CHECK_EQ(tps[3].partition, 2);
    int64_t lo[4], hi[4];
    REQUIRE(ksrc_earliest(k, tps, n, lo) == 0);
    REQUIRE(ksrc_latest(k, tps, n, hi) == 0);
    CHECK_EQ(lo[0], 0);
    CHECK_EQ(hi[0], 5);
    CHECK_EQ(lo[2], 0);
    CHECK_EQ(hi[2], 20);
    /* startingOffsets / endingOffsets specs */
    int64_t r[4];
    REQUIRE(ksrc_resolve(k, "earliest", tps, n, 0, 0, r) == 0);
    CHECK(r[0] == 0 && r[3] == 0);
    REQUIRE(ksrc_resolve(k, "latest", tps, n, 1, 0, r) == 0);
    CHECK(r[1] == 20 && r[0] == 5);
    REQUIRE(ksrc_resolve(k, "{\"t\":{\"0\":3,\"1\":-2,\"2\":-1},\"other\":{\"0\":-1}}", tps, n, 0, 0, r) == 0);
    CHECK_EQ(r[0], 5);
    CHECK_EQ(r[1], 3);
    CHECK_EQ(r[2], 0);
    CHECK_EQ(r[3], 20);
    CHECK_EQ(ksrc_resolve(k, "{\"t\":{\"0\":3}}", tps, n, 0, 0, r), WERR_INVALID);
    CHECK(strstr(ksrc_error(k), "other-0") != NULL);
    REQUIRE(ksrc_resolve(k, "{\"t\":{\"0\":3}}", tps, n, 0, KSRC_EARLIEST, r) == 0);
    CHECK(r[0] == 0 && r[1] == 3 && r[2] == 0);
    CHECK_EQ(ksrc_resolve(k, "earliest", tps, n, 1, 0, r), WERR_INVALID);
    CHECK_EQ(ksrc_resolve(k, "{\"t\":{\"0\":-2}}", tps, n, 1, KSRC_LATEST, r), WERR_INVALID);
    /* offsets by timestamp: message i of each partition has BASE_TS + i s.
     * A real broker answers 7; librdkafka 2.0's mock cluster answers "none"
     * for every timestamp, which the default strategy reports as an error. */
    int64_t byts[4];
    int rc = ksrc_offsets_for_times(k, tps + 1, 3, BASE_TS + 7000, byts);
    int mock_has_no_time_index = rc == WERR_NOTFOUND;
    if (rc == 0) {
        CHECK_EQ(byts[0], 7);
        CHECK_EQ(byts[2], 7);
    } else {
        CHECK_EQ(rc, WERR_NOTFOUND);
        CHECK(strstr(ksrc_error(k), "startingOffsetsByTimestampStrategy") != NULL);
    }
    /* nothing that late: an error naming the partition by default */
    CHECK_EQ(ksrc_offsets_for_times(k, tps + 1, 1, BASE_TS + 999999, byts), WERR_NOTFOUND);
    CHECK(strstr(ksrc_error(k), "t-0") != NULL);
    CHECK_EQ(ksrc_resolve_by_timestamp(k, "{\"t\":{\"0\":1}}", tps + 1, 3, byts), WERR_INVALID);
    CHECK(strstr(ksrc_error(k), "t-1") != NULL);
    {
        struct ksrc_opts o2;
        ksrc_opts_init(&o2);
        char e2[256];
        ksrc_opts_set(&o2, "kafka.bootstrap.servers", c.bootstrap, e2, sizeof e2);
        ksrc_opts_set(&o2, "subscribe", "t", e2, sizeof e2);
        ksrc_opts_set(&o2, "kafka.log_level", "0", e2, sizeof e2);
        CHECK_EQ(ksrc_opts_set(&o2, "startingOffsetsByTimestampStrategy", "sideways", e2, sizeof e2), WERR_INVALID);
        REQUIRE(ksrc_opts_set(&o2, "startingOffsetsByTimestampStrategy", "latest", e2, sizeof e2) == 0);
        struct ksrc *k2;
        REQUIRE(ksrc_new(&o2, &k2, e2, sizeof e2) == 0);
        REQUIRE(ksrc_offsets_for_times(k2, tps + 1, 1, BASE_TS + 999999, byts) == 0);
        CHECK_EQ(byts[0], 20); /* latest */
        const char *j = "{\"t\":{\"0\":1695488047000,\"1\":1695488047000,\"2\":1}}";
        REQUIRE(ksrc_resolve_by_timestamp(k2, j, tps + 1, 3, byts) == 0);
        CHECK_EQ(byts[0], mock_has_no_time_index ? 20 : 7);
        CHECK_EQ(byts[2], mock_has_no_time_index ? 20 : 0);
        ksrc_free(k2);
    }

    /* exact ranges: [2,7) of t-0, all of t-1, nothing of t-2, [1,3) of other-0 */
    struct ksrc_range rg[4] = {
        {"t", 0, 2, 7}, {"t", 1, 0, 20}, {"t", 2, 5, 5}, {"other", 0, 1, 3},
    };
    struct got *g = calloc(1, sizeof *g);
    struct ksrc_read_stats st;
    REQUIRE(ksrc_read(k, rg, 4, collect, g, &st) == 0);
    CHECK_EQ(g->n, 5 + 20 + 2);
    CHECK_EQ(st.messages, 27);
    CHECK_EQ(st.lost_offsets, 0);
    /* per partition in offset order */
    int64_t next_t0 = 2, next_t1 = 0, next_o = 1;
    for (int i = 0; i < g->n && i < 128; i++) {
        char want[64];
        if (!strncmp(g->rows[i], "t/0/", 4)) {
            if (next_t0 % 5 == 4) snprintf(want, sizeof want, "t/0/%lld/null/v0-%lld", (long long)next_t0, (long long)next_t0);
            else snprintf(want, sizeof want, "t/0/%lld/k%lld/v0-%lld", (long long)next_t0, (long long)next_t0, (long long)next_t0);
            CHECK_STR(g->rows[i], want);
            CHECK_EQ(g->ts[i], BASE_TS + next_t0 * 1000);
            CHECK_EQ(g->tstype[i], 0);
            CHECK_EQ(g->nheaders[i], 0); /* includeHeaders is off */
            next_t0++;
        } else if (!strncmp(g->rows[i], "t/1/", 4)) {
            if (next_t1 % 5 == 4) snprintf(want, sizeof want, "t/1/%lld/null/v1-%lld", (long long)next_t1, (long long)next_t1);
            else snprintf(want, sizeof want, "t/1/%lld/k%lld/v1-%lld", (long long)next_t1, (long long)next_t1, (long long)next_t1);
            CHECK_STR(g->rows[i], want);
            next_t1++;
        } else {
            snprintf(want, sizeof want, "other/0/%lld/k%lld/o", (long long)next_o, (long long)next_o);
            CHECK_STR(g->rows[i], want);
            next_o++;
        }
    }
    CHECK_EQ(next_t0, 7);
    CHECK_EQ(next_t1, 20);
    CHECK_EQ(next_o, 3);
    CHECK_EQ(g->null_keys, 1 + 4); /* offset 4 of t-0, 4/9/14/19 of t-1 */

    struct ksrc_range dup[2] = {{"t", 0, 0, 2}, {"t", 0, 2, 4}};
    CHECK_EQ(ksrc_read(k, dup, 2, collect, g, &st), WERR_INVALID);
    /* the callback can stop the read */
    memset(g, 0, sizeof *g);
    g->stop_after = 3;
    CHECK_EQ(ksrc_read(k, rg, 4, collect, g, &st), 42);
    CHECK_EQ(g->n, 3);
    /* a second read on the same handle starts afresh */
    memset(g, 0, sizeof *g);
    struct ksrc_range one = {"t", 2, 18, 20};
    REQUIRE(ksrc_read(k, &one, 1, collect, g, &st) == 0);
    REQUIRE_EQ(g->n, 2);
    CHECK_STR(g->rows[0], "t/2/18/k18/v2-18");
    CHECK_STR(g->rows[1], "t/2/19/null/v2-19");
    free(g);
    ksrc_free(k);

    /* subscribePattern is a full match; internal topics are skipped */
    k = open_src(&c, "subscribePattern", "t|oth.*|__.*");
    REQUIRE(k);
    REQUIRE(ksrc_partitions(k, &a, &tps, &n) == 0);
    CHECK_EQ(n, 4);
    ksrc_free(k);
    k = open_src(&c, "subscribePattern", "o");
    REQUIRE(k);
    REQUIRE(ksrc_partitions(k, &a, &tps, &n) == 0);
    CHECK_EQ(n, 0);
    ksrc_free(k);
    k = open_src(&c, "subscribePattern", "(");
    REQUIRE(k);
    CHECK_EQ(ksrc_partitions(k, &a, &tps, &n), WERR_INVALID);
    CHECK(strstr(ksrc_error(k), "subscribePattern") != NULL);
    ksrc_free(k);
    /* assign takes the partitions as given */
    k = open_src(&c, "assign", "{\"t\":[2,0]}");
    REQUIRE(k);
    REQUIRE(ksrc_partitions(k, &a, &tps, &n) == 0);
    REQUIRE_EQ(n, 2);
    CHECK_EQ(tps[0].partition, 0);
    ksrc_free(k);
    arena_free(&a);
    cluster_stop(&c);
}

TEST(ksrc_headers) {
    struct cluster c = {0};
    REQUIRE(cluster_start(&c) == 0);
    REQUIRE(seed(&c) == 0);
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    char err[256];
    ksrc_opts_set(&o, "kafka.bootstrap.servers", c.bootstrap, err, sizeof err);
    ksrc_opts_set(&o, "subscribe", "other", err, sizeof err);
    ksrc_opts_set(&o, "includeHeaders", "true", err, sizeof err);
    ksrc_opts_set(&o, "kafka.log_level", "0", err, sizeof err);
    struct ksrc *k;
    REQUIRE(ksrc_new(&o, &k, err, sizeof err) == 0);
    struct ksrc_range rg = {"other", 0, 0, 5};
    struct got *g = calloc(1, sizeof *g);
    REQUIRE(ksrc_read(k, &rg, 1, collect, g, NULL) == 0);
    REQUIRE_EQ(g->n, 5);
    for (int i = 0; i < 5; i++) CHECK_EQ(g->nheaders[i], 2);
    free(g);
    ksrc_free(k);
    cluster_stop(&c);
}

TEST(ksrc_data_loss) {
    struct cluster c = {0};
    REQUIRE(cluster_start(&c) == 0);
    REQUIRE(seed(&c) == 0);
    int rc;
    /* an end beyond the partition's latest offset (topic truncated) */
    struct ksrc *k = open_src(&c, "subscribe", "t");
    REQUIRE(k);
    struct ksrc_range rg = {"t", 0, 15, 25};
    struct got *g = calloc(1, sizeof *g);
    struct ksrc_read_stats st;
    CHECK_EQ(ksrc_read(k, &rg, 1, collect, g, &st), WERR_RANGE);
    CHECK(strstr(ksrc_error(k), "t-0") != NULL);
    CHECK(strstr(ksrc_error(k), "failOnDataLoss") != NULL);
    /* a range wholly past the end (offsets went backwards) */
    struct ksrc_range past = {"t", 1, 25, 30};
    memset(g, 0, sizeof *g);
    CHECK_EQ(ksrc_read(k, &past, 1, collect, g, &st), WERR_RANGE);
    CHECK(strstr(ksrc_error(k), "t-1") != NULL);
    CHECK_EQ(g->n, 0);
    ksrc_free(k);

    /* old data aged out: the mock keeps about 5 MiB per partition */
    if (rd_kafka_mock_topic_create(c.mc, "big", 1, 1)) { CHECK(!"topic"); goto out; }
    static char blob[100 * 1024];
    memset(blob, 'b', sizeof blob);
    for (int i = 0; i < 80; i++) REQUIRE(produce(&c, "big", 0, i, blob, sizeof blob, 0) == 0);
    REQUIRE(rd_kafka_flush(c.prod, 30000) == 0);
    k = open_src(&c, "subscribe", "big");
    REQUIRE(k);
    struct ksrc_tp tp = {"big", 0};
    int64_t lo, hi;
    REQUIRE(ksrc_earliest(k, &tp, 1, &lo) == 0);
    REQUIRE(ksrc_latest(k, &tp, 1, &hi) == 0);
    CHECK_EQ(hi, 80);
    REQUIRE(lo > 0);
    struct ksrc_range big = {"big", 0, 0, 80};
    memset(g, 0, sizeof *g);
    CHECK_EQ(ksrc_read(k, &big, 1, collect, g, &st), WERR_RANGE);
    CHECK(strstr(ksrc_error(k), "big-0") != NULL);
    CHECK_EQ(g->n, 0);
    ksrc_free(k);

    /* failOnDataLoss=false: skip what is gone, count it, deliver the rest */
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    char err[256];
    ksrc_opts_set(&o, "kafka.bootstrap.servers", c.bootstrap, err, sizeof err);
    ksrc_opts_set(&o, "subscribe", "big,t", err, sizeof err);
    ksrc_opts_set(&o, "failOnDataLoss", "false", err, sizeof err);
    ksrc_opts_set(&o, "kafkaConsumer.pollTimeoutMs", "5000", err, sizeof err);
    ksrc_opts_set(&o, "kafka.log_level", "0", err, sizeof err);
    REQUIRE(ksrc_new(&o, &k, err, sizeof err) == 0);
    memset(g, 0, sizeof *g);
    struct ksrc_range two[2] = {{"big", 0, 0, 80}, {"t", 0, 15, 25}};
    rc = ksrc_read(k, two, 2, collect, g, &st);
    if (rc) fprintf(stderr, "    %s\n", ksrc_error(k));
    REQUIRE(rc == 0);
    CHECK_EQ(st.lost_offsets, lo + 5);
    CHECK_EQ(st.messages, (80 - lo) + 5);
    ksrc_free(k);
out:
    free(g);
    cluster_stop(&c);
}

TEST(ksrc_group_commit) {
    struct cluster c = {0};
    REQUIRE(cluster_start(&c) == 0);
    REQUIRE(seed(&c) == 0);
    struct ksrc *k = open_src(&c, "subscribe", "t");
    REQUIRE(k);
    struct ksrc_po po[2] = {{"t", 0, 7}, {"t", 2, 20}};
    CHECK_EQ(ksrc_commit(k, NULL, po, 2), WERR_INVALID); /* no kafka.group.id */
    REQUIRE(ksrc_commit(k, "weir-lag", po, 2) == 0);
    struct ksrc_tp tps[3] = {{"t", 0}, {"t", 1}, {"t", 2}};
    int64_t got[3];
    REQUIRE(ksrc_committed(k, "weir-lag", tps, 3, got) == 0);
    CHECK_EQ(got[0], 7);
    CHECK_EQ(got[1], RD_KAFKA_OFFSET_INVALID);
    CHECK_EQ(got[2], 20);
    po[0].offset = 9;
    REQUIRE(ksrc_commit(k, "weir-lag", po, 1) == 0);
    REQUIRE(ksrc_committed(k, "weir-lag", tps, 1, got) == 0);
    CHECK_EQ(got[0], 9);
    ksrc_free(k);
    cluster_stop(&c);
}

TEST(ksrc_unreachable_broker) {
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    char err[256];
    ksrc_opts_set(&o, "kafka.bootstrap.servers", "127.0.0.1:1", err, sizeof err);
    ksrc_opts_set(&o, "subscribe", "t", err, sizeof err);
    ksrc_opts_set(&o, "kafka.log_level", "0", err, sizeof err);
    ksrc_opts_set(&o, "fetchOffset.numRetries", "1", err, sizeof err);
    ksrc_opts_set(&o, "fetchOffset.retryIntervalMs", "10", err, sizeof err);
    ksrc_opts_set(&o, "fetchOffset.timeoutMs", "300", err, sizeof err);
    ksrc_opts_set(&o, "kafkaConsumer.pollTimeoutMs", "300", err, sizeof err);
    struct ksrc *k;
    REQUIRE(ksrc_new(&o, &k, err, sizeof err) == 0);
    struct arena a;
    arena_init(&a, 1024);
    struct ksrc_tp *tps;
    int n;
    CHECK_EQ(ksrc_partitions(k, &a, &tps, &n), WERR_IO);
    CHECK(strstr(ksrc_error(k), "127.0.0.1:1") != NULL);
    CHECK(strstr(ksrc_error(k), "2 attempts") != NULL);
    struct ksrc_tp tp = {"t", 0};
    int64_t off;
    CHECK_EQ(ksrc_latest(k, &tp, 1, &off), WERR_IO);
    struct ksrc_range rg = {"t", 0, 0, 10};
    struct got g = {0};
    CHECK_EQ(ksrc_read(k, &rg, 1, collect, &g, NULL), WERR_AGAIN);
    CHECK(strstr(ksrc_error(k), "pollTimeoutMs") != NULL);
    CHECK(strstr(ksrc_error(k), "t-0@0") != NULL);
    /* committing to a group that cannot be reached is reported, not fatal */
    struct ksrc_po po = {"t", 0, 5};
    CHECK_EQ(ksrc_commit(k, "g", &po, 1), WERR_IO);
    CHECK(strstr(ksrc_error(k), "group 'g'") != NULL);
    arena_free(&a);
    ksrc_free(k);
}

TEST(ksrc_broker_without_groups) {
    /* A broker with no group support (weir's own before it has groups):
     * reading works, committing reports an error and nothing hangs. */
    struct cluster c = {0};
    REQUIRE(cluster_start(&c) == 0);
    REQUIRE(seed(&c) == 0);
    static const int16_t group_apis[] = {8, 9, 10, 11, 12, 13, 14}; /* OffsetCommit .. SyncGroup */
    for (size_t i = 0; i < sizeof group_apis / sizeof group_apis[0]; i++)
        rd_kafka_mock_set_apiversion(c.mc, group_apis[i], -1, -1);
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    char err[256];
    ksrc_opts_set(&o, "kafka.bootstrap.servers", c.bootstrap, err, sizeof err);
    ksrc_opts_set(&o, "subscribe", "t", err, sizeof err);
    ksrc_opts_set(&o, "kafka.log_level", "0", err, sizeof err);
    ksrc_opts_set(&o, "kafka.group.id", "lag", err, sizeof err);
    ksrc_opts_set(&o, "fetchOffset.timeoutMs", "500", err, sizeof err);
    struct ksrc *k;
    REQUIRE(ksrc_new(&o, &k, err, sizeof err) == 0);
    struct ksrc_range rg = {"t", 1, 0, 20};
    struct got *g = calloc(1, sizeof *g);
    REQUIRE(ksrc_read(k, &rg, 1, collect, g, NULL) == 0);
    CHECK_EQ(g->n, 20);
    struct ksrc_po po = {"t", 1, 20};
    CHECK_EQ(ksrc_commit(k, NULL, &po, 1), WERR_IO);
    CHECK(strstr(ksrc_error(k), "group 'lag'") != NULL);
    if (getenv("WEIR_TEST_LOG")) fprintf(stderr, "    %s\n", ksrc_error(k));
    free(g);
    ksrc_free(k);
    cluster_stop(&c);
}
