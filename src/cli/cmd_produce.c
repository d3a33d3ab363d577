/* cmd_produce: `weir produce TOPIC` — one message per input line (stdin or
 * -f FILE), optionally split into key and value at --key-separator, with
 * fixed -H headers, or one JSON object per line (--json) carrying key,
 * value, headers, partition and timestamp. Ends with a one-line summary on
 * stderr: messages, bytes, seconds, messages/s.
 *
 * Speed: a regular file given with -f is mapped and its lines are handed to
 * librdkafka without copying (the mapping outlives the final flush); stdin
 * is read in large blocks and copied per message. Lines without headers
 * are handed over 4096 at a time (rd_kafka_produce_batch), and delivery
 * reports are asked for errors only, so the hot path is: find '\n', fill
 * a slot, and per batch one enqueue and one serving of the callbacks. */
#include "cli/cli_common.h"
#include "cli/cmd.h"

#include "common/arena.h"
#include "engine/formats/json.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: weir produce TOPIC [OPTIONS] [< lines]\n\n"
            "Sends one message per line of stdin (or of -f FILE); ends with a summary on stderr.\n\n"
            "  -f, --file FILE           read lines from FILE instead of stdin\n"
            "  -K, --key-separator SEP   split each line at the first SEP into key and value\n"
            "                            (a line without SEP has a null key)\n"
            "  -k, --key KEY             the same key for every message\n"
            "  -H, --header key=value    a header on every message (repeatable)\n"
            "  -p, --partition N         send to partition N (default: by key, random without key)\n"
            "      --acks all|1|0        (default all)\n"
            "  -z, --compression none|gzip|snappy|lz4|zstd\n"
            "      --json                each line is a JSON object: {\"key\":..., \"value\":...,\n"
            "                            \"headers\": {\"k\":\"v\"} or [{\"key\":\"k\",\"value\":\"v\"}],\n"
            "                            \"partition\": N, \"timestamp\": MS}; a non-string value is\n"
            "                            sent as its JSON text; key_base64 / value_base64 carry bytes\n"
            "                            (so weir consume --output json | weir produce --json copies)\n"
            "  -q, --quiet               no summary line\n"
            "common options: -b HOST:PORT (default localhost:9092), --command-config FILE, -X key=value,\n"
            "  --request-timeout-ms N, --output json (the summary as JSON on stdout), -v\n\n"
            "examples:\n"
            "  echo 'hello' | weir produce greetings\n"
            "  weir produce orders -f orders.txt -K : -H source=batch --acks 1 -z lz4\n"
            "  weir consume orders --from-beginning --output json -e | weir produce orders-copy --json\n");
}

struct prod {
    struct cli *c;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    const char *topic;
    const char *sep;
    size_t seplen;
    const char *fixed_key;
    rd_kafka_headers_t *hdrs; /* -H, copied onto every message */
    int32_t partition;
    int json, copy;
    long long sent, bytes, lines;
    long long failed;   /* delivery errors (reported in rd_kafka_poll, on this thread) */
    long long rejected; /* produce calls that failed (not in sent) */
    rd_kafka_resp_err_t first_err;
    char first_errstr[512];
    int input_err;
    struct arena ar;
    struct buf tmp, kbuf, hbuf; /* JSON mode scratch */
    rd_kafka_message_t *bm;     /* lines without headers, sent with produce_batch */
    int bn;
};

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) {
    (void)sig;
    stop_flag = stop_flag + 1; /* the second Ctrl-C stops waiting for deliveries */
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    struct cli *c = opaque;
    struct prod *p = c->user;
    if (!m->err) return;
    if (!p->failed++) {
        p->first_err = m->err;
        snprintf(p->first_errstr, sizeof p->first_errstr, "%s", rd_kafka_err2str(m->err));
    }
}

