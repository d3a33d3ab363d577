/* bind_query: SELECT / FROM / WHERE / GROUP BY / HAVING / UNION / ORDER BY
 * into logical plan nodes, plus weir's relation clauses:
 *   rel WATERMARK expr [AS name] DELAY OF INTERVAL ...   (Spark 4.1's clause)
 *   rel DEDUPLICATE [WITHIN WATERMARK] BY (cols)          (dropDuplicates)
 *
 * Plan shapes:
 *   FROM rel                       → SCAN | view's plan | subquery plan
 *   WATERMARK col                  → WATERMARK(child) marking col
 *   WATERMARK expr AS n            → WATERMARK(PROJECT(child, *, expr AS n))
 *   SELECT ... WHERE p             → PROJECT(FILTER(child, p))
 *   GROUP BY window(ts,...), k ... → PROJECT(FILTER_having(AGGREGATE(WINDOW(child))))
 * GROUP BY accepts select-list aliases and ordinals as Spark does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "engine/exec/func.h"
#include "engine/exec/kernels.h"
#include "engine/plan/bind.h"

void bind_init(struct binder *b, struct arena *a, const struct catalog *cat) {
    memset(b, 0, sizeof *b);
    b->a = a;
    b->cat = cat;
}

void bscope_from_schema(struct binder *b, struct bscope *s, const struct ty *schema, const char *qual) {
    s->n = schema->nfields;
    s->cols = arena_alloc(b->a, (s->n ? s->n : 1) * sizeof *s->cols);
    for (uint32_t i = 0; i < s->n; i++)
        s->cols[i] = (struct bscope_col){qual, schema->fields[i].name, schema->fields[i].type};
}

static struct lp *node(struct binder *b, enum lp_kind k, struct lp *child, uint32_t pos) {
    struct lp *n = arena_calloc(b->a, sizeof *n);
    n->kind = k;
    n->child = child;
    n->pos = pos;
    n->wm_col = -1;
    if (child) {
        n->schema = child->schema;
        n->streaming = child->streaming;
        n->wm_col = child->wm_col;
        n->wm_delay_us = child->wm_delay_us;
    }
    return n;
}

/* PROJECT with output names; the watermark column survives if projected as is. */
static struct lp *project(struct binder *b, struct lp *child, struct expr **exprs, const char **names, uint32_t n, uint32_t pos) {
    struct lp *p = node(b, LP_PROJECT, child, pos);
    struct ty_field *fs = arena_alloc(b->a, (n ? n : 1) * sizeof *fs);
    p->wm_col = -1;
    for (uint32_t i = 0; i < n; i++) {
        fs[i] = (struct ty_field){names[i], exprs[i]->type, true};
        if (p->wm_col < 0 && child && child->wm_col >= 0 && exprs[i]->kind == EX_COL && exprs[i]->col == child->wm_col)
            p->wm_col = (int)i;
    }
    p->schema = ty_struct(b->a, fs, n);
    p->exprs = exprs;
    p->nexprs = n;
    return p;
}

/* ---- relations ---- */

static struct lp *bind_rel(struct binder *b, const struct ast_rel *r, struct bscope *sc);

static struct lp *bind_table(struct binder *b, const struct ast_rel *r, struct bscope *sc) {
    const struct cat_entry *t = cat_find(b->cat, r->name);
    if (!t) {
        struct buf x = {0};
        for (uint32_t i = 0; i < b->cat->n; i++) buf_printf(&x, "%s`%s`", i ? ", " : "", b->cat->entries[i]->name);
        bind_error(b, r->pos, "[TABLE_OR_VIEW_NOT_FOUND] the table or view `%s` cannot be found; known: %.*s", r->name,
                   (int)x.len, x.len ? (char *)x.p : "(none)");
        buf_free(&x);
        return NULL;
    }
    const char *qual = r->alias ? r->alias : t->name;
    if (t->kind == CAT_VIEW) {
        if (b->depth > 32) {
            bind_error(b, r->pos, "view `%s` refers to itself", t->name);
            return NULL;
        }
        b->depth++;
        struct bscope inner;
        struct lp *p = bind_query(b, t->view, &inner);
        b->depth--;
        if (!p) return NULL;
        bscope_from_schema(b, sc, p->schema, qual);
        return p;
    }
    if (!t->schema) {
        bind_error(b, r->pos, "table `%s` has no columns to read (declare them: CREATE TABLE %s (a INT, ...) USING %s)", t->name,
                   t->name, t->format);
        return NULL;
    }
    struct lp *n = node(b, LP_SCAN, NULL, r->pos);
    n->table = t;
    n->schema = t->schema;
    n->streaming = t->streaming && !b->batch;
    bscope_from_schema(b, sc, n->schema, qual);
    return n;
}

static struct lp *bind_watermark(struct binder *b, const struct ast_rel *r, struct lp *child, struct bscope *sc) {
    int64_t delay;
    if (bind_interval(b, r->wm_delay, &delay)) return NULL;
    if (delay < 0) {
        bind_error(b, r->wm_delay->pos, "the watermark delay must not be negative");
        return NULL;
    }
    struct expr *x = bind_expr(b, r->wm_expr, sc, NULL);
    if (!x) return NULL;
    if (x->type->kind != TY_TIMESTAMP) {
        bind_error(b, r->wm_expr->pos, "[EVENT_TIME_IS_NOT_ON_TIMESTAMP_TYPE] the event time %s has type %s; the watermark needs a TIMESTAMP",
                   ast_auto_name(b->a, r->wm_expr), ty_sql_str(b->a, x->type));
        return NULL;
    }
    int col;
    if (x->kind == EX_COL && !r->wm_alias) {
        col = x->col;
    } else {
        /* append the event-time column: all columns, then expr AS name */
        uint32_t n = sc->n;
        struct expr **ex = arena_alloc(b->a, (n + 1) * sizeof *ex);
        const char **names = arena_alloc(b->a, (n + 1) * sizeof *names);
        for (uint32_t i = 0; i < n; i++) {
            ex[i] = expr_col(b->a, (int)i, sc->cols[i].type);
            names[i] = sc->cols[i].name;
        }
        ex[n] = x;
        names[n] = r->wm_alias ? r->wm_alias : ast_auto_name(b->a, r->wm_expr);
        child = project(b, child, ex, names, n + 1, r->pos);
        const char *qual = n ? sc->cols[0].qual : NULL;
        struct bscope_col *nc = arena_alloc(b->a, (n + 1) * sizeof *nc);
        if (n) memcpy(nc, sc->cols, n * sizeof *nc);
        nc[n] = (struct bscope_col){qual, names[n], x->type};
        sc->cols = nc;
        sc->n = n + 1;
        col = (int)n;
    }
    struct lp *w = node(b, LP_WATERMARK, child, r->pos);
    w->wm_col = col;
    w->wm_delay_us = delay;
    return w;
}

