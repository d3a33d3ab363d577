/* driver: see driver.h. Recovery, the trigger loop and progress reports. */
#include "engine/runtime/driver.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "common/uuid.h"
#include "engine/connectors/sink.h"
#include "engine/connectors/source.h"
#include "engine/formats/datetime.h"
#include "engine/formats/json.h"
#include "engine/runtime/checkpoint.h"
#include "engine/runtime/query.h"

enum trig { TRIG_DEFAULT, TRIG_PROCESSING_TIME, TRIG_AVAILABLE_NOW, TRIG_ONCE };

struct drv {
    volatile const int *stop; /* opts.stop */
    struct session *s;
    struct sess_query *sq;
    struct query q;
    int q_open;
    struct sink *sink;
    struct source **src;     /* per pipeline source */
    uint32_t nsrc;
    struct buf *start, *end; /* offsets text per source */
    struct ckpt *ck;
    char *state_dir;
    int64_t batch_id;        /* the next micro-batch */
    int64_t ran;
    bool want_nodata;
    bool rerun;              /* the next batch re-runs offsets/batch_id (ends in `end`) */
    enum trig trig;
    int64_t interval_us, next_due, max_batches;
    bool done;
    FILE *console, *progress;
    char run_id[UUID_STR_LEN + 1];
    char err[1024];
    /* timings of the current batch (ms) */
    int64_t t_latest, t_wal, t_add, t_commit;
    int64_t last_trigger_us; /* start of the previous micro-batch (input rate) */
    int64_t backoff_us;      /* while a source cannot be reached */
    uint32_t nstream;        /* sources that stream (src[i] != NULL); static ones are read at open */
    struct buf *target;      /* availableNow: the latest offsets when the query started */
    bool have_target;
};

int64_t drv_now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int64_t mono_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

const char *drv_error(const struct drv *d) { return d->err; }
int64_t drv_due(const struct drv *d) { return d->next_due; }
int64_t drv_batches_run(const struct drv *d) { return d->ran; }

static int parse_trigger(struct drv *d, const char *t) {
    if (!t || !*t || !strcasecmp(t, "default")) {
        d->trig = TRIG_DEFAULT;
        return 0;
    }
    if (!strcasecmp(t, "availableNow")) {
        d->trig = TRIG_AVAILABLE_NOW;
        return 0;
    }
    if (!strcasecmp(t, "once")) {
        d->trig = TRIG_ONCE;
        return 0;
    }
    if (!strncasecmp(t, "processingTime=", 15) || !strncasecmp(t, "processingTime:", 15)) {
        int32_t months = 0;
        if (dt_interval_parse(t + 15, strlen(t + 15), &months, &d->interval_us) || months || d->interval_us < 0) {
            snprintf(d->err, sizeof d->err, "bad trigger interval '%s' (e.g. processingTime=10 seconds)", t + 15);
            return -1;
        }
        d->trig = d->interval_us ? TRIG_PROCESSING_TIME : TRIG_DEFAULT;
        return 0;
    }
    snprintf(d->err, sizeof d->err, "unknown trigger '%s' (default, processingTime=<interval>, availableNow, once)", t);
    return -1;
}

/* Offsets texts are passed around as C strings: keep a NUL after the bytes. */
static void terminate(struct buf *b) {
    buf_putc(b, 0);
    b->len--;
}

static int64_t wm_ms(int64_t wm_us) { return wm_us == WM_NONE ? 0 : dt_floordiv(wm_us, 1000); }
static int64_t wm_us_of(int64_t ms) { return ms == 0 ? WM_NONE : ms * 1000; }

static void iso(struct buf *b, int64_t us) {
    struct dt_tm tm;
    dt_split(us, &tm);
    buf_printf(b, "\"%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ\"", (long long)tm.year, tm.month, tm.day, tm.hour, tm.minute,
               tm.second, tm.micros / 1000);
}

static int fail(struct drv *d, const char *what, int rc) {
    if (!d->err[0]) snprintf(d->err, sizeof d->err, "%s: %s", what, werr_str(rc));
    return rc < 0 ? rc : WERR_IO;
}

/* A new query's starting offsets, waiting for a source that cannot be
 * reached yet: it says so and retries with backoff (0.1 s doubling to 10 s)
 * until it answers or opts.stop is set, as it does while running. */
