/* Unit tests for the group coordinator, driven without sockets: a real
 * broker (log dir, __consumer_offsets) whose handlers are called with
 * requests built in memory on a fake connection; parked requests are
 * completed by the coordinator exactly as on the network thread, and time
 * is moved by calling grp_tick with a later "now". */
#include "test.h"

#include "broker/broker.h"
#include "broker/core.h"
#include "broker/group.h"
#include "broker/topics.h"
#include "common/clock.h"
#include "wire/api_delete_groups.h"
#include "wire/api_find_coordinator.h"
#include "wire/api_heartbeat.h"
#include "wire/api_join_group.h"
#include "wire/api_leave_group.h"
#include "wire/api_offset_commit.h"
#include "wire/api_offset_fetch.h"
#include "wire/api_sync_group.h"
#include "wire/errors.h"

#include <stdlib.h>

void grp_expire_offsets(struct broker *b, int64_t now_wall);

static struct broker *mk_broker_delay(const char *dir, const char *delay) {
    struct props p = {0};
    props_set(&p, "log.dirs", dir, 0);
    props_set(&p, "listeners", "PLAINTEXT://127.0.0.1:0", 0);
    props_set(&p, "group.initial.rebalance.delay.ms", delay, 0);
    props_set(&p, "group.min.session.timeout.ms", "10", 0);
    struct broker_cfg cfg;
    char err[256];
    struct broker *b = NULL;
    if (broker_cfg_load(&cfg, &p, err, sizeof err) == 0) {
        if (broker_new(&cfg, &b, err, sizeof err)) fprintf(stderr, "broker_new: %s\n", err);
        broker_cfg_free(&cfg);
    }
    props_free(&p);
    return b;
}

static struct broker *mk_broker(const char *dir) { return mk_broker_delay(dir, "0"); }

static struct conn fake_conn = {.addr = "127.0.0.1:5555"};

static struct req *mk_req(int key, int ver, void *body) {
    struct req *r = calloc(1, sizeof *r);
    r->conn = &fake_conn;
    arena_init(&r->arena, 4096);
    r->hdr.api_key = (int16_t)key;
    r->hdr.api_version = (int16_t)ver;
    r->hdr.client_id = wstr_c("unit");
    r->api = api_lookup(key);
    r->flex = api_is_flex(r->api, ver);
    r->body = body;
    r->state = REQ_NEW;
    return r;
}

static int run(struct broker *b, struct req *r) {
    int h = handler_for(r->hdr.api_key)(b, r);
    if (h == H_DONE) r->state = REQ_DONE;
    else if (h == H_PARKED) r->state = r->early ? r->early : REQ_PARKED;
    return h;
}

/* Decodes r's response into out (valid while r lives). */
static int resp(struct req *r, void *out) {
    struct wrd rd;
    wrd_init(&rd, r->out.b.p + 8, r->out.b.len - 8); /* size, correlation id */
    if (api_resp_header_flex(r->api, r->hdr.api_version)) frame_skip_header_tags(&rd);
    return wdecode(r->api->resp, r->hdr.api_version, r->flex, &rd, out, &r->arena);
}

static void req_done(struct req *r) {
    wout_free(&r->out);
    arena_free(&r->arena);
    free(r);
}

static struct join_group_req_protocol protos[] = {{{"range", 5}, {(const uint8_t *)"meta", 4}}};

static struct req *join_s(struct broker *b, int ver, const char *member, const char *instance, int32_t session) {
    struct join_group_req *q = calloc(1, sizeof *q);
    q->group_id = wstr_c("g");
    q->session_timeout_ms = session;
    q->rebalance_timeout_ms = 50;
    q->member_id = wstr_c(member ? member : "");
    q->group_instance_id = instance ? wstr_c(instance) : (struct wstr){0};
    q->protocol_type = wstr_c("consumer");
    q->protocols.v = protos;
    q->protocols.n = 1;
    struct req *r = mk_req(API_JOIN_GROUP, ver, q);
    run(b, r);
    return r;
}

static struct req *join(struct broker *b, int ver, const char *member, const char *instance) {
    return join_s(b, ver, member, instance, 30);
}

static void join_free(struct req *r) {
    free(r->body);
    req_done(r);
}

