/* group_store: committed offsets and group metadata, in memory and in the
 * internal topic __consumer_offsets.
 *
 * The topic has ONE partition (Kafka uses 50 to spread coordinators over
 * brokers; a single node gains nothing from that, and one partition means
 * one fsync covers every commit in flight: the flusher's group commit works
 * across groups). It is created at first start with retention.ms=-1 and
 * retention.bytes=-1 (committed offsets must not age out of the log; they
 * expire by offsets.retention.minutes instead) and segment.bytes=100 MiB
 * (Kafka's offsets.topic.segment.bytes) and cleanup.policy=compact (set
 * at start on a topic made before compaction existed): the cleaner keeps
 * the newest record per key and drops tombstones after delete.retention.ms,
 * so the log is bounded by the live offsets and groups plus the active
 * segment. An unchanged re-commit writes nothing (see h_group_offsets.c).
 * The loader copes with what compaction leaves: sparse offsets, tombstones,
 * a log start above 0.
 *
 * Records use Kafka's own formats (non-flexible versions, big-endian,
 * int16-length strings, int32-length bytes), so Kafka tools that read the
 * topic understand them:
 *   offset commit  key   v1: int16 version=1, string group, string topic, int32 partition
 *                  value v3: int16 version=3, int64 offset, int32 leader_epoch,
 *                            string metadata, int64 commit_timestamp
 *   group metadata key   v2: int16 version=2, string group
 *                  value v3: int16 version=3, string protocol_type, int32 generation,
 *                            nullable string protocol, nullable string leader,
 *                            int64 current_state_timestamp,
 *                            [string member_id, nullable string group_instance_id,
 *                             string client_id, string client_host,
 *                             int32 rebalance_timeout, int32 session_timeout,
 *                             bytes subscription, bytes assignment]
 * A null value is a tombstone (offset deleted / group deleted). Loading
 * replays the partition from its start: the last value of a key wins. Older
 * value versions (offsets v0-v3, groups v0-v3) are read too.
 *
 * An OffsetCommit is applied in memory at once and answered when the fsync
 * of its batch is done (the acks=all waiter of h_produce.c): a crash before
 * that loses an offset nobody was told was committed. */
#include "broker/group.h"
#include "broker/topics.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "wire/codec.h"
#include "wire/errors.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the in-memory offsets map ---- */

static size_t offset_key(char *out, size_t cap, const char *topic, size_t tlen, int32_t part) {
    if (tlen + 5 > cap) tlen = cap - 5;
    memcpy(out, topic, tlen);
    out[tlen] = 0;
    be32_put((uint8_t *)out + tlen + 1, (uint32_t)part);
    return tlen + 5;
}

struct grp_offset *grp_offset_get(struct group *g, const char *topic, size_t tlen, int32_t part) {
    char k[400];
    size_t kl = offset_key(k, sizeof k, topic, tlen, part);
    return hmap_get(&g->offsets, k, kl);
}

void grp_offset_set(struct group *g, const char *topic, size_t tlen, int32_t part, int64_t offset, int32_t epoch,
                    const char *meta, size_t mlen, int64_t commit_ts) {
    char k[400];
    size_t kl = offset_key(k, sizeof k, topic, tlen, part);
    struct grp_offset *o = hmap_get(&g->offsets, k, kl);
    if (!o) {
        o = calloc(1, sizeof *o);
        if (!o) abort();
        hmap_put(&g->offsets, k, kl, o);
    }
    free(o->metadata);
    o->metadata = malloc(mlen + 1);
    if (!o->metadata) abort();
    if (mlen) memcpy(o->metadata, meta, mlen);
    o->metadata[mlen] = 0;
    o->offset = offset;
    o->leader_epoch = epoch;
    o->commit_ts = commit_ts;
}

void grp_offset_del(struct group *g, const char *topic, size_t tlen, int32_t part) {
    char k[400];
    size_t kl = offset_key(k, sizeof k, topic, tlen, part);
    struct grp_offset *o = hmap_del(&g->offsets, k, kl);
    if (o) {
        free(o->metadata);
        free(o);
    }
}