static int initial_offsets(struct drv *d, struct source *src, struct buf *out) {
    int64_t backoff_us = 100000;
    for (;;) {
        buf_clear(out);
        src->err[0] = 0;
        int rc = src->vt->initial(src, false, out);
        if (rc != WERR_IO && rc != WERR_AGAIN) return rc;
        if (d->stop && *d->stop) return rc;
        log_warn("%s; retrying in %.1f s", src->err[0] ? src->err : "a source cannot be reached", (double)backoff_us / 1e6);
        for (int64_t waited = 0; waited < backoff_us && !(d->stop && *d->stop); waited += 50000) {
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
        }
        if (backoff_us < 10000000) backoff_us *= 2;
    }
}

/* ---- open / recovery ---- */

static int open_checkpoint(struct drv *d, struct sess_query *sq, const char *dir) {
    int created, rc = ckpt_open(dir, &d->ck, &created);
    if (rc) {
        snprintf(d->err, sizeof d->err, "cannot open the checkpoint '%.900s': %s", dir, werr_str(rc));
        return rc;
    }
    d->state_dir = malloc(strlen(dir) + 8);
    sprintf(d->state_dir, "%s/state", dir);
    ckpt_purge(d->ck, 100); /* what a previous run left beyond the retained window */
    struct arena a;
    arena_init(&a, 4096);
    int64_t L, C = -1;
    int haveL = ckpt_latest_offsets(d->ck, &L) == 0;
    if (ckpt_latest_commit(d->ck, &C)) C = -1;
    int64_t wm = WM_NONE, version = 0;
    rc = 0;
    if (!haveL) {
        /* a new query: record where each source starts */
        for (uint32_t i = 0, k = 0; i < d->nsrc && !rc; i++) {
            if (!d->src[i]) continue;
            if ((rc = initial_offsets(d, d->src[i], &d->start[i]))) {
                snprintf(d->err, sizeof d->err, "%s", d->src[i]->err[0] ? d->src[i]->err : "cannot resolve the starting offsets");
                break;
            }
            terminate(&d->start[i]);
            rc = ckpt_write_source_file(d->ck, (int)k++, 0, (const char *)d->start[i].p, d->start[i].len);
            if (rc) fail(d, "writing the initial offsets", rc);
        }
        d->batch_id = 0;
    } else {
        struct ckpt_offsets lo;
        if ((rc = ckpt_read_offsets(d->ck, L, &a, &lo))) goto out;
        if (lo.nsources != (int)d->nstream) {
            snprintf(d->err, sizeof d->err, "the checkpoint has %d sources but the query has %u; use a new checkpointLocation",
                     lo.nsources, d->nstream);
            rc = WERR_INVALID;
            goto out;
        }
        if (C == L) {
            for (uint32_t i = 0, k = 0; i < d->nsrc; i++) {
                if (!d->src[i]) continue;
                buf_clear(&d->start[i]);
                buf_printf(&d->start[i], "%s", lo.sources[k++]);
                terminate(&d->start[i]);
            }
            int64_t next_ms = 0;
            if ((rc = ckpt_read_commit(d->ck, C, &next_ms))) goto out;
            wm = wm_us_of(next_ms);
            d->batch_id = L + 1;
            version = L + 1;
            /* the last batch moved the watermark: the no-data batch it asked
             * for may not have run before the stop */
            d->want_nodata = next_ms != lo.watermark_ms && d->q.pipe.stateful && sq->mode != OUT_COMPLETE;
        } else {
            /* offsets/L planned but not committed: re-run it */
            for (uint32_t i = 0, k = 0; i < d->nsrc && !rc; i++) {
                if (!d->src[i]) continue;
                uint32_t line = k++;
                buf_clear(&d->start[i]);
                buf_clear(&d->end[i]);
                buf_printf(&d->end[i], "%s", lo.sources[line]);
                if (L == 0) {
                    char *text;
                    size_t n;
                    if ((rc = ckpt_read_source_file(d->ck, (int)line, 0, &a, &text, &n))) goto out;
                    buf_append(&d->start[i], text, n);
                } else {
                    struct ckpt_offsets prev;
                    if ((rc = ckpt_read_offsets(d->ck, L - 1, &a, &prev))) goto out;
                    buf_printf(&d->start[i], "%s", prev.sources[line]);
                }
                terminate(&d->start[i]);
                terminate(&d->end[i]);
            }
            wm = wm_us_of(lo.watermark_ms);
            d->batch_id = L;
            d->rerun = true;
            version = L;
        }
    }
    if (!rc && (rc = query_state_load(&d->q, d->state_dir, version, wm)))
        snprintf(d->err, sizeof d->err, "cannot restore the state (version %lld) from %s: %s", (long long)version, d->state_dir,
                 werr_str(rc));
out:
    if (rc && !d->err[0]) snprintf(d->err, sizeof d->err, "cannot read the checkpoint '%.900s': %s", dir, werr_str(rc));
    arena_free(&a);
    return rc;
}

