/* h_fetch: Fetch (key 1) with long polling.
 *
 * A fetch is evaluated by fetch_build: for every requested partition it
 * takes whole batches from the log (as file ranges, sent with sendfile),
 * within the partition and response byte limits; the first batch of the
 * first partition with data is returned even when larger than the limits
 * (Kafka's rule, so a consumer can always make progress). If fewer than
 * min_bytes are available and max_wait_ms has not passed, the request is
 * parked: it watches its partitions and is re-evaluated when one of them is
 * appended to, and answered with whatever is there at the deadline.
 *
 * Sessions (KIP-227): weir declines to create fetch sessions (answers
 * session id 0), which every client handles by sending full fetches. */
#include "broker/core.h"
#include "broker/topics.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "wire/api_fetch.h"
#include "wire/batch.h"
#include "wire/errors.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fetch_state {
    uint64_t *uids; /* partitions watched while parked */
    int nuids;
};

static struct topic *fetch_topic(struct broker *b, struct req *r, struct fetch_req_topic *qt) {
    if (r->hdr.api_version >= 13) return topic_find_id(b, qt->topic_id);
    return qt->topic.p ? topic_find(b, qt->topic.p, (size_t)qt->topic.n) : NULL;
}

/* Cuts a slice so that it holds only batches starting below upto (the last
 * stable offset for read_committed). Reads batch headers from the file. */
static int32_t slice_cut(int fd, int64_t pos, int32_t len, int64_t upto) {
    int64_t at = 0;
    uint8_t hdr[BATCH_HDR_SIZE];
    while (at + BATCH_HDR_SIZE <= len) {
        if (pread(fd, hdr, sizeof hdr, pos + at) != (ssize_t)sizeof hdr) break;
        struct batch_hdr h;
        if (batch_parse_header(hdr, sizeof hdr, &h) || h.base_offset >= upto) break;
        at += (int64_t)batch_total_size(&h);
    }
    return (int32_t)(at < len ? at : len);
}

static void part_defaults(struct fetch_resp_partition *rp, int32_t index) {
    memset(rp, 0, sizeof *rp);
    rp->partition_index = index;
    rp->high_watermark = rp->last_stable_offset = rp->log_start_offset = -1;
    rp->diverging_epoch.epoch = -1;
    rp->diverging_epoch.end_offset = -1;
    rp->current_leader.leader_id = rp->current_leader.leader_epoch = -1;
    rp->snapshot_id.end_offset = -1;
    rp->snapshot_id.epoch = -1;
    rp->preferred_read_replica = -1;
    rp->aborted_transactions.n = -1;
    rp->records.p = (const uint8_t *)"";
    rp->records.fd = -1;
}

/* Builds the response if at least min_bytes are available or final is set.
 * Returns 1 when the response is in r->out, 0 when the caller should wait. */
