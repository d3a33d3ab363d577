/* txn_bench: transactional against idempotent produce throughput (issue 4:
 * "transactional produce (1,000 messages per transaction) at least 0.5x
 * idempotent produce throughput"), a librdkafka client.
 *
 *   txn_bench idempotent    -b HOST:PORT -t TOPIC [-n N] [-s SIZE] [-l LINGER_MS]
 *   txn_bench transactional -b HOST:PORT -t TOPIC [-n N] [-s SIZE] [-l LINGER_MS] [-x TXN_SIZE] [-i TXN_ID]
 *
 * Both modes use the same settings (acks=all, enable.idempotence=true, the
 * batch and queue limits of bench/loadgen.c) and send N keyless messages of
 * SIZE bytes from one static payload; the clock runs from the first
 * produce() to the last delivery report (idempotent) or to the last
 * commit_transaction (transactional). transactional runs
 * begin_transaction / TXN_SIZE x produce / commit_transaction in a loop, so
 * each commit (which flushes) drains the pipeline: that stall, plus the
 * coordinator's durable writes (the AddPartitionsToTxn record, synced
 * alongside the transaction's data, and the Prepare record, synced before
 * EndTxn is answered), is the cost being measured. Prints one "RESULT" line of key=value pairs on stdout
 * (with commit latency percentiles for transactional); notes go to stderr. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <librdkafka/rdkafka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "txn_bench: %s: %s\n", what, detail);
    exit(1);
}

static void set(rd_kafka_conf_t *c, const char *k, const char *v) {
    char err[256];
    if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) die("config", err);
}

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

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    static int64_t t0;
    if (!t0) t0 = now_ns();
    if (level <= 4 || getenv("TXN_BENCH_DEBUG"))
        fprintf(stderr, "%9.3f ms librdkafka %s: %s\n", (double)(now_ns() - t0) / 1e6, fac, buf);
}

static void txn_check(rd_kafka_error_t *e, const char *what) {
    if (!e) return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s%s", rd_kafka_error_string(e), rd_kafka_error_is_fatal(e) ? " (fatal)" : "");
    rd_kafka_error_destroy(e);
    die(what, msg);
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Produces one message, serving delivery reports while the queue is full. */
static void produce_one(rd_kafka_t *rk, rd_kafka_topic_t *rkt, char *payload, int size) {
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload, (size_t)size, NULL, 0, NULL) != 0) {
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_poll(rk, 1);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) die("usage", "txn_bench idempotent|transactional -b HOST:PORT -t TOPIC [-n N] [-s SIZE] [-l MS] [-x TXN_SIZE]");
    const char *mode = argv[1], *brokers = NULL, *topic = NULL, *txn_id = "txn-bench";
    long long n = 1000000;
    int size = 100, linger = 5, txn_size = 1000;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-b")) brokers = argv[i + 1];
        else if (!strcmp(argv[i], "-t")) topic = argv[i + 1];
        else if (!strcmp(argv[i], "-n")) n = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "-s")) size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-l")) linger = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-x")) txn_size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-i")) txn_id = argv[i + 1];
        else die("unknown option", argv[i]);
    }
    int txn = !strcmp(mode, "transactional");
    if (!brokers || !topic || n <= 0 || size <= 0 || txn_size <= 0 || (!txn && strcmp(mode, "idempotent")))
        die("usage", "txn_bench idempotent|transactional -b HOST:PORT -t TOPIC [-n N] [-s SIZE] [-l MS] [-x TXN_SIZE]");

    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char v[32];
    set(c, "bootstrap.servers", brokers);
    set(c, "acks", "all");
    set(c, "enable.idempotence", "true");
    snprintf(v, sizeof v, "%d", linger);
    set(c, "linger.ms", v);
    set(c, "batch.size", "1000000");
    set(c, "batch.num.messages", "1000000");
    set(c, "queue.buffering.max.messages", "10000000");
    set(c, "queue.buffering.max.kbytes", "2097151");
    set(c, "compression.codec", "none");
    set(c, "socket.nagle.disable", "true");
    set(c, "message.timeout.ms", "60000");
    if (txn) set(c, "transactional.id", txn_id);
    if (getenv("TXN_BENCH_DEBUG")) set(c, "debug", getenv("TXN_BENCH_DEBUG"));
    rd_kafka_conf_set_dr_msg_cb(c, dr_count);
    rd_kafka_conf_set_log_cb(c, on_log);
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!rk) die("rd_kafka_new", err);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    char *payload = malloc((size_t)size);
    for (int i = 0; i < size; i++) payload[i] = (char)('a' + i % 26);

    /* warm-up outside the clock: metadata, producer id (and for transactional
     * the coordinator) and one message (one transaction) through */
    if (txn) {
        txn_check(rd_kafka_init_transactions(rk, 30000), "init_transactions");
        txn_check(rd_kafka_begin_transaction(rk), "begin_transaction");
        produce_one(rk, rkt, payload, size);
        txn_check(rd_kafka_commit_transaction(rk, 30000), "commit_transaction");
    } else {
        produce_one(rk, rkt, payload, size);
        rd_kafka_flush(rk, 30000);
    }
    dr_ok = dr_err = 0;

    long long ntxn = txn ? (n + txn_size - 1) / txn_size : 0;
    int64_t *commit_ns = txn ? malloc((size_t)ntxn * sizeof *commit_ns) : NULL;
    int64_t t0 = now_ns();
    if (txn) {
        long long sent = 0;
        for (long long k = 0; k < ntxn; k++) {
            txn_check(rd_kafka_begin_transaction(rk), "begin_transaction");
            for (int i = 0; i < txn_size && sent < n; i++, sent++) {
                produce_one(rk, rkt, payload, size);
                if ((i & 0xff) == 0) rd_kafka_poll(rk, 0);
            }
            int64_t tc = now_ns();
            txn_check(rd_kafka_commit_transaction(rk, 60000), "commit_transaction");
            commit_ns[k] = now_ns() - tc;
        }
        rd_kafka_poll(rk, 0);
    } else {
        for (long long i = 0; i < n; i++) {
            produce_one(rk, rkt, payload, size);
            if ((i & 0xffff) == 0) rd_kafka_poll(rk, 0);
        }
        while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 5);
    }
    int64_t t1 = now_ns();
    rd_kafka_poll(rk, 0);
    double secs = (double)(t1 - t0) / 1e9;
    if (dr_err) fprintf(stderr, "txn_bench: %lld delivery errors, first: %s\n", dr_err, rd_kafka_err2str(dr_first_err));
    printf("RESULT mode=%s msgs=%lld size=%d delivered=%lld errors=%lld secs=%.3f msgs_per_s=%.0f mb_per_s=%.1f", mode,
           n, size, dr_ok, dr_err, secs, (double)dr_ok / secs, (double)dr_ok * size / secs / 1e6);
    if (txn) {
        qsort(commit_ns, (size_t)ntxn, sizeof *commit_ns, cmp64);
        printf(" txn_size=%d txns=%lld txns_per_s=%.0f commit_p50_ms=%.2f commit_p99_ms=%.2f", txn_size, ntxn,
               (double)ntxn / secs, (double)commit_ns[ntxn / 2] / 1e6,
               (double)commit_ns[ntxn * 99 / 100 < ntxn ? ntxn * 99 / 100 : ntxn - 1] / 1e6);
    }
    printf("\n");
    free(commit_ns);
    free(payload);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return dr_err ? 2 : 0;
}