struct push_ctx {
    struct query *q;
    uint32_t src;
    int64_t rows;
};

static int push_cb(void *ctx, const struct batch *b) {
    struct push_ctx *p = ctx;
    p->rows += b->nsel;
    return query_push(p->q, p->src, b);
}

/* Reads static table t completely into pipeline source i. */
static int load_static(struct drv *d, uint32_t i, const struct cat_entry *t) {
    struct source *src;
    if (source_open(t, &src, d->err, sizeof d->err)) return -1;
    struct buf st = {0}, en = {0};
    int rc = src->vt->initial(src, true, &st);
    if (!rc) {
        terminate(&st);
        rc = src->vt->ending(src, (const char *)st.p, &en);
    }
    if (!rc) {
        terminate(&en);
        struct push_ctx pc = {&d->q, i, 0};
        rc = src->vt->read(src, (const char *)st.p, (const char *)en.p, push_cb, &pc);
    }
    if (rc) snprintf(d->err, sizeof d->err, "reading the static table `%s`: %s", t->name, src->err[0] ? src->err : werr_str(rc));
    buf_free(&st);
    buf_free(&en);
    source_close(src);
    return rc;
}

int drv_open(struct drv **out, struct session *s, struct sess_query *sq, const struct drv_opts *o, char *err, size_t errcap) {
    struct drv *d = calloc(1, sizeof *d);
    d->s = s;
    d->sq = sq;
    d->console = o->console ? o->console : stdout;
    d->progress = o->progress;
    d->max_batches = o->max_batches;
    d->stop = o->stop;
    uuid_v4_str(d->run_id);
    const struct cat_entry *sink_t = sq->sink;
    const char *trigger = o->trigger ? o->trigger : sink_t ? cat_opt(sink_t, "trigger") : NULL;
    if (parse_trigger(d, trigger)) goto fail;
    if (query_open(&d->q, &sq->plan, sq->mode)) {
        snprintf(d->err, sizeof d->err, "cannot build the query");
        goto fail;
    }
    d->q_open = 1;
    d->nsrc = d->q.pipe.nsrcs;
    d->src = calloc(d->nsrc ? d->nsrc : 1, sizeof *d->src);
    d->start = calloc(d->nsrc ? d->nsrc : 1, sizeof *d->start);
    d->end = calloc(d->nsrc ? d->nsrc : 1, sizeof *d->end);
    for (uint32_t i = 0; i < d->nsrc; i++) {
        const struct cat_entry *t = d->q.pipe.srcs[i].table;
        if (!t) {
            snprintf(d->err, sizeof d->err, "a streaming query cannot have a SELECT without FROM");
            goto fail;
        }
        if (!t->streaming) {
            /* a static table (the build side of a stream-static join): read once, now */
            if (load_static(d, i, t)) goto fail;
            continue;
        }
        if (source_open(t, &d->src[i], d->err, sizeof d->err)) goto fail;
        d->nstream++;
    }
    const char *ck = o->checkpoint ? o->checkpoint : sink_t ? cat_opt(sink_t, "checkpointLocation") : NULL;
    char ckbuf[4096];
    if (!ck && (ck = sess_setting(s, "spark.sql.streaming.checkpointLocation"))) {
        /* a root for all queries, as in Spark: one directory per query (named after its sink) */
        snprintf(ckbuf, sizeof ckbuf, "%s/%s", ck, sink_t ? sink_t->name : "console");
        ck = ckbuf;
    }
    if (ck) {
        if (open_checkpoint(d, sq, ck)) goto fail;
    } else {
        if (sink_t && (!strcmp(sink_t->format, "csv") || !strcmp(sink_t->format, "json"))) {
            snprintf(d->err, sizeof d->err, "the %s sink `%s` needs a 'checkpointLocation' option (exactly-once output)",
                     sink_t->format, sink_t->name);
            goto fail;
        }
        for (uint32_t i = 0; i < d->nsrc; i++) {
            if (!d->src[i]) continue;
            if (initial_offsets(d, d->src[i], &d->start[i])) {
                snprintf(d->err, sizeof d->err, "%s", d->src[i]->err[0] ? d->src[i]->err : "cannot resolve the starting offsets");
                goto fail;
            }
            terminate(&d->start[i]);
        }
    }
    if (sink_t) {
        if (sink_open(sink_t, d->q.plan.root->schema, sq->mode, d->console, d->ck ? ckpt_id(d->ck) : NULL, &d->sink, d->err,
                      sizeof d->err))
            goto fail;
    } else {
        struct cat_entry console = {.kind = CAT_TABLE, .name = "console", .format = "console"};
        if (sink_console_new(&console, d->q.plan.root->schema, d->console, &d->sink, d->err, sizeof d->err)) goto fail;
        d->sink->mode = sq->mode;
    }
    *out = d;
    return 0;
fail:
    snprintf(err, errcap, "%s", d->err);
    drv_close(d);
    return WERR_INVALID;
}