static struct req *sync_(struct broker *b, const char *member, int32_t gen, struct sync_group_req_assignment *a,
                         int na) {
    struct sync_group_req *q = calloc(1, sizeof *q);
    q->group_id = wstr_c("g");
    q->generation_id = gen;
    q->member_id = wstr_c(member);
    q->assignments.v = a;
    q->assignments.n = na;
    struct req *r = mk_req(API_SYNC_GROUP, 3, q);
    run(b, r);
    return r;
}

static int16_t heartbeat(struct broker *b, const char *member, int32_t gen, const char *instance) {
    struct heartbeat_req q = {wstr_c("g"), gen, wstr_c(member), instance ? wstr_c(instance) : (struct wstr){0}};
    struct req *r = mk_req(API_HEARTBEAT, 3, &q);
    run(b, r);
    struct heartbeat_resp hr;
    int16_t e = resp(r, &hr) ? -100 : hr.error_code;
    req_done(r);
    return e;
}

/* Commits offset off of topic/0 (metadata "md") for a member of
 * generation gen; *parked (if given) says whether the answer waited for
 * the fsync. */
static int16_t commit_to(struct broker *b, const char *member, int32_t gen, const char *topic, int64_t off,
                         int *parked) {
    struct offset_commit_req_partition p = {0, off, -1, -1, wstr_c("md")};
    struct offset_commit_req_topic t = {wstr_c(topic), {&p, 1}};
    struct offset_commit_req q = {wstr_c("g"), gen, wstr_c(member), {0}, -1, {&t, 1}};
    struct req *r = mk_req(API_OFFSET_COMMIT, 7, &q);
    int h = run(b, r);
    if (parked) *parked = h == H_PARKED;
    if (h == H_PARKED) { /* what the flusher does: sync, then release the waiters */
        struct partition *op = partition_find(b, GRP_OFFSETS_TOPIC, strlen(GRP_OFFSETS_TOPIC), 0);
        plog_flush(op->log);
        produce_on_synced(b, op);
    }
    CHECK_EQ(r->state, REQ_DONE);
    struct offset_commit_resp cr;
    int16_t e = resp(r, &cr) ? -100 : cr.topics.v[0].partitions.v[0].error_code;
    req_done(r);
    return e;
}

static int16_t commit(struct broker *b, const char *member, int32_t gen, int64_t off, int *parked) {
    return commit_to(b, member, gen, "tp", off, parked);
}

static int64_t fetch_topic_offset(struct broker *b, const char *topic) {
    int32_t parts[] = {0};
    struct offset_fetch_req_group_topic t = {wstr_c(topic), {parts, 1}};
    struct offset_fetch_req_group g = {wstr_c("g"), {0}, -1, {&t, 1}};
    struct offset_fetch_req q = {{0}, {NULL, 0}, {&g, 1}, 0};
    struct req *r = mk_req(API_OFFSET_FETCH, 8, &q);
    run(b, r);
    struct offset_fetch_resp fr;
    int64_t o = resp(r, &fr) ? -100 : fr.groups.v[0].topics.v[0].partitions.v[0].committed_offset;
    req_done(r);
    return o;
}

static int64_t fetch_offset(struct broker *b) { return fetch_topic_offset(b, "tp"); }

static void make_topic(struct broker *b) {
    char err[200];
    topic_create(b, "tp", 2, 1, 1, NULL, 0, NULL, err, sizeof err);
}

static struct join_group_resp join_resp(struct req *r) {
    struct join_group_resp jr = {0};
    if (resp(r, &jr)) jr.error_code = -100;
    return jr;
}

