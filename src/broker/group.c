/* group: the classic consumer group protocol, as Kafka's GroupCoordinator
 * runs it (see group.h for the module map).
 *
 * States: Empty -> PreparingRebalance -> CompletingRebalance -> Stable, and
 * back to PreparingRebalance whenever membership or subscriptions change;
 * Dead for a group being deleted.
 *
 * A rebalance (PreparingRebalance) ends as soon as every known member has
 * rejoined (its JoinGroup is parked here) and no MEMBER_ID_REQUIRED member
 * id is outstanding, or at the rebalance deadline (the largest rebalance
 * timeout of the members), when members that did not rejoin are removed.
 * Only the first rebalance of an Empty group waits
 * group.initial.rebalance.delay.ms (extended while new members keep
 * arriving, never past the rebalance timeout), so a group of consumers
 * started together gets one generation instead of one per consumer.
 *
 * Completing the join bumps the generation, selects the protocol (the one
 * supported by every member with the most first-choice votes), answers every
 * parked JoinGroup (the leader gets the members and their metadata), and
 * moves to CompletingRebalance; the leader's SyncGroup carries the
 * assignments, which are stored (group metadata record) and relayed to the
 * members' parked SyncGroups: Stable. Members that have not sent SyncGroup
 * within the rebalance timeout of the join are removed and the group
 * rebalances (Kafka 3.2+).
 *
 * Static members (group.instance.id) that come back with a new member id
 * while the group is Stable and their protocols are unchanged resume the
 * current generation, the leader included (KIP-345/814): no rebalance.
 *
 * Sessions: a member's session deadline moves forward on every heartbeat,
 * join and sync; a member whose JoinGroup or SyncGroup is parked is kept
 * alive. An expired member is removed and the group rebalances. */
#include "broker/group.h"

#include "common/clock.h"
#include "common/log.h"
#include "wire/api_heartbeat.h"
#include "wire/api_join_group.h"
#include "wire/api_leave_group.h"
#include "wire/api_sync_group.h"
#include "wire/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ---- small helpers ---- */

static char *xstrndup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) abort();
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void *xmemdup(const void *s, size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) abort();
    if (n) memcpy(p, s, n);
    return p;
}

/* Is the C string s equal to the wire string w? (NULL equals null) */
static int weq(const char *s, struct wstr w) {
    if (!s || !w.p) return !s && !w.p;
    return strlen(s) == (size_t)w.n && !memcmp(s, w.p, (size_t)w.n);
}

static int wnull_or_empty(struct wstr w) { return !w.p || w.n == 0; }

static struct wstr ws(const char *s) { return (struct wstr){s, s ? (int32_t)strlen(s) : 0}; }

static void note_deadline(struct broker *b, int64_t t) {
    if (t < b->grp->next_deadline) b->grp->next_deadline = t;
}

/* Kafka's member ids: "<client id or instance id>-<uuid>". */
static char *new_member_id(struct wstr prefix) {
    uint8_t u[16];
    if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u) abort();
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    char uuid[40];
    snprintf(uuid, sizeof uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    int pn = prefix.p ? prefix.n : 0;
    if (pn > 200) pn = 200;
    size_t n = (size_t)pn + 1 + strlen(uuid);
    char *id = malloc(n + 1);
    if (!id) abort();
    snprintf(id, n + 1, "%.*s-%s", pn, prefix.p ? prefix.p : "", uuid);
    return id;
}

const char *grp_state_name(enum grp_state s) {
    switch (s) {
    case GRP_EMPTY: return "Empty";
    case GRP_PREPARING_REBALANCE: return "PreparingRebalance";
    case GRP_COMPLETING_REBALANCE: return "CompletingRebalance";
    case GRP_STABLE: return "Stable";
    case GRP_DEAD: return "Dead";
    }
    return "Unknown";
}

void grp_set_state(struct group *g, enum grp_state s) {
    if (g->state != s) log_debug("group %s: %s -> %s (generation %d)", g->id, grp_state_name(g->state),
                                 grp_state_name(s), g->generation);
    g->state = s;
    g->state_ts = clock_wall_ms();
}

/* ---- registry ---- */

struct group *grp_find(struct broker *b, const char *id, size_t len) {
    if (!b->grp || !id) return NULL;
    return hmap_get(&b->grp->groups, id, len);
}

struct group *grp_get_or_create(struct broker *b, const char *id, size_t len) {
    struct group *g = grp_find(b, id, len);
    if (g) return g;
    g = calloc(1, sizeof *g);
    if (!g) abort();
    g->id = xstrndup(id, len);
    g->state = GRP_EMPTY;
    g->state_ts = clock_wall_ms();
    hmap_put(&b->grp->groups, g->id, len, g);
    return g;
}

struct grp_member *grp_member_find(struct group *g, const char *id, size_t len) {
    if (!id) return NULL;
    for (struct grp_member *m = g->members; m; m = m->next)
        if (strlen(m->id) == len && !memcmp(m->id, id, len)) return m;
    return NULL;
}

static struct grp_member *member_by_instance(struct group *g, struct wstr inst) {
    if (!inst.p) return NULL;
    for (struct grp_member *m = g->members; m; m = m->next)
        if (m->instance_id && weq(m->instance_id, inst)) return m;
    return NULL;
}