void drv_close(struct drv *d) {
    if (!d) return;
    for (uint32_t i = 0; i < d->nsrc; i++) {
        source_close(d->src[i]);
        buf_free(&d->start[i]);
        buf_free(&d->end[i]);
    }
    for (uint32_t i = 0; d->target && i < d->nsrc; i++) buf_free(&d->target[i]);
    free(d->target);
    free(d->src);
    free(d->start);
    free(d->end);
    sink_close(d->sink);
    if (d->q_open) query_close(&d->q);
    if (d->ck) ckpt_close(d->ck);
    free(d->state_dir);
    free(d);
}

/* ---- one micro-batch ---- */

static double rate(int64_t rows, double secs) { return secs > 0 ? (double)rows / secs : 0.0; }

static void progress(struct drv *d, int64_t batch, int64_t ts_us, int64_t wm_before, const int64_t *rows, int64_t total_us) {
    struct buf b = {0};
    int64_t in = 0, total_ms = total_us / 1000;
    for (uint32_t i = 0; i < d->nsrc; i++) in += rows[i];
    /* Spark: input rate over the time since the previous trigger, processing rate over this batch's duration */
    double secs = (double)total_us / 1e6;
    double since = d->last_trigger_us ? (double)(ts_us - d->last_trigger_us) / 1e6 : 0;
    d->last_trigger_us = ts_us;
    buf_printf(&b, "{\"id\":\"%s\",\"runId\":\"%s\",\"name\":null,\"timestamp\":", d->ck ? ckpt_id(d->ck) : d->run_id, d->run_id);
    iso(&b, ts_us);
    buf_printf(&b, ",\"batchId\":%lld,\"batchDuration\":%lld,\"numInputRows\":%lld,\"inputRowsPerSecond\":", (long long)batch,
               (long long)total_ms, (long long)in);
    json_write_double(&b, rate(in, since), 0);
    buf_printf(&b, ",\"processedRowsPerSecond\":");
    json_write_double(&b, rate(in, secs), 0);
    buf_printf(&b, ",\"durationMs\":{\"addBatch\":%lld,\"commitOffsets\":%lld,\"getBatch\":0,\"latestOffset\":%lld,"
                   "\"queryPlanning\":0,\"triggerExecution\":%lld,\"walCommit\":%lld}",
               (long long)d->t_add, (long long)d->t_commit, (long long)d->t_latest, (long long)total_ms, (long long)d->t_wal);
    /* eventTime: over all watermark operators */
    int64_t mn = INT64_MAX, mx = INT64_MIN, cnt = 0;
    double sum = 0;
    for (uint32_t i = 0; i < d->q.pipe.nwms; i++) {
        int64_t a, z, avg, c = op_watermark_stats(d->q.pipe.wms[i], &a, &z, &avg);
        if (!c) continue;
        if (a < mn) mn = a;
        if (z > mx) mx = z;
        sum += (double)avg * (double)c;
        cnt += c;
    }
    buf_printf(&b, ",\"eventTime\":{");
    if (cnt) {
        buf_printf(&b, "\"avg\":");
        iso(&b, (int64_t)(sum / (double)cnt));
        buf_printf(&b, ",\"max\":");
        iso(&b, mx);
        buf_printf(&b, ",\"min\":");
        iso(&b, mn);
        buf_putc(&b, ',');
    }
    if (d->q.pipe.nwms) {
        buf_printf(&b, "\"watermark\":");
        iso(&b, wm_before == WM_NONE ? 0 : wm_before);
    } else if (b.p[b.len - 1] == ',') {
        b.len--;
    }
    buf_printf(&b, "},\"stateOperators\":[");
    int first = 1;
    for (uint32_t i = 0; i < d->q.pipe.nops; i++) {
        const struct op *o = d->q.pipe.ops[i];
        if (!o->stateful) continue;
        buf_printf(&b, "%s{\"operatorName\":\"%s\",\"numRowsTotal\":%lld,\"numRowsUpdated\":%lld,\"numRowsRemoved\":%lld,"
                       "\"numRowsDroppedByWatermark\":%lld,\"memoryUsedBytes\":%lld}",
                   first ? "" : ",", o->vt->name, (long long)o->stats.num_rows_total, (long long)o->stats.num_rows_updated,
                   (long long)o->stats.num_rows_removed, (long long)o->stats.num_rows_dropped_by_watermark,
                   (long long)o->stats.memory_used_bytes);
        first = 0;
    }
    buf_printf(&b, "],\"sources\":[");
    for (uint32_t i = 0, k = 0; i < d->nsrc; i++) {
        if (!d->src[i]) continue;
        buf_printf(&b, "%s{\"description\":", k++ ? "," : "");
        json_write_string(&b, d->src[i]->desc, strlen(d->src[i]->desc));
        buf_printf(&b, ",\"startOffset\":%s,\"endOffset\":%s,\"latestOffset\":%s,\"numInputRows\":%lld,\"inputRowsPerSecond\":",
                   d->start[i].len ? (const char *)d->start[i].p : "null", (const char *)d->end[i].p, (const char *)d->end[i].p,
                   (long long)rows[i]);
        json_write_double(&b, rate(rows[i], since), 0);
        buf_printf(&b, ",\"processedRowsPerSecond\":");
        json_write_double(&b, rate(rows[i], secs), 0);
        buf_putc(&b, '}');
    }
    buf_printf(&b, "],\"sink\":{\"description\":");
    json_write_string(&b, d->sink->desc, strlen(d->sink->desc));
    buf_printf(&b, ",\"numOutputRows\":%lld}}", (long long)op_collect_rows(d->q.pipe.sink));
    if (d->ck) ckpt_append_progress(d->ck, (const char *)b.p, b.len);
    if (d->progress) {
        fwrite(b.p, 1, b.len, d->progress);
        fputc('\n', d->progress);
        fflush(d->progress);
    }
    buf_free(&b);
}

