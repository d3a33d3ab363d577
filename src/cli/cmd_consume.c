/* cmd_consume: `weir consume TOPIC` — prints messages, one per line by
 * default, in a kcat-style format or as a JSON envelope.
 *
 * Without --group the partitions are assigned directly (no group
 * membership, nothing committed; librdkafka still wants a group.id, so a
 * private one is set and never used for commits). With --group the
 * consumer subscribes (or, with --partition, assigns within the group) and
 * commits exactly what was printed: offsets are stored after a message is
 * written and committed synchronously on exit, so a partial read
 * (--max-messages) leaves the group's lag at log end minus printed.
 *
 * Exits 0 on Ctrl-C / SIGTERM and when stdout is a closed pipe (SIGPIPE is
 * ignored; EPIPE from a write ends the loop). */
#include "cli/cli_common.h"
#include "cli/cmd.h"

#include "engine/formats/json.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: weir consume TOPIC [OPTIONS]\n\n"
            "Prints a topic's messages (by default: new ones, the value of each on its own line).\n\n"
            "  --from-beginning          start at the first offset (with --group: when the group\n"
            "                            has no committed offset)\n"
            "  -o, --offset N|-N|beginning|end   start at offset N, or N from the end\n"
            "  --from-timestamp T        start at the first message at or after T\n"
            "                            (ms since the epoch or 2024-05-01T12:00:00[.sss][Z|+02:00])\n"
            "  -p, --partition P         only partition P\n"
            "  -g, --group G             consume as group G and commit what was printed\n"
            "  -n, --max-messages N      exit after N messages\n"
            "  --timeout-ms T            exit when nothing arrives for T ms\n"
            "  -e, --exit-at-end         exit when every partition is read to its end\n"
            "  --isolation read_committed|read_uncommitted   (default read_uncommitted)\n"
            "  --print-key               print KEY<tab>VALUE (--key-separator SEP to change the tab)\n"
            "  -F, --format FMT          kcat's tokens: %%k key, %%s value, %%t topic, %%p partition,\n"
            "                            %%o offset, %%T timestamp (ms), %%h headers (k=v,...),\n"
            "                            %%K / %%S key / value length, %%%% a percent; \\n \\t \\\\ escapes\n"
            "  --output json             one JSON object per message: topic, partition, offset,\n"
            "                            timestamp, key, value, headers (bytes that are not UTF-8\n"
            "                            come as key_base64 / value_base64)\n"
            "common options: -b HOST:PORT (default localhost:9092), --command-config FILE, -X key=value,\n"
            "  --request-timeout-ms N, -v\n\n"
            "examples:\n"
            "  weir consume orders --from-beginning -e\n"
            "  weir consume orders -g billing --max-messages 100 --print-key\n"
            "  weir consume orders -p 2 -o -10 -F '%%p/%%o %%k=%%s (%%h)\\n'\n"
            "  weir consume orders --from-timestamp 2024-05-01T00:00:00Z --output json | head\n");
}

enum start { START_DEFAULT, START_BEGINNING, START_END, START_OFFSET, START_TAIL, START_TIME };

struct cons {
    struct cli *c;
    rd_kafka_t *rk;
    const char *topic, *group, *format;
    int32_t partition; /* -1: all */
    enum start start;
    int64_t start_val;
    long long max, count;
    int exit_at_end;
    int nparts; /* partitions being read (for -e) */
    int *eof;   /* by partition id */
    int eof_count, eof_cap;
    struct buf out;
    int pipe_closed;
    int reset_idle; /* partitions were just assigned: --timeout-ms counts from now */
    int plain;      /* the format is the default: the value and a newline */
};

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

