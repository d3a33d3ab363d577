/* turnstile-producer: sample data for the turnstile example (scenario 1).
 *
 * Sends one CSV line per turnstile reading to a Kafka topic, key = the
 * message id, value in the order of the tutorial's sample message:
 *   AC,UNIT,SCP,STATION,LINENAME,DIVISION,DATE,DESC,TIME,ENTRIES,EXITS,ID,"TIMESTAMP"
 *   A002,R051,02-00-00,59 ST,NQR456W,BMT,09-23-23,REGULAR,16:54:00,14,9,17,"2023-09-23 16:54:00"
 * ENTRIES/EXITS are the counts since the device's previous reading (the
 * tutorial's pipeline sums them). Everything comes from one seeded generator,
 * so a seed and a count always give the same readings in the same order.
 *
 * Event time advances by --step-ms per reading from --start (a fixed date by
 * default, or `now`: the wall clock, for live demos). With --dup P a reading
 * is followed, with probability P percent, by a resend of one of the last 64
 * readings (same key, same value: what a producer retry does); with --late P a
 * reading's timestamp lies 1..--late-max seconds behind the current event
 * time (out of order; late for the pipeline when behind its watermark).
 *
 * usage: turnstile-producer [-b BOOTSTRAP] [-t TOPIC] [-n N] [-r RATE] [-s SEED]
 *          [--start 'yyyy-MM-dd HH:mm:ss'|now] [--step-ms MS] [--dup P] [--late P]
 *          [--late-max S] [--acks all|1|0] [--out FILE] [--ack-log FILE] [-q]
 *   -n N       readings to send (0: forever; default 0)
 *   -r RATE    readings per second (0: as fast as possible; default 0)
 *   --out FILE each value sent, one per line, in send order (for references)
 *   --ack-log FILE  "ID ACK_US" per acknowledged message (CLOCK_REALTIME µs)
 * Duplicates count towards N. Stops cleanly on SIGINT/SIGTERM (flushes). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_sig(int s) {
    (void)s;
    stop++;
}

/* ---- seeded random numbers (splitmix64) ---- */
static uint64_t rng_state;
static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }
static double rnd_unit(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

/* ---- stations: (control area, remote unit, station, lines, division) as in
 * the MTA turnstile files; each has a few SCPs (turnstile positions). ---- */
struct station {
    const char *ac, *unit, *name, *lines, *div;
    int nscp, busy; /* busy: mean people per reading */
};
static const struct station stations[] = {
    {"A002", "R051", "59 ST", "NQR456W", "BMT", 4, 18},
    {"A006", "R079", "5 AV/59 ST", "NQRW", "BMT", 3, 12},
    {"A010", "R080", "57 ST-7 AV", "NQRW", "BMT", 4, 20},
    {"A013", "R081", "49 ST", "NQRW", "BMT", 3, 16},
    {"A021", "R032", "TIMES SQ-42 ST", "ACENQRS1237W", "BMT", 6, 45},
    {"A025", "R023", "34 ST-HERALD SQ", "BDFMNQRW", "BMT", 6, 40},
    {"A027", "R082", "28 ST", "NRW", "BMT", 2, 10},
    {"A030", "R083", "23 ST", "NRW", "BMT", 2, 11},
    {"A033", "R170", "14 ST-UNION SQ", "LNQR456W", "BMT", 5, 35},
    {"A038", "R085", "8 ST-NYU", "NRW", "BMT", 2, 9},
    {"A040", "R533", "PRINCE ST", "NRW", "BMT", 2, 8},
    {"A043", "R462", "CANAL ST", "JNQRZ6W", "BMT", 4, 22},
    {"A049", "R088", "CORTLANDT ST", "RW", "BMT", 2, 7},
    {"A054", "R227", "RECTOR ST", "RW", "BMT", 2, 6},
    {"A058", "R001", "WHITEHALL S-FRY", "R1W", "BMT", 3, 14},
    {"N063A", "R011", "42 ST-PORT AUTH", "ACENQRS1237W", "IND", 6, 38},
    {"N501", "R020", "47-50 STS ROCK", "BDFM", "IND", 4, 25},
    {"N400A", "R359", "COURT SQ", "EMG7", "IND", 3, 13},
    {"N305", "R017", "LEXINGTON AV/53", "EM6", "IND", 4, 21},
    {"N083", "R138", "W 4 ST-WASH SQ", "ABCDEFM", "IND", 3, 19},
    {"R138", "R293", "34 ST-PENN STA", "123ACE", "IRT", 6, 42},
    {"R240", "R047", "GRD CNTRL-42 ST", "4567S", "IRT", 6, 44},
    {"R533", "R055", "FLUSHING-MAIN", "7", "IRT", 4, 24},
    {"R101", "R001", "SOUTH FERRY", "1RW", "IRT", 2, 9},
    {"R201", "R041", "BOWLING GREEN", "45", "IRT", 3, 12},
    {"R258", "R132", "125 ST", "456", "IRT", 3, 15},
    {"PTH03", "R552", "JOURNAL SQUARE", "1", "PTH", 3, 11},
    {"PTH20", "R549", "NEWARK HM HE", "1", "PTH", 2, 8},
};
#define NSTATIONS (sizeof stations / sizeof stations[0])

struct device {
    const struct station *st;
    char scp[16];
};
static struct device devices[256];
static int ndevices;

static void make_devices(void) {
    for (size_t s = 0; s < NSTATIONS; s++)
        for (int k = 0; k < stations[s].nscp; k++) {
            devices[ndevices].st = &stations[s];
            snprintf(devices[ndevices].scp, sizeof devices[ndevices].scp, "%02d-%02d-%02d", k / 4 == 0 ? 2 : 1, k / 2 % 4, k % 2);
            ndevices++;
        }
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static FILE *ack_log;
static int64_t acked, failed;
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) {
        failed++;
        if (failed < 5) fprintf(stderr, "turnstile-producer: delivery failed: %s\n", rd_kafka_err2str(m->err));
        return;
    }
    acked++;
    if (ack_log) fprintf(ack_log, "%.*s %" PRId64 "\n", (int)m->key_len, (const char *)m->key, now_us());
}