/* Runs micro-batch d->batch_id over (start, end] of each source. */
static int run_batch(struct drv *d, int64_t now_us) {
    int64_t t0 = mono_us(), rc;
    int64_t batch = d->batch_id, wm_before = d->q.watermark_us;
    if (d->ck && !d->rerun) {
        const char **lines = malloc((d->nsrc ? d->nsrc : 1) * sizeof *lines);
        uint32_t k = 0;
        for (uint32_t i = 0; i < d->nsrc; i++)
            if (d->src[i]) lines[k++] = (const char *)d->end[i].p;
        struct ckpt_offsets o = {.watermark_ms = wm_ms(d->q.watermark_us), .timestamp_ms = now_us / 1000,
                                 .nsources = (int)k, .sources = lines};
        rc = ckpt_write_offsets(d->ck, batch, &o);
        free(lines);
        if (rc) return fail(d, "writing the offsets log", (int)rc);
    }
    d->rerun = false;
    int64_t t1 = mono_us();
    d->t_wal = (t1 - t0) / 1000;
    query_begin(&d->q, now_us);
    int64_t *rows = calloc(d->nsrc ? d->nsrc : 1, sizeof *rows);
    for (uint32_t i = 0; i < d->nsrc; i++) {
        if (!d->src[i]) continue;
        if (d->start[i].len == d->end[i].len && !memcmp(d->start[i].p, d->end[i].p, d->end[i].len)) continue;
        struct push_ctx pc = {&d->q, i, 0};
        rc = d->src[i]->vt->read(d->src[i], (const char *)d->start[i].p, (const char *)d->end[i].p, push_cb, &pc);
        rows[i] = pc.rows;
        if (rc) {
            snprintf(d->err, sizeof d->err, "%s", query_error(&d->q)[0] ? query_error(&d->q) : d->src[i]->err[0] ? d->src[i]->err : "reading a source failed");
            free(rows);
            return rc < 0 ? (int)rc : WERR_IO;
        }
    }
    bool nodata = false;
    if ((rc = query_end(&d->q, &nodata))) {
        free(rows);
        if (query_error(&d->q)[0]) snprintf(d->err, sizeof d->err, "%s", query_error(&d->q));
        return fail(d, "running the micro-batch", (int)rc);
    }
    int done = d->sink->vt->committed(d->sink, batch);
    if (done < 0) rc = done;
    else if (!done) rc = d->sink->vt->write(d->sink, batch, d->q.pipe.sink);
    int64_t t2 = mono_us();
    d->t_add = (t2 - t1) / 1000;
    if (rc) {
        free(rows);
        if (d->sq->sink && !strcmp(d->sq->sink->format, "kafka"))
            snprintf(d->err, sizeof d->err, "writing to the kafka sink: %s", sink_kafka_error(d->sink));
        return fail(d, "writing to the sink", (int)rc);
    }
    if (d->ck) {
        if ((rc = query_state_save(&d->q, d->state_dir))) {
            free(rows);
            return fail(d, "saving the state", (int)rc);
        }
        if ((rc = ckpt_write_commit(d->ck, batch, wm_ms(d->q.watermark_us)))) {
            free(rows);
            return fail(d, "writing the commit log", (int)rc);
        }
        /* a little each batch, never a stall of hundreds of unlinks and a
         * synced rewrite in one commit phase (it showed in latency) */
        if (batch >= 100) ckpt_forget(d->ck, batch - 100);
        if (batch % 100 == 99) ckpt_trim_progress(d->ck);
    }
    int64_t t3 = mono_us();
    d->t_commit = (t3 - t2) / 1000;
    progress(d, batch, now_us, wm_before, rows, (t3 - t0) + d->t_latest * 1000);
    op_collect_clear(d->q.pipe.sink);
    for (uint32_t i = 0; i < d->nsrc; i++) {
        if (!d->src[i]) continue;
        if (d->src[i]->vt->done && rows[i]) d->src[i]->vt->done(d->src[i], (const char *)d->end[i].p, d->ck ? ckpt_id(d->ck) : d->run_id);
        buf_clear(&d->start[i]);
        buf_append(&d->start[i], d->end[i].p, d->end[i].len);
        terminate(&d->start[i]);
    }
    free(rows);
    d->want_nodata = nodata;
    d->batch_id++;
    d->ran++;
    return 0;
}

