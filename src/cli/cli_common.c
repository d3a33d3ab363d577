/* cli_common: see cli_common.h. */
#include "cli/cli_common.h"

#include "engine/formats/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cli_init(struct cli *c, const char *prog) {
    memset(c, 0, sizeof *c);
    c->prog = prog;
    c->timeout_ms = 10000;
    pthread_mutex_init(&c->lock, NULL);
}

void cli_free(struct cli *c) {
    props_free(&c->conf);
    pthread_mutex_destroy(&c->lock);
}

int cli_fail(struct cli *c, const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int cli_usage_error(struct cli *c, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see '%s --help')\n", c->prog);
    return 1;
}

int cli_flag(const char *arg, const char *sname, const char *lname) {
    return (sname && !strcmp(arg, sname)) || (lname && !strcmp(arg, lname));
}

const char *cli_subcommand(struct cli *c, const char *arg, const char *const *subs) {
    if (!strcmp(arg, "ls")) arg = "list";
    for (; *subs; subs++)
        if (!strcmp(arg, *subs)) return *subs;
    cli_usage_error(c, "unknown subcommand '%s'", arg);
    return NULL;
}

int cli_opt(struct cli *c, int argc, char **argv, int *i, const char *sname, const char *lname,
            const char **val) {
    const char *a = argv[*i];
    if (cli_flag(a, sname, lname)) {
        if (*i + 1 >= argc) {
            cli_usage_error(c, "option %s needs a value", a);
            return -1;
        }
        *val = argv[++*i];
        return 1;
    }
    size_t n = lname ? strlen(lname) : 0;
    if (lname && !strncmp(a, lname, n) && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    /* -Xkey=value, -b host: short options glued to their value */
    if (sname && strlen(sname) == 2 && !strncmp(a, sname, 2) && a[2]) {
        *val = a + 2;
        return 1;
    }
    return 0;
}

int cli_int(struct cli *c, const char *opt, const char *s, long long min, long long max, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max) {
        if (max == INT64_MAX || max == 0x7fffffffffffffffLL)
            cli_usage_error(c, "%s wants an integer >= %lld, got '%s'", opt, min, s);
        else
            cli_usage_error(c, "%s wants an integer from %lld to %lld, got '%s'", opt, min, max, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_common_opt(struct cli *c, int argc, char **argv, int *i) {
    const char *v = NULL;
    int r;
    const char *a = argv[*i];
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
        c->verbose++;
        return 1;
    }
    if (!strcmp(a, "-vv")) {
        c->verbose += 2;
        return 1;
    }
    if ((r = cli_opt(c, argc, argv, i, "-b", "--bootstrap-server", &v)) != 0) {
        if (r > 0) c->bootstrap = v;
        return r;
    }
    if ((r = cli_opt(c, argc, argv, i, NULL, "--bootstrap-servers", &v)) != 0) {
        if (r > 0) c->bootstrap = v;
        return r;
    }
    if ((r = cli_opt(c, argc, argv, i, NULL, "--command-config", &v)) != 0) {
        if (r < 0) return r;
        char err[512];
        if (props_load_file(&c->conf, v, err, sizeof err)) {
            cli_fail(c, "--command-config: %s", err);
            return -1;
        }
        return 1;
    }
    if ((r = cli_opt(c, argc, argv, i, "-X", NULL, &v)) != 0) {
        if (r < 0) return r;
        if (props_set_kv(&c->conf, v)) {
            cli_usage_error(c, "-X wants key=value, got '%s'", v);
            return -1;
        }
        return 1;
    }
    if ((r = cli_opt(c, argc, argv, i, NULL, "--request-timeout-ms", &v)) != 0) {
        long long t;
        if (r < 0 || cli_int(c, "--request-timeout-ms", v, 1, 3600000, &t)) return -1;
        c->timeout_ms = (int)t;
        return 1;
    }
    if ((r = cli_opt(c, argc, argv, i, NULL, "--output", &v)) != 0) {
        if (r < 0) return r;
        if (!strcmp(v, "json"))
            c->json = 1;
        else if (!strcmp(v, "text"))
            c->json = 0;
        else {
            cli_usage_error(c, "--output wants text or json, got '%s'", v);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* ---- time ---- */

static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int k = 0; k < n; k++) {
        if (!isdigit((unsigned char)**p)) return -1;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return 0;
}

int cli_parse_time(const char *s, int64_t *ms) {
    const char *p = s;
    int all_digits = *s != 0;
    for (const char *q = s; *q; q++)
        if (!isdigit((unsigned char)*q)) all_digits = 0;
    if (all_digits && strlen(s) > 8) { /* epoch milliseconds */
        *ms = strtoll(s, NULL, 10);
        return 0;
    }
    int Y, M, D, h = 0, m = 0, sec = 0, frac = 0;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' || digits(&p, 2, &D)) return -1;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m)) return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec)) return -1;
            if (*p == '.') {
                p++;
                int n = 0, scale = 100;
                while (isdigit((unsigned char)*p)) {
                    if (n < 3) frac += (*p - '0') * scale, scale /= 10;
                    p++, n++;
                }
                if (!n) return -1;
            }
        }
    }
    int off = 0; /* zone offset in minutes */
    if (*p == 'Z')
        p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (digits(&p, 2, &oh)) return -1;
        if (*p == ':') p++;
        if (*p && digits(&p, 2, &om)) return -1;
        off = sign * (oh * 60 + om);
    }
    if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return -1;
    struct tm tm = {0};
    tm.tm_year = Y - 1900, tm.tm_mon = M - 1, tm.tm_mday = D, tm.tm_hour = h, tm.tm_min = m, tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *ms = ((int64_t)t - (int64_t)off * 60) * 1000 + frac;
    return 0;
}

void cli_fmt_time(int64_t ms, char *out, size_t cap) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* ---- librdkafka configuration and callbacks ---- */

/* librdkafka prefixes messages with "[thrd:NAME]: "; users need not see it. */
static const char *strip_thread(const char *s) {
    if (!strncmp(s, "[thrd:", 6) && strstr(s, "]: ")) return strstr(s, "]: ") + 3;
    return s;
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    struct cli *c = rd_kafka_opaque(rk);
    if (c && c->verbose) {
        fprintf(stderr, "%%%d|%s| %s\n", level, fac, buf);
        return;
    }
    if (c && level <= 3) {
        pthread_mutex_lock(&c->lock);
        snprintf(c->last_err, sizeof c->last_err, "%s", strip_thread(buf));
        if (strstr(buf, "uthenticat") || strstr(buf, "SASL")) c->auth_failed = 1;
        pthread_mutex_unlock(&c->lock);
    }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    struct cli *c = opaque;
    reason = strip_thread(reason);
    if (c->verbose) fprintf(stderr, "%%ERROR| %s: %s\n", rd_kafka_err2name(err), reason);
    pthread_mutex_lock(&c->lock);
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        c->all_down = 1;
    else
        snprintf(c->last_err, sizeof c->last_err, "%s", reason);
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
        err == RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE || err == RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM) {
        c->auth_failed = 1;
        snprintf(c->last_err, sizeof c->last_err, "%s", reason);
    }
    pthread_mutex_unlock(&c->lock);
}

