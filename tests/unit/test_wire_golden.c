/* Golden bytes: requests and responses written out by hand from Kafka's
 * documented layouts (kafka.apache.org/protocol), not produced by our
 * encoder. Each is decoded (header and body) and checked field by field,
 * then the decoded struct is encoded again and compared with the bytes. */
#include "test.h"

#include "common/arena.h"
#include "common/err.h"
#include "wire/api.h"
#include "wire/api_fetch.h"
#include "wire/api_metadata.h"
#include "wire/api_produce.h"
#include "wire/api_versions.h"
#include "wire/frame.h"

/* Decodes a whole request frame (with its size prefix) into *h and body. */
static int decode_request(const uint8_t *b, size_t n, struct req_header *h, void *body, struct arena *a) {
    if (n < 4 || ((size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3]) != n - 4) return -100;
    struct wrd r;
    wrd_init(&r, b + 4, n - 4);
    if (frame_read_header(&r, h)) return r.err;
    const struct api_info *api = api_lookup(h->api_key);
    if (!api) return -101;
    int flex = api_is_flex(api, h->api_version);
    if (flex && frame_skip_header_tags(&r)) return r.err;
    if (wdecode(api->req, h->api_version, flex, &r, body, a)) return r.err;
    return r.p == r.end ? 0 : -102;
}

/* Encodes a request frame the way a client would and compares it. */
static void check_encodes_to(const struct req_header *h, const char *client_id, const void *body, const uint8_t *want,
                             size_t n) {
    const struct api_info *api = api_lookup(h->api_key);
    int flex = api_is_flex(api, h->api_version);
    struct wout w = {0};
    frame_begin_request(&w, h->api_key, h->api_version, h->correlation_id, client_id, flex);
    wencode(api->req, h->api_version, flex, body, &w);
    frame_end_response(&w); /* fills in the size prefix; same for requests */
    CHECK_EQ(w.b.len, n);
    if (w.b.len == n) CHECK_MEM(w.b.p, want, n);
    wout_free(&w);
}

static int wstr_is(struct wstr s, const char *c) { return s.p && (size_t)s.n == strlen(c) && !memcmp(s.p, c, (size_t)s.n); }

TEST(wire_golden_api_versions_v0) {
    const uint8_t req[] = {
        0x00, 0x00, 0x00, 0x0b,             /* size 11 */
        0x00, 0x12, 0x00, 0x00,             /* ApiVersions v0 */
        0x00, 0x00, 0x00, 0x07,             /* correlation id */
        0x00, 0x01, 'c',                    /* client id */
    };
    struct arena a;
    arena_init(&a, 1024);
    struct req_header h;
    struct api_versions_req body;
    REQUIRE_EQ(decode_request(req, sizeof req, &h, &body, &a), 0);
    CHECK_EQ(h.api_key, 18);
    CHECK_EQ(h.api_version, 0);
    CHECK_EQ(h.correlation_id, 7);
    CHECK(wstr_is(h.client_id, "c"));
    CHECK(body.client_software_name.p == NULL);
    check_encodes_to(&h, "c", &body, req, sizeof req);

    /* response: correlation id, error 0, two keys, no throttle time in v0 */
    const uint8_t resp[] = {
        0x00, 0x00, 0x00, 0x16,                         /* size 22 */
        0x00, 0x00, 0x00, 0x07,                         /* correlation id */
        0x00, 0x00,                                     /* error_code */
        0x00, 0x00, 0x00, 0x02,                         /* api_keys: 2 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,             /* Produce 0-11 */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x04,             /* ApiVersions 0-4 */
    };
    struct api_versions_resp_key keys[] = {{0, 0, 11}, {18, 0, 4}};
    struct api_versions_resp out = {.api_keys = {keys, 2}, .throttle_time_ms = 99, .finalized_features_epoch = -1};
    const struct api_info *api = api_lookup(API_API_VERSIONS);
    CHECK(!api_resp_header_flex(api, 0));
    CHECK(!api_resp_header_flex(api, 3)); /* always a v0 header */
    struct wout w = {0};
    frame_begin_response(&w, 7, api_resp_header_flex(api, 0));
    wencode(api->resp, 0, 0, &out, &w);
    frame_end_response(&w);
    REQUIRE_EQ(w.b.len, sizeof resp);
    CHECK_MEM(w.b.p, resp, sizeof resp);
    wout_free(&w);
    struct wrd r;
    struct api_versions_resp back;
    wrd_init(&r, resp + 8, sizeof resp - 8);
    REQUIRE_EQ(wdecode(api->resp, 0, 0, &r, &back, &a), 0);
    REQUIRE_EQ(back.api_keys.n, 2);
    CHECK_EQ(back.api_keys.v[1].api_key, 18);
    CHECK_EQ(back.api_keys.v[1].max_version, 4);
    CHECK_EQ(back.throttle_time_ms, 0);
    arena_free(&a);
}