static void usage(void) {
    fprintf(stderr, "usage: turnstile-producer [-b BOOTSTRAP] [-t TOPIC] [-n N] [-r RATE] [-s SEED]\n"
                    "         [--start 'yyyy-MM-dd HH:mm:ss'|now] [--step-ms MS] [--dup P] [--late P]\n"
                    "         [--late-max S] [--acks all|1|0] [--linger-ms MS] [--out FILE] [--ack-log FILE] [-q]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *boot = "127.0.0.1:9092", *topic = "mta-turnstile", *start = "2023-09-23 00:00:00";
    const char *acks = "all", *out_path = NULL, *ack_path = NULL, *linger = "5";
    int64_t n = 0, step_ms = 200;
    double rate = 0, dup = 2, late = 1, late_max = 120;
    uint64_t seed = 1;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define ARG() (i + 1 < argc ? argv[++i] : (usage(), ""))
        if (!strcmp(a, "-b")) boot = ARG();
        else if (!strcmp(a, "-t")) topic = ARG();
        else if (!strcmp(a, "-n")) n = atoll(ARG());
        else if (!strcmp(a, "-r")) rate = atof(ARG());
        else if (!strcmp(a, "-s")) seed = strtoull(ARG(), NULL, 10);
        else if (!strcmp(a, "--start")) start = ARG();
        else if (!strcmp(a, "--step-ms")) step_ms = atoll(ARG());
        else if (!strcmp(a, "--dup")) dup = atof(ARG());
        else if (!strcmp(a, "--late")) late = atof(ARG());
        else if (!strcmp(a, "--late-max")) late_max = atof(ARG());
        else if (!strcmp(a, "--acks")) acks = ARG();
        else if (!strcmp(a, "--linger-ms")) linger = ARG();
        else if (!strcmp(a, "--out")) out_path = ARG();
        else if (!strcmp(a, "--ack-log")) ack_path = ARG();
        else if (!strcmp(a, "-q")) quiet = 1;
        else usage();
    }
    rng_state = seed;
    make_devices();
    int live = !strcmp(start, "now");
    int64_t ev_ms; /* current event time, ms since the epoch (UTC) */
    if (live) {
        ev_ms = now_us() / 1000;
    } else {
        struct tm tm = {0};
        if (!strptime(start, "%Y-%m-%d %H:%M:%S", &tm)) {
            fprintf(stderr, "turnstile-producer: --start wants 'yyyy-MM-dd HH:mm:ss' or now\n");
            return 2;
        }
        ev_ms = (int64_t)timegm(&tm) * 1000;
    }

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *kv[][2] = {{"bootstrap.servers", boot},
                           {"acks", acks},
                           {"linger.ms", linger},
                           {"batch.num.messages", "10000"},
                           {"queue.buffering.max.messages", "1000000"},
                           {"queue.buffering.max.kbytes", "1048576"},
                           {"enable.idempotence", strcmp(acks, "all") ? "false" : "true"},
                           {"max.in.flight.requests.per.connection", strcmp(acks, "all") ? "1" : "5"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
            fprintf(stderr, "turnstile-producer: %s\n", errstr);
            return 2;
        }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "turnstile-producer: %s\n", errstr);
        return 1;
    }
    FILE *out = NULL;
    if (out_path && !(out = fopen(out_path, "w"))) {
        perror(out_path);
        return 1;
    }
    if (ack_path && !(ack_log = fopen(ack_path, "w"))) {
        perror(ack_path);
        return 1;
    }
    signal(SIGINT, on_sig);
    signal(SIGTERM, on_sig);

    enum { RING = 64 };
    struct {
        char key[24], val[256];
        int klen, vlen;
    } ring[RING];
    int nring = 0;
    int64_t sent = 0, seq = 0, dups = 0, lates = 0;
    int64_t t0 = mono_us(), last_report = t0;
    while (!stop && (n == 0 || sent < n)) {
        if (rate > 0) { /* pace: message `sent` is due at t0 + sent/rate */
            int64_t due = t0 + (int64_t)((double)sent * 1e6 / rate), now = mono_us();
            if (due > now) { /* serve delivery reports while waiting: ack times stay exact */
                int64_t w = due - now;
                rd_kafka_poll(rk, 0);
                usleep((useconds_t)(w > 1000 ? 1000 : w));
                continue;
            }
        }
        char key[24], val[256];
        int klen, vlen;
        if (nring > 0 && rnd_unit() * 100 < dup) { /* a resend of a recent reading */
            int r = (int)rnd_below((uint32_t)(nring < RING ? nring : RING));
            memcpy(key, ring[r].key, (size_t)(klen = ring[r].klen));
            memcpy(val, ring[r].val, (size_t)(vlen = ring[r].vlen));
            dups++;
        } else {
            if (live) ev_ms = now_us() / 1000;
            else ev_ms += step_ms;
            int64_t t = ev_ms;
            if (rnd_unit() * 100 < late) {
                t -= 1000 * (1 + (int64_t)(rnd_unit() * (late_max - 1)));
                lates++;
            }
            time_t secs = (time_t)(t / 1000);
            struct tm tm;
            gmtime_r(&secs, &tm);
            const struct device *d = &devices[rnd_below((uint32_t)ndevices)];
            /* busier in the rush hours */
            int h = tm.tm_hour;
            double f = (h >= 7 && h <= 9) || (h >= 16 && h <= 19) ? 2.0 : (h < 5 ? 0.2 : 1.0);
            int entries = (int)(rnd_unit() * 2 * d->st->busy * f), exits = (int)(rnd_unit() * 2 * d->st->busy * f);
            const char *desc = rnd_below(100) < 3 ? "RECOVR AUD" : "REGULAR";
            klen = snprintf(key, sizeof key, "%" PRId64, seq);
            vlen = snprintf(val, sizeof val,
                            "%s,%s,%s,%s,%s,%s,%02d-%02d-%02d,%s,%02d:%02d:%02d,%d,%d,%" PRId64
                            ",\"%04d-%02d-%02d %02d:%02d:%02d\"",
                            d->st->ac, d->st->unit, d->scp, d->st->name, d->st->lines, d->st->div, tm.tm_mon + 1, tm.tm_mday,
                            tm.tm_year % 100, desc, tm.tm_hour, tm.tm_min, tm.tm_sec, entries, exits, seq, tm.tm_year + 1900,
                            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
            seq++;
            int r = (int)(seq % RING);
            memcpy(ring[r].key, key, (size_t)klen);
            memcpy(ring[r].val, val, (size_t)vlen);
            ring[r].klen = klen;
            ring[r].vlen = vlen;
            if (nring < RING) nring++;
        }
        for (;;) {
            if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, (size_t)klen), RD_KAFKA_V_VALUE(val, (size_t)vlen),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR)
                break;
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "turnstile-producer: produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                stop = 1;
                break;
            }
            rd_kafka_poll(rk, 10);
        }
        if (out) {
            fwrite(val, 1, (size_t)vlen, out);
            fputc('\n', out);
        }
        sent++;
        if (rate > 0 || (sent & 1023) == 0) rd_kafka_poll(rk, 0);
        if (!quiet && mono_us() - last_report > 10000000) {
            last_report = mono_us();
            fprintf(stderr, "turnstile-producer: %" PRId64 " sent, %" PRId64 " acked (%" PRId64 " duplicates, %" PRId64 " late)\n", sent,
                    acked, dups, lates);
        }
    }
    /* deliver what is queued; give up after 30 s or on a third signal (Ctrl-C in a
     * terminal and a TERM from a supervising script often both arrive) */
    int64_t flush_until = mono_us() + 30000000;
    while (rd_kafka_outq_len(rk) > 0 && stop < 3 && mono_us() < flush_until) rd_kafka_flush(rk, 100);
    double secs = (double)(mono_us() - t0) / 1e6;
    if (!quiet)
        fprintf(stderr, "turnstile-producer: %" PRId64 " sent, %" PRId64 " acked, %" PRId64 " failed (%" PRId64 " duplicates, %" PRId64
                        " late) in %.2f s\n",
                sent, acked, failed, dups, lates, secs);
    if (out) fclose(out);
    if (ack_log) fclose(ack_log);
    rd_kafka_destroy(rk);
    return failed ? 1 : 0;
}
