/* Unit tests for src/wire/batch: golden bytes, validation errors, builder
 * round trip, offset and log-append-time rewrites, iterators. */
#include "test.h"

#include "common/buf.h"
#include "common/crc32c.h"
#include "common/err.h"
#include "wire/batch.h"

#include <stdlib.h>

/* A batch with one record (key "k", value "v", timestamp 1000), written out
 * by hand from the format description; the CRC is filled in by the test. */
static const uint8_t golden[70] = {
    0, 0, 0, 0, 0, 0, 0, 0,       /* baseOffset 0 */
    0, 0, 0, 58,                  /* batchLength */
    0xff, 0xff, 0xff, 0xff,       /* partitionLeaderEpoch -1 */
    2,                            /* magic */
    0, 0, 0, 0,                   /* crc (computed below) */
    0, 0,                         /* attributes */
    0, 0, 0, 0,                   /* lastOffsetDelta */
    0, 0, 0, 0, 0, 0, 0x03, 0xe8, /* baseTimestamp 1000 */
    0, 0, 0, 0, 0, 0, 0x03, 0xe8, /* maxTimestamp 1000 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* producerId -1 */
    0xff, 0xff,                   /* producerEpoch -1 */
    0xff, 0xff, 0xff, 0xff,       /* baseSequence -1 */
    0, 0, 0, 1,                   /* recordCount */
    0x10,                         /* record length 8 (zigzag 16) */
    0,                            /* attributes */
    0, 0,                         /* timestampDelta, offsetDelta */
    0x02, 'k', 0x02, 'v',         /* key, value */
    0,                            /* header count */
};

static void golden_with_crc(uint8_t *out) {
    memcpy(out, golden, sizeof golden);
    uint32_t crc = crc32c_sw(0, out + 21, sizeof golden - 21);
    out[17] = (uint8_t)(crc >> 24);
    out[18] = (uint8_t)(crc >> 16);
    out[19] = (uint8_t)(crc >> 8);
    out[20] = (uint8_t)crc;
}

TEST(batch_golden_bytes_match_builder) {
    uint8_t g[70];
    golden_with_crc(g);
    struct buf b = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &b, 0);
    batch_builder_add(&bb, 1000, "k", 1, "v", 1, NULL, 0);
    CHECK_EQ(batch_builder_finish(&bb), 70);
    REQUIRE_EQ(b.len, 70);
    CHECK_MEM(b.p, g, 70);
    CHECK_EQ(batch_validate(g, 70, 0, NULL, 0), 0);
    buf_free(&b);
}

TEST(batch_parse_header_fields) {
    uint8_t g[70];
    golden_with_crc(g);
    struct batch_hdr h;
    REQUIRE_EQ(batch_parse_header(g, sizeof g, &h), 0);
    CHECK_EQ(h.base_offset, 0);
    CHECK_EQ(h.batch_length, 58);
    CHECK_EQ(h.leader_epoch, -1);
    CHECK_EQ(h.magic, 2);
    CHECK_EQ(h.crc, crc32c_sw(0, g + 21, 49));
    CHECK_EQ(h.attributes, 0);
    CHECK_EQ(h.last_offset_delta, 0);
    CHECK_EQ(h.base_timestamp, 1000);
    CHECK_EQ(h.max_timestamp, 1000);
    CHECK_EQ(h.producer_id, -1);
    CHECK_EQ(h.producer_epoch, -1);
    CHECK_EQ(h.base_sequence, -1);
    CHECK_EQ(h.record_count, 1);
    CHECK_EQ(batch_total_size(&h), 70);
    CHECK_EQ(batch_parse_header(g, 60, &h), WERR_PARSE);
}

TEST(batch_validate_detects_corrupt_crc) {
    uint8_t g[70];
    golden_with_crc(g);
    char why[128];
    g[68] ^= 1; /* flip a bit in the value */
    CHECK_EQ(batch_validate(g, 70, 0, why, sizeof why), WERR_CORRUPT);
    CHECK(strstr(why, "CRC") != NULL);
    golden_with_crc(g);
    g[20] ^= 0x80; /* the stored crc itself */
    CHECK_EQ(batch_validate(g, 70, 0, why, sizeof why), WERR_CORRUPT);
}

TEST(batch_validate_old_magic) {
    uint8_t g[70];
    golden_with_crc(g);
    char why[128];
    g[16] = 1;
    CHECK_EQ(batch_validate(g, 70, 0, why, sizeof why), BATCH_ERR_OLD_MAGIC);
    CHECK(strstr(why, "magic 1") != NULL);
    g[16] = 0;
    CHECK_EQ(batch_validate(g, 70, 0, why, sizeof why), BATCH_ERR_OLD_MAGIC);
    /* even a short old-format message is recognised by its magic byte */
    CHECK_EQ(batch_validate(g, 30, 0, why, sizeof why), BATCH_ERR_OLD_MAGIC);
    g[16] = 7;
    CHECK_EQ(batch_validate(g, 70, 0, why, sizeof why), WERR_CORRUPT);
    CHECK(BATCH_ERR_OLD_MAGIC != WERR_CORRUPT && BATCH_ERR_OLD_MAGIC != WERR_PARSE);
}

