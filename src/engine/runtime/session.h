/* session: a pipeline file taken from text to bound, checked queries.
 *
 * The one thing to know first: statements are processed in file order, as
 * Spark runs them: `${var}` substitution first (vars.h), then each CREATE
 * adds to the catalog, each SET records a setting, and each INSERT INTO or
 * bare SELECT is bound against the catalog as it is at that point and
 * checked against Spark's streaming rules for its output mode. Any error
 * stops loading and leaves a ready-to-print message in `err` with
 * file:line:col, the source line and a caret.
 *
 * A bare SELECT is a batch query (Spark's spark.read: Kafka from
 * startingOffsets to endingOffsets, default earliest to latest) unless
 * `streaming_selects` is set — the SQL test runner sets it to run bare
 * SELECTs over streams as streaming queries without a sink.
 *
 * Output mode of an INSERT: the sink table's 'outputMode' option, else a
 * `SET outputMode = ...` / `spark.sql.streaming.outputMode` before it, else
 * append. A bare SELECT on a stream uses the same default. */
#ifndef WEIR_ENGINE_SESSION_H
#define WEIR_ENGINE_SESSION_H

#include <stdint.h>

#include "engine/exec/op.h"
#include "engine/plan/plan.h"
#include "engine/sql/parse.h"
#include "engine/sql/vars.h"

struct sess_query {
    const struct ast_stmt *stmt;
    const struct cat_entry *sink;  /* INSERT target; NULL for a bare SELECT */
    enum out_mode mode;
    struct plan plan;              /* owned until taken (plan.root NULL then) */
};

struct session {
    struct arena a;
    struct catalog cat;
    const char *file;
    char *src;                     /* substituted text */
    size_t len;
    struct ast_script *script;
    struct sess_query *queries;
    uint32_t nqueries;
    const char **set_keys, **set_vals;
    uint32_t nsets;
    char *err;                     /* formatted error (in the arena) */
    bool streaming_selects;        /* bare SELECTs over streams run as streaming queries */
};

void sess_init(struct session *s);
void sess_free(struct session *s);
/* Loads a pipeline; file is used in messages (may be NULL). 0 or WERR_*. */
int sess_load(struct session *s, const char *file, const char *text, size_t len, const struct sqlvars *vars);
const char *sess_setting(const struct session *s, const char *key);

#endif