const struct grp_protocol *grp_member_protocol(const struct grp_member *m, const char *name) {
    if (!name) return NULL;
    for (int i = 0; i < m->nprotocols; i++)
        if (!strcmp(m->protocols[i].name, name)) return &m->protocols[i];
    return NULL;
}

static void member_free_protocols(struct grp_member *m) {
    for (int i = 0; i < m->nprotocols; i++) {
        free(m->protocols[i].name);
        free(m->protocols[i].meta);
    }
    free(m->protocols);
    m->protocols = NULL;
    m->nprotocols = 0;
}

static void member_free(struct grp_member *m) {
    member_free_protocols(m);
    free(m->id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    free(m->assignment);
    free(m);
}

static void member_set_protocols(struct grp_member *m, const struct join_group_req *q) {
    member_free_protocols(m);
    int n = q->protocols.n > 0 ? q->protocols.n : 0;
    m->protocols = calloc((size_t)n + 1, sizeof *m->protocols);
    if (!m->protocols) abort();
    for (int i = 0; i < n; i++) {
        struct join_group_req_protocol *p = &q->protocols.v[i];
        m->protocols[i].name = xstrndup(p->name.p ? p->name.p : "", p->name.p ? (size_t)p->name.n : 0);
        int32_t len = p->metadata.p ? p->metadata.n : 0;
        m->protocols[i].meta = xmemdup(p->metadata.p, (size_t)len);
        m->protocols[i].len = len;
    }
    m->nprotocols = n;
}

/* Do the request's protocols equal m's (names, order and metadata)? */
static int member_matches(const struct grp_member *m, const struct join_group_req *q) {
    if (q->protocols.n != m->nprotocols) return 0;
    for (int i = 0; i < m->nprotocols; i++) {
        struct join_group_req_protocol *p = &q->protocols.v[i];
        int32_t len = p->metadata.p ? p->metadata.n : 0;
        if (!weq(m->protocols[i].name, p->name) || len != m->protocols[i].len ||
            (len && memcmp(p->metadata.p, m->protocols[i].meta, (size_t)len)))
            return 0;
    }
    return 1;
}

static int member_supports(const struct grp_member *m, const char *name) { return grp_member_protocol(m, name) != NULL; }

/* Is name supported by every member (except skip)? */
static int all_support(const struct group *g, const char *name, const struct grp_member *skip) {
    for (struct grp_member *m = g->members; m; m = m->next)
        if (m != skip && !member_supports(m, name)) return 0;
    return 1;
}

/* Would a member with these protocols share at least one protocol with
 * every other member? (Kafka's supportsProtocols) */
static int group_supports(const struct group *g, const struct join_group_req *q, const struct grp_member *self) {
    int others = 0;
    for (struct grp_member *m = g->members; m; m = m->next)
        if (m != self) others++;
    if (!others) return 1;
    for (int i = 0; i < q->protocols.n; i++) {
        char name[256];
        struct wstr w = q->protocols.v[i].name;
        snprintf(name, sizeof name, "%.*s", w.p ? (int)w.n : 0, w.p ? w.p : "");
        if (all_support(g, name, self)) return 1;
    }
    return 0;
}

/* Kafka's selectProtocol: among the protocols every member supports, each
 * member votes for its first choice; most votes wins (ties: the earlier in
 * the first member's preference order). */
static const char *select_protocol(const struct group *g) {
    const struct grp_member *first = g->members;
    if (!first) return NULL;
    const char *best = NULL;
    int best_votes = -1;
    for (int i = 0; i < first->nprotocols; i++) {
        const char *cand = first->protocols[i].name;
        if (!all_support(g, cand, NULL)) continue;
        int votes = 0;
        for (struct grp_member *m = g->members; m; m = m->next)
            for (int j = 0; j < m->nprotocols; j++)
                if (all_support(g, m->protocols[j].name, NULL)) {
                    if (!strcmp(m->protocols[j].name, cand)) votes++;
                    break;
                }
        if (votes > best_votes) {
            best = cand;
            best_votes = votes;
        }
    }
    return best;
}

static int32_t max_rebalance_timeout(const struct group *g) {
    int32_t t = 0;
    for (struct grp_member *m = g->members; m; m = m->next)
        if (m->rebalance_timeout_ms > t) t = m->rebalance_timeout_ms;
    return t;
}

static void member_heartbeat(struct broker *b, struct grp_member *m, int64_t now) {
    m->session_deadline = now + m->session_timeout_ms;
    note_deadline(b, m->session_deadline);
}

/* ---- answering parked requests ---- */

static void join_send(struct broker *b, struct req *r, const struct join_group_resp *resp) {
    req_respond(r, resp);
    req_complete(b, r, REQ_DONE);
}

static void join_error(struct broker *b, struct req *r, int16_t err, const char *member_id) {
    struct join_group_resp resp = {0};
    resp.error_code = err;
    resp.generation_id = -1;
    resp.leader = ws("");
    resp.member_id = ws(member_id ? member_id : "");
    resp.protocol_name = r->hdr.api_version >= 7 ? (struct wstr){0} : ws("");
    join_send(b, r, &resp);
}

/* Answers m's parked JoinGroup with the current generation; skip tells a
 * leader that the current assignment stands (KIP-814: a static leader that
 * rejoined without a rebalance gets the members but runs no assignor). */
static void join_answer_skip(struct broker *b, struct group *g, struct grp_member *m, int skip) {
    struct req *r = m->join_req;
    if (!r) return;
    m->join_req = NULL;
    m->is_new = 0;
    struct join_group_resp resp = {0};
    resp.generation_id = g->generation;
    resp.protocol_type = ws(g->protocol_type);
    resp.protocol_name = ws(g->protocol);
    resp.leader = ws(g->leader ? g->leader : "");
    resp.member_id = ws(m->id);
    if (g->leader && !strcmp(g->leader, m->id)) {
        resp.skip_assignment = (int8_t)skip;
        resp.members.v = arena_calloc(&r->arena, (size_t)g->nmembers * sizeof *resp.members.v + 1);
        int n = 0;
        for (struct grp_member *x = g->members; x; x = x->next) {
            struct join_group_resp_member *rm = &resp.members.v[n++];
            rm->member_id = ws(x->id);
            rm->group_instance_id = ws(x->instance_id);
            const struct grp_protocol *p = grp_member_protocol(x, g->protocol);
            rm->metadata = (struct wbytes){p ? p->meta : (const uint8_t *)"", p ? p->len : 0};
        }
        resp.members.n = n;
    }
    join_send(b, r, &resp);
}

static void join_answer(struct broker *b, struct group *g, struct grp_member *m) { join_answer_skip(b, g, m, 0); }

static void sync_send(struct broker *b, struct req *r, int16_t err, const struct group *g, const uint8_t *a,
                      int32_t alen) {
    struct sync_group_resp resp = {0};
    resp.error_code = err;
    if (!err && g) {
        resp.protocol_type = ws(g->protocol_type);
        resp.protocol_name = ws(g->protocol);
    }
    resp.assignment = (struct wbytes){a ? a : (const uint8_t *)"", a ? alen : 0};
    req_respond(r, &resp);
    req_complete(b, r, REQ_DONE);
}

static void sync_answer(struct broker *b, struct group *g, struct grp_member *m, int16_t err) {
    struct req *r = m->sync_req;
    if (!r) return;
    m->sync_req = NULL;
    sync_send(b, r, err, g, err ? NULL : m->assignment, m->assignment_len);
}

/* ---- the state machine ---- */

static void complete_join(struct broker *b, struct group *g);

/* Starts a rebalance (Kafka's prepareRebalance). */
static void prepare_rebalance(struct broker *b, struct group *g) {
    int64_t now = clock_mono_ms();
    if (g->state == GRP_COMPLETING_REBALANCE)
        for (struct grp_member *m = g->members; m; m = m->next) {
            free(m->assignment);
            m->assignment = NULL;
            m->assignment_len = 0;
            sync_answer(b, g, m, KERR_REBALANCE_IN_PROGRESS);
        }
    int32_t rto = max_rebalance_timeout(g);
    int32_t delay = b->cfg.group_initial_rebalance_delay_ms;
    if (g->state == GRP_EMPTY && delay > 0) {
        g->initial_delay = 1;
        g->new_member_added = 0;
        g->initial_end = now + (rto > delay ? rto : delay);
        g->rebalance_deadline = now + delay;
    } else {
        g->initial_delay = 0;
        g->rebalance_deadline = now + rto;
    }
    note_deadline(b, g->rebalance_deadline);
    grp_set_state(g, GRP_PREPARING_REBALANCE);
    log_info("group %s: preparing to rebalance (generation %d, %d member(s))", g->id, g->generation, g->nmembers);
}

static void maybe_prepare_rebalance(struct broker *b, struct group *g) {
    if (g->state == GRP_STABLE || g->state == GRP_COMPLETING_REBALANCE || g->state == GRP_EMPTY)
        prepare_rebalance(b, g);
}

static int all_joined(const struct group *g) {
    if (g->pending) return 0;
    for (struct grp_member *m = g->members; m; m = m->next)
        if (!m->join_req) return 0;
    return 1;
}

static void try_complete_join(struct broker *b, struct group *g) {
    if (g->state == GRP_PREPARING_REBALANCE && !g->initial_delay && all_joined(g)) complete_join(b, g);
}

/* Unlinks and frees m, answering its parked requests with err. */
static void member_remove(struct broker *b, struct group *g, struct grp_member *m, int16_t err) {
    if (m->join_req) {
        struct req *r = m->join_req;
        m->join_req = NULL;
        join_error(b, r, err, NULL);
    }
    if (m->sync_req) sync_answer(b, g, m, err);
    for (struct grp_member **pp = &g->members; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    g->nmembers--;
    if (g->leader && !strcmp(g->leader, m->id)) {
        free(g->leader);
        g->leader = g->members ? xstrndup(g->members->id, strlen(g->members->id)) : NULL;
    }
    member_free(m);
}

/* Kafka's removeMemberAndUpdateGroup. */
static void member_leave(struct broker *b, struct group *g, struct grp_member *m, const char *why) {
    log_info("group %s: member %s %s", g->id, m->id, why);
    member_remove(b, g, m, KERR_UNKNOWN_MEMBER_ID);
    switch (g->state) {
    case GRP_STABLE:
    case GRP_COMPLETING_REBALANCE: prepare_rebalance(b, g); try_complete_join(b, g); break;
    case GRP_PREPARING_REBALANCE: try_complete_join(b, g); break;
    default: break;
    }
}

static void complete_join(struct broker *b, struct group *g) {
    int64_t now = clock_mono_ms();
    g->initial_delay = 0;
    /* members that did not rejoin in time are out */
    for (struct grp_member *m = g->members, *next; m; m = next) {
        next = m->next;
        if (!m->join_req) {
            log_info("group %s: member %s did not rejoin in time", g->id, m->id);
            member_remove(b, g, m, KERR_UNKNOWN_MEMBER_ID);
        }
    }
    g->generation++;
    free(g->protocol);
    g->protocol = NULL;
    if (!g->members) {
        free(g->leader);
        g->leader = NULL;
        grp_set_state(g, GRP_EMPTY);
        log_info("group %s: empty at generation %d", g->id, g->generation);
        grp_store_group(b, g);
        return;
    }
    const char *p = select_protocol(g);
    g->protocol = p ? xstrndup(p, strlen(p)) : NULL;
    if (!g->leader) g->leader = xstrndup(g->members->id, strlen(g->members->id));
    grp_set_state(g, GRP_COMPLETING_REBALANCE);
    log_info("group %s: generation %d with %d member(s), protocol %s, leader %s", g->id, g->generation, g->nmembers,
             g->protocol ? g->protocol : "(none)", g->leader);
    for (struct grp_member *m = g->members; m; m = m->next) {
        m->synced = 0;
        join_answer(b, g, m);
        member_heartbeat(b, m, now);
    }
    /* as Kafka (3.2+): every member must follow with SyncGroup within the
     * rebalance timeout, or it is removed and the group rebalances */
    g->sync_deadline = now + max_rebalance_timeout(g);
    note_deadline(b, g->sync_deadline);
}

static char *client_host(struct req *r) {
    const char *a = r->conn->addr;
    const char *colon = strrchr(a, ':');
    size_t n = colon ? (size_t)(colon - a) : strlen(a);
    if (n >= 2 && a[0] == '[' && a[n - 1] == ']') a++, n -= 2;
    char *h = malloc(n + 2);
    if (!h) abort();
    h[0] = '/';
    memcpy(h + 1, a, n);
    h[n + 1] = 0;
    return h;
}

static void member_update(struct broker *b, struct grp_member *m, struct req *r, const struct join_group_req *q,
                          int32_t rto) {
    member_set_protocols(m, q);
    m->session_timeout_ms = q->session_timeout_ms;
    m->rebalance_timeout_ms = rto;
    if (m->join_req && m->join_req != r) { /* a retried join: the old one is answered */
        struct req *old = m->join_req;
        m->join_req = NULL;
        join_error(b, old, KERR_REBALANCE_IN_PROGRESS, m->id);
    }
    m->join_req = r;
}

static struct grp_member *member_add(struct broker *b, struct group *g, struct req *r, const struct join_group_req *q,
                                     char *id, int32_t rto) {
    struct grp_member *m = calloc(1, sizeof *m);
    if (!m) abort();
    m->g = g;
    m->id = id;
    if (q->group_instance_id.p) m->instance_id = xstrndup(q->group_instance_id.p, (size_t)q->group_instance_id.n);
    m->client_id = xstrndup(r->hdr.client_id.p ? r->hdr.client_id.p : "", r->hdr.client_id.p ? (size_t)r->hdr.client_id.n : 0);
    m->client_host = client_host(r);
    m->is_new = 1;
    member_update(b, m, r, q, rto);
    if (!g->members) {
        free(g->protocol_type);
        g->protocol_type = xstrndup(q->protocol_type.p ? q->protocol_type.p : "",
                                    q->protocol_type.p ? (size_t)q->protocol_type.n : 0);
    }
    /* append: the first member stays first (protocol order, leader fallback) */
    struct grp_member **pp = &g->members;
    while (*pp) pp = &(*pp)->next;
    *pp = m;
    g->nmembers++;
    if (!g->leader) g->leader = xstrndup(id, strlen(id));
    member_heartbeat(b, m, clock_mono_ms());
    if (g->state == GRP_PREPARING_REBALANCE && g->initial_delay) g->new_member_added = 1;
    log_info("group %s: member %s joined%s%s", g->id, id, m->instance_id ? " as static member " : "",
             m->instance_id ? m->instance_id : "");
    return m;
}

static int add_member_and_rebalance(struct broker *b, struct group *g, struct req *r, const struct join_group_req *q,
                                    char *id, int32_t rto) {
    member_add(b, g, r, q, id, rto);
    maybe_prepare_rebalance(b, g);
    try_complete_join(b, g);
    return H_PARKED;
}

static struct grp_pending *pending_take(struct group *g, struct wstr id) {
    for (struct grp_pending **pp = &g->pending; *pp; pp = &(*pp)->next)
        if (weq((*pp)->id, id)) {
            struct grp_pending *p = *pp;
            *pp = p->next;
            return p;
        }
    return NULL;
}

/* JoinGroup with an empty member id. */
static int join_new_member(struct broker *b, struct group *g, struct req *r, const struct join_group_req *q,
                           int32_t rto) {
    int ver = r->hdr.api_version;
    if (b->cfg.group_max_size > 0 && g->nmembers >= b->cfg.group_max_size) {
        join_error(b, r, KERR_GROUP_MAX_SIZE_REACHED, NULL);
        return H_DONE;
    }
    if (q->group_instance_id.p) {
        char *id = new_member_id(q->group_instance_id);
        struct grp_member *old = member_by_instance(g, q->group_instance_id);
        if (!old) return add_member_and_rebalance(b, g, r, q, id, rto);
        /* a static member came back with a new member id: replace the old
         * one, fencing its requests */
        log_info("group %s: static member %s replaced (%s -> %s)", g->id, old->instance_id, old->id, id);
        if (old->join_req) {
            struct req *o = old->join_req;
            old->join_req = NULL;
            join_error(b, o, KERR_FENCED_INSTANCE_ID, NULL);
        }
        if (old->sync_req) sync_answer(b, g, old, KERR_FENCED_INSTANCE_ID);
        int was_leader = g->leader && !strcmp(g->leader, old->id);
        free(old->id);
        old->id = id;
        if (was_leader) {
            free(g->leader);
            g->leader = xstrndup(id, strlen(id));
        }
        if (g->state == GRP_STABLE && member_matches(old, q)) {
            /* nothing changed for the group: the member resumes the current
             * generation and its assignment, the leader too (as Kafka: it
             * gets the members with skip_assignment from v9; an older one
             * may run its assignor, but SyncGroup in Stable hands back the
             * assignment the group has) */
            old->session_timeout_ms = q->session_timeout_ms;
            old->rebalance_timeout_ms = rto;
            old->join_req = r;
            member_heartbeat(b, old, clock_mono_ms());
            grp_store_group(b, g); /* the new member id */
            join_answer_skip(b, g, old, was_leader);
            return H_PARKED;
        }
        member_update(b, old, r, q, rto);
        maybe_prepare_rebalance(b, g);
        try_complete_join(b, g);
        return H_PARKED;
    }
    char *id = new_member_id(r->hdr.client_id);
    if (ver >= 4) { /* KIP-394: hand out the id; the client joins again with it */
        struct grp_pending *p = calloc(1, sizeof *p);
        if (!p) abort();
        p->id = id;
        p->deadline = clock_mono_ms() + q->session_timeout_ms;
        p->next = g->pending;
        g->pending = p;
        note_deadline(b, p->deadline);
        join_error(b, r, KERR_MEMBER_ID_REQUIRED, id);
        return H_DONE;
    }
    return add_member_and_rebalance(b, g, r, q, id, rto);
}

/* JoinGroup with a member id. */
static int join_known_member(struct broker *b, struct group *g, struct req *r, const struct join_group_req *q,
                             int32_t rto) {
    struct grp_pending *p = pending_take(g, q->member_id);
    if (p) {
        char *id = p->id;
        free(p);
        return add_member_and_rebalance(b, g, r, q, id, rto);
    }
    struct grp_member *m = grp_member_find(g, q->member_id.p, (size_t)q->member_id.n);
    if (q->group_instance_id.p) {
        struct grp_member *si = member_by_instance(g, q->group_instance_id);
        if (si && si != m) {
            join_error(b, r, KERR_FENCED_INSTANCE_ID, NULL);
            return H_DONE;
        }
    }
    if (!m || g->state == GRP_EMPTY || g->state == GRP_DEAD) {
        join_error(b, r, KERR_UNKNOWN_MEMBER_ID, NULL);
        return H_DONE;
    }
    if (m->instance_id && !weq(m->instance_id, q->group_instance_id)) {
        join_error(b, r, KERR_FENCED_INSTANCE_ID, NULL);
        return H_DONE;
    }
    int is_leader = g->leader && !strcmp(g->leader, m->id);
    switch (g->state) {
    case GRP_PREPARING_REBALANCE:
        member_update(b, m, r, q, rto);
        try_complete_join(b, g);
        return H_PARKED;
    case GRP_COMPLETING_REBALANCE:
        if (member_matches(m, q)) { /* the join response was lost: send it again */
            if (m->join_req && m->join_req != r) join_error(b, m->join_req, KERR_REBALANCE_IN_PROGRESS, m->id);
            m->join_req = r;
            member_heartbeat(b, m, clock_mono_ms());
            join_answer(b, g, m);
            return H_PARKED;
        }
        member_update(b, m, r, q, rto);
        prepare_rebalance(b, g);
        try_complete_join(b, g);
        return H_PARKED;
    case GRP_STABLE:
        if (is_leader || !member_matches(m, q)) {
            member_update(b, m, r, q, rto);
            prepare_rebalance(b, g);
            try_complete_join(b, g);
            return H_PARKED;
        }
        m->join_req = r;
        member_heartbeat(b, m, clock_mono_ms());
        join_answer(b, g, m);
        return H_PARKED;
    default: break;
    }
    join_error(b, r, KERR_UNKNOWN_MEMBER_ID, NULL);
    return H_DONE;
}

int h_join_group(struct broker *b, struct req *r) {
    struct join_group_req *q = r->body;
    int ver = r->hdr.api_version;
    if (ver < 5) q->group_instance_id = (struct wstr){0};
    if (wnull_or_empty(q->group_id)) {
        join_error(b, r, KERR_INVALID_GROUP_ID, NULL);
        return H_DONE;
    }
    if (q->session_timeout_ms < b->cfg.group_min_session_timeout_ms ||
        q->session_timeout_ms > b->cfg.group_max_session_timeout_ms) {
        join_error(b, r, KERR_INVALID_SESSION_TIMEOUT, NULL);
        return H_DONE;
    }
    int32_t rto = ver == 0 || q->rebalance_timeout_ms <= 0 ? q->session_timeout_ms : q->rebalance_timeout_ms;
    if (wnull_or_empty(q->protocol_type) || q->protocols.n <= 0) {
        join_error(b, r, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return H_DONE;
    }
    int unknown = wnull_or_empty(q->member_id);
    struct group *g = grp_find(b, q->group_id.p, (size_t)q->group_id.n);
    if (!g) {
        if (!unknown) {
            join_error(b, r, KERR_UNKNOWN_MEMBER_ID, NULL);
            return H_DONE;
        }
        g = grp_get_or_create(b, q->group_id.p, (size_t)q->group_id.n);
    }
    if (g->state == GRP_DEAD) {
        join_error(b, r, KERR_COORDINATOR_NOT_AVAILABLE, NULL);
        return H_DONE;
    }
    struct grp_member *self = unknown ? NULL : grp_member_find(g, q->member_id.p, (size_t)q->member_id.n);
    int alone = !g->members || (g->nmembers == 1 && self);
    if (!alone && (!weq(g->protocol_type, q->protocol_type) || !group_supports(g, q, self))) {
        join_error(b, r, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
        return H_DONE;
    }
    if (alone && self && !weq(g->protocol_type, q->protocol_type)) {
        free(g->protocol_type);
        g->protocol_type = xstrndup(q->protocol_type.p, (size_t)q->protocol_type.n);
    }
    return unknown ? join_new_member(b, g, r, q, rto) : join_known_member(b, g, r, q, rto);
}

/* ---- SyncGroup ---- */

int h_sync_group(struct broker *b, struct req *r) {
    struct sync_group_req *q = r->body;
    if (r->hdr.api_version < 3) q->group_instance_id = (struct wstr){0};
    struct group *g = grp_find(b, q->group_id.p, q->group_id.p ? (size_t)q->group_id.n : 0);
    if (!g) {
        sync_send(b, r, KERR_UNKNOWN_MEMBER_ID, NULL, NULL, 0);
        return H_DONE;
    }
    if (g->state == GRP_DEAD) {
        sync_send(b, r, KERR_COORDINATOR_NOT_AVAILABLE, NULL, NULL, 0);
        return H_DONE;
    }
    struct grp_member *m = grp_member_find(g, q->member_id.p, q->member_id.p ? (size_t)q->member_id.n : 0);
    struct grp_member *si = member_by_instance(g, q->group_instance_id);
    if (q->group_instance_id.p && si && si != m) {
        sync_send(b, r, KERR_FENCED_INSTANCE_ID, NULL, NULL, 0);
        return H_DONE;
    }
    if (!m) {
        sync_send(b, r, KERR_UNKNOWN_MEMBER_ID, NULL, NULL, 0);
        return H_DONE;
    }
    if (q->generation_id != g->generation) {
        sync_send(b, r, KERR_ILLEGAL_GENERATION, NULL, NULL, 0);
        return H_DONE;
    }
    if ((q->protocol_type.p && !weq(g->protocol_type, q->protocol_type)) ||
        (q->protocol_name.p && !weq(g->protocol, q->protocol_name))) {
        sync_send(b, r, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL, NULL, 0);
        return H_DONE;
    }
    int64_t now = clock_mono_ms();
    switch (g->state) {
    case GRP_EMPTY: sync_send(b, r, KERR_UNKNOWN_MEMBER_ID, NULL, NULL, 0); return H_DONE;
    case GRP_PREPARING_REBALANCE: sync_send(b, r, KERR_REBALANCE_IN_PROGRESS, NULL, NULL, 0); return H_DONE;
    case GRP_STABLE:
        m->synced = 1;
        member_heartbeat(b, m, now);
        sync_send(b, r, KERR_NONE, g, m->assignment, m->assignment_len);
        return H_DONE;
    case GRP_COMPLETING_REBALANCE:
        if (m->sync_req) sync_answer(b, g, m, KERR_REBALANCE_IN_PROGRESS); /* a retry replaces it */
        m->sync_req = r;
        m->synced = 1;
        member_heartbeat(b, m, now);
        if (g->leader && !strcmp(g->leader, m->id)) {
            for (struct grp_member *x = g->members; x; x = x->next) {
                free(x->assignment);
                x->assignment = NULL;
                x->assignment_len = 0;
            }
            for (int i = 0; i < q->assignments.n; i++) {
                struct sync_group_req_assignment *a = &q->assignments.v[i];
                struct grp_member *x = grp_member_find(g, a->member_id.p, a->member_id.p ? (size_t)a->member_id.n : 0);
                if (!x) continue;
                free(x->assignment);
                int32_t len = a->assignment.p ? a->assignment.n : 0;
                x->assignment = xmemdup(a->assignment.p, (size_t)len);
                x->assignment_len = len;
            }
            grp_set_state(g, GRP_STABLE);
            grp_store_group(b, g);
            log_info("group %s: stable at generation %d", g->id, g->generation);
            for (struct grp_member *x = g->members; x; x = x->next) sync_answer(b, g, x, KERR_NONE);
        }
        return H_PARKED;
    default: break;
    }
    sync_send(b, r, KERR_UNKNOWN_MEMBER_ID, NULL, NULL, 0);
    return H_DONE;
}

/* ---- Heartbeat ---- */

static int16_t heartbeat(struct broker *b, struct heartbeat_req *q) {
    struct group *g = grp_find(b, q->group_id.p, q->group_id.p ? (size_t)q->group_id.n : 0);
    if (!g) return KERR_UNKNOWN_MEMBER_ID;
    if (g->state == GRP_DEAD) return KERR_COORDINATOR_NOT_AVAILABLE;
    struct grp_member *m = grp_member_find(g, q->member_id.p, q->member_id.p ? (size_t)q->member_id.n : 0);
    struct grp_member *si = member_by_instance(g, q->group_instance_id);
    if (q->group_instance_id.p && si && si != m) return KERR_FENCED_INSTANCE_ID;
    if (!m) return KERR_UNKNOWN_MEMBER_ID;
    if (q->generation_id != g->generation) return KERR_ILLEGAL_GENERATION;
    switch (g->state) {
    case GRP_EMPTY: return KERR_UNKNOWN_MEMBER_ID;
    case GRP_COMPLETING_REBALANCE:
    case GRP_STABLE: member_heartbeat(b, m, clock_mono_ms()); return KERR_NONE;
    case GRP_PREPARING_REBALANCE: member_heartbeat(b, m, clock_mono_ms()); return KERR_REBALANCE_IN_PROGRESS;
    default: return KERR_UNKNOWN_MEMBER_ID;
    }
}

int h_heartbeat(struct broker *b, struct req *r) {
    struct heartbeat_req *q = r->body;
    if (r->hdr.api_version < 3) q->group_instance_id = (struct wstr){0};
    struct heartbeat_resp resp = {0};
    resp.error_code = heartbeat(b, q);
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- LeaveGroup ---- */

static int16_t leave_one(struct broker *b, struct group *g, struct wstr member_id, struct wstr instance_id) {
    struct grp_member *m;
    if (instance_id.p) {
        m = member_by_instance(g, instance_id);
        if (!m) return KERR_UNKNOWN_MEMBER_ID;
        if (!wnull_or_empty(member_id) && !weq(m->id, member_id)) return KERR_FENCED_INSTANCE_ID;
    } else {
        struct grp_pending *p = pending_take(g, member_id);
        if (p) {
            free(p->id);
            free(p);
            try_complete_join(b, g);
            return KERR_NONE;
        }
        m = grp_member_find(g, member_id.p, member_id.p ? (size_t)member_id.n : 0);
        if (!m) return KERR_UNKNOWN_MEMBER_ID;
    }
    member_leave(b, g, m, "left the group");
    return KERR_NONE;
}

int h_leave_group(struct broker *b, struct req *r) {
    struct leave_group_req *q = r->body;
    int ver = r->hdr.api_version;
    struct leave_group_resp resp = {0};
    struct group *g = grp_find(b, q->group_id.p, q->group_id.p ? (size_t)q->group_id.n : 0);
    if (ver < 3) {
        if (!g) resp.error_code = KERR_UNKNOWN_MEMBER_ID;
        else if (g->state == GRP_DEAD) resp.error_code = KERR_COORDINATOR_NOT_AVAILABLE;
        else resp.error_code = leave_one(b, g, q->member_id, (struct wstr){0});
        req_respond(r, &resp);
        return H_DONE;
    }
    int n = q->members.n > 0 ? q->members.n : 0;
    resp.members.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.members.v + 1);
    resp.members.n = n;
    if (g && g->state == GRP_DEAD) {
        resp.error_code = KERR_COORDINATOR_NOT_AVAILABLE;
        resp.members.n = 0;
    }
    for (int i = 0; i < n && resp.error_code == 0; i++) {
        struct leave_group_req_member *lm = &q->members.v[i];
        struct leave_group_resp_member *out = &resp.members.v[i];
        out->member_id = lm->member_id;
        out->group_instance_id = lm->group_instance_id;
        /* re-look the group up: a leave may have emptied it, never freed it */
        out->error_code = g ? leave_one(b, g, lm->member_id, lm->group_instance_id) : KERR_UNKNOWN_MEMBER_ID;
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- consumer protocol subscriptions ---- */

/* ConsumerProtocolSubscription: version int16, topics [string], ... */
static int subscription_has(const uint8_t *p, int32_t len, const char *topic, size_t tlen) {
    if (len < 6) return 0;
    const uint8_t *end = p + len;
    p += 2;
    int32_t n = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
    p += 4;
    for (int32_t i = 0; i < n; i++) {
        if (end - p < 2) return 0;
        int16_t sl = (int16_t)(p[0] << 8 | p[1]);
        p += 2;
        if (sl < 0 || end - p < sl) return 0;
        if ((size_t)sl == tlen && !memcmp(p, topic, tlen)) return 1;
        p += sl;
    }
    return 0;
}

int grp_subscribed_to(const struct group *g, const char *topic, size_t len) {
    if (!g->protocol_type || strcmp(g->protocol_type, "consumer")) return 0;
    for (struct grp_member *m = g->members; m; m = m->next) {
        const struct grp_protocol *p = grp_member_protocol(m, g->protocol);
        if (!p && m->nprotocols) p = &m->protocols[0];
        if (p && subscription_has(p->meta, p->len, topic, len)) return 1;
    }
    return 0;
}

/* ---- removal, timers, shutdown ---- */

void grp_free_members(struct group *g) {
    while (g->members) {
        struct grp_member *m = g->members;
        g->members = m->next;
        member_free(m);
    }
    g->nmembers = 0;
}

/* Frees g and everything it holds (members already answered or detached). */
static void group_free(struct group *g) {
    grp_free_members(g);
    while (g->pending) {
        struct grp_pending *p = g->pending;
        g->pending = p->next;
        free(p->id);
        free(p);
    }
    grp_offsets_free(g);
    free(g->protocol_type);
    free(g->protocol);
    free(g->leader);
    free(g->id);
    free(g);
}

void grp_remove(struct broker *b, struct group *g) {
    while (g->members) member_remove(b, g, g->members, KERR_COORDINATOR_NOT_AVAILABLE);
    hmap_del(&b->grp->groups, g->id, strlen(g->id));
    group_free(g);
}

int64_t grp_next_deadline(struct broker *b) { return b->grp ? b->grp->next_deadline : INT64_MAX; }

void grp_expire_offsets(struct broker *b, int64_t now_wall); /* group_store.c */

/* One group's timers; returns the next deadline of the group. */
static int64_t group_tick(struct broker *b, struct group *g, int64_t now) {
    int64_t next = INT64_MAX;
    for (struct grp_pending **pp = &g->pending; *pp;) {
        struct grp_pending *p = *pp;
        if (p->deadline <= now) {
            log_info("group %s: pending member %s never joined", g->id, p->id);
            *pp = p->next;
            free(p->id);
            free(p);
            try_complete_join(b, g);
        } else {
            if (p->deadline < next) next = p->deadline;
            pp = &p->next;
        }
    }
    /* sessions first: a member that is gone need not be waited for */
    for (struct grp_member *m = g->members, *nx; m; m = nx) {
        nx = m->next;
        if (m->join_req || m->sync_req) continue; /* kept alive while parked */
        if (m->session_deadline <= now) {
            member_leave(b, g, m, "expired (no heartbeat within session.timeout.ms)");
            return group_tick(b, g, now); /* the list changed: start over */
        }
    }
    if (g->sync_deadline && (g->state != GRP_STABLE && g->state != GRP_COMPLETING_REBALANCE)) g->sync_deadline = 0;
    if (g->sync_deadline && g->sync_deadline <= now) {
        g->sync_deadline = 0;
        int removed = 0;
        for (struct grp_member *m = g->members, *nx; m; m = nx) {
            nx = m->next;
            if (m->synced) continue;
            log_info("group %s: member %s did not send SyncGroup within the rebalance timeout", g->id, m->id);
            member_remove(b, g, m, KERR_UNKNOWN_MEMBER_ID);
            removed++;
        }
        if (removed) {
            prepare_rebalance(b, g);
            try_complete_join(b, g);
            /* the rebalance just started runs on its own clock: look again at its deadline */
            return g->state == GRP_PREPARING_REBALANCE ? g->rebalance_deadline : now;
        }
    }
    if (g->state == GRP_PREPARING_REBALANCE && g->rebalance_deadline <= now) {
        if (g->initial_delay && g->new_member_added && now < g->initial_end) {
            g->new_member_added = 0;
            int64_t d = now + b->cfg.group_initial_rebalance_delay_ms;
            g->rebalance_deadline = d < g->initial_end ? d : g->initial_end;
        } else {
            complete_join(b, g);
        }
    }
    for (struct grp_member *m = g->members; m; m = m->next)
        if (!m->join_req && !m->sync_req && m->session_deadline < next) next = m->session_deadline;
    if (g->state == GRP_PREPARING_REBALANCE && g->rebalance_deadline < next) next = g->rebalance_deadline;
    if (g->sync_deadline && g->sync_deadline < next) next = g->sync_deadline;
    return next;
}

void grp_tick(struct broker *b, int64_t now) {
    struct grp_coord *c = b->grp;
    if (!c || now < c->next_deadline) return;
    c->next_deadline = INT64_MAX; /* lowered again by what runs below (note_deadline) */
    if (now >= c->next_expiry_check) {
        grp_expire_offsets(b, clock_wall_ms());
        c->next_expiry_check = now + b->cfg.offsets_retention_check_interval_ms;
    }
    int64_t next = c->next_expiry_check;
    size_t it = 0;
    void *v;
    while (hmap_next(&c->groups, &it, NULL, NULL, &v)) {
        int64_t t = group_tick(b, v, now);
        if (t < next) next = t;
    }
    if (next < c->next_deadline) c->next_deadline = next;
}

void grp_detach_requests(struct broker *b) {
    if (!b->grp) return;
    size_t it = 0;
    void *v;
    while (hmap_next(&b->grp->groups, &it, NULL, NULL, &v)) {
        struct group *g = v;
        for (struct grp_member *m = g->members; m; m = m->next) {
            if (m->join_req) req_complete(b, m->join_req, REQ_NO_RESPONSE);
            if (m->sync_req) req_complete(b, m->sync_req, REQ_NO_RESPONSE);
            m->join_req = m->sync_req = NULL;
        }
    }
}

void grp_free(struct broker *b) {
    if (!b->grp) return;
    grp_detach_requests(b);
    size_t it = 0;
    void *v;
    while (hmap_next(&b->grp->groups, &it, NULL, NULL, &v)) {
        group_free(v);
    }
    hmap_free(&b->grp->groups);
    grp_txn_free_pending(b);
    free(b->grp);
    b->grp = NULL;
}
