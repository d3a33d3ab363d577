/* catalog: see plan.h. Tables and views by name (case-insensitive, as
 * Spark's session catalog), and the schemas of the built-in sources:
 *   kafka   key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT,
 *           timestamp TIMESTAMP, timestampType INT [, headers ARRAY<STRUCT<key: STRING, value: BINARY>>]
 *   rate    timestamp TIMESTAMP, value BIGINT
 * Other formats (csv, json, memory, console, parquet) take the declared
 * column list; a sink may omit it. */
#include "engine/plan/plan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void cat_init(struct catalog *c, struct arena *a) {
    memset(c, 0, sizeof *c);
    c->a = a;
}

const struct cat_entry *cat_find(const struct catalog *c, const char *name) {
    for (uint32_t i = 0; i < c->n; i++)
        if (!strcasecmp(c->entries[i]->name, name)) return c->entries[i];
    return NULL;
}

const char *cat_opt(const struct cat_entry *e, const char *key) {
    for (uint32_t i = 0; i < e->nopts; i++)
        if (!strcasecmp(e->opt_keys[i], key)) return e->opt_vals[i];
    return NULL;
}

const struct ty *cat_kafka_schema(struct arena *a, bool headers) {
    struct ty_field hf[] = {{"key", ty_string(), true}, {"value", ty_binary(), true}};
    struct ty_field fs[] = {
        {"key", ty_binary(), true},       {"value", ty_binary(), true},       {"topic", ty_string(), true},
        {"partition", ty_int(), true},    {"offset", ty_bigint(), true},      {"timestamp", ty_timestamp(), true},
        {"timestampType", ty_int(), true}, {"headers", NULL, true},
    };
    if (headers) fs[7].type = ty_array(a, ty_struct(a, hf, 2), true);
    return ty_struct(a, fs, headers ? 8 : 7);
}

static int is_true(const char *v) { return v && !strcasecmp(v, "true"); }

int cat_add(struct catalog *c, const struct ast_stmt *s, char *err, size_t errcap) {
    const struct cat_entry *old = cat_find(c, s->name);
    if (old) {
        if (s->if_not_exists) return 0;
        if (!(s->kind == ST_CREATE_VIEW && s->or_replace) || old->kind != CAT_VIEW) {
            snprintf(err, errcap, "%s '%s' already exists%s", old->kind == CAT_VIEW ? "view" : "table", s->name,
                     s->kind == ST_CREATE_VIEW ? " (use CREATE OR REPLACE TEMP VIEW to redefine a view)" : "");
            return -1;
        }
    }
    struct cat_entry *e = arena_calloc(c->a, sizeof *e);
    e->name = s->name;
    e->pos = s->pos;
    if (s->kind == ST_CREATE_VIEW) {
        e->kind = CAT_VIEW;
        e->view = s->query;
    } else {
        e->kind = CAT_TABLE;
        char *f = arena_strndup(c->a, s->using, strlen(s->using));
        for (char *p = f; *p; p++) *p = (char)tolower((unsigned char)*p);
        e->format = f;
        e->opt_keys = s->opt_keys;
        e->opt_vals = s->opt_vals;
        e->nopts = s->nopts;
        if (!strcmp(f, "kafka")) {
            if (s->columns) {
                snprintf(err, errcap, "a kafka table has Spark's fixed schema (key, value, topic, partition, offset, "
                                      "timestamp, timestampType); do not declare columns");
                return -1;
            }
            e->schema = cat_kafka_schema(c->a, is_true(cat_opt(e, "includeHeaders")));
            e->streaming = true;
        } else if (!strcmp(f, "rate")) {
            struct ty_field fs[] = {{"timestamp", ty_timestamp(), true}, {"value", ty_bigint(), true}};
            e->schema = ty_struct(c->a, fs, 2);
            e->streaming = true;
        } else {
            e->schema = s->columns;
            /* a memory table with 'streaming' = 'true' is a stream source (Spark's MemoryStream) */
            if (!strcmp(f, "memory") && is_true(cat_opt(e, "streaming"))) e->streaming = true;
            /* csv/json tables are file sources; 'streaming' = 'true' reads new files as a stream */
            if ((!strcmp(f, "csv") || !strcmp(f, "json")) && is_true(cat_opt(e, "streaming"))) e->streaming = true;
        }
    }
    if (old) {
        for (uint32_t i = 0; i < c->n; i++)
            if (c->entries[i] == old) c->entries[i] = e;
        return 0;
    }
    if (c->n == c->cap) {
        uint32_t ncap = c->cap ? c->cap * 2 : 16;
        struct cat_entry **ne = arena_alloc(c->a, ncap * sizeof *ne);
        if (c->n) memcpy(ne, c->entries, c->n * sizeof *ne);
        c->entries = ne;
        c->cap = ncap;
    }
    c->entries[c->n++] = e;
    return 0;
}

