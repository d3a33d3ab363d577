/* source_kafka: Spark's Kafka source over connectors/kafka_src. Offsets are
 * Spark's JSON ({"topic":{"0":42}}: the next offset to read per partition).
 *   initial   startingTimestamp > startingOffsets (streaming default latest,
 *             batch default earliest), resolved against the cluster
 *   latest    the partitions' high watermarks; partitions that appeared
 *             since `start` begin at their earliest offset (Spark's rule);
 *             maxOffsetsPerTrigger split by backlog (ksrc_rate_limit)
 *   read      exactly [start, end) per partition into batches of the Kafka
 *             schema: key, value, topic, partition, offset, timestamp,
 *             timestampType [, headers]
 * Data loss follows failOnDataLoss (kafka_src). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "engine/connectors/kafka_src.h"
#include "engine/connectors/source.h"

struct source_kafka {
    struct source base;
    struct ksrc_opts o;
    struct ksrc *k;
    struct arena a;      /* per call */
    struct arena rows;   /* the batch being filled */
    int commit_failed;
};

static void kerr(struct source_kafka *s, const char *what) {
    snprintf(s->base.err, sizeof s->base.err, "kafka source `%s`: %s: %s", s->base.table->name, what, ksrc_error(s->k));
}

/* tps and their offsets for `spec` (resolved), or parsed from an offsets JSON */
static int offsets_of(struct source_kafka *s, const char *json, struct ksrc_po **po, int *n) {
    char e[200];
    if (ksrc_offsets_parse(json, strlen(json), &s->a, po, n, e, sizeof e)) {
        snprintf(s->base.err, sizeof s->base.err, "bad Kafka offsets in the checkpoint: %s", e);
        return WERR_CORRUPT;
    }
    return 0;
}

static int k_initial(struct source *src, bool batch_query, struct buf *out) {
    struct source_kafka *s = (struct source_kafka *)src;
    arena_reset(&s->a);
    struct ksrc_tp *tps;
    int n;
    if (ksrc_partitions(s->k, &s->a, &tps, &n)) return kerr(s, "listing partitions"), WERR_IO;
    int64_t *off = arena_alloc(&s->a, (size_t)(n ? n : 1) * sizeof *off);
    int rc;
    if (s->o.starting_timestamp >= 0) rc = ksrc_offsets_for_times(s->k, tps, n, s->o.starting_timestamp, off);
    else {
        const char *spec = s->o.starting_offsets ? s->o.starting_offsets : batch_query ? "earliest" : "latest";
        rc = ksrc_resolve(s->k, spec, tps, n, 0, KSRC_EARLIEST, off);
    }
    if (rc) return kerr(s, "resolving the starting offsets"), rc;
    struct ksrc_po *po = arena_alloc(&s->a, (size_t)(n ? n : 1) * sizeof *po);
    for (int i = 0; i < n; i++) po[i] = (struct ksrc_po){tps[i].topic, tps[i].partition, off[i]};
    ksrc_offsets_format(po, n, out);
    return 0;
}

/* end offsets for every current partition; start offsets for new ones = earliest */
static int k_end(struct source_kafka *s, const char *start, int64_t max_rows, const char *ending_spec, struct buf *end,
                 bool *has_data) {
    arena_reset(&s->a);
    struct ksrc_po *sp;
    int sn;
    int rc = offsets_of(s, start, &sp, &sn);
    if (rc) return rc;
    struct ksrc_tp *tps;
    int n;
    if (ksrc_partitions(s->k, &s->a, &tps, &n)) return kerr(s, "listing partitions"), WERR_IO;
    int64_t *lo = arena_alloc(&s->a, (size_t)(n ? n : 1) * sizeof *lo), *hi = arena_alloc(&s->a, (size_t)(n ? n : 1) * sizeof *hi);
    if (ending_spec) rc = ksrc_resolve(s->k, ending_spec, tps, n, 1, KSRC_LATEST, hi);
    else rc = ksrc_latest(s->k, tps, n, hi);
    if (rc) return kerr(s, "reading the latest offsets"), rc;
    int need_earliest = 0;
    for (int i = 0; i < n; i++) {
        lo[i] = -1;
        for (int j = 0; j < sn; j++)
            if (sp[j].partition == tps[i].partition && !strcmp(sp[j].topic, tps[i].topic)) lo[i] = sp[j].offset;
        need_earliest |= lo[i] < 0;
    }
    if (need_earliest) {
        int64_t *early = arena_alloc(&s->a, (size_t)n * sizeof *early);
        if (ksrc_earliest(s->k, tps, n, early)) return kerr(s, "reading the earliest offsets"), WERR_IO;
        for (int i = 0; i < n; i++)
            if (lo[i] < 0) lo[i] = early[i];
    }
    for (int i = 0; i < n; i++)
        if (hi[i] < lo[i]) hi[i] = lo[i];
    if (max_rows > 0) ksrc_rate_limit(lo, hi, n, max_rows);
    struct ksrc_po *po = arena_alloc(&s->a, (size_t)(n + sn + 1) * sizeof *po);
    *has_data = false;
    for (int i = 0; i < n; i++) {
        po[i] = (struct ksrc_po){tps[i].topic, tps[i].partition, hi[i]};
        if (hi[i] > lo[i]) *has_data = true;
    }
    /* a partition the metadata did not list this time (a transient answer, or
     * a deleted topic) keeps its offset: never restart it from the earliest */
    int m = n;
    for (int j = 0; j < sn; j++) {
        int seen = 0;
        for (int i = 0; i < n && !seen; i++) seen = tps[i].partition == sp[j].partition && !strcmp(tps[i].topic, sp[j].topic);
        if (!seen) po[m++] = sp[j];
    }
    ksrc_offsets_format(po, m, end);
    return 0;
}