static int conf_set(struct cli *c, rd_kafka_conf_t *conf, const char *k, const char *v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
        cli_fail(c, "client property %s=%s: %s", k, v, err);
        return -1;
    }
    return 0;
}

rd_kafka_conf_t *cli_conf(struct cli *c, const char *const *defaults) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "client.id", "weir-cli", NULL, 0);
    rd_kafka_conf_set(conf, "log.connection.close", "false", NULL, 0);
    for (size_t i = 0; defaults && defaults[i]; i += 2)
        if (conf_set(c, conf, defaults[i], defaults[i + 1])) goto fail;
    for (size_t i = 0; i < c->conf.n; i++)
        if (conf_set(c, conf, c->conf.v[i].key, c->conf.v[i].value)) goto fail;
    if (c->bootstrap) {
        if (conf_set(c, conf, "bootstrap.servers", c->bootstrap)) goto fail;
    } else if (!props_get(&c->conf, "bootstrap.servers") && !props_get(&c->conf, "metadata.broker.list")) {
        rd_kafka_conf_set(conf, "bootstrap.servers", "localhost:9092", NULL, 0);
    }
    if (c->verbose > 1 && !props_get(&c->conf, "debug")) rd_kafka_conf_set(conf, "debug", "all", NULL, 0);
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_opaque(conf, c);
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

static const char *bootstrap_of(struct cli *c) {
    if (c->bootstrap) return c->bootstrap;
    const char *b = props_get(&c->conf, "bootstrap.servers");
    if (!b) b = props_get(&c->conf, "metadata.broker.list");
    return b ? b : "localhost:9092";
}

rd_kafka_t *cli_client(struct cli *c, rd_kafka_type_t type, rd_kafka_conf_t *conf) {
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        cli_fail(c, "cannot create a Kafka client: %s", err);
    }
    return rk;
}

const char *cli_reason(struct cli *c, rd_kafka_resp_err_t err, const char *detail, char *out, size_t cap) {
    char last[512];
    int auth;
    pthread_mutex_lock(&c->lock);
    snprintf(last, sizeof last, "%s", c->last_err);
    auth = c->auth_failed;
    pthread_mutex_unlock(&c->lock);
    switch (err) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
        snprintf(out, cap, "authentication failed: %s", detail && *detail ? detail : last);
        return out;
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
        snprintf(out, cap, "not supported by this broker");
        return out;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC: snprintf(out, cap, "unknown topic"); return out;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
        snprintf(out, cap, "not authorized (%s)", rd_kafka_err2str(err));
        return out;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
        if (auth) {
            snprintf(out, cap, "authentication failed: %s", last);
            return out;
        }
        if (!c->connected) {
            snprintf(out, cap, "no broker reachable at %s within %d ms%s%s", bootstrap_of(c), c->timeout_ms,
                     last[0] ? ": " : "", last);
            return out;
        }
        snprintf(out, cap, "%s",
                 err == RD_KAFKA_RESP_ERR__TRANSPORT ? "connection to the broker lost"
                                                     : "timed out waiting for the broker");
        return out;
    default: break;
    }
    if (detail && *detail)
        snprintf(out, cap, "%s", detail);
    else
        snprintf(out, cap, "%s", rd_kafka_err2str(err));
    return out;
}