TEST(wire_golden_api_versions_v3_request) {
    const uint8_t req[] = {
        0x00, 0x00, 0x00, 0x1f,                         /* size 31 */
        0x00, 0x12, 0x00, 0x03,                         /* ApiVersions v3 */
        0x00, 0x00, 0x00, 0x01,                         /* correlation id */
        0x00, 0x02, 'k', 'c',                           /* client id: classic int16 form */
        0x00,                                           /* header tagged fields */
        0x0b, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a', /* compact string, len+1 */
        0x06, '2', '.', '0', '.', '2',
        0x00,                                           /* body tagged fields */
    };
    struct arena a;
    arena_init(&a, 1024);
    struct req_header h;
    struct api_versions_req body;
    REQUIRE_EQ(decode_request(req, sizeof req, &h, &body, &a), 0);
    CHECK_EQ(h.api_version, 3);
    CHECK(wstr_is(h.client_id, "kc"));
    CHECK(wstr_is(body.client_software_name, "librdkafka"));
    CHECK(wstr_is(body.client_software_version, "2.0.2"));
    check_encodes_to(&h, "kc", &body, req, sizeof req);

    /* header tagged fields with an (unknown) entry are skipped */
    uint8_t tagged[sizeof req + 4];
    memcpy(tagged, req, 16);
    const uint8_t htags[] = {0x01, 0x05, 0x02, 0xaa, 0xbb};
    memcpy(tagged + 16, htags, sizeof htags);
    memcpy(tagged + 16 + sizeof htags, req + 17, sizeof req - 17);
    tagged[3] = (uint8_t)(sizeof tagged - 4);
    REQUIRE_EQ(decode_request(tagged, sizeof tagged, &h, &body, &a), 0);
    CHECK(wstr_is(body.client_software_version, "2.0.2"));
    arena_free(&a);
}

TEST(wire_golden_metadata_v0_v1_request) {
    const uint8_t req[] = {
        0x00, 0x00, 0x00, 0x14,                         /* size 20 */
        0x00, 0x03, 0x00, 0x00,                         /* Metadata v0 */
        0x00, 0x00, 0x00, 0x02,
        0x00, 0x01, 'p',
        0x00, 0x00, 0x00, 0x01,                         /* topics: 1 */
        0x00, 0x03, 'f', 'o', 'o',
    };
    struct arena a;
    arena_init(&a, 1024);
    struct req_header h;
    struct metadata_req body;
    REQUIRE_EQ(decode_request(req, sizeof req, &h, &body, &a), 0);
    REQUIRE_EQ(body.topics.n, 1);
    CHECK(wstr_is(body.topics.v[0].name, "foo"));
    CHECK_EQ(body.allow_auto_topic_creation, 1); /* default true before v4 */
    check_encodes_to(&h, "p", &body, req, sizeof req);

    /* v0: -1 is not allowed (all topics = empty array); v1: -1 = all topics */
    uint8_t nul[] = {0x00, 0x00, 0x00, 0x0f, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                     0x00, 0x01, 'p', 0xff, 0xff, 0xff, 0xff};
    CHECK_EQ(decode_request(nul, sizeof nul, &h, &body, &a), WERR_PARSE);
    nul[7] = 1;
    REQUIRE_EQ(decode_request(nul, sizeof nul, &h, &body, &a), 0);
    CHECK_EQ(body.topics.n, -1);
    check_encodes_to(&h, "p", &body, nul, sizeof nul);
    arena_free(&a);
}

