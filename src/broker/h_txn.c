/* h_txn: the transaction APIs: InitProducerId (22, idempotent and
 * transactional), AddPartitionsToTxn (24), AddOffsetsToTxn (25), EndTxn
 * (26), TxnOffsetCommit (28), DescribeTransactions (65), ListTransactions
 * (66). State changes are answered once their record in
 * __transaction_state is durable, except AddPartitionsToTxn, answered at
 * once (the Produce that follows waits for the record instead), and
 * requests for a transactional id whose transaction is ending wait until
 * it has completed; see txn.h. */
#include "broker/group.h"
#include "broker/topics.h"
#include "broker/txn.h"

#include "common/clock.h"
#include "common/log.h"
#include "wire/api_add_offsets_to_txn.h"
#include "wire/api_add_partitions_to_txn.h"
#include "wire/api_describe_transactions.h"
#include "wire/api_end_txn.h"
#include "wire/api_init_producer_id.h"
#include "wire/api_list_transactions.h"
#include "wire/api_txn_offset_commit.h"
#include "wire/errors.h"

#include <stdlib.h>

/* Fencing errors: PRODUCER_FENCED from the versions that know it (KIP-588),
 * INVALID_PRODUCER_EPOCH before. */
static int16_t fenced(struct req *r, int first_version_with_fenced) {
    return r->hdr.api_version >= first_version_with_fenced ? KERR_PRODUCER_FENCED : KERR_INVALID_PRODUCER_EPOCH;
}

/* Checks that the request's producer owns transaction t. */
static int16_t check_owner(struct req *r, struct txn *t, int64_t pid, int16_t epoch, int fenced_from) {
    if (!t || t->pid != pid) return KERR_INVALID_PRODUCER_ID_MAPPING;
    if (epoch != t->epoch) return fenced(r, fenced_from);
    return KERR_NONE; /* (a transaction being ended never gets here: txn_busy parks its requests) */
}

/* Moves t to Ongoing (first partition of a new transaction). */
static void begin(struct txn *t) {
    if (t->state != TXN_ONGOING) {
        t->state = TXN_ONGOING;
        t->start_ms = clock_wall_ms();
    }
}

static int parked_or_done(struct req *r) { return r->pending ? H_PARKED : H_DONE; }

/* Starts the sync of t's latest record without waiting for it: the
 * transactional Produce that follows waits for it (txn_check_produce). */
static int16_t store_soon(struct broker *b, struct txn *t) {
    int16_t e = (int16_t)txn_store(b, t, NULL);
    if (e) return e;
    struct partition *p = partition_find(b, TXN_TOPIC, strlen(TXN_TOPIC), 0);
    if (p) partition_sync_soon(b, p, t->need_off);
    return 0;
}

/* A failed store fails every partition of the request that had not failed. */
static void fail_results(struct add_partitions_to_txn_resp_topic_result *out, int n, int16_t e) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < out[i].results_by_partition.n; j++)
            if (!out[i].results_by_partition.v[j].partition_error_code) out[i].results_by_partition.v[j].partition_error_code = e;
}

/* ---- InitProducerId ---- */

