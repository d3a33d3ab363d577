/* loadgen: the benchmark load generator, a librdkafka client.
 *
 *   loadgen produce -b HOST:PORT -t TOPIC [-n N] [-s SIZE] [-a ACKS] [-l LINGER_MS] [-B BATCH_BYTES]
 *   loadgen consume -b HOST:PORT -t TOPIC [-n N]     (N = 0: until every partition's end)
 *   loadgen latency -b HOST:PORT -t TOPIC [-r RATE] [-d SECONDS] [-s SIZE] [-a ACKS] [-l LINGER_MS]
 *   loadgen create  -b HOST:PORT -t TOPIC -p PARTITIONS
 *   loadgen startup -P PORT -- COMMAND ARGS...       (exec to first accepted connect, ms)
 *   loadgen fsync   -D DIR [-n N] [-s SIZE]          (append SIZE bytes + fdatasync, N times)
 *   loadgen freeport
 *
 * Every mode prints one machine-readable line starting with "RESULT" (key=value
 * pairs) on stdout; human notes go to stderr. The one thing to know first:
 * the same librdkafka settings are used whatever the broker, so that the ratios
 * bench/run.sh prints compare brokers, not client configurations.
 *
 * produce: N messages of SIZE bytes from one static payload (no copy), keyless
 * so the partitioner spreads them over the topic's partitions; the clock runs
 * from the first produce() to the last delivery report.
 * consume: the legacy queue consumer (rd_kafka_consume_start_queue on every
 * partition from the beginning), so no group coordinator is needed; the clock
 * runs from the start to the N-th message (or the last partition EOF).
 * latency: a pacing loop sends at a fixed rate (absolute sleeps, no bursts);
 * a second thread serves delivery reports; the latency of a message is from
 * its produce() call to its delivery report. Percentiles are exact (sorted).
 * fsync: the disk's floor for acks=all: the latency of fdatasync after an
 * append to a fresh file in DIR (what one group commit costs at best). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <librdkafka/rdkafka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
    const char *brokers, *topic, *dir;
    long long n;
    int size, acks, linger_ms, batch_bytes, partitions, port;
    double rate, secs;
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *fmt, const char *arg) {
    fprintf(stderr, "loadgen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static void set(rd_kafka_conf_t *c, const char *k, const char *v) {
    char err[256];
    if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) die("config: %s", err);
}

static void setn(rd_kafka_conf_t *c, const char *k, long long v) {
    char s[32];
    snprintf(s, sizeof s, "%lld", v);
    set(c, k, s);
}

static int64_t t_start;

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    if (level <= 4 || getenv("LOADGEN_DEBUG"))
        fprintf(stderr, "%9.3f ms librdkafka %s: %s\n", (double)(now_ns() - t_start) / 1e6, fac, buf);
}

/* Settings shared by every producer mode and every broker. */
static rd_kafka_conf_t *producer_conf(const struct opts *o) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    set(c, "bootstrap.servers", o->brokers);
    setn(c, "acks", o->acks);
    setn(c, "linger.ms", o->linger_ms);
    setn(c, "batch.size", o->batch_bytes);
    set(c, "batch.num.messages", "1000000");
    set(c, "queue.buffering.max.messages", "10000000");
    set(c, "queue.buffering.max.kbytes", "2097151");
    set(c, "compression.codec", "none");
    set(c, "socket.nagle.disable", "true");
    set(c, "enable.idempotence", "false");
    set(c, "message.timeout.ms", "60000");
    rd_kafka_conf_set_log_cb(c, on_log);
    return c;
}

static rd_kafka_t *new_client(rd_kafka_type_t type, rd_kafka_conf_t *c) {
    char err[512];
    if (getenv("LOADGEN_DEBUG")) set(c, "debug", getenv("LOADGEN_DEBUG")); /* e.g. fetch,protocol */
    rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof err);
    if (!rk) die("rd_kafka_new: %s", err);
    return rk;
}

/* Partition count of a topic (auto-created by the metadata request if the
 * broker does that); waits up to 20 s for the topic to have leaders. */
static int topic_partitions(rd_kafka_t *rk, rd_kafka_topic_t *rkt) {
    int64_t deadline = now_ns() + 20LL * 1000000000;
    while (now_ns() < deadline) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 2000);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            int n = 0, ok = md->topic_cnt == 1 && md->topics[0].err == 0;
            if (ok) {
                n = md->topics[0].partition_cnt;
                for (int i = 0; i < n; i++)
                    if (md->topics[0].partitions[i].leader < 0) ok = 0;
            }
            rd_kafka_metadata_destroy(md);
            if (ok && n > 0) return n;
        }
        usleep(100000);
    }
    die("topic %s has no usable metadata", rd_kafka_topic_name(rkt));
    return 0;
}