void grp_offsets_free(struct group *g) {
    size_t it = 0;
    void *v;
    while (hmap_next(&g->offsets, &it, NULL, NULL, &v)) {
        struct grp_offset *o = v;
        free(o->metadata);
        free(o);
    }
    hmap_free(&g->offsets);
}

/* ---- record encoding ---- */


void grp_batch_init(struct grp_batch *bt) {
    memset(bt, 0, sizeof *bt);
    bt->ts = clock_wall_ms();
}

void grp_batch_free(struct grp_batch *bt) {
    buf_free(&bt->buf);
    buf_free(&bt->key);
    buf_free(&bt->val);
}

static void batch_add(struct grp_batch *bt, int tomb) {
    if (bt->n == 0) batch_builder_init(&bt->bb, &bt->buf, 0);
    batch_builder_add(&bt->bb, bt->ts, bt->key.p, (int32_t)bt->key.len, tomb ? NULL : bt->val.p,
                      tomb ? -1 : (int32_t)bt->val.len, NULL, 0);
    bt->n++;
}

void grp_batch_offset(struct grp_batch *bt, const char *group, const char *topic, size_t tlen, int32_t part,
                      const struct grp_offset *o, int tomb) {
    buf_clear(&bt->key);
    buf_clear(&bt->val);
    buf_be16(&bt->key, (uint16_t)1);
    buf_cstr16(&bt->key, group);
    buf_str16(&bt->key, topic, tlen);
    buf_be32(&bt->key, (uint32_t)part);
    if (!tomb) {
        buf_be16(&bt->val, (uint16_t)3);
        buf_be64(&bt->val, (uint64_t)o->offset);
        buf_be32(&bt->val, (uint32_t)o->leader_epoch);
        buf_cstr16(&bt->val, o->metadata ? o->metadata : "");
        buf_be64(&bt->val, (uint64_t)o->commit_ts);
    }
    batch_add(bt, tomb);
}

void grp_batch_group(struct grp_batch *bt, const struct group *g, int tomb) {
    buf_clear(&bt->key);
    buf_clear(&bt->val);
    buf_be16(&bt->key, (uint16_t)2);
    buf_cstr16(&bt->key, g->id);
    if (!tomb) {
        buf_be16(&bt->val, (uint16_t)3);
        buf_cstr16(&bt->val, g->protocol_type ? g->protocol_type : "");
        buf_be32(&bt->val, (uint32_t)g->generation);
        buf_cstr16(&bt->val, g->protocol);
        buf_cstr16(&bt->val, g->leader);
        buf_be64(&bt->val, (uint64_t)g->state_ts);
        int stable = g->state == GRP_STABLE;
        buf_be32(&bt->val, (uint32_t)stable ? g->nmembers : 0); /* members only with their assignments */
        for (struct grp_member *m = stable ? g->members : NULL; m; m = m->next) {
            buf_cstr16(&bt->val, m->id);
            buf_cstr16(&bt->val, m->instance_id);
            buf_cstr16(&bt->val, m->client_id);
            buf_cstr16(&bt->val, m->client_host);
            buf_be32(&bt->val, (uint32_t)m->rebalance_timeout_ms);
            buf_be32(&bt->val, (uint32_t)m->session_timeout_ms);
            const struct grp_protocol *p = grp_member_protocol(m, g->protocol);
            buf_bytes32(&bt->val, p ? p->meta : NULL, p ? p->len : 0);
            buf_bytes32(&bt->val, m->assignment, m->assignment_len);
        }
    }
    batch_add(bt, tomb);
}

int grp_batch_append(struct broker *b, struct grp_batch *bt, struct req *r) {
    struct partition *p = partition_find(b, GRP_OFFSETS_TOPIC, strlen(GRP_OFFSETS_TOPIC), 0);
    if (!p) return bt->n ? KERR_COORDINATOR_NOT_AVAILABLE : KERR_NONE;
    if (bt->n == 0) { /* nothing new: r still waits until what is stored is durable */
        int64_t end = plog_end_offset(p->log);
        if (r && plog_flushed_offset(p->log) < end) partition_add_sync_waiter(b, p, r, end);
        return KERR_NONE;
    }
    batch_builder_finish(&bt->bb);
    return partition_append_batches(b, p, bt->buf.p, bt->buf.len, r);
}

