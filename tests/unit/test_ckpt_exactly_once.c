/* The leaf libraries together, as the engine's micro-batch loop uses them:
 * kafka_src reads [start, end) ranges planned in checkpoint offsets/N, csv
 * and datetime parse each record, file_out writes a gzip part file and the
 * batch manifest, and commits/N closes the batch. A "crash" is simulated at
 * every step of a batch (in-memory state dropped, disk state kept, a part
 * file possibly left without a manifest); after restarts the rows listed by
 * the manifests equal the produced rows exactly: none lost, none twice.
 * This doubles as a worked example of the protocol for the engine. */
#include "test.h"

#include "common/err.h"
#include "common/uuid.h"
#include "engine/connectors/file_out.h"
#include "engine/connectors/kafka_src.h"
#include "engine/formats/csv.h"
#include "engine/formats/datetime.h"
#include "engine/runtime/checkpoint.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdlib.h>
#include <zlib.h>

#define NPART 2
#define NROWS 20 /* per partition */

enum crash_at { CRASH_NONE, CRASH_AFTER_OFFSETS, CRASH_AFTER_FILE, CRASH_AFTER_MANIFEST };

struct batch_out {
    struct fout_file *f;
    struct csv_opts wo;
    struct csv_reader rd;
    struct dt_pattern *pat;
    struct buf line;
    int bad;
};

/* One Kafka value "A002,<part>,<i>,2023-09-23 16:<mm>:00" -> one CSV output row
 * "<part>,<i>,<epoch seconds>". */
static int on_msg(void *opaque, const struct ksrc_msg *m) {
    struct batch_out *b = opaque;
    struct csv_record rec;
    csv_parse_record(&b->rd, m->value, m->value_len, &rec);
    int64_t ts;
    if (rec.nfields != 4 || dt_parse(b->pat, rec.fields[3].p, rec.fields[3].len, &ts)) {
        b->bad++;
        return 0;
    }
    char sec[24];
    int sl = snprintf(sec, sizeof sec, "%lld", (long long)(ts / DT_US_PER_SEC));
    buf_clear(&b->line);
    csv_write_field(&b->wo, &b->line, 1, rec.fields[1].p, rec.fields[1].len);
    csv_write_field(&b->wo, &b->line, 0, rec.fields[2].p, rec.fields[2].len);
    csv_write_field(&b->wo, &b->line, 0, sec, (size_t)sl);
    csv_write_end(&b->wo, &b->line);
    return fout_file_write(b->f, b->line.p, b->line.len);
}

/* Runs one micro-batch; returns 1 if it processed a batch, 0 when there is
 * nothing left, negative on error. `crash` stops it at that step. */
