/* sink_kafka: Spark's Kafka sink over a librdkafka producer.
 *   CREATE TABLE out USING kafka OPTIONS ('kafka.bootstrap.servers' = '...', 'topic' = 't')
 * Each row is one message: `value` (STRING or BINARY, required), and
 * optionally `key`, `topic` (the 'topic' option wins over the column, as in
 * Spark), `partition` (INT) and `headers` (ARRAY<STRUCT<key: STRING, value:
 * BINARY>>). kafka.* options go to the producer (prefix stripped).
 * Delivery: the producer is idempotent and each micro-batch is flushed and
 * every delivery report checked before the batch commits, so a batch is
 * written at least once (Spark's guarantee); a re-run after a crash may
 * write its rows again. Exactly-once through Kafka transactions is the next
 * step (the batch id would be stored with the transaction). */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/connectors/sink.h"
#include "engine/exec/valfmt.h"

struct sink_kafka {
    struct sink base;
    rd_kafka_t *rk;
    const char *topic;             /* option, or NULL: the topic column */
    int c_key, c_value, c_topic, c_part, c_headers;
    int failed;                    /* delivery errors in the current batch */
    char errmsg[512];
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    struct sink_kafka *k = opaque;
    if (m->err) {
        if (!k->failed) snprintf(k->errmsg, sizeof k->errmsg, "%s", rd_kafka_err2str(m->err));
        k->failed++;
    }
}

static int kafka_committed(struct sink *s, int64_t batch) {
    (void)s;
    (void)batch;
    return 0;
}

