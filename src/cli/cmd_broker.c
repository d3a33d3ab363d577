/* cmd_broker: `weir broker [--config server.properties] [--override k=v ...]`
 * Loads the configuration (embedded defaults < file < overrides), starts the
 * broker and serves until SIGINT or SIGTERM, then shuts down cleanly. */
#include "cli/cmd.h"

#include "broker/broker.h"
#include "common/log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static struct broker *running;

static void on_signal(int sig) {
    (void)sig;
    if (running) broker_stop(running);
}

static void usage(FILE *f) {
    fprintf(f, "usage: weir broker [--config FILE] [--override key=value ...] [--log-level debug|info|warn]\n\n"
               "Runs the Kafka-compatible broker. Settings use Kafka's server.properties names, e.g.\n"
               "  listeners=PLAINTEXT://127.0.0.1:9092   log.dirs=./data   num.partitions=1\n"
               "  auto.create.topics.enable=true   log.retention.hours=168   log.segment.bytes=1073741824\n\n"
               "examples:\n"
               "  weir broker\n"
               "  weir broker --config server.properties --override log.dirs=/var/lib/weir\n");
}

int cmd_broker(int argc, char **argv) {
    struct props p = {0}, overrides = {0};
    char err[512];
    int rc = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if ((!strcmp(a, "--config") || !strcmp(a, "-c")) && i + 1 < argc) {
            if (props_load_file(&p, argv[++i], err, sizeof err)) {
                fprintf(stderr, "weir broker: %s\n", err);
                goto out;
            }
        } else if (!strcmp(a, "--override") && i + 1 < argc) {
            if (props_set_kv(&overrides, argv[++i])) {
                fprintf(stderr, "weir broker: --override wants key=value, got '%s'\n", argv[i]);
                goto out;
            }
        } else if (!strncmp(a, "--override=", 11)) {
            if (props_set_kv(&overrides, a + 11)) {
                fprintf(stderr, "weir broker: --override wants key=value, got '%s'\n", a + 11);
                goto out;
            }
        } else if (!strcmp(a, "--log-level") && i + 1 < argc) {
            const char *l = argv[++i];
            log_set_level(!strcmp(l, "debug") ? LOG_DEBUG : !strcmp(l, "warn") ? LOG_WARN
                                                        : !strcmp(l, "error") ? LOG_ERROR
                                                                              : LOG_INFO);
        } else {
            fprintf(stderr, "weir broker: unknown argument '%s'\n", a);
            usage(stderr);
            goto out;
        }
    }
    for (size_t i = 0; i < overrides.n; i++) props_set(&p, overrides.v[i].key, overrides.v[i].value, 0);
    struct broker_cfg cfg;
    if (broker_cfg_load(&cfg, &p, err, sizeof err)) {
        fprintf(stderr, "weir broker: %s\n", err);
        broker_cfg_free(&cfg);
        goto out;
    }
    struct broker *b;
    if (broker_new(&cfg, &b, err, sizeof err)) {
        log_error("cannot start: %s", err);
        broker_cfg_free(&cfg);
        goto out;
    }
    broker_cfg_free(&cfg);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    running = b;
    rc = broker_run(b) ? 1 : 0;
    log_info("shutting down");
    running = NULL;
    broker_free(b);
out:
    props_free(&p);
    props_free(&overrides);
    return rc;
}
