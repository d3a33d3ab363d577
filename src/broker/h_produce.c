/* h_produce: Produce (key 0). Validates every batch (magic 2, CRC32C,
 * sizes), appends it to the partition log with broker-assigned offsets, and
 * answers. acks=-1 responses wait until the flusher has fdatasync'ed the
 * partition past the appended batches (group commit: every request waiting
 * on a partition when its sync starts is released by that one sync).
 * acks=1 answers once the data is written to the page cache; acks=0 gets no
 * response. */
#include "broker/core.h"
#include "broker/topics.h"
#include "broker/txn.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "wire/api_produce.h"
#include "wire/batch.h"
#include "wire/compress.h"
#include "wire/errors.h"

#include <stdlib.h>
#include <string.h>

void partition_add_sync_waiter(struct broker *b, struct partition *p, struct req *r, int64_t upto) {
    struct waiter *w = malloc(sizeof *w);
    if (!w) abort();
    w->req = r;
    w->offset = upto;
    w->next = p->sync_waiters;
    p->sync_waiters = w;
    r->pending++;
    partition_request_sync(b, p);
}

/* Overlapping syncs: a request appended while a sync is running would
 * otherwise wait for that sync and then for its own; with a second sync
 * started at once it waits for one. Two per partition bound the cost. */
#define SYNC_MAX_INFLIGHT 2

void partition_request_sync(struct broker *b, struct partition *p) {
    if (!p->sync_waiters) return;
    int64_t need = 0;
    for (struct waiter *w = p->sync_waiters; w; w = w->next)
        if (w->offset > need) need = w->offset;
    if (p->sync_inflight && p->sync_inflight_upto >= need) return; /* a running sync covers them */
    if (p->sync_inflight >= SYNC_MAX_INFLIGHT) return;             /* asked again when one ends */
    int fds[8];
    int64_t upto = 0;
    int n = plog_sync_fds(p->log, fds, 8, &upto);
    if (n < 0) {
        log_error("%s-%d: cannot prepare a sync", p->topic->name, p->index);
        return;
    }
    if (n == 0) { /* nothing unsynced: everything up to upto is durable */
        plog_mark_flushed(p->log, upto);
        produce_on_synced(b, p);
        return;
    }
    p->sync_inflight++;
    if (upto > p->sync_inflight_upto) p->sync_inflight_upto = upto;
    flusher_submit(b->flusher, p->uid, fds, n, upto);
}

void produce_on_synced(struct broker *b, struct partition *p) {
    int64_t flushed = plog_flushed_offset(p->log);
    struct waiter **pp = &p->sync_waiters;
    while (*pp) {
        struct waiter *w = *pp;
        if (w->offset <= flushed) {
            *pp = w->next;
            struct req *r = w->req;
            free(w);
            req_sync_done(b, r);
        } else {
            pp = &w->next;
        }
    }
    if (p->sync_waiters) partition_request_sync(b, p); /* appended while the last sync ran */
}

void produce_release_waiters(struct broker *b, struct partition *p) {
    while (p->sync_waiters) {
        struct waiter *w = p->sync_waiters;
        p->sync_waiters = w->next;
        struct req *r = w->req;
        free(w);
        req_sync_done(b, r);
    }
}

void req_sync_done(struct broker *b, struct req *r) {
    if (--r->pending > 0) return;
    if (r->on_synced) {
        void (*fn)(struct broker *, struct req *) = r->on_synced;
        r->on_synced = NULL;
        fn(b, r);
    } else {
        req_complete(b, r, REQ_DONE);
    }
}

/* Appends one partition's records; fills the response partition. A
 * transactional batch raises *txn_need to the __transaction_state offset
 * its partition's AddPartitionsToTxn record ends at. */