/* Sets the start offsets of list (all of it in one topic). */
static int set_start(struct cons *s, rd_kafka_topic_partition_list_t *l) {
    for (int i = 0; i < l->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &l->elems[i];
        switch (s->start) {
        case START_BEGINNING: tp->offset = RD_KAFKA_OFFSET_BEGINNING; break;
        case START_END: tp->offset = RD_KAFKA_OFFSET_END; break;
        case START_OFFSET: tp->offset = s->start_val; break;
        case START_TAIL: tp->offset = RD_KAFKA_OFFSET_TAIL(s->start_val); break;
        case START_TIME: tp->offset = s->start_val; break;
        case START_DEFAULT: tp->offset = s->group ? RD_KAFKA_OFFSET_STORED : RD_KAFKA_OFFSET_END; break;
        }
    }
    if (s->start == START_TIME) {
        rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(s->rk, l, s->c->timeout_ms);
        if (e) {
            cli_fail_err(s->c, "offsets for --from-timestamp", e, NULL);
            return -1;
        }
        for (int i = 0; i < l->cnt; i++)
            if (l->elems[i].err || l->elems[i].offset < 0) l->elems[i].offset = RD_KAFKA_OFFSET_END;
    }
    return 0;
}

static void track_assignment(struct cons *s, const rd_kafka_topic_partition_list_t *l) {
    int maxid = 0;
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].partition + 1 > maxid) maxid = l->elems[i].partition + 1;
    if (maxid > s->eof_cap) {
        s->eof = realloc(s->eof, sizeof(int) * (size_t)maxid);
        if (!s->eof) abort();
        s->eof_cap = maxid;
    }
    memset(s->eof, 0, sizeof(int) * (size_t)s->eof_cap);
    s->eof_count = 0;
    s->nparts = l->cnt;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    struct cli *c = opaque;
    struct cons *s = c->user;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (s->start != START_DEFAULT && s->start != START_BEGINNING) set_start(s, parts);
        track_assignment(s, parts);
        rd_kafka_assign(rk, parts);
        s->reset_idle = 1;
    } else {
        rd_kafka_assign(rk, NULL);
        s->nparts = 0;
    }
}

static void put_escaped_fmt(struct buf *b, const char *f, const rd_kafka_message_t *m) {
    for (const char *p = f; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            buf_putc(b, *p == 'n'   ? '\n'
                        : *p == 't' ? '\t'
                        : *p == 'r' ? '\r'
                        : *p == '0' ? '\0'
                                    : (uint8_t)*p);
            continue;
        }
        if (*p != '%' || !p[1]) {
            buf_putc(b, (uint8_t)*p);
            continue;
        }
        switch (*++p) {
        case 's':
            if (m->payload) buf_append(b, m->payload, m->len);
            break;
        case 'k':
            if (m->key) buf_append(b, m->key, m->key_len);
            break;
        case 'S': buf_printf(b, "%zd", m->payload ? (ssize_t)m->len : (ssize_t)-1); break;
        case 'K': buf_printf(b, "%zd", m->key ? (ssize_t)m->key_len : (ssize_t)-1); break;
        case 't': buf_printf(b, "%s", rd_kafka_topic_name(m->rkt)); break;
        case 'p': buf_printf(b, "%d", m->partition); break;
        case 'o': buf_printf(b, "%lld", (long long)m->offset); break;
        case 'T': buf_printf(b, "%lld", (long long)rd_kafka_message_timestamp(m, NULL)); break;
        case 'h': {
            rd_kafka_headers_t *h = NULL;
            if (rd_kafka_message_headers(m, &h) == 0 && h) {
                const char *name;
                const void *val;
                size_t sz;
                for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &val, &sz) == 0; i++) {
                    if (i) buf_putc(b, ',');
                    buf_printf(b, "%s=", name);
                    if (val) buf_append(b, val, sz);
                }
            }
            break;
        }
        case '%': buf_putc(b, '%'); break;
        default: buf_putc(b, '%'); buf_putc(b, (uint8_t)*p);
        }
    }
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static void put_b64(struct buf *b, const unsigned char *s, size_t n) {
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v =
            (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        buf_putc(b, (uint8_t)b64[v >> 18 & 63]);
        buf_putc(b, (uint8_t)b64[v >> 12 & 63]);
        buf_putc(b, i + 1 < n ? (uint8_t)b64[v >> 6 & 63] : '=');
        buf_putc(b, i + 2 < n ? (uint8_t)b64[v & 63] : '=');
    }
    buf_putc(b, '"');
}