TEST(wire_golden_produce_v3_request) {
    const uint8_t req[] = {
        0x00, 0x00, 0x00, 0x2b,                         /* size 43 */
        0x00, 0x00, 0x00, 0x03,                         /* Produce v3 */
        0x00, 0x00, 0x00, 0x02,
        0x00, 0x01, 'p',
        0xff, 0xff,                                     /* transactional_id: null */
        0xff, 0xff,                                     /* acks -1 */
        0x00, 0x00, 0x75, 0x30,                         /* timeout 30000 */
        0x00, 0x00, 0x00, 0x01,                         /* topics: 1 */
        0x00, 0x01, 't',
        0x00, 0x00, 0x00, 0x01,                         /* partitions: 1 */
        0x00, 0x00, 0x00, 0x04,                         /* index 4 */
        0x00, 0x00, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e', /* records: 5 bytes */
    };
    struct arena a;
    arena_init(&a, 1024);
    struct req_header h;
    struct produce_req body;
    REQUIRE_EQ(decode_request(req, sizeof req, &h, &body, &a), 0);
    CHECK(body.transactional_id.p == NULL);
    CHECK_EQ(body.acks, -1);
    CHECK_EQ(body.timeout_ms, 30000);
    REQUIRE_EQ(body.topic_data.n, 1);
    CHECK(wstr_is(body.topic_data.v[0].name, "t"));
    REQUIRE_EQ(body.topic_data.v[0].partition_data.n, 1);
    const struct produce_req_partition *p = &body.topic_data.v[0].partition_data.v[0];
    CHECK_EQ(p->index, 4);
    CHECK_EQ(p->records.n, 5);
    CHECK(p->records.p == req + sizeof req - 5); /* points into the input */
    check_encodes_to(&h, "p", &body, req, sizeof req);
    arena_free(&a);
}

TEST(wire_golden_fetch_v11_request) {
    const uint8_t req[] = {
        0x00, 0x00, 0x00, 0x51,                         /* size 81 */
        0x00, 0x01, 0x00, 0x0b,                         /* Fetch v11 */
        0x00, 0x00, 0x00, 0x03,
        0x00, 0x01, 'f',
        0xff, 0xff, 0xff, 0xff,                         /* replica_id -1 */
        0x00, 0x00, 0x01, 0xf4,                         /* max_wait_ms 500 */
        0x00, 0x00, 0x00, 0x01,                         /* min_bytes 1 */
        0x03, 0x20, 0x00, 0x00,                         /* max_bytes 52428800 */
        0x01,                                           /* isolation_level read_committed */
        0x00, 0x00, 0x00, 0x00,                         /* session_id 0 */
        0xff, 0xff, 0xff, 0xff,                         /* session_epoch -1 */
        0x00, 0x00, 0x00, 0x01,                         /* topics: 1 */
        0x00, 0x01, 't',
        0x00, 0x00, 0x00, 0x01,                         /* partitions: 1 */
        0x00, 0x00, 0x00, 0x02,                         /* partition 2 */
        0x00, 0x00, 0x00, 0x00,                         /* current_leader_epoch 0 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, /* fetch_offset 10 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* log_start_offset -1 */
        0x00, 0x10, 0x00, 0x00,                         /* partition_max_bytes 1 MiB */
        0x00, 0x00, 0x00, 0x00,                         /* forgotten: 0 */
        0x00, 0x00,                                     /* rack_id "" */
    };
    struct arena a;
    arena_init(&a, 1024);
    struct req_header h;
    struct fetch_req body;
    REQUIRE_EQ(decode_request(req, sizeof req, &h, &body, &a), 0);
    CHECK_EQ(body.replica_id, -1);
    CHECK_EQ(body.max_wait_ms, 500);
    CHECK_EQ(body.max_bytes, 52428800);
    CHECK_EQ(body.isolation_level, 1);
    CHECK_EQ(body.session_epoch, -1);
    REQUIRE_EQ(body.topics.n, 1);
    CHECK(wstr_is(body.topics.v[0].topic, "t"));
    REQUIRE_EQ(body.topics.v[0].partitions.n, 1);
    const struct fetch_req_partition *p = &body.topics.v[0].partitions.v[0];
    CHECK_EQ(p->partition, 2);
    CHECK_EQ(p->current_leader_epoch, 0);
    CHECK_EQ(p->fetch_offset, 10);
    CHECK_EQ(p->last_fetched_epoch, -1); /* v12+: default */
    CHECK_EQ(p->log_start_offset, -1);
    CHECK_EQ(p->partition_max_bytes, 1 << 20);
    CHECK_EQ(body.forgotten_topics_data.n, 0);
    CHECK(body.rack_id.p && body.rack_id.n == 0);
    CHECK(body.cluster_id.p == NULL);
    check_encodes_to(&h, "f", &body, req, sizeof req);
    arena_free(&a);
}