static void produce_partition(struct broker *b, struct req *r, struct topic *t, struct produce_req_partition *in,
                              struct produce_resp_partition *out, int16_t acks, const struct wstr *txn_id,
                              int64_t *txn_need) {
    out->index = in->index;
    out->base_offset = -1;
    out->log_append_time_ms = -1;
    out->log_start_offset = -1;
    out->current_leader.leader_id = -1;
    out->current_leader.leader_epoch = -1;
    if (in->index < 0 || in->index >= t->npart) {
        out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    struct partition *p = t->parts[in->index];
    if (!in->records.p || in->records.n <= 0) {
        out->error_code = KERR_CORRUPT_MESSAGE;
        out->error_message = (struct wstr){"empty or null record set", 24};
        return;
    }
    char why[200];
    int rc = batch_validate(in->records.p, (size_t)in->records.n, t->max_message_bytes, why, sizeof why);
    if (rc) {
        out->error_code = rc == BATCH_ERR_OLD_MAGIC ? KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT
                          : rc == WERR_TOOBIG       ? KERR_MESSAGE_TOO_LARGE
                                                    : KERR_CORRUPT_MESSAGE;
        char *m = arena_printf(&r->arena, "%s", rc == BATCH_ERR_OLD_MAGIC
                                                    ? "message format v0/v1 is not supported: use record batches (magic 2)"
                                                    : why);
        out->error_message = (struct wstr){m, (int32_t)strlen(m)};
        log_debug("%s: produce to %s-%d rejected: %s (%s)", r->conn->addr, t->name, in->index,
                  kerr_name(out->error_code), m);
        return;
    }
    if (t->compact) { /* compaction keeps the newest value per key: a record without one has no place */
        struct batch_iter ki;
        batch_iter_init(&ki, in->records.p, (size_t)in->records.n);
        const uint8_t *kb;
        size_t kl;
        struct batch_hdr kh;
        while (batch_iter_next(&ki, &kb, &kl, &kh) == 1)
            if (!(kh.attributes & BATCH_ATTR_CONTROL) && compress_batch_has_null_key(kb, kl, 256u << 20) != 0) {
                out->error_code = KERR_INVALID_RECORD;
                out->error_message = wstr_c("Compacted topic cannot accept message without key in topic partition");
                return;
            }
    }
    int64_t now = clock_wall_ms(), lat = t->log_append_time ? now : -1;
    uint8_t *data = (uint8_t *)in->records.p;
    size_t len = (size_t)in->records.n;
    /* Idempotent batches are checked and appended one at a time, so each is
     * judged against the state its predecessors left. */
    struct batch_iter it;
    batch_iter_init(&it, data, len);
    const uint8_t *bp;
    size_t bl;
    struct batch_hdr h;
    int idempotent = 0;
    while (batch_iter_next(&it, &bp, &bl, &h) == 1) idempotent |= h.producer_id >= 0;
    int64_t first = -1, last = -1, start = -1, append_time = -1;
    if (!idempotent) {
        struct plog_append res;
        rc = plog_append(p->log, data, len, now, lat, &res);
        if (rc) goto storage_error;
        first = res.base_offset, last = res.last_offset, start = res.start_offset, append_time = res.log_append_time;
    } else {
        batch_iter_init(&it, data, len);
        while (batch_iter_next(&it, &bp, &bl, &h) == 1) {
            int64_t dup = -1;
            int16_t kerr = 0;
            enum pstate_verdict v = h.producer_id >= 0 ? pstate_check(p->ps, &h, &dup, &kerr) : PS_APPEND;
            if (v == PS_APPEND && (h.attributes & BATCH_ATTR_TRANSACTIONAL)) { /* must be in an ongoing transaction */
                int64_t need = -1;
                kerr = (int16_t)txn_check_produce(b, txn_id, h.producer_id, h.producer_epoch, t->name,
                                                  strlen(t->name), in->index, &need);
                if (kerr) v = PS_ERROR;
                else if (need > *txn_need) *txn_need = need;
            }
            if (v == PS_ERROR) {
                out->error_code = kerr;
                log_debug("%s: produce to %s-%d from producer %lld epoch %d seq %d refused: %s", r->conn->addr,
                          t->name, in->index, (long long)h.producer_id, h.producer_epoch, h.base_sequence,
                          kerr_name(kerr));
                if (first < 0) return; /* nothing appended: the whole partition fails */
                break;
            }
            if (v == PS_DUPLICATE) { /* already in the log: answer with its original offset */
                if (first < 0) first = dup;
                continue;
            }
            struct plog_append res;
            rc = plog_append(p->log, (uint8_t *)bp, bl, now, lat, &res);
            if (rc) goto storage_error;
            batch_parse_header(bp, bl, &h); /* now carries its base offset */
            pstate_update(p->ps, &h, bp, bl);
            if (first < 0) first = res.base_offset;
            last = res.last_offset, start = res.start_offset, append_time = res.log_append_time;
        }
        if (start < 0) start = plog_start_offset(p->log);
    }
    out->base_offset = first;
    out->log_append_time_ms = append_time;
    out->log_start_offset = start;
    if (last < 0) return; /* only duplicates */
    partition_notify_append(b, p);
    if (acks == -1 && plog_flushed_offset(p->log) <= last) partition_add_sync_waiter(b, p, r, last + 1);
    return;
storage_error:
    log_error("append to %s-%d failed: %s", t->name, in->index, werr_str(rc));
    out->error_code = KERR_KAFKA_STORAGE_ERROR;
}

int h_produce(struct broker *b, struct req *r) {
    struct produce_req *q = r->body;
    struct produce_resp resp = {0};
    int16_t acks = q->acks;
    int16_t top_err = 0;
    int64_t txn_need = -1; /* __transaction_state must be durable below this (txn.h) */
    if (acks != -1 && acks != 0 && acks != 1) top_err = KERR_INVALID_REQUIRED_ACKS;
    int nt = q->topic_data.n > 0 ? q->topic_data.n : 0;
    resp.responses.n = nt;
    resp.responses.v = arena_calloc(&r->arena, (size_t)nt * sizeof *resp.responses.v + 1);
    for (int i = 0; i < nt; i++) {
        struct produce_req_topic *qt = &q->topic_data.v[i];
        struct produce_resp_topic *rt = &resp.responses.v[i];
        rt->name = qt->name;
        int np = qt->partition_data.n > 0 ? qt->partition_data.n : 0;
        rt->partition_responses.n = np;
        rt->partition_responses.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partition_responses.v + 1);
        int16_t terr = top_err;
        struct topic *t = NULL;
        if (!terr) {
            char why[300];
            if (!qt->name.p || !topic_name_valid(qt->name.p, (size_t)qt->name.n, why, sizeof why))
                terr = KERR_INVALID_TOPIC_EXCEPTION;
            else if (!(t = topic_find(b, qt->name.p, (size_t)qt->name.n)))
                t = topic_auto_create(b, qt->name.p, (size_t)qt->name.n, &terr);
        }
        for (int j = 0; j < np; j++) {
            struct produce_resp_partition *rp = &rt->partition_responses.v[j];
            if (terr || !t) {
                rp->index = qt->partition_data.v[j].index;
                rp->error_code = terr ? terr : KERR_UNKNOWN_TOPIC_OR_PARTITION;
                rp->base_offset = rp->log_append_time_ms = rp->log_start_offset = -1;
                rp->current_leader.leader_id = rp->current_leader.leader_epoch = -1;
                continue;
            }
            produce_partition(b, r, t, &qt->partition_data.v[j], rp, acks, &q->transactional_id, &txn_need);
        }
    }
    if (acks == -1 && txn_need > 0) { /* the records that added the partitions, once for the request */
        struct partition *tp = partition_find(b, TXN_TOPIC, strlen(TXN_TOPIC), 0);
        if (tp && plog_flushed_offset(tp->log) < txn_need) partition_add_sync_waiter(b, tp, r, txn_need);
    }
    if (acks == 0) return H_NO_RESPONSE;
    req_respond(r, &resp);
    return r->pending ? H_PARKED : H_DONE;
}