/* ---- transactional offsets ---- */

static void txn_offset_free(struct grp_txn_offset *o) {
    free(o->group);
    free(o->topic);
    free(o->metadata);
    free(o);
}

static void txn_pending_add(struct broker *b, int64_t pid, const char *group, size_t glen, const char *topic,
                            size_t tlen, int32_t part, int64_t offset, int32_t epoch, const char *meta, size_t mlen,
                            int64_t ts) {
    struct grp_txn_offset *o = calloc(1, sizeof *o);
    if (!o) abort();
    o->pid = pid;
    o->group = strndup(group, glen);
    o->topic = strndup(topic, tlen);
    o->metadata = strndup(meta ? meta : "", meta ? mlen : 0);
    if (!o->group || !o->topic || !o->metadata) abort();
    o->part = part;
    o->offset = offset;
    o->leader_epoch = epoch;
    o->commit_ts = ts;
    o->next = b->grp->txn_pending; /* newest first: the first match of a key is its latest */
    b->grp->txn_pending = o;
}

int grp_txn_commit_offsets(struct broker *b, struct req *r, const char *group, int64_t pid, int16_t epoch,
                           const struct grp_txn_commit *v, int n) {
    struct grp_batch bt;
    grp_batch_init(&bt);
    for (int i = 0; i < n; i++) {
        struct grp_offset o = {v[i].offset, v[i].leader_epoch, (char *)(v[i].metadata ? v[i].metadata : ""), bt.ts};
        char *meta = strndup(o.metadata, v[i].metadata ? v[i].mlen : 0);
        if (!meta) abort();
        o.metadata = meta;
        grp_batch_offset(&bt, group, v[i].topic, v[i].tlen, v[i].part, &o, 0);
        free(meta);
    }
    if (bt.n) { /* the coordinator writes them in the producer's transaction */
        bt.bb.producer_id = pid;
        bt.bb.producer_epoch = epoch;
        bt.bb.base_sequence = -1;
        bt.bb.attributes |= BATCH_ATTR_TRANSACTIONAL;
    }
    int err = KERR_NONE;
    if (bt.n) {
        err = grp_batch_append(b, &bt, r);
        for (int i = 0; i < n && !err; i++)
            txn_pending_add(b, pid, group, strlen(group), v[i].topic, v[i].tlen, v[i].part, v[i].offset,
                            v[i].leader_epoch, v[i].metadata, v[i].mlen, bt.ts);
    }
    grp_batch_free(&bt);
    return err;
}

void grp_txn_complete(struct broker *b, int64_t pid, int commit) {
    /* pending entries are newest first: apply oldest first so the latest wins */
    struct grp_txn_offset *mine = NULL, **pp = &b->grp->txn_pending;
    while (*pp) {
        struct grp_txn_offset *o = *pp;
        if (o->pid == pid) {
            *pp = o->next;
            o->next = mine;
            mine = o;
        } else {
            pp = &o->next;
        }
    }
    while (mine) {
        struct grp_txn_offset *o = mine;
        mine = o->next;
        if (commit) {
            struct group *g = grp_get_or_create(b, o->group, strlen(o->group));
            grp_offset_set(g, o->topic, strlen(o->topic), o->part, o->offset, o->leader_epoch, o->metadata,
                           strlen(o->metadata), o->commit_ts);
        }
        txn_offset_free(o);
    }
}

void grp_txn_free_pending(struct broker *b) {
    while (b->grp->txn_pending) {
        struct grp_txn_offset *o = b->grp->txn_pending;
        b->grp->txn_pending = o->next;
        txn_offset_free(o);
    }
}

int grp_txn_pending(struct broker *b, const char *group, const char *topic, size_t tlen, int32_t part) {
    for (struct grp_txn_offset *o = b->grp->txn_pending; o; o = o->next)
        if (o->part == part && !strcmp(o->group, group) && strlen(o->topic) == tlen && !memcmp(o->topic, topic, tlen))
            return 1;
    return 0;
}

