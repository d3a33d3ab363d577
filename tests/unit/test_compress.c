/* Unit tests for src/wire/compress: round trips for every codec and size,
 * the exact framings Kafka expects (xerial snappy header, lz4 frame flags,
 * gzip magic), raw snappy input as librdkafka writes it, the output limit,
 * corrupt input, records of compressed batches, the null-key check. */
#include "test.h"

#include "common/buf.h"
#include "common/err.h"
#include "wire/batch.h"
#include "wire/compress.h"

#include <snappy-c.h>
#include <stdlib.h>

static const int codecs[] = {BATCH_COMPRESSION_GZIP, BATCH_COMPRESSION_SNAPPY, BATCH_COMPRESSION_LZ4,
                             BATCH_COMPRESSION_ZSTD};

static void fill(uint8_t *p, size_t n, unsigned seed) {
    /* half-compressible: runs of text with random bytes mixed in */
    srand(seed);
    for (size_t i = 0; i < n; i++) p[i] = (i % 7 == 0) ? (uint8_t)rand() : (uint8_t)("weir-kafka"[i % 10]);
}

TEST(compress_round_trip_every_codec_and_size) {
    size_t sizes[] = {0, 1, 100, 32 * 1024, 32 * 1024 + 1, 65536 * 3 + 17, 1 << 20};
    for (int c = 0; c < 4; c++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            size_t n = sizes[k];
            uint8_t *in = malloc(n + 1);
            fill(in, n, (unsigned)(n + c));
            struct buf z = {0}, out = {0};
            REQUIRE_EQ(compress_compress(codecs[c], in, n, &z), 0);
            buf_append(&out, "pre", 3); /* output is appended */
            int rc = compress_decompress(codecs[c], z.p, z.len, &out, 1 << 24);
            if (rc) test_fail(__FILE__, __LINE__, "codec %d size %zu: %s", codecs[c], n, werr_str(rc));
            CHECK_EQ(out.len, n + 3);
            if (out.len == n + 3) CHECK_MEM(out.p + 3, in, n);
            if (n == 1 << 20) CHECK(z.len < n); /* it did compress */
            buf_free(&z);
            buf_free(&out);
            free(in);
        }
}

TEST(compress_framings_are_kafkas) {
    uint8_t in[1000];
    fill(in, sizeof in, 1);
    struct buf z = {0};
    /* gzip: RFC 1952 magic, deflate */
    REQUIRE_EQ(compress_compress(BATCH_COMPRESSION_GZIP, in, sizeof in, &z), 0);
    CHECK(z.p[0] == 0x1f && z.p[1] == 0x8b && z.p[2] == 8);
    buf_clear(&z);
    /* snappy: xerial header, version 1, compatible 1, then int32 block length */
    REQUIRE_EQ(compress_compress(BATCH_COMPRESSION_SNAPPY, in, sizeof in, &z), 0);
    static const uint8_t xh[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    REQUIRE(z.len > 20);
    CHECK_MEM(z.p, xh, 16);
    CHECK_EQ(be32_get(z.p + 16), z.len - 20);
    buf_clear(&z);
    /* lz4: frame magic, FLG version 01 + block independence, no content size, BD 64 KiB */
    REQUIRE_EQ(compress_compress(BATCH_COMPRESSION_LZ4, in, sizeof in, &z), 0);
    CHECK_EQ(be32_get(z.p), 0x04224d18);
    CHECK_EQ(z.p[4] & 0xc0, 0x40);
    CHECK(z.p[4] & 0x20);
    CHECK(!(z.p[4] & 0x08));
    CHECK_EQ(z.p[5], 0x40);
    buf_clear(&z);
    /* zstd: frame magic */
    REQUIRE_EQ(compress_compress(BATCH_COMPRESSION_ZSTD, in, sizeof in, &z), 0);
    CHECK_EQ(be32_get(z.p), 0x28b52ffd);
    buf_free(&z);
}

TEST(compress_snappy_raw_input_as_librdkafka_writes) {
    uint8_t in[5000];
    fill(in, sizeof in, 2);
    size_t max = snappy_max_compressed_length(sizeof in), clen = max;
    char *raw = malloc(max);
    REQUIRE(snappy_compress((const char *)in, sizeof in, raw, &clen) == SNAPPY_OK);
    struct buf out = {0};
    REQUIRE_EQ(compress_decompress(BATCH_COMPRESSION_SNAPPY, (uint8_t *)raw, clen, &out, 1 << 20), 0);
    CHECK_EQ(out.len, sizeof in);
    CHECK_MEM(out.p, in, sizeof in);
    buf_free(&out);
    free(raw);
}

TEST(compress_output_limit_and_corrupt_input) {
    size_t n = 300000;
    uint8_t *in = calloc(1, n); /* zeros: a bomb in miniature */
    for (int c = 0; c < 4; c++) {
        struct buf z = {0}, out = {0};
        REQUIRE_EQ(compress_compress(codecs[c], in, n, &z), 0);
        CHECK_EQ(compress_decompress(codecs[c], z.p, z.len, &out, n - 1), WERR_TOOBIG);
        CHECK_EQ(out.len, 0);
        CHECK_EQ(compress_decompress(codecs[c], z.p, z.len, &out, n), 0);
        CHECK_EQ(out.len, n);
        buf_clear(&out);
        /* cut short */
        CHECK(compress_decompress(codecs[c], z.p, z.len / 2, &out, n) < 0);
        CHECK_EQ(out.len, 0);
        /* garbage */
        uint8_t junk[64];
        fill(junk, sizeof junk, 9);
        CHECK(compress_decompress(codecs[c], junk, sizeof junk, &out, n) < 0);
        buf_free(&z);
        buf_free(&out);
    }
    struct buf out = {0};
    CHECK_EQ(compress_decompress(7, in, 10, &out, 100), WERR_UNSUPPORTED);
    CHECK_EQ(compress_compress(7, in, 10, &out), WERR_UNSUPPORTED);
    buf_free(&out);
    free(in);
}

/* Builds one batch of n records with keys "k<i % nkeys>" (NULL key when
 * nkeys == 0) compressed with codec. */
void cmp_make_batch(struct buf *out, int codec, int n, int nkeys, int64_t ts, int seq) {
    struct buf plain = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &plain, 0);
    for (int i = 0; i < n; i++) {
        char k[32], v[64];
        int kl = snprintf(k, sizeof k, "k%d", nkeys ? i % nkeys : 0);
        int vl = snprintf(v, sizeof v, "value-%d", seq + i);
        batch_builder_add(&bb, ts + i, nkeys ? k : NULL, nkeys ? kl : -1, v, vl, NULL, 0);
    }
    batch_builder_finish(&bb);
    size_t start = out->len;
    buf_append(out, plain.p, BATCH_HDR_SIZE);
    if (compress_compress(codec, plain.p + BATCH_HDR_SIZE, plain.len - BATCH_HDR_SIZE, out)) abort();
    uint8_t *p = out->p + start;
    be16_put(p + BATCH_OFF_ATTRIBUTES, (uint16_t)codec);
    be32_put(p + BATCH_OFF_LENGTH, (uint32_t)(out->len - start - BATCH_LOG_OVERHEAD));
    be32_put(p + BATCH_OFF_CRC, batch_compute_crc(p));
    buf_free(&plain);
}