/* Produces one message, waiting while librdkafka's queue is full. */
static int send_msg(struct prod *p, int32_t part, const void *key, size_t klen, const void *val, size_t vlen,
                    rd_kafka_headers_t *h, int64_t ts) {
    int flags = p->copy ? RD_KAFKA_MSG_F_COPY : 0;
    for (;;) {
        rd_kafka_resp_err_t e;
        if (!h && !ts) {
            e = rd_kafka_produce(p->rkt, part, flags, (void *)val, vlen, key, klen, NULL) == 0
                    ? RD_KAFKA_RESP_ERR_NO_ERROR
                    : rd_kafka_last_error();
        } else {
            e = rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(p->rkt), RD_KAFKA_V_PARTITION(part),
                                  RD_KAFKA_V_MSGFLAGS(flags), RD_KAFKA_V_VALUE((void *)val, vlen),
                                  RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_TIMESTAMP(ts),
                                  RD_KAFKA_V_END);
        }
        if (!e) break;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(p->rk, 5);
            continue;
        }
        if (h) rd_kafka_headers_destroy(h);
        if (!p->rejected++ && !p->failed) {
            p->first_err = e;
            snprintf(p->first_errstr, sizeof p->first_errstr, "%s", rd_kafka_err2str(e));
        }
        return -1;
    }
    p->sent++;
    p->bytes += (long long)(klen + vlen);
    if ((p->sent & 4095) == 0) rd_kafka_poll(p->rk, 0);
    return 0;
}

/* Lines without headers go out in batches of PROD_BATCH through
 * rd_kafka_produce_batch: one queue lock per batch instead of per message
 * (the payloads must stay put until the batch is flushed: the mapped file
 * does; produce_stream flushes before it reuses its buffer). */
#define PROD_BATCH 4096

static void batch_flush(struct prod *p) {
    int flags = p->copy ? RD_KAFKA_MSG_F_COPY : 0;
    while (p->bn) {
        int n = p->bn;
        int good = rd_kafka_produce_batch(p->rkt, p->partition, flags, p->bm, n);
        if (good == n) {
            for (int i = 0; i < n; i++)
                p->bytes += (long long)(p->bm[i].len + p->bm[i].key_len);
            p->sent += n;
            p->bn = 0;
            break;
        }
        int k = 0; /* keep the ones refused for a full queue, to retry */
        for (int i = 0; i < n; i++) {
            rd_kafka_message_t *m = &p->bm[i];
            if (!m->err) {
                p->sent++;
                p->bytes += (long long)(m->len + m->key_len);
            } else if (m->err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                m->err = 0;
                p->bm[k++] = *m;
            } else if (!p->rejected++ && !p->failed) {
                p->first_err = m->err;
                snprintf(p->first_errstr, sizeof p->first_errstr, "%s", rd_kafka_err2str(m->err));
            }
        }
        p->bn = k;
        if (k) rd_kafka_poll(p->rk, 5);
    }
    rd_kafka_poll(p->rk, 0);
}

static void batch_add(struct prod *p, const void *key, size_t klen, const void *val, size_t vlen) {
    rd_kafka_message_t *m = &p->bm[p->bn++];
    memset(m, 0, sizeof *m);
    m->payload = (void *)val, m->len = vlen;
    m->key = (void *)key, m->key_len = klen;
    if (p->bn == PROD_BATCH) batch_flush(p);
}

/* ---- JSON lines ---- */

/* The bytes of a JSON value as a message field: a string as it is, null or
 * absent as NULL, anything else as its compact JSON text, written to out
 * (which must not grow again while the result is in use). */
static void json_field(const struct json_value *v, struct buf *out, const char **s, size_t *n) {
    *s = NULL, *n = 0;
    if (!v || v->type == JSON_NULL) return;
    if (v->type == JSON_STRING) {
        *s = v->u.str, *n = v->len;
        return;
    }
    buf_clear(out);
    json_write_value(out, v);
    *s = (const char *)out->p, *n = out->len;
}

static int b64val(int ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
}

/* Decodes base64 (standard or URL alphabet, padding optional) into out;
 * -1 on a bad character. */
static int b64_decode(const char *s, size_t n, struct buf *out) {
    uint32_t acc = 0;
    int bits = 0;
    buf_clear(out);
    buf_reserve(out, n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=') break;
        int v = b64val((unsigned char)s[i]);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_putc(out, (uint8_t)(acc >> bits));
        }
    }
    return 0;
}

/* A field given as NAME (text) or NAME_base64 (bytes), as consume writes
 * it; -1 on bad base64. */
static int json_bytes_field(const struct json_value *obj, const char *name, struct buf *out, const char **s,
                            size_t *n) {
    char k[32];
    snprintf(k, sizeof k, "%s_base64", name);
    const struct json_value *b = json_get(obj, k, strlen(k));
    if (b && b->type == JSON_STRING) {
        if (b64_decode(b->u.str, b->len, out)) return -1;
        *s = out->p ? (const char *)out->p : "", *n = out->len;
        return 0;
    }
    json_field(json_get(obj, name, strlen(name)), out, s, n);
    return 0;
}