TEST(batch_validate_truncated_and_lengths) {
    uint8_t g[70];
    golden_with_crc(g);
    for (size_t n = 1; n < 70; n++) CHECK_EQ(batch_validate(g, n, 0, NULL, 0), WERR_PARSE);
    CHECK_EQ(batch_validate(g, 0, 0, NULL, 0), WERR_PARSE);
    CHECK_EQ(batch_validate(g, 70, 69, NULL, 0), WERR_TOOBIG);
    CHECK_EQ(batch_validate(g, 70, 70, NULL, 0), 0);
    /* batchLength too small */
    uint8_t s[70];
    memcpy(s, g, 70);
    s[11] = 10;
    CHECK_EQ(batch_validate(s, 70, 0, NULL, 0), WERR_PARSE);
    /* trailing garbage after a valid batch is a truncated second batch */
    uint8_t two[80] = {0};
    memcpy(two, g, 70);
    CHECK(batch_validate(two, 80, 0, NULL, 0) < 0);
}

/* Rebuilds the CRC after a hand edit so only the intended check fails. */
static void fix_crc(uint8_t *p) { be32_put(p + BATCH_OFF_CRC, batch_compute_crc(p)); }

TEST(batch_validate_record_consistency) {
    uint8_t g[70];
    golden_with_crc(g);
    char why[128];
    uint8_t s[70];
    memcpy(s, g, 70);
    s[60] = 2; /* recordCount 2 but lastOffsetDelta 0 */
    fix_crc(s);
    CHECK_EQ(batch_validate(s, 70, 0, why, sizeof why), WERR_CORRUPT);
    memcpy(s, g, 70);
    s[57] = 0xff; /* negative record count */
    fix_crc(s);
    CHECK_EQ(batch_validate(s, 70, 0, why, sizeof why), WERR_CORRUPT);
    memcpy(s, g, 70);
    s[61] = 0x0e; /* record length 7: record does not fill the batch */
    fix_crc(s);
    CHECK_EQ(batch_validate(s, 70, 0, why, sizeof why), WERR_CORRUPT);
    memcpy(s, g, 70);
    s[65] = 0x04; /* key length 2: runs into the value */
    fix_crc(s);
    CHECK_EQ(batch_validate(s, 70, 0, why, sizeof why), WERR_CORRUPT);
    /* compressed: records are not walked, count vs delta not enforced */
    memcpy(s, g, 70);
    s[22] = BATCH_COMPRESSION_ZSTD;
    s[60] = 5;
    fix_crc(s);
    CHECK_EQ(batch_validate(s, 70, 0, why, sizeof why), 0);
    struct batch_rec_iter it;
    CHECK_EQ(batch_rec_iter_init(&it, s, 70), WERR_UNSUPPORTED);
    s[22] = 6; /* unknown codec */
    fix_crc(s);
    CHECK_EQ(batch_validate(s, 70, 0, why, sizeof why), WERR_CORRUPT);
}

TEST(batch_builder_round_trip) {
    struct buf b = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &b, 100);
    struct batch_header_kv hv[2] = {
        {(const uint8_t *)"h1", 2, (const uint8_t *)"v1", 2},
        {(const uint8_t *)"h2", 2, NULL, -1},
    };
    char big[300];
    memset(big, 'x', sizeof big);
    batch_builder_add(&bb, 5000, NULL, -1, "a", 1, NULL, 0);
    batch_builder_add(&bb, 4990, "key", 3, NULL, -1, hv, 2);
    batch_builder_add(&bb, 6000, "", 0, big, (int32_t)sizeof big, hv, 1);
    size_t n = batch_builder_finish(&bb);
    REQUIRE_EQ(n, b.len);
    char why[128];
    REQUIRE_EQ(batch_validate(b.p, b.len, 0, why, sizeof why), 0);
    struct batch_rec_iter it;
    struct batch_record r;
    REQUIRE_EQ(batch_rec_iter_init(&it, b.p, b.len), 0);
    CHECK_EQ(it.hdr.base_offset, 100);
    CHECK_EQ(it.hdr.record_count, 3);
    CHECK_EQ(it.hdr.last_offset_delta, 2);
    CHECK_EQ(it.hdr.base_timestamp, 5000);
    CHECK_EQ(it.hdr.max_timestamp, 6000);
    REQUIRE_EQ(batch_rec_iter_next(&it, &r), 1);
    CHECK_EQ(r.offset, 100);
    CHECK_EQ(r.timestamp, 5000);
    CHECK(r.key == NULL);
    CHECK_EQ(r.key_len, -1);
    CHECK_EQ(r.value_len, 1);
    CHECK_MEM(r.value, "a", 1);
    CHECK_EQ(r.header_count, 0);
    REQUIRE_EQ(batch_rec_iter_next(&it, &r), 1);
    CHECK_EQ(r.offset, 101);
    CHECK_EQ(r.timestamp, 4990);
    CHECK_EQ(r.key_len, 3);
    CHECK_MEM(r.key, "key", 3);
    CHECK(r.value == NULL);
    REQUIRE_EQ(r.header_count, 2);
    const uint8_t *hp = r.headers;
    struct batch_header_kv kv;
    REQUIRE_EQ(batch_record_header_next(&hp, r.headers_end, &kv), 1);
    CHECK_EQ(kv.key_len, 2);
    CHECK_MEM(kv.key, "h1", 2);
    CHECK_EQ(kv.value_len, 2);
    CHECK_MEM(kv.value, "v1", 2);
    REQUIRE_EQ(batch_record_header_next(&hp, r.headers_end, &kv), 1);
    CHECK_MEM(kv.key, "h2", 2);
    CHECK_EQ(kv.value_len, -1);
    CHECK(kv.value == NULL);
    CHECK(hp == r.headers_end);
    REQUIRE_EQ(batch_rec_iter_next(&it, &r), 1);
    CHECK_EQ(r.offset, 102);
    CHECK_EQ(r.key_len, 0);
    CHECK_EQ(r.value_len, 300);
    CHECK_EQ(r.header_count, 1);
    CHECK_EQ(batch_rec_iter_next(&it, &r), 0);
    buf_free(&b);
}