static int run_batch(const char *ckdir, const char *lake, const char *bootstrap, enum crash_at crash) {
    struct ckpt *ck = NULL;
    struct fout_sink *sink = NULL;
    struct ksrc *k = NULL;
    struct arena a;
    arena_init(&a, 4096);
    int rc = ckpt_open(ckdir, &ck, NULL);
    if (!rc) rc = fout_sink_open(lake, 3, &sink);
    struct ksrc_opts o;
    ksrc_opts_init(&o);
    char err[256];
    ksrc_opts_set(&o, "kafka.bootstrap.servers", bootstrap, err, sizeof err);
    ksrc_opts_set(&o, "subscribe", "turnstile", err, sizeof err);
    ksrc_opts_set(&o, "kafka.log_level", "0", err, sizeof err);
    if (!rc) rc = ksrc_new(&o, &k, err, sizeof err);
    if (rc) goto out;

    /* 1. which batch, from which offsets */
    int64_t lo = -1, lc = -1, batch;
    ckpt_latest_offsets(ck, &lo);
    ckpt_latest_commit(ck, &lc);
    struct ksrc_tp *tps;
    int n;
    if ((rc = ksrc_partitions(k, &a, &tps, &n))) goto out;
    int64_t start[NPART], end[NPART];
    if (lo >= 0 && lo == lc + 1) {
        /* planned but not committed: re-run with exactly the stored offsets */
        batch = lo;
        struct ckpt_offsets prev, cur;
        if ((rc = ckpt_read_offsets(ck, batch, &a, &cur))) goto out;
        struct ksrc_po *po;
        int np;
        if ((rc = ksrc_offsets_parse(cur.sources[0], strlen(cur.sources[0]), &a, &po, &np, err, sizeof err))) goto out;
        for (int i = 0; i < n; i++) end[i] = po[i].offset;
        if (batch == 0) rc = ksrc_earliest(k, tps, n, start);
        else if (!(rc = ckpt_read_offsets(ck, batch - 1, &a, &prev)) &&
                 !(rc = ksrc_offsets_parse(prev.sources[0], strlen(prev.sources[0]), &a, &po, &np, err, sizeof err)))
            for (int i = 0; i < n; i++) start[i] = po[i].offset;
        if (rc) goto out;
    } else {
        batch = lc + 1;
        if (batch == 0) {
            if ((rc = ksrc_earliest(k, tps, n, start))) goto out;
        } else {
            struct ckpt_offsets prev;
            struct ksrc_po *po;
            int np;
            if ((rc = ckpt_read_offsets(ck, batch - 1, &a, &prev)) ||
                (rc = ksrc_offsets_parse(prev.sources[0], strlen(prev.sources[0]), &a, &po, &np, err, sizeof err)))
                goto out;
            for (int i = 0; i < n; i++) start[i] = po[i].offset;
        }
        if ((rc = ksrc_latest(k, tps, n, end))) goto out;
        ksrc_rate_limit(start, end, n, 7); /* maxOffsetsPerTrigger */
        int any = 0;
        for (int i = 0; i < n; i++) any |= end[i] > start[i];
        if (!any) goto out; /* rc 0: nothing to do */
        struct ksrc_po po[NPART];
        for (int i = 0; i < n; i++) po[i] = (struct ksrc_po){tps[i].topic, tps[i].partition, end[i]};
        struct buf line = {0};
        ksrc_offsets_format(po, n, &line);
        buf_putc(&line, 0);
        const char *src[] = {(const char *)line.p};
        struct ckpt_offsets off = {.watermark_ms = 0, .timestamp_ms = 1695488040000, .nsources = 1, .sources = src};
        rc = ckpt_write_offsets(ck, batch, &off);
        buf_free(&line);
        if (rc) goto out;
    }
    if (crash == CRASH_AFTER_OFFSETS) goto out;

    /* 2. the sink: skip a batch it already committed */
    int has = fout_manifest_has(sink, batch);
    if (has < 0) { rc = has; goto out; }
    if (!has) {
        struct batch_out b = {0};
        char uuid[UUID_STR_LEN + 1], name[128];
        uuid_v4_str(uuid);
        fout_part_name(name, sizeof name, 0, uuid, 0, "csv", FOUT_GZIP);
        if ((rc = fout_file_open(sink, "", name, FOUT_GZIP, 0, &b.f))) goto out;
        csv_opts_init(&b.wo, CSV_WRITE);
        struct csv_opts ro;
        csv_opts_init(&ro, CSV_READ);
        csv_reader_init(&b.rd, &ro);
        dt_pattern_compile("yyyy-MM-dd HH:mm:ss", 19, &b.pat, NULL, 0);
        struct ksrc_range r[NPART];
        for (int i = 0; i < n; i++) r[i] = (struct ksrc_range){tps[i].topic, tps[i].partition, start[i], end[i]};
        rc = ksrc_read(k, r, n, on_msg, &b, NULL);
        struct fout_status st;
        if (!rc) rc = fout_file_close(b.f, &st);
        else fout_file_abort(b.f);
        csv_reader_free(&b.rd);
        dt_pattern_free(b.pat);
        buf_free(&b.line);
        if (!rc && b.bad) rc = WERR_PARSE;
        if (rc) goto out;
        if (crash == CRASH_AFTER_FILE) goto out; /* the part file stays, unlisted */
        if ((rc = fout_manifest_commit(sink, batch, &st, 1))) goto out;
    }
    if (crash == CRASH_AFTER_MANIFEST) goto out;

    /* 3. close the batch */
    rc = ckpt_write_commit(ck, batch, 0);
    if (!rc) rc = 1;
out:
    if (crash != CRASH_NONE && rc == 0) rc = 1; /* "crashed" mid-batch: try again */
    ksrc_free(k);
    fout_sink_close(sink);
    ckpt_close(ck);
    arena_free(&a);
    return rc;
}