static struct lp *bind_dedup(struct binder *b, const struct ast_rel *r, struct lp *child, struct bscope *sc) {
    struct lp *d = node(b, LP_DEDUP, child, r->pos);
    d->dedup_cols = arena_alloc(b->a, (r->ndedup ? r->ndedup : 1) * sizeof *d->dedup_cols);
    for (uint32_t i = 0; i < r->ndedup; i++) {
        struct expr *x = bind_expr(b, r->dedup[i], sc, NULL);
        if (!x) return NULL;
        if (x->kind != EX_COL) {
            bind_error(b, r->dedup[i]->pos, "DEDUPLICATE BY takes column names, not expressions or struct fields");
            return NULL;
        }
        d->dedup_cols[i] = x->col;
    }
    d->ndedup = r->ndedup;
    d->within_wm = r->dedup_within_wm;
    if (d->within_wm && child->wm_col < 0) {
        bind_error(b, r->pos, "DEDUPLICATE WITHIN WATERMARK needs a WATERMARK on this relation (dropDuplicatesWithinWatermark)");
        return NULL;
    }
    return d;
}

static void split_and(const struct ast *e, const struct ast **out, uint32_t *n, uint32_t cap) {
    if (e->kind == AST_AND) {
        split_and(e->args[0], out, n, cap);
        split_and(e->args[1], out, n, cap);
    } else if (*n < cap) {
        out[(*n)++] = e;
    }
}

/* Binds e against scope s without reporting errors; NULL if it does not bind. */
static struct expr *try_bind(struct binder *b, const struct ast *e, const struct bscope *s) {
    int saved = b->failed;
    b->quiet++;
    struct expr *x = bind_expr(b, e, s, NULL);
    b->quiet--;
    b->failed = saved;
    return x;
}

/* A time operand of a join condition: column c (combined numbering) plus d us. */
static int time_operand(const struct expr *e, int *c, int64_t *d) {
    *d = 0;
    while (e->kind == EX_CALL && e->nargs == 1 && e->name &&
           (!strcmp(e->name, "timestamp_add") || !strcmp(e->name, "timestamp_sub"))) {
        *d += *(const int64_t *)e->state;
        e = e->args[0];
    }
    if (e->kind != EX_COL) return 0;
    *c = e->col;
    return 1;
}

/* Collects bounds on lt - rt from the comparisons in an AND tree of bound
 * expressions, where lt is combined column lc and rt is rc. */
static void time_bounds(const struct expr *e, int lc, int rc, int64_t *lower, int *has_lower, int64_t *upper, int *has_upper) {
    if (e->kind == EX_CALL && e->fn == kern_and) {
        time_bounds(e->args[0], lc, rc, lower, has_lower, upper, has_upper);
        time_bounds(e->args[1], lc, rc, lower, has_lower, upper, has_upper);
        return;
    }
    if (e->kind != EX_CALL || e->nargs != 2 || !e->name) return;
    int op = e->op;
    if (op != OP_GE && op != OP_GT && op != OP_LE && op != OP_LT) return;
    int ca, cb;
    int64_t da, db;
    if (!time_operand(e->args[0], &ca, &da) || !time_operand(e->args[1], &cb, &db)) return;
    /* (ca + da) op (cb + db); orient as lt - rt op k */
    int64_t k;
    if (ca == lc && cb == rc) k = db - da;
    else if (ca == rc && cb == lc) {
        k = da - db; /* rt + da op lt + db  →  lt - rt (flipped op) da - db */
        op = op == OP_GE ? OP_LE : op == OP_GT ? OP_LT : op == OP_LE ? OP_GE : OP_GT;
    } else {
        return;
    }
    if (op == OP_GE || op == OP_GT) {
        if (!*has_lower || k > *lower) *lower = k;
        *has_lower = 1;
    } else {
        if (!*has_upper || k < *upper) *upper = k;
        *has_upper = 1;
    }
}