TEST(batch_set_base_offset_keeps_crc) {
    uint8_t g[70];
    golden_with_crc(g);
    batch_set_base_offset(g, 123456789012LL, 7);
    struct batch_hdr h;
    REQUIRE_EQ(batch_parse_header(g, 70, &h), 0);
    CHECK_EQ(h.base_offset, 123456789012LL);
    CHECK_EQ(h.leader_epoch, 7);
    CHECK_EQ(batch_validate(g, 70, 0, NULL, 0), 0);
}

TEST(batch_log_append_time_rewrite) {
    uint8_t g[70];
    golden_with_crc(g);
    batch_set_log_append_time(g, 1700000000000LL);
    char why[128];
    CHECK_EQ(batch_validate(g, 70, 0, why, sizeof why), 0);
    struct batch_hdr h;
    REQUIRE_EQ(batch_parse_header(g, 70, &h), 0);
    CHECK(h.attributes & BATCH_ATTR_LOG_APPEND_TIME);
    CHECK_EQ(h.max_timestamp, 1700000000000LL);
    CHECK_EQ(h.crc, crc32c_sw(0, g + 21, 49));
    struct batch_rec_iter it;
    struct batch_record r;
    REQUIRE_EQ(batch_rec_iter_init(&it, g, 70), 0);
    REQUIRE_EQ(batch_rec_iter_next(&it, &r), 1);
    CHECK_EQ(r.timestamp, 1700000000000LL);
}

TEST(batch_iter_concatenated) {
    struct buf b = {0};
    for (int i = 0; i < 5; i++) {
        struct batch_builder bb;
        batch_builder_init(&bb, &b, i * 10);
        for (int j = 0; j <= i; j++) batch_builder_add(&bb, 1000 + j, NULL, -1, "vv", 2, NULL, 0);
        batch_builder_finish(&bb);
    }
    CHECK_EQ(batch_validate(b.p, b.len, 0, NULL, 0), 0);
    struct batch_iter it;
    batch_iter_init(&it, b.p, b.len);
    const uint8_t *p;
    size_t n;
    struct batch_hdr h;
    int count = 0, rc;
    while ((rc = batch_iter_next(&it, &p, &n, &h)) == 1) {
        CHECK_EQ(h.base_offset, count * 10);
        CHECK_EQ(h.record_count, count + 1);
        count++;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(count, 5);
    /* truncated tail */
    batch_iter_init(&it, b.p, b.len - 3);
    count = 0;
    while ((rc = batch_iter_next(&it, &p, &n, &h)) == 1) count++;
    CHECK_EQ(count, 4);
    CHECK_EQ(rc, WERR_PARSE);
    buf_free(&b);
}

TEST(batch_validate_fuzz_no_crash) {
    /* Random mutations of a valid batch never crash the validator or the
     * record iterator (ASan catches out-of-bounds reads). */
    struct buf b = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &b, 0);
    for (int j = 0; j < 4; j++) batch_builder_add(&bb, 1000 + j, "k", 1, "value", 5, NULL, 0);
    batch_builder_finish(&bb);
    uint8_t *m = malloc(b.len);
    srand(42);
    for (int round = 0; round < 5000; round++) {
        memcpy(m, b.p, b.len);
        int flips = 1 + rand() % 4;
        for (int f = 0; f < flips; f++) m[BATCH_HDR_SIZE + rand() % (int)(b.len - BATCH_HDR_SIZE)] = (uint8_t)rand();
        fix_crc(m);
        size_t len = b.len - (size_t)(rand() % 3);
        batch_validate(m, len, 0, NULL, 0);
        struct batch_rec_iter it;
        struct batch_record r;
        if (batch_rec_iter_init(&it, m, len) == 0)
            while (batch_rec_iter_next(&it, &r) == 1) {}
    }
    free(m);
    buf_free(&b);
}
