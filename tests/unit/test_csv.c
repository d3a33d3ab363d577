/* Unit tests for engine/formats/csv: tokenizing with Spark's reader options,
 * malformed records, incremental input, the writer's quoting rules and a
 * write-then-read round trip. */
#include "test.h"

#include "common/err.h"
#include "engine/formats/csv.h"

#include <stdlib.h>

/* Renders a record as [a|b|<null>] for compact checks. */
static const char *show(const struct csv_record *rec) {
    static char out[1024];
    size_t n = 0;
    out[n++] = '[';
    for (int i = 0; i < rec->nfields; i++) {
        if (i) out[n++] = '|';
        const struct csv_field *f = &rec->fields[i];
        if (f->null) n += (size_t)snprintf(out + n, sizeof out - n, "<null>");
        else n += (size_t)snprintf(out + n, sizeof out - n, "%.*s", (int)f->len, f->p);
    }
    snprintf(out + n, sizeof out - n, "]");
    return out;
}

static const char *one(const struct csv_opts *o, const char *s) {
    struct csv_reader r;
    struct csv_record rec;
    csv_reader_init(&r, o);
    csv_parse_record(&r, s, strlen(s), &rec);
    static char b[1024];
    snprintf(b, sizeof b, "%s%s", show(&rec), rec.status == CSV_UNTERMINATED_QUOTE ? "!" : "");
    csv_reader_free(&r);
    return b;
}

TEST(csv_tokenize_basic) {
    struct csv_opts o;
    csv_opts_init(&o, CSV_READ);
    CHECK_STR(one(&o, "a,b,c"), "[a|b|c]");
    CHECK_STR(one(&o, "a,,c"), "[a|<null>|c]");
    CHECK_STR(one(&o, "a,b,"), "[a|b|<null>]");
    CHECK_STR(one(&o, ""), "[<null>]");
    CHECK_STR(one(&o, "\"a,b\",c"), "[a,b|c]");
    CHECK_STR(one(&o, "\"say \\\"hi\\\"\",x"), "[say \"hi\"|x]");   /* escape '\\' */
    CHECK_STR(one(&o, "\"say \"\"hi\"\"\",x"), "[say \"hi\"|x]");   /* doubled quotes */
    CHECK_STR(one(&o, "\"back\\\\slash\""), "[back\\slash]");
    CHECK_STR(one(&o, "\"C:\\dir\""), "[C:\\dir]");
    CHECK_STR(one(&o, "un\"quoted,x"), "[un\"quoted|x]");
    CHECK_STR(one(&o, "\"\",x"), "[<null>|x]"); /* emptyValue "" equals nullValue "" */
    CHECK_STR(one(&o, " a , b "), "[ a | b ]");
    CHECK_STR(one(&o, "\"multi\nline\",z"), "[multi\nline|z]");
    CHECK_STR(one(&o, "\"open,x"), "[open,x]!");
    CHECK_STR(one(&o, "\"ab\"cd,x"), "[abcd|x]");
    CHECK_STR(one(&o, "3,\"a\" "), "[3|a]"); /* space after the closing quote is dropped */
    CHECK_STR(one(&o, "3, \"a\""), "[3| \"a\"]"); /* a quote after a space does not open a quoted field */
    /* the turnstile feed: a quoted timestamp among plain fields */
    CHECK_STR(one(&o, "A002,R051,02-00-00,59 ST,NQR456W,BMT,09/23/2023,REGULAR,7000,2000,1,\"2023-09-23 16:54:00\""),
              "[A002|R051|02-00-00|59 ST|NQR456W|BMT|09/23/2023|REGULAR|7000|2000|1|2023-09-23 16:54:00]");
}

