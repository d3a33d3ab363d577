/* Unit tests for engine/formats/json: the DOM, numbers, escapes and
 * surrogates, malformed input with offsets, relaxed flags, the writer's
 * escaping and Java-style double formatting, and parse/write round trips. */
#include "test.h"

#include "common/err.h"
#include "engine/formats/json.h"

#include <math.h>
#include <stdlib.h>

static struct arena A;

static struct json_value *P(const char *s, int flags) {
    struct json_value *v = NULL;
    struct json_error e;
    if (json_parse(&A, s, strlen(s), flags, &v, &e)) return NULL;
    return v;
}

/* parse, then write back compactly */
static const char *rt(const char *s, int flags) {
    static char out[1024];
    struct json_value *v = P(s, flags);
    if (!v) return "ERROR";
    struct buf b = {0};
    json_write_value(&b, v);
    snprintf(out, sizeof out, "%.*s", (int)b.len, (const char *)b.p);
    buf_free(&b);
    return out;
}

/* error offset of a malformed input, or -1 if it parsed */
static long err_at(const char *s, int flags, const char *msg_part) {
    struct json_value *v;
    struct json_error e;
    int rc = json_parse(&A, s, strlen(s), flags, &v, &e);
    if (!rc) return -1;
    if (msg_part && !strstr(e.msg, msg_part)) {
        fprintf(stderr, "    message \"%s\" lacks \"%s\"\n", e.msg, msg_part);
        return -2;
    }
    return (long)e.offset;
}

TEST(json_dom) {
    arena_init(&A, 4096);
    const char *s = " {\"b\": 1, \"a\": [true, false, null, \"x\", {\"k\": -2.5e3}], \"b\": \"dup\", \"e\": {}, \"f\": []} ";
    struct json_value *v = P(s, JSON_STRICT);
    REQUIRE(v);
    REQUIRE_EQ(v->type, JSON_OBJECT);
    REQUIRE_EQ(v->len, 5);
    CHECK_STR(v->u.members[0].key, "b"); /* key order kept */
    CHECK_STR(v->u.members[1].key, "a");
    const struct json_value *a = json_get(v, "a", 1);
    REQUIRE(a && a->type == JSON_ARRAY && a->len == 5);
    CHECK_EQ(a->u.items[0].type, JSON_TRUE);
    CHECK_EQ(a->u.items[1].type, JSON_FALSE);
    CHECK_EQ(a->u.items[2].type, JSON_NULL);
    CHECK_STR(a->u.items[3].u.str, "x");
    const struct json_value *k = json_get(&a->u.items[4], "k", 1);
    REQUIRE(k && k->type == JSON_NUMBER);
    CHECK_EQ(k->is_int, 0);
    CHECK(k->u.num.d == -2500.0);
    CHECK_STR(k->u.num.raw, "-2.5e3");
    const struct json_value *b = json_get(v, "b", 1);
    REQUIRE(b && b->type == JSON_STRING);
    CHECK_STR(b->u.str, "dup"); /* last duplicate wins */
    CHECK(json_get(v, "zz", 2) == NULL);
    CHECK(json_get(a, "a", 1) == NULL);
    CHECK_EQ(json_get(v, "e", 1)->len, 0);
    CHECK_EQ(json_get(v, "f", 1)->type, JSON_ARRAY);
    CHECK_STR(rt(s, 0), "{\"b\":1,\"a\":[true,false,null,\"x\",{\"k\":-2.5e3}],\"b\":\"dup\",\"e\":{},\"f\":[]}");
    arena_free(&A);
}