static struct lp *bind_join(struct binder *b, const struct ast_rel *r, struct bscope *sc) {
    struct bscope ls = {0}, rs = {0};
    struct lp *l = bind_rel(b, r->left, &ls);
    struct lp *rt = l ? bind_rel(b, r->right, &rs) : NULL;
    if (!rt) return NULL;
    enum ast_join jt = r->join;
    bool build_left = false;
    bool ss = l->streaming && rt->streaming;
    if (ss && jt != JOIN_INNER && jt != JOIN_LEFT && jt != JOIN_RIGHT)
        return bind_error(b, r->pos, "between two streams weir supports inner, left outer and right outer joins"), NULL;
    if (jt == JOIN_FULL)
        return bind_error(b, r->pos, "FULL OUTER joins are not supported yet%s",
                          l->streaming || rt->streaming ? " (Spark does not allow them between a stream and a static table either)" : ""), NULL;
    if (ss) {
        /* both sides buffer; outer joins are checked below (watermarks + time range) */
    } else if (jt == JOIN_RIGHT) {
        if (l->streaming)
            return bind_error(b, r->pos, "Right outer join with a streaming DataFrame/Dataset on the left and a static "
                                         "DataFrame/DataSet on the right is not supported"), NULL;
        build_left = true;
    } else if (jt == JOIN_LEFT || jt == JOIN_LEFT_SEMI || jt == JOIN_LEFT_ANTI) {
        if (rt->streaming)
            return bind_error(b, r->pos, "%s join with a streaming DataFrame/Dataset on the right and a static "
                                         "DataFrame/DataSet on the left is not supported",
                              jt == JOIN_LEFT ? "Left outer" : jt == JOIN_LEFT_SEMI ? "Left semi" : "Left anti"), NULL;
    } else if (rt->streaming) {
        build_left = true; /* inner/cross: hash the static side */
    }
    /* the combined scope: left columns then right columns */
    struct bscope all = {0};
    all.n = ls.n + rs.n;
    all.cols = arena_alloc(b->a, (all.n ? all.n : 1) * sizeof *all.cols);
    if (ls.n) memcpy(all.cols, ls.cols, ls.n * sizeof *all.cols);
    if (rs.n) memcpy(all.cols + ls.n, rs.cols, rs.n * sizeof *all.cols);
    struct lp *j = node(b, LP_JOIN, NULL, r->pos);
    j->join = jt;
    j->build_left = build_left;
    j->stream_stream = ss;
    j->inputs = arena_alloc(b->a, 2 * sizeof *j->inputs);
    j->inputs[0] = l;
    j->inputs[1] = rt;
    j->ninputs = 2;
    j->streaming = l->streaming || rt->streaming;
    const struct lp *stream = l->streaming ? l : rt->streaming ? rt : NULL;
    if (stream && stream->wm_col >= 0) {
        j->wm_col = stream == l ? l->wm_col : (int)ls.n + rt->wm_col;
        j->wm_delay_us = stream->wm_delay_us;
    }
    struct expr **lk = arena_alloc(b->a, 64 * sizeof *lk), **rk = arena_alloc(b->a, 64 * sizeof *rk);
    uint32_t nk = 0;
    struct expr *residual = NULL;
    if (r->nusing) {
        for (uint32_t u = 0; u < r->nusing && nk < 64; u++) {
            int li = -1, ri = -1;
            for (uint32_t c = 0; c < ls.n; c++)
                if (!strcasecmp(ls.cols[c].name, r->using_cols[u])) li = (int)c;
            for (uint32_t c = 0; c < rs.n; c++)
                if (!strcasecmp(rs.cols[c].name, r->using_cols[u])) ri = (int)c;
            if (li < 0 || ri < 0)
                return bind_error(b, r->pos, "USING column `%s` must exist on both sides of the join", r->using_cols[u]), NULL;
            const struct ty *t = fb_common_type(b->a, ls.cols[li].type, rs.cols[ri].type);
            if (!t) return bind_error(b, r->pos, "USING column `%s` has incompatible types on the two sides", r->using_cols[u]), NULL;
            lk[nk] = fb_cast_expr(b->a, expr_col(b->a, li, ls.cols[li].type), t);
            rk[nk++] = fb_cast_expr(b->a, expr_col(b->a, ri, rs.cols[ri].type), t);
        }
    } else if (r->on) {
        const struct ast *conj[64];
        uint32_t nc = 0;
        split_and(r->on, conj, &nc, 64);
        for (uint32_t c = 0; c < nc; c++) {
            const struct ast *e = conj[c];
            if (e->kind == AST_BINOP && e->op == OP_EQ && nk < 64) {
                struct expr *x = try_bind(b, e->args[0], &ls), *y = try_bind(b, e->args[1], &rs);
                if (!x || !y) {
                    x = try_bind(b, e->args[1], &ls);
                    y = try_bind(b, e->args[0], &rs);
                }
                /* each side of the key binds against its own input only */
                if (x && y) {
                    const struct ty *t = fb_common_type(b->a, x->type, y->type);
                    if (t) {
                        lk[nk] = fb_cast_expr(b->a, x, t);
                        rk[nk++] = fb_cast_expr(b->a, y, t);
                        continue;
                    }
                }
            }
            struct expr *x = bind_expr(b, e, &all, NULL);
            if (!x) return NULL;
            if (x->type->kind != TY_BOOLEAN) return bind_error(b, e->pos, "a join condition must be BOOLEAN"), NULL;
            if (jt == JOIN_LEFT_SEMI || jt == JOIN_LEFT_ANTI)
                return bind_error(b, e->pos, "semi and anti joins support only equality conditions for now"), NULL;
            residual = residual ? expr_call(b->a, "and", ty_boolean(), kern_and, (struct expr *[]){residual, x}, 2) : x;
        }
    } else if (jt != JOIN_CROSS) {
        return bind_error(b, r->pos, "a join needs ON or USING"), NULL;
    }
    if (ss && nk == 0)
        return bind_error(b, r->pos, "a join of two streams needs an equality between the two sides in ON or USING"), NULL;
    j->lkeys = lk;
    j->rkeys = rk;
    j->njkeys = nk;
    j->residual = residual;
    if (ss && residual && l->wm_col >= 0 && rt->wm_col >= 0) {
        int64_t lo = 0, hi = 0;
        int hlo = 0, hhi = 0;
        time_bounds(residual, l->wm_col, (int)ls.n + rt->wm_col, &lo, &hlo, &hi, &hhi);
        if (hlo && hhi) {
            j->ss_evict = true;
            j->ss_lwm = l->wm_col;
            j->ss_rwm = rt->wm_col;
            j->ss_lower = lo;
            j->ss_upper = hi;
        }
    }
    if (ss && jt != JOIN_INNER && !j->ss_evict)
        return bind_error(b, r->pos, "Stream-stream %s join between two streaming DataFrame/Datasets is not supported "
                                     "without a watermark in the join keys, or a watermark on the nullable side and an "
                                     "appropriate range condition (give both inputs a WATERMARK and bound their event times "
                                     "in ON, e.g. r.t BETWEEN l.t AND l.t + INTERVAL 1 hour)",
                          jt == JOIN_LEFT ? "LeftOuter" : "RightOuter"), NULL;
    int semi = jt == JOIN_LEFT_SEMI || jt == JOIN_LEFT_ANTI;
    uint32_t nout = semi ? l->schema->nfields : all.n;
    struct ty_field *fs = arena_alloc(b->a, (nout ? nout : 1) * sizeof *fs);
    for (uint32_t c = 0; c < nout; c++) fs[c] = (struct ty_field){all.cols[c].name, all.cols[c].type, true};
    j->schema = ty_struct(b->a, fs, nout);
    if (semi) all.n = ls.n;
    if (r->nusing && !semi) {
        /* USING: the right side's join columns are not repeated */
        struct expr **ex = arena_alloc(b->a, all.n * sizeof *ex);
        const char **names = arena_alloc(b->a, all.n * sizeof *names);
        struct bscope_col *nc = arena_alloc(b->a, all.n * sizeof *nc);
        uint32_t m = 0;
        for (uint32_t c = 0; c < all.n; c++) {
            int drop = 0;
            for (uint32_t u = 0; u < r->nusing && c >= ls.n; u++) drop |= !strcasecmp(all.cols[c].name, r->using_cols[u]);
            if (drop) continue;
            ex[m] = expr_col(b->a, (int)c, all.cols[c].type);
            names[m] = all.cols[c].name;
            nc[m++] = all.cols[c];
        }
        struct lp *p = project(b, j, ex, names, m, r->pos);
        sc->cols = nc;
        sc->n = m;
        return p;
    }
    *sc = all;
    return j;
}