int h_init_producer_id(struct broker *b, struct req *r) {
    struct init_producer_id_req *q = r->body;
    struct init_producer_id_resp resp = {0};
    resp.producer_id = -1;
    resp.producer_epoch = -1;
    if (!q->transactional_id.p) { /* idempotent producer: a fresh id, epoch 0 */
        int64_t pid = pid_alloc_next(&b->pids);
        if (pid < 0) resp.error_code = KERR_KAFKA_STORAGE_ERROR;
        else {
            resp.producer_id = pid;
            resp.producer_epoch = 0;
        }
        req_respond(r, &resp);
        return H_DONE;
    }
    if (q->transaction_timeout_ms <= 0 || q->transaction_timeout_ms > b->cfg.transaction_max_timeout_ms) {
        resp.error_code = KERR_INVALID_TRANSACTION_TIMEOUT;
        req_respond(r, &resp);
        return H_DONE;
    }
    struct txn *t = txn_find(b, q->transactional_id.p, (size_t)q->transactional_id.n);
    if (txn_busy(t)) return txn_park(t, r);
    if (t && q->producer_id >= 0) {
        /* KIP-360: a producer asking for a new epoch with its current id and
         * epoch. As Kafka: only the current epoch is bumped; the epoch before
         * the last such bump is a retry of a call that succeeded (answered
         * with the current epoch, no bump); any other epoch belongs to a
         * fenced producer (a zombie must not take the id back). */
        if (q->producer_id != t->pid) resp.error_code = KERR_INVALID_PRODUCER_ID_MAPPING;
        else if (q->producer_epoch != t->epoch && (t->last_epoch < 0 || q->producer_epoch != t->last_epoch))
            resp.error_code = fenced(r, 4);
        else if (q->producer_epoch != t->epoch) {
            resp.producer_id = t->pid;
            resp.producer_epoch = t->epoch;
        }
        if (resp.error_code || resp.producer_epoch >= 0) {
            req_respond(r, &resp);
            return H_DONE;
        }
    }
    if (!t) {
        t = txn_new(b, q->transactional_id.p, (size_t)q->transactional_id.n);
        t->state = TXN_EMPTY;
    } else if (t->state == TXN_ONGOING) {
        /* a new instance of the producer: abort what the old one left open,
         * fencing it with a new epoch */
        log_info("transaction %s: producer re-initialised with a transaction open: aborting it", t->id);
        txn_end_now(b, t, 0, 1);
    }
    /* a new epoch for the new instance, or a new id when the epoch is spent */
    if (t->pid < 0 || t->epoch >= INT16_MAX - 1) {
        int64_t pid = pid_alloc_next(&b->pids);
        if (pid < 0) {
            resp.error_code = KERR_KAFKA_STORAGE_ERROR;
            req_respond(r, &resp);
            return H_DONE;
        }
        txn_set_pid(b, t, pid);
        t->epoch = 0;
        t->last_epoch = -1;
    } else {
        t->last_epoch = q->producer_id >= 0 ? t->epoch : -1; /* a new instance: no retry to recognise */
        t->epoch++;
    }
    t->timeout_ms = q->transaction_timeout_ms;
    t->state = TXN_EMPTY;
    txn_clear_tps(t);
    resp.error_code = (int16_t)txn_store(b, t, r);
    if (!resp.error_code) {
        resp.producer_id = t->pid;
        resp.producer_epoch = t->epoch;
    }
    req_respond(r, &resp);
    return parked_or_done(r);
}

/* ---- AddPartitionsToTxn ---- */

/* Adds (or with verify_only, checks) the partitions of one transaction and
 * fills the per-partition results. Returns 1 if state changed. */
static int add_partitions(struct broker *b, struct req *r, struct txn *t, int16_t owner_err, int verify_only,
                          struct add_partitions_to_txn_req_topic *qt, int nqt,
                          struct add_partitions_to_txn_resp_topic_result *out) {
    /* unknown partitions fail the request, the others are not attempted */
    int unknown = 0;
    for (int i = 0; i < nqt; i++)
        for (int j = 0; j < qt[i].partitions.n; j++)
            if (!qt[i].name.p || !partition_find(b, qt[i].name.p, (size_t)qt[i].name.n, qt[i].partitions.v[j])) unknown = 1;
    int changed = 0;
    for (int i = 0; i < nqt; i++) {
        out[i].name = qt[i].name;
        int np = qt[i].partitions.n > 0 ? qt[i].partitions.n : 0;
        out[i].results_by_partition.n = np;
        out[i].results_by_partition.v = arena_calloc(&r->arena, (size_t)np * sizeof *out[i].results_by_partition.v + 1);
        for (int j = 0; j < np; j++) {
            int32_t part = qt[i].partitions.v[j];
            int16_t e = owner_err;
            if (!e && unknown)
                e = partition_find(b, qt[i].name.p ? qt[i].name.p : "", (size_t)qt[i].name.n, part)
                        ? KERR_OPERATION_NOT_ATTEMPTED
                        : KERR_UNKNOWN_TOPIC_OR_PARTITION;
            if (!e && verify_only) {
                if (!txn_has_tp(t, qt[i].name.p, (size_t)qt[i].name.n, part) || t->state != TXN_ONGOING)
                    e = KERR_INVALID_TXN_STATE;
            } else if (!e) {
                changed |= txn_add_tp(t, qt[i].name.p, (size_t)qt[i].name.n, part);
            }
            out[i].results_by_partition.v[j] = (struct add_partitions_to_txn_resp_partition_result){part, e};
        }
    }
    return changed;
}