static int k_latest(struct source *src, const char *start, int64_t max_rows, struct buf *end, bool *has_data) {
    return k_end((struct source_kafka *)src, start, max_rows, NULL, end, has_data);
}

static int k_ending(struct source *src, const char *start, struct buf *out) {
    struct source_kafka *s = (struct source_kafka *)src;
    bool has;
    return k_end(s, start, 0, s->o.ending_offsets ? s->o.ending_offsets : "latest", out, &has);
}

struct fill {
    struct source_kafka *s;
    struct batch *b;
    source_emit emit;
    void *ctx;
};

static void set_bytes(struct vec *v, uint32_t i, const void *p, size_t n) {
    if (!p) {
        v->valid[i] = 0;
        return;
    }
    vec_set_str(v, i, (const char *)p, (uint32_t)n);
}

static int flush(struct fill *f) {
    if (!f->b || !f->b->n) return 0;
    batch_set_rows(f->b, f->b->n);
    int rc = f->emit(f->ctx, f->b);
    arena_reset(&f->s->rows);
    f->b = NULL;
    return rc;
}

static int on_msg(void *opaque, const struct ksrc_msg *m) {
    struct fill *f = opaque;
    if (!f->b) {
        f->b = batch_new(&f->s->rows, f->s->base.schema, BATCH_CAP);
        f->b->n = 0;
    }
    struct batch *b = f->b;
    uint32_t i = b->n++;
    set_bytes(b->cols[0], i, m->key, m->key_len);
    set_bytes(b->cols[1], i, m->value, m->value_len);
    vec_set_str(b->cols[2], i, m->topic, (uint32_t)strlen(m->topic));
    vec_i32(b->cols[3])[i] = m->partition;
    b->cols[3]->valid[i] = 1;
    vec_i64(b->cols[4])[i] = m->offset;
    b->cols[4]->valid[i] = 1;
    vec_i64(b->cols[5])[i] = m->timestamp_ms * 1000;
    b->cols[5]->valid[i] = m->timestamp_ms >= 0;
    vec_i32(b->cols[6])[i] = m->timestamp_type;
    b->cols[6]->valid[i] = 1;
    if (b->ncols > 7) {
        struct vec *h = b->cols[7];
        uint32_t base = vec_list_reserve(h, (uint32_t)m->nheaders);
        struct vec *hs = h->child[0];
        for (int k = 0; k < m->nheaders; k++) {
            hs->valid[base + k] = 1;
            vec_set_str(hs->child[0], base + k, m->headers[k].key, (uint32_t)strlen(m->headers[k].key));
            set_bytes(hs->child[1], base + k, m->headers[k].value, m->headers[k].value_len);
        }
        h->child_len += (uint32_t)m->nheaders;
        vec_list(h)[i] = (struct vlist){base, (uint32_t)m->nheaders};
        h->valid[i] = 1;
    }
    return b->n == BATCH_CAP ? flush(f) : 0;
}

