/* h_group_offsets: OffsetCommit (key 8), OffsetFetch (key 9) and
 * OffsetDelete (key 47).
 *
 * A commit is checked against the group the way Kafka checks it (members
 * commit with their member id and the current generation; a commit with
 * generation -1 and no member id is a "simple" commit, allowed only while
 * the group has no members), applied in memory, appended to
 * __consumer_offsets (group_store.c) and answered once the fsync of that
 * append is done (a re-commit of an unchanged offset: see
 * UNCHANGED_REWRITE_MS). OffsetFetch answers from memory: an unknown group or
 * partition has offset -1. */
#include "broker/group.h"
#include "broker/topics.h"

#include "common/clock.h"
#include "wire/api_offset_commit.h"
#include "wire/api_offset_delete.h"
#include "wire/api_offset_fetch.h"
#include "wire/errors.h"

#include <stdlib.h>
#include <string.h>

#define KERR_GROUP_SUBSCRIBED_TO_TOPIC 86

/* A commit of the offset already stored (same offset, epoch and metadata)
 * writes nothing unless the stored one is older than this: consumers that
 * re-commit unchanged offsets on a timer (kafka-python's auto commit) do
 * not grow __consumer_offsets, while the commit timestamp that offset
 * retention of simple groups looks at stays fresh enough. The commit is
 * still answered only once the stored value is durable. */
#define UNCHANGED_REWRITE_MS (60 * 60 * 1000)

static int weq(const char *s, struct wstr w) {
    if (!s || !w.p) return !s && !w.p;
    return strlen(s) == (size_t)w.n && !memcmp(s, w.p, (size_t)w.n);
}

/* ---- OffsetCommit ---- */

/* Kafka's validateOffsetCommit: the error for the whole request, 0 if the
 * commit may go ahead. *gp gets the group (created for a simple commit). */
static int16_t commit_check(struct broker *b, struct req *r, struct offset_commit_req *q, struct group **gp) {
    int ver = r->hdr.api_version;
    int32_t gen = ver >= 1 ? q->generation_id_or_member_epoch : -1;
    struct wstr mid = ver >= 1 ? q->member_id : (struct wstr){"", 0};
    struct wstr inst = ver >= 7 ? q->group_instance_id : (struct wstr){0};
    if (!q->group_id.p || q->group_id.n == 0) return KERR_INVALID_GROUP_ID;
    struct group *g = grp_find(b, q->group_id.p, (size_t)q->group_id.n);
    int member_commit = gen >= 0 || (mid.p && mid.n > 0) || inst.p;
    if (!g) {
        if (member_commit) return KERR_ILLEGAL_GENERATION;
        *gp = grp_get_or_create(b, q->group_id.p, (size_t)q->group_id.n);
        return 0;
    }
    *gp = g;
    if (g->state == GRP_DEAD) return KERR_COORDINATOR_NOT_AVAILABLE;
    if (member_commit) {
        struct grp_member *m = grp_member_find(g, mid.p, mid.p ? (size_t)mid.n : 0);
        if (inst.p) {
            for (struct grp_member *x = g->members; x; x = x->next)
                if (x->instance_id && weq(x->instance_id, inst) && x != m) return KERR_FENCED_INSTANCE_ID;
        }
        if (!m) return KERR_UNKNOWN_MEMBER_ID;
        if (gen != g->generation) return KERR_ILLEGAL_GENERATION;
        if (g->state == GRP_COMPLETING_REBALANCE) return KERR_REBALANCE_IN_PROGRESS;
        /* a commit is as good as a heartbeat */
        int64_t d = clock_mono_ms() + m->session_timeout_ms;
        if (d > m->session_deadline) m->session_deadline = d;
        return 0;
    }
    if (g->members) return KERR_ILLEGAL_GENERATION; /* only members commit to a group that has some */
    return 0;
}