void plan_free(struct plan *p) {
    expr_res_free(p->res);
    p->res = NULL;
}

static const char *const kind_names[] = {
    [LP_SCAN] = "Scan", [LP_PROJECT] = "Project", [LP_FILTER] = "Filter", [LP_WATERMARK] = "EventTimeWatermark",
    [LP_WINDOW] = "Window", [LP_AGGREGATE] = "Aggregate", [LP_DEDUP] = "Deduplicate", [LP_UNION] = "Union",
    [LP_SORT] = "Sort", [LP_LIMIT] = "Limit", [LP_GENERATE] = "Generate", [LP_JOIN] = "Join",
};

void lp_print(struct buf *b, const struct lp *n, int indent) {
    buf_printf(b, "%*s%s", indent * 2, "", kind_names[n->kind]);
    switch (n->kind) {
    case LP_SCAN: buf_printf(b, " %s (%s)", n->table->name, n->table->format); break;
    case LP_PROJECT:
        buf_printf(b, " [");
        for (uint32_t i = 0; i < n->nexprs; i++) {
            if (i) buf_printf(b, ", ");
            expr_print(b, n->exprs[i]);
            buf_printf(b, " AS %s", n->schema->fields[i].name);
        }
        buf_putc(b, ']');
        break;
    case LP_FILTER:
        buf_putc(b, ' ');
        expr_print(b, n->pred);
        break;
    case LP_WATERMARK: buf_printf(b, " #%d delay %lldus", n->wm_col, (long long)n->wm_delay_us); break;
    case LP_WINDOW:
        buf_printf(b, " ");
        expr_print(b, n->win_time);
        buf_printf(b, " size %lldus slide %lldus start %lldus", (long long)n->win_size, (long long)n->win_slide,
                   (long long)n->win_start);
        break;
    case LP_AGGREGATE:
        if (n->sess_key >= 0) buf_printf(b, " session_window(#%d gap %lldus)", n->sess_key, (long long)n->sess_gap);
        buf_printf(b, " keys [");
        for (uint32_t i = 0; i < n->nkeys; i++) {
            if (i) buf_printf(b, ", ");
            expr_print(b, n->keys[i]);
        }
        buf_printf(b, "] aggs [");
        for (uint32_t i = 0; i < n->naggs; i++) {
            if (i) buf_printf(b, ", ");
            buf_printf(b, "%s", n->aggs[i].name);
        }
        buf_putc(b, ']');
        break;
    case LP_DEDUP:
        buf_printf(b, "%s [", n->within_wm ? " within watermark" : "");
        for (uint32_t i = 0; i < n->ndedup; i++) buf_printf(b, i ? ", #%d" : "#%d", n->dedup_cols[i]);
        buf_putc(b, ']');
        break;
    case LP_LIMIT: buf_printf(b, " %lld", (long long)n->limit); break;
    default: break;
    }
    if (n->streaming) buf_printf(b, " streaming");
    if (n->wm_col >= 0 && n->kind != LP_WATERMARK) buf_printf(b, " wm=#%d", n->wm_col);
    buf_putc(b, '\n');
    if (n->child) lp_print(b, n->child, indent + 1);
    for (uint32_t i = 0; i < n->ninputs; i++) lp_print(b, n->inputs[i], indent + 1);
}