static int kafka_write(struct sink *s, int64_t batch, const struct op *c) {
    (void)batch;
    struct sink_kafka *k = (struct sink_kafka *)s;
    k->failed = 0;
    for (uint32_t bi = 0; bi < op_collect_nbatches(c); bi++) {
        const struct batch *b = op_collect_batch(c, bi);
        for (uint32_t x = 0; x < b->nsel; x++) {
            uint32_t i = b->sel[x];
            const struct vec *v = b->cols[k->c_value];
            const char *topic = k->topic;
            char tbuf[256];
            if (!topic) {
                const struct vec *tv = b->cols[k->c_topic];
                if (!tv->valid[i]) {
                    snprintf(k->errmsg, sizeof k->errmsg, "a row has a NULL topic and the sink has no 'topic' option");
                    return -1;
                }
                struct vstr t = vec_str(tv)[i];
                snprintf(tbuf, sizeof tbuf, "%.*s", (int)t.len, t.p);
                topic = tbuf;
            }
            struct vstr val = v->valid[i] ? vec_str(v)[i] : (struct vstr){NULL, 0};
            struct vstr key = {NULL, 0};
            if (k->c_key >= 0 && b->cols[k->c_key]->valid[i]) key = vec_str(b->cols[k->c_key])[i];
            int32_t part = RD_KAFKA_PARTITION_UA;
            if (k->c_part >= 0 && b->cols[k->c_part]->valid[i]) part = vec_i32(b->cols[k->c_part])[i];
            rd_kafka_headers_t *hdrs = NULL;
            if (k->c_headers >= 0 && b->cols[k->c_headers]->valid[i]) {
                const struct vec *h = b->cols[k->c_headers];
                struct vlist l = vec_list(h)[i];
                hdrs = rd_kafka_headers_new(l.len);
                const struct vec *hs = h->child[0];
                for (uint32_t e = 0; e < l.len; e++) {
                    uint32_t at = l.off + e;
                    if (!hs->valid[at] || !hs->child[0]->valid[at]) continue;
                    struct vstr hk = vec_str(hs->child[0])[at];
                    struct vstr hv = hs->child[1]->valid[at] ? vec_str(hs->child[1])[at] : (struct vstr){NULL, 0};
                    rd_kafka_header_add(hdrs, hk.p, (ssize_t)hk.len, hv.p, hv.p ? (ssize_t)hv.len : 0);
                }
            }
            rd_kafka_resp_err_t err;
            for (;;) {
                err = rd_kafka_producev(k->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_VALUE((void *)val.p, val.p ? val.len : 0),
                                        RD_KAFKA_V_KEY((void *)key.p, key.p ? key.len : 0),
                                        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
                rd_kafka_poll(k->rk, 50); /* back-pressure: let deliveries drain */
            }
            if (err) {
                if (hdrs) rd_kafka_headers_destroy(hdrs);
                snprintf(k->errmsg, sizeof k->errmsg, "producing to %s: %s", topic, rd_kafka_err2str(err));
                return -1;
            }
        }
        rd_kafka_poll(k->rk, 0);
    }
    rd_kafka_resp_err_t ferr = rd_kafka_flush(k->rk, 60000);
    if (ferr) {
        snprintf(k->errmsg, sizeof k->errmsg, "flushing: %s", rd_kafka_err2str(ferr));
        return -1;
    }
    if (k->failed) return -1;
    s->rows_written += (int64_t)op_collect_rows(c);
    return 0;
}

static void kafka_close(struct sink *s) {
    struct sink_kafka *k = (struct sink_kafka *)s;
    if (k->rk) {
        rd_kafka_flush(k->rk, 10000);
        rd_kafka_destroy(k->rk);
    }
    free(k);
}

const char *sink_kafka_error(const struct sink *s) { return ((const struct sink_kafka *)s)->errmsg; }

static const struct sink_vt kafka_vt = {kafka_committed, kafka_write, kafka_close};

static int col(const struct ty *t, const char *name) { return ty_field_index(t, name); }

int sink_kafka_new(const struct cat_entry *t, const struct ty *schema, struct sink **out, char *err, size_t errcap) {
    struct sink_kafka *k = calloc(1, sizeof *k);
    k->base.vt = &kafka_vt;
    k->base.schema = schema;
    k->c_key = col(schema, "key");
    k->c_value = col(schema, "value");
    k->c_topic = col(schema, "topic");
    k->c_part = col(schema, "partition");
    k->c_headers = col(schema, "headers");
    k->topic = cat_opt(t, "topic");
    char e[512];
    rd_kafka_conf_t *conf = NULL;
    if (k->c_value < 0 || !ty_is_string_like(schema->fields[k->c_value].type)) {
        snprintf(err, errcap, "kafka sink `%s`: the query needs a `value` column of type STRING or BINARY", t->name);
        goto fail;
    }
    if (k->c_key >= 0 && !ty_is_string_like(schema->fields[k->c_key].type)) {
        snprintf(err, errcap, "kafka sink `%s`: the `key` column must be STRING or BINARY", t->name);
        goto fail;
    }
    if (k->c_part >= 0 && schema->fields[k->c_part].type->kind != TY_INT) {
        snprintf(err, errcap, "kafka sink `%s`: the `partition` column must be INT", t->name);
        goto fail;
    }
    if (!k->topic && (k->c_topic < 0 || schema->fields[k->c_topic].type->kind != TY_STRING)) {
        snprintf(err, errcap, "kafka sink `%s`: give the 'topic' option or a `topic` STRING column", t->name);
        goto fail;
    }
    if (!cat_opt(t, "kafka.bootstrap.servers")) {
        snprintf(err, errcap, "kafka sink `%s`: 'kafka.bootstrap.servers' is required", t->name);
        goto fail;
    }
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "enable.idempotence", "true", e, sizeof e);
    rd_kafka_conf_set(conf, "log_level", "3", e, sizeof e);
    for (uint32_t i = 0; i < t->nopts; i++) {
        if (strncasecmp(t->opt_keys[i], "kafka.", 6)) continue;
        if (rd_kafka_conf_set(conf, t->opt_keys[i] + 6, t->opt_vals[i], e, sizeof e) != RD_KAFKA_CONF_OK) {
            snprintf(err, errcap, "kafka sink `%s`: %s", t->name, e);
            goto fail;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, k);
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!k->rk) {
        snprintf(err, errcap, "kafka sink `%s`: %s", t->name, e);
        goto fail;
    }
    conf = NULL;
    snprintf(k->base.desc, sizeof k->base.desc, "org.apache.spark.sql.kafka010.KafkaSourceProvider$KafkaTable");
    *out = &k->base;
    return 0;
fail:
    if (conf) rd_kafka_conf_destroy(conf);
    kafka_close(&k->base);
    return -1;
}
