/* Unit tests for src/common: crc32c vectors, arena, hash map, properties. */
#include "test.h"

#include "common/arena.h"
#include "common/crc32c.h"
#include "common/hmap.h"
#include "common/props.h"

#include <stdlib.h>

TEST(crc32c_vectors) {
    /* RFC 3720 B.4 test vectors and the standard check value. */
    uint8_t zeros[32] = {0}, ones[32], inc[32], dec[32];
    for (int i = 0; i < 32; i++) { ones[i] = 0xff; inc[i] = (uint8_t)i; dec[i] = (uint8_t)(31 - i); }
    CHECK_EQ(crc32c(0, zeros, 32), 0x8A9136AAu);
    CHECK_EQ(crc32c(0, ones, 32), 0x62A8AB43u);
    CHECK_EQ(crc32c(0, inc, 32), 0x46DD794Eu);
    CHECK_EQ(crc32c(0, dec, 32), 0x113FDB5Cu);
    CHECK_EQ(crc32c(0, "123456789", 9), 0xE3069283u);
    CHECK_EQ(crc32c_sw(0, "123456789", 9), 0xE3069283u);
    CHECK_EQ(crc32c(0, "", 0), 0);
}

TEST(crc32c_incremental_matches_hw_and_sw) {
    uint8_t data[1000];
    for (int i = 0; i < 1000; i++) data[i] = (uint8_t)(i * 7 + 3);
    for (int n = 0; n < 1000; n += 37) {
        uint32_t whole = crc32c(0, data, (size_t)n);
        CHECK_EQ(whole, crc32c_sw(0, data, (size_t)n));
        uint32_t part = crc32c(crc32c(0, data, (size_t)n / 3), data + n / 3, (size_t)(n - n / 3));
        CHECK_EQ(whole, part);
    }
}

TEST(arena_alloc_and_reset) {
    struct arena a;
    arena_init(&a, 128);
    char *p = arena_alloc(&a, 10);
    CHECK(((uintptr_t)p & 15) == 0);
    memset(p, 1, 10);
    char *big = arena_calloc(&a, 10000);
    CHECK(big[9999] == 0);
    char *q = arena_alloc(&a, 16);
    CHECK(q == p + 16); /* oversized block did not displace the head */
    CHECK_STR(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
    arena_reset(&a);
    char *r = arena_alloc(&a, 10);
    CHECK(r != NULL);
    arena_free(&a);
}

TEST(hmap_put_get_del_grow) {
    struct hmap m = {0};
    char k[32];
    for (long i = 0; i < 1000; i++) {
        int n = snprintf(k, sizeof k, "key-%ld", i);
        CHECK(hmap_put(&m, k, (size_t)n, (void *)(i + 1)) == NULL);
    }
    CHECK_EQ(m.n, 1000);
    for (long i = 0; i < 1000; i += 2) {
        int n = snprintf(k, sizeof k, "key-%ld", i);
        CHECK(hmap_del(&m, k, (size_t)n) == (void *)(i + 1));
    }
    for (long i = 0; i < 1000; i++) {
        int n = snprintf(k, sizeof k, "key-%ld", i);
        void *v = hmap_get(&m, k, (size_t)n);
        CHECK(v == (i % 2 ? (void *)(i + 1) : NULL));
    }
    size_t it = 0, count = 0;
    while (hmap_next(&m, &it, NULL, NULL, NULL)) count++;
    CHECK_EQ(count, 500);
    hmap_free(&m);
}

TEST(props_parse_java_syntax) {
    const char *text = "# comment\n! also comment\n\nlisteners=PLAINTEXT://127.0.0.1:9092\n"
                       "log.dirs : /tmp/x\nnum.partitions 3\n  spaced.key   =   v  \n"
                       "multi=a,\\\n    b,\\\n    c\nesc=tab\\there\\u0041\n";
    struct props p = {0};
    char err[128];
    REQUIRE_EQ(props_parse(&p, text, strlen(text), err, sizeof err), 0);
    CHECK_STR(props_get(&p, "listeners"), "PLAINTEXT://127.0.0.1:9092");
    CHECK_STR(props_get(&p, "log.dirs"), "/tmp/x");
    CHECK_STR(props_get(&p, "num.partitions"), "3");
    CHECK_STR(props_get(&p, "spaced.key"), "v  ");
    CHECK_STR(props_get(&p, "multi"), "a,b,c");
    CHECK_STR(props_get(&p, "esc"), "tab\thereA");
    CHECK(props_get(&p, "missing") == NULL);
    CHECK_EQ(props_set_kv(&p, "num.partitions=7"), 0);
    CHECK_STR(props_get(&p, "num.partitions"), "7");
    CHECK(props_set_kv(&p, "novalue") != 0);
    props_free(&p);
}