TEST(compress_records_of_compressed_batches) {
    for (int c = 0; c < 4; c++) {
        struct buf b = {0}, scratch = {0};
        cmp_make_batch(&b, codecs[c], 50, 7, 1000, 0);
        CHECK_EQ(batch_validate(b.p, b.len, 0, NULL, 0), 0);
        struct batch_rec_iter it;
        struct batch_record r;
        REQUIRE_EQ(batch_rec_iter_init(&it, b.p, b.len), WERR_UNSUPPORTED);
        REQUIRE_EQ(compress_rec_iter_init(&it, b.p, b.len, &scratch, 1 << 20), 0);
        int n = 0, rc;
        while ((rc = batch_rec_iter_next(&it, &r)) == 1) {
            char k[32], v[64];
            snprintf(k, sizeof k, "k%d", n % 7);
            snprintf(v, sizeof v, "value-%d", n);
            CHECK_EQ(r.offset, n);
            CHECK_EQ(r.timestamp, 1000 + n);
            CHECK(r.key_len == (int32_t)strlen(k) && !memcmp(r.key, k, strlen(k)));
            CHECK(r.value_len == (int32_t)strlen(v) && !memcmp(r.value, v, strlen(v)));
            n++;
        }
        CHECK_EQ(rc, 0);
        CHECK_EQ(n, 50);
        CHECK(it.p == it.end);
        CHECK_EQ(compress_batch_has_null_key(b.p, b.len, 1 << 20), 0);
        cmp_make_batch(&b, codecs[c], 3, 0, 1000, 0); /* a second batch, keyless */
        CHECK_EQ(compress_batch_has_null_key(b.p, b.len, 1 << 20), 1);
        buf_free(&b);
        buf_free(&scratch);
    }
}

TEST(compress_null_key_check_uncompressed_and_control) {
    struct buf b = {0};
    struct batch_builder bb;
    batch_builder_init(&bb, &b, 0);
    batch_builder_add(&bb, 1, "a", 1, "x", 1, NULL, 0);
    batch_builder_finish(&bb);
    CHECK_EQ(compress_batch_has_null_key(b.p, b.len, 1 << 20), 0);
    /* a control batch has a key anyway, but is skipped */
    batch_builder_init(&bb, &b, 0);
    bb.attributes = BATCH_ATTR_CONTROL | BATCH_ATTR_TRANSACTIONAL;
    batch_builder_add(&bb, 1, NULL, -1, "x", 1, NULL, 0);
    batch_builder_finish(&bb);
    CHECK_EQ(compress_batch_has_null_key(b.p, b.len, 1 << 20), 0);
    batch_builder_init(&bb, &b, 0);
    batch_builder_add(&bb, 1, "a", 1, "x", 1, NULL, 0);
    batch_builder_add(&bb, 1, NULL, -1, "y", 1, NULL, 0);
    batch_builder_finish(&bb);
    CHECK_EQ(compress_batch_has_null_key(b.p, b.len, 1 << 20), 1);
    CHECK(compress_batch_has_null_key(b.p, b.len - 1, 1 << 20) < 0); /* truncated */
    buf_free(&b);
}
