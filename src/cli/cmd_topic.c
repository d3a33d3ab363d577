/* cmd_topic: `weir topic create|list|describe|delete|alter-config|add-partitions`.
 * Admin requests through librdkafka's Admin API (CreateTopics, DeleteTopics,
 * CreatePartitions, DescribeConfigs, AlterConfigs), metadata for listing and
 * watermark queries for the offsets in describe.
 *
 * alter-config: librdkafka 2.0.2 has no IncrementalAlterConfigs, and
 * AlterConfigs replaces a topic's whole dynamic configuration; so the current
 * dynamic (DYNAMIC_TOPIC_CONFIG) entries are read first and sent back with
 * the changes, as kafka-configs did before KIP-339. */
#include "cli/cli_apiver.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: weir topic SUBCOMMAND [OPTIONS]\n\n"
            "  create NAME [-p PARTITIONS] [-r REPLICAS] [-c key=value ...] [--if-not-exists]\n"
            "  list [-i|--internal]                  topics with partition and replica counts\n"
            "  describe NAME [NAME ...]              partitions (leader, replicas, ISR, log start\n"
            "                                        offset, high watermark) and configs with their source\n"
            "  delete NAME [NAME ...] [--if-exists]\n"
            "  alter-config NAME -c key=value ... [--delete-config key ...]\n"
            "  add-partitions NAME -p TOTAL          grow the topic to TOTAL partitions\n\n"
            "  -p, --partitions N    partition count (create: the broker's num.partitions if omitted)\n"
            "  -r, --replication-factor N\n"
            "  -c, --config key=value  a topic config with Kafka's name (cleanup.policy, retention.ms, ...)\n"
            "common options:\n"
            "  -b, --bootstrap-server HOST:PORT  (default localhost:9092)\n"
            "  --command-config FILE  client properties (security.protocol, sasl.*, ssl.*)\n"
            "  -X key=value           any librdkafka property\n"
            "  --request-timeout-ms N (default 10000)   --output json   -v\n\n"
            "examples:\n"
            "  weir topic create orders -p 6 -c retention.ms=86400000\n"
            "  weir topic list\n"
            "  weir topic describe orders --output json\n"
            "  weir topic alter-config orders -c cleanup.policy=compact\n"
            "  weir topic add-partitions orders -p 12\n"
            "  weir topic delete orders\n");
}

struct topic_args {
    const char *sub;
    const char *names[64];
    int nnames;
    long long partitions, replicas;
    struct props configs;
    const char *del_keys[64];
    int ndel;
    int if_not_exists, if_exists, internal;
};

/* ---- create ---- */