/* "key": "text" | null, or "key_base64": "..." for bytes that are not UTF-8 */
static void put_json_bytes(struct buf *b, int *first, const char *name, const void *p, size_t n) {
    if (p && !cli_utf8_valid(p, n)) {
        char k[32];
        snprintf(k, sizeof k, "%s_base64", name);
        cli_json_key(b, first, k);
        put_b64(b, p, n);
        return;
    }
    cli_json_key(b, first, name);
    if (!p)
        buf_append(b, "null", 4);
    else
        json_write_string(b, p, n);
}

static void put_json(struct buf *b, const rd_kafka_message_t *m) {
    int first = 1;
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(m, &tt);
    buf_putc(b, '{');
    cli_json_key(b, &first, "topic");
    cli_json_str(b, rd_kafka_topic_name(m->rkt));
    cli_json_key(b, &first, "partition");
    buf_printf(b, "%d", m->partition);
    cli_json_key(b, &first, "offset");
    buf_printf(b, "%lld", (long long)m->offset);
    cli_json_key(b, &first, "timestamp");
    buf_printf(b, "%lld", (long long)ts);
    cli_json_key(b, &first, "timestamp_type");
    cli_json_str(b, tt == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime");
    put_json_bytes(b, &first, "key", m->key, m->key_len);
    put_json_bytes(b, &first, "value", m->payload, m->len);
    cli_json_key(b, &first, "headers");
    buf_putc(b, '[');
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) == 0 && h) {
        const char *name;
        const void *val;
        size_t sz;
        for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &val, &sz) == 0; i++) {
            int f2 = 1;
            if (i) buf_putc(b, ',');
            buf_putc(b, '{');
            cli_json_key(b, &f2, "key");
            cli_json_str(b, name);
            put_json_bytes(b, &f2, "value", val, sz);
            buf_putc(b, '}');
        }
    }
    buf_append(b, "]}\n", 3);
}

/* Writes the pending output; on a closed pipe sets pipe_closed. */
static void out_flush(struct cons *s) {
    size_t off = 0;
    while (off < s->out.len) {
        ssize_t w = write(1, s->out.p + off, s->out.len - off);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        s->pipe_closed = 1;
        break;
    }
    buf_clear(&s->out);
}

/* One message or event from the consumer queue: 0 printed, -1 nothing to
 * print (an EOF or a passing error), 1 stop (done: -e or --max-messages),
 * 2 stop with an error (printed). */
static int handle_message(struct cons *s, rd_kafka_message_t *m) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (m->partition < s->eof_cap && !s->eof[m->partition]) {
            s->eof[m->partition] = 1;
            s->eof_count++;
        }
        return s->exit_at_end && s->nparts > 0 && s->eof_count >= s->nparts ? 1 : -1;
    }
    if (m->err) {
        rd_kafka_resp_err_t e = m->err;
        const char *detail = rd_kafka_message_errstr(m);
        if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
            e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
            e == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED || e == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
            e == RD_KAFKA_RESP_ERR__FATAL) {
            char what[400];
            snprintf(what, sizeof what, "consume '%s'", s->topic);
            out_flush(s);
            cli_fail_err(s->c, what, e, detail);
            return 2;
        }
        if (s->c->verbose) fprintf(stderr, "%s: %s\n", s->c->prog, detail);
        return -1;
    }
    if (m->partition < s->eof_cap && s->eof[m->partition]) {
        s->eof[m->partition] = 0;
        s->eof_count--;
    }
    if (s->c->json)
        put_json(&s->out, m);
    else if (s->plain) { /* the default "%s\n" */
        if (m->payload) buf_append(&s->out, m->payload, m->len);
        buf_putc(&s->out, '\n');
    } else
        put_escaped_fmt(&s->out, s->format, m);
    if (s->out.len >= 1 << 16) out_flush(s);
    if (s->group && !s->pipe_closed) rd_kafka_offset_store(m->rkt, m->partition, m->offset);
    return ++s->count == s->max ? 1 : 0;
}