static int fetch_build(struct broker *b, struct req *r, int final) {
    struct fetch_req *q = r->body;
    struct fetch_resp resp = {0};
    int read_committed = q->isolation_level == 1;
    int64_t total = 0;
    int32_t max_bytes = q->max_bytes > 0 ? q->max_bytes : 0;
    int nt = q->topics.n > 0 ? q->topics.n : 0;
    int *fds = NULL, nfds = 0;
    if (q->session_id != 0) { /* an incremental fetch on a session we never created */
        resp.error_code = KERR_FETCH_SESSION_ID_NOT_FOUND;
        req_respond(r, &resp);
        return 1;
    }
    resp.responses.n = nt;
    resp.responses.v = arena_calloc(&r->arena, (size_t)nt * sizeof *resp.responses.v + 1);
    int maxfds = 0;
    for (int i = 0; i < nt; i++) maxfds += q->topics.v[i].partitions.n > 0 ? q->topics.v[i].partitions.n : 0;
    fds = malloc((size_t)maxfds * sizeof(int) + 1);
    if (!fds) abort();
    for (int i = 0; i < nt; i++) {
        struct fetch_req_topic *qt = &q->topics.v[i];
        struct fetch_resp_topic *rt = &resp.responses.v[i];
        rt->topic = qt->topic;
        memcpy(rt->topic_id, qt->topic_id, 16);
        struct topic *t = fetch_topic(b, r, qt);
        int np = qt->partitions.n > 0 ? qt->partitions.n : 0;
        rt->partitions.n = np;
        rt->partitions.v = arena_alloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        for (int j = 0; j < np; j++) {
            struct fetch_req_partition *qp = &qt->partitions.v[j];
            struct fetch_resp_partition *rp = &rt->partitions.v[j];
            part_defaults(rp, qp->partition);
            if (!t || qp->partition < 0 || qp->partition >= t->npart) {
                rp->error_code = r->hdr.api_version >= 13 && !t ? KERR_UNKNOWN_TOPIC_ID : KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            struct partition *part = t->parts[qp->partition];
            struct plog *log = part->log;
            int64_t start = plog_start_offset(log), end = plog_end_offset(log);
            int64_t lso = pstate_first_unstable(part->ps);
            if (lso < 0) lso = end;
            rp->high_watermark = end;
            rp->last_stable_offset = lso;
            rp->log_start_offset = start;
            if (read_committed) rp->aborted_transactions.n = 0;
            if (qp->fetch_offset < start || qp->fetch_offset > end) {
                rp->error_code = KERR_OFFSET_OUT_OF_RANGE;
                continue;
            }
            int64_t upto = read_committed ? lso : end;
            if (qp->fetch_offset >= upto) continue;
            int64_t room = max_bytes - total;
            int32_t limit = qp->partition_max_bytes;
            if (room < limit) limit = (int32_t)(room > 0 ? room : 0);
            struct plog_slice sl;
            int rc = plog_read(log, qp->fetch_offset, limit, total == 0, &sl);
            if (rc) {
                if (rc == WERR_RANGE) rp->error_code = KERR_OFFSET_OUT_OF_RANGE;
                else {
                    log_error("fetch from %s-%d at %lld failed: %s", t->name, qp->partition,
                              (long long)qp->fetch_offset, werr_str(rc));
                    rp->error_code = KERR_KAFKA_STORAGE_ERROR;
                }
                continue;
            }
            if (sl.len > 0 && upto < end) sl.len = slice_cut(sl.fd, sl.pos, sl.len, upto);
            if (sl.len <= 0) {
                if (sl.fd >= 0) close(sl.fd);
                continue;
            }
            if (read_committed) {
                const struct ptxn_aborted *ab;
                int nab;
                pstate_aborted_in(part->ps, qp->fetch_offset, upto, &ab, &nab);
                if (nab > 0) {
                    rp->aborted_transactions.v = arena_alloc(&r->arena, (size_t)nab * sizeof *rp->aborted_transactions.v);
                    rp->aborted_transactions.n = nab;
                    for (int k = 0; k < nab; k++)
                        rp->aborted_transactions.v[k] = (struct fetch_resp_aborted){ab[k].pid, ab[k].first_offset};
                }
            }
            fds[nfds++] = sl.fd;
            rp->records.p = NULL;
            rp->records.is_file = 1;
            rp->records.fd = sl.fd;
            rp->records.pos = sl.pos;
            rp->records.n = sl.len;
            total += sl.len;
        }
    }
    if (!final && total < q->min_bytes) {
        for (int i = 0; i < nfds; i++) close(fds[i]);
        free(fds);
        return 0;
    }
    for (int i = 0; i < nfds; i++) req_own_fd(r, fds[i]);
    free(fds);
    req_respond(r, &resp);
    return 1;
}

static void fetch_watch(struct broker *b, struct req *r) {
    struct fetch_req *q = r->body;
    struct fetch_state *st = arena_calloc(&r->arena, sizeof *st);
    int max = 0;
    for (int i = 0; i < q->topics.n; i++) max += q->topics.v[i].partitions.n > 0 ? q->topics.v[i].partitions.n : 0;
    st->uids = arena_alloc(&r->arena, (size_t)max * sizeof(uint64_t) + 1);
    for (int i = 0; i < q->topics.n; i++) {
        struct topic *t = fetch_topic(b, r, &q->topics.v[i]);
        if (!t) continue;
        for (int j = 0; j < q->topics.v[i].partitions.n; j++) {
            int32_t idx = q->topics.v[i].partitions.v[j].partition;
            if (idx < 0 || idx >= t->npart) continue;
            struct partition *p = t->parts[idx];
            struct waiter *w = malloc(sizeof *w);
            if (!w) abort();
            w->req = r;
            w->offset = 0;
            w->next = p->fetch_waiters;
            p->fetch_waiters = w;
            st->uids[st->nuids++] = p->uid;
        }
    }
    r->hstate = st;
}

/* Removes r from the watcher lists of the partitions it watches. */
static void fetch_unwatch(struct broker *b, struct req *r) {
    struct fetch_state *st = r->hstate;
    if (!st) return;
    for (int i = 0; i < st->nuids; i++) {
        struct partition *p = hmap_get(&b->parts_by_uid, &st->uids[i], sizeof(uint64_t));
        if (!p) continue;
        for (struct waiter **pp = &p->fetch_waiters; *pp;) {
            if ((*pp)->req == r) {
                struct waiter *w = *pp;
                *pp = w->next;
                free(w);
            } else {
                pp = &(*pp)->next;
            }
        }
    }
    r->hstate = NULL;
}

int h_fetch(struct broker *b, struct req *r) {
    struct fetch_req *q = r->body;
    if (fetch_build(b, r, q->max_wait_ms <= 0)) return H_DONE;
    fetch_watch(b, r);
    req_park(b, r, clock_mono_ms() + q->max_wait_ms);
    return H_PARKED;
}

void partition_notify_append(struct broker *b, struct partition *p) {
    for (struct waiter *w = p->fetch_waiters; w; w = w->next) {
        struct req *r = w->req;
        if (r->woken || r->state != REQ_PARKED) continue;
        r->woken = 1;
        r->wake_next = b->wake;
        b->wake = r;
    }
}

void fetch_on_wake(struct broker *b, struct req *r) {
    if (!fetch_build(b, r, 0)) return;
    fetch_unwatch(b, r);
    req_unpark(b, r);
    req_complete(b, r, REQ_DONE);
}

void fetch_on_timeout(struct broker *b, struct req *r) {
    fetch_unwatch(b, r);
    fetch_build(b, r, 1);
    req_complete(b, r, REQ_DONE);
}

void fetch_cancel(struct broker *b, struct req *r) {
    fetch_unwatch(b, r);
    req_unpark(b, r);
    if (r->woken) { /* drop it from the wake list */
        for (struct req **pp = &b->wake; *pp; pp = &(*pp)->wake_next)
            if (*pp == r) {
                *pp = r->wake_next;
                break;
            }
        r->woken = 0;
    }
}