TEST(csv_options) {
    struct csv_opts o;
    char err[128];
    csv_opts_init(&o, CSV_READ);
    CHECK_EQ(csv_opts_set(&o, "sep", "\\t", err, sizeof err), 0);
    CHECK_STR(one(&o, "a\tb,c\t"), "[a|b,c|<null>]");
    CHECK_EQ(csv_opts_set(&o, "delimiter", ";", err, sizeof err), 0);
    CHECK_STR(one(&o, "a;b"), "[a|b]");
    CHECK_EQ(csv_opts_set(&o, "sep", "", err, sizeof err), WERR_INVALID);
    CHECK_EQ(csv_opts_set(&o, "sep", "ab", err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "sep") != NULL);
    CHECK_EQ(csv_opts_set(&o, "mode", "PERMISSIVE", err, sizeof err), WERR_NOTFOUND);
    CHECK_EQ(csv_opts_set(&o, "nullValue", "NA", err, sizeof err), 0);
    CHECK_STR(one(&o, "NA;;x;\"NA\""), "[<null>|<null>|x|<null>]");
    CHECK_EQ(csv_opts_set(&o, "emptyValue", "EMPTY", err, sizeof err), 0);
    CHECK_STR(one(&o, "\"\";x"), "[EMPTY|x]");
    CHECK_EQ(csv_opts_set(&o, "quote", "'", err, sizeof err), 0);
    CHECK_STR(one(&o, "'a;b';\"c\""), "[a;b|\"c\"]");
    CHECK_EQ(csv_opts_set(&o, "ignoreLeadingWhiteSpace", "true", err, sizeof err), 0);
    CHECK_EQ(csv_opts_set(&o, "ignoreTrailingWhiteSpace", "TRUE", err, sizeof err), 0);
    CHECK_STR(one(&o, "  a  ;  'b'  "), "[a|b]");
    CHECK_EQ(csv_opts_set(&o, "header", "maybe", err, sizeof err), WERR_INVALID);
    CHECK_EQ(csv_opts_set(&o, "escape", "'", err, sizeof err), 0);
    CHECK_STR(one(&o, "'it''s'"), "[it's]");
    CHECK_EQ(csv_opts_set(&o, "sep", "\\u0001", err, sizeof err), 0);
    CHECK_EQ(o.sep, 1);
    CHECK_EQ(csv_opts_set(&o, "maxColumns", "2", err, sizeof err), 0);
    struct csv_reader r;
    struct csv_record rec;
    csv_reader_init(&r, &o);
    csv_parse_record(&r, "a\001b\001c", 5, &rec);
    CHECK_EQ(rec.nfields, 2);
    CHECK_EQ(rec.status, CSV_TOO_MANY_COLUMNS);
    csv_reader_free(&r);
}

TEST(csv_records_and_lines) {
    struct csv_opts o;
    csv_opts_init(&o, CSV_READ);
    CHECK_EQ(csv_opts_set(&o, "comment", "#", NULL, 0), 0);
    CHECK_EQ(csv_opts_set(&o, "multiLine", "true", NULL, 0), 0);
    const char *data = "id,name\r\n1,\"x\ny\"\n\n# a comment\n2,b\r3,c";
    struct csv_reader r;
    struct csv_record rec;
    csv_reader_init(&r, &o);
    size_t pos = 0, len = strlen(data);
    const char *want[] = {"[id|name]", "[1|x\ny]", "[2|b]", "[3|c]"};
    int64_t lines[] = {1, 2, 6, 7};
    for (int i = 0; i < 4; i++) {
        REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
        CHECK_STR(show(&rec), want[i]);
        CHECK_EQ(rec.line, lines[i]);
        CHECK_EQ(csv_check_width(&rec, 2), CSV_WIDTH_OK);
    }
    CHECK_EQ(rec.raw_len, 3);
    CHECK_EQ(csv_next(&r, data, len, &pos, 1, &rec), 0);
    CHECK_EQ(pos, len);
    csv_reader_free(&r);

    /* widths for PERMISSIVE / DROPMALFORMED / FAILFAST */
    csv_reader_init(&r, &o);
    pos = 0;
    data = "1,2\n1\n1,2,3\n\"open,4\n";
    len = strlen(data);
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_EQ(csv_check_width(&rec, 2), CSV_WIDTH_OK);
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_EQ(csv_check_width(&rec, 2), CSV_WIDTH_FEW);
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_EQ(csv_check_width(&rec, 2), CSV_WIDTH_MANY);
    CHECK_EQ(rec.raw_len, 5);
    CHECK(!memcmp(rec.raw, "1,2,3", 5));
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_EQ(rec.status, CSV_UNTERMINATED_QUOTE);
    CHECK_STR(show(&rec), "[open,4\n]");
    CHECK_EQ(csv_next(&r, data, len, &pos, 1, &rec), 0);
    csv_reader_free(&r);
}

