/* txn: the transaction coordinator's state, its log, markers and timeouts;
 * see txn.h for the protocol. The request handlers are in h_txn.c. */
#include "broker/txn.h"

#include "broker/group.h"
#include "broker/topics.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "wire/batch.h"
#include "wire/errors.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *txn_state_name(enum txn_state s) {
    static const char *names[] = {"Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit",
                                  "CompleteAbort", "Dead", "PrepareEpochFence"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "Unknown";
}

struct txn *txn_find(struct broker *b, const char *id, size_t len) {
    return b->txn ? hmap_get(&b->txn->by_id, id, len) : NULL;
}

struct txn *txn_new(struct broker *b, const char *id, size_t len) {
    struct txn *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->id = strndup(id, len);
    if (!t->id) abort();
    t->pid = -1;
    t->epoch = -1;
    t->last_epoch = -1;
    hmap_put(&b->txn->by_id, t->id, len, t);
    return t;
}

void txn_clear_tps(struct txn *t) {
    for (int i = 0; i < t->ntps; i++) free(t->tps[i].topic);
    t->ntps = 0;
}

void txn_set_pid(struct broker *b, struct txn *t, int64_t pid) {
    if (t->pid >= 0 && hmap_get(&b->txn->by_pid, &t->pid, sizeof t->pid) == t)
        hmap_del(&b->txn->by_pid, &t->pid, sizeof t->pid);
    t->pid = pid;
    if (pid >= 0) hmap_put(&b->txn->by_pid, &t->pid, sizeof t->pid, t);
}

int txn_has_tp(const struct txn *t, const char *topic, size_t tlen, int32_t part) {
    for (int i = 0; i < t->ntps; i++)
        if (t->tps[i].part == part && strlen(t->tps[i].topic) == tlen && !memcmp(t->tps[i].topic, topic, tlen))
            return 1;
    return 0;
}

/* Adds a partition; 1 if it was new. */
int txn_add_tp(struct txn *t, const char *topic, size_t tlen, int32_t part) {
    if (txn_has_tp(t, topic, tlen, part)) return 0;
    if (t->ntps == t->captps) {
        t->captps = t->captps ? t->captps * 2 : 8;
        t->tps = realloc(t->tps, (size_t)t->captps * sizeof *t->tps);
        if (!t->tps) abort();
    }
    t->tps[t->ntps].topic = strndup(topic, tlen);
    if (!t->tps[t->ntps].topic) abort();
    t->tps[t->ntps++].part = part;
    return 1;
}

/* ---- the log ---- */



int txn_store(struct broker *b, struct txn *t, struct req *r) {
    if (b->txn->loading) return KERR_NONE;
    struct partition *p = partition_find(b, TXN_TOPIC, strlen(TXN_TOPIC), 0);
    if (!p) return KERR_COORDINATOR_NOT_AVAILABLE;
    t->update_ms = clock_wall_ms();
    struct buf key = {0}, val = {0}, batch = {0};
    buf_be16(&key, (uint16_t)0);
    buf_cstr16(&key, t->id);
    buf_be16(&val, (uint16_t)0);
    buf_be64(&val, (uint64_t)t->pid);
    buf_be16(&val, (uint16_t)t->epoch);
    buf_be32(&val, (uint32_t)t->timeout_ms);
    buf_putc(&val, (uint8_t)t->state);
    /* partitions grouped by topic, as Kafka writes them */
    int *done = calloc((size_t)t->ntps + 1, sizeof *done);
    if (!done) abort();
    int ntopics = 0;
    for (int i = 0; i < t->ntps; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = !strcmp(t->tps[j].topic, t->tps[i].topic);
        ntopics += !seen;
    }
    buf_be32(&val, (uint32_t)ntopics);
    for (int i = 0; i < t->ntps; i++) {
        if (done[i]) continue;
        buf_cstr16(&val, t->tps[i].topic);
        int n = 0;
        for (int j = i; j < t->ntps; j++) n += !strcmp(t->tps[j].topic, t->tps[i].topic);
        buf_be32(&val, (uint32_t)n);
        for (int j = i; j < t->ntps; j++)
            if (!strcmp(t->tps[j].topic, t->tps[i].topic)) {
                buf_be32(&val, (uint32_t)t->tps[j].part);
                done[j] = 1;
            }
    }
    free(done);
    buf_be64(&val, (uint64_t)t->update_ms);
    buf_be64(&val, (uint64_t)t->start_ms);
    struct batch_builder bb;
    batch_builder_init(&bb, &batch, 0);
    batch_builder_add(&bb, t->update_ms, key.p, (int32_t)key.len, val.p, (int32_t)val.len, NULL, 0);
    batch_builder_finish(&bb);
    int err = partition_append_batches(b, p, batch.p, batch.len, r);
    if (!err) t->need_off = plog_end_offset(p->log);
    buf_free(&key);
    buf_free(&val);
    buf_free(&batch);
    return err;
}