/* Member id handed out with MEMBER_ID_REQUIRED, join with it, sync, heartbeats. */
TEST(group_single_member_lifecycle) {
    struct broker *b = mk_broker(test_tmpdir());
    REQUIRE(b != NULL);
    struct req *j = join(b, 5, NULL, NULL);
    CHECK_EQ(j->state, REQ_DONE);
    struct join_group_resp jr = join_resp(j);
    CHECK_EQ(jr.error_code, KERR_MEMBER_ID_REQUIRED);
    char id[200];
    snprintf(id, sizeof id, "%.*s", jr.member_id.n, jr.member_id.p);
    CHECK(!strncmp(id, "unit-", 5));
    join_free(j);

    j = join(b, 5, id, NULL);
    CHECK_EQ(j->state, REQ_DONE); /* the only member: the rebalance completes at once */
    jr = join_resp(j);
    CHECK_EQ(jr.error_code, 0);
    CHECK_EQ(jr.generation_id, 1);
    CHECK_EQ(jr.members.n, 1);
    CHECK(jr.leader.n == jr.member_id.n && !memcmp(jr.leader.p, id, (size_t)jr.leader.n));
    CHECK(jr.protocol_name.n == 5 && !memcmp(jr.protocol_name.p, "range", 5));
    join_free(j);

    CHECK_EQ(heartbeat(b, id, 1, NULL), 0); /* CompletingRebalance: a normal heartbeat */
    struct sync_group_req_assignment a = {wstr_c(id), {(const uint8_t *)"A1", 2}};
    struct req *s = sync_(b, id, 1, &a, 1);
    CHECK_EQ(s->state, REQ_DONE);
    struct sync_group_resp sr;
    REQUIRE(resp(s, &sr) == 0);
    CHECK_EQ(sr.error_code, 0);
    CHECK(sr.assignment.n == 2 && !memcmp(sr.assignment.p, "A1", 2));
    free(s->body);
    req_done(s);
    struct group *g = grp_find(b, "g", 1);
    REQUIRE(g != NULL);
    CHECK_EQ(g->state, GRP_STABLE);
    CHECK_EQ(heartbeat(b, id, 1, NULL), 0);
    CHECK_EQ(heartbeat(b, id, 0, NULL), KERR_ILLEGAL_GENERATION);
    CHECK_EQ(heartbeat(b, "nobody", 1, NULL), KERR_UNKNOWN_MEMBER_ID);

    /* no heartbeats: the session (30 ms) lapses and the group is empty */
    grp_tick(b, clock_mono_ms() + 1000);
    CHECK_EQ(g->state, GRP_EMPTY);
    CHECK_EQ(g->nmembers, 0);
    CHECK_EQ(g->generation, 2);
    CHECK_EQ(heartbeat(b, id, 1, NULL), KERR_UNKNOWN_MEMBER_ID);
    broker_free(b);
}

/* Two members: the second join parks until the first rejoins; the leader
 * gets the member list; a follower's sync parks until the leader's. */