TEST(csv_single_line_records_by_default) {
    /* Spark's default multiLine=false: a line end inside quotes ends the
     * record as malformed and the next line is a record of its own. */
    struct csv_opts o;
    csv_opts_init(&o, CSV_READ);
    const char *data = "1,\"open\n2,b\n\"x\r\n3,c";
    struct csv_reader r;
    struct csv_record rec;
    csv_reader_init(&r, &o);
    size_t pos = 0, len = strlen(data);
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_EQ(rec.status, CSV_UNTERMINATED_QUOTE);
    CHECK_STR(show(&rec), "[1|open]");
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_EQ(rec.status, CSV_OK);
    CHECK_STR(show(&rec), "[2|b]");
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_EQ(rec.status, CSV_UNTERMINATED_QUOTE);
    CHECK_STR(show(&rec), "[x]");
    CHECK_EQ(rec.line, 3);
    REQUIRE_EQ(csv_next(&r, data, len, &pos, 1, &rec), 1);
    CHECK_STR(show(&rec), "[3|c]");
    CHECK_EQ(rec.line, 4);
    CHECK_EQ(csv_next(&r, data, len, &pos, 1, &rec), 0);
    csv_reader_free(&r);
}

TEST(csv_incremental_input) {
    /* Feeding the input one byte at a time gives the same records as feeding
     * it whole: WERR_AGAIN consumes nothing of a partial record. */
    struct csv_opts o;
    csv_opts_init(&o, CSV_READ);
    const char *data = "a,\"b\"\"c\",d\r\n\n\"x\\\"y\",\"\"\"\"\n\"last\"";
    size_t len = strlen(data);
    struct csv_reader r;
    struct csv_record rec;
    char got[8][64];
    int n = 0;
    csv_reader_init(&r, &o);
    size_t pos = 0;
    for (size_t avail = 0; avail <= len; avail++) {
        for (;;) {
            int rc = csv_next(&r, data, avail, &pos, avail == len, &rec);
            if (rc != 1) {
                CHECK(rc == 0 || rc == WERR_AGAIN);
                break;
            }
            REQUIRE(n < 8);
            snprintf(got[n++], 64, "%s", show(&rec));
        }
    }
    csv_reader_free(&r);
    REQUIRE_EQ(n, 3);
    CHECK_STR(got[0], "[a|b\"c|d]");
    CHECK_STR(got[1], "[x\"y|\"]");
    CHECK_STR(got[2], "[last]");
}

TEST(csv_slices_do_not_copy_plain_fields) {
    struct csv_opts o;
    csv_opts_init(&o, CSV_READ);
    struct csv_reader r;
    struct csv_record rec;
    csv_reader_init(&r, &o);
    const char *s = "plain,\"quoted\",\"esc\\\"aped\"";
    csv_parse_record(&r, s, strlen(s), &rec);
    REQUIRE_EQ(rec.nfields, 3);
    CHECK(rec.fields[0].p == s);
    CHECK(rec.fields[1].p == s + 7);
    CHECK(rec.fields[2].p < s || rec.fields[2].p > s + strlen(s)); /* unescaped copy */
    CHECK_EQ(rec.fields[1].quoted, 1);
    csv_reader_free(&r);
}

static const char *wr(const struct csv_opts *o, const char *const *v, int n) {
    static char b[512];
    struct buf out = {0};
    csv_write_record(o, &out, v, n);
    snprintf(b, sizeof b, "%.*s", (int)out.len, (const char *)out.p);
    buf_free(&out);
    return b;
}