/* Appends producer pid's COMMIT or ABORT marker to p; r (if any) waits
 * until it is durable. */
static void write_marker(struct broker *b, struct partition *p, int64_t pid, int16_t epoch, int commit,
                         struct req *r) {
    struct buf batch = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &batch, 0);
    bb.producer_id = pid;
    bb.producer_epoch = epoch;
    bb.base_sequence = -1;
    bb.attributes = BATCH_ATTR_CONTROL | BATCH_ATTR_TRANSACTIONAL;
    uint8_t key[4], val[6];
    be16_put(key, 0);
    be16_put(key + 2, (uint16_t)(commit ? CTRL_COMMIT : CTRL_ABORT));
    be16_put(val, 0);
    be32_put(val + 2, 0); /* coordinator epoch */
    batch_builder_add(&bb, clock_wall_ms(), key, 4, val, 6, NULL, 0);
    batch_builder_finish(&bb);
    if (!partition_append_batches(b, p, batch.p, batch.len, r) && !strcmp(p->topic->name, GRP_OFFSETS_TOPIC) && b->grp)
        grp_txn_complete(b, pid, commit);
    buf_free(&batch);
}

/* Writes the COMMIT or ABORT marker of t's producer to every partition of
 * the transaction; r (if any) waits until all are durable. */
void txn_write_markers(struct broker *b, struct txn *t, int commit, struct req *r) {
    for (int i = 0; i < t->ntps; i++) {
        struct partition *p = partition_find(b, t->tps[i].topic, strlen(t->tps[i].topic), t->tps[i].part);
        if (p) write_marker(b, p, t->pid, t->epoch, commit, r); /* else deleted meanwhile: nothing to close */
    }
}

/* Flushes p synchronously, releasing whatever waited on it (for the rare
 * paths with no request to park). */
static void flush_part(struct broker *b, struct partition *p) {
    if (!p || plog_flushed_offset(p->log) >= plog_end_offset(p->log)) return;
    if (plog_flush(p->log) == 0) produce_on_synced(b, p);
}

/* Ends t at once (no request waits): both phases, synchronously, in the
 * same order as EndTxn (markers only once the Prepare record is durable).
 * With bump, the epoch is raised first, fencing the producer that let it
 * run. */
void txn_end_now(struct broker *b, struct txn *t, int commit, int bump) {
    if (bump && t->epoch < INT16_MAX - 1) {
        t->epoch++;
        t->last_epoch = -1; /* a fence: the fenced producer's epoch must not come back */
    }
    t->state = commit ? TXN_PREPARE_COMMIT : TXN_PREPARE_ABORT;
    txn_store(b, t, NULL);
    flush_part(b, partition_find(b, TXN_TOPIC, strlen(TXN_TOPIC), 0));
    txn_write_markers(b, t, commit, NULL);
    for (int i = 0; i < t->ntps; i++)
        flush_part(b, partition_find(b, t->tps[i].topic, strlen(t->tps[i].topic), t->tps[i].part));
    t->state = commit ? TXN_COMPLETE_COMMIT : TXN_COMPLETE_ABORT;
    txn_clear_tps(t);
    t->ending = 0;
    txn_store(b, t, NULL);
}

int txn_park(struct txn *t, struct req *r) {
    if (t->nparked == t->capparked) {
        t->capparked = t->capparked ? t->capparked * 2 : 4;
        t->parked = realloc(t->parked, (size_t)t->capparked * sizeof *t->parked);
        if (!t->parked) abort();
    }
    t->parked[t->nparked++] = r;
    return H_PARKED;
}

/* Runs the handlers of the requests that waited for t, in arrival order. */
static void resume_parked(struct broker *b, struct txn *t) {
    struct req **v = t->parked;
    int n = t->nparked;
    t->parked = NULL;
    t->nparked = t->capparked = 0;
    for (int i = 0; i < n; i++) {
        struct req *r = v[i];
        int hr = handler_for(r->hdr.api_key)(b, r);
        if (hr == H_DONE) req_complete(b, r, REQ_DONE);
        else if (hr == H_NO_RESPONSE) req_complete(b, r, REQ_NO_RESPONSE);
        /* H_PARKED: waiting again, on syncs or on a transaction */
    }
    free(v);
}