TEST(group_two_members_rebalance) {
    struct broker *b = mk_broker(test_tmpdir());
    REQUIRE(b != NULL);
    make_topic(b);
    struct req *j1 = join(b, 3, NULL, NULL); /* v3: no MEMBER_ID_REQUIRED */
    struct join_group_resp jr = join_resp(j1);
    CHECK_EQ(jr.generation_id, 1);
    char m1[200], m2[200];
    snprintf(m1, sizeof m1, "%.*s", jr.member_id.n, jr.member_id.p);
    join_free(j1);
    struct sync_group_req_assignment a1 = {wstr_c(m1), {(const uint8_t *)"X", 1}};
    struct req *s = sync_(b, m1, 1, &a1, 1);
    free(s->body);
    req_done(s);

    struct req *j2 = join_s(b, 3, NULL, NULL, 10000); /* a long session: only the rebalance timeout removes it */
    CHECK_EQ(j2->state, REQ_PARKED); /* waits for m1 to rejoin */
    struct group *g = grp_find(b, "g", 1);
    CHECK_EQ(g->state, GRP_PREPARING_REBALANCE);
    CHECK_EQ(heartbeat(b, m1, 1, NULL), KERR_REBALANCE_IN_PROGRESS);
    CHECK_EQ(commit(b, m1, 1, 7, NULL), 0); /* commits still accepted while preparing */
    j1 = join(b, 3, m1, NULL);
    CHECK_EQ(j1->state, REQ_DONE);
    CHECK_EQ(j2->state, REQ_DONE);
    jr = join_resp(j1);
    CHECK_EQ(jr.generation_id, 2);
    CHECK_EQ(jr.members.n, 2); /* the leader sees everyone */
    struct join_group_resp jr2 = join_resp(j2);
    CHECK_EQ(jr2.generation_id, 2);
    CHECK_EQ(jr2.members.n, 0);
    snprintf(m2, sizeof m2, "%.*s", jr2.member_id.n, jr2.member_id.p);
    join_free(j1);
    join_free(j2);

    CHECK_EQ(commit(b, m1, 2, 8, NULL), KERR_REBALANCE_IN_PROGRESS); /* CompletingRebalance */
    struct req *s2 = sync_(b, m2, 2, NULL, 0);
    CHECK_EQ(s2->state, REQ_PARKED);
    struct sync_group_req_assignment as[] = {{wstr_c(m1), {(const uint8_t *)"P0", 2}},
                                              {wstr_c(m2), {(const uint8_t *)"P1", 2}}};
    struct req *s1 = sync_(b, m1, 2, as, 2);
    CHECK_EQ(s1->state, REQ_DONE);
    CHECK_EQ(s2->state, REQ_DONE);
    struct sync_group_resp sr;
    REQUIRE(resp(s2, &sr) == 0);
    CHECK(sr.error_code == 0 && sr.assignment.n == 2 && !memcmp(sr.assignment.p, "P1", 2));
    free(s1->body);
    req_done(s1);
    free(s2->body);
    req_done(s2);
    CHECK_EQ(g->state, GRP_STABLE);
    CHECK_EQ(commit(b, m2, 2, 9, NULL), 0);
    CHECK_EQ(commit(b, m2, 1, 9, NULL), KERR_ILLEGAL_GENERATION);
    CHECK_EQ(commit(b, "", -1, 9, NULL), KERR_ILLEGAL_GENERATION); /* members only, while there are members */
    CHECK_EQ(fetch_offset(b), 9);

    /* the leader rejoins (a rebalance); m2 never does: removed at the rebalance deadline */
    j1 = join(b, 3, m1, NULL);
    CHECK_EQ(j1->state, REQ_PARKED);
    grp_tick(b, clock_mono_ms() + 20); /* before the deadline (50 ms) */
    CHECK_EQ(j1->state, REQ_PARKED);
    grp_tick(b, clock_mono_ms() + 1000);
    CHECK_EQ(j1->state, REQ_DONE);
    jr = join_resp(j1);
    CHECK_EQ(jr.generation_id, 3);
    CHECK_EQ(jr.members.n, 1);
    CHECK_EQ(g->nmembers, 1);
    join_free(j1);

    /* LeaveGroup: the group empties at once, no waiting */
    struct leave_group_req lq = {wstr_c("g"), wstr_c(m1), {0}};
    struct req *l = mk_req(API_LEAVE_GROUP, 1, &lq);
    run(b, l);
    struct leave_group_resp lr;
    REQUIRE(resp(l, &lr) == 0);
    CHECK_EQ(lr.error_code, 0);
    req_done(l);
    CHECK_EQ(g->state, GRP_EMPTY);
    CHECK_EQ(commit(b, "", -1, 11, NULL), 0); /* a simple commit to an empty group */
    broker_free(b);
}

/* Static membership: a new join with the same group.instance.id replaces
 * the old member id, which is then fenced. */
TEST(group_static_member_fencing) {
    struct broker *b = mk_broker(test_tmpdir());
    REQUIRE(b != NULL);
    struct req *j = join(b, 5, NULL, "i1");
    CHECK_EQ(j->state, REQ_DONE); /* static members skip MEMBER_ID_REQUIRED */
    struct join_group_resp jr = join_resp(j);
    CHECK_EQ(jr.error_code, 0);
    char old[200];
    snprintf(old, sizeof old, "%.*s", jr.member_id.n, jr.member_id.p);
    CHECK(!strncmp(old, "i1-", 3));
    join_free(j);
    struct sync_group_req_assignment a = {wstr_c(old), {(const uint8_t *)"A", 1}};
    struct req *s = sync_(b, old, 1, &a, 1);
    free(s->body);
    req_done(s);

    j = join(b, 5, NULL, "i1");
    CHECK_EQ(j->state, REQ_DONE);
    jr = join_resp(j);
    CHECK_EQ(jr.error_code, 0);
    CHECK(jr.member_id.n != (int32_t)strlen(old) || memcmp(jr.member_id.p, old, strlen(old)));
    join_free(j);
    CHECK_EQ(heartbeat(b, old, jr.generation_id, "i1"), KERR_FENCED_INSTANCE_ID);
    struct req *j2 = join(b, 5, old, "i1");
    CHECK_EQ(join_resp(j2).error_code, KERR_FENCED_INSTANCE_ID);
    join_free(j2);
    broker_free(b);
}