int cli_fail_err(struct cli *c, const char *what, rd_kafka_resp_err_t err, const char *detail) {
    char r[1024];
    cli_reason(c, err, detail, r, sizeof r);
    return cli_fail(c, "%s: %s", what, r);
}

int cli_metadata(struct cli *c, rd_kafka_t *rk, int all_topics, const struct rd_kafka_metadata **md) {
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, all_topics, NULL, md, c->timeout_ms);
    if (err) {
        *md = NULL;
        cli_fail_err(c, "metadata", err, NULL);
        return -1;
    }
    c->connected = 1;
    return 0;
}

const struct rd_kafka_metadata_topic *cli_md_topic(const struct rd_kafka_metadata *md, const char *name) {
    for (int i = 0; i < md->topic_cnt; i++)
        if (!strcmp(md->topics[i].topic, name)) return &md->topics[i];
    return NULL;
}

rd_kafka_AdminOptions_t *cli_admin_options(struct cli *c, rd_kafka_t *rk, rd_kafka_admin_op_t op) {
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    char err[256];
    rd_kafka_AdminOptions_set_request_timeout(o, c->timeout_ms, err, sizeof err);
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
        op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS)
        rd_kafka_AdminOptions_set_operation_timeout(o, c->timeout_ms, err, sizeof err);
    return o;
}

rd_kafka_event_t *cli_admin_wait(struct cli *c, rd_kafka_queue_t *q, const char *what) {
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, c->timeout_ms + 2000);
    if (!ev) {
        cli_fail_err(c, what, RD_KAFKA_RESP_ERR__TIMED_OUT, NULL);
        return NULL;
    }
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    if (err) {
        cli_fail_err(c, what, err, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

/* ---- tables ---- */

static char *xstrdup(const char *s) {
    char *d = strdup(s ? s : "");
    if (!d) abort();
    return d;
}

void cli_table_init(struct cli_table *t, int ncols, const char *const *header) {
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    if (header) cli_table_row(t, header);
}

void cli_table_row(struct cli_table *t, const char *const *cells) {
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = realloc(t->cells, (size_t)t->cap * t->ncols * sizeof *t->cells);
        if (!t->cells) abort();
    }
    for (int i = 0; i < t->ncols; i++)
        t->cells[(size_t)t->nrows * t->ncols + i] = xstrdup(cells[i] && *cells[i] ? cells[i] : "-");
    t->nrows++;
}

void cli_table_print(const struct cli_table *t, FILE *f) {
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    if (!w) abort();
    for (int r = 0; r < t->nrows; r++)
        for (int i = 0; i < t->ncols; i++) {
            size_t l = strlen(t->cells[(size_t)r * t->ncols + i]);
            if (l > w[i]) w[i] = l;
        }
    for (int r = 0; r < t->nrows; r++) {
        for (int i = 0; i < t->ncols; i++) {
            const char *s = t->cells[(size_t)r * t->ncols + i];
            if (i == t->ncols - 1)
                fputs(s, f);
            else
                fprintf(f, "%-*s  ", (int)w[i], s);
        }
        fputc('\n', f);
    }
    free(w);
}

void cli_table_free(struct cli_table *t) {
    for (size_t i = 0; i < (size_t)t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* ---- JSON ---- */

void cli_json_key(struct buf *b, int *first, const char *key) {
    if (!*first) buf_putc(b, ',');
    *first = 0;
    json_write_string(b, key, strlen(key));
    buf_putc(b, ':');
}

void cli_json_str(struct buf *b, const char *s) {
    if (!s)
        buf_append(b, "null", 4);
    else
        json_write_string(b, s, strlen(s));
}

void cli_json_emit(struct buf *b) {
    buf_putc(b, '\n');
    fwrite(b->p, 1, b->len, stdout);
    buf_clear(b);
}

int cli_utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char ch = s[i];
        if (ch < 0x80) {
            i++;
            continue;
        }
        int len;
        uint32_t cp;
        if ((ch & 0xe0) == 0xc0)
            len = 2, cp = ch & 0x1f;
        else if ((ch & 0xf0) == 0xe0)
            len = 3, cp = ch & 0x0f;
        else if ((ch & 0xf8) == 0xf0)
            len = 4, cp = ch & 0x07;
        else
            return 0;
        if (i + (size_t)len > n) return 0;
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += (size_t)len;
    }
    return 1;
}
