/* Unit tests for the SQL front-end: tokenizer, parser, printer, errors, vars. */
#include "test.h"

#include <string.h>

#include "engine/sql/diag.h"
#include "engine/sql/parse.h"
#include "engine/sql/vars.h"

static struct arena A;

/* Parses one script and returns its canonical print, or "ERR l:c msg". */
static const char *roundtrip(const char *sql) {
    struct parse_result r;
    parse_script(&A, sql, strlen(sql), &r);
    struct buf b = {0};
    if (r.err) {
        int l, c;
        diag_linecol(sql, strlen(sql), r.err_pos, &l, &c);
        buf_printf(&b, "ERR %d:%d %s", l, c, r.err_msg);
    } else {
        for (uint32_t i = 0; i < r.script->nstmts; i++) {
            if (i) buf_printf(&b, ";\n");
            ast_print_stmt(&b, r.script->stmts[i]);
        }
    }
    const char *s = arena_strndup(&A, b.p ? (char *)b.p : "", b.len);
    buf_free(&b);
    return s;
}

static const char *expr_rt(const char *sql) {
    struct parse_result r;
    struct ast *e = parse_expr_string(&A, sql, &r);
    if (!e) return arena_printf(&A, "ERR %u %s", r.err_pos, r.err_msg);
    struct buf b = {0};
    ast_print_expr(&b, e);
    const char *s = arena_strndup(&A, (char *)b.p, b.len);
    buf_free(&b);
    return s;
}

static const char *auto_name(const char *sql) {
    struct parse_result r;
    struct ast *e = parse_expr_string(&A, sql, &r);
    return e ? ast_auto_name(&A, e) : "ERR";
}

TEST(sql_parse_precedence) {
    arena_init(&A, 0);
    CHECK_STR(expr_rt("1 + 2 * 3"), "(1 + (2 * 3))");
    CHECK_STR(expr_rt("a OR b AND NOT c = 1"), "(a OR (b AND (NOT (c = 1))))");
    CHECK_STR(expr_rt("-x.y[0] || 'a' 'b\\'c'"), "((-x.y[0]) || 'ab\\'c')");
    CHECK_STR(expr_rt("a BETWEEN 1 AND 2 AND b NOT IN (1, 2)"), "((a BETWEEN 1 AND 2) AND (b NOT IN (1, 2)))");
    CHECK_STR(expr_rt("s NOT LIKE 'a%' ESCAPE '!'"), "(s NOT LIKE 'a%' ESCAPE '!')");
    CHECK_STR(expr_rt("x IS NOT NULL and y is null"), "((x IS NOT NULL) AND (y IS NULL))");
    CHECK_STR(expr_rt("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END"),
              "CASE WHEN (a > 1) THEN 'x' WHEN (a > 0) THEN 'y' ELSE 'z' END");
    CHECK_STR(expr_rt("case a when 1 then 2 end"), "CASE a WHEN 1 THEN 2 END");
    CHECK_STR(expr_rt("cast(value as string)"), "CAST(value AS STRING)");
    CHECK_STR(expr_rt("value::array<struct<a:int>>"), "CAST(value AS ARRAY<STRUCT<a: INT>>)");
    CHECK_STR(expr_rt("count(DISTINCT a, b) + count(*)"), "(count(DISTINCT a, b) + count(*))");
    CHECK_STR(expr_rt("split(v, ',')[1].x"), "split(v, ',')[1].x");
    CHECK_STR(expr_rt("-2147483648"), "-2147483648");
    CHECK_STR(expr_rt("1.5D + 2L + 1e3 + 3BD"), "(((1.5D + 2L) + 1e3) + 3BD)");
    CHECK_STR(expr_rt("INTERVAL 1 HOUR 30 minutes"), "INTERVAL '1 hour 30 minutes'");
    CHECK_STR(expr_rt("interval '5' minute"), "INTERVAL '5 minute'");
    CHECK_STR(expr_rt("DATE '2024-01-02' < date"), "(DATE '2024-01-02' < date)");
    CHECK_STR(expr_rt("X'0aFF'"), "X'0AFF'");
    CHECK_STR(expr_rt("window.start"), "window.start");
    CHECK_STR(expr_rt("a <=> b == c"), "((a <=> b) = c)");
    CHECK_STR(expr_rt("`we ird`.x"), "`we ird`.x");
    arena_free(&A);
}

TEST(sql_parse_auto_names) {
    arena_init(&A, 0);
    CHECK_STR(auto_name("sum(ENTRIES)"), "sum(ENTRIES)");
    CHECK_STR(auto_name("SUM(ENTRIES)"), "sum(ENTRIES)");
    CHECK_STR(auto_name("count(*)"), "count(1)");
    CHECK_STR(auto_name("r.AC"), "AC");
    CHECK_STR(auto_name("a + 1"), "(a + 1)");
    CHECK_STR(auto_name("concat(a, '-')"), "concat(a, -)");
    CHECK_STR(auto_name("CAST(value AS STRING)"), "CAST(value AS STRING)");
    arena_free(&A);
}