/* Offsets and group metadata come back after a restart; offset retention. */
TEST(group_offsets_durable_and_expire) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    struct broker *b = mk_broker(dir);
    REQUIRE(b != NULL);
    make_topic(b);
    int parked = 0;
    CHECK_EQ(commit(b, "", -1, 42, &parked), 0);
    CHECK(parked); /* answered only after the fsync */
    CHECK_EQ(commit(b, "", -1, 43, NULL), 0);
    struct partition *op = partition_find(b, GRP_OFFSETS_TOPIC, strlen(GRP_OFFSETS_TOPIC), 0);
    int64_t end = plog_end_offset(op->log);
    CHECK_EQ(commit(b, "", -1, 43, NULL), 0); /* unchanged: nothing written */
    CHECK_EQ(plog_end_offset(op->log), end);
    struct group *g = grp_find(b, "g", 1);
    g->generation = 5;
    grp_store_group(b, g);
    broker_free(b);

    b = mk_broker(dir);
    REQUIRE(b != NULL);
    CHECK_EQ(fetch_offset(b), 43);
    g = grp_find(b, "g", 1);
    REQUIRE(g != NULL);
    CHECK_EQ(g->generation, 5);
    grp_expire_offsets(b, clock_wall_ms() + 60000); /* not yet */
    CHECK_EQ(fetch_offset(b), 43);
    grp_expire_offsets(b, clock_wall_ms() + b->cfg.offsets_retention_ms + 1000);
    CHECK_EQ(fetch_offset(b), -1);
    CHECK(grp_find(b, "g", 1) == NULL);
    broker_free(b);

    b = mk_broker(dir); /* the expiry was written as tombstones */
    REQUIRE(b != NULL);
    CHECK_EQ(fetch_offset(b), -1);
    CHECK(grp_find(b, "g", 1) == NULL);
    broker_free(b);
}

/* One member joins (v3: no MEMBER_ID_REQUIRED) with the given session and
 * syncs: the group is Stable at generation 1 with it as leader; its id in id. */
static void stable_member(struct broker *b, int32_t session, char *id, size_t idlen) {
    struct req *j = join_s(b, 3, NULL, NULL, session);
    struct join_group_resp jr = join_resp(j);
    REQUIRE(jr.error_code == 0);
    snprintf(id, idlen, "%.*s", jr.member_id.n, jr.member_id.p);
    join_free(j);
    struct sync_group_req_assignment a = {wstr_c(id), {(const uint8_t *)"X", 1}};
    struct req *s = sync_(b, id, 1, &a, 1);
    free(s->body);
    req_done(s);
}

/* A member that gets its JoinGroup answer but never sends SyncGroup is
 * removed once the rebalance timeout (50 ms here) has passed, well before
 * its session (100 s) would, and the group rebalances without it. */
TEST(group_member_without_sync_removed) {
    struct broker *b = mk_broker(test_tmpdir());
    REQUIRE(b != NULL);
    char m1[200], m2[200];
    stable_member(b, 100000, m1, sizeof m1);
    struct req *j2 = join_s(b, 3, NULL, NULL, 100000);
    struct req *j1 = join_s(b, 3, m1, NULL, 100000);
    REQUIRE(j1->state == REQ_DONE && j2->state == REQ_DONE);
    struct join_group_resp jr = join_resp(j2);
    snprintf(m2, sizeof m2, "%.*s", jr.member_id.n, jr.member_id.p);
    join_free(j1);
    join_free(j2);
    struct group *g = grp_find(b, "g", 1);
    REQUIRE(g != NULL);
    CHECK_EQ(g->generation, 2);
    struct sync_group_req_assignment a1 = {wstr_c(m1), {(const uint8_t *)"X", 1}};
    struct req *s = sync_(b, m1, 2, &a1, 1); /* the leader syncs, m2 never does */
    free(s->body);
    req_done(s);
    CHECK_EQ(g->state, GRP_STABLE);
    grp_tick(b, clock_mono_ms() + 10); /* not yet */
    CHECK_EQ(g->nmembers, 2);
    grp_tick(b, clock_mono_ms() + 200);
    CHECK_EQ(g->nmembers, 1);
    CHECK(grp_member_find(g, m1, strlen(m1)) != NULL && grp_member_find(g, m2, strlen(m2)) == NULL);
    CHECK_EQ(g->state, GRP_PREPARING_REBALANCE);
    CHECK_EQ(heartbeat(b, m2, 2, NULL), KERR_UNKNOWN_MEMBER_ID);
    broker_free(b);
}