TEST(wire_golden_metadata_v12_request) {
    const uint8_t req[] = {
        0x00, 0x00, 0x00, 0x25,                         /* size 37 */
        0x00, 0x03, 0x00, 0x0c,                         /* Metadata v12 */
        0x00, 0x00, 0x00, 0x04,
        0x00, 0x01, 'm',
        0x00,                                           /* header tagged fields */
        0x02,                                           /* topics: compact, 1 */
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* topic_id */
        0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
        0x04, 'f', 'o', 'o',                            /* name: compact nullable */
        0x00,                                           /* topic tagged fields */
        0x01,                                           /* allow_auto_topic_creation */
        0x00,                                           /* include_topic_authorized_operations */
        0x00,                                           /* body tagged fields */
    };
    struct arena a;
    arena_init(&a, 1024);
    struct req_header h;
    struct metadata_req body;
    REQUIRE_EQ(decode_request(req, sizeof req, &h, &body, &a), 0);
    REQUIRE_EQ(body.topics.n, 1);
    CHECK_EQ(body.topics.v[0].topic_id[0], 1);
    CHECK_EQ(body.topics.v[0].topic_id[15], 16);
    CHECK(wstr_is(body.topics.v[0].name, "foo"));
    CHECK_EQ(body.allow_auto_topic_creation, 1);
    CHECK_EQ(body.include_topic_authorized_operations, 0);
    check_encodes_to(&h, "m", &body, req, sizeof req);

    /* null topics (all) and a null name (query by id) */
    const uint8_t nul[] = {0x00, 0x00, 0x00, 0x10, 0x00, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x04,
                           0x00, 0x01, 'm', 0x00, 0x00, 0x01, 0x00, 0x00};
    REQUIRE_EQ(decode_request(nul, sizeof nul, &h, &body, &a), 0);
    CHECK_EQ(body.topics.n, -1);
    uint8_t byid[sizeof req];
    memcpy(byid, req, sizeof req);
    byid[33] = 0x00; /* name: null; the rest shifts */
    memmove(byid + 34, req + 37, sizeof req - 37);
    size_t n = sizeof req - 3;
    byid[3] = (uint8_t)(n - 4);
    REQUIRE_EQ(decode_request(byid, n, &h, &body, &a), 0);
    CHECK(body.topics.v[0].name.p == NULL);
    check_encodes_to(&h, "m", &body, byid, n);
    arena_free(&a);
}

/* A flexible response with a tagged struct inside an array element
 * (CurrentLeader, tag 0) and a tagged array at the top level
 * (NodeEndpoints, tag 0), after a v1 response header. */