/* Phase 2: every marker of t is durable. ctx is t's id. */
static void markers_durable(struct broker *b, void *ctx) {
    char *id = ctx;
    struct txn *t = txn_find(b, id, strlen(id));
    free(id);
    if (!t || !t->completing) return;
    t->state = t->state == TXN_PREPARE_COMMIT ? TXN_COMPLETE_COMMIT : TXN_COMPLETE_ABORT;
    txn_clear_tps(t);
    t->completing = 0;
    txn_store(b, t, NULL);
    resume_parked(b, t);
}

void txn_decided(struct broker *b, struct txn *t) {
    t->ending = 0;
    t->completing = 1;
    char *id = strdup(t->id);
    if (!id) abort();
    struct req *tok = sync_token_new(markers_durable, id);
    txn_write_markers(b, t, t->state == TXN_PREPARE_COMMIT, tok);
    sync_token_arm(b, tok);
}

void txn_tick(struct broker *b, int64_t now_wall) {
    if (!b->txn) return;
    size_t it = 0;
    void *v;
    while (hmap_next(&b->txn->by_id, &it, NULL, NULL, &v)) {
        struct txn *t = v;
        if (t->state != TXN_ONGOING || t->ending || now_wall - t->start_ms <= t->timeout_ms) continue;
        log_info("transaction %s (producer %" PRId64 " epoch %d) timed out after %d ms: aborting", t->id, t->pid,
                 t->epoch, t->timeout_ms);
        txn_end_now(b, t, 0, 1);
    }
}

int txn_check_produce(struct broker *b, const struct wstr *txn_id, int64_t pid, int16_t epoch, const char *topic,
                      size_t tlen, int32_t part, int64_t *need_off) {
    *need_off = -1;
    if (!b->txn) return KERR_COORDINATOR_NOT_AVAILABLE;
    struct txn *t = txn_id && txn_id->p ? txn_find(b, txn_id->p, (size_t)txn_id->n)
                                        : hmap_get(&b->txn->by_pid, &pid, sizeof pid);
    if (!t || t->pid != pid) return KERR_INVALID_PRODUCER_ID_MAPPING;
    if (epoch < t->epoch) return KERR_INVALID_PRODUCER_EPOCH;
    if (epoch > t->epoch) return KERR_INVALID_PRODUCER_EPOCH;
    if (t->state != TXN_ONGOING || t->ending || !txn_has_tp(t, topic, tlen, part)) return KERR_INVALID_TXN_STATE;
    *need_off = t->need_off;
    return KERR_NONE;
}

/* ---- loading ---- */

static void load_record(struct broker *b, const struct batch_record *rec) {
    if (!rec->key) return;
    struct wrd k;
    wrd_init(&k, rec->key, (size_t)rec->key_len);
    const char *id = NULL;
    if (wrd_i16(&k) != 0) return;
    int idl = wrd_str16(&k, &id);
    if (idl < 0) return;
    if (k.err) return;
    struct txn *t = txn_find(b, id, (size_t)idl);
    if (!rec->value) { /* tombstone: the transactional id expired */
        if (t) {
            txn_set_pid(b, t, -1);
            hmap_del(&b->txn->by_id, t->id, strlen(t->id));
            txn_clear_tps(t);
            free(t->tps);
            free(t->id);
            free(t);
        }
        return;
    }
    struct wrd v;
    wrd_init(&v, rec->value, (size_t)rec->value_len);
    if (wrd_i16(&v) != 0) return;
    int64_t pid = wrd_i64(&v);
    int16_t epoch = wrd_i16(&v);
    int32_t timeout = wrd_i32(&v);
    int8_t state = wrd_i8(&v);
    int32_t ntopics = wrd_i32(&v);
    if (v.err || ntopics < 0) return;
    if (!t) t = txn_new(b, id, (size_t)idl);
    txn_clear_tps(t);
    for (int32_t i = 0; i < ntopics && !v.err; i++) {
        const char *topic = NULL;
        int tl = wrd_str16(&v, &topic);
        if (tl < 0) break;
        int32_t np = wrd_i32(&v);
        for (int32_t j = 0; j < np && !v.err; j++) {
            int32_t part = wrd_i32(&v);
            if (!v.err) txn_add_tp(t, topic, (size_t)tl, part);
        }
    }
    t->update_ms = wrd_i64(&v);
    t->start_ms = wrd_i64(&v);
    txn_set_pid(b, t, pid);
    t->epoch = epoch;
    t->timeout_ms = timeout;
    t->state = (enum txn_state)state;
}

static int load_batch(void *ctx, const struct batch_hdr *h, const uint8_t *bp, size_t bl) {
    struct batch_rec_iter ri;
    struct batch_record rec;
    if ((h->attributes & BATCH_ATTR_CONTROL) || batch_rec_iter_init(&ri, bp, bl)) return 0;
    while (batch_rec_iter_next(&ri, &rec) == 1) load_record(ctx, &rec);
    return 0;
}