/* ---- produce ---- */

static long long dr_ok, dr_err;
static rd_kafka_resp_err_t dr_first_err;

static void dr_count(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) {
        if (!dr_err++) dr_first_err = m->err;
    } else {
        dr_ok++;
    }
}

static int mode_produce(const struct opts *o) {
    rd_kafka_conf_t *c = producer_conf(o);
    rd_kafka_conf_set_dr_msg_cb(c, dr_count);
    rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, c);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    int parts = topic_partitions(rk, rkt);
    char *payload = malloc((size_t)o->size + 1);
    for (int i = 0; i < o->size; i++) payload[i] = (char)('a' + i % 26);

    int64_t t0 = now_ns();
    for (long long i = 0; i < o->n;) {
        if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload, (size_t)o->size, NULL, 0, NULL) == 0) {
            i++;
            if ((i & 0xffff) == 0) rd_kafka_poll(rk, 0);
            continue;
        }
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            die("produce: %s", rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_poll(rk, 1);
    }
    int64_t t_queued = now_ns();
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 5);
    int64_t t1 = now_ns();
    double secs = (double)(t1 - t0) / 1e9;
    if (dr_err) fprintf(stderr, "loadgen: %lld delivery errors, first: %s\n", dr_err, rd_kafka_err2str(dr_first_err));
    printf("RESULT mode=produce msgs=%lld size=%d acks=%d partitions=%d delivered=%lld errors=%lld secs=%.3f "
           "queue_secs=%.3f msgs_per_s=%.0f mb_per_s=%.1f\n",
           o->n, o->size, o->acks, parts, dr_ok, dr_err, secs, (double)(t_queued - t0) / 1e9,
           (double)dr_ok / secs, (double)dr_ok * o->size / secs / 1e6);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(payload);
    return dr_err ? 2 : 0;
}

/* ---- consume ---- */

struct cstate {
    long long got, bytes;
    int parts, eofs, *at_eof;
    int64_t tfirst;
};

static void on_message(rd_kafka_message_t *m, void *opaque) {
    struct cstate *cs = opaque;
    int p = m->partition;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (p >= 0 && p < cs->parts && !cs->at_eof[p]) {
            cs->at_eof[p] = 1;
            cs->eofs++;
        }
    } else if (m->err) {
        fprintf(stderr, "loadgen: consume error: %s\n", rd_kafka_message_errstr(m));
    } else {
        if (!cs->got) cs->tfirst = now_ns();
        cs->got++;
        cs->bytes += (long long)m->len;
        if (p >= 0 && p < cs->parts && cs->at_eof[p]) {
            cs->at_eof[p] = 0;
            cs->eofs--;
        }
    }
    /* the callback API destroys the message itself */
}

static int mode_consume(const struct opts *o) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    set(c, "bootstrap.servers", o->brokers);
    set(c, "enable.partition.eof", "true");
    set(c, "queued.min.messages", "1000000");
    set(c, "queued.max.messages.kbytes", "1048576");
    set(c, "fetch.max.bytes", "52428800");
    set(c, "max.partition.fetch.bytes", getenv("PFETCH") ? getenv("PFETCH") : "1048576");
    set(c, "fetch.wait.max.ms", getenv("FWAIT") ? getenv("FWAIT") : "100");
    set(c, "socket.nagle.disable", "true");
    set(c, "check.crcs", "false");
    rd_kafka_conf_set_log_cb(c, on_log);
    rd_kafka_t *rk = new_client(RD_KAFKA_CONSUMER, c);
    rd_kafka_topic_conf_t *tc = rd_kafka_topic_conf_new();
    char err[256];
    rd_kafka_topic_conf_set(tc, "auto.offset.reset", "earliest", err, sizeof err);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, tc);
    int parts = topic_partitions(rk, rkt);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);

    int64_t t0 = now_ns();
    for (int p = 0; p < parts; p++)
        if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q))
            die("consume_start: %s", rd_kafka_err2str(rd_kafka_last_error()));
    struct cstate cs = {.parts = parts, .at_eof = calloc((size_t)parts, sizeof(int))};
    int64_t idle_since = now_ns();
    while (o->n > 0 ? cs.got < o->n : cs.eofs < parts) {
        /* serves what is queued, waiting up to 100 ms only for the first */
        int k = rd_kafka_consume_callback_queue(q, 100, on_message, &cs);
        if (k <= 0) {
            if (now_ns() - idle_since > 30LL * 1000000000) {
                fprintf(stderr, "loadgen: consume stalled at %lld messages\n", cs.got);
                break;
            }
            continue;
        }
        idle_since = now_ns();
    }
    long long got = cs.got, bytes = cs.bytes;
    int64_t tfirst = cs.tfirst;
    int64_t t1 = now_ns();
    double secs = (double)(t1 - t0) / 1e9;
    double secs_first = tfirst ? (double)(t1 - tfirst) / 1e9 : 0;
    printf("RESULT mode=consume msgs=%lld partitions=%d secs=%.3f msgs_per_s=%.0f mb_per_s=%.1f "
           "from_first_secs=%.3f first_msg_ms=%.1f\n",
           got, parts, secs, (double)got / secs, (double)bytes / secs / 1e6, secs_first,
           tfirst ? (double)(tfirst - t0) / 1e6 : -1.0);
    for (int p = 0; p < parts; p++) rd_kafka_consume_stop(rkt, p);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(cs.at_eof);
    return got >= o->n ? 0 : 2;
}