TEST(csv_writer_spark_defaults) {
    struct csv_opts o;
    csv_opts_init(&o, CSV_WRITE);
    const char *v1[] = {"a", "b c", NULL, ""};
    CHECK_STR(wr(&o, v1, 4), "a,b c,,\"\"\n");
    const char *v2[] = {"x,y", "say \"hi\"", "line\nbreak", "cr\r"};
    CHECK_STR(wr(&o, v2, 4), "\"x,y\",\"say \\\"hi\\\"\",\"line\nbreak\",cr\n");
    const char *v3[] = {"  padded  ", "back\\slash", "\"q\\\""};
    CHECK_STR(wr(&o, v3, 3), "padded,back\\slash,\"\\\"q\\\\\\\"\"\n");
    CHECK_EQ(csv_opts_set(&o, "quoteAll", "true", NULL, 0), 0);
    const char *v4[] = {"a", "", NULL};
    CHECK_STR(wr(&o, v4, 3), "\"a\",\"\",\n");
    csv_opts_init(&o, CSV_WRITE);
    CHECK_EQ(csv_opts_set(&o, "escape", "\"", NULL, 0), 0);
    const char *v5[] = {"say \"hi\""};
    CHECK_STR(wr(&o, v5, 1), "\"say \"\"hi\"\"\"\n");
    csv_opts_init(&o, CSV_WRITE);
    CHECK_EQ(csv_opts_set(&o, "nullValue", "NULL", NULL, 0), 0);
    CHECK_EQ(csv_opts_set(&o, "sep", "|", NULL, 0), 0);
    CHECK_EQ(csv_opts_set(&o, "ignoreLeadingWhiteSpace", "false", NULL, 0), 0);
    const char *v6[] = {NULL, " a|b", "c,d"};
    CHECK_STR(wr(&o, v6, 3), "NULL|\" a|b\"|c,d\n");
}

TEST(csv_write_read_roundtrip) {
    const char *vals[] = {"plain", "with,sep", "quote\"in", "back\\slash", "both\\\"", "\\", "nl\nin",
                          "crlf\r\nin", "tail\\", "\"\"", "x"};
    int n = (int)(sizeof vals / sizeof vals[0]);
    struct csv_opts wo, ro;
    csv_opts_init(&wo, CSV_WRITE);
    csv_opts_init(&ro, CSV_READ);
    REQUIRE(csv_opts_set(&ro, "multiLine", "true", NULL, 0) == 0);
    struct buf out = {0};
    for (int rep = 0; rep < 3; rep++) csv_write_record(&wo, &out, vals, n);
    struct csv_reader r;
    struct csv_record rec;
    csv_reader_init(&r, &ro);
    size_t pos = 0;
    int recs = 0;
    while (csv_next(&r, (const char *)out.p, out.len, &pos, 1, &rec) == 1) {
        REQUIRE_EQ(rec.nfields, n);
        for (int i = 0; i < n; i++) {
            CHECK_EQ(rec.fields[i].len, strlen(vals[i]));
            CHECK(!memcmp(rec.fields[i].p, vals[i], rec.fields[i].len));
        }
        recs++;
    }
    CHECK_EQ(recs, 3);
    csv_reader_free(&r);
    buf_free(&out);
}

static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* Renders all records of data (fed whole, or in chunks of `step` bytes) as
 * one string, with the status of each record. */
static void render_all(const struct csv_opts *o, const char *data, size_t len, size_t step, struct buf *out) {
    struct csv_reader r;
    struct csv_record rec;
    csv_reader_init(&r, o);
    size_t pos = 0;
    for (size_t avail = step ? 0 : len;; avail = avail + step > len ? len : avail + step) {
        int rc;
        while ((rc = csv_next(&r, data, avail, &pos, avail == len, &rec)) == 1) {
            buf_printf(out, "%d:%lld:%s\n", rec.status, (long long)rec.line, show(&rec));
            if (pos > avail) { buf_printf(out, "POS PAST END\n"); break; }
        }
        if (avail == len) break;
    }
    csv_reader_free(&r);
}