void grp_store_group(struct broker *b, struct group *g) {
    if (b->grp && b->grp->loading) return;
    struct grp_batch bt;
    grp_batch_init(&bt);
    grp_batch_group(&bt, g, 0);
    int err = grp_batch_append(b, &bt, NULL);
    if (err) log_warn("group %s: cannot store its metadata: %s", g->id, kerr_name(err));
    grp_batch_free(&bt);
}

/* ---- loading ---- */

static char *dupn(const char *s, int32_t n) {
    if (!s) return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p) abort();
    memcpy(p, s, (size_t)n);
    p[n] = 0;
    return p;
}

static int load_group_value(struct group *g, struct wrd *v) {
    int16_t ver = wrd_i16(v);
    if (ver < 0 || ver > 3) return -1;
    const char *s;
    int32_t n = wrd_str16(v, &s);
    grp_free_members(g);
    free(g->protocol_type);
    g->protocol_type = n > 0 ? dupn(s, n) : NULL;
    g->generation = wrd_i32(v);
    n = wrd_str16(v, &s);
    free(g->protocol);
    g->protocol = dupn(s, n);
    n = wrd_str16(v, &s);
    free(g->leader);
    g->leader = dupn(s, n);
    g->state_ts = ver >= 2 ? wrd_i64(v) : -1;
    if (g->state_ts < 0) g->state_ts = clock_wall_ms();
    int32_t nm = wrd_i32(v);
    struct grp_member **tail = &g->members;
    for (int32_t i = 0; i < nm && !v->err; i++) {
        struct grp_member *m = calloc(1, sizeof *m);
        if (!m) abort();
        m->g = g;
        n = wrd_str16(v, &s);
        m->id = dupn(s ? s : "", s ? n : 0);
        if (ver >= 3) {
            n = wrd_str16(v, &s);
            m->instance_id = dupn(s, n);
        }
        n = wrd_str16(v, &s);
        m->client_id = dupn(s ? s : "", s ? n : 0);
        n = wrd_str16(v, &s);
        m->client_host = dupn(s ? s : "", s ? n : 0);
        m->rebalance_timeout_ms = ver >= 1 ? wrd_i32(v) : 0;
        m->session_timeout_ms = wrd_i32(v);
        if (ver < 1) m->rebalance_timeout_ms = m->session_timeout_ms;
        const uint8_t *bp;
        n = wrd_bytes32(v, &bp);
        m->protocols = calloc(1, sizeof *m->protocols);
        if (!m->protocols) abort();
        m->nprotocols = 1;
        m->protocols[0].name = dupn(g->protocol ? g->protocol : "", g->protocol ? (int32_t)strlen(g->protocol) : 0);
        m->protocols[0].len = n > 0 ? n : 0;
        m->protocols[0].meta = malloc((size_t)m->protocols[0].len + 1);
        if (!m->protocols[0].meta) abort();
        if (n > 0) memcpy(m->protocols[0].meta, bp, (size_t)n);
        n = wrd_bytes32(v, &bp);
        m->assignment_len = n > 0 ? n : 0;
        m->assignment = malloc((size_t)m->assignment_len + 1);
        if (!m->assignment) abort();
        if (n > 0) memcpy(m->assignment, bp, (size_t)n);
        *tail = m;
        tail = &m->next;
        g->nmembers++;
    }
    if (v->err) {
        grp_free_members(g);
        return -1;
    }
    g->state = g->members ? GRP_STABLE : GRP_EMPTY;
    return 0;
}

/* Applies one record of __consumer_offsets; records of a transactional
 * batch (txn_pid >= 0) are held pending until their marker. */