/* ---- latency ---- */

static int64_t *lat_ns;
static long long lat_n, lat_cap, lat_err;
static volatile int lat_stop;

static void dr_latency(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    int64_t sent = (int64_t)(intptr_t)m->_private;
    if (m->err) {
        lat_err++;
        return;
    }
    if (lat_n < lat_cap) lat_ns[lat_n++] = now_ns() - sent;
}

static void *poll_thread(void *arg) {
    rd_kafka_t *rk = arg;
    while (!lat_stop) rd_kafka_poll(rk, 50);
    return NULL;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(double p) {
    if (!lat_n) return -1;
    long long i = (long long)(p / 100.0 * (double)lat_n);
    if (i >= lat_n) i = lat_n - 1;
    return (double)lat_ns[i] / 1e6;
}

static int mode_latency(const struct opts *o) {
    rd_kafka_conf_t *c = producer_conf(o);
    rd_kafka_conf_set_dr_msg_cb(c, dr_latency);
    rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, c);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    int parts = topic_partitions(rk, rkt);
    long long total = (long long)(o->rate * o->secs);
    lat_cap = total + 16;
    lat_ns = malloc((size_t)lat_cap * sizeof *lat_ns);
    char *payload = malloc((size_t)o->size + 1);
    memset(payload, 'x', (size_t)o->size);

    /* warm up the connection and metadata: one message, waited for */
    rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload, (size_t)o->size, NULL, 0, (void *)(intptr_t)now_ns());
    rd_kafka_flush(rk, 10000);
    lat_n = 0;

    pthread_t th;
    pthread_create(&th, NULL, poll_thread, rk);
    double gap_ns = 1e9 / o->rate;
    int64_t t0 = now_ns();
    long long late = 0;
    for (long long i = 0; i < total; i++) {
        int64_t due = t0 + (int64_t)((double)i * gap_ns);
        int64_t now = now_ns();
        if (now < due) {
            struct timespec ts = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        } else if (now - due > 1000000) {
            late++; /* more than 1 ms behind schedule: the generator could not keep the rate */
        }
        int64_t sent = now_ns();
        while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload, (size_t)o->size, NULL, 0,
                                (void *)(intptr_t)sent))
            usleep(100);
    }
    int64_t t_end = now_ns();
    /* only the poll thread serves delivery reports: wait for it to drain */
    while (rd_kafka_outq_len(rk) > 0 && now_ns() - t_end < 30LL * 1000000000) usleep(1000);
    lat_stop = 1;
    pthread_join(th, NULL);
    double secs = (double)(t_end - t0) / 1e9;
    qsort(lat_ns, (size_t)lat_n, sizeof *lat_ns, cmp64);
    double sum = 0;
    for (long long i = 0; i < lat_n; i++) sum += (double)lat_ns[i];
    printf("RESULT mode=latency rate=%.0f achieved_rate=%.0f secs=%.1f acks=%d partitions=%d msgs=%lld errors=%lld "
           "late=%lld mean_ms=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
           o->rate, (double)total / secs, secs, o->acks, parts, lat_n, lat_err, late,
           lat_n ? sum / (double)lat_n / 1e6 : -1.0, pct(50), pct(99), pct(99.9),
           lat_n ? (double)lat_ns[lat_n - 1] / 1e6 : -1.0);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(payload);
    free(lat_ns);
    return lat_err ? 2 : 0;
}

/* ---- create ---- */