static int produce_json(struct prod *p, const char *line, size_t n) {
    struct json_value *root = NULL;
    struct json_error je;
    arena_reset(&p->ar);
    if (json_parse(&p->ar, line, n, JSON_STRICT, &root, &je) || root->type != JSON_OBJECT) {
        if (!p->input_err)
            cli_fail(p->c, "line %lld: not a JSON object%s%s", p->lines, root ? "" : ": ",
                     root ? "" : je.msg);
        p->input_err = 1;
        return -1;
    }
    const char *k, *v;
    size_t kn, vn;
    if (json_bytes_field(root, "key", &p->kbuf, &k, &kn) ||
        json_bytes_field(root, "value", &p->tmp, &v, &vn)) {
        if (!p->input_err) cli_fail(p->c, "line %lld: bad base64", p->lines);
        p->input_err = 1;
        return -1;
    }
    if (!k && p->fixed_key) k = p->fixed_key, kn = strlen(k);
    int32_t part = p->partition;
    const struct json_value *jp = json_get(root, "partition", 9);
    if (jp && jp->type == JSON_NUMBER && jp->is_int) part = (int32_t)jp->u.num.i;
    int64_t ts = 0;
    const struct json_value *jt = json_get(root, "timestamp", 9);
    if (jt && jt->type == JSON_NUMBER && jt->is_int) ts = jt->u.num.i;
    rd_kafka_headers_t *h = p->hdrs ? rd_kafka_headers_copy(p->hdrs) : NULL;
    const struct json_value *jh = json_get(root, "headers", 7);
    if (jh && (jh->type == JSON_OBJECT || jh->type == JSON_ARRAY)) {
        if (!h) h = rd_kafka_headers_new(8);
        for (uint32_t i = 0; i < jh->len; i++) {
            const char *hk = NULL, *hv;
            size_t hvn;
            const struct json_value *val = NULL;
            if (jh->type == JSON_OBJECT) {
                hk = jh->u.members[i].key;
                val = &jh->u.members[i].value;
            } else {
                const struct json_value *e = &jh->u.items[i];
                if (e->type == JSON_OBJECT) {
                    const struct json_value *kk = json_get(e, "key", 3);
                    if (kk && kk->type == JSON_STRING) hk = kk->u.str;
                    val = json_get(e, "value", 5);
                    if (!val && hk && json_get(e, "value_base64", 12)) {
                        if (json_bytes_field(e, "value", &p->hbuf, &hv, &hvn)) continue;
                        rd_kafka_header_add(h, hk, -1, hv, (ssize_t)hvn);
                        continue;
                    }
                } else if (e->type == JSON_ARRAY && e->len == 2 && e->u.items[0].type == JSON_STRING) {
                    hk = e->u.items[0].u.str;
                    val = &e->u.items[1];
                }
            }
            if (!hk) continue;
            json_field(val, &p->hbuf, &hv, &hvn);
            rd_kafka_header_add(h, hk, -1, hv, hv ? (ssize_t)hvn : 0); /* copies */
        }
    }
    return send_msg(p, part, k, kn, v, vn, h, ts);
}

static int produce_line(struct prod *p, const char *line, size_t n) {
    p->lines++;
    if (p->json) {
        if (n == 0) return 0;
        return produce_json(p, line, n);
    }
    const char *key = NULL, *val = line;
    size_t klen = 0, vlen = n;
    if (p->sep) {
        const char *s = memmem(line, n, p->sep, p->seplen);
        if (s) {
            key = line, klen = (size_t)(s - line);
            val = s + p->seplen, vlen = n - klen - p->seplen;
        }
    } else if (p->fixed_key) {
        key = p->fixed_key, klen = strlen(key);
    }
    if (!p->hdrs) {
        batch_add(p, key, klen, val, vlen);
        return 0;
    }
    return send_msg(p, p->partition, key, klen, val, vlen, rd_kafka_headers_copy(p->hdrs), 0);
}

/* Lines of a mapped file, produced without copies. */
static void produce_mapped(struct prod *p, const char *d, size_t n) {
    const char *end = d + n;
    while (d < end && !stop_flag) {
        const char *nl = memchr(d, '\n', (size_t)(end - d));
        size_t len = nl ? (size_t)(nl - d) : (size_t)(end - d);
        produce_line(p, d, len);
        d += len + 1;
    }
    batch_flush(p);
}

/* Lines of a stream, read in big blocks (a line longer than the buffer
 * grows it). */
