/* sink_kafka: Spark's Kafka sink over a librdkafka producer.
 *   CREATE TABLE out USING kafka OPTIONS ('kafka.bootstrap.servers' = '...', 'topic' = 't')
 * Each row is one message: `value` (STRING or BINARY, required), and
 * optionally `key`, `topic` (the 'topic' option wins over the column, as in
 * Spark), `partition` (INT) and `headers` (ARRAY<STRUCT<key: STRING, value:
 * BINARY>>). kafka.* options go to the producer (prefix stripped).
 * Delivery, exactly once (weir's addition; Spark's Kafka sink is at least
 * once): with a fixed 'topic' option and a checkpoint, each micro-batch is
 * one Kafka transaction (transactional.id = weir-<query id>-<sink>), and the
 * same transaction commits the batch id as the offset of a marker consumer
 * group (weir-sink-<query id>-<sink>, on partition 0 of the topic). After a
 * crash, `committed` reads that marker: a batch at or below it is skipped,
 * so readers with isolation.level=read_committed see every batch once.
 * If the broker refuses transactions, or the topic comes from a column, the
 * sink falls back to at least once: an idempotent producer, flushed and
 * every delivery checked before the batch commits. */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "engine/connectors/sink.h"
#include "engine/exec/valfmt.h"

struct sink_kafka {
    struct sink base;
    rd_kafka_t *rk;
    const char *topic;             /* option, or NULL: the topic column */
    int c_key, c_value, c_topic, c_part, c_headers;
    int failed;                    /* delivery errors in the current batch */
    char errmsg[512];
    int txn;                       /* exactly once through transactions */
    char group[256];               /* marker group */
    rd_kafka_t *marker;            /* consumer handle to read the marker */
    int64_t last_committed;        /* -1: none / unknown */
};

static int txn_error(struct sink_kafka *k, const char *what, rd_kafka_error_t *e) {
    snprintf(k->errmsg, sizeof k->errmsg, "%s: %s", what, rd_kafka_error_string(e));
    if (rd_kafka_error_txn_requires_abort(e)) {
        rd_kafka_error_t *a = rd_kafka_abort_transaction(k->rk, 30000);
        if (a) rd_kafka_error_destroy(a);
    }
    rd_kafka_error_destroy(e);
    return -1;
}

/* Sets up transactions and reads the marker; 0, or -1 to fall back. */
static int txn_init(struct sink_kafka *k, const struct cat_entry *t, const char *query_id) {
    char e[512];
    rd_kafka_error_t *err = rd_kafka_init_transactions(k->rk, 30000);
    if (err) {
        log_warn("kafka sink `%s`: transactions unavailable (%s); writing at least once", t->name, rd_kafka_error_string(err));
        rd_kafka_error_destroy(err);
        return -1;
    }
    snprintf(k->group, sizeof k->group, "weir-sink-%s-%s", query_id, t->name);
    rd_kafka_conf_t *cc = rd_kafka_conf_new();
    rd_kafka_conf_set(cc, "bootstrap.servers", cat_opt(t, "kafka.bootstrap.servers"), e, sizeof e);
    rd_kafka_conf_set(cc, "group.id", k->group, e, sizeof e);
    rd_kafka_conf_set(cc, "enable.auto.commit", "false", e, sizeof e);
    rd_kafka_conf_set(cc, "log_level", "3", e, sizeof e);
    for (uint32_t i = 0; i < t->nopts; i++) /* security settings etc. */
        if (!strncasecmp(t->opt_keys[i], "kafka.", 6) && strcasecmp(t->opt_keys[i], "kafka.transactional.id") &&
            strcasecmp(t->opt_keys[i], "kafka.enable.idempotence"))
            rd_kafka_conf_set(cc, t->opt_keys[i] + 6, t->opt_vals[i], e, sizeof e);
    k->marker = rd_kafka_new(RD_KAFKA_CONSUMER, cc, e, sizeof e);
    if (!k->marker) {
        rd_kafka_conf_destroy(cc);
        return -1;
    }
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tp, k->topic, 0);
    k->last_committed = -1;
    if (!rd_kafka_committed(k->marker, tp, 30000) && !tp->elems[0].err && tp->elems[0].offset >= 0)
        k->last_committed = tp->elems[0].offset - 1;
    rd_kafka_topic_partition_list_destroy(tp);
    k->txn = 1;
    return 0;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    struct sink_kafka *k = opaque;
    if (m->err) {
        if (!k->failed) snprintf(k->errmsg, sizeof k->errmsg, "%s", rd_kafka_err2str(m->err));
        k->failed++;
    }
}

