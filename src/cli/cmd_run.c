/* cmd_run: `weir run PIPELINE.sql` — runs a Spark-dialect SQL pipeline.
 *   weir run FILE [--var name=value]... [--checkpoint DIR] [--trigger T]
 *                 [--max-batches N] [--progress] [--explain]
 * Statements run in file order: CREATE TABLE/VIEW declare, SET sets, a bare
 * SELECT over tables that are not streams is a batch query printed as a
 * table, and every INSERT INTO (or SELECT over a stream) starts a streaming
 * query. Streaming queries run side by side until they finish (trigger
 * availableNow/once, --max-batches) or SIGINT/SIGTERM stops them; each
 * stops at a micro-batch boundary so its checkpoint resumes cleanly.
 * Exit status: 0, 1 on a failure (with the message on stderr), 2 on usage. */
#include "engine/connectors/kafka_src.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "engine/runtime/driver.h"
#include "engine/runtime/session.h"

static volatile int stop_requested; /* sig_atomic_t is an int here; the driver reads it too */
static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f) {
    fprintf(f, "usage: weir run PIPELINE.sql [--var name=value]... [--checkpoint DIR] [--trigger T]\n"
               "                [--max-batches N] [--progress] [--explain]\n"
               "  --var name=value   substitutes ${name} in the file\n"
               "  --checkpoint DIR   checkpoint location (overrides the sink's checkpointLocation)\n"
               "  --trigger T        default | processingTime=<interval> | availableNow | once\n"
               "  --max-batches N    stop each streaming query after N micro-batches\n"
               "  --progress         print each micro-batch's progress JSON to stderr\n"
               "  --explain          print each query's plan and exit\n");
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return NULL;
    struct buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, n);
    if (f != stdin) fclose(f);
    buf_putc(&b, 0);
    *len = b.len - 1;
    return (char *)b.p;
}

int cmd_run(int argc, char **argv) {
    const char *file = NULL;
    struct drv_opts o = {0};
    o.stop = &stop_requested;
    ksrc_set_stop(&stop_requested);
    int explain = 0, rc = 0;
    struct arena va;
    arena_init(&va, 4096);
    struct sqlvars vars = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            arena_free(&va);
            return 0;
        } else if (!strcmp(a, "--var") && i + 1 < argc) {
            char *eq = strchr(argv[++i], '=');
            if (!eq) {
                fprintf(stderr, "weir run: --var needs name=value, not '%s'\n", argv[i]);
                arena_free(&va);
                return 2;
            }
            *eq = 0;
            sqlvars_set(&vars, &va, argv[i], eq + 1);
            *eq = '=';
        } else if (!strcmp(a, "--checkpoint") && i + 1 < argc) {
            o.checkpoint = argv[++i];
        } else if (!strcmp(a, "--trigger") && i + 1 < argc) {
            o.trigger = argv[++i];
        } else if (!strcmp(a, "--max-batches") && i + 1 < argc) {
            o.max_batches = atoll(argv[++i]);
        } else if (!strcmp(a, "--progress")) {
            o.progress = stderr;
        } else if (!strcmp(a, "--explain")) {
            explain = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "weir run: unknown option '%s'\n", a);
            usage(stderr);
            arena_free(&va);
            return 2;
        } else if (!file) {
            file = a;
        } else {
            usage(stderr);
            arena_free(&va);
            return 2;
        }
    }
    if (!file) {
        usage(stderr);
        arena_free(&va);
        return 2;
    }
    size_t len;
    char *text = read_file(file, &len);
    if (!text) {
        fprintf(stderr, "weir run: cannot read %s\n", file);
        arena_free(&va);
        return 1;
    }
    struct session s;
    sess_init(&s);
    if (sess_load(&s, file, text, len, &vars)) {
        fputs(s.err, stderr);
        rc = 1;
        goto out;
    }
    if (explain) {
        for (uint32_t i = 0; i < s.nqueries; i++) {
            struct buf b = {0};
            lp_print(&b, s.queries[i].plan.root, 0);
            printf("== query %u%s%s ==\n%.*s", i, s.queries[i].sink ? " into " : "", s.queries[i].sink ? s.queries[i].sink->name : "",
                   (int)b.len, (char *)b.p);
            buf_free(&b);
        }
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    struct drv **drivers = calloc(s.nqueries ? s.nqueries : 1, sizeof *drivers);
    uint32_t nd = 0;
    char err[1024];
    for (uint32_t i = 0; i < s.nqueries && !rc; i++) {
        struct sess_query *q = &s.queries[i];
        if (q->stmt->explain) {
            /* EXPLAIN in the file: print the plan instead of running the query */
            struct buf b = {0};
            lp_print(&b, q->plan.root, 0);
            printf("== Physical Plan ==\n%.*s\n", (int)b.len, (char *)b.p);
            buf_free(&b);
            continue;
        }
        if (!q->plan.root->streaming && !q->sink) {
            if (drv_run_batch_query(&s, q, stdout, err, sizeof err)) {
                fprintf(stderr, "weir run: %s\n", err);
                rc = 1;
            }
            continue;
        }
        if (!q->plan.root->streaming) {
            fprintf(stderr, "weir run: INSERT INTO %s reads no stream; batch writes to sinks are not supported yet\n", q->sink->name);
            rc = 1;
            break;
        }
        if (drv_open(&drivers[nd], &s, q, &o, err, sizeof err)) {
            fprintf(stderr, "weir run: %s\n", err);
            rc = 1;
            break;
        }
        nd++;
    }
    /* round-robin over the streaming queries */
    uint32_t live = rc ? 0 : nd;
    uint8_t *finished = calloc(nd ? nd : 1, 1);
    while (live && !stop_requested) {
        int64_t now = drv_now_us(), due = INT64_MAX;
        for (uint32_t i = 0; i < nd; i++) {
            if (finished[i]) continue;
            int r = drv_step(drivers[i], now);
            if (r == DRV_DONE) {
                finished[i] = 1;
                live--;
                continue;
            }
            if (r < 0) {
                fprintf(stderr, "weir run: query %u stopped: %s\n", i, drv_error(drivers[i]));
                finished[i] = 1;
                live--;
                rc = 1;
                continue;
            }
            int64_t d = r == 1 ? now : drv_due(drivers[i]);
            if (d < due) due = d;
        }
        now = drv_now_us();
        if (live && due > now) {
            int64_t wait = due - now;
            if (wait > 100000) wait = 100000;
            usleep((useconds_t)wait);
        }
    }
    for (uint32_t i = 0; i < nd; i++) drv_close(drivers[i]);
    free(drivers);
    free(finished);
out:
    sess_free(&s);
    free(text);
    arena_free(&va);
    return rc;
}