int cmd_consume(int argc, char **argv) {
    struct cli c;
    struct cons s = {0};
    const char *isolation = "read_uncommitted", *keysep = "\t";
    long long timeout_ms = -1;
    int print_key = 0, rc = 1;
    rd_kafka_t *rk = NULL;
    rd_kafka_topic_partition_list_t *assign = NULL;
    const struct rd_kafka_metadata *md = NULL;
    cli_init(&c, "weir consume");
    c.user = &s;
    s.c = &c;
    s.partition = -1;
    s.max = -1;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL, *a = argv[i];
        int r;
        long long n;
        if (cli_flag(a, "-h", "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        if ((r = cli_common_opt(&c, argc, argv, &i)) != 0) {
            if (r < 0) goto out;
        } else if (!strcmp(a, "--from-beginning")) {
            s.start = START_BEGINNING;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-o", "--offset", &v)) != 0) {
            if (r < 0) goto out;
            if (!strcmp(v, "beginning") || !strcmp(v, "earliest"))
                s.start = START_BEGINNING;
            else if (!strcmp(v, "end") || !strcmp(v, "latest"))
                s.start = START_END;
            else if (v[0] == '-') {
                if (cli_int(&c, "--offset", v + 1, 1, INT64_MAX, &n)) goto out;
                s.start = START_TAIL, s.start_val = n;
            } else {
                if (cli_int(&c, "--offset", v, 0, INT64_MAX, &n)) goto out;
                s.start = START_OFFSET, s.start_val = n;
            }
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--from-timestamp", &v)) != 0) {
            int64_t ms;
            if (r < 0) goto out;
            if (cli_parse_time(v, &ms)) {
                cli_usage_error(
                    &c, "--from-timestamp wants ms since the epoch or an ISO 8601 date-time, got '%s'", v);
                goto out;
            }
            s.start = START_TIME, s.start_val = ms;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-p", "--partition", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--partition", v, 0, INT32_MAX, &n)) goto out;
            s.partition = (int32_t)n;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-g", "--group", &v)) != 0) {
            if (r < 0) goto out;
            s.group = v;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-n", "--max-messages", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--max-messages", v, 0, INT64_MAX, &s.max)) goto out;
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--timeout-ms", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--timeout-ms", v, 0, INT32_MAX, &timeout_ms)) goto out;
        } else if (cli_flag(a, "-e", "--exit-at-end")) {
            s.exit_at_end = 1;
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--isolation", &v)) != 0) {
            if (r < 0) goto out;
            if (strcmp(v, "read_committed") && strcmp(v, "read_uncommitted")) {
                cli_usage_error(&c, "--isolation wants read_committed or read_uncommitted, got '%s'", v);
                goto out;
            }
            isolation = v;
        } else if (!strcmp(a, "--print-key")) {
            print_key = 1;
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--key-separator", &v)) != 0) {
            if (r < 0) goto out;
            keysep = v;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-F", "--format", &v)) != 0) {
            if (r < 0) goto out;
            s.format = v;
        } else if (!strcmp(a, "--json")) {
            c.json = 1;
        } else if (a[0] == '-' && a[1]) {
            cli_usage_error(&c, "unknown option '%s'", a);
            goto out;
        } else if (!s.topic) {
            s.topic = a;
        } else {
            cli_usage_error(&c, "unexpected argument '%s'", a);
            goto out;
        }
    }
    if (!s.topic) {
        cli_usage_error(&c, "a topic is required");
        goto out;
    }
    char fmtbuf[256];
    if (!s.format) {
        if (print_key) {
            size_t l = 0;
            l += (size_t)snprintf(fmtbuf, sizeof fmtbuf, "%%k");
            for (const char *q = keysep; *q && l + 4 < sizeof fmtbuf; q++) {
                if (*q == '%') fmtbuf[l++] = '%';
                fmtbuf[l++] = *q;
            }
            snprintf(fmtbuf + l, sizeof fmtbuf - l, "%%s\\n");
            s.format = fmtbuf;
        } else {
            s.format = "%s\\n";
            s.plain = 1;
        }
    }
    if (s.max == 0) {
        rc = 0;
        goto out;
    }

    char gid[64];
    snprintf(gid, sizeof gid, "weir-consume-%d", (int)getpid());
    static const char *const defaults[] = {
        "enable.partition.eof", "true", "fetch.wait.max.ms", "100", NULL,
    };
    rd_kafka_conf_t *conf = cli_conf(&c, defaults);
    if (!conf) goto out;
    char err[512];
    if (rd_kafka_conf_set(conf, "isolation.level", isolation, err, sizeof err) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "group.id", s.group ? s.group : gid, err, sizeof err) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", err, sizeof err) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "enable.auto.commit", s.group ? "true" : "false", err, sizeof err) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "auto.offset.reset", s.start == START_BEGINNING ? "earliest" : "latest", err,
                          sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        cli_fail(&c, "%s", err);
        goto out;
    }
    if (s.group && s.partition < 0) rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rk = s.rk = cli_client(&c, RD_KAFKA_CONSUMER, conf);
    if (!rk) goto out;
    rd_kafka_poll_set_consumer(rk);
    if (cli_metadata(&c, rk, 1, &md)) goto out;
    const struct rd_kafka_metadata_topic *mt = cli_md_topic(md, s.topic);
    if (!mt || mt->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        cli_fail(&c, "unknown topic '%s'", s.topic);
        goto out;
    }
    if (s.partition >= mt->partition_cnt) {
        cli_fail(&c, "topic '%s' has %d partition%s; there is no partition %d", s.topic, mt->partition_cnt,
                 mt->partition_cnt == 1 ? "" : "s", s.partition);
        goto out;
    }
    if (s.group && s.partition < 0) {
        rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(sub, s.topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, sub);
        rd_kafka_topic_partition_list_destroy(sub);
        if (e) {
            cli_fail_err(&c, "subscribe", e, NULL);
            goto out;
        }
    } else {
        assign = rd_kafka_topic_partition_list_new(mt->partition_cnt);
        for (int i = 0; i < mt->partition_cnt; i++)
            if (s.partition < 0 || mt->partitions[i].id == s.partition)
                rd_kafka_topic_partition_list_add(assign, s.topic, mt->partitions[i].id);
        if (set_start(&s, assign)) goto out;
        track_assignment(&s, assign);
        rd_kafka_resp_err_t e = rd_kafka_assign(rk, assign);
        if (e) {
            cli_fail_err(&c, "assign", e, NULL);
            goto out;
        }
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t last = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    rc = 0;
    /* messages come in batches from the consumer queue (what kcat does
     * too): one queue lock per batch instead of per message */
    rd_kafka_queue_t *cq = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[1024];
    int done = 0;
    while (!done && !stop_flag && !s.pipe_closed) {
        ssize_t nb = rd_kafka_consume_batch_queue(cq, s.out.len ? 0 : 100, batch, 1024);
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        if (s.reset_idle) {
            s.reset_idle = 0;
            last = now;
        }
        if (nb <= 0) {
            out_flush(&s);
            if (timeout_ms >= 0 && now - last >= timeout_ms) break;
            continue;
        }
        for (ssize_t bi = 0; bi < nb; bi++) {
            rd_kafka_message_t *m = batch[bi];
            if (done) {
                rd_kafka_message_destroy(m);
                continue;
            }
            int r = handle_message(&s, m);
            if (r == 0) last = now;
            if (r == 2) {
                out_flush(&s);
                rc = 1;
            }
            done = r >= 1 || s.pipe_closed;
            rd_kafka_message_destroy(m);
        }
    }
    rd_kafka_queue_destroy(cq);
    out_flush(&s);
    if (s.group) {
        rd_kafka_resp_err_t e = rd_kafka_commit(rk, NULL, 0);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET) rc = cli_fail_err(&c, "commit offsets", e, NULL);
    }
    if (c.verbose) fprintf(stderr, "%s: %lld messages\n", c.prog, s.count);
out:
    if (md) rd_kafka_metadata_destroy(md);
    if (assign) rd_kafka_topic_partition_list_destroy(assign);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    free(s.eof);
    buf_free(&s.out);
    cli_free(&c);
    return rc;
}