/* Loading, after the Prepare states are completed: transactions open in a
 * partition that the coordinator does not list there (txn.h). The ones
 * whose transaction is still Ongoing at that epoch join it; the others are
 * orphans: their producer is fenced first (durably), then they get an
 * ABORT marker, so a crash in between repeats the repair rather than
 * leaving a closed partition behind a producer that could still commit. */
static void repair_open(struct broker *b) {
    struct orphan {
        struct partition *p;
        int64_t pid;
        int16_t epoch;
    } *orphans = NULL;
    int norphans = 0, joined = 0;
    size_t it = 0;
    void *v;
    while (hmap_next(&b->topics, &it, NULL, NULL, &v)) {
        struct topic *tp = v;
        for (int i = 0; i < tp->npart; i++) {
            struct partition *p = tp->parts[i];
            struct ptxn_open *o;
            int n = pstate_open_txns(p->ps, &o);
            for (int k = 0; k < n; k++) {
                struct txn *t = hmap_get(&b->txn->by_pid, &o[k].pid, sizeof o[k].pid);
                if (t && t->state == TXN_ONGOING && t->epoch == o[k].epoch) {
                    if (txn_add_tp(t, tp->name, strlen(tp->name), p->index)) {
                        log_info("transaction %s: %s-%d has its data from offset %" PRId64
                                 " but was not recorded in it at the last stop: added",
                                 t->id, tp->name, p->index, o[k].first_offset);
                        txn_store(b, t, NULL);
                        joined++;
                    }
                    continue;
                }
                int16_t epoch = o[k].epoch;
                if (t && t->epoch <= epoch && epoch < INT16_MAX - 1) { /* fence the producer that wrote it */
                    t->epoch = (int16_t)(epoch + 1);
                    t->last_epoch = -1;
                    txn_store(b, t, NULL);
                }
                if (t && t->epoch > epoch) epoch = t->epoch;
                log_info("%s-%d: producer %" PRId64 " left a transaction open from offset %" PRId64
                         " that its coordinator %s: aborting it%s",
                         tp->name, p->index, o[k].pid, o[k].first_offset,
                         t ? "did not record there" : "does not know", t ? " and fencing the producer" : "");
                orphans = realloc(orphans, (size_t)(norphans + 1) * sizeof *orphans);
                if (!orphans) abort();
                orphans[norphans++] = (struct orphan){p, o[k].pid, epoch};
            }
            free(o);
        }
    }
    if (!joined && !norphans) return;
    flush_part(b, partition_find(b, TXN_TOPIC, strlen(TXN_TOPIC), 0));
    for (int i = 0; i < norphans; i++) write_marker(b, orphans[i].p, orphans[i].pid, orphans[i].epoch, 0, NULL);
    for (int i = 0; i < norphans; i++) flush_part(b, orphans[i].p);
    free(orphans);
}

int txn_open(struct broker *b, char *err, size_t errlen) {
    b->txn = calloc(1, sizeof *b->txn);
    if (!b->txn) abort();
    struct topic *t = topic_internal(b, TXN_TOPIC, err, errlen);
    if (!t) return WERR_IO;
    b->txn->loading = 1;
    int rc = partition_scan(t->parts[0], load_batch, b, err, errlen);
    b->txn->loading = 0;
    if (rc) return rc;
    /* finish what a crash interrupted between the two phases */
    int n = 0, finished = 0;
    size_t it = 0;
    void *v;
    while (hmap_next(&b->txn->by_id, &it, NULL, NULL, &v)) {
        struct txn *x = v;
        n++;
        if (x->state == TXN_PREPARE_COMMIT || x->state == TXN_PREPARE_ABORT || x->state == TXN_PREPARE_EPOCH_FENCE) {
            int commit = x->state == TXN_PREPARE_COMMIT;
            log_info("transaction %s was %s at the last stop: completing it", x->id, txn_state_name(x->state));
            txn_end_now(b, x, commit, 0);
            finished++;
        }
    }
    if (n) log_info("%s: %d transactional id(s), %d transaction(s) completed", TXN_TOPIC, n, finished);
    repair_open(b);
    return 0;
}

void txn_free(struct broker *b) {
    if (!b->txn) return;
    size_t it = 0;
    void *v;
    while (hmap_next(&b->txn->by_id, &it, NULL, NULL, &v)) {
        struct txn *t = v;
        txn_clear_tps(t);
        free(t->tps);
        free(t->parked); /* the requests themselves go with their connections */
        free(t->id);
        free(t);
    }
    hmap_free(&b->txn->by_id);
    hmap_free(&b->txn->by_pid);
    free(b->txn);
    b->txn = NULL;
}