static int topic_create(struct cli *c, rd_kafka_t *rk, struct topic_args *a) {
    char err[512], what[400];
    int rc = 1;
    snprintf(what, sizeof what, "create topic '%s'", a->names[0]);
    if (cli_require_api(c, 19, what)) return 1;
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(a->names[0], (int)a->partitions, (int)a->replicas, err, sizeof err);
    if (!nt) return cli_usage_error(c, "%s", err);
    for (size_t i = 0; i < a->configs.n; i++)
        if (rd_kafka_NewTopic_set_config(nt, a->configs.v[i].key, a->configs.v[i].value)) {
            rd_kafka_NewTopic_destroy(nt);
            return cli_usage_error(c, "bad config %s", a->configs.v[i].key);
        }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, what);
    if (ev) {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rd_kafka_resp_err_t e = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && a->if_not_exists) {
            if (c->json) printf("{\"topic\":\"%s\",\"created\":false}\n", a->names[0]);
            rc = 0;
        } else if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            cli_fail(c, "%s: the topic already exists (use --if-not-exists to accept that)", what);
        } else if (e) {
            cli_fail_err(c, what, e, rd_kafka_topic_result_error_string(res[0]));
        } else {
            if (c->json)
                printf("{\"topic\":\"%s\",\"created\":true}\n", a->names[0]);
            else
                printf("created topic %s\n", a->names[0]);
            rc = 0;
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

/* ---- list ---- */

static int topic_list(struct cli *c, rd_kafka_t *rk, struct topic_args *a) {
    const struct rd_kafka_metadata *md;
    if (cli_metadata(c, rk, 1, &md)) return 1;
    struct cli_table t;
    static const char *const hdr[] = {"TOPIC", "PARTITIONS", "REPLICAS"};
    cli_table_init(&t, 3, hdr);
    struct buf b = {0};
    buf_putc(&b, '[');
    int nout = 0;
    /* sorted by name, for people and for diffs */
    int *ord = malloc(sizeof(int) * (size_t)(md->topic_cnt + 1));
    if (!ord) abort();
    for (int i = 0; i < md->topic_cnt; i++)
        ord[i] = i;
    for (int i = 1; i < md->topic_cnt; i++)
        for (int j = i; j > 0 && strcmp(md->topics[ord[j - 1]].topic, md->topics[ord[j]].topic) > 0; j--) {
            int x = ord[j];
            ord[j] = ord[j - 1], ord[j - 1] = x;
        }
    for (int k = 0; k < md->topic_cnt; k++) {
        const struct rd_kafka_metadata_topic *mt = &md->topics[ord[k]];
        if (!a->internal && !strncmp(mt->topic, "__", 2)) continue;
        int repl = mt->partition_cnt ? mt->partitions[0].replica_cnt : 0;
        char np[16], nr[16];
        snprintf(np, sizeof np, "%d", mt->partition_cnt);
        snprintf(nr, sizeof nr, "%d", repl);
        const char *row[] = {mt->topic, np, nr};
        cli_table_row(&t, row);
        if (nout++) buf_putc(&b, ',');
        int first = 1;
        buf_putc(&b, '{');
        cli_json_key(&b, &first, "name");
        cli_json_str(&b, mt->topic);
        cli_json_key(&b, &first, "partitions");
        buf_printf(&b, "%d", mt->partition_cnt);
        cli_json_key(&b, &first, "replicas");
        buf_printf(&b, "%d", repl);
        buf_putc(&b, '}');
    }
    buf_putc(&b, ']');
    if (c->json)
        cli_json_emit(&b);
    else
        cli_table_print(&t, stdout);
    free(ord);
    buf_free(&b);
    cli_table_free(&t);
    rd_kafka_metadata_destroy(md);
    return 0;
}

/* ---- describe ---- */

static const char *source_name(rd_kafka_ConfigSource_t s) { return rd_kafka_ConfigSource_name(s); }

/* DescribeConfigs for one topic; the event (caller destroys) or NULL after
 * an error was printed. */
static rd_kafka_event_t *describe_configs(struct cli *c, rd_kafka_t *rk, const char *topic,
                                          const rd_kafka_ConfigResource_t **res_out) {
    char what[400];
    snprintf(what, sizeof what, "describe configs of topic '%s'", topic);
    if (cli_require_api(c, 32, what)) return NULL;
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_DescribeConfigs(rk, &cr, 1, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, what);
    if (ev) {
        size_t n;
        const rd_kafka_ConfigResource_t **rs =
            rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
        rd_kafka_resp_err_t e = n ? rd_kafka_ConfigResource_error(rs[0]) : RD_KAFKA_RESP_ERR__FAIL;
        if (e) {
            cli_fail_err(c, what, e, n ? rd_kafka_ConfigResource_error_string(rs[0]) : "empty response");
            rd_kafka_event_destroy(ev);
            ev = NULL;
        } else {
            *res_out = rs[0];
        }
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(cr);
    return ev;
}

static void ints(char *out, size_t cap, const int32_t *v, int n) {
    size_t l = 0;
    out[0] = 0;
    for (int i = 0; i < n && l < cap; i++)
        l += (size_t)snprintf(out + l, cap - l, "%s%d", i ? "," : "", v[i]);
}

static void json_ints(struct buf *b, const int32_t *v, int n) {
    buf_putc(b, '[');
    for (int i = 0; i < n; i++)
        buf_printf(b, "%s%d", i ? "," : "", v[i]);
    buf_putc(b, ']');
}

static int describe_one(struct cli *c, rd_kafka_t *rk, const struct rd_kafka_metadata *md, const char *name) {
    const struct rd_kafka_metadata_topic *mt = cli_md_topic(md, name);
    if (!mt || mt->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return cli_fail(c, "unknown topic '%s'", name);
    if (mt->err) {
        char what[400];
        snprintf(what, sizeof what, "topic '%s'", name);
        return cli_fail_err(c, what, mt->err, NULL);
    }
    struct buf b = {0};
    int first = 1;
    buf_putc(&b, '{');
    cli_json_key(&b, &first, "name");
    cli_json_str(&b, name);
    cli_json_key(&b, &first, "partitions");
    buf_putc(&b, '[');
    struct cli_table t;
    static const char *const hdr[] = {"PARTITION", "LEADER",           "REPLICAS",
                                      "ISR",       "LOG-START-OFFSET", "HIGH-WATERMARK"};
    cli_table_init(&t, 6, hdr);
    int rc = 0;
    /* partitions in id order */
    for (int id = 0, done = 0; done < mt->partition_cnt && id < 1 << 20; id++) {
        const struct rd_kafka_metadata_partition *p = NULL;
        for (int k = 0; k < mt->partition_cnt; k++)
            if (mt->partitions[k].id == id) p = &mt->partitions[k];
        if (!p) continue;
        done++;
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, name, p->id, &lo, &hi, c->timeout_ms);
        if (e) {
            char what[400];
            snprintf(what, sizeof what, "offsets of %s/%d", name, p->id);
            rc = cli_fail_err(c, what, e, NULL);
            goto out;
        }
        char sid[16], sl[16], sr[256], si[256], slo[24], shi[24];
        snprintf(sid, sizeof sid, "%d", p->id);
        snprintf(sl, sizeof sl, "%d", p->leader);
        ints(sr, sizeof sr, p->replicas, p->replica_cnt);
        ints(si, sizeof si, p->isrs, p->isr_cnt);
        snprintf(slo, sizeof slo, "%lld", (long long)lo);
        snprintf(shi, sizeof shi, "%lld", (long long)hi);
        const char *row[] = {sid, sl, sr, si, slo, shi};
        cli_table_row(&t, row);
        if (done > 1) buf_putc(&b, ',');
        buf_printf(&b, "{\"partition\":%d,\"leader\":%d,\"replicas\":", p->id, p->leader);
        json_ints(&b, p->replicas, p->replica_cnt);
        buf_printf(&b, ",\"isr\":");
        json_ints(&b, p->isrs, p->isr_cnt);
        buf_printf(&b, ",\"log_start_offset\":%lld,\"high_watermark\":%lld}", (long long)lo, (long long)hi);
    }
    buf_putc(&b, ']');
    if (!c->json) {
        printf("Topic: %s  Partitions: %d  ReplicationFactor: %d\n\n", name, mt->partition_cnt,
               mt->partition_cnt ? mt->partitions[0].replica_cnt : 0);
        cli_table_print(&t, stdout);
        fflush(stdout);
    }
    const rd_kafka_ConfigResource_t *res;
    rd_kafka_event_t *ev = describe_configs(c, rk, name, &res);
    if (!ev) {
        rc = 1;
        goto out;
    }
    size_t n;
    const rd_kafka_ConfigEntry_t **ents = rd_kafka_ConfigResource_configs(res, &n);
    struct cli_table ct;
    static const char *const chdr[] = {"CONFIG", "VALUE", "SOURCE"};
    cli_table_init(&ct, 3, chdr);
    cli_json_key(&b, &first, "configs");
    buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        const char *v = rd_kafka_ConfigEntry_value(ents[i]);
        int sens = rd_kafka_ConfigEntry_is_sensitive(ents[i]);
        const char *src = source_name(rd_kafka_ConfigEntry_source(ents[i]));
        const char *row[] = {rd_kafka_ConfigEntry_name(ents[i]), sens ? "(sensitive)" : v, src};
        cli_table_row(&ct, row);
        int f2 = 1;
        if (i) buf_putc(&b, ',');
        buf_putc(&b, '{');
        cli_json_key(&b, &f2, "name");
        cli_json_str(&b, rd_kafka_ConfigEntry_name(ents[i]));
        cli_json_key(&b, &f2, "value");
        cli_json_str(&b, sens ? NULL : v);
        cli_json_key(&b, &f2, "source");
        cli_json_str(&b, src);
        cli_json_key(&b, &f2, "read_only");
        buf_printf(&b, "%s", rd_kafka_ConfigEntry_is_read_only(ents[i]) ? "true" : "false");
        cli_json_key(&b, &f2, "sensitive");
        buf_printf(&b, "%s", sens ? "true" : "false");
        buf_putc(&b, '}');
    }
    buf_printf(&b, "]}");
    if (c->json)
        cli_json_emit(&b);
    else {
        printf("\n");
        cli_table_print(&ct, stdout);
    }
    cli_table_free(&ct);
    rd_kafka_event_destroy(ev);
out:
    cli_table_free(&t);
    buf_free(&b);
    return rc;
}

static int topic_describe(struct cli *c, rd_kafka_t *rk, struct topic_args *a) {
    const struct rd_kafka_metadata *md;
    if (cli_metadata(c, rk, 1, &md)) return 1;
    int rc = 0;
    for (int i = 0; i < a->nnames && !rc; i++) {
        if (i && !c->json) printf("\n");
        rc = describe_one(c, rk, md, a->names[i]);
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}

/* ---- delete ---- */

static int topic_delete(struct cli *c, rd_kafka_t *rk, struct topic_args *a) {
    const struct rd_kafka_metadata *md;
    if (cli_metadata(c, rk, 1, &md)) return 1;
    rd_kafka_DeleteTopic_t *dt[64];
    int n = 0, rc = 0;
    for (int i = 0; i < a->nnames; i++) {
        if (!cli_md_topic(md, a->names[i])) {
            if (a->if_exists) continue;
            rc = cli_fail(c, "unknown topic '%s'", a->names[i]);
            goto out;
        }
        dt[n++] = rd_kafka_DeleteTopic_new(a->names[i]);
    }
    if (!n) goto out;
    if (cli_require_api(c, 20, "delete topics")) {
        rc = 1;
        goto destroy;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_DeleteTopics(rk, dt, (size_t)n, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, "delete topics");
    if (!ev)
        rc = 1;
    else {
        size_t nr;
        const rd_kafka_topic_result_t **res =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &nr);
        for (size_t i = 0; i < nr; i++) {
            const char *tn = rd_kafka_topic_result_name(res[i]);
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
            if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && a->if_exists) continue;
            if (e) {
                char what[400];
                snprintf(what, sizeof what, "delete topic '%s'", tn);
                rc = cli_fail_err(c, what, e, rd_kafka_topic_result_error_string(res[i]));
            } else if (c->json) {
                printf("{\"topic\":\"%s\",\"deleted\":true}\n", tn);
            } else {
                printf("deleted topic %s\n", tn);
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
destroy:
    for (int i = 0; i < n; i++)
        rd_kafka_DeleteTopic_destroy(dt[i]);
out:
    rd_kafka_metadata_destroy(md);
    return rc;
}

/* ---- alter-config ---- */

static int topic_alter_config(struct cli *c, rd_kafka_t *rk, struct topic_args *a) {
    const char *name = a->names[0];
    const rd_kafka_ConfigResource_t *cur;
    char what[400];
    snprintf(what, sizeof what, "alter configs of topic '%s'", name);
    if (cli_require_api(c, 33, what)) return 1;
    rd_kafka_event_t *dev = describe_configs(c, rk, name, &cur);
    if (!dev) return 1;
    c->connected = 1;
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
    size_t n;
    const rd_kafka_ConfigEntry_t **ents = rd_kafka_ConfigResource_configs(cur, &n);
    /* keep the current dynamic entries that are neither changed nor deleted */
    for (size_t i = 0; i < n; i++) {
        const char *k = rd_kafka_ConfigEntry_name(ents[i]), *v = rd_kafka_ConfigEntry_value(ents[i]);
        if (rd_kafka_ConfigEntry_source(ents[i]) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG || !v)
            continue;
        if (props_get(&a->configs, k)) continue;
        int del = 0;
        for (int d = 0; d < a->ndel; d++)
            del |= !strcmp(a->del_keys[d], k);
        if (!del) rd_kafka_ConfigResource_set_config(cr, k, v);
    }
    for (size_t i = 0; i < a->configs.n; i++)
        rd_kafka_ConfigResource_set_config(cr, a->configs.v[i].key, a->configs.v[i].value);
    rd_kafka_event_destroy(dev);
    int rc = 1;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
    rd_kafka_AlterConfigs(rk, &cr, 1, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, what);
    if (ev) {
        size_t nr;
        const rd_kafka_ConfigResource_t **rs =
            rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &nr);
        rd_kafka_resp_err_t e = nr ? rd_kafka_ConfigResource_error(rs[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (e)
            cli_fail_err(c, what, e, rd_kafka_ConfigResource_error_string(rs[0]));
        else {
            rc = 0;
            if (c->json) {
                printf("{\"topic\":\"%s\",\"altered\":true}\n", name);
            } else {
                for (size_t i = 0; i < a->configs.n; i++)
                    printf("set %s=%s on %s\n", a->configs.v[i].key, a->configs.v[i].value, name);
                for (int d = 0; d < a->ndel; d++)
                    printf("deleted %s on %s\n", a->del_keys[d], name);
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(cr);
    return rc;
}

/* ---- add-partitions ---- */

static int topic_add_partitions(struct cli *c, rd_kafka_t *rk, struct topic_args *a) {
    const char *name = a->names[0];
    const struct rd_kafka_metadata *md;
    if (cli_metadata(c, rk, 1, &md)) return 1;
    const struct rd_kafka_metadata_topic *mt = cli_md_topic(md, name);
    int have = mt ? mt->partition_cnt : 0;
    rd_kafka_metadata_destroy(md);
    if (!mt) return cli_fail(c, "unknown topic '%s'", name);
    char what[400];
    snprintf(what, sizeof what, "add partitions to topic '%s'", name);
    if (cli_require_api(c, 37, what)) return 1;
    if (a->partitions <= have)
        return cli_fail(c, "topic '%s' has %d partitions; -p is the new total and must be more", name, have);
    char err[512];
    rd_kafka_NewPartitions_t *np = rd_kafka_NewPartitions_new(name, (size_t)a->partitions, err, sizeof err);
    if (!np) return cli_fail(c, "%s", err);
    int rc = 1;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
    rd_kafka_CreatePartitions(rk, &np, 1, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, what);
    if (ev) {
        size_t nr;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &nr);
        rd_kafka_resp_err_t e = nr ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (e)
            cli_fail_err(c, what, e, rd_kafka_topic_result_error_string(res[0]));
        else {
            rc = 0;
            if (c->json)
                printf("{\"topic\":\"%s\",\"partitions\":%lld,\"was\":%d}\n", name, a->partitions, have);
            else
                printf("topic %s now has %lld partitions (was %d)\n", name, a->partitions, have);
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewPartitions_destroy(np);
    return rc;
}

int cmd_topic(int argc, char **argv) {
    struct cli c;
    struct topic_args a = {0};
    char prog[64] = "weir topic";
    int rc = 1;
    cli_init(&c, prog);
    a.partitions = -1, a.replicas = -1;
    if (argc < 2) {
        usage(stderr);
        goto out;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        rc = 0;
        goto out;
    }
    static const char *const subs[] = {"create", "list", "describe", "delete", "alter-config", "add-partitions", NULL};
    if (!(a.sub = cli_subcommand(&c, argv[1], subs))) goto out;
    snprintf(prog, sizeof prog, "weir topic %s", a.sub);
    for (int i = 2; i < argc; i++) {
        const char *v = NULL, *arg = argv[i];
        int r;
        if (cli_flag(arg, "-h", "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        if ((r = cli_common_opt(&c, argc, argv, &i)) != 0) {
            if (r < 0) goto out;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-p", "--partitions", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--partitions", v, 1, 1000000, &a.partitions)) goto out;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-r", "--replication-factor", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--replication-factor", v, 1, 32767, &a.replicas)) goto out;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-c", "--config", &v)) != 0) {
            if (r < 0) goto out;
            if (props_set_kv(&a.configs, v)) {
                cli_usage_error(&c, "--config wants key=value, got '%s'", v);
                goto out;
            }
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--delete-config", &v)) != 0) {
            if (r < 0) goto out;
            if (a.ndel < 64) a.del_keys[a.ndel++] = v;
        } else if (!strcmp(arg, "--if-not-exists")) {
            a.if_not_exists = 1;
        } else if (!strcmp(arg, "--if-exists")) {
            a.if_exists = 1;
        } else if (cli_flag(arg, "-i", "--internal")) {
            a.internal = 1;
        } else if (arg[0] == '-' && arg[1]) {
            cli_usage_error(&c, "unknown option '%s'", arg);
            goto out;
        } else {
            if (a.nnames == 64) {
                cli_usage_error(&c, "too many topic names");
                goto out;
            }
            a.names[a.nnames++] = arg;
        }
    }
    int want_names = !strcmp(a.sub, "list")                                     ? 0
                     : (!strcmp(a.sub, "describe") || !strcmp(a.sub, "delete")) ? -1
                                                                                : 1;
    if (want_names == 0 && a.nnames) {
        cli_usage_error(&c, "unexpected argument '%s'", a.names[0]);
        goto out;
    }
    if (want_names != 0 && !a.nnames) {
        cli_usage_error(&c, "a topic name is required");
        goto out;
    }
    if (want_names == 1 && a.nnames > 1) {
        cli_usage_error(&c, "one topic name at a time (got '%s' and '%s')", a.names[0], a.names[1]);
        goto out;
    }
    if (!strcmp(a.sub, "add-partitions") && a.partitions < 0) {
        cli_usage_error(&c, "-p TOTAL is required");
        goto out;
    }
    if (!strcmp(a.sub, "alter-config") && !a.configs.n && !a.ndel) {
        cli_usage_error(&c, "give at least one -c key=value or --delete-config key");
        goto out;
    }
    rd_kafka_conf_t *conf = cli_conf(&c, NULL);
    if (!conf) goto out;
    rd_kafka_t *rk = cli_client(&c, RD_KAFKA_PRODUCER, conf);
    if (!rk) goto out;
    if (!strcmp(a.sub, "create"))
        rc = topic_create(&c, rk, &a);
    else if (!strcmp(a.sub, "list"))
        rc = topic_list(&c, rk, &a);
    else if (!strcmp(a.sub, "describe"))
        rc = topic_describe(&c, rk, &a);
    else if (!strcmp(a.sub, "delete"))
        rc = topic_delete(&c, rk, &a);
    else if (!strcmp(a.sub, "alter-config"))
        rc = topic_alter_config(&c, rk, &a);
    else
        rc = topic_add_partitions(&c, rk, &a);
    fflush(stdout);
    rd_kafka_destroy(rk);
out:
    props_free(&a.configs);
    cli_free(&c);
    return rc;
}