static struct lp *bind_rel(struct binder *b, const struct ast_rel *r, struct bscope *sc) {
    struct lp *p;
    switch (r->kind) {
    case REL_TABLE: p = bind_table(b, r, sc); break;
    case REL_SUBQUERY: {
        struct bscope inner;
        p = bind_query(b, r->sub, &inner);
        if (p) bscope_from_schema(b, sc, p->schema, r->alias);
        break;
    }
    case REL_JOIN: return bind_join(b, r, sc);
    default: return NULL;
    }
    if (!p) return NULL;
    if (r->wm_expr && !(p = bind_watermark(b, r, p, sc))) return NULL;
    if (r->dedup && !(p = bind_dedup(b, r, p, sc))) return NULL;
    return p;
}

/* ---- SELECT ---- */

/* Expands the select list (stars) into expressions and names. */
struct items {
    struct expr **ex;
    const char **names;
    const struct ast **asts;
    uint32_t n, cap;
};

static void items_push(struct binder *b, struct items *it, struct expr *e, const char *name, const struct ast *a) {
    if (it->n == it->cap) {
        uint32_t nc = it->cap ? it->cap * 2 : 16;
        struct expr **ne = arena_alloc(b->a, nc * sizeof *ne);
        const char **nn = arena_alloc(b->a, nc * sizeof *nn);
        const struct ast **na = arena_alloc(b->a, nc * sizeof *na);
        if (it->n) {
            memcpy(ne, it->ex, it->n * sizeof *ne);
            memcpy(nn, it->names, it->n * sizeof *nn);
            memcpy(na, it->asts, it->n * sizeof *na);
        }
        it->ex = ne;
        it->names = nn;
        it->asts = na;
        it->cap = nc;
    }
    it->ex[it->n] = e;
    it->names[it->n] = name;
    it->asts[it->n++] = a;
}

static int expand_star(struct binder *b, const struct ast *st, const struct bscope *sc, struct items *it) {
    if (st->nparts == 0) {
        for (uint32_t i = 0; i < sc->n; i++) items_push(b, it, expr_col(b->a, (int)i, sc->cols[i].type), sc->cols[i].name, NULL);
        if (!sc->n) return bind_error(b, st->pos, "SELECT * needs a FROM clause");
        return 0;
    }
    /* t.* (qualifier) */
    int any = 0;
    if (st->nparts == 1)
        for (uint32_t i = 0; i < sc->n; i++)
            if (sc->cols[i].qual && !strcasecmp(sc->cols[i].qual, st->parts[0])) {
                items_push(b, it, expr_col(b->a, (int)i, sc->cols[i].type), sc->cols[i].name, NULL);
                any = 1;
            }
    if (any) return 0;
    /* s.* (struct column): its fields */
    struct ast col = {.kind = AST_COLUMN, .pos = st->pos, .parts = st->parts, .nparts = st->nparts};
    struct expr *s = bind_expr(b, &col, sc, NULL);
    if (!s) return -1;
    if (s->type->kind != TY_STRUCT)
        return bind_error(b, st->pos, "cannot expand %s.*: it is neither a table alias nor a STRUCT column", st->parts[0]);
    for (uint32_t f = 0; f < s->type->nfields; f++) items_push(b, it, expr_field(b->a, s, (int)f), s->type->fields[f].name, NULL);
    return 0;
}

static int find_in_scope_quiet(struct binder *b, const struct ast *g, const struct bscope *sc) {
    (void)b;
    for (uint32_t i = 0; i < sc->n; i++)
        if (!strcasecmp(sc->cols[i].name, g->parts[0])) return (int)i;
    return -1;
}

/* GROUP BY entry: an ordinal or an alias of the select list means that item's AST. */
static const struct ast *group_ast(struct binder *b, const struct ast_query *q, const struct ast *g, const struct bscope *sc) {
    if (g->kind == AST_INT) {
        if (g->ival < 1 || g->ival > q->nitems) {
            bind_error(b, g->pos, "GROUP BY position %lld is not in the select list (1..%u)", (long long)g->ival, q->nitems);
            return NULL;
        }
        return q->items[g->ival - 1].expr;
    }
    if (g->kind == AST_COLUMN && g->nparts == 1 && find_in_scope_quiet(b, g, sc) < 0)
        for (uint32_t i = 0; i < q->nitems; i++)
            if (q->items[i].alias && !strcasecmp(q->items[i].alias, g->parts[0])) return q->items[i].expr;
    return g;
}