TEST(ckpt_exactly_once_with_crashes) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", NULL, 0);
    rd_kafka_conf_set(conf, "test.mock.num.brokers", "1", NULL, 0);
    rd_kafka_conf_set(conf, "linger.ms", "0", NULL, 0);
    rd_kafka_t *prod = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(prod);
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(prod);
    REQUIRE(mc);
    REQUIRE(rd_kafka_mock_topic_create(mc, "turnstile", NPART, 1) == 0);
    for (int p = 0; p < NPART; p++)
        for (int i = 0; i < NROWS; i++) {
            char v[64];
            int l = snprintf(v, sizeof v, "A002,%d,%d,2023-09-23 16:%02d:00", p, i, i % 60);
            REQUIRE(rd_kafka_producev(prod, RD_KAFKA_V_TOPIC("turnstile"), RD_KAFKA_V_PARTITION(p),
                                      RD_KAFKA_V_VALUE(v, (size_t)l), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_END) == 0);
        }
    REQUIRE(rd_kafka_flush(prod, 30000) == 0);
    char ckdir[512], lake[512];
    snprintf(ckdir, sizeof ckdir, "%s/checkpoint", test_tmpdir());
    snprintf(lake, sizeof lake, "%s/lake", test_tmpdir());
    const char *bootstrap = rd_kafka_mock_cluster_bootstraps(mc);

    /* every batch crashes at each step once before it succeeds */
    int batches = 0, runs = 0;
    for (;;) {
        for (int crash = CRASH_AFTER_OFFSETS; crash <= CRASH_AFTER_MANIFEST; crash++) {
            int rc = run_batch(ckdir, lake, bootstrap, (enum crash_at)crash);
            REQUIRE(rc >= 0);
            runs++;
        }
        int rc = run_batch(ckdir, lake, bootstrap, CRASH_NONE);
        REQUIRE(rc >= 0);
        runs++;
        if (rc == 0) break;
        batches++;
        REQUIRE(batches < 100);
    }
    CHECK(batches >= (NPART * NROWS) / 7);

    /* the manifests list each row exactly once */
    struct fout_sink *sink;
    REQUIRE(fout_sink_open(lake, 3, &sink) == 0);
    struct arena a;
    arena_init(&a, 4096);
    struct fout_entry *files;
    int nf;
    REQUIRE(fout_manifest_all_files(sink, &a, &files, &nf) == 0);
    CHECK_EQ(nf, batches);
    int seen[NPART][NROWS] = {{0}};
    for (int i = 0; i < nf; i++) {
        gzFile gz = gzopen(files[i].fs_path, "rb");
        REQUIRE(gz);
        char row[128];
        while (gzgets(gz, row, sizeof row)) {
            int p, r;
            long long sec;
            REQUIRE(sscanf(row, "%d,%d,%lld", &p, &r, &sec) == 3);
            REQUIRE(p >= 0 && p < NPART && r >= 0 && r < NROWS);
            seen[p][r]++;
            CHECK_EQ(sec, 1695427200 + 16 * 3600 + (r % 60) * 60);
        }
        gzclose(gz);
    }
    for (int p = 0; p < NPART; p++)
        for (int r = 0; r < NROWS; r++)
            if (seen[p][r] != 1) test_fail(__FILE__, __LINE__, "row %d/%d seen %d times", p, r, seen[p][r]);
    /* the crashed attempts left part files that no manifest lists */
    char **orph;
    int no;
    REQUIRE(fout_orphans(sink, &a, &orph, &no) == 0);
    CHECK_EQ(no, batches);
    arena_free(&a);
    fout_sink_close(sink);
    rd_kafka_destroy(prod);
}