TEST(csv_random_input_chunking_invariant) {
    /* Random inputs over the characters that matter, with random options:
     * no crash (ASan/UBSan), and feeding the input in small chunks yields
     * exactly the records of feeding it whole. */
    static const char alpha[] = "ab,;\"'\\\n\r #";
    char data[96];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = rnd() % sizeof data;
        for (size_t i = 0; i < len; i++) data[i] = alpha[rnd() % (sizeof alpha - 1)];
        struct csv_opts o;
        csv_opts_init(&o, CSV_READ);
        o.multi_line = (int)(rnd() & 1);
        o.ignore_leading_ws = (int)(rnd() & 1);
        o.ignore_trailing_ws = (int)(rnd() & 1);
        if (rnd() % 4 == 0) o.sep = ';';
        if (rnd() % 4 == 0) { o.escape = '"'; o.esc_escape = 0; }
        if (rnd() % 4 == 0) o.comment = '#';
        if (rnd() % 8 == 0) o.quote = 0;
        struct buf whole = {0}, chunked = {0};
        render_all(&o, data, len, 0, &whole);
        render_all(&o, data, len, 1 + rnd() % 7, &chunked);
        if (whole.len != chunked.len || (whole.len && memcmp(whole.p, chunked.p, whole.len))) {
            test_fail(__FILE__, __LINE__, "chunked parse differs for input %d \"%.*s\"", iter, (int)len, data);
            buf_free(&whole);
            buf_free(&chunked);
            return;
        }
        /* from_csv on the same bytes must not crash either */
        struct csv_reader r;
        struct csv_record rec;
        csv_reader_init(&r, &o);
        csv_parse_record(&r, data, len, &rec);
        CHECK(rec.nfields >= 1);
        csv_reader_free(&r);
        buf_free(&whole);
        buf_free(&chunked);
    }
}

TEST(csv_random_values_roundtrip) {
    static const char alpha[] = "ab,\"\\\n\r x\t";
    struct csv_opts wo, ro;
    csv_opts_init(&wo, CSV_WRITE);
    wo.ignore_leading_ws = wo.ignore_trailing_ws = 0; /* keep values exact */
    csv_opts_init(&ro, CSV_READ);
    ro.multi_line = 1;
    ro.empty_value = "<empty>";
    for (int iter = 0; iter < 2000; iter++) {
        char vals[4][24];
        const char *pv[4];
        int nv = 1 + (int)(rnd() % 4);
        for (int i = 0; i < nv; i++) {
            size_t l = rnd() % 23;
            for (size_t k = 0; k < l; k++) vals[i][k] = alpha[rnd() % (sizeof alpha - 1)];
            vals[i][l] = 0;
            pv[i] = rnd() % 10 == 0 ? NULL : vals[i];
        }
        struct buf out = {0};
        csv_write_record(&wo, &out, pv, nv);
        if (out.len == 1) { buf_free(&out); continue; } /* one NULL column is an empty line, skipped on read as in Spark */
        struct csv_reader r;
        struct csv_record rec;
        csv_reader_init(&r, &ro);
        size_t pos = 0;
        REQUIRE_EQ(csv_next(&r, (const char *)out.p, out.len, &pos, 1, &rec), 1);
        REQUIRE_EQ(rec.nfields, nv);
        for (int i = 0; i < nv; i++) {
            const struct csv_field *f = &rec.fields[i];
            if (!pv[i]) { CHECK(f->null); continue; }
            if (!pv[i][0]) { CHECK(f->len == 7 && !memcmp(f->p, "<empty>", 7)); continue; }
            if (f->len != strlen(pv[i]) || memcmp(f->p, pv[i], f->len)) {
                test_fail(__FILE__, __LINE__, "value \"%s\" came back as \"%.*s\" from \"%.*s\"", pv[i], (int)f->len,
                          f->p, (int)out.len, (const char *)out.p);
                break;
            }
        }
        CHECK_EQ(pos, out.len);
        csv_reader_free(&r);
        buf_free(&out);
    }
}
