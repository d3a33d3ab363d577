/* Unit tests for the codec primitives: varints (wire/varint.h and the
 * reader's unsigned varint), the bounds-checked reader, the writer, and
 * tagged-field sections (unknown tags skipped, out-of-order or repeated
 * tags rejected, known tags decoded, defaults not written). */
#include "test.h"

#include "common/arena.h"
#include "common/err.h"
#include "wire/api_fetch.h"
#include "wire/api_versions.h"
#include "wire/codec.h"
#include "wire/varint.h"

/* ---- varint.h ---- */

TEST(wire_uvarint_boundaries) {
    static const struct { uint64_t v; size_t len; } cases[] = {
        {0, 1}, {1, 1}, {127, 1}, {128, 2}, {16383, 2}, {16384, 3}, {2097151, 3}, {2097152, 4},
        {268435455, 4}, {268435456, 5}, {2147483647, 5}, {4294967295u, 5}, {UINT64_MAX, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[16];
        size_t n = uvarint_put(b, cases[i].v);
        CHECK_EQ(n, cases[i].len);
        CHECK_EQ(uvarint_len(cases[i].v), cases[i].len);
        uint64_t out = 12345;
        CHECK_EQ(uvarint_get(b, b + n, &out, 10), n);
        CHECK(out == cases[i].v);
        /* every truncation is rejected */
        for (size_t cut = 0; cut < n; cut++) CHECK_EQ(uvarint_get(b, b + cut, &out, 10), 0);
    }
    uint8_t b[16];
    CHECK_EQ(uvarint_put(b, 128), 2);
    CHECK(b[0] == 0x80 && b[1] == 0x01);
    CHECK_EQ(uvarint_put(b, 300), 2);
    CHECK(b[0] == 0xac && b[1] == 0x02);
}

TEST(wire_uvarint_overlong_rejected) {
    uint64_t out;
    /* six bytes for a 32-bit value */
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    CHECK_EQ(uvarint_get(six, six + 6, &out, 5), 0);
    CHECK_EQ(uvarint_get(six, six + 6, &out, 10), 6);
    /* eleven bytes for a 64-bit value */
    const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    CHECK_EQ(uvarint_get(eleven, eleven + 11, &out, 10), 0);
    /* all continuation bits until the end */
    const uint8_t cont[] = {0xff, 0xff};
    CHECK_EQ(uvarint_get(cont, cont + 2, &out, 10), 0);
}

TEST(wire_varint_zigzag) {
    static const struct { int64_t v; uint8_t first; size_t len; } cases[] = {
        {0, 0x00, 1}, {-1, 0x01, 1}, {1, 0x02, 1}, {-2, 0x03, 1}, {63, 0x7e, 1}, {-64, 0x7f, 1},
        {64, 0x80, 2}, {-65, 0x81, 2}, {INT32_MAX, 0xfe, 5}, {INT32_MIN, 0xff, 5},
        {INT64_MAX, 0xfe, 10}, {INT64_MIN, 0xff, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[16];
        size_t n = varint_put(b, cases[i].v);
        CHECK_EQ(n, cases[i].len);
        CHECK_EQ(varint_len(cases[i].v), cases[i].len);
        CHECK_EQ(b[0], cases[i].first);
        int64_t out = 0;
        CHECK_EQ(varint_get(b, b + n, &out, 10), n);
        CHECK(out == cases[i].v);
        for (size_t cut = 0; cut < n; cut++) CHECK_EQ(varint_get(b, b + cut, &out, 10), 0);
    }
    /* a 32-bit reader refuses a 10-byte value */
    uint8_t b[16];
    int64_t out;
    size_t n = varint_put(b, INT64_MIN);
    CHECK_EQ(varint_get(b, b + n, &out, 5), 0);
}

/* ---- reader ---- */

TEST(wire_reader_uvarint) {
    struct wrd r;
    const uint8_t max32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    wrd_init(&r, max32, sizeof max32);
    CHECK(wrd_uvarint(&r) == UINT32_MAX);
    CHECK_EQ(r.err, 0);
    const uint8_t v16384[] = {0x80, 0x80, 0x01};
    wrd_init(&r, v16384, 3);
    CHECK_EQ(wrd_uvarint(&r), 16384);
    CHECK(r.p == r.end);
    /* more than 32 bits in the fifth byte */
    const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    wrd_init(&r, over, sizeof over);
    wrd_uvarint(&r);
    CHECK_EQ(r.err, WERR_PARSE);
    /* six bytes */
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    wrd_init(&r, six, sizeof six);
    wrd_uvarint(&r);
    CHECK_EQ(r.err, WERR_PARSE);
    CHECK_STR(r.err_what, "varint");
    /* truncated */
    wrd_init(&r, v16384, 2);
    CHECK_EQ(wrd_uvarint(&r), 0);
    CHECK_EQ(r.err, WERR_PARSE);
    CHECK_EQ(r.err_off, 2);
}

TEST(wire_reader_bounds_and_sticky_errors) {
    const uint8_t b[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0xff};
    struct wrd r;
    wrd_init(&r, b, sizeof b);
    CHECK_EQ(wrd_i16(&r), 1);
    CHECK_EQ(wrd_i32(&r), 2);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(wrd_i16(&r), 0); /* one byte left */
    CHECK_EQ(r.err, WERR_PARSE);
    CHECK_EQ(r.err_off, 6);
    CHECK_EQ(wrd_i8(&r), 0); /* sticky: even a read that would fit fails */
    CHECK_EQ(r.err_off, 6);
    CHECK(wrd_take(&r, 0) == NULL);
    wrd_init(&r, b, 0);
    CHECK(wrd_take(&r, 0) != NULL || r.err == 0);
    CHECK_EQ(wrd_i64(&r), 0);
    CHECK_EQ(r.err, WERR_PARSE);
    wrd_init(&r, b, sizeof b);
    CHECK(wrd_take(&r, SIZE_MAX) == NULL);
    CHECK_EQ(r.err, WERR_PARSE);
    const uint8_t neg[] = {0xff, 0xff, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    wrd_init(&r, neg, sizeof neg);
    CHECK_EQ(wrd_i32(&r), -2);
    CHECK(wrd_i64(&r) == INT64_MIN);
}

TEST(wire_writer_big_endian) {
    struct wout w = {0};
    wout_i8(&w, -1);
    wout_i16(&w, 0x1234);
    wout_i32(&w, -2);
    wout_i64(&w, 0x0102030405060708);
    wout_uvarint(&w, 300);
    const uint8_t want[] = {0xff, 0x12, 0x34, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 0xac, 0x02};
    REQUIRE_EQ(w.b.len, sizeof want);
    CHECK_MEM(w.b.p, want, sizeof want);
    wout_file(&w, 7, 100, 50);
    CHECK_EQ(wout_len(&w), sizeof want + 50);
    CHECK_EQ(w.nsegs, 1);
    CHECK_EQ(w.segs[0].mem_end, sizeof want);
    wout_free(&w);
}

/* Strings, arrays and nulls in the classic and compact forms. */
TEST(wire_codec_null_rules) {
    struct arena a;
    arena_init(&a, 1024);
    struct api_versions_resp resp;
    struct wrd r;
    /* a null api_keys array (-1) in a version where it is not nullable */
    const uint8_t nullarr[] = {0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
    wrd_init(&r, nullarr, sizeof nullarr);
    CHECK_EQ(wdecode(&api_versions_resp_schema, 0, 0, &r, &resp, &a), WERR_PARSE);
    CHECK_STR(r.err_what, "api_keys");
    CHECK_EQ(r.err_off, 6);
    /* a count larger than the bytes left is refused before allocating */
    const uint8_t huge[] = {0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0x00};
    wrd_init(&r, huge, sizeof huge);
    CHECK_EQ(wdecode(&api_versions_resp_schema, 0, 0, &r, &resp, &a), WERR_PARSE);
    CHECK_STR(r.err_what, "api_keys");
    /* a negative length other than -1 */
    struct api_versions_req req;
    const uint8_t badlen[] = {0x00, 0x01, 0x00};
    wrd_init(&r, badlen, sizeof badlen);
    CHECK_EQ(wdecode(&api_versions_req_schema, 3, 1, &r, &req, &a), WERR_PARSE);
    CHECK_STR(r.err_what, "client_software_name"); /* compact null, not nullable */
    /* writing a null into a field that is not nullable writes it empty */
    struct wout w = {0};
    memset(&req, 0, sizeof req);
    wencode(&api_versions_req_schema, 3, 1, &req, &w);
    const uint8_t want[] = {0x01, 0x01, 0x00};
    REQUIRE_EQ(w.b.len, 3);
    CHECK_MEM(w.b.p, want, 3);
    wout_free(&w);
    arena_free(&a);
}

/* ---- tagged fields, using the ApiVersions v3 response ---- */

/* error_code 0, api_keys [] (compact), throttle 0, then the tag section. */
static int decode_av3(const uint8_t *tags, size_t ntags, struct api_versions_resp *out, struct arena *a, struct wrd *r) {
    static uint8_t b[128];
    const uint8_t head[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
    memcpy(b, head, sizeof head);
    memcpy(b + sizeof head, tags, ntags);
    wrd_init(r, b, sizeof head + ntags);
    int rc = wdecode(&api_versions_resp_schema, 3, 1, r, out, a);
    if (!rc && r->p != r->end) return -100;
    return rc;
}

TEST(wire_tagged_fields) {
    struct arena a;
    arena_init(&a, 1024);
    struct api_versions_resp resp;
    struct wrd r;

    const uint8_t none[] = {0x00};
    CHECK_EQ(decode_av3(none, sizeof none, &resp, &a, &r), 0);
    CHECK(resp.finalized_features_epoch == -1); /* default */
    CHECK_EQ(resp.supported_features.n, 0);

    /* tag 1 (finalized_features_epoch = 5), unknown tag 9 (3 bytes) skipped */
    const uint8_t known[] = {0x02, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5, 0x09, 0x03, 0xaa, 0xbb, 0xcc};
    CHECK_EQ(decode_av3(known, sizeof known, &resp, &a, &r), 0);
    CHECK(resp.finalized_features_epoch == 5);

    /* only an unknown tag */
    const uint8_t unknown[] = {0x01, 0x7f, 0x00};
    CHECK_EQ(decode_av3(unknown, sizeof unknown, &resp, &a, &r), 0);
    CHECK(resp.finalized_features_epoch == -1);

    /* out of order: tag 3 then tag 1 */
    const uint8_t order[] = {0x02, 0x03, 0x01, 0x01, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5};
    CHECK_EQ(decode_av3(order, sizeof order, &resp, &a, &r), WERR_PARSE);
    CHECK_STR(r.err_what, "tagged fields");
    /* the same tag twice */
    const uint8_t twice[] = {0x02, 0x03, 0x01, 0x01, 0x03, 0x01, 0x00};
    CHECK_EQ(decode_av3(twice, sizeof twice, &resp, &a, &r), WERR_PARSE);
    /* a tag whose size runs past the end */
    const uint8_t past[] = {0x01, 0x09, 0x05, 0x00};
    CHECK_EQ(decode_av3(past, sizeof past, &resp, &a, &r), WERR_PARSE);
    CHECK(r.err_what != NULL);
    /* a known tag whose payload is malformed (bool 2) */
    const uint8_t badbool[] = {0x01, 0x03, 0x01, 0x02};
    CHECK_EQ(decode_av3(badbool, sizeof badbool, &resp, &a, &r), WERR_PARSE);
    CHECK_STR(r.err_what, "zk_migration_ready");
    CHECK_EQ(r.err_off, 7 + 3 + 1); /* offset just past the bad byte, inside the tag */
    /* the tag count says more than there are */
    const uint8_t fewer[] = {0x02, 0x09, 0x00};
    CHECK_EQ(decode_av3(fewer, sizeof fewer, &resp, &a, &r), WERR_PARSE);

    /* encoding: defaults are not written, others in tag order */
    struct api_versions_resp e;
    memset(&e, 0, sizeof e);
    e.finalized_features_epoch = -1;
    struct wout w = {0};
    wencode(&api_versions_resp_schema, 3, 1, &e, &w);
    const uint8_t want0[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    REQUIRE_EQ(w.b.len, sizeof want0);
    CHECK_MEM(w.b.p, want0, sizeof want0);
    wout_free(&w);
    e.zk_migration_ready = 1;
    e.finalized_features_epoch = 5;
    wencode(&api_versions_resp_schema, 3, 1, &e, &w);
    const uint8_t want2[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x08,
                             0, 0, 0, 0, 0, 0, 0, 5, 0x03, 0x01, 0x01};
    REQUIRE_EQ(w.b.len, sizeof want2);
    CHECK_MEM(w.b.p, want2, sizeof want2);
    wout_free(&w);
    /* tags are not written in a non-flexible version */
    wencode(&api_versions_resp_schema, 2, 0, &e, &w);
    CHECK_EQ(w.b.len, 2 + 4 + 4);
    wout_free(&w);
    arena_free(&a);
}

/* Fetch responses carry records as file ranges (sendfile): the encoder
 * writes the length prefix into memory and records a segment. */
TEST(wire_records_from_file) {
    for (int ver = 4; ver <= 12; ver += 8) {
        int flex = ver >= 12;
        struct fetch_resp_partition part = {.partition_index = 1, .high_watermark = 10, .last_stable_offset = 10,
                                            .log_start_offset = 0, .diverging_epoch = {-1, -1},
                                            .current_leader = {-1, -1}, .snapshot_id = {-1, -1},
                                            .aborted_transactions = {NULL, -1}, .preferred_read_replica = -1,
                                            .records = {.is_file = 1, .fd = 5, .pos = 100, .n = 50}};
        struct fetch_resp_topic topic = {.topic = {"t", 1}, .partitions = {&part, 1}};
        struct fetch_resp resp = {.responses = {&topic, 1}};
        struct wout w = {0};
        wencode(&fetch_resp_schema, ver, flex, &resp, &w);
        REQUIRE_EQ(w.nsegs, 1);
        CHECK_EQ(w.segs[0].fd, 5);
        CHECK_EQ(w.segs[0].pos, 100);
        CHECK_EQ(w.segs[0].len, 50);
        CHECK_EQ(w.file_bytes, 50);
        CHECK_EQ(wout_len(&w), w.b.len + 50);
        /* the length prefix sits just before the segment */
        size_t at = w.segs[0].mem_end;
        if (flex) {
            CHECK_EQ(w.b.p[at - 1], 51); /* compact: length + 1 */
            CHECK_EQ(w.b.len - at, 1 + 1 + 1); /* partition tags, topic tags, top-level tags */
        } else {
            const uint8_t want[] = {0, 0, 0, 50};
            CHECK_MEM(w.b.p + at - 4, want, 4);
            CHECK_EQ(w.b.len, at); /* records are the last field */
        }
        wout_free(&w);
    }
}
