/* cli_common: what every client subcommand (topic, produce, consume, group,
 * cluster) shares: the common options, the librdkafka configuration built
 * from them, quiet logging, one-line error reports and small output helpers
 * (aligned tables, JSON, timestamps).
 *
 * The one thing to know first: these commands talk to Kafka only through
 * librdkafka, so they work against any Kafka cluster, and every failure ends
 * as exactly one line on stderr ("weir topic create: ...") and exit code 1.
 *
 * Common options (parsed by cli_common_opt, accepted anywhere after the
 * subcommand):
 *   -b, --bootstrap-server HOST:PORT[,...]  default localhost:9092
 *   --command-config FILE   client properties (security.protocol, sasl.*, ssl.*)
 *   -X key=value            any librdkafka property (later wins)
 *   --request-timeout-ms N  how long to wait for a broker / a request (10000)
 *   --output text|json      machine-readable output where it makes sense
 *   -v                      librdkafka's log lines on stderr; -vv adds debug=all
 *
 * Threads: librdkafka calls the log and error callbacks on its own threads;
 * they only touch the fields guarded by `lock`. */
#ifndef WEIR_CLI_COMMON_H
#define WEIR_CLI_COMMON_H

#include "common/buf.h"
#include "common/props.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

struct cli {
    const char *prog;      /* "weir topic create": the prefix of error lines */
    const char *bootstrap; /* -b; NULL: from the properties or localhost:9092 */
    struct props conf;     /* --command-config, then -X, in command-line order */
    int verbose;           /* -v count */
    int json;              /* --output json */
    int timeout_ms;        /* --request-timeout-ms */
    int connected;         /* a metadata request succeeded */
    void *user;            /* the subcommand's own state (for callbacks) */
    pthread_mutex_t lock;  /* guards the fields below */
    int auth_failed;       /* an authentication error was reported */
    int all_down;
    char last_err[512]; /* the last error librdkafka reported */
};

void cli_init(struct cli *c, const char *prog);
void cli_free(struct cli *c);

/* Parses one common option at argv[*i]. Returns 1 if it was one (advancing
 * *i past its value), 0 if it is not a common option, -1 after printing an
 * error (a missing or bad value). */
int cli_common_opt(struct cli *c, int argc, char **argv, int *i);

/* Option helpers. cli_opt: if argv[*i] is `sname` or `lname` (either may be
 * NULL), takes the value from the next argument or after '=' for the long
 * form, stores it in *val, advances *i and returns 1; 0 if not this option;
 * -1 (error printed) if the value is missing. */
int cli_opt(struct cli *c, int argc, char **argv, int *i, const char *sname, const char *lname,
            const char **val);
int cli_flag(const char *arg, const char *sname, const char *lname);
/* The subcommand arg names among subs (NULL-terminated; "ls" stands for
 * "list"), or NULL after a usage error naming it. */
const char *cli_subcommand(struct cli *c, const char *arg, const char *const *subs);
/* Parses a decimal integer in [min, max]; prints an error naming opt. */
int cli_int(struct cli *c, const char *opt, const char *s, long long min, long long max, long long *out);
/* A timestamp: milliseconds since the epoch, or an ISO 8601 date-time
 * (YYYY-MM-DD[THH:MM[:SS[.sss]]][Z|+HH:MM|-HH:MM]; without a zone: UTC).
 * Returns 0 or -1. */
int cli_parse_time(const char *s, int64_t *ms);
/* Formats ms since the epoch as 2024-01-02T03:04:05.678Z. */
void cli_fmt_time(int64_t ms, char *out, size_t cap);

/* Prints "PROG: message" on stderr; returns 1 (the exit code). */
int cli_fail(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a usage error and a pointer to --help; returns 1. */
int cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A configuration: `defaults` (key, value pairs ending in NULL; may be NULL)
 * first, then --command-config and -X, then -b; log and error callbacks that
 * stay quiet unless -v; c as the opaque. NULL (error printed) on a bad
 * property. The caller may set more and passes it to cli_client. */
rd_kafka_conf_t *cli_conf(struct cli *c, const char *const *defaults);
/* rd_kafka_new; takes conf. NULL after printing the error. */
rd_kafka_t *cli_client(struct cli *c, rd_kafka_type_t type, rd_kafka_conf_t *conf);
/* Fetches metadata (all topics if all_topics, else brokers only) within the
 * request timeout. On failure prints why (no broker reachable, auth failed)
 * and returns -1. The caller frees *md with rd_kafka_metadata_destroy. */
int cli_metadata(struct cli *c, rd_kafka_t *rk, int all_topics, const struct rd_kafka_metadata **md);
/* The topic in md, or NULL. */
const struct rd_kafka_metadata_topic *cli_md_topic(const struct rd_kafka_metadata *md, const char *name);

/* The reason for a failure, in words a user can act on: "not supported by
 * this broker", "no broker reachable at ... within N ms", "authentication
 * failed: ...", "unknown topic", or detail / librdkafka's text. */
const char *cli_reason(struct cli *c, rd_kafka_resp_err_t err, const char *detail, char *out, size_t cap);
/* cli_fail with "what: reason". */
int cli_fail_err(struct cli *c, const char *what, rd_kafka_resp_err_t err, const char *detail);

/* Admin calls: options with the request timeout, and a wait for the result
 * event on q (NULL after printing an error on timeout). The caller destroys
 * the event. If the event carries a request-level error, it is reported as
 * `what` and NULL is returned (the event destroyed). */
rd_kafka_AdminOptions_t *cli_admin_options(struct cli *c, rd_kafka_t *rk, rd_kafka_admin_op_t op);
rd_kafka_event_t *cli_admin_wait(struct cli *c, rd_kafka_queue_t *q, const char *what);

/* Aligned text tables: add cells row by row, then print (columns padded
 * with two spaces between; NULL or "" cells print as "-"). */
struct cli_table {
    int ncols, nrows, cap;
    char **cells; /* nrows * ncols, owned */
};
void cli_table_init(struct cli_table *t, int ncols, const char *const *header);
void cli_table_row(struct cli_table *t, const char *const *cells);
void cli_table_print(const struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);

/* JSON output helpers on a buf: a key (with the comma before it unless
 * first), then a value. */
void cli_json_key(struct buf *b, int *first, const char *key);
void cli_json_str(struct buf *b, const char *s); /* NULL -> null */
/* Writes b to stdout followed by a newline, and clears it. */
void cli_json_emit(struct buf *b);
/* 1 if s[0..n) is valid UTF-8. */
int cli_utf8_valid(const unsigned char *s, size_t n);

#endif
