/* fuzz_exec: libFuzzer target for the value kernels on hostile data: each
 * input line is a row of a STRING column pushed through CSV/JSON parsing,
 * casts to every type, regex, datetime patterns, JSON paths and an
 * aggregation. Nothing may crash or trip the sanitizers.
 * Build: `make build/fuzz-exec`; run longer with `make fuzz FUZZ=exec`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/runtime/query.h"
#include "engine/runtime/session.h"

static const char *const queries =
    "CREATE TABLE t (v STRING) USING memory;\n"
    "SELECT from_csv(v, 'a INT, b DOUBLE, c TIMESTAMP, d DECIMAL(10,3), e STRING, f BOOLEAN, g DATE'),\n"
    "       from_json(v, 'a INT, b ARRAY<STRUCT<x: STRING, y: MAP<STRING, BIGINT>>>, c TIMESTAMP'),\n"
    "       CAST(v AS INT), CAST(v AS BIGINT), CAST(v AS DOUBLE), CAST(v AS DECIMAL(38,10)), CAST(v AS DATE),\n"
    "       CAST(v AS TIMESTAMP), CAST(v AS BOOLEAN), regexp_replace(v, '[a-c]+|\\\\d', 'x$0'),\n"
    "       regexp_extract(v, '(\\\\w+)-(\\\\d+)', 2), split(v, ','), to_timestamp(v, 'yyyy-MM-dd HH:mm:ss.SSS'),\n"
    "       date_format(CAST(v AS TIMESTAMP), 'EEE MMM d yyyy'), get_json_object(v, '$.a[0].b'), substring(v, -3, 2),\n"
    "       upper(v), lpad(v, 12, 'é'), v LIKE '%a_b%', to_json(named_struct('v', v)), round(CAST(v AS DOUBLE), 2)\n"
    "FROM t;\n"
    "SELECT substring(v, 1, 1), count(*), max(v), min(length(v)), sum(CAST(v AS DECIMAL(20,2))) FROM t GROUP BY 1;\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct session s;
    sess_init(&s);
    if (sess_load(&s, NULL, queries, strlen(queries), NULL)) __builtin_trap();
    for (uint32_t qi = 0; qi < s.nqueries; qi++) {
        struct query q;
        query_open(&q, &s.queries[qi].plan, OUT_COMPLETE);
        struct arena a;
        arena_init(&a, 1 << 16);
        struct batch *b = batch_new(&a, q.pipe.srcs[0].schema, 64);
        uint32_t n = 0;
        for (size_t at = 0; at < size && n < 64;) {
            size_t e = at;
            while (e < size && data[e] != '\n') e++;
            vec_set_str(b->cols[0], n++, (const char *)data + at, (uint32_t)(e - at));
            at = e + 1;
        }
        batch_set_rows(b, n);
        query_begin(&q, 0);
        query_push(&q, 0, b);
        query_end(&q, NULL);
        arena_free(&a);
        query_close(&q);
    }
    sess_free(&s);
    return 0;
}