static int produce_stream(struct prod *p, int fd) {
    size_t cap = 1 << 22, have = 0;
    char *b = malloc(cap);
    if (!b) abort();
    int rc = 0;
    while (!stop_flag) {
        if (have == cap) {
            cap *= 2;
            b = realloc(b, cap);
            if (!b) abort();
        }
        ssize_t r = read(fd, b + have, cap - have);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = cli_fail(p->c, "reading input: %s", strerror(errno));
            break;
        }
        if (r == 0) {
            if (have) produce_line(p, b, have);
            batch_flush(p);
            break;
        }
        size_t scan = have;
        have += (size_t)r;
        char *start = b, *end = b + have, *nl;
        char *from = b + scan;
        while ((nl = memchr(from, '\n', (size_t)(end - from)))) {
            produce_line(p, start, (size_t)(nl - start));
            start = from = nl + 1;
        }
        batch_flush(p); /* the batch points into b */
        have = (size_t)(end - start);
        memmove(b, start, have);
        if (p->sent && (p->sent & 1023) == 0) rd_kafka_poll(p->rk, 0);
    }
    free(b);
    return rc;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_produce(int argc, char **argv) {
    struct cli c;
    struct prod p = {0};
    const char *file = NULL, *acks = "all", *comp = NULL;
    int quiet = 0, rc = 1;
    rd_kafka_t *rk = NULL;
    void *map = NULL;
    size_t maplen = 0, mapoff = 0;
    int fd = -1;
    cli_init(&c, "weir produce");
    p.c = &c;
    p.partition = RD_KAFKA_PARTITION_UA;
    arena_init(&p.ar, 16384);
    p.bm = calloc(PROD_BATCH, sizeof *p.bm);
    if (!p.bm) abort();
    c.user = &p;
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
        } else if ((r = cli_opt(&c, argc, argv, &i, "-f", "--file", &v)) != 0) {
            if (r < 0) goto out;
            file = v;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-K", "--key-separator", &v)) != 0) {
            if (r < 0) goto out;
            if (!*v) {
                cli_usage_error(&c, "--key-separator must not be empty");
                goto out;
            }
            p.sep = v, p.seplen = strlen(v);
            if (!strcmp(v, "\\t")) p.sep = "\t", p.seplen = 1;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-k", "--key", &v)) != 0) {
            if (r < 0) goto out;
            p.fixed_key = v;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-H", "--header", &v)) != 0) {
            if (r < 0) goto out;
            const char *eq = strchr(v, '=');
            if (!p.hdrs) p.hdrs = rd_kafka_headers_new(4);
            if (eq)
                rd_kafka_header_add(p.hdrs, v, eq - v, eq + 1, -1);
            else
                rd_kafka_header_add(p.hdrs, v, -1, NULL, 0);
        } else if ((r = cli_opt(&c, argc, argv, &i, "-p", "--partition", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--partition", v, 0, INT32_MAX, &n)) goto out;
            p.partition = (int32_t)n;
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--acks", &v)) != 0) {
            if (r < 0) goto out;
            if (strcmp(v, "all") && strcmp(v, "-1") && strcmp(v, "1") && strcmp(v, "0")) {
                cli_usage_error(&c, "--acks wants all, 1 or 0, got '%s'", v);
                goto out;
            }
            acks = v;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-z", "--compression", &v)) != 0) {
            if (r < 0) goto out;
            comp = v;
        } else if (!strcmp(a, "--json")) {
            p.json = 1;
        } else if (cli_flag(a, "-q", "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            cli_usage_error(&c, "unknown option '%s'", a);
            goto out;
        } else if (!p.topic) {
            p.topic = a;
        } else {
            cli_usage_error(&c, "unexpected argument '%s'", a);
            goto out;
        }
    }
    if (!p.topic) {
        cli_usage_error(&c, "a topic is required");
        goto out;
    }
    if (p.json && p.sep) {
        cli_usage_error(&c, "--json and --key-separator do not go together");
        goto out;
    }
    if (file) {
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            cli_fail(&c, "%s: %s", file, strerror(errno));
            goto out;
        }
    }
    static const char *const defaults[] = {
        "linger.ms",
        "10",
        "batch.num.messages",
        "100000",
        "queue.buffering.max.messages",
        "1000000",
        "message.timeout.ms",
        "60000",
        "delivery.report.only.error",
        "true",
        NULL,
    };
    rd_kafka_conf_t *conf = cli_conf(&c, defaults);
    if (!conf) goto out;
    char err[512];
    if (rd_kafka_conf_set(conf, "acks", acks, err, sizeof err) != RD_KAFKA_CONF_OK ||
        (comp && rd_kafka_conf_set(conf, "compression.type", comp, err, sizeof err) != RD_KAFKA_CONF_OK)) {
        rd_kafka_conf_destroy(conf);
        cli_usage_error(&c, "%s", err);
        goto out;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rk = p.rk = cli_client(&c, RD_KAFKA_PRODUCER, conf);
    if (!rk) goto out;
    p.rkt = rd_kafka_topic_new(rk, p.topic, NULL);
    /* the topic must exist (or be auto-created by this request): failing
     * here beats every message timing out later */
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int attempt = 0; attempt < 20; attempt++) {
        e = rd_kafka_metadata(rk, 0, p.rkt, &md, c.timeout_ms);
        if (e) break;
        c.connected = 1;
        e = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
        int parts = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
        rd_kafka_metadata_destroy(md);
        if (e == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE || (!e && !parts)) { /* being auto-created */
            usleep(100000);
            continue;
        }
        if (!e && p.partition >= parts) {
            cli_fail(&c, "topic '%s' has %d partition%s; there is no partition %d", p.topic, parts,
                     parts == 1 ? "" : "s", p.partition);
            goto out;
        }
        break;
    }
    if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        cli_fail(&c, "unknown topic '%s' (the broker does not create it; use weir topic create)", p.topic);
        goto out;
    }
    if (e) {
        cli_fail_err(&c, "metadata", e, NULL);
        goto out;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    double t0 = now_s();
    struct stat st;
    int in = fd >= 0 ? fd : 0; /* stdin redirected from a file is mapped too */
    if (fstat(in, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && !p.json) {
        off_t pos = lseek(in, 0, SEEK_CUR); /* what is left of it, if it was read from */
        if (pos < 0) pos = 0;
        maplen = (size_t)st.st_size;
        map = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, in, 0);
        if (map != MAP_FAILED) mapoff = (size_t)pos < maplen ? (size_t)pos : maplen;
        if (map == MAP_FAILED) map = NULL;
    }
    if (map) {
        madvise(map, maplen, MADV_SEQUENTIAL);
        p.copy = 0;
        produce_mapped(&p, (const char *)map + mapoff, maplen - mapoff);
    } else {
        p.copy = 1;
        if (produce_stream(&p, in)) goto out;
    }
    /* flush: wait for every delivery (message.timeout.ms bounds it) */
    while (rd_kafka_outq_len(rk) > 0) {
        rd_kafka_flush(rk, 200);
        if (stop_flag > 1) break;
    }
    rd_kafka_poll(rk, 0);
    double secs = now_s() - t0;
    long long lost = rd_kafka_outq_len(rk); /* only after a second Ctrl-C */
    long long bad = p.failed + lost + p.rejected;
    long long ok_msgs = p.sent - p.failed - lost;
    if (ok_msgs < 0) ok_msgs = 0;
    double rate = secs > 0 ? (double)ok_msgs / secs : 0;
    if (c.json) {
        printf("{\"topic\":\"%s\",\"messages\":%lld,\"failed\":%lld,\"bytes\":%lld,\"seconds\":%.3f,"
               "\"messages_per_second\":%.0f}\n",
               p.topic, ok_msgs, bad, p.bytes, secs, rate);
    } else if (!quiet) {
        fprintf(stderr, "%lld messages, %lld bytes in %.3f s (%.0f messages/s, %.1f MB/s) to %s\n", ok_msgs,
                p.bytes, secs, rate, secs > 0 ? (double)p.bytes / secs / 1e6 : 0, p.topic);
    }
    if (bad) {
        char what[600];
        snprintf(what, sizeof what, "%lld of %lld messages not delivered", bad, p.sent + p.rejected);
        int have = p.failed || p.rejected;
        cli_fail_err(&c, what, have ? p.first_err : RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
                     have ? p.first_errstr : NULL);
        goto out;
    }
    if (p.input_err) goto out;
    rc = 0;
out:
    if (rk) {
        if (p.rkt) rd_kafka_topic_destroy(p.rkt);
        rd_kafka_destroy(rk);
    }
    if (map) munmap(map, maplen);
    if (fd >= 0) close(fd);
    if (p.hdrs) rd_kafka_headers_destroy(p.hdrs);
    arena_free(&p.ar);
    free(p.bm);
    buf_free(&p.tmp);
    buf_free(&p.kbuf);
    buf_free(&p.hbuf);
    cli_free(&c);
    return rc;
}