static struct lp *bind_window(struct binder *b, const struct ast *g, struct lp *child, struct bscope *sc) {
    if (g->nargs < 2 || g->nargs > 4) {
        bind_error(b, g->pos, "[WRONG_NUM_ARGS] window requires 2 to 4 arguments (timeColumn, windowDuration[, slideDuration[, startTime]]) but got %u",
                   g->nargs);
        return NULL;
    }
    struct expr *t = bind_expr(b, g->args[0], sc, NULL);
    if (!t) return NULL;
    if (t->type->kind == TY_STRING || t->type->kind == TY_DATE) t = fb_cast_expr(b->a, t, ty_timestamp());
    if (t->type->kind != TY_TIMESTAMP) {
        bind_error(b, g->args[0]->pos, "[DATATYPE_MISMATCH] the time column of window must be a TIMESTAMP but has type %s",
                   ty_sql_str(b->a, t->type));
        return NULL;
    }
    int64_t size, slide, start = 0;
    if (bind_interval(b, g->args[1], &size)) return NULL;
    slide = size;
    if (g->nargs > 2 && bind_interval(b, g->args[2], &slide)) return NULL;
    if (g->nargs > 3 && bind_interval(b, g->args[3], &start)) return NULL;
    if (size <= 0) return bind_error(b, g->args[1]->pos, "the window duration must be greater than 0"), NULL;
    if (slide <= 0) return bind_error(b, g->args[2]->pos, "the slide duration must be greater than 0"), NULL;
    if (slide > size)
        return bind_error(b, g->args[2]->pos, "the slide duration must be less than or equal to the window duration"), NULL;
    if ((size + slide - 1) / slide > VEC_MAX_ROWS / 4)
        return bind_error(b, g->args[2]->pos, "a row would fall in %lld windows (window duration / slide duration); at most %u are supported",
                          (long long)((size + slide - 1) / slide), VEC_MAX_ROWS / 4), NULL;
    if (start < 0 || start >= slide)
        return bind_error(b, g->args[g->nargs > 3 ? 3 : 1]->pos, "the start time must be at least 0 and less than the slide duration"), NULL;
    struct lp *w = node(b, LP_WINDOW, child, g->pos);
    w->win_time = t;
    w->win_size = size;
    w->win_slide = slide;
    w->win_start = start;
    struct ty_field wf[2] = {{"start", ty_timestamp(), true}, {"end", ty_timestamp(), true}};
    const struct ty *wt = ty_struct(b->a, wf, 2);
    uint32_t n = child->schema->nfields;
    struct ty_field *fs = arena_alloc(b->a, (n + 1) * sizeof *fs);
    if (n) memcpy(fs, child->schema->fields, n * sizeof *fs);
    fs[n] = (struct ty_field){"window", wt, true};
    w->schema = ty_struct(b->a, fs, n + 1);
    /* the window carries the watermark when its time column does */
    if (child->wm_col >= 0 && t->kind == EX_COL && t->col == child->wm_col) w->wm_col = (int)n;
    else if (child->wm_col >= 0) w->wm_col = child->wm_col;
    struct bscope_col *nc = arena_alloc(b->a, (sc->n + 1) * sizeof *nc);
    if (sc->n) memcpy(nc, sc->cols, sc->n * sizeof *nc);
    nc[sc->n] = (struct bscope_col){NULL, "window", wt};
    sc->cols = nc;
    sc->n++;
    return w;
}