/* KIP-211: a Stable consumer group keeps the offsets of the topics its
 * members subscribe to; those of a topic nobody subscribes to any more
 * expire by their commit time; unknown subscriptions expire nothing. */
TEST(group_offsets_expire_unsubscribed_topics) {
    struct broker *b = mk_broker(test_tmpdir());
    REQUIRE(b != NULL);
    make_topic(b);
    char err[200];
    REQUIRE(topic_create(b, "gone", 4, 1, 1, NULL, 0, NULL, err, sizeof err) == 0);
    char id[200];
    stable_member(b, 30, id, sizeof id);
    struct group *g = grp_find(b, "g", 1);
    REQUIRE(g != NULL && g->state == GRP_STABLE);
    CHECK_EQ(commit_to(b, id, 1, "tp", 7, NULL), 0);
    CHECK_EQ(commit_to(b, id, 1, "gone", 9, NULL), 0);
    int64_t later = clock_wall_ms() + b->cfg.offsets_retention_ms + 1000;
    grp_expire_offsets(b, later); /* metadata "meta" is no subscription: nothing known, nothing expires */
    CHECK_EQ(fetch_topic_offset(b, "tp"), 7);
    CHECK_EQ(fetch_topic_offset(b, "gone"), 9);
    /* the member subscribes to tp only: ConsumerProtocolSubscription v0 */
    static uint8_t sub[] = {0, 0, 0, 0, 0, 1, 0, 2, 't', 'p', 0xff, 0xff, 0xff, 0xff};
    struct grp_protocol *p = &g->members->protocols[0];
    free(p->meta);
    p->meta = malloc(sizeof sub);
    memcpy(p->meta, sub, sizeof sub);
    p->len = (int32_t)sizeof sub;
    grp_expire_offsets(b, clock_wall_ms() + 60000); /* not yet */
    CHECK_EQ(fetch_topic_offset(b, "gone"), 9);
    grp_expire_offsets(b, later);
    CHECK_EQ(fetch_topic_offset(b, "tp"), 7);
    CHECK_EQ(fetch_topic_offset(b, "gone"), -1);
    CHECK(grp_find(b, "g", 1) == g);
    broker_free(b);
}

TEST(group_find_coordinator_and_delete) {
    struct broker *b = mk_broker(test_tmpdir());
    REQUIRE(b != NULL);
    struct wstr keys[] = {wstr_c("g"), wstr_c("txn-1")};
    struct find_coordinator_req fq = {{0}, 1, {keys, 2}};
    struct req *r = mk_req(API_FIND_COORDINATOR, 4, &fq);
    run(b, r);
    struct find_coordinator_resp fr;
    REQUIRE(resp(r, &fr) == 0);
    REQUIRE(fr.coordinators.n == 2);
    CHECK_EQ(fr.coordinators.v[1].error_code, 0);
    CHECK_EQ(fr.coordinators.v[1].port, broker_port(b));
    req_done(r);

    make_topic(b);
    struct req *j = join(b, 3, NULL, NULL);
    join_free(j);
    struct wstr names[] = {wstr_c("g"), wstr_c("nope")};
    struct delete_groups_req dq = {{names, 2}};
    r = mk_req(API_DELETE_GROUPS, 1, &dq);
    run(b, r);
    struct delete_groups_resp dr;
    REQUIRE(resp(r, &dr) == 0);
    CHECK_EQ(dr.results.v[0].error_code, KERR_NON_EMPTY_GROUP);
    CHECK_EQ(dr.results.v[1].error_code, KERR_GROUP_ID_NOT_FOUND);
    req_done(r);
    grp_tick(b, clock_mono_ms() + 1000); /* the member expires */
    r = mk_req(API_DELETE_GROUPS, 1, &dq);
    run(b, r);
    struct partition *op = partition_find(b, GRP_OFFSETS_TOPIC, strlen(GRP_OFFSETS_TOPIC), 0);
    plog_flush(op->log);
    produce_on_synced(b, op);
    REQUIRE(resp(r, &dr) == 0);
    CHECK_EQ(dr.results.v[0].error_code, 0);
    req_done(r);
    CHECK(grp_find(b, "g", 1) == NULL);
    broker_free(b);
}