TEST(json_numbers) {
    arena_init(&A, 4096);
    struct json_value *v = P("9223372036854775807", 0);
    REQUIRE(v);
    CHECK_EQ(v->is_int, 1);
    CHECK(v->u.num.i == INT64_MAX);
    v = P("-9223372036854775808", 0);
    REQUIRE(v);
    CHECK_EQ(v->is_int, 1);
    CHECK(v->u.num.i == INT64_MIN);
    v = P("9223372036854775808", 0);
    REQUIRE(v);
    CHECK_EQ(v->is_int, 0);
    CHECK(v->u.num.d == 9223372036854775808.0);
    CHECK_STR(v->u.num.raw, "9223372036854775808");
    v = P("0", 0);
    REQUIRE(v && v->is_int && v->u.num.i == 0);
    v = P("-0.0", 0);
    REQUIRE(v && !v->is_int && v->u.num.d == 0);
    v = P("1E2", 0);
    REQUIRE(v && !v->is_int && v->u.num.d == 100);
    CHECK(P("01", 0) == NULL);
    CHECK(P("01", JSON_ALLOW_LEADING_ZEROS) != NULL);
    CHECK(P("1.", 0) == NULL);
    CHECK(P(".5", 0) == NULL);
    CHECK(P("1e", 0) == NULL);
    CHECK(P("-", 0) == NULL);
    CHECK(P("+1", 0) == NULL);
    CHECK(P("NaN", 0) == NULL);
    v = P("NaN", JSON_SPARK_DEFAULTS);
    REQUIRE(v && isnan(v->u.num.d));
    v = P("[-Infinity, +INF, Infinity]", JSON_SPARK_DEFAULTS);
    REQUIRE(v && v->len == 3);
    CHECK(isinf(v->u.items[0].u.num.d) && v->u.items[0].u.num.d < 0);
    CHECK(isinf(v->u.items[1].u.num.d) && v->u.items[1].u.num.d > 0);
    CHECK_STR(rt("[NaN,-Infinity]", JSON_SPARK_DEFAULTS), "[\"NaN\",\"-Infinity\"]");
    arena_free(&A);
}

TEST(json_strings_and_unicode) {
    arena_init(&A, 4096);
    struct json_value *v = P("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", 0);
    REQUIRE(v);
    CHECK_STR(v->u.str, "a\"b\\c/d\b\f\n\r\t");
    v = P("\"\\u00e9\\u20AC\\ud83d\\ude00\"", 0); /* é € 😀 */
    REQUIRE(v);
    CHECK_STR(v->u.str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    CHECK_EQ(v->len, 9);
    v = P("\"\\ud83d x\"", 0); /* lone high surrogate */
    REQUIRE(v);
    CHECK_STR(v->u.str, "\xef\xbf\xbd x");
    v = P("\"\\ude00\"", 0);
    REQUIRE(v);
    CHECK_STR(v->u.str, "\xef\xbf\xbd");
    v = P("\"nul\\u0000in\"", 0);
    REQUIRE(v);
    CHECK_EQ(v->len, 6);
    CHECK_MEM(v->u.str, "nul\0in", 6);
    v = P("\"r\xc3\xa9sum\xc3\xa9 \xf0\x9f\x98\x80\"", 0); /* raw UTF-8 passes */
    REQUIRE(v);
    CHECK_EQ(v->len, 13);
    CHECK(P("\"\xc3\"", 0) == NULL);         /* truncated sequence */
    CHECK(P("\"\xc0\xaf\"", 0) == NULL);     /* overlong */
    CHECK(P("\"\xed\xa0\x80\"", 0) == NULL); /* encoded surrogate */
    CHECK(P("\"\xff\"", 0) == NULL);
    CHECK(P("'single'", 0) == NULL);
    v = P("{'k': 'it\\'s'}", JSON_SPARK_DEFAULTS);
    REQUIRE(v);
    CHECK_STR(json_get(v, "k", 1)->u.str, "it's");
    CHECK(P("\"\\q\"", 0) == NULL);
    v = P("\"\\q\"", JSON_ALLOW_BACKSLASH_ANY);
    REQUIRE(v);
    CHECK_STR(v->u.str, "q");
    CHECK(P("\"tab\there\"", 0) == NULL);
    CHECK(P("\"tab\there\"", JSON_ALLOW_UNQUOTED_CONTROL) != NULL);
    arena_free(&A);
}

TEST(json_malformed_offsets) {
    arena_init(&A, 4096);
    CHECK_EQ(err_at("", 0, "end-of-input"), 0);
    CHECK_EQ(err_at("   ", 0, "end-of-input"), 3);
    CHECK_EQ(err_at("{\"a\":1,}", 0, "field name"), 7);
    CHECK_EQ(err_at("[1,2", 0, "Array"), 0);
    CHECK_EQ(err_at("[1 2]", 0, "comma"), 3);
    CHECK_EQ(err_at("{\"a\" 1}", 0, "colon"), 5);
    CHECK_EQ(err_at("{\"a\":1} x", 0, "after the JSON value"), 8);
    CHECK_EQ(err_at("tru", 0, "token"), 0);
    CHECK_EQ(err_at("[truex]", 0, "comma"), 5);
    CHECK_EQ(err_at("\"abc", 0, "closing quote"), 0);
    CHECK_EQ(err_at("\"\\u12g4\"", 0, "hex"), 1);
    CHECK_EQ(err_at("{a:1}", 0, "field name"), 1);
    CHECK_EQ(err_at("{a:1}", JSON_ALLOW_UNQUOTED_NAMES, NULL), -1);
    CHECK_EQ(err_at("[1, /* c */ 2] // end", 0, NULL), 4);
    CHECK_EQ(err_at("[1, /* c */ 2] // end", JSON_ALLOW_COMMENTS, NULL), -1);
    CHECK_EQ(err_at("[1, /* unterminated 2]", JSON_ALLOW_COMMENTS, NULL), 4);
    /* nesting limit */
    char deep[2 * JSON_MAX_DEPTH + 10];
    int n = 0;
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) deep[n++] = '[';
    deep[n] = 0;
    struct json_value *v;
    struct json_error e;
    CHECK_EQ(json_parse(&A, deep, (size_t)n, 0, &v, &e), WERR_TOOBIG);
    n = 0;
    for (int i = 0; i < JSON_MAX_DEPTH; i++) deep[n++] = '[';
    for (int i = 0; i < JSON_MAX_DEPTH; i++) deep[n++] = ']';
    CHECK_EQ(json_parse(&A, deep, (size_t)n, 0, &v, &e), 0);
    /* every prefix of a valid document is malformed, without crashing */
    const char *doc = "{\"a\":[1,-2.5e-3,\"x\\u00e9\\\"\",{\"b\":null,\"c\":true}],\"d\":false}";
    for (size_t k = 0; k < strlen(doc); k++) CHECK(json_parse(&A, doc, k, 0, &v, &e) == WERR_PARSE);
    CHECK(json_parse(&A, doc, strlen(doc), 0, &v, &e) == 0);
    arena_free(&A);
}