static struct lp *bind_aggregate(struct binder *b, const struct ast_query *q, struct lp *child, struct bscope *sc,
                                 struct items *out) {
    struct aggbind agg = {0};
    uint32_t ng = q->ngroup;
    agg.keys = arena_alloc(b->a, (ng ? ng : 1) * sizeof *agg.keys);
    agg.key_asts = arena_alloc(b->a, (ng ? ng : 1) * sizeof *agg.key_asts);
    agg.key_names = arena_alloc(b->a, (ng ? ng : 1) * sizeof *agg.key_names);
    int window_seen = 0, sess_key = -1;
    struct expr *sess_time = NULL;
    int64_t sess_gap = 0;
    for (uint32_t i = 0; i < ng; i++) {
        const struct ast *g = group_ast(b, q, q->group[i], sc);
        if (!g) return NULL;
        if (bind_has_aggregate(g)) return bind_error(b, g->pos, "aggregate functions are not allowed in GROUP BY"), NULL;
        if (g->kind == AST_FUNC && !strcasecmp(g->text, "session_window")) {
            if (window_seen++) return bind_error(b, g->pos, "only one window() or session_window() per GROUP BY is supported"), NULL;
            if (g->nargs != 2)
                return bind_error(b, g->pos, "[WRONG_NUM_ARGS] session_window requires 2 arguments (timeColumn, gapDuration) but got %u", g->nargs), NULL;
            struct expr *t = bind_expr(b, g->args[0], sc, NULL);
            if (!t) return NULL;
            if (t->type->kind == TY_STRING || t->type->kind == TY_DATE) t = fb_cast_expr(b->a, t, ty_timestamp());
            if (t->type->kind != TY_TIMESTAMP)
                return bind_error(b, g->args[0]->pos, "[DATATYPE_MISMATCH] the time column of session_window must be a TIMESTAMP"), NULL;
            if (bind_interval(b, g->args[1], &sess_gap)) return NULL;
            if (sess_gap <= 0) return bind_error(b, g->args[1]->pos, "the session gap must be greater than 0"), NULL;
            struct ty_field wf[2] = {{"start", ty_timestamp(), true}, {"end", ty_timestamp(), true}};
            agg.keys[i] = expr_const_null(b->a, ty_struct(b->a, wf, 2)); /* filled by the session operator */
            agg.key_names[i] = "session_window";
            sess_key = (int)i;
            sess_time = t;
        } else if (g->kind == AST_FUNC && !strcasecmp(g->text, "window")) {
            if (window_seen++) return bind_error(b, g->pos, "only one window() or session_window() per GROUP BY is supported"), NULL;
            child = bind_window(b, g, child, sc);
            if (!child) return NULL;
            agg.keys[i] = expr_col(b->a, (int)sc->n - 1, sc->cols[sc->n - 1].type);
            agg.key_names[i] = "window";
        } else {
            agg.keys[i] = bind_expr(b, g, sc, NULL);
            if (!agg.keys[i]) return NULL;
            agg.key_names[i] = ast_auto_name(b->a, g);
        }
        agg.key_asts[i] = g;
    }
    agg.nkeys = ng;
    agg.in = sc;
    /* select items and HAVING against the keys */
    struct items it = {0};
    for (uint32_t i = 0; i < q->nitems; i++) {
        const struct ast_item *x = &q->items[i];
        if (x->expr->kind == AST_STAR) {
            bind_error(b, x->pos, "SELECT * cannot be combined with GROUP BY or aggregate functions");
            return NULL;
        }
        struct expr *e = bind_expr(b, x->expr, sc, &agg);
        if (!e) return NULL;
        items_push(b, &it, e, x->alias ? x->alias : ast_auto_name(b->a, x->expr), x->expr);
    }
    struct expr *having = NULL;
    if (q->having) {
        having = bind_expr(b, q->having, sc, &agg);
        if (!having) return NULL;
        if (having->type->kind != TY_BOOLEAN) return bind_error(b, q->having->pos, "HAVING must be a BOOLEAN condition"), NULL;
    }
    struct lp *a = node(b, LP_AGGREGATE, child, q->pos);
    a->keys = agg.keys;
    a->nkeys = agg.nkeys;
    a->aggs = agg.aggs;
    a->naggs = agg.naggs;
    a->sess_key = sess_key;
    a->sess_time = sess_time;
    a->sess_gap = sess_gap;
    struct ty_field *fs = arena_alloc(b->a, (agg.nkeys + agg.naggs + 1) * sizeof *fs);
    a->wm_col = -1;
    for (uint32_t i = 0; i < agg.nkeys; i++) {
        fs[i] = (struct ty_field){agg.key_names[i], agg.keys[i]->type, true};
        if (child->wm_col >= 0 && agg.keys[i]->kind == EX_COL && agg.keys[i]->col == child->wm_col) a->wm_col = (int)i;
    }
    /* a session window on the watermarked column carries the watermark */
    if (sess_key >= 0 && child->wm_col >= 0 && sess_time->kind == EX_COL && sess_time->col == child->wm_col) a->wm_col = sess_key;
    for (uint32_t i = 0; i < agg.naggs; i++) fs[agg.nkeys + i] = (struct ty_field){agg.aggs[i].name, agg.aggs[i].fn.type, true};
    a->schema = ty_struct(b->a, fs, agg.nkeys + agg.naggs);
    struct lp *top = a;
    if (having) {
        top = node(b, LP_FILTER, a, q->having->pos);
        top->pred = having;
    }
    *out = it;
    return top;
}

static int is_generator(const struct ast *e) {
    return e->kind == AST_FUNC && (!strcasecmp(e->text, "explode") || !strcasecmp(e->text, "explode_outer") ||
                                   !strcasecmp(e->text, "posexplode") || !strcasecmp(e->text, "posexplode_outer"));
}

/* SELECT ..., explode(x) [AS name], ...: a GENERATE node under the projection
 * that appends the element columns; *first receives the first new column. */
static struct lp *bind_generate(struct binder *b, const struct ast_item *it, struct lp *child, struct bscope *sc, uint32_t *first,
                                uint32_t *count) {
    const struct ast *g = it->expr;
    if (g->nargs != 1) return bind_error(b, g->pos, "[WRONG_NUM_ARGS] %s requires 1 argument but got %u", g->text, g->nargs), NULL;
    struct expr *c = bind_expr(b, g->args[0], sc, NULL);
    if (!c) return NULL;
    if (c->type->kind != TY_ARRAY && c->type->kind != TY_MAP)
        return bind_error(b, g->args[0]->pos, "[DATATYPE_MISMATCH] %s needs an ARRAY or MAP but got %s", g->text,
                          ty_sql_str(b->a, c->type)), NULL;
    struct lp *n = node(b, LP_GENERATE, child, g->pos);
    n->gen = c;
    n->gen_outer = strstr(g->text, "outer") || strstr(g->text, "OUTER");
    n->gen_pos = !strncasecmp(g->text, "pos", 3);
    uint32_t nin = child->schema->nfields, extra = (c->type->kind == TY_MAP ? 2 : 1) + (n->gen_pos ? 1 : 0);
    struct ty_field *fs = arena_alloc(b->a, (nin + extra) * sizeof *fs);
    if (nin) memcpy(fs, child->schema->fields, nin * sizeof *fs);
    uint32_t at = nin;
    if (n->gen_pos) fs[at++] = (struct ty_field){"pos", ty_int(), true};
    if (c->type->kind == TY_MAP) {
        fs[at++] = (struct ty_field){"key", c->type->key, true};
        fs[at++] = (struct ty_field){"value", c->type->elem, true};
    } else {
        fs[at++] = (struct ty_field){it->alias ? it->alias : "col", c->type->elem, true};
    }
    n->schema = ty_struct(b->a, fs, nin + extra);
    struct bscope_col *nc = arena_alloc(b->a, (sc->n + extra) * sizeof *nc);
    if (sc->n) memcpy(nc, sc->cols, sc->n * sizeof *nc);
    for (uint32_t k = 0; k < extra; k++) nc[sc->n + k] = (struct bscope_col){NULL, fs[nin + k].name, fs[nin + k].type};
    *first = sc->n;
    *count = extra;
    sc->cols = nc;
    sc->n += extra;
    return n;
}