int h_offset_commit(struct broker *b, struct req *r) {
    struct offset_commit_req *q = r->body;
    struct offset_commit_resp resp = {0};
    int nt = q->topics.n > 0 ? q->topics.n : 0;
    resp.topics.n = nt;
    resp.topics.v = arena_calloc(&r->arena, (size_t)nt * sizeof *resp.topics.v + 1);
    struct group *g = NULL;
    int16_t top = commit_check(b, r, q, &g);
    struct grp_batch bt;
    grp_batch_init(&bt);
    int64_t now = clock_wall_ms();
    for (int i = 0; i < nt; i++) {
        struct offset_commit_req_topic *qt = &q->topics.v[i];
        struct offset_commit_resp_topic *rt = &resp.topics.v[i];
        rt->name = qt->name;
        int np = qt->partitions.n > 0 ? qt->partitions.n : 0;
        rt->partitions.n = np;
        rt->partitions.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        struct topic *t = !top && qt->name.p ? topic_find(b, qt->name.p, (size_t)qt->name.n) : NULL;
        for (int j = 0; j < np; j++) {
            struct offset_commit_req_partition *qp = &qt->partitions.v[j];
            struct offset_commit_resp_partition *rp = &rt->partitions.v[j];
            rp->partition_index = qp->partition_index;
            if (top) {
                rp->error_code = top;
                continue;
            }
            if (!t || qp->partition_index < 0 || qp->partition_index >= t->npart) {
                rp->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            int32_t ml = qp->committed_metadata.p ? qp->committed_metadata.n : 0;
            if (ml > b->cfg.offset_metadata_max_bytes) {
                rp->error_code = KERR_OFFSET_METADATA_TOO_LARGE;
                continue;
            }
            int32_t epoch = r->hdr.api_version >= 6 ? qp->committed_leader_epoch : -1;
            struct grp_offset *cur = grp_offset_get(g, qt->name.p, (size_t)qt->name.n, qp->partition_index);
            if (cur && cur->offset == qp->committed_offset && cur->leader_epoch == epoch &&
                strlen(cur->metadata) == (size_t)ml && (!ml || !memcmp(cur->metadata, qp->committed_metadata.p, (size_t)ml)) &&
                now - cur->commit_ts < UNCHANGED_REWRITE_MS)
                continue; /* already stored: the log does not grow with idle re-commits */
            grp_offset_set(g, qt->name.p, (size_t)qt->name.n, qp->partition_index, qp->committed_offset, epoch,
                           qp->committed_metadata.p, (size_t)ml, now);
            grp_batch_offset(&bt, g->id, qt->name.p, (size_t)qt->name.n, qp->partition_index,
                             grp_offset_get(g, qt->name.p, (size_t)qt->name.n, qp->partition_index), 0);
        }
    }
    int16_t err = grp_batch_append(b, &bt, r);
    grp_batch_free(&bt);
    if (err)
        for (int i = 0; i < nt; i++)
            for (int j = 0; j < resp.topics.v[i].partitions.n; j++)
                if (!resp.topics.v[i].partitions.v[j].error_code) resp.topics.v[i].partitions.v[j].error_code = err;
    req_respond(r, &resp);
    return r->pending ? H_PARKED : H_DONE;
}

/* ---- OffsetFetch ---- */

struct fetched {
    const char *topic;
    size_t tlen;
    int32_t part;
    const struct grp_offset *o;
};

static int fetched_cmp(const void *a, const void *b) {
    const struct fetched *x = a, *y = b;
    size_t n = x->tlen < y->tlen ? x->tlen : y->tlen;
    int c = memcmp(x->topic, y->topic, n);
    if (c) return c;
    if (x->tlen != y->tlen) return x->tlen < y->tlen ? -1 : 1;
    return (x->part > y->part) - (x->part < y->part);
}

static void part_fill(struct offset_fetch_resp_group_partition *rp, int32_t part, const struct grp_offset *o) {
    rp->partition_index = part;
    rp->committed_offset = o ? o->offset : -1;
    rp->committed_leader_epoch = o ? o->leader_epoch : -1;
    rp->metadata = (struct wstr){o && o->metadata ? o->metadata : "", o && o->metadata ? (int32_t)strlen(o->metadata) : 0};
    rp->error_code = 0;
}

/* One group's answer, in the v8+ shape. topics NULL (n < 0): every
 * committed offset of the group. */
static void fetch_group(struct broker *b, struct req *r, struct wstr gid, const struct offset_fetch_req_group_topic *qt,
                        int nqt, struct offset_fetch_resp_group *out, int require_stable) {
    struct arena *a = &r->arena;
    out->group_id = gid;
    struct group *g = gid.p ? grp_find(b, gid.p, (size_t)gid.n) : NULL;
    if (nqt >= 0) {
        out->topics.n = nqt;
        out->topics.v = arena_calloc(a, (size_t)nqt * sizeof *out->topics.v + 1);
        for (int i = 0; i < nqt; i++) {
            struct offset_fetch_resp_group_topic *rt = &out->topics.v[i];
            rt->name = qt[i].name;
            int np = qt[i].partition_indexes.n > 0 ? qt[i].partition_indexes.n : 0;
            rt->partitions.n = np;
            rt->partitions.v = arena_calloc(a, (size_t)np * sizeof *rt->partitions.v + 1);
            for (int j = 0; j < np; j++) {
                int32_t p = qt[i].partition_indexes.v[j];
                const struct grp_offset *o = g && qt[i].name.p ? grp_offset_get(g, qt[i].name.p, (size_t)qt[i].name.n, p) : NULL;
                part_fill(&rt->partitions.v[j], p, o);
                /* an offset committed in a still-open transaction is not stable yet */
                if (require_stable && gid.p && qt[i].name.p &&
                    grp_txn_pending(b, arena_strndup(a, gid.p, (size_t)gid.n), qt[i].name.p, (size_t)qt[i].name.n, p)) {
                    rt->partitions.v[j].error_code = KERR_UNSTABLE_OFFSET_COMMIT;
                    rt->partitions.v[j].committed_offset = -1;
                }
            }
        }
        return;
    }
    int n = g ? (int)g->offsets.n : 0;
    struct fetched *f = arena_alloc(a, (size_t)n * sizeof *f + 1);
    int k = 0;
    size_t it = 0;
    const char *key;
    size_t kl;
    void *v;
    while (g && k < n && hmap_next(&g->offsets, &it, &key, &kl, &v)) {
        f[k].topic = arena_strndup(a, key, kl - 5);
        f[k].tlen = kl - 5;
        f[k].part = (int32_t)be32_get((const uint8_t *)key + kl - 4);
        f[k].o = v;
        k++;
    }
    qsort(f, (size_t)k, sizeof *f, fetched_cmp);
    out->topics.v = arena_calloc(a, (size_t)k * sizeof *out->topics.v + 1);
    out->topics.n = 0;
    for (int i = 0; i < k;) {
        int j = i;
        while (j < k && f[j].tlen == f[i].tlen && !memcmp(f[j].topic, f[i].topic, f[i].tlen)) j++;
        struct offset_fetch_resp_group_topic *rt = &out->topics.v[out->topics.n++];
        rt->name = (struct wstr){f[i].topic, (int32_t)f[i].tlen};
        rt->partitions.n = j - i;
        rt->partitions.v = arena_calloc(a, (size_t)(j - i) * sizeof *rt->partitions.v + 1);
        for (int x = i; x < j; x++) part_fill(&rt->partitions.v[x - i], f[x].part, f[x].o);
        i = j;
    }
}

int h_offset_fetch(struct broker *b, struct req *r) {
    struct offset_fetch_req *q = r->body;
    struct offset_fetch_resp resp = {0};
    int ver = r->hdr.api_version;
    if (ver >= 8) {
        int ng = q->groups.n > 0 ? q->groups.n : 0;
        resp.groups.n = ng;
        resp.groups.v = arena_calloc(&r->arena, (size_t)ng * sizeof *resp.groups.v + 1);
        for (int i = 0; i < ng; i++) {
            struct offset_fetch_req_group *qg = &q->groups.v[i];
            fetch_group(b, r, qg->group_id, qg->topics.v, qg->topics.n, &resp.groups.v[i], q->require_stable);
        }
        req_respond(r, &resp);
        return H_DONE;
    }
    /* v0-7: the same answer in the single-group shape */
    int nqt = q->topics.n;
    struct offset_fetch_req_group_topic *qt = NULL;
    if (nqt > 0) {
        qt = arena_calloc(&r->arena, (size_t)nqt * sizeof *qt);
        for (int i = 0; i < nqt; i++) {
            qt[i].name = q->topics.v[i].name;
            qt[i].partition_indexes.v = q->topics.v[i].partition_indexes.v;
            qt[i].partition_indexes.n = q->topics.v[i].partition_indexes.n;
        }
    }
    struct offset_fetch_resp_group one = {0};
    fetch_group(b, r, q->group_id, qt, nqt, &one, q->require_stable);
    resp.topics.n = one.topics.n;
    resp.topics.v = arena_calloc(&r->arena, (size_t)(one.topics.n > 0 ? one.topics.n : 0) * sizeof *resp.topics.v + 1);
    for (int i = 0; i < one.topics.n; i++) {
        struct offset_fetch_resp_topic *rt = &resp.topics.v[i];
        rt->name = one.topics.v[i].name;
        int np = one.topics.v[i].partitions.n;
        rt->partitions.n = np;
        rt->partitions.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        for (int j = 0; j < np; j++) {
            struct offset_fetch_resp_group_partition *s = &one.topics.v[i].partitions.v[j];
            struct offset_fetch_resp_partition *d = &rt->partitions.v[j];
            d->partition_index = s->partition_index;
            d->committed_offset = s->committed_offset;
            d->committed_leader_epoch = s->committed_leader_epoch;
            d->metadata = s->metadata;
            d->error_code = s->error_code;
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- OffsetDelete ---- */

int h_offset_delete(struct broker *b, struct req *r) {
    struct offset_delete_req *q = r->body;
    struct offset_delete_resp resp = {0};
    struct group *g = q->group_id.p ? grp_find(b, q->group_id.p, (size_t)q->group_id.n) : NULL;
    if (!q->group_id.p || !q->group_id.n) resp.error_code = KERR_INVALID_GROUP_ID;
    else if (!g || g->state == GRP_DEAD) resp.error_code = KERR_GROUP_ID_NOT_FOUND;
    else if (g->state != GRP_EMPTY && (!g->protocol_type || strcmp(g->protocol_type, "consumer")))
        resp.error_code = KERR_NON_EMPTY_GROUP;
    if (resp.error_code) {
        req_respond(r, &resp);
        return H_DONE;
    }
    struct grp_batch bt;
    grp_batch_init(&bt);
    int nt = q->topics.n > 0 ? q->topics.n : 0;
    resp.topics.n = nt;
    resp.topics.v = arena_calloc(&r->arena, (size_t)nt * sizeof *resp.topics.v + 1);
    for (int i = 0; i < nt; i++) {
        struct offset_delete_req_topic *qt = &q->topics.v[i];
        struct offset_delete_resp_topic *rt = &resp.topics.v[i];
        rt->name = qt->name;
        int np = qt->partitions.n > 0 ? qt->partitions.n : 0;
        rt->partitions.n = np;
        rt->partitions.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        int subscribed = g->state != GRP_EMPTY && qt->name.p && grp_subscribed_to(g, qt->name.p, (size_t)qt->name.n);
        for (int j = 0; j < np; j++) {
            int32_t p = qt->partitions.v[j].partition_index;
            struct offset_delete_resp_partition *rp = &rt->partitions.v[j];
            rp->partition_index = p;
            if (!qt->name.p || !topic_find(b, qt->name.p, (size_t)qt->name.n)) {
                rp->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            if (subscribed) {
                rp->error_code = KERR_GROUP_SUBSCRIBED_TO_TOPIC;
                continue;
            }
            struct grp_offset *o = grp_offset_get(g, qt->name.p, (size_t)qt->name.n, p);
            if (!o) continue;
            grp_batch_offset(&bt, g->id, qt->name.p, (size_t)qt->name.n, p, o, 1);
            grp_offset_del(g, qt->name.p, (size_t)qt->name.n, p);
        }
    }
    int16_t err = grp_batch_append(b, &bt, r);
    grp_batch_free(&bt);
    if (err) resp.error_code = err;
    req_respond(r, &resp);
    return r->pending ? H_PARKED : H_DONE;
}