/* Deleting a topic removes the offsets committed for it. */
TEST(group_offsets_of_deleted_topic) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    struct broker *b = mk_broker(dir);
    REQUIRE(b != NULL);
    make_topic(b);
    CHECK_EQ(commit(b, "", -1, 12, NULL), 0);
    CHECK_EQ(fetch_offset(b), 12);
    CHECK_EQ(topic_delete(b, topic_find(b, "tp", 2)), 0);
    CHECK_EQ(fetch_offset(b), -1);
    make_topic(b); /* the same name again starts without the old offsets */
    CHECK_EQ(fetch_offset(b), -1);
    broker_free(b);
    b = mk_broker(dir);
    REQUIRE(b != NULL);
    CHECK_EQ(fetch_offset(b), -1);
    broker_free(b);
}

/* group.initial.rebalance.delay.ms: the first rebalance of an empty group
 * waits for more members (extended while they keep coming); later
 * rebalances complete as soon as everyone has rejoined. */
TEST(group_initial_rebalance_delay) {
    struct broker *b = mk_broker_delay(test_tmpdir(), "40");
    REQUIRE(b != NULL);
    struct req *j1 = join_s(b, 3, NULL, NULL, 10000);
    CHECK_EQ(j1->state, REQ_PARKED); /* alone, but the delay runs */
    int64_t t0 = clock_mono_ms();
    grp_tick(b, t0 + 30);
    CHECK_EQ(j1->state, REQ_PARKED);
    struct req *j2 = join_s(b, 3, NULL, NULL, 10000); /* arrives during the delay */
    grp_tick(b, t0 + 45);  /* first delay over; a member was added: one more delay */
    CHECK_EQ(j1->state, REQ_PARKED);
    grp_tick(b, t0 + 200); /* (the rebalance timeout, 50 ms, caps it) */
    CHECK_EQ(j1->state, REQ_DONE);
    CHECK_EQ(j2->state, REQ_DONE);
    struct join_group_resp jr = join_resp(j1);
    CHECK_EQ(jr.generation_id, 1);
    struct join_group_resp jr2 = join_resp(j2);
    CHECK_EQ(jr2.generation_id, 1);
    CHECK_EQ(jr.members.n + jr2.members.n, 2); /* one generation with both */
    char m1[200], m2[200];
    snprintf(m1, sizeof m1, "%.*s", jr.member_id.n, jr.member_id.p);
    snprintf(m2, sizeof m2, "%.*s", jr2.member_id.n, jr2.member_id.p);
    const char *leader = jr.members.n == 2 ? m1 : m2, *follower = leader == m1 ? m2 : m1;
    join_free(j1);
    join_free(j2);
    struct req *s = sync_(b, leader, 1, NULL, 0);
    CHECK_EQ(s->state, REQ_DONE);
    free(s->body);
    req_done(s);
    CHECK_EQ(grp_find(b, "g", 1)->state, GRP_STABLE);
    /* a later rebalance (not from Empty): done the moment both have rejoined */
    j1 = join_s(b, 3, leader, NULL, 10000); /* the leader rejoining starts one */
    CHECK_EQ(j1->state, REQ_PARKED);
    j2 = join_s(b, 3, follower, NULL, 10000);
    CHECK_EQ(j1->state, REQ_DONE);
    CHECK_EQ(j2->state, REQ_DONE);
    CHECK_EQ(join_resp(j1).generation_id, 2);
    join_free(j1);
    join_free(j2);
    broker_free(b);
}