static struct lp *bind_select(struct binder *b, const struct ast_query *q, struct bscope *out_scope) {
    struct bscope sc = {0};
    struct lp *p;
    if (q->from) {
        p = bind_rel(b, q->from, &sc);
        if (!p) return NULL;
    } else {
        /* SELECT without FROM: one row of no columns */
        p = node(b, LP_SCAN, NULL, q->pos);
        p->schema = ty_struct(b->a, NULL, 0);
    }
    if (q->where) {
        if (bind_has_aggregate(q->where))
            return bind_error(b, q->where->pos, "aggregate functions are not allowed in WHERE; use HAVING"), NULL;
        struct expr *pred = bind_expr(b, q->where, &sc, NULL);
        if (!pred) return NULL;
        if (pred->type->kind != TY_BOOLEAN) {
            if (pred->type->kind == TY_NULL || pred->type->kind == TY_STRING) pred = fb_cast_expr(b->a, pred, ty_boolean());
            else return bind_error(b, q->where->pos, "WHERE must be a BOOLEAN condition but has type %s", ty_sql_str(b->a, pred->type)), NULL;
        }
        struct lp *f = node(b, LP_FILTER, p, q->where->pos);
        f->pred = pred;
        p = f;
    }
    int is_agg = q->ngroup > 0 || bind_has_aggregate(q->having);
    for (uint32_t i = 0; i < q->nitems && !is_agg; i++) is_agg = bind_has_aggregate(q->items[i].expr);
    struct items it = {0};
    if (is_agg) {
        p = bind_aggregate(b, q, p, &sc, &it);
        if (!p) return NULL;
    } else {
        if (q->having) return bind_error(b, q->having->pos, "HAVING needs GROUP BY or an aggregate function"), NULL;
        int gi = -1;
        uint32_t gfirst = 0, gcount = 0;
        for (uint32_t i = 0; i < q->nitems; i++) {
            if (!is_generator(q->items[i].expr)) continue;
            if (gi >= 0) return bind_error(b, q->items[i].pos, "only one generator (explode) is allowed per SELECT clause"), NULL;
            gi = (int)i;
        }
        if (gi >= 0 && !(p = bind_generate(b, &q->items[gi], p, &sc, &gfirst, &gcount))) return NULL;
        for (uint32_t i = 0; i < q->nitems; i++) {
            const struct ast_item *x = &q->items[i];
            if (x->expr->kind == AST_FUNC && !strcasecmp(x->expr->text, "json_tuple")) {
                /* json_tuple(json, 'a', 'b') → c0, c1: each a top-level field as a string */
                if (x->expr->nargs < 2) return bind_error(b, x->pos, "json_tuple needs a JSON string and at least one field name"), NULL;
                struct expr *js = bind_expr(b, x->expr->args[0], &sc, NULL);
                if (!js) return NULL;
                for (uint32_t k = 1; k < x->expr->nargs; k++) {
                    const struct ast *f = x->expr->args[k];
                    if (f->kind != AST_STRING) return bind_error(b, f->pos, "json_tuple field names must be string literals"), NULL;
                    /* names with dots or brackets are single keys for json_tuple */
                    const char *path = arena_printf(b->a, "$['%s']", f->text);
                    const struct func_def *d = func_lookup("get_json_object");
                    struct fbind fb = {.a = b->a, .name = "get_json_object", .nargs = 2, .err_arg = -1, .res = &b->res};
                    fb.args = arena_alloc(b->a, 2 * sizeof *fb.args);
                    fb.args[0] = js;
                    fb.args[1] = expr_const_string(b->a, path, (uint32_t)strlen(path));
                    if (d->bind(&fb)) return bind_error(b, f->pos, "%s", fb.err), NULL;
                    items_push(b, &it, fb.result, arena_printf(b->a, "c%u", k - 1), NULL);
                }
                continue;
            }
            if ((int)i == gi) {
                for (uint32_t k = 0; k < gcount; k++)
                    items_push(b, &it, expr_col(b->a, (int)(gfirst + k), sc.cols[gfirst + k].type), sc.cols[gfirst + k].name, NULL);
                continue;
            }
            if (x->expr->kind == AST_STAR) {
                if (x->alias) return bind_error(b, x->pos, "* cannot have an alias"), NULL;
                if (expand_star(b, x->expr, &sc, &it)) return NULL;
                continue;
            }
            struct expr *e = bind_expr(b, x->expr, &sc, NULL);
            if (!e) return NULL;
            items_push(b, &it, e, x->alias ? x->alias : ast_auto_name(b->a, x->expr), x->expr);
        }
    }
    p = project(b, p, it.ex, it.names, it.n, q->pos);
    if (q->distinct) {
        if (p->streaming)
            return bind_error(b, q->pos, "SELECT DISTINCT is not supported on streaming data (Spark rejects it too); "
                                         "deduplicate the input instead: FROM rel [WATERMARK ...] DEDUPLICATE BY (col, ...)"), NULL;
        struct lp *d = node(b, LP_DEDUP, p, q->pos);
        d->ndedup = p->schema->nfields;
        d->dedup_cols = arena_alloc(b->a, (d->ndedup ? d->ndedup : 1) * sizeof *d->dedup_cols);
        for (uint32_t i = 0; i < d->ndedup; i++) d->dedup_cols[i] = (int)i;
        p = d;
    }
    bscope_from_schema(b, out_scope, p->schema, NULL);
    return p;
}