static int mode_create(const struct opts *o) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    set(c, "bootstrap.servers", o->brokers);
    rd_kafka_conf_set_log_cb(c, on_log);
    rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, c);
    char err[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(o->topic, o->partitions, 1, err, sizeof err);
    if (!nt) die("NewTopic: %s", err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
    int rc = 1;
    if (!ev) {
        fprintf(stderr, "loadgen: CreateTopics timed out\n");
    } else if (rd_kafka_event_error(ev)) {
        fprintf(stderr, "loadgen: CreateTopics: %s\n", rd_kafka_event_error_string(ev));
    } else {
        size_t n;
        const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rc = 0;
        for (size_t i = 0; i < n; i++)
            if (rd_kafka_topic_result_error(res[i])) {
                fprintf(stderr, "loadgen: CreateTopics %s: %s\n", rd_kafka_topic_result_name(res[i]),
                        rd_kafka_topic_result_error_string(res[i]));
                rc = 1;
            }
    }
    if (ev) rd_kafka_event_destroy(ev);
    if (!rc) printf("RESULT mode=create topic=%s partitions=%d\n", o->topic, o->partitions);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

/* ---- startup ---- */

static int try_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

/* Execs argv, polls connect() on the port every 200 us, prints the time from
 * fork to the first successful connect, then stops the child with SIGTERM. */
static int mode_startup(const struct opts *o, char **argv) {
    if (try_connect(o->port)) die("port %s is already in use", "");
    int64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0 && !getenv("LOADGEN_DEBUG")) dup2(devnull, 2); /* the broker's log is not a result */
        execv(argv[0], argv);
        _exit(127);
    }
    int64_t t1 = 0;
    while (now_ns() - t0 < 10LL * 1000000000) {
        if (try_connect(o->port)) {
            t1 = now_ns();
            break;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) die("%s exited before listening", argv[0]);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    if (!t1) die("%s did not listen within 10 s", argv[0]);
    printf("RESULT mode=startup ms=%.2f\n", (double)(t1 - t0) / 1e6);
    return 0;
}

static int mode_fsync(const struct opts *o) {
    char path[4096];
    snprintf(path, sizeof path, "%s/loadgen-fsync.tmp", o->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fd < 0) die("open: %s", strerror(errno));
    char *buf = malloc((size_t)o->size);
    memset(buf, 'f', (size_t)o->size);
    lat_n = 0;
    lat_ns = malloc((size_t)o->n * sizeof *lat_ns);
    for (long long i = 0; i < o->n; i++) {
        int64_t t = now_ns();
        if (write(fd, buf, (size_t)o->size) != o->size || fdatasync(fd)) die("write/fdatasync: %s", strerror(errno));
        lat_ns[lat_n++] = now_ns() - t;
    }
    close(fd);
    unlink(path);
    qsort(lat_ns, (size_t)lat_n, sizeof *lat_ns, cmp64);
    printf("RESULT mode=fsync n=%lld size=%d p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n", lat_n, o->size, pct(50),
           pct(99), pct(99.9), (double)lat_ns[lat_n - 1] / 1e6);
    free(buf);
    free(lat_ns);
    return 0;
}

static int mode_freeport(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || getsockname(fd, (struct sockaddr *)&sa, &sl))
        die("bind: %s", strerror(errno));
    printf("%d\n", ntohs(sa.sin_port));
    close(fd);
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: loadgen produce|consume|latency|create|startup|fsync|freeport [options] (see bench/loadgen.c)\n");
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    t_start = now_ns();
    const char *mode = argv[1];
    struct opts o = {.brokers = "127.0.0.1:9092", .topic = "bench", .n = 1000000, .size = 100, .acks = 1,
                     .linger_ms = 5, .batch_bytes = 1000000, .partitions = 1, .rate = 20000, .secs = 10};
    int lat = !strcmp(mode, "latency");
    if (lat) o.linger_ms = 0;
    int i;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "-b")) o.brokers = v;
        else if (!strcmp(a, "-t")) o.topic = v;
        else if (!strcmp(a, "-n")) o.n = atoll(v);
        else if (!strcmp(a, "-s")) o.size = atoi(v);
        else if (!strcmp(a, "-a")) o.acks = atoi(v);
        else if (!strcmp(a, "-l")) o.linger_ms = atoi(v);
        else if (!strcmp(a, "-B")) o.batch_bytes = atoi(v);
        else if (!strcmp(a, "-p")) o.partitions = atoi(v);
        else if (!strcmp(a, "-P")) o.port = atoi(v);
        else if (!strcmp(a, "-r")) o.rate = atof(v);
        else if (!strcmp(a, "-d")) o.secs = atof(v);
        else if (!strcmp(a, "-D")) o.dir = v;
        else usage();
    }
    if (!strcmp(mode, "produce")) return mode_produce(&o);
    if (!strcmp(mode, "consume")) return mode_consume(&o);
    if (lat) return mode_latency(&o);
    if (!strcmp(mode, "create")) return mode_create(&o);
    if (!strcmp(mode, "startup")) {
        if (i >= argc || !o.port) usage();
        return mode_startup(&o, argv + i);
    }
    if (!strcmp(mode, "freeport")) return mode_freeport();
    if (!strcmp(mode, "fsync")) {
        if (!o.dir || o.n <= 0 || o.size <= 0) usage();
        return mode_fsync(&o);
    }
    usage();
    return 1;
}