static const char *dbl(double d, int is_float) {
    static char t[JSON_DBL_MAX];
    json_fmt_double(d, is_float, t);
    return t;
}

TEST(json_writer_escaping_and_doubles) {
    struct buf b = {0};
    json_write_string(&b, "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9", 16);
    CHECK_EQ(b.len, strlen("\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f\xc3\xa9\""));
    CHECK_MEM(b.p, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f\xc3\xa9\"", b.len);
    buf_clear(&b);
    json_write_int(&b, INT64_MIN);
    CHECK_MEM(b.p, "-9223372036854775808", b.len);
    buf_free(&b);
    CHECK_STR(dbl(1.0, 0), "1.0");
    CHECK_STR(dbl(-1.5, 0), "-1.5");
    CHECK_STR(dbl(100.0, 0), "100.0");
    CHECK_STR(dbl(0.1, 0), "0.1");
    CHECK_STR(dbl(0.001, 0), "0.001");
    CHECK_STR(dbl(0.0001, 0), "1.0E-4");
    CHECK_STR(dbl(1234567.0, 0), "1234567.0");
    CHECK_STR(dbl(1e7, 0), "1.0E7");
    CHECK_STR(dbl(12345678.9, 0), "1.23456789E7");
    CHECK_STR(dbl(1.0 / 3, 0), "0.3333333333333333");
    CHECK_STR(dbl(0.0, 0), "0.0");
    CHECK_STR(dbl(-0.0, 0), "-0.0");
    CHECK_STR(dbl(1e300, 0), "1.0E300");
    CHECK_STR(dbl(2.2250738585072014E-308, 0), "2.2250738585072014E-308");
    CHECK_STR(dbl(NAN, 0), "NaN");
    CHECK_STR(dbl(-INFINITY, 0), "-Infinity");
    CHECK_STR(dbl((double)0.1f, 1), "0.1");
    CHECK_STR(dbl((double)3.14159f, 1), "3.14159");
    CHECK_STR(dbl((double)0.1f, 0), "0.10000000149011612");
    CHECK_STR(dbl(12345678.0, 0), "1.2345678E7");
    CHECK_STR(dbl(-42.0, 0), "-42.0");
    CHECK_STR(dbl(9007199254740991.0, 0), "9.007199254740991E15");
    CHECK_STR(dbl(1e22, 0), "1.0E22");
    CHECK_STR(dbl(16777216.0, 1), "1.6777216E7");
    /* every double prints in a form that reads back exactly */
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        double d;
        uint64_t bits = x;
        memcpy(&d, &bits, sizeof d);
        if (isnan(d) || isinf(d)) continue;
        char t[JSON_DBL_MAX];
        json_fmt_double(d, 0, t);
        char *p = strchr(t, 'E');
        if (p) *p = 'e';
        if (strtod(t, NULL) != d) { test_fail(__FILE__, __LINE__, "%.17g printed as %s", d, t); break; }
        if (i % 3 == 0) {
            double small = (double)(int64_t)(x % 100000000) / 1000.0;
            json_fmt_double(small, 0, t);
            p = strchr(t, 'E');
            if (p) *p = 'e';
            if (strtod(t, NULL) != small) { test_fail(__FILE__, __LINE__, "%.17g printed as %s", small, t); break; }
        }
    }
}