static int k_read(struct source *src, const char *start, const char *end, source_emit emit, void *ctx) {
    struct source_kafka *s = (struct source_kafka *)src;
    arena_reset(&s->a);
    struct ksrc_po *sp, *ep;
    int sn, en, rc;
    if ((rc = offsets_of(s, start, &sp, &sn)) || (rc = offsets_of(s, end, &ep, &en))) return rc;
    struct ksrc_range *r = arena_alloc(&s->a, (size_t)(en ? en : 1) * sizeof *r);
    struct ksrc_tp *tps = arena_alloc(&s->a, (size_t)(en ? en : 1) * sizeof *tps);
    int need_earliest = 0;
    for (int i = 0; i < en; i++) {
        r[i] = (struct ksrc_range){ep[i].topic, ep[i].partition, -1, ep[i].offset};
        tps[i] = (struct ksrc_tp){ep[i].topic, ep[i].partition};
        for (int j = 0; j < sn; j++)
            if (sp[j].partition == ep[i].partition && !strcmp(sp[j].topic, ep[i].topic)) r[i].start = sp[j].offset;
        need_earliest |= r[i].start < 0;
    }
    if (need_earliest) {
        int64_t *early = arena_alloc(&s->a, (size_t)en * sizeof *early);
        if (ksrc_earliest(s->k, tps, en, early)) return kerr(s, "reading the earliest offsets"), WERR_IO;
        for (int i = 0; i < en; i++)
            if (r[i].start < 0) r[i].start = early[i];
    }
    struct fill f = {s, NULL, emit, ctx};
    struct ksrc_read_stats st;
    rc = ksrc_read(s->k, r, en, on_msg, &f, &st);
    if (!rc) rc = flush(&f);
    else if (rc < 0) kerr(s, "reading");
    arena_reset(&s->rows);
    return rc;
}

/* Commits the processed offsets to kafka.group.id, or to "weir-<query id>"
 * when none is set, so consumer-lag tools can follow the query. A broker
 * without group support refuses: warn once and carry on. */
static void k_done(struct source *src, const char *end, const char *query_id) {
    struct source_kafka *s = (struct source_kafka *)src;
    if (s->commit_failed) return;
    arena_reset(&s->a);
    struct ksrc_po *po;
    int n;
    if (offsets_of(s, end, &po, &n)) return;
    char group[128];
    const char *g = s->o.group_id;
    if (!g) {
        snprintf(group, sizeof group, "weir-%s", query_id ? query_id : "query");
        g = group;
    }
    if (ksrc_commit(s->k, g, po, n)) {
        log_warn("kafka source `%s`: cannot commit offsets to group %s (%s); lag tools will not see this query",
                 s->base.table->name, g, ksrc_error(s->k));
        s->commit_failed = 1;
    }
}

/* Per partition min(end, target); partitions the target does not know
 * (created after availableNow started) stay at their start. */
static int k_clamp(struct source *src, const char *start, const char *end, const char *target, struct buf *out) {
    struct source_kafka *s = (struct source_kafka *)src;
    arena_reset(&s->a);
    struct ksrc_po *sp, *ep, *tp;
    int sn, en, tn, rc;
    if ((rc = offsets_of(s, start, &sp, &sn)) || (rc = offsets_of(s, end, &ep, &en)) || (rc = offsets_of(s, target, &tp, &tn)))
        return rc;
    for (int i = 0; i < en; i++) {
        int64_t lim = -1;
        for (int j = 0; j < tn; j++)
            if (tp[j].partition == ep[i].partition && !strcmp(tp[j].topic, ep[i].topic)) lim = tp[j].offset;
        if (lim < 0)
            for (int j = 0; j < sn; j++)
                if (sp[j].partition == ep[i].partition && !strcmp(sp[j].topic, ep[i].topic)) lim = sp[j].offset;
        if (lim >= 0 && ep[i].offset > lim) ep[i].offset = lim;
    }
    ksrc_offsets_format(ep, en, out);
    return 0;
}

static void k_close(struct source *src) {
    struct source_kafka *s = (struct source_kafka *)src;
    if (s->k) ksrc_free(s->k);
    arena_free(&s->a);
    arena_free(&s->rows);
    free(s);
}

static const struct source_vt kafka_vt = {k_initial, k_ending, k_latest, k_read, k_close, k_clamp, k_done};

int source_kafka_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap) {
    struct source_kafka *s = calloc(1, sizeof *s);
    s->base.vt = &kafka_vt;
    s->base.table = t;
    s->base.schema = t->schema;
    arena_init(&s->a, 1 << 14);
    arena_init(&s->rows, 1 << 20);
    ksrc_opts_init(&s->o);
    for (uint32_t i = 0; i < t->nopts; i++) {
        int rc = ksrc_opts_set(&s->o, t->opt_keys[i], t->opt_vals[i], err, errcap);
        if (rc && rc != WERR_NOTFOUND) goto fail;
    }
    if (ksrc_opts_check(&s->o, err, errcap) || ksrc_new(&s->o, &s->k, err, errcap)) goto fail;
    snprintf(s->base.desc, sizeof s->base.desc, "KafkaV2[%s %s]",
             s->o.strategy == KSRC_SUBSCRIBE ? "Subscribe" : s->o.strategy == KSRC_ASSIGN ? "Assign" : "SubscribePattern",
             s->o.strategy_value ? s->o.strategy_value : "");
    *out = &s->base;
    return 0;
fail:
    k_close(&s->base);
    return -1;
}