static void load_record(struct broker *b, const struct batch_record *rec, int64_t txn_pid) {
    if (!rec->key || rec->key_len < 2) return;
    struct wrd k;
    wrd_init(&k, rec->key, (size_t)rec->key_len);
    int16_t kver = wrd_i16(&k);
    const char *gid;
    int32_t gl = wrd_str16(&k, &gid);
    if (k.err || !gid) return;
    int tomb = rec->value == NULL;
    struct wrd v;
    wrd_init(&v, rec->value, rec->value ? (size_t)rec->value_len : 0);
    if (kver == 0 || kver == 1) {
        const char *topic;
        int32_t tl = wrd_str16(&k, &topic);
        int32_t part = wrd_i32(&k);
        if (k.err || !topic) return;
        if (txn_pid < 0 || tomb) {
            struct group *g = tomb ? grp_find(b, gid, (size_t)gl) : grp_get_or_create(b, gid, (size_t)gl);
            if (!g) return;
            if (tomb) {
                grp_offset_del(g, topic, (size_t)tl, part);
                return;
            }
        }
        int16_t vver = wrd_i16(&v);
        if (vver < 0 || vver > 3) return;
        int64_t off = wrd_i64(&v);
        int32_t epoch = vver >= 3 ? wrd_i32(&v) : -1;
        const char *meta;
        int32_t ml = wrd_str16(&v, &meta);
        int64_t ts = wrd_i64(&v);
        if (v.err) return;
        if (txn_pid >= 0) {
            txn_pending_add(b, txn_pid, gid, (size_t)gl, topic, (size_t)tl, part, off, epoch, meta,
                            meta ? (size_t)ml : 0, ts);
            return;
        }
        struct group *g = grp_get_or_create(b, gid, (size_t)gl);
        grp_offset_set(g, topic, (size_t)tl, part, off, epoch, meta ? meta : "", meta ? (size_t)ml : 0, ts);
    } else if (kver == 2) {
        struct group *g = tomb ? grp_find(b, gid, (size_t)gl) : grp_get_or_create(b, gid, (size_t)gl);
        if (!g) return;
        if (tomb) {
            grp_free_members(g);
            free(g->protocol_type);
            free(g->protocol);
            free(g->leader);
            g->protocol_type = g->protocol = g->leader = NULL;
            g->generation = 0;
            g->state = GRP_EMPTY;
            return;
        }
        if (load_group_value(g, &v)) log_warn("%s: unreadable metadata record for group %.*s skipped",
                                              GRP_OFFSETS_TOPIC, (int)gl, gid);
    }
}

struct load_ctx {
    struct broker *b;
    int64_t nrec;
};

/* One batch of __consumer_offsets: a transaction's marker lands or drops
 * its pending offsets; records of a transactional batch wait for it. */
static int load_batch(void *ctx, const struct batch_hdr *h, const uint8_t *bp, size_t bl) {
    struct load_ctx *lc = ctx;
    if (h->attributes & BATCH_ATTR_CONTROL) {
        int type = pstate_control_type(bp, bl);
        if (type >= 0) grp_txn_complete(lc->b, h->producer_id, type == CTRL_COMMIT);
        return 0;
    }
    int64_t txn_pid = (h->attributes & BATCH_ATTR_TRANSACTIONAL) ? h->producer_id : -1;
    struct batch_rec_iter ri;
    if (batch_rec_iter_init(&ri, bp, bl)) {
        log_warn("%s-0: batch at offset %" PRId64 " is compressed or malformed: skipped", GRP_OFFSETS_TOPIC,
                 h->base_offset);
        return 0;
    }
    struct batch_record rec;
    while (batch_rec_iter_next(&ri, &rec) == 1) {
        load_record(lc->b, &rec, txn_pid);
        lc->nrec++;
    }
    return 0;
}

static int load_log(struct broker *b, struct partition *p, char *err, size_t errlen) {
    struct load_ctx lc = {b, 0};
    int rc = partition_scan(p, load_batch, &lc, err, errlen);
    if (!rc)
        log_info("%s: loaded %" PRId64 " record(s), %d group(s)", GRP_OFFSETS_TOPIC, lc.nrec, (int)b->grp->groups.n);
    return rc;
}