TEST(sql_parse_statements) {
    arena_init(&A, 0);
    CHECK_STR(roundtrip("CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = 'localhost:9092', subscribe 'x', maxOffsetsPerTrigger=50);"),
              "CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = 'localhost:9092', 'subscribe' = 'x', 'maxOffsetsPerTrigger' = '50')");
    CHECK_STR(roundtrip("create table t (a int, b struct<x: string> not null) using memory"),
              "CREATE TABLE t (a INT, b STRUCT<x: STRING> NOT NULL) USING memory");
    CHECK_STR(roundtrip("CREATE OR REPLACE TEMPORARY VIEW v AS SELECT r.*, 1 one FROM (SELECT from_csv(CAST(value AS STRING), 'a INT') AS r FROM raw)"),
              "CREATE OR REPLACE TEMP VIEW v AS SELECT r.*, 1 AS one FROM (SELECT from_csv(CAST(value AS STRING), 'a INT') AS r FROM raw)");
    CHECK_STR(roundtrip("INSERT INTO lake SELECT AC, window.start AS START, sum(ENTRIES) AS ENTRIES "
                        "FROM readings WATERMARK TS DELAY OF INTERVAL 5 minutes "
                        "GROUP BY window(TS, '5 minutes', '5 minutes'), AC"),
              "INSERT INTO lake SELECT AC, window.start AS START, sum(ENTRIES) AS ENTRIES FROM readings "
              "WATERMARK TS DELAY OF INTERVAL '5 minutes' GROUP BY window(TS, '5 minutes', '5 minutes'), AC");
    CHECK_STR(roundtrip("SELECT * FROM t WATERMARK to_timestamp(ts) AS et DELAY OF INTERVAL '10 seconds' DEDUPLICATE WITHIN WATERMARK BY (id, et) x WHERE a > 1 HAVING count(*) > 2"),
              "SELECT * FROM t WATERMARK to_timestamp(ts) AS et DELAY OF INTERVAL '10 seconds' DEDUPLICATE WITHIN WATERMARK BY (id, et) AS x WHERE (a > 1) HAVING (count(*) > 2)");
    CHECK_STR(roundtrip("SELECT a FROM x UNION ALL SELECT b FROM y ORDER BY a DESC NULLS LAST LIMIT 10"),
              "(SELECT a FROM x) UNION ALL (SELECT b FROM y) ORDER BY a DESC NULLS LAST LIMIT 10");
    CHECK_STR(roundtrip("SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id)"),
              "SELECT * FROM a JOIN b ON (a.id = b.id) LEFT JOIN c USING (id)");
    CHECK_STR(roundtrip("SET spark.sql.shuffle.partitions = 4 ;\nSELECT 1"),
              "SET spark.sql.shuffle.partitions = 4;\nSELECT 1");
    CHECK_STR(roundtrip("-- comment\nSELECT /* block /* nested */ */ 1;;"), "SELECT 1");
    CHECK_STR(roundtrip("explain extended select a from t"), "EXPLAIN SELECT a FROM t");
    arena_free(&A);
}

TEST(sql_parse_errors) {
    arena_init(&A, 0);
    CHECK_STR(roundtrip("SELECT a FROM"), "ERR 1:14 syntax error at end of input: expected a table name or '('");
    CHECK_STR(roundtrip("SELECT a,\n  b +\nFROM t"), "ERR 3:1 syntax error at 'FROM': expected an expression");
    CHECK_STR(roundtrip("SELECT 'abc"), "ERR 1:8 unterminated string literal");
    CHECK_STR(roundtrip("CREATE TABLE t USING"), "ERR 1:21 syntax error at end of input: expected a data source format (kafka, csv, json, console, memory, ...)");
    CHECK_STR(roundtrip("SELECT CAST(a AS STRNG)"), "ERR 1:18 unknown data type 'STRNG'");
    CHECK_STR(roundtrip("SELECT a FROM t WATERMARK ts DELAY INTERVAL 5 minutes"), "ERR 1:36 syntax error at 'INTERVAL': expected OF");
    CHECK_STR(roundtrip("SELECT a b c FROM t"), "ERR 1:12 syntax error at 'c': expected ';' or the end of the statement");
    CHECK_STR(roundtrip("DROP TABLE x"), "ERR 1:1 syntax error at 'DROP': expected a statement (CREATE, INSERT, SELECT, SET or EXPLAIN)");
    CHECK_STR(roundtrip("EXPLAIN SET a = 1"), "ERR 1:1 EXPLAIN takes a SELECT or an INSERT INTO");
    arena_free(&A);
}

TEST(sql_parse_diag_caret) {
    arena_init(&A, 0);
    const char *src = "SELECT a\nFROM t WHERE x >\n";
    struct parse_result r;
    parse_script(&A, src, strlen(src), &r);
    REQUIRE(r.err);
    struct buf b = {0};
    diag_format(&b, "p.sql", src, strlen(src), r.err_pos, r.err_msg);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "p.sql:3:1: error: syntax error at end of input: expected an expression\n"
                           "  3 | \n"
                           "    | ^\n");
    buf_clear(&b);
    diag_format(&b, NULL, src, strlen(src), 16, "boom");
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "2:8: error: boom\n  2 | FROM t WHERE x >\n    |        ^\n");
    buf_free(&b);
    arena_free(&A);
}

TEST(sql_parse_vars) {
    arena_init(&A, 0);
    struct sqlvars v = {0};
    sqlvars_set(&v, &A, "window", "5 minutes");
    const char *src = "SET slide = 1 minute;\nSELECT window(TS, '${window}', '${slide}') -- ${var:window}\n";
    char *out;
    size_t n;
    uint32_t pos;
    const char *msg;
    REQUIRE(sqlvars_substitute(&A, &v, src, strlen(src), &out, &n, &pos, &msg) == 0);
    CHECK_STR(out, "SET slide = 1 minute;\nSELECT window(TS, '5 minutes', '1 minute') -- 5 minutes\n");
    src = "SELECT '${nope}'";
    CHECK(sqlvars_substitute(&A, &v, src, strlen(src), &out, &n, &pos, &msg) != 0);
    CHECK_EQ(pos, 8);
    CHECK(strstr(msg, "undefined variable 'nope'") != NULL);
    arena_free(&A);
}