TEST(json_roundtrip) {
    arena_init(&A, 1024);
    const char *docs[] = {
        "{\"window\":{\"start\":\"2023-09-23T16:50:00.000Z\",\"end\":\"2023-09-23T17:00:00.000Z\"},\"ENTRIES\":12345}",
        "[[],[[]],{},{\"\":\"\"}]",
        "{\"s\":\"\\u0001\\n\\\"\",\"n\":[0,-1,1.5e-7,123456789012345678901234567890]}",
        "\"\xe2\x82\xac\"",
        "null",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) CHECK_STR(rt(docs[i], 0), docs[i]);
    arena_free(&A);
}

static uint64_t rs = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

TEST(json_mutated_input) {
    /* Valid documents with random byte edits: the parser returns a value or
     * a parse error with an in-range offset, never crashes (ASan/UBSan); a
     * document that parses writes out text that parses to the same text. */
    static const char *seeds[] = {
        "{\"a\":[1,-2.5e-3,\"x\\u00e9\\\"\\ud83d\\ude00\",{\"b\":null,\"c\":true}],\"d\":false}",
        "[[[]],{\"\":{}},123456789012345678901,\"\\n\\t\",0.5]",
        "{'k': NaN, 'm': [Infinity, -Infinity]}",
    };
    static const char edits[] = "{}[]\",:\\u0123456789eE+-.tfnNI' \n\x80\xc3\xff";
    arena_init(&A, 4096);
    char doc[256];
    for (int iter = 0; iter < 4000; iter++) {
        const char *s = seeds[rnd() % 3];
        size_t n = strlen(s);
        memcpy(doc, s, n);
        int nedits = 1 + (int)(rnd() % 4);
        for (int e = 0; e < nedits; e++) {
            size_t at = rnd() % (n + 1);
            int kind = (int)(rnd() % 3);
            if (kind == 0 && at < n) doc[at] = edits[rnd() % (sizeof edits - 1)];          /* replace */
            else if (kind == 1 && n < sizeof doc - 1) {                                     /* insert */
                memmove(doc + at + 1, doc + at, n - at);
                doc[at] = edits[rnd() % (sizeof edits - 1)];
                n++;
            } else if (at < n) { memmove(doc + at, doc + at + 1, n - at - 1); n--; }      /* delete */
        }
        int flags = (rnd() & 1) ? JSON_SPARK_DEFAULTS : JSON_STRICT;
        struct json_value *v;
        struct json_error err;
        int rc = json_parse(&A, doc, n, flags, &v, &err);
        if (rc) {
            CHECK(rc == WERR_PARSE || rc == WERR_TOOBIG);
            CHECK(err.offset <= n);
            CHECK(err.msg[0] != 0);
        } else {
            struct buf b1 = {0}, b2 = {0};
            json_write_value(&b1, v);
            struct json_value *v2;
            REQUIRE(json_parse(&A, (const char *)b1.p, b1.len, flags | JSON_ALLOW_NON_NUMERIC, &v2, &err) == 0);
            json_write_value(&b2, v2);
            CHECK(b1.len == b2.len && !memcmp(b1.p, b2.p, b1.len));
            buf_free(&b1);
            buf_free(&b2);
        }
        if ((iter & 255) == 0) arena_reset(&A);
    }
    arena_free(&A);
}