int grp_open(struct broker *b, char *err, size_t errlen) {
    b->grp = calloc(1, sizeof *b->grp);
    if (!b->grp) abort();
    int64_t now = clock_mono_ms();
    b->grp->next_deadline = INT64_MAX;
    b->grp->next_expiry_check = now + b->cfg.offsets_retention_check_interval_ms;
    b->grp->next_deadline = b->grp->next_expiry_check;
    struct topic *t = topic_internal(b, GRP_OFFSETS_TOPIC, err, errlen);
    if (!t) return WERR_IO;
    const char *pol = props_get(&t->overrides, "cleanup.policy");
    if (!pol || strcmp(pol, "compact")) { /* created before compaction existed, or changed by hand */
        struct props ov = {0};
        for (size_t i = 0; i < t->overrides.n; i++) props_set(&ov, t->overrides.v[i].key, t->overrides.v[i].value, 0);
        props_set(&ov, "cleanup.policy", "compact", 0);
        if (topic_set_overrides(b, t, &ov)) log_warn("%s: cannot set cleanup.policy=compact", GRP_OFFSETS_TOPIC);
        else log_info("%s: cleanup.policy set to compact", GRP_OFFSETS_TOPIC);
        props_free(&ov);
    }
    b->grp->loading = 1;
    int rc = load_log(b, t->parts[0], err, errlen);
    b->grp->loading = 0;
    if (rc) return rc;
    /* tombstoned groups without offsets are gone; restored members get a
     * fresh session to come back in */
    size_t it = 0;
    void *v;
    while (hmap_next(&b->grp->groups, &it, NULL, NULL, &v)) {
        struct group *g = v;
        if (!g->members && !g->offsets.n && !g->protocol_type) {
            grp_remove(b, g);
            continue;
        }
        for (struct grp_member *m = g->members; m; m = m->next) {
            m->session_deadline = now + m->session_timeout_ms;
            if (m->session_deadline < b->grp->next_deadline) b->grp->next_deadline = m->session_deadline;
        }
    }
    return 0;
}

/* ---- offsets.retention.minutes ---- */

/* The topics a consumer group subscribes to, from its members'
 * ConsumerProtocolSubscription (int16 version, [string topic], ...: every
 * version starts so) for the selected protocol: 1 with *subs set (a
 * malloc'ed array of pointers into the members' metadata), 0 when it
 * cannot be known (not protocol type "consumer", or metadata that does not
 * parse). */
static int subscribed_topics(const struct group *g, struct wstr **subs, int *n) {
    *subs = NULL;
    *n = 0;
    if (!g->protocol_type || strcmp(g->protocol_type, "consumer") || !g->protocol) return 0;
    int cap = 0;
    for (const struct grp_member *m = g->members; m; m = m->next) {
        const struct grp_protocol *p = grp_member_protocol(m, g->protocol);
        if (!p) goto unknown;
        struct wrd r;
        wrd_init(&r, p->meta, (size_t)p->len);
        int16_t version = wrd_i16(&r);
        int32_t count = wrd_i32(&r);
        if (r.err || version < 0 || count < 0) goto unknown;
        for (int32_t i = 0; i < count; i++) {
            const char *t;
            int32_t tl = wrd_str16(&r, &t);
            if (tl < 0) goto unknown;
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                *subs = realloc(*subs, (size_t)cap * sizeof **subs);
                if (!*subs) abort();
            }
            (*subs)[(*n)++] = (struct wstr){t, tl};
        }
    }
    return 1;
unknown:
    free(*subs);
    *subs = NULL;
    *n = 0;
    return 0;
}

/* Kafka's rules (KIP-211): an Empty group's offsets expire together,
 * offsets.retention.minutes after it became Empty; a Stable consumer group
 * whose subscriptions are known loses, by commit time, only the offsets of
 * topics no member subscribes to any more; a group that only stores offsets
 * (no protocol type) loses each by its commit time; other groups keep all. */
static int offset_expired(const struct group *g, const char *topic, size_t tl, const struct grp_offset *o,
                          int64_t now_wall, int64_t ret, const struct wstr *subs, int nsubs, int subs_known) {
    if (!g->protocol_type) return o->commit_ts + ret <= now_wall;
    if (g->state == GRP_EMPTY) return g->state_ts + ret <= now_wall;
    if (g->state != GRP_STABLE || !subs_known) return 0;
    for (int i = 0; i < nsubs; i++)
        if ((size_t)subs[i].n == tl && !memcmp(subs[i].p, topic, tl)) return 0;
    return o->commit_ts + ret <= now_wall;
}