TEST(wire_golden_produce_v10_response) {
    const uint8_t resp[] = {
        0x00, 0x00, 0x00, 0x4a,                         /* size 74 */
        0x00, 0x00, 0x00, 0x09,                         /* correlation id */
        0x00,                                           /* response header tags (v1) */
        0x02,                                           /* responses: 1 */
        0x02, 't',                                      /* name */
        0x02,                                           /* partition_responses: 1 */
        0x00, 0x00, 0x00, 0x00,                         /* index 0 */
        0x00, 0x06,                                     /* NOT_LEADER_OR_FOLLOWER */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* base_offset -1 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* log_append_time_ms -1 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* log_start_offset -1 */
        0x01,                                           /* record_errors: empty */
        0x00,                                           /* error_message: null */
        0x01, 0x00, 0x09,                               /* 1 tag: 0 (current_leader), 9 bytes */
        0x00, 0x00, 0x00, 0x02,                         /*   leader_id 2 */
        0x00, 0x00, 0x00, 0x05,                         /*   leader_epoch 5 */
        0x00,                                           /*   its own tags */
        0x00,                                           /* topic tags */
        0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
        0x01, 0x00, 0x0d,                               /* 1 tag: 0 (node_endpoints), 13 bytes */
        0x02,                                           /*   1 endpoint */
        0x00, 0x00, 0x00, 0x02,                         /*   node_id 2 */
        0x02, 'h',                                      /*   host */
        0x00, 0x00, 0x23, 0x84,                         /*   port 9092 */
        0x00,                                           /*   rack null */
        0x00,                                           /*   endpoint tags */
    };
    const struct api_info *api = api_lookup(API_PRODUCE);
    REQUIRE(api_resp_header_flex(api, 10));
    struct produce_resp_partition part = {.index = 0, .error_code = 6, .base_offset = -1, .log_append_time_ms = -1,
                                          .log_start_offset = -1, .current_leader = {2, 5}};
    struct produce_resp_topic topic = {{"t", 1}, {&part, 1}};
    struct produce_resp_node_endpoint ep = {2, {"h", 1}, 9092, {NULL, 0}};
    struct produce_resp out = {{&topic, 1}, 0, {&ep, 1}};
    struct wout w = {0};
    frame_begin_response(&w, 9, 1);
    wencode(api->resp, 10, 1, &out, &w);
    frame_end_response(&w);
    CHECK_EQ(w.b.len, sizeof resp);
    if (w.b.len == sizeof resp) CHECK_MEM(w.b.p, resp, sizeof resp);
    wout_free(&w);

    struct arena a;
    arena_init(&a, 1024);
    struct wrd r;
    wrd_init(&r, resp + 9, sizeof resp - 9);
    struct produce_resp back;
    REQUIRE_EQ(wdecode(api->resp, 10, 1, &r, &back, &a), 0);
    CHECK(r.p == r.end);
    REQUIRE_EQ(back.responses.n, 1);
    REQUIRE_EQ(back.responses.v[0].partition_responses.n, 1);
    const struct produce_resp_partition *p = &back.responses.v[0].partition_responses.v[0];
    CHECK_EQ(p->error_code, 6);
    CHECK_EQ(p->current_leader.leader_id, 2);
    CHECK_EQ(p->current_leader.leader_epoch, 5);
    CHECK(p->error_message.p == NULL);
    REQUIRE_EQ(back.node_endpoints.n, 1);
    CHECK_EQ(back.node_endpoints.v[0].port, 9092);
    CHECK(back.node_endpoints.v[0].rack.p == NULL);
    /* v9 (flexible, before CurrentLeader existed): tags are not written */
    wencode(api->resp, 9, 1, &out, &w);
    CHECK_EQ(w.b.len, 69 - 11 - 15); /* body without the two tag payloads */
    wout_free(&w);
    arena_free(&a);
}