/* ORDER BY and LIMIT bind against the query's output columns. */
static struct lp *bind_order_limit(struct binder *b, const struct ast_query *q, struct lp *p, struct bscope *sc) {
    if (q->norder) {
        struct lp *s = node(b, LP_SORT, p, q->order[0].expr->pos);
        s->sort = arena_alloc(b->a, q->norder * sizeof *s->sort);
        s->nsort = q->norder;
        for (uint32_t i = 0; i < q->norder; i++) {
            const struct ast *oe = q->order[i].expr;
            struct expr *e;
            if (oe->kind == AST_INT) {
                if (oe->ival < 1 || oe->ival > sc->n)
                    return bind_error(b, oe->pos, "ORDER BY position %lld is not in the select list (1..%u)", (long long)oe->ival, sc->n), NULL;
                e = expr_col(b->a, (int)oe->ival - 1, sc->cols[oe->ival - 1].type);
            } else {
                e = bind_expr(b, oe, sc, NULL);
            }
            if (!e) return NULL;
            s->sort[i].expr = e;
            s->sort[i].desc = q->order[i].desc;
            /* Spark: NULLS FIRST for ASC, NULLS LAST for DESC by default */
            s->sort[i].nulls_first = q->order[i].nulls_first >= 0 ? q->order[i].nulls_first : !q->order[i].desc;
        }
        p = s;
    }
    if (q->limit) {
        struct expr *l = bind_expr(b, q->limit, sc, NULL);
        if (!l) return NULL;
        if (l->kind != EX_CONST || !ty_is_integral(l->type) || !l->value->valid[0])
            return bind_error(b, q->limit->pos, "LIMIT needs a constant integer"), NULL;
        int64_t v = l->type->kind == TY_INT ? vec_i32(l->value)[0] : vec_i64(l->value)[0];
        if (v < 0) return bind_error(b, q->limit->pos, "LIMIT must not be negative"), NULL;
        struct lp *n = node(b, LP_LIMIT, p, q->limit->pos);
        n->limit = v;
        p = n;
    }
    return p;
}

struct lp *bind_query(struct binder *b, const struct ast_query *q, struct bscope *out_scope) {
    struct lp *p;
    if (q->kind == Q_UNION) {
        struct bscope ls, rs;
        struct lp *l = bind_query(b, q->left, &ls);
        struct lp *r = l ? bind_query(b, q->right, &rs) : NULL;
        if (!r) return NULL;
        if (l->schema->nfields != r->schema->nfields)
            return bind_error(b, q->right->pos, "[NUM_COLUMNS_MISMATCH] UNION can only be performed on inputs with the same number of columns, but the first has %u and the second %u",
                              l->schema->nfields, r->schema->nfields), NULL;
        /* widen each column to the common type */
        uint32_t n = l->schema->nfields;
        struct ty_field *fs = arena_alloc(b->a, (n ? n : 1) * sizeof *fs);
        struct expr **le = arena_alloc(b->a, (n ? n : 1) * sizeof *le), **re = arena_alloc(b->a, (n ? n : 1) * sizeof *re);
        const char **names = arena_alloc(b->a, (n ? n : 1) * sizeof *names);
        int lcast = 0, rcast = 0;
        for (uint32_t i = 0; i < n; i++) {
            const struct ty *t = fb_common_type(b->a, l->schema->fields[i].type, r->schema->fields[i].type);
            if (!t)
                return bind_error(b, q->right->pos, "[INCOMPATIBLE_COLUMN_TYPE] UNION column %u has type %s on the left and %s on the right",
                                  i + 1, ty_sql_str(b->a, l->schema->fields[i].type), ty_sql_str(b->a, r->schema->fields[i].type)), NULL;
            fs[i] = (struct ty_field){l->schema->fields[i].name, t, true};
            names[i] = fs[i].name;
            le[i] = fb_cast_expr(b->a, expr_col(b->a, (int)i, l->schema->fields[i].type), t);
            re[i] = fb_cast_expr(b->a, expr_col(b->a, (int)i, r->schema->fields[i].type), t);
            lcast |= le[i]->kind != EX_COL;
            rcast |= re[i]->kind != EX_COL;
        }
        if (lcast) l = project(b, l, le, names, n, q->pos);
        if (rcast) r = project(b, r, re, names, n, q->pos);
        p = node(b, LP_UNION, NULL, q->pos);
        p->inputs = arena_alloc(b->a, 2 * sizeof *p->inputs);
        p->inputs[0] = l;
        p->inputs[1] = r;
        p->ninputs = 2;
        p->schema = ty_struct(b->a, fs, n);
        p->streaming = l->streaming || r->streaming;
        /* the union keeps a watermark column only when both sides mark the same one */
        if (l->wm_col >= 0 && l->wm_col == r->wm_col) {
            p->wm_col = l->wm_col;
            p->wm_delay_us = l->wm_delay_us > r->wm_delay_us ? l->wm_delay_us : r->wm_delay_us;
        }
        if (!q->all) {
            if (p->streaming)
                return bind_error(b, q->pos, "UNION without ALL is a DISTINCT, which is not supported on streaming data; use UNION ALL"), NULL;
            struct lp *d = node(b, LP_DEDUP, p, q->pos);
            d->ndedup = n;
            d->dedup_cols = arena_alloc(b->a, (n ? n : 1) * sizeof *d->dedup_cols);
            for (uint32_t i = 0; i < n; i++) d->dedup_cols[i] = (int)i;
            p = d;
        }
        bscope_from_schema(b, out_scope, p->schema, NULL);
    } else {
        p = bind_select(b, q, out_scope);
        if (!p) return NULL;
    }
    return bind_order_limit(b, q, p, out_scope);
}

int bind_query_plan(struct binder *b, const struct ast_query *q, struct plan *p) {
    struct bscope sc;
    memset(p, 0, sizeof *p);
    p->root = bind_query(b, q, &sc);
    p->res = b->res;
    b->res = NULL;
    if (!p->root) {
        if (!b->err_msg) {
            b->err_pos = q->pos;
            b->err_msg = "query could not be bound";
        }
        return WERR_INVALID;
    }
    return 0;
}
