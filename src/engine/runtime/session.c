/* session: see session.h. */
#include "engine/runtime/session.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "engine/plan/bind.h"
#include "engine/plan/stream_rules.h"
#include "engine/sql/diag.h"

void sess_init(struct session *s) {
    memset(s, 0, sizeof *s);
    arena_init(&s->a, 1 << 16);
    cat_init(&s->cat, &s->a);
}

void sess_free(struct session *s) {
    for (uint32_t i = 0; i < s->nqueries; i++) plan_free(&s->queries[i].plan);
    arena_free(&s->a);
}

const char *sess_setting(const struct session *s, const char *key) {
    const char *v = NULL;
    for (uint32_t i = 0; i < s->nsets; i++)
        if (!strcasecmp(s->set_keys[i], key)) v = s->set_vals[i];
    return v;
}

static int fail(struct session *s, const char *src, size_t len, uint32_t pos, const char *msg) {
    struct buf b = {0};
    diag_format(&b, s->file, src, len, pos, msg);
    s->err = arena_strndup(&s->a, (char *)b.p, b.len);
    buf_free(&b);
    return WERR_INVALID;
}

static void add_set(struct session *s, const char *k, const char *v) {
    const char **nk = arena_alloc(&s->a, (s->nsets + 1) * sizeof *nk), **nv = arena_alloc(&s->a, (s->nsets + 1) * sizeof *nv);
    if (s->nsets) {
        memcpy(nk, s->set_keys, s->nsets * sizeof *nk);
        memcpy(nv, s->set_vals, s->nsets * sizeof *nv);
    }
    nk[s->nsets] = k;
    nv[s->nsets] = v ? v : "";
    s->set_keys = nk;
    s->set_vals = nv;
    s->nsets++;
}

int sess_load(struct session *s, const char *file, const char *text, size_t len, const struct sqlvars *vars) {
    s->file = file;
    uint32_t pos;
    const char *msg;
    if (sqlvars_substitute(&s->a, vars, text, len, &s->src, &s->len, &pos, &msg)) return fail(s, text, len, pos, msg);
    struct parse_result pr;
    parse_script(&s->a, s->src, s->len, &pr);
    if (pr.err) return fail(s, s->src, s->len, pr.err_pos, pr.err_msg);
    s->script = pr.script;
    s->queries = arena_calloc(&s->a, (pr.script->nstmts ? pr.script->nstmts : 1) * sizeof *s->queries);
    for (uint32_t i = 0; i < pr.script->nstmts; i++) {
        const struct ast_stmt *st = pr.script->stmts[i];
        char err[400];
        switch (st->kind) {
        case ST_CREATE_TABLE:
        case ST_CREATE_VIEW:
            if (cat_add(&s->cat, st, err, sizeof err)) return fail(s, s->src, s->len, st->pos, arena_strndup(&s->a, err, strlen(err)));
            break;
        case ST_SET: add_set(s, st->name, st->value); break;
        case ST_INSERT:
        case ST_QUERY: {
            struct sess_query *q = &s->queries[s->nqueries];
            q->stmt = st;
            const char *mode = sess_setting(s, "outputMode");
            if (!mode) mode = sess_setting(s, "spark.sql.streaming.outputMode");
            if (st->kind == ST_INSERT) {
                q->sink = cat_find(&s->cat, st->name);
                if (!q->sink || q->sink->kind != CAT_TABLE)
                    return fail(s, s->src, s->len, st->pos,
                                arena_printf(&s->a, "INSERT INTO `%s`: no such sink table (declare it with CREATE TABLE %s USING ...)",
                                             st->name, st->name));
                const char *m = cat_opt(q->sink, "outputMode");
                if (m) mode = m;
            }
            q->mode = OUT_APPEND;
            if (mode && stream_parse_mode(mode, &q->mode))
                return fail(s, s->src, s->len, st->pos,
                            arena_printf(&s->a, "unknown output mode '%s' (append, update or complete)", mode));
            struct binder b;
            bind_init(&b, &s->a, &s->cat);
            b.batch = st->kind == ST_QUERY && !s->streaming_selects;
            if (bind_query_plan(&b, st->query, &q->plan)) {
                plan_free(&q->plan); /* compiled regexes and patterns of the partial binding */
                return fail(s, s->src, s->len, b.err_pos, b.err_msg);
            }
            uint32_t epos;
            if (stream_check(q->plan.root, q->mode, &epos, err, sizeof err)) {
                plan_free(&q->plan);
                return fail(s, s->src, s->len, epos, arena_strndup(&s->a, err, strlen(err)));
            }
            if (q->sink && q->sink->schema && strcmp(q->sink->format, "kafka") &&
                q->sink->schema->nfields != q->plan.root->schema->nfields) {
                plan_free(&q->plan);
                return fail(s, s->src, s->len, st->pos,
                            arena_printf(&s->a, "INSERT INTO `%s`: the query has %u columns but the table has %u", st->name,
                                         q->plan.root->schema->nfields, q->sink->schema->nfields));
            }
            s->nqueries++;
            break;
        }
        }
    }
    return 0;
}