int drv_step(struct drv *d, int64_t now_us) {
    if (d->done) return DRV_DONE;
    if (now_us < d->next_due) return 0;
    if (d->max_batches && d->ran >= d->max_batches) {
        d->done = true;
        return DRV_DONE;
    }
    int64_t t0 = mono_us();
    int rc;
    if (d->rerun) {
        d->t_latest = 0;
        if ((rc = run_batch(d, now_us))) return rc;
        return 1;
    }
    if (d->trig == TRIG_AVAILABLE_NOW && !d->have_target) {
        /* what is there now is what this run processes */
        d->target = calloc(d->nsrc ? d->nsrc : 1, sizeof *d->target);
        for (uint32_t i = 0; i < d->nsrc; i++) {
            if (!d->src[i]) continue;
            bool has;
            rc = d->src[i]->vt->latest(d->src[i], (const char *)d->start[i].p, -1, &d->target[i], &has);
            if (rc) {
                snprintf(d->err, sizeof d->err, "%s", d->src[i]->err[0] ? d->src[i]->err : "asking a source for its latest offsets failed");
                return rc < 0 ? rc : WERR_IO;
            }
            terminate(&d->target[i]);
        }
        d->have_target = true;
    }
    bool any = false;
    for (uint32_t i = 0; i < d->nsrc; i++) {
        bool has = false;
        if (!d->src[i]) continue;
        d->src[i]->err[0] = 0;
        buf_clear(&d->end[i]);
        rc = d->src[i]->vt->latest(d->src[i], (const char *)d->start[i].p, d->src[i]->max_per_trigger, &d->end[i], &has);
        if (rc == WERR_IO || rc == WERR_AGAIN) {
            /* cannot reach the source: say so and retry with backoff */
            d->backoff_us = d->backoff_us ? d->backoff_us * 2 : 100000;
            if (d->backoff_us > 10000000) d->backoff_us = 10000000;
            log_warn("%s; retrying in %.1f s", d->src[i]->err[0] ? d->src[i]->err : "a source cannot be reached",
                     (double)d->backoff_us / 1e6);
            d->next_due = now_us + d->backoff_us;
            return 0;
        }
        if (rc) {
            snprintf(d->err, sizeof d->err, "%s", d->src[i]->err[0] ? d->src[i]->err : "asking a source for its latest offsets failed");
            return rc < 0 ? rc : WERR_IO;
        }
        terminate(&d->end[i]);
        if (d->have_target && d->src[i]->vt->clamp) {
            struct buf c = {0};
            if (!d->src[i]->vt->clamp(d->src[i], (const char *)d->start[i].p, (const char *)d->end[i].p,
                                      (const char *)d->target[i].p, &c)) {
                buf_clear(&d->end[i]);
                buf_append(&d->end[i], c.p, c.len);
                terminate(&d->end[i]);
                has = !(d->end[i].len == d->start[i].len && !memcmp(d->end[i].p, d->start[i].p, d->end[i].len));
            }
            buf_free(&c);
        }
        any |= has;
    }
    d->t_latest = (mono_us() - t0) / 1000;
    d->backoff_us = 0;
    if (!any && !d->want_nodata) {
        if (d->trig == TRIG_AVAILABLE_NOW || d->trig == TRIG_ONCE) {
            d->done = true;
            return DRV_DONE;
        }
        d->next_due = now_us + (d->trig == TRIG_PROCESSING_TIME ? d->interval_us : 10000);
        if (d->trig == TRIG_PROCESSING_TIME) d->next_due -= d->next_due % d->interval_us;
        return 0;
    }
    if ((rc = run_batch(d, now_us))) return rc;
    if (d->trig == TRIG_ONCE && !d->want_nodata) d->done = true;
    if (d->trig == TRIG_PROCESSING_TIME) {
        int64_t next = now_us - now_us % d->interval_us + d->interval_us;
        int64_t after = drv_now_us();
        d->next_due = next > after ? next : after; /* a missed interval starts at once */
    } else {
        d->next_due = 0;
    }
    return 1;
}