void grp_expire_offsets(struct broker *b, int64_t now_wall);
void grp_expire_offsets(struct broker *b, int64_t now_wall) {
    int64_t ret = b->cfg.offsets_retention_ms;
    size_t it = 0;
    void *v;
    struct grp_batch bt;
    grp_batch_init(&bt);
    while (hmap_next(&b->grp->groups, &it, NULL, NULL, &v)) {
        struct group *g = v;
        if (g->protocol_type && g->state != GRP_EMPTY && g->state != GRP_STABLE) continue;
        struct wstr *subs;
        int nsubs, known = g->state == GRP_STABLE && subscribed_topics(g, &subs, &nsubs);
        if (!known) subs = NULL, nsubs = 0;
        size_t oit = 0;
        const char *k;
        size_t kl;
        void *ov;
        int expired = 0;
        while (hmap_next(&g->offsets, &oit, &k, &kl, &ov)) {
            size_t tl = kl - 5;
            if (!offset_expired(g, k, tl, ov, now_wall, ret, subs, nsubs, known)) continue;
            int32_t part = (int32_t)be32_get((const uint8_t *)k + tl + 1);
            grp_batch_offset(&bt, g->id, k, tl, part, ov, 1);
            expired++;
        }
        if (expired) {
            log_info("group %s: %d committed offset(s) expired (offsets.retention.minutes)", g->id, expired);
            /* second pass: delete what was tombstoned (the map cannot change while iterated) */
            for (int again = 1; again;) {
                again = 0;
                oit = 0;
                while (hmap_next(&g->offsets, &oit, &k, &kl, &ov)) {
                    size_t tl = kl - 5;
                    if (!offset_expired(g, k, tl, ov, now_wall, ret, subs, nsubs, known)) continue;
                    char topic[400];
                    memcpy(topic, k, tl);
                    grp_offset_del(g, topic, tl, (int32_t)be32_get((const uint8_t *)k + tl + 1));
                    again = 1;
                    break;
                }
            }
        }
        free(subs);
    }
    /* empty groups without offsets are dropped */
    for (int again = 1; again;) {
        again = 0;
        it = 0;
        while (hmap_next(&b->grp->groups, &it, NULL, NULL, &v)) {
            struct group *g = v;
            if (g->state == GRP_EMPTY && !g->members && !g->pending && !g->offsets.n) {
                grp_batch_group(&bt, g, 1);
                log_info("group %s: removed (empty, no committed offsets)", g->id);
                grp_remove(b, g);
                again = 1;
                break;
            }
        }
    }
    int err = grp_batch_append(b, &bt, NULL);
    if (err) log_warn("offset expiry: cannot write tombstones: %s", kerr_name(err));
    grp_batch_free(&bt);
}

/* ---- topics going away ---- */

void grp_topic_deleted(struct broker *b, const char *topic) {
    if (!b->grp || !strcmp(topic, GRP_OFFSETS_TOPIC)) return;
    size_t tl = strlen(topic);
    struct grp_batch bt;
    grp_batch_init(&bt);
    size_t it = 0;
    void *v;
    while (hmap_next(&b->grp->groups, &it, NULL, NULL, &v)) {
        struct group *g = v;
        for (int again = 1; again;) { /* the map cannot change while iterated */
            again = 0;
            size_t oit = 0;
            const char *k;
            size_t kl;
            void *ov;
            while (hmap_next(&g->offsets, &oit, &k, &kl, &ov)) {
                if (kl - 5 != tl || memcmp(k, topic, tl)) continue;
                int32_t part = (int32_t)be32_get((const uint8_t *)k + tl + 1);
                grp_batch_offset(&bt, g->id, topic, tl, part, ov, 1);
                grp_offset_del(g, topic, tl, part);
                again = 1;
                break;
            }
        }
    }
    if (bt.n) log_info("topic %s deleted: %d committed offset(s) removed", topic, bt.n);
    int err = grp_batch_append(b, &bt, NULL);
    if (err) log_warn("cannot write offset tombstones for deleted topic %s: %s", topic, kerr_name(err));
    grp_batch_free(&bt);
}