static int kafka_committed(struct sink *s, int64_t batch) {
    struct sink_kafka *k = (struct sink_kafka *)s;
    return k->txn && batch <= k->last_committed;
}

static int kafka_write(struct sink *s, int64_t batch, const struct op *c) {
    struct sink_kafka *k = (struct sink_kafka *)s;
    k->failed = 0;
    if (k->txn) {
        rd_kafka_error_t *e = rd_kafka_begin_transaction(k->rk);
        if (e) return txn_error(k, "beginning a transaction", e);
    }
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
    if (k->txn) {
        /* the batch id goes into the same transaction as the rows */
        rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(tp, k->topic, 0)->offset = batch + 1;
        rd_kafka_consumer_group_metadata_t *md = rd_kafka_consumer_group_metadata_new(k->group);
        rd_kafka_error_t *e = rd_kafka_send_offsets_to_transaction(k->rk, tp, md, 30000);
        rd_kafka_consumer_group_metadata_destroy(md);
        rd_kafka_topic_partition_list_destroy(tp);
        if (e) return txn_error(k, "adding the batch marker to the transaction", e);
        e = rd_kafka_commit_transaction(k->rk, 60000);
        if (e) return txn_error(k, "committing the transaction", e);
        k->last_committed = batch;
        s->rows_written += (int64_t)op_collect_rows(c);
        return 0;
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
    if (k->marker) {
        rd_kafka_consumer_close(k->marker);
        rd_kafka_destroy(k->marker);
    }
    if (k->rk) {
        rd_kafka_flush(k->rk, 10000);
        rd_kafka_destroy(k->rk);
    }
    free(k);
}

const char *sink_kafka_error(const struct sink *s) { return ((const struct sink_kafka *)s)->errmsg; }

static const struct sink_vt kafka_vt = {kafka_committed, kafka_write, kafka_close};

static int col(const struct ty *t, const char *name) { return ty_field_index(t, name); }

/* An idempotent producer with the sink's kafka.* options; transactional
 * (transactional.id weir-QUERY-SINK) when query_id is given. NULL with err
 * set when an option is refused or librdkafka cannot start. */
static rd_kafka_t *new_producer(struct sink_kafka *k, const struct cat_entry *t, const char *query_id, char *err,
                                size_t errcap) {
    char e[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "enable.idempotence", "true", e, sizeof e);
    if (query_id) {
        char tid[256];
        snprintf(tid, sizeof tid, "weir-%s-%s", query_id, t->name);
        rd_kafka_conf_set(conf, "transactional.id", tid, e, sizeof e);
    }
    rd_kafka_conf_set(conf, "log_level", "3", e, sizeof e);
    for (uint32_t i = 0; i < t->nopts; i++) {
        if (strncasecmp(t->opt_keys[i], "kafka.", 6)) continue;
        if (rd_kafka_conf_set(conf, t->opt_keys[i] + 6, t->opt_vals[i], e, sizeof e) != RD_KAFKA_CONF_OK) {
            snprintf(err, errcap, "kafka sink `%s`: %s", t->name, e);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!rk) {
        snprintf(err, errcap, "kafka sink `%s`: %s", t->name, e);
        rd_kafka_conf_destroy(conf); /* not taken over on failure */
    }
    return rk;
}

int sink_kafka_new(const struct cat_entry *t, const struct ty *schema, const char *query_id, struct sink **out, char *err,
                   size_t errcap) {
    struct sink_kafka *k = calloc(1, sizeof *k);
    k->base.vt = &kafka_vt;
    k->base.schema = schema;
    k->c_key = col(schema, "key");
    k->c_value = col(schema, "value");
    k->c_topic = col(schema, "topic");
    k->c_part = col(schema, "partition");
    k->c_headers = col(schema, "headers");
    k->topic = cat_opt(t, "topic");
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
    k->rk = new_producer(k, t, query_id && k->topic ? query_id : NULL, err, errcap);
    if (!k->rk) goto fail;
    if (query_id && k->topic && txn_init(k, t, query_id)) {
        /* fall back: a fresh idempotent producer without transactions */
        rd_kafka_destroy(k->rk);
        k->rk = new_producer(k, t, NULL, err, errcap);
        if (!k->rk) goto fail;
    }
    snprintf(k->base.desc, sizeof k->base.desc, "org.apache.spark.sql.kafka010.KafkaSourceProvider$KafkaTable");
    *out = &k->base;
    return 0;
fail:
    kafka_close(&k->base);
    return -1;
}