/* ---- batch queries ---- */

int drv_run_batch_query(struct session *s, struct sess_query *sq, FILE *out, char *err, size_t errcap) {
    (void)s;
    struct query q;
    if (query_open(&q, &sq->plan, OUT_COMPLETE)) {
        snprintf(err, errcap, "cannot build the query");
        return WERR_INVALID;
    }
    int rc = 0;
    struct arena a;
    arena_init(&a, 4096);
    query_begin(&q, drv_now_us());
    for (uint32_t i = 0; i < q.pipe.nsrcs && !rc; i++) {
        const struct phys_src *ps = &q.pipe.srcs[i];
        if (!ps->table) {
            struct batch *b = batch_new(&a, ps->schema, 1);
            batch_set_rows(b, 1);
            rc = query_push(&q, i, b);
            continue;
        }
        struct source *src;
        if (source_open(ps->table, &src, err, errcap)) {
            rc = WERR_INVALID;
            break;
        }
        struct buf st = {0}, en = {0};
        rc = src->vt->initial(src, true, &st);
        if (!rc) {
            buf_putc(&st, 0);
            rc = src->vt->ending(src, (const char *)st.p, &en);
        }
        if (!rc) {
            buf_putc(&en, 0);
            struct push_ctx pc = {&q, i, 0};
            rc = src->vt->read(src, (const char *)st.p, (const char *)en.p, push_cb, &pc);
        }
        if (rc) snprintf(err, errcap, "%s", query_error(&q)[0] ? query_error(&q) : src->err[0] ? src->err : "reading the source failed");
        buf_free(&st);
        buf_free(&en);
        source_close(src);
    }
    if (!rc) rc = query_end(&q, NULL);
    if (rc && query_error(&q)[0]) snprintf(err, errcap, "%s", query_error(&q));
    if (!rc) sink_show(out, q.pipe.sink, q.plan.root->schema, INT32_MAX, 0);
    arena_free(&a);
    query_close(&q);
    return rc;
}
