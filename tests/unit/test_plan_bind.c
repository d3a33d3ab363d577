/* Binder tests: the logical plans of typical queries (EXPLAIN text), output
 * schemas with Spark's column names and types, and watermark propagation. */
#include "test.h"

#include <string.h>

#include "engine/runtime/session.h"

static struct session S;

static const char *plan_of(const char *sql) {
    sess_free(&S);
    sess_init(&S);
    S.streaming_selects = true;
    if (sess_load(&S, NULL, sql, strlen(sql), NULL)) return S.err;
    struct buf b = {0};
    lp_print(&b, S.queries[S.nqueries - 1].plan.root, 0);
    const char *r = arena_strndup(&S.a, (char *)b.p, b.len);
    buf_free(&b);
    return r;
}

static const char *schema_of(const char *sql) {
    sess_free(&S);
    sess_init(&S);
    S.streaming_selects = true;
    if (sess_load(&S, NULL, sql, strlen(sql), NULL)) return S.err;
    return ty_ddl_str(&S.a, S.queries[S.nqueries - 1].plan.root->schema);
}

TEST(plan_bind_turnstile_shape) {
    sess_init(&S);
    const char *p = plan_of(
        "CREATE TABLE raw USING kafka OPTIONS ('kafka.bootstrap.servers' = 'x:1', 'subscribe' = 't');\n"
        "CREATE TEMP VIEW r AS SELECT from_csv(CAST(value AS STRING), 'A STRING, N INT, T STRING') AS r FROM raw;\n"
        "SELECT r.A, window.end AS E, sum(r.N) AS S FROM (SELECT r, to_timestamp(r.T) AS TS FROM r) "
        "WATERMARK TS DELAY OF INTERVAL 5 minutes DEDUPLICATE BY (TS) GROUP BY window(TS, '5 minutes'), r.A;\n");
    CHECK_STR(p, "Project [#1 AS A, #0.end AS E, #2 AS S] streaming\n"
                 "  Aggregate keys [#2, #0.A] aggs [sum(r.N)] streaming wm=#0\n"
                 "    Window #1 size 300000000us slide 300000000us start 0us streaming wm=#2\n"
                 "      Deduplicate [#1] streaming wm=#1\n"
                 "        EventTimeWatermark #1 delay 300000000us streaming\n"
                 "          Project [#0 AS r, cast(#0.T) AS TS] streaming\n"
                 "            Project [from_csv(cast(#1)) AS r] streaming\n"
                 "              Scan raw (kafka) streaming\n");
    sess_free(&S);
}

TEST(plan_bind_output_names_and_types) {
    sess_init(&S);
    CHECK_STR(schema_of("CREATE TABLE t (a INT, b STRING, d DOUBLE) USING memory;\n"
                        "SELECT a + 1, a / 2, count(*), sum(a), avg(a), b || 'x', CAST(a AS BIGINT) x, upper(b), max(d) FROM t GROUP BY a, b;"),
              "`(a + 1)` INT, `(a / 2)` DOUBLE, `count(1)` BIGINT, `sum(a)` BIGINT, `avg(a)` DOUBLE, `concat(b, x)` STRING, "
              "x BIGINT, `upper(b)` STRING, `max(d)` DOUBLE");
    CHECK_STR(schema_of("CREATE TABLE t (ts TIMESTAMP) USING memory;\nSELECT window, window.start FROM t GROUP BY window(ts, '1 hour');"),
              "window STRUCT<start: TIMESTAMP, end: TIMESTAMP>, start TIMESTAMP");
    CHECK_STR(schema_of("CREATE TABLE t USING kafka OPTIONS ('kafka.bootstrap.servers' = 'x:1', 'subscribe' = 't', 'includeHeaders' = 'true');\n"
                        "SELECT * FROM t;"),
              "key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT, timestamp TIMESTAMP, timestampType INT, "
              "headers ARRAY<STRUCT<key: STRING, value: BINARY>>");
    sess_free(&S);
}

TEST(plan_bind_errors) {
    sess_init(&S);
    const char *e = plan_of("CREATE TABLE t (a INT) USING memory;\nCREATE TABLE u (a INT) USING memory;\n"
                            "SELECT a FROM t UNION ALL SELECT a, a FROM u;");
    CHECK(strstr(e, "[NUM_COLUMNS_MISMATCH]") != NULL);
    e = plan_of("CREATE TABLE t (a INT) USING memory;\nCREATE TEMP VIEW v AS SELECT * FROM v;\nSELECT * FROM v;");
    CHECK(strstr(e, "refers to itself") != NULL);
    e = plan_of("CREATE TABLE t (s STRUCT<x: INT>) USING memory;\nSELECT s.y FROM t;");
    CHECK(strstr(e, "no such struct field `y` in `x`") != NULL);
    e = plan_of("CREATE TABLE t (a INT) USING memory;\nSELECT sum(sum(a)) FROM t;");
    CHECK(strstr(e, "aggregate function in the argument of another aggregate function") != NULL);
    e = plan_of("CREATE TABLE t (a INT) USING memory;\nSELECT a FROM t WHERE count(*) > 1;");
    CHECK(strstr(e, "not allowed in WHERE") != NULL);
    e = plan_of("CREATE TABLE t (a INT) USING memory;\nCREATE TABLE t (b INT) USING memory;");
    CHECK(strstr(e, "table 't' already exists") != NULL);
    e = plan_of("CREATE TABLE t (ts TIMESTAMP) USING memory;\nSELECT count(*) FROM t GROUP BY window(ts, '1 minute', '2 minutes');");
    CHECK(strstr(e, "slide duration must be less than or equal to the window duration") != NULL);
    e = plan_of("CREATE TABLE t (ts TIMESTAMP) USING memory;\nSELECT count(*) FROM t WATERMARK ts DELAY OF INTERVAL 1 month;");
    CHECK(strstr(e, "months or years") != NULL);
    sess_free(&S);
}