int h_add_partitions_to_txn(struct broker *b, struct req *r) {
    struct add_partitions_to_txn_req *q = r->body;
    struct add_partitions_to_txn_resp resp = {0};
    if (r->hdr.api_version <= 3) {
        struct txn *t = q->v3_and_below_transactional_id.p
                            ? txn_find(b, q->v3_and_below_transactional_id.p, (size_t)q->v3_and_below_transactional_id.n)
                            : NULL;
        if (txn_busy(t)) return txn_park(t, r);
        int16_t e = check_owner(r, t, q->v3_and_below_producer_id, q->v3_and_below_producer_epoch, 2);
        int n = q->v3_and_below_topics.n > 0 ? q->v3_and_below_topics.n : 0;
        resp.results_by_topic_v3_and_below.n = n;
        resp.results_by_topic_v3_and_below.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.results_by_topic_v3_and_below.v + 1);
        int changed = add_partitions(b, r, t, e, 0, q->v3_and_below_topics.v, n, resp.results_by_topic_v3_and_below.v);
        if (!e && (changed || t->state != TXN_ONGOING)) {
            begin(t);
            int16_t se = store_soon(b, t);
            if (se) fail_results(resp.results_by_topic_v3_and_below.v, n, se);
        }
        req_respond(r, &resp);
        return H_DONE;
    }
    int nt = q->transactions.n > 0 ? q->transactions.n : 0;
    for (int k = 0; k < nt; k++) { /* all or nothing: wait for the first busy one, then look again */
        struct add_partitions_to_txn_req_transaction *qx = &q->transactions.v[k];
        struct txn *t = qx->transactional_id.p ? txn_find(b, qx->transactional_id.p, (size_t)qx->transactional_id.n) : NULL;
        if (txn_busy(t)) return txn_park(t, r);
    }
    resp.results_by_transaction.n = nt;
    resp.results_by_transaction.v = arena_calloc(&r->arena, (size_t)nt * sizeof *resp.results_by_transaction.v + 1);
    for (int k = 0; k < nt; k++) {
        struct add_partitions_to_txn_req_transaction *qx = &q->transactions.v[k];
        struct add_partitions_to_txn_resp_txn_result *rx = &resp.results_by_transaction.v[k];
        rx->transactional_id = qx->transactional_id;
        struct txn *t = qx->transactional_id.p ? txn_find(b, qx->transactional_id.p, (size_t)qx->transactional_id.n) : NULL;
        int16_t e = check_owner(r, t, qx->producer_id, qx->producer_epoch, 2);
        int n = qx->topics.n > 0 ? qx->topics.n : 0;
        rx->topic_results.n = n;
        rx->topic_results.v = arena_calloc(&r->arena, (size_t)n * sizeof *rx->topic_results.v + 1);
        int changed = add_partitions(b, r, t, e, qx->verify_only, qx->topics.v, n, rx->topic_results.v);
        if (!e && !qx->verify_only && (changed || t->state != TXN_ONGOING)) {
            begin(t);
            int16_t se = store_soon(b, t);
            if (se) fail_results(rx->topic_results.v, n, se);
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- AddOffsetsToTxn ---- */

int h_add_offsets_to_txn(struct broker *b, struct req *r) {
    struct add_offsets_to_txn_req *q = r->body;
    struct add_offsets_to_txn_resp resp = {0};
    struct txn *t = q->transactional_id.p ? txn_find(b, q->transactional_id.p, (size_t)q->transactional_id.n) : NULL;
    if (txn_busy(t)) return txn_park(t, r);
    resp.error_code = check_owner(r, t, q->producer_id, q->producer_epoch, 2);
    if (!resp.error_code && (!q->group_id.p || q->group_id.n == 0)) resp.error_code = KERR_INVALID_GROUP_ID;
    if (!resp.error_code && !partition_find(b, GRP_OFFSETS_TOPIC, strlen(GRP_OFFSETS_TOPIC), 0))
        resp.error_code = KERR_COORDINATOR_NOT_AVAILABLE;
    if (!resp.error_code) { /* the group's offsets partition joins the transaction */
        int changed = txn_add_tp(t, GRP_OFFSETS_TOPIC, strlen(GRP_OFFSETS_TOPIC), 0);
        if (changed || t->state != TXN_ONGOING) {
            begin(t);
            resp.error_code = (int16_t)txn_store(b, t, r);
        }
    }
    req_respond(r, &resp);
    return parked_or_done(r);
}

/* ---- TxnOffsetCommit ---- */

int h_txn_offset_commit(struct broker *b, struct req *r) {
    struct txn_offset_commit_req *q = r->body;
    struct txn_offset_commit_resp resp = {0};
    struct txn *t = q->transactional_id.p ? txn_find(b, q->transactional_id.p, (size_t)q->transactional_id.n) : NULL;
    if (txn_busy(t)) return txn_park(t, r);
    int16_t e = check_owner(r, t, q->producer_id, q->producer_epoch, 2);
    if (!e && !txn_has_tp(t, GRP_OFFSETS_TOPIC, strlen(GRP_OFFSETS_TOPIC), 0)) e = KERR_INVALID_TXN_STATE;
    if (!e && (!q->group_id.p || q->group_id.n == 0)) e = KERR_INVALID_GROUP_ID;
    if (!e && q->generation_id >= 0) { /* v3+: a group member's commit is checked like OffsetCommit */
        struct group *g = grp_find(b, q->group_id.p, (size_t)q->group_id.n);
        if (!g || !grp_member_find(g, q->member_id.p ? q->member_id.p : "", (size_t)q->member_id.n))
            e = KERR_UNKNOWN_MEMBER_ID;
        else if (g->generation != q->generation_id)
            e = KERR_ILLEGAL_GENERATION;
    }
    int nt = q->topics.n > 0 ? q->topics.n : 0, total = 0;
    for (int i = 0; i < nt; i++) total += q->topics.v[i].partitions.n > 0 ? q->topics.v[i].partitions.n : 0;
    struct grp_txn_commit *v = arena_alloc(&r->arena, (size_t)total * sizeof *v + 1);
    int n = 0;
    resp.topics.n = nt;
    resp.topics.v = arena_calloc(&r->arena, (size_t)nt * sizeof *resp.topics.v + 1);
    for (int i = 0; i < nt; i++) {
        struct txn_offset_commit_req_topic *qt = &q->topics.v[i];
        struct txn_offset_commit_resp_topic *rt = &resp.topics.v[i];
        rt->name = qt->name;
        int np = qt->partitions.n > 0 ? qt->partitions.n : 0;
        rt->partitions.n = np;
        rt->partitions.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        for (int j = 0; j < np; j++) {
            struct txn_offset_commit_req_partition *qp = &qt->partitions.v[j];
            rt->partitions.v[j].partition_index = qp->partition_index;
            rt->partitions.v[j].error_code = e;
            if (e || !qt->name.p) continue;
            if (qp->committed_metadata.n > b->cfg.offset_metadata_max_bytes) {
                rt->partitions.v[j].error_code = KERR_OFFSET_METADATA_TOO_LARGE;
                continue;
            }
            v[n++] = (struct grp_txn_commit){qt->name.p, (size_t)qt->name.n, qp->partition_index,
                                             qp->committed_leader_epoch, qp->committed_offset,
                                             qp->committed_metadata.p, (size_t)qp->committed_metadata.n};
        }
    }
    if (!e && n) {
        char *gid = wstr_dup(&r->arena, q->group_id);
        int16_t we = (int16_t)grp_txn_commit_offsets(b, r, gid, t->pid, t->epoch, v, n);
        if (we)
            for (int i = 0; i < nt; i++)
                for (int j = 0; j < resp.topics.v[i].partitions.n; j++)
                    if (!resp.topics.v[i].partitions.v[j].error_code) resp.topics.v[i].partitions.v[j].error_code = we;
    }
    req_respond(r, &resp);
    return parked_or_done(r);
}

/* ---- EndTxn ---- */

/* The Prepare record is durable: the decision stands. The markers go out
 * and the producer hears back; the Complete record follows once the
 * markers are durable (txn_decided). */
static void end_txn_prepared(struct broker *b, struct req *r) {
    const char *id = r->hstate;
    struct txn *t = txn_find(b, id, strlen(id));
    struct end_txn_resp resp = {0};
    if (t && t->ending) txn_decided(b, t);
    else resp.error_code = KERR_INVALID_TXN_STATE; /* not reached: nothing else ends an ending transaction */
    req_respond(r, &resp);
    req_complete(b, r, REQ_DONE);
}

int h_end_txn(struct broker *b, struct req *r) {
    struct end_txn_req *q = r->body;
    struct end_txn_resp resp = {0};
    struct txn *t = q->transactional_id.p ? txn_find(b, q->transactional_id.p, (size_t)q->transactional_id.n) : NULL;
    /* e.g. a retry while the first EndTxn is still being written: answered after it */
    if (txn_busy(t)) return txn_park(t, r);
    int16_t e = check_owner(r, t, q->producer_id, q->producer_epoch, 2);
    if (!e) {
        int commit = q->committed != 0;
        switch (t->state) {
        case TXN_ONGOING:
            t->state = commit ? TXN_PREPARE_COMMIT : TXN_PREPARE_ABORT;
            t->ending = 1;
            r->hstate = wstr_dup(&r->arena, q->transactional_id);
            e = (int16_t)txn_store(b, t, r);
            if (e) { /* could not even log the decision: the transaction stays open */
                t->state = TXN_ONGOING;
                t->ending = 0;
                break;
            }
            if (!r->pending) {
                end_txn_prepared(b, r);
                return H_PARKED; /* completed early: dispatch turns this into done */
            }
            r->on_synced = end_txn_prepared;
            return H_PARKED;
        case TXN_COMPLETE_COMMIT: /* a retry of a commit that went through */
            if (!commit) e = KERR_INVALID_TXN_STATE;
            break;
        case TXN_COMPLETE_ABORT:
            if (commit) e = KERR_INVALID_TXN_STATE;
            break;
        default: e = KERR_INVALID_TXN_STATE; break;
        }
    }
    resp.error_code = e;
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- DescribeTransactions / ListTransactions ---- */

int h_describe_transactions(struct broker *b, struct req *r) {
    struct describe_transactions_req *q = r->body;
    struct describe_transactions_resp resp = {0};
    int n = q->transactional_ids.n > 0 ? q->transactional_ids.n : 0;
    resp.transaction_states.n = n;
    resp.transaction_states.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.transaction_states.v + 1);
    for (int i = 0; i < n; i++) {
        struct describe_transactions_resp_state *o = &resp.transaction_states.v[i];
        struct wstr id = q->transactional_ids.v[i];
        o->transactional_id = id;
        o->producer_id = -1;
        o->producer_epoch = -1;
        struct txn *t = id.p ? txn_find(b, id.p, (size_t)id.n) : NULL;
        if (!t) {
            o->error_code = KERR_TRANSACTIONAL_ID_NOT_FOUND;
            o->transaction_state = wstr_c("");
            continue;
        }
        o->transaction_state = wstr_c(txn_state_name(t->state));
        o->transaction_timeout_ms = t->timeout_ms;
        o->transaction_start_time_ms = t->state == TXN_ONGOING ? t->start_ms : -1;
        o->producer_id = t->pid;
        o->producer_epoch = t->epoch;
        o->topics.v = arena_calloc(&r->arena, (size_t)t->ntps * sizeof *o->topics.v + 1);
        for (int k = 0; k < t->ntps; k++) {
            int found = -1;
            for (int x = 0; x < o->topics.n && found < 0; x++)
                if (!strcmp(o->topics.v[x].topic.p, t->tps[k].topic)) found = x;
            if (found < 0) {
                found = o->topics.n++;
                o->topics.v[found].topic = wstr_c(t->tps[k].topic);
                o->topics.v[found].partitions.v = arena_alloc(&r->arena, (size_t)t->ntps * sizeof(int32_t));
            }
            o->topics.v[found].partitions.v[o->topics.v[found].partitions.n++] = t->tps[k].part;
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

int h_list_transactions(struct broker *b, struct req *r) {
    struct list_transactions_req *q = r->body;
    struct list_transactions_resp resp = {0};
    int nf = q->state_filters.n > 0 ? q->state_filters.n : 0;
    resp.unknown_state_filters.v = arena_alloc(&r->arena, (size_t)nf * sizeof(struct wstr) + 1);
    for (int i = 0; i < nf; i++) {
        int known = 0;
        for (int s = 0; s <= TXN_PREPARE_EPOCH_FENCE; s++) {
            const char *name = txn_state_name((enum txn_state)s);
            known |= (size_t)q->state_filters.v[i].n == strlen(name) &&
                     !memcmp(q->state_filters.v[i].p, name, strlen(name));
        }
        if (!known) resp.unknown_state_filters.v[resp.unknown_state_filters.n++] = q->state_filters.v[i];
    }
    int n = b->txn ? (int)b->txn->by_id.n : 0;
    resp.transaction_states.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.transaction_states.v + 1);
    int64_t now = clock_wall_ms();
    size_t it = 0;
    void *v;
    while (b->txn && hmap_next(&b->txn->by_id, &it, NULL, NULL, &v)) {
        struct txn *t = v;
        const char *st = txn_state_name(t->state);
        int ok = nf == 0;
        for (int i = 0; i < nf && !ok; i++)
            ok = (size_t)q->state_filters.v[i].n == strlen(st) && !memcmp(q->state_filters.v[i].p, st, strlen(st));
        if (ok && q->producer_id_filters.n > 0) {
            int hit = 0;
            for (int i = 0; i < q->producer_id_filters.n; i++) hit |= q->producer_id_filters.v[i] == t->pid;
            ok = hit;
        }
        if (ok && q->duration_filter >= 0) ok = t->state == TXN_ONGOING && now - t->start_ms >= q->duration_filter;
        if (!ok) continue;
        struct list_transactions_resp_state *o = &resp.transaction_states.v[resp.transaction_states.n++];
        o->transactional_id = wstr_c(t->id);
        o->producer_id = t->pid;
        o->transaction_state = wstr_c(st);
    }
    req_respond(r, &resp);
    return H_DONE;
}
