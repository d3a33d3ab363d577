/* Unit tests for the data model: types, DDL parse/print, vectors, value text. */
#include "test.h"

#include "engine/exec/valfmt.h"
#include "engine/exec/vector.h"
#include "engine/types/type.h"

static const char *fmt_d(struct arena *a, double d) {
    struct buf b = {0};
    vfmt_double(&b, d, 0);
    const char *s = arena_strndup(a, (const char *)b.p, b.len);
    buf_free(&b);
    return s;
}

TEST(exec_types_ddl_roundtrip) {
    struct arena a;
    arena_init(&a, 0);
    char err[128];
    const struct ty *t = ty_parse_ddl(&a, "AC STRING, UNIT string, ENTRIES INT, x bigint NOT NULL", err, sizeof err);
    REQUIRE(t);
    CHECK_EQ(t->nfields, 4);
    CHECK_STR(ty_ddl_str(&a, t), "AC STRING, UNIT STRING, ENTRIES INT, x BIGINT NOT NULL");
    t = ty_parse_ddl(&a, "a int, b struct<x: string, y array<double>>, m map<string, struct<n:int>>", err, sizeof err);
    REQUIRE(t);
    CHECK_STR(ty_ddl_str(&a, t), "a INT, b STRUCT<x: STRING, y: ARRAY<DOUBLE>>, m MAP<STRING, STRUCT<n: INT>>");
    struct buf b = {0};
    ty_simple(&b, t);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "struct<a:int,b:struct<x:string,y:array<double>>,m:map<string,struct<n:int>>>");
    buf_free(&b);
    t = ty_parse_ddl(&a, "STRUCT<`we ird` DECIMAL(10,2), d date, ts timestamp COMMENT 'event time'>", err, sizeof err);
    REQUIRE(t);
    CHECK_STR(ty_ddl_str(&a, t), "`we ird` DECIMAL(10,2), d DATE, ts TIMESTAMP");
    t = ty_parse_type(&a, "array<map<string,int>>", err, sizeof err);
    REQUIRE(t);
    CHECK_STR(ty_sql_str(&a, t), "ARRAY<MAP<STRING, INT>>");
    arena_free(&a);
}

TEST(exec_types_ddl_errors) {
    struct arena a;
    arena_init(&a, 0);
    char err[128];
    CHECK(!ty_parse_ddl(&a, "a INT, b STRNG", err, sizeof err));
    CHECK_STR(err, "at column 10: unknown data type 'STRNG'");
    CHECK(!ty_parse_ddl(&a, "a ARRAY<INT", err, sizeof err));
    CHECK_STR(err, "at column 12: expected '>' but the schema ended");
    CHECK(!ty_parse_ddl(&a, "a DECIMAL(40,2)", err, sizeof err));
    CHECK(!ty_parse_ddl(&a, "a INT b", err, sizeof err));
    arena_free(&a);
}

TEST(exec_types_equal_and_fields) {
    struct arena a;
    arena_init(&a, 0);
    const struct ty *x = ty_parse_ddl(&a, "a INT, b STRUCT<c: STRING>", NULL, 0);
    const struct ty *y = ty_parse_ddl(&a, "A INT, B STRUCT<C: STRING>", NULL, 0);
    CHECK(ty_equal(x, y));
    CHECK(!ty_equal(x, ty_parse_ddl(&a, "a INT, b STRUCT<c: INT>", NULL, 0)));
    CHECK_EQ(ty_field_index(x, "B"), 1);
    CHECK_EQ(ty_field_index(x, "zz"), -1);
    CHECK(ty_decimal(&a, 10, 0) == ty_decimal(&a, 10, 0));
    arena_free(&a);
}

TEST(exec_types_double_text) {
    struct arena a;
    arena_init(&a, 0);
    CHECK_STR(fmt_d(&a, 1.0), "1.0");
    CHECK_STR(fmt_d(&a, 0.1), "0.1");
    CHECK_STR(fmt_d(&a, 123.456), "123.456");
    CHECK_STR(fmt_d(&a, 1e7), "1.0E7");
    CHECK_STR(fmt_d(&a, 1234567.0), "1234567.0");
    CHECK_STR(fmt_d(&a, 0.001), "0.001");
    CHECK_STR(fmt_d(&a, 0.0001), "1.0E-4");
    CHECK_STR(fmt_d(&a, -2.5e-10), "-2.5E-10");
    CHECK_STR(fmt_d(&a, 1.0 / 3), "0.3333333333333333");
    arena_free(&a);
}

TEST(exec_types_vectors_nested) {
    struct arena a;
    arena_init(&a, 0);
    const struct ty *t = ty_parse_ddl(&a, "s STRUCT<x: INT, y: STRING>, l ARRAY<INT>, m MAP<STRING, BIGINT>, ts TIMESTAMP, d DATE", NULL, 0);
    REQUIRE(t);
    struct batch *b = batch_new(&a, t, 4);
    struct vec *s = b->cols[0], *l = b->cols[1], *m = b->cols[2];
    s->valid[0] = 1;
    s->child[0]->valid[0] = 1;
    vec_i32(s->child[0])[0] = 7;
    vec_set_str(s->child[1], 0, "hi", 2);
    uint32_t off = vec_list_reserve(l, 3);
    for (int k = 0; k < 3; k++) {
        l->child[0]->valid[off + k] = k != 1;
        vec_i32(l->child[0])[off + k] = k * 10;
    }
    l->child_len += 3;
    vec_list(l)[0] = (struct vlist){off, 3};
    l->valid[0] = 1;
    off = vec_list_reserve(m, 1);
    vec_set_str(m->child[0], off, "k", 1);
    m->child[1]->valid[off] = 1;
    vec_i64(m->child[1])[off] = 5;
    m->child_len++;
    vec_list(m)[0] = (struct vlist){off, 1};
    m->valid[0] = 1;
    b->cols[3]->valid[0] = 1;
    vec_i64(b->cols[3])[0] = 1695488040000000LL + 500000; /* 2023-09-23 16:54:00.5 */
    b->cols[4]->valid[0] = 1;
    vec_i32(b->cols[4])[0] = -1;
    batch_set_rows(b, 2);
    const char *want[] = {"{7, hi}", "[0, null, 20]", "{k -> 5}", "2023-09-23 16:54:00.5", "1969-12-31"};
    struct batch *c = batch_compact(&a, b);
    for (int col = 0; col < 5; col++) {
        struct buf o = {0};
        vfmt_value(&o, c->cols[col], 0, VFMT_SHOW);
        buf_putc(&o, 0);
        CHECK_STR((char *)o.p, want[col]);
        buf_clear(&o);
        vfmt_value(&o, c->cols[col], 1, VFMT_SHOW);
        buf_putc(&o, 0);
        CHECK_STR((char *)o.p, "NULL");
        buf_free(&o);
    }
    arena_free(&a);
}
