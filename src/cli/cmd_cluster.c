/* cmd_cluster: `weir cluster info` — cluster id, controller, brokers, topic
 * and partition counts (librdkafka metadata), and the API versions a broker
 * supports. librdkafka 2.0.2 does not expose the ApiVersions it negotiates,
 * so those come from one ApiVersions v0 request of our own (cli_apiver.h),
 * sent to the broker with the lowest id over plain TCP; with TLS or SASL
 * that part is reported as unavailable and the rest still printed. */
#include "cli/cli_apiver.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void usage(FILE *f) {
    fprintf(f, "usage: weir cluster info [OPTIONS]\n\n"
               "Prints the cluster id, the controller, the brokers, topic and partition counts, and the\n"
               "API versions the broker supports (ApiKey, name, min and max version).\n\n"
               "  --brokers-only   skip the API versions\n"
               "common options: -b HOST:PORT (default localhost:9092), --command-config FILE, -X key=value,\n"
               "  --request-timeout-ms N, --output json, -v\n\n"
               "examples:\n"
               "  weir cluster info\n"
               "  weir cluster info -b kafka-1:9092 --output json\n");
}

int cmd_cluster(int argc, char **argv) {
    struct cli c;
    int rc = 1, brokers_only = 0;
    int i0 = 1;
    rd_kafka_t *rk = NULL;
    const struct rd_kafka_metadata *md = NULL;
    char *cid = NULL;
    struct cli_apiver *av = NULL;
    cli_init(&c, "weir cluster info");
    if (argc > 1 && !strcmp(argv[1], "info"))
        i0 = 2;
    else if (argc > 1 && argv[1][0] != '-') {
        cli_usage_error(&c, "unknown subcommand '%s' (there is: info)", argv[1]);
        goto out;
    }
    for (int i = i0; i < argc; i++) {
        int r;
        if (cli_flag(argv[i], "-h", "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        if ((r = cli_common_opt(&c, argc, argv, &i)) != 0) {
            if (r < 0) goto out;
        } else if (!strcmp(argv[i], "--brokers-only")) {
            brokers_only = 1;
        } else {
            cli_usage_error(&c, "unknown argument '%s'", argv[i]);
            goto out;
        }
    }
    rd_kafka_conf_t *conf = cli_conf(&c, NULL);
    if (!conf) goto out;
    rk = cli_client(&c, RD_KAFKA_PRODUCER, conf);
    if (!rk) goto out;
    if (cli_metadata(&c, rk, 1, &md)) goto out;
    cid = rd_kafka_clusterid(rk, c.timeout_ms);
    int32_t ctrl = rd_kafka_controllerid(rk, c.timeout_ms);
    int nparts = 0, ntopics = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strncmp(md->topics[i].topic, "__", 2)) ntopics++, nparts += md->topics[i].partition_cnt;
    /* brokers by id */
    int *ord = malloc(sizeof(int) * (size_t)(md->broker_cnt + 1));
    if (!ord) abort();
    for (int i = 0; i < md->broker_cnt; i++)
        ord[i] = i;
    for (int i = 1; i < md->broker_cnt; i++)
        for (int j = i; j > 0 && md->brokers[ord[j - 1]].id > md->brokers[ord[j]].id; j--) {
            int x = ord[j];
            ord[j] = ord[j - 1], ord[j - 1] = x;
        }
    /* API versions from the broker with the lowest id */
    char averr[300] = "";
    const char *sp = props_get(&c.conf, "security.protocol");
    int have_av = 0;
    const struct rd_kafka_metadata_broker *ab = md->broker_cnt ? &md->brokers[ord[0]] : NULL;
    if (!brokers_only && ab) {
        if (sp && strcasecmp(sp, "plaintext")) {
            snprintf(averr, sizeof averr,
                     "not available with security.protocol=%s (librdkafka 2.0.2 does not expose them)", sp);
        } else {
            char hp[300];
            snprintf(hp, sizeof hp, strchr(ab->host, ':') ? "[%s]:%d" : "%s:%d", ab->host, ab->port);
            av = malloc(sizeof *av);
            if (!av) abort();
            have_av = cli_apiversions(hp, c.timeout_ms, av, averr, sizeof averr) == 0;
        }
    }
    if (c.json) {
        struct buf b = {0};
        int first = 1;
        buf_putc(&b, '{');
        cli_json_key(&b, &first, "cluster_id");
        cli_json_str(&b, cid);
        cli_json_key(&b, &first, "controller");
        buf_printf(&b, "%d", ctrl);
        cli_json_key(&b, &first, "brokers");
        buf_putc(&b, '[');
        for (int k = 0; k < md->broker_cnt; k++) {
            const struct rd_kafka_metadata_broker *br = &md->brokers[ord[k]];
            if (k) buf_putc(&b, ',');
            buf_printf(&b, "{\"id\":%d,\"host\":", br->id);
            cli_json_str(&b, br->host);
            buf_printf(&b, ",\"port\":%d}", br->port);
        }
        buf_printf(&b, "],\"topics\":%d,\"partitions\":%d", ntopics, nparts);
        if (!brokers_only) {
            cli_json_key(&b, &first, "api_versions");
            if (have_av) {
                buf_printf(&b, "{\"broker\":%d,\"apis\":[", ab->id);
                for (int i = 0; i < av->n; i++) {
                    if (i) buf_putc(&b, ',');
                    buf_printf(&b, "{\"key\":%d,\"name\":", av->v[i].key);
                    cli_json_str(&b, cli_api_name(av->v[i].key));
                    buf_printf(&b, ",\"min\":%d,\"max\":%d}", av->v[i].min, av->v[i].max);
                }
                buf_printf(&b, "]}");
            } else {
                buf_printf(&b, "{\"error\":");
                cli_json_str(&b, averr);
                buf_putc(&b, '}');
            }
        }
        buf_putc(&b, '}');
        cli_json_emit(&b);
        buf_free(&b);
    } else {
        printf("cluster id:  %s\n", cid ? cid : "-");
        printf("controller:  %d\n", ctrl);
        printf("topics:      %d (%d partitions; internal topics not counted)\n\n", ntopics, nparts);
        struct cli_table t;
        static const char *const hdr[] = {"BROKER", "HOST", "PORT", "ROLE"};
        cli_table_init(&t, 4, hdr);
        for (int k = 0; k < md->broker_cnt; k++) {
            const struct rd_kafka_metadata_broker *br = &md->brokers[ord[k]];
            char id[16], port[16];
            snprintf(id, sizeof id, "%d", br->id);
            snprintf(port, sizeof port, "%d", br->port);
            const char *row[] = {id, br->host, port, br->id == ctrl ? "controller" : ""};
            cli_table_row(&t, row);
        }
        cli_table_print(&t, stdout);
        cli_table_free(&t);
        if (!brokers_only && have_av) {
            printf("\nAPI versions of broker %d (%s:%d):\n", ab->id, ab->host, ab->port);
            static const char *const ahdr[] = {"KEY", "API", "MIN", "MAX"};
            cli_table_init(&t, 4, ahdr);
            for (int i = 0; i < av->n; i++) {
                char k[16], mn[16], mx[16];
                snprintf(k, sizeof k, "%d", av->v[i].key);
                snprintf(mn, sizeof mn, "%d", av->v[i].min);
                snprintf(mx, sizeof mx, "%d", av->v[i].max);
                const char *nm = cli_api_name(av->v[i].key);
                const char *row[] = {k, nm ? nm : "?", mn, mx};
                cli_table_row(&t, row);
            }
            cli_table_print(&t, stdout);
            cli_table_free(&t);
        } else if (!brokers_only) {
            printf("\nAPI versions: %s\n", averr[0] ? averr : "no broker in the metadata");
        }
    }
    free(ord);
    rc = 0;
out:
    free(av);
    if (cid) rd_kafka_mem_free(rk, cid);
    if (md) rd_kafka_metadata_destroy(md);
    if (rk) rd_kafka_destroy(rk);
    cli_free(&c);
    return rc;
}
