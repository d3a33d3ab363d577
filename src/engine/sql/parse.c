/* parse: see parse.h. One function per grammar rule; `P` carries the token
 * cursor and the first error. After an error every rule returns NULL
 * promptly (callers check `p->failed`), so the first message wins. */
#include "engine/sql/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "engine/sql/lex.h"

typedef struct parser {
    struct arena *a;
    const char *src;
    size_t len;
    struct lex_tok *t;
    uint32_t n, i;
    int failed;
    uint32_t err_pos;
    const char *err_msg;
} P;

static const struct lex_tok *cur(P *p) { return &p->t[p->i]; }
static const struct lex_tok *ahead(P *p, uint32_t k) { return &p->t[p->i + k < p->n ? p->i + k : p->n - 1]; }
static void adv(P *p) { if (p->i + 1 < p->n) p->i++; }

static const char *tok_desc(P *p, const struct lex_tok *t) {
    switch (t->kind) {
    case LEX_EOF: return "end of input";
    case LEX_STRING: return arena_printf(p->a, "string '%s'", t->text);
    default: return arena_printf(p->a, "'%s'", t->text);
    }
}

static void *errat(P *p, uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void *errat(P *p, uint32_t pos, const char *fmt, ...) {
    if (p->failed) return NULL;
    p->failed = 1;
    p->err_pos = pos;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *m = arena_alloc(p->a, (size_t)n + 1);
    vsnprintf(m, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    p->err_msg = m;
    return NULL;
}

static void *unexpected(P *p, const char *wanted) {
    return errat(p, cur(p)->pos, "syntax error at %s: expected %s", tok_desc(p, cur(p)), wanted);
}

static int is_kw(P *p, const char *kw) { return lex_is(cur(p), kw); }
static int is_op(P *p, const char *op) { return lex_is_op(cur(p), op); }

static int accept_kw(P *p, const char *kw) {
    if (!is_kw(p, kw)) return 0;
    adv(p);
    return 1;
}

static int accept_op(P *p, const char *op) {
    if (!is_op(p, op)) return 0;
    adv(p);
    return 1;
}

static int expect_kw(P *p, const char *kw) {
    if (accept_kw(p, kw)) return 1;
    unexpected(p, kw);
    return 0;
}

static int expect_op(P *p, const char *op) {
    if (accept_op(p, op)) return 1;
    unexpected(p, arena_printf(p->a, "'%s'", op));
    return 0;
}

/* Words that end an expression or a relation and so cannot be an implicit alias. */
static const char *const reserved[] = {
    "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "JOIN", "INNER",
    "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "ON", "USING", "WATERMARK", "DEDUPLICATE", "AS", "SELECT",
    "AND", "OR", "NOT", "IS", "IN", "BETWEEN", "LIKE", "ILIKE", "RLIKE", "REGEXP", "WHEN", "THEN", "ELSE",
    "END", "CASE", "DESC", "ASC", "INSERT", "CREATE", "SET", "SEMI", "ANTI", "OUTER", "DISTINCT", "ALL",
    "LATERAL", "CLUSTER", "DISTRIBUTE", "SORT", "ESCAPE",
};

/* Reserved words that may still be column names in an expression (Spark's
 * non-reserved keywords in its default mode): DESC is a turnstile column. */
static const char *const usable_as_column[] = {
    "DESC", "ASC", "SET", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "SEMI", "ANTI", "OUTER", "NATURAL", "WATERMARK",
    "DEDUPLICATE", "INSERT", "CREATE", "USING", "ESCAPE", "LATERAL", "CLUSTER", "DISTRIBUTE", "SORT", "EXCEPT",
    "INTERSECT", "RLIKE", "REGEXP", "ILIKE",
};

static int is_column_word(const struct lex_tok *t) {
    for (size_t i = 0; i < sizeof usable_as_column / sizeof usable_as_column[0]; i++)
        if (!strcasecmp(t->text, usable_as_column[i])) return 1;
    return 0;
}

static int is_reserved(const struct lex_tok *t) {
    if (t->kind != LEX_IDENT) return 0;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcasecmp(t->text, reserved[i])) return 1;
    return 0;
}

static struct ast *node(P *p, enum ast_kind k, uint32_t pos) {
    struct ast *e = arena_calloc(p->a, sizeof *e);
    e->kind = k;
    e->pos = pos;
    return e;
}

static struct ast *node2(P *p, enum ast_kind k, int op, uint32_t pos, struct ast *l, struct ast *r) {
    struct ast *e = node(p, k, pos);
    e->op = op;
    e->args = arena_alloc(p->a, 2 * sizeof *e->args);
    e->args[0] = l;
    e->args[1] = r;
    e->nargs = 2;
    return e;
}

static struct ast *node1(P *p, enum ast_kind k, int op, uint32_t pos, struct ast *x) {
    struct ast *e = node(p, k, pos);
    e->op = op;
    e->args = arena_alloc(p->a, sizeof *e->args);
    e->args[0] = x;
    e->nargs = 1;
    return e;
}

/* A growable array of pointers built in a heap buffer, then moved to the arena. */
struct vecp {
    struct buf b;
};
static void vp_push(struct vecp *v, void *x) { buf_append(&v->b, &x, sizeof x); }
static uint32_t vp_len(const struct vecp *v) { return (uint32_t)(v->b.len / sizeof(void *)); }
static void *vp_done(P *p, struct vecp *v) {
    void *r = arena_alloc(p->a, v->b.len ? v->b.len : sizeof(void *));
    if (v->b.len) memcpy(r, v->b.p, v->b.len);
    buf_free(&v->b);
    return r;
}

/* identifier: a word that is not reserved, or a backquoted name */
static const char *ident(P *p, const char *what) {
    const struct lex_tok *t = cur(p);
    if (t->kind == LEX_QIDENT || (t->kind == LEX_IDENT && !is_reserved(t))) {
        adv(p);
        return t->text;
    }
    return unexpected(p, what);
}

/* after AS any word is a name, reserved or not (`window.end AS END`) */
static const char *alias_word(P *p) {
    const struct lex_tok *t = cur(p);
    if (t->kind == LEX_QIDENT || t->kind == LEX_IDENT) {
        adv(p);
        return t->text;
    }
    return unexpected(p, "an alias");
}

/* name possibly qualified a.b.c, returned joined with dots (table names) */
static const char *qualified_name(P *p, const char *what) {
    const char *n = ident(p, what);
    while (n && is_op(p, ".") && (ahead(p, 1)->kind == LEX_IDENT || ahead(p, 1)->kind == LEX_QIDENT)) {
        adv(p);
        n = arena_printf(p->a, "%s.%s", n, cur(p)->text);
        adv(p);
    }
    return n;
}

/* ---------- types ---------- */

static const struct ty *parse_type(P *p);

static int type_int(P *p, int *out) {
    if (cur(p)->kind != LEX_INT) {
        unexpected(p, "a number");
        return 0;
    }
    *out = atoi(cur(p)->text);
    adv(p);
    return 1;
}

static const struct ty *parse_struct_fields(P *p, const char *close) {
    struct buf fs = {0};
    if (!accept_op(p, close)) {
        do {
            struct ty_field f = {0};
            f.name = ident(p, "a field name");
            if (!f.name) break;
            accept_op(p, ":");
            f.type = parse_type(p);
            if (!f.type) break;
            f.nullable = true;
            if (accept_kw(p, "NOT")) {
                if (!expect_kw(p, "NULL")) break;
                f.nullable = false;
            }
            if (accept_kw(p, "COMMENT")) {
                if (cur(p)->kind != LEX_STRING) {
                    unexpected(p, "a comment string");
                    break;
                }
                adv(p);
            }
            buf_append(&fs, &f, sizeof f);
        } while (accept_op(p, ","));
        if (!p->failed) expect_op(p, close);
    }
    const struct ty *t = p->failed ? NULL : ty_struct(p->a, (const struct ty_field *)fs.p, (uint32_t)(fs.len / sizeof(struct ty_field)));
    buf_free(&fs);
    return t;
}

static const struct ty *parse_type(P *p) {
    const struct lex_tok *t = cur(p);
    if (t->kind != LEX_IDENT) return unexpected(p, "a data type");
    uint32_t pos = t->pos;
    if (accept_kw(p, "ARRAY")) {
        if (!expect_op(p, "<")) return NULL;
        const struct ty *e = parse_type(p);
        if (!e || !expect_op(p, ">")) return NULL;
        return ty_array(p->a, e, true);
    }
    if (accept_kw(p, "MAP")) {
        if (!expect_op(p, "<")) return NULL;
        const struct ty *k = parse_type(p);
        if (!k || !expect_op(p, ",")) return NULL;
        const struct ty *v = parse_type(p);
        if (!v || !expect_op(p, ">")) return NULL;
        return ty_map(p->a, k, v, true);
    }
    if (accept_kw(p, "STRUCT")) {
        if (!expect_op(p, "<")) return NULL;
        return parse_struct_fields(p, ">");
    }
    if (accept_kw(p, "DECIMAL") || accept_kw(p, "DEC") || accept_kw(p, "NUMERIC")) {
        int prec = 10, scale = 0;
        if (accept_op(p, "(")) {
            if (!type_int(p, &prec)) return NULL;
            if (accept_op(p, ",") && !type_int(p, &scale)) return NULL;
            if (!expect_op(p, ")")) return NULL;
        }
        if (prec < 1 || prec > 38 || scale > prec)
            return errat(p, pos, "decimal precision must be 1..38 and scale at most the precision, got (%d,%d)", prec, scale);
        return ty_decimal(p->a, prec, scale);
    }
    if (accept_kw(p, "VARCHAR") || accept_kw(p, "CHAR") || accept_kw(p, "CHARACTER")) {
        int n;
        if (!expect_op(p, "(") || !type_int(p, &n) || !expect_op(p, ")")) return NULL;
        return ty_string();
    }
    /* the simple names: reuse the DDL parser's table by parsing the word alone */
    char err[8];
    const struct ty *r = ty_parse_type(p->a, t->text, err, sizeof err);
    if (!r || r->kind == TY_ARRAY || r->kind == TY_MAP || r->kind == TY_STRUCT)
        return errat(p, pos, "unknown data type '%s'", t->text);
    adv(p);
    return r;
}

/* ---------- expressions ---------- */

static struct ast *expr(P *p);
static struct ast_query *query(P *p);

static const char *const interval_units[] = {
    "YEAR", "YEARS", "MONTH", "MONTHS", "WEEK", "WEEKS", "DAY", "DAYS", "HOUR", "HOURS", "MINUTE", "MINUTES",
    "SECOND", "SECONDS", "MILLISECOND", "MILLISECONDS", "MICROSECOND", "MICROSECONDS",
};

static int is_interval_unit(const struct lex_tok *t) {
    if (t->kind != LEX_IDENT) return 0;
    for (size_t i = 0; i < sizeof interval_units / sizeof interval_units[0]; i++)
        if (!strcasecmp(t->text, interval_units[i])) return 1;
    return 0;
}

static const char *lower_dup(P *p, const char *s) {
    char *r = arena_strndup(p->a, s, strlen(s));
    for (char *c = r; *c; c++) *c = (char)tolower((unsigned char)*c);
    return r;
}

/* INTERVAL '5 minutes' | INTERVAL '5' MINUTE | INTERVAL 1 HOUR 30 MINUTES.
 * The text is normalised to "<n> <unit> [<n> <unit> ...]" in lower case,
 * or the string itself when no unit follows it. */
static struct ast *interval(P *p, uint32_t pos) {
    struct ast *e = node(p, AST_INTERVAL, pos);
    struct buf b = {0};
    if (cur(p)->kind == LEX_STRING) {
        const char *s = cur(p)->text;
        adv(p);
        if (is_interval_unit(cur(p))) {
            buf_printf(&b, "%s %s", s, lower_dup(p, cur(p)->text));
            adv(p);
        } else {
            buf_printf(&b, "%s", s);
        }
    } else {
        int any = 0;
        for (;;) {
            int neg = 0;
            if (is_op(p, "-") && (ahead(p, 1)->kind == LEX_INT || ahead(p, 1)->kind == LEX_NUMBER)) {
                neg = 1;
                adv(p);
            }
            if (cur(p)->kind != LEX_INT && cur(p)->kind != LEX_NUMBER) break;
            const char *num = cur(p)->text;
            adv(p);
            if (!is_interval_unit(cur(p))) {
                buf_free(&b);
                return unexpected(p, "an interval unit (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, ...)");
            }
            buf_printf(&b, "%s%s%s %s", any ? " " : "", neg ? "-" : "", num, lower_dup(p, cur(p)->text));
            adv(p);
            any = 1;
        }
        if (!any) {
            buf_free(&b);
            return unexpected(p, "an interval like '5 minutes' or 5 MINUTES");
        }
    }
    e->text = arena_strndup(p->a, b.p ? (const char *)b.p : "", b.len);
    e->len = (uint32_t)b.len;
    buf_free(&b);
    return e;
}

static struct ast *func_call(P *p, const char *name, uint32_t pos) {
    /* cursor is on '(' */
    adv(p);
    struct ast *e = node(p, AST_FUNC, pos);
    e->text = name;
    e->len = (uint32_t)strlen(name);
    struct vecp args = {0};
    if (is_op(p, "*") && lex_is_op(ahead(p, 1), ")")) {
        e->star = true;
        adv(p);
    } else if (!is_op(p, ")")) {
        if (accept_kw(p, "DISTINCT")) e->distinct = true;
        else accept_kw(p, "ALL");
        do {
            struct ast *x = expr(p);
            if (!x) break;
            vp_push(&args, x);
        } while (accept_op(p, ","));
    }
    e->nargs = vp_len(&args);
    e->args = vp_done(p, &args);
    if (p->failed || !expect_op(p, ")")) return NULL;
    return e;
}

static struct ast *case_expr(P *p, uint32_t pos) {
    struct ast *e = node(p, AST_CASE, pos);
    struct vecp args = {0};
    if (!is_kw(p, "WHEN")) {
        struct ast *x = expr(p);
        if (x) vp_push(&args, x);
        e->has_operand = true;
    }
    if (!p->failed && !is_kw(p, "WHEN")) unexpected(p, "WHEN");
    while (!p->failed && accept_kw(p, "WHEN")) {
        struct ast *w = expr(p);
        if (!w || !expect_kw(p, "THEN")) break;
        struct ast *t = expr(p);
        if (!t) break;
        vp_push(&args, w);
        vp_push(&args, t);
    }
    if (!p->failed && accept_kw(p, "ELSE")) {
        struct ast *x = expr(p);
        if (x) vp_push(&args, x);
        e->has_else = true;
    }
    if (!p->failed) expect_kw(p, "END");
    e->nargs = vp_len(&args);
    e->args = vp_done(p, &args);
    return p->failed ? NULL : e;
}

static int hexval(char c) { return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10; }

static struct ast *primary(P *p) {
    const struct lex_tok *t = cur(p);
    uint32_t pos = t->pos;
    switch (t->kind) {
    case LEX_INT: {
        struct ast *e = node(p, AST_INT, pos);
        e->text = t->text;
        e->len = t->len;
        errno = 0;
        char *end;
        long long v = strtoll(t->text, &end, 10);
        if (errno == ERANGE) {
            e->kind = AST_NUMBER; /* too big for BIGINT: Spark reads it as a decimal */
        }
        e->ival = v;
        adv(p);
        return e;
    }
    case LEX_NUMBER: {
        struct ast *e = node(p, AST_NUMBER, pos);
        e->text = t->text;
        e->len = t->len;
        adv(p);
        return e;
    }
    case LEX_STRING: {
        struct ast *e = node(p, AST_STRING, pos);
        e->text = t->text;
        e->len = t->len;
        adv(p);
        return e;
    }
    case LEX_QIDENT:
        break;
    case LEX_OP:
        if (accept_op(p, "(")) {
            if (is_kw(p, "SELECT")) return errat(p, pos, "scalar subqueries are not supported");
            struct ast *e = expr(p);
            if (!e || !expect_op(p, ")")) return NULL;
            return e;
        }
        if (accept_op(p, "*")) return node(p, AST_STAR, pos);
        return unexpected(p, "an expression");
    case LEX_EOF:
        return unexpected(p, "an expression");
    case LEX_IDENT:
        if (lex_is_op(ahead(p, 1), "(") && !is_kw(p, "CASE")) {
            if (accept_kw(p, "CAST") || accept_kw(p, "TRY_CAST")) {
                int try_ = lex_is(t, "TRY_CAST");
                adv(p);
                struct ast *x = expr(p);
                if (!x || !expect_kw(p, "AS")) return NULL;
                const struct ty *ty = parse_type(p);
                if (!ty || !expect_op(p, ")")) return NULL;
                struct ast *e = node1(p, AST_CAST, 0, pos, x);
                e->type = ty;
                e->ival = try_;
                return e;
            }
            const char *name = t->text;
            adv(p);
            return func_call(p, name, pos);
        }
        if (accept_kw(p, "NULL")) return node(p, AST_NULL, pos);
        if (is_kw(p, "TRUE") || is_kw(p, "FALSE")) {
            struct ast *e = node(p, AST_BOOL, pos);
            e->ival = is_kw(p, "TRUE");
            adv(p);
            return e;
        }
        if (accept_kw(p, "CASE")) return case_expr(p, pos);
        if (is_kw(p, "INTERVAL") && (ahead(p, 1)->kind == LEX_STRING || ahead(p, 1)->kind == LEX_INT ||
                                     ahead(p, 1)->kind == LEX_NUMBER || lex_is_op(ahead(p, 1), "-"))) {
            adv(p);
            return interval(p, pos);
        }
        if ((is_kw(p, "DATE") || is_kw(p, "TIMESTAMP") || is_kw(p, "TIMESTAMP_LTZ")) && ahead(p, 1)->kind == LEX_STRING) {
            struct ast *e = node(p, AST_TYPED, pos);
            e->type = is_kw(p, "DATE") ? ty_date() : ty_timestamp();
            adv(p);
            e->text = cur(p)->text;
            e->len = cur(p)->len;
            adv(p);
            return e;
        }
        if ((is_kw(p, "X")) && ahead(p, 1)->kind == LEX_STRING && ahead(p, 1)->pos == pos + 1) {
            adv(p);
            const struct lex_tok *s = cur(p);
            if (s->len % 2) return errat(p, s->pos, "binary literal needs an even number of hex digits");
            char *bytes = arena_alloc(p->a, s->len / 2 + 1);
            for (uint32_t k = 0; k < s->len; k += 2) {
                if (!isxdigit((unsigned char)s->text[k]) || !isxdigit((unsigned char)s->text[k + 1]))
                    return errat(p, s->pos, "binary literal holds a character that is not a hex digit");
                bytes[k / 2] = (char)(hexval(s->text[k]) * 16 + hexval(s->text[k + 1]));
            }
            struct ast *e = node(p, AST_BINARY_LIT, pos);
            e->text = bytes;
            e->len = s->len / 2;
            adv(p);
            return e;
        }
        if (is_reserved(t) && !is_column_word(t)) return unexpected(p, "an expression");
        break;
    }
    /* column reference a[.b[.c]] or qualified star t.* */
    struct vecp parts = {0};
    vp_push(&parts, (void *)t->text);
    adv(p);
    struct ast *e = node(p, AST_COLUMN, pos);
    while (is_op(p, ".")) {
        const struct lex_tok *nx = ahead(p, 1);
        if (lex_is_op(nx, "*")) {
            adv(p);
            adv(p);
            e->kind = AST_STAR;
            break;
        }
        if (nx->kind != LEX_IDENT && nx->kind != LEX_QIDENT) break;
        adv(p);
        vp_push(&parts, (void *)cur(p)->text);
        adv(p);
    }
    e->nparts = vp_len(&parts);
    e->parts = vp_done(p, &parts);
    return e;
}

static struct ast *postfix(P *p) {
    struct ast *e = primary(p);
    while (e && !p->failed) {
        uint32_t pos = cur(p)->pos;
        if (accept_op(p, "[")) {
            struct ast *i = expr(p);
            if (!i || !expect_op(p, "]")) return NULL;
            e = node2(p, AST_SUBSCRIPT, 0, pos, e, i);
        } else if (is_op(p, ".") && (ahead(p, 1)->kind == LEX_IDENT || ahead(p, 1)->kind == LEX_QIDENT)) {
            adv(p);
            if (e->kind == AST_STAR) return unexpected(p, "an expression");
            struct ast *f = node1(p, AST_FIELD, 0, e->pos, e);
            f->text = cur(p)->text;
            f->len = cur(p)->len;
            adv(p);
            e = f;
        } else if (accept_op(p, "::")) {
            const struct ty *t = parse_type(p);
            if (!t) return NULL;
            e = node1(p, AST_CAST, 0, e->pos, e);
            e->type = t;
        } else {
            break;
        }
    }
    return e;
}

static struct ast *unary(P *p) {
    uint32_t pos = cur(p)->pos;
    if (accept_op(p, "-")) {
        struct ast *x = unary(p);
        if (!x) return NULL;
        /* fold -literal so that -2147483648 and -9223372036854775808 are literals */
        if (x->kind == AST_INT && x->text[0] != '-') {
            x->text = arena_printf(p->a, "-%s", x->text);
            x->len++;
            x->pos = pos;
            errno = 0;
            x->ival = strtoll(x->text, NULL, 10);
            x->kind = errno == ERANGE ? AST_NUMBER : AST_INT;
            return x;
        }
        if (x->kind == AST_NUMBER && x->text[0] != '-') {
            x->text = arena_printf(p->a, "-%s", x->text);
            x->len++;
            x->pos = pos;
            return x;
        }
        return node1(p, AST_UNARY, OP_NEG, pos, x);
    }
    if (accept_op(p, "+")) {
        struct ast *x = unary(p);
        return x ? node1(p, AST_UNARY, OP_PLUS, pos, x) : NULL;
    }
    if (accept_op(p, "~")) {
        struct ast *x = unary(p);
        return x ? node1(p, AST_UNARY, OP_BITNOT, pos, x) : NULL;
    }
    return postfix(p);
}

static struct ast *multiplicative(P *p) {
    struct ast *l = unary(p);
    while (l) {
        uint32_t pos = cur(p)->pos;
        int op = is_op(p, "*") ? OP_MUL : is_op(p, "/") ? OP_DIV : is_op(p, "%") ? OP_MOD : is_kw(p, "DIV") ? OP_IDIV : 0;
        if (!op) break;
        adv(p);
        struct ast *r = unary(p);
        if (!r) return NULL;
        l = node2(p, AST_BINOP, op, pos, l, r);
    }
    return l;
}

static struct ast *additive(P *p) {
    struct ast *l = multiplicative(p);
    while (l) {
        uint32_t pos = cur(p)->pos;
        int op = is_op(p, "+") ? OP_ADD : is_op(p, "-") ? OP_SUB : is_op(p, "||") ? OP_CONCAT : 0;
        if (!op) break;
        adv(p);
        struct ast *r = multiplicative(p);
        if (!r) return NULL;
        l = node2(p, AST_BINOP, op, pos, l, r);
    }
    return l;
}

static struct ast *bitwise(P *p) {
    struct ast *l = additive(p);
    while (l) {
        uint32_t pos = cur(p)->pos;
        int op = is_op(p, "&") ? OP_BITAND : is_op(p, "^") ? OP_BITXOR : is_op(p, "|") ? OP_BITOR : 0;
        if (!op) break;
        adv(p);
        struct ast *r = additive(p);
        if (!r) return NULL;
        l = node2(p, AST_BINOP, op, pos, l, r);
    }
    return l;
}

static struct ast *comparison(P *p) {
    struct ast *l = bitwise(p);
    while (l) {
        uint32_t pos = cur(p)->pos;
        int op = (is_op(p, "=") || is_op(p, "==")) ? OP_EQ
                 : (is_op(p, "!=") || is_op(p, "<>")) ? OP_NE
                 : is_op(p, "<") ? OP_LT : is_op(p, "<=") ? OP_LE : is_op(p, ">") ? OP_GT
                 : is_op(p, ">=") ? OP_GE : is_op(p, "<=>") ? OP_EQ_NS : 0;
        if (!op) break;
        adv(p);
        struct ast *r = bitwise(p);
        if (!r) return NULL;
        l = node2(p, AST_BINOP, op, pos, l, r);
    }
    return l;
}

static struct ast *predicate(P *p) {
    struct ast *l = comparison(p);
    while (l && !p->failed) {
        uint32_t pos = cur(p)->pos;
        if (accept_kw(p, "IS")) {
            int neg = accept_kw(p, "NOT");
            if (accept_kw(p, "NULL")) {
                l = node1(p, AST_ISNULL, 0, pos, l);
            } else if (is_kw(p, "TRUE") || is_kw(p, "FALSE")) {
                l = node1(p, AST_ISBOOL, 0, pos, l);
                l->ival = is_kw(p, "TRUE");
                adv(p);
            } else {
                return unexpected(p, "NULL, TRUE or FALSE");
            }
            l->negated = neg;
            continue;
        }
        int neg = 0;
        if (is_kw(p, "NOT") && (lex_is(ahead(p, 1), "IN") || lex_is(ahead(p, 1), "BETWEEN") || lex_is(ahead(p, 1), "LIKE") ||
                                lex_is(ahead(p, 1), "ILIKE") || lex_is(ahead(p, 1), "RLIKE") || lex_is(ahead(p, 1), "REGEXP"))) {
            neg = 1;
            adv(p);
        }
        if (accept_kw(p, "IN")) {
            if (!expect_op(p, "(")) return NULL;
            if (is_kw(p, "SELECT")) return errat(p, cur(p)->pos, "IN (subquery) is not supported");
            struct vecp args = {0};
            vp_push(&args, l);
            do {
                struct ast *x = expr(p);
                if (!x) break;
                vp_push(&args, x);
            } while (accept_op(p, ","));
            struct ast *e = node(p, AST_IN, pos);
            e->nargs = vp_len(&args);
            e->args = vp_done(p, &args);
            if (p->failed || !expect_op(p, ")")) return NULL;
            e->negated = neg;
            l = e;
        } else if (accept_kw(p, "BETWEEN")) {
            struct ast *lo = bitwise(p);
            if (!lo || !expect_kw(p, "AND")) return NULL;
            struct ast *hi = bitwise(p);
            if (!hi) return NULL;
            struct ast *e = node(p, AST_BETWEEN, pos);
            e->args = arena_alloc(p->a, 3 * sizeof *e->args);
            e->args[0] = l;
            e->args[1] = lo;
            e->args[2] = hi;
            e->nargs = 3;
            e->negated = neg;
            l = e;
        } else if (is_kw(p, "LIKE") || is_kw(p, "ILIKE") || is_kw(p, "RLIKE") || is_kw(p, "REGEXP")) {
            int op = is_kw(p, "LIKE") ? AST_LIKE_LIKE : is_kw(p, "ILIKE") ? AST_LIKE_ILIKE : AST_LIKE_RLIKE;
            adv(p);
            struct ast *pat = bitwise(p);
            if (!pat) return NULL;
            struct ast *e = node2(p, AST_LIKE, op, pos, l, pat);
            if (op != AST_LIKE_RLIKE && accept_kw(p, "ESCAPE")) {
                if (cur(p)->kind != LEX_STRING) return unexpected(p, "an escape character string");
                struct ast *esc = node(p, AST_STRING, cur(p)->pos);
                esc->text = cur(p)->text;
                esc->len = cur(p)->len;
                adv(p);
                struct ast **a3 = arena_alloc(p->a, 3 * sizeof *a3);
                a3[0] = e->args[0];
                a3[1] = e->args[1];
                a3[2] = esc;
                e->args = a3;
                e->nargs = 3;
            }
            e->negated = neg;
            l = e;
        } else {
            if (neg) return unexpected(p, "IN, BETWEEN or LIKE");
            break;
        }
    }
    return l;
}

static struct ast *not_expr(P *p) {
    uint32_t pos = cur(p)->pos;
    if (is_kw(p, "NOT") || is_op(p, "!")) {
        adv(p);
        struct ast *x = not_expr(p);
        return x ? node1(p, AST_NOT, 0, pos, x) : NULL;
    }
    return predicate(p);
}

static struct ast *and_expr(P *p) {
    struct ast *l = not_expr(p);
    while (l && (is_kw(p, "AND") || is_op(p, "&&"))) {
        uint32_t pos = cur(p)->pos;
        adv(p);
        struct ast *r = not_expr(p);
        if (!r) return NULL;
        l = node2(p, AST_AND, 0, pos, l, r);
    }
    return l;
}

static struct ast *expr(P *p) {
    struct ast *l = and_expr(p);
    while (l && is_kw(p, "OR")) {
        uint32_t pos = cur(p)->pos;
        adv(p);
        struct ast *r = and_expr(p);
        if (!r) return NULL;
        l = node2(p, AST_OR, 0, pos, l, r);
    }
    return l;
}

/* ---------- queries ---------- */

static int parse_name_list(P *p, struct ast ***out, uint32_t *n) {
    struct vecp v = {0};
    if (!expect_op(p, "(")) return 0;
    do {
        struct ast *x = postfix(p);
        if (!x) break;
        if (x->kind != AST_COLUMN) {
            buf_free(&v.b);
            errat(p, x->pos, "expected a column name");
            return 0;
        }
        vp_push(&v, x);
    } while (accept_op(p, ","));
    *n = vp_len(&v);
    *out = vp_done(p, &v);
    return !p->failed && expect_op(p, ")");
}

static struct ast_rel *relation_primary(P *p) {
    struct ast_rel *r = arena_calloc(p->a, sizeof *r);
    r->pos = cur(p)->pos;
    if (accept_op(p, "(")) {
        r->kind = REL_SUBQUERY;
        r->sub = query(p);
        if (!r->sub || !expect_op(p, ")")) return NULL;
    } else {
        r->kind = REL_TABLE;
        r->name = qualified_name(p, "a table name or '('");
        if (!r->name) return NULL;
    }
    if (accept_kw(p, "WATERMARK")) {
        r->wm_expr = expr(p);
        if (!r->wm_expr) return NULL;
        if (accept_kw(p, "AS")) {
            r->wm_alias = ident(p, "a name for the event-time column");
            if (!r->wm_alias) return NULL;
        }
        if (!expect_kw(p, "DELAY") || !expect_kw(p, "OF")) return NULL;
        uint32_t pos = cur(p)->pos;
        if (!expect_kw(p, "INTERVAL")) return NULL;
        r->wm_delay = interval(p, pos);
        if (!r->wm_delay) return NULL;
    }
    if (accept_kw(p, "DEDUPLICATE")) {
        if (accept_kw(p, "WITHIN")) {
            if (!expect_kw(p, "WATERMARK")) return NULL;
            r->dedup_within_wm = true;
        }
        if (!expect_kw(p, "BY")) return NULL;
        if (!parse_name_list(p, &r->dedup, &r->ndedup)) return NULL;
    }
    if (accept_kw(p, "AS")) {
        r->alias = alias_word(p);
        if (!r->alias) return NULL;
    } else if ((cur(p)->kind == LEX_IDENT && !is_reserved(cur(p))) || cur(p)->kind == LEX_QIDENT) {
        r->alias = cur(p)->text;
        adv(p);
    }
    return r;
}

static struct ast_rel *relation(P *p) {
    struct ast_rel *l = relation_primary(p);
    while (l && !p->failed) {
        uint32_t pos = cur(p)->pos;
        enum ast_join jt;
        if (accept_op(p, ",")) {
            jt = JOIN_CROSS;
        } else {
            if (accept_kw(p, "INNER")) jt = JOIN_INNER;
            else if (accept_kw(p, "CROSS")) jt = JOIN_CROSS;
            else if (accept_kw(p, "LEFT")) {
                jt = accept_kw(p, "SEMI") ? JOIN_LEFT_SEMI : accept_kw(p, "ANTI") ? JOIN_LEFT_ANTI : JOIN_LEFT;
                accept_kw(p, "OUTER");
            } else if (accept_kw(p, "RIGHT")) { jt = JOIN_RIGHT; accept_kw(p, "OUTER"); }
            else if (accept_kw(p, "FULL")) { jt = JOIN_FULL; accept_kw(p, "OUTER"); }
            else if (is_kw(p, "JOIN")) jt = JOIN_INNER;
            else break;
            if (!expect_kw(p, "JOIN")) return NULL;
        }
        struct ast_rel *r = relation_primary(p);
        if (!r) return NULL;
        struct ast_rel *j = arena_calloc(p->a, sizeof *j);
        j->kind = REL_JOIN;
        j->pos = pos;
        j->join = jt;
        j->left = l;
        j->right = r;
        if (jt != JOIN_CROSS) {
            if (accept_kw(p, "ON")) {
                j->on = expr(p);
                if (!j->on) return NULL;
            } else if (accept_kw(p, "USING")) {
                struct ast **cols;
                uint32_t n;
                if (!parse_name_list(p, &cols, &n)) return NULL;
                j->using_cols = arena_alloc(p->a, (n ? n : 1) * sizeof(char *));
                for (uint32_t k = 0; k < n; k++) j->using_cols[k] = cols[k]->parts[cols[k]->nparts - 1];
                j->nusing = n;
            } else {
                return unexpected(p, "ON or USING");
            }
        }
        l = j;
    }
    return l;
}

static struct ast_query *select_core(P *p) {
    struct ast_query *q = arena_calloc(p->a, sizeof *q);
    q->kind = Q_SELECT;
    q->pos = cur(p)->pos;
    if (!expect_kw(p, "SELECT")) return NULL;
    if (accept_kw(p, "DISTINCT")) q->distinct = true;
    else accept_kw(p, "ALL");
    struct buf items = {0};
    do {
        struct ast_item it = {0};
        it.pos = cur(p)->pos;
        it.expr = expr(p);
        if (!it.expr) break;
        if (accept_kw(p, "AS")) {
            it.alias = alias_word(p);
            if (!it.alias) break;
        } else if ((cur(p)->kind == LEX_IDENT && !is_reserved(cur(p))) || cur(p)->kind == LEX_QIDENT) {
            it.alias = cur(p)->text;
            adv(p);
        }
        buf_append(&items, &it, sizeof it);
    } while (accept_op(p, ","));
    q->nitems = (uint32_t)(items.len / sizeof(struct ast_item));
    q->items = arena_alloc(p->a, items.len ? items.len : 1);
    if (items.len) memcpy(q->items, items.p, items.len);
    buf_free(&items);
    if (p->failed) return NULL;
    if (accept_kw(p, "FROM")) {
        q->from = relation(p);
        if (!q->from) return NULL;
    }
    if (accept_kw(p, "WHERE")) {
        q->where = expr(p);
        if (!q->where) return NULL;
    }
    if (accept_kw(p, "GROUP")) {
        if (!expect_kw(p, "BY")) return NULL;
        struct vecp g = {0};
        do {
            struct ast *x = expr(p);
            if (!x) break;
            vp_push(&g, x);
        } while (accept_op(p, ","));
        q->ngroup = vp_len(&g);
        q->group = vp_done(p, &g);
        if (p->failed) return NULL;
    }
    if (accept_kw(p, "HAVING")) {
        q->having = expr(p);
        if (!q->having) return NULL;
    }
    return q;
}

static struct ast_query *query_term(P *p) {
    if (is_op(p, "(")) {
        adv(p);
        struct ast_query *q = query(p);
        if (!q || !expect_op(p, ")")) return NULL;
        return q;
    }
    return select_core(p);
}

static struct ast_query *query(P *p) {
    uint32_t pos = cur(p)->pos;
    struct ast_query *q = query_term(p);
    while (q && is_kw(p, "UNION")) {
        adv(p);
        bool all = accept_kw(p, "ALL");
        if (!all) accept_kw(p, "DISTINCT");
        struct ast_query *r = query_term(p);
        if (!r) return NULL;
        struct ast_query *u = arena_calloc(p->a, sizeof *u);
        u->kind = Q_UNION;
        u->pos = pos;
        u->left = q;
        u->right = r;
        u->all = all;
        q = u;
    }
    if (!q) return NULL;
    if (accept_kw(p, "ORDER")) {
        if (!expect_kw(p, "BY")) return NULL;
        struct buf ob = {0};
        do {
            struct ast_order o = {.nulls_first = -1};
            o.expr = expr(p);
            if (!o.expr) break;
            if (accept_kw(p, "DESC")) o.desc = true;
            else accept_kw(p, "ASC");
            if (accept_kw(p, "NULLS")) {
                if (accept_kw(p, "FIRST")) o.nulls_first = 1;
                else if (accept_kw(p, "LAST")) o.nulls_first = 0;
                else { unexpected(p, "FIRST or LAST"); break; }
            }
            buf_append(&ob, &o, sizeof o);
        } while (accept_op(p, ","));
        q->norder = (uint32_t)(ob.len / sizeof(struct ast_order));
        q->order = arena_alloc(p->a, ob.len ? ob.len : 1);
        if (ob.len) memcpy(q->order, ob.p, ob.len);
        buf_free(&ob);
        if (p->failed) return NULL;
    }
    if (accept_kw(p, "LIMIT")) {
        q->limit = expr(p);
        if (!q->limit) return NULL;
    }
    return q;
}

/* ---------- statements ---------- */

static const char *option_value(P *p) {
    const struct lex_tok *t = cur(p);
    if (t->kind == LEX_STRING || t->kind == LEX_INT || t->kind == LEX_NUMBER || t->kind == LEX_IDENT) {
        adv(p);
        return t->text;
    }
    if (is_op(p, "-") && (ahead(p, 1)->kind == LEX_INT || ahead(p, 1)->kind == LEX_NUMBER)) {
        adv(p);
        const char *v = arena_printf(p->a, "-%s", cur(p)->text);
        adv(p);
        return v;
    }
    return unexpected(p, "an option value");
}

static int options(P *p, struct ast_stmt *s) {
    struct vecp keys = {0}, vals = {0};
    if (!expect_op(p, "(")) return 0;
    if (!is_op(p, ")")) {
        do {
            const char *k;
            if (cur(p)->kind == LEX_STRING) {
                k = cur(p)->text;
                adv(p);
            } else {
                k = qualified_name(p, "an option name");
                if (!k) break;
            }
            accept_op(p, "=");
            const char *v = option_value(p);
            if (!v) break;
            vp_push(&keys, (void *)k);
            vp_push(&vals, (void *)v);
        } while (accept_op(p, ","));
    }
    s->nopts = vp_len(&keys);
    s->opt_keys = vp_done(p, &keys);
    s->opt_vals = vp_done(p, &vals);
    return !p->failed && expect_op(p, ")");
}

static struct ast_stmt *stmt_inner(P *p);

/* EXPLAIN [EXTENDED | FORMATTED] statement: the statement, marked. */
static struct ast_stmt *stmt(P *p) {
    if (is_kw(p, "EXPLAIN")) {
        uint32_t pos = cur(p)->pos;
        adv(p);
        if (!accept_kw(p, "EXTENDED")) accept_kw(p, "FORMATTED");
        struct ast_stmt *s = stmt_inner(p);
        if (!s) return NULL;
        if (s->kind != ST_QUERY && s->kind != ST_INSERT) return errat(p, pos, "EXPLAIN takes a SELECT or an INSERT INTO");
        s->explain = true;
        return s;
    }
    return stmt_inner(p);
}

static struct ast_stmt *stmt_inner(P *p) {
    struct ast_stmt *s = arena_calloc(p->a, sizeof *s);
    s->pos = cur(p)->pos;
    if (accept_kw(p, "CREATE")) {
        if (accept_kw(p, "OR")) {
            if (!expect_kw(p, "REPLACE")) return NULL;
            s->or_replace = true;
        }
        if (accept_kw(p, "TEMP") || accept_kw(p, "TEMPORARY")) s->temp = true;
        if (accept_kw(p, "VIEW")) {
            s->kind = ST_CREATE_VIEW;
            if (accept_kw(p, "IF")) {
                if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS")) return NULL;
                s->if_not_exists = true;
            }
            s->name = qualified_name(p, "a view name");
            if (!s->name || !expect_kw(p, "AS")) return NULL;
            s->query = query(p);
            return s->query ? s : NULL;
        }
        if (!accept_kw(p, "TABLE")) return unexpected(p, "TABLE or VIEW");
        s->kind = ST_CREATE_TABLE;
        if (accept_kw(p, "IF")) {
            if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS")) return NULL;
            s->if_not_exists = true;
        }
        s->name = qualified_name(p, "a table name");
        if (!s->name) return NULL;
        if (accept_op(p, "(")) {
            s->columns = parse_struct_fields(p, ")");
            if (!s->columns) return NULL;
        }
        if (!expect_kw(p, "USING")) return NULL;
        s->using = ident(p, "a data source format (kafka, csv, json, console, memory, ...)");
        if (!s->using) return NULL;
        if (accept_kw(p, "OPTIONS") && !options(p, s)) return NULL;
        if (accept_kw(p, "AS")) return errat(p, cur(p)->pos, "CREATE TABLE ... AS SELECT is not supported; use INSERT INTO");
        return s;
    }
    if (accept_kw(p, "INSERT")) {
        s->kind = ST_INSERT;
        if (accept_kw(p, "OVERWRITE")) s->overwrite = true;
        else if (!expect_kw(p, "INTO")) return NULL;
        accept_kw(p, "TABLE");
        s->name = qualified_name(p, "a sink table name");
        if (!s->name) return NULL;
        s->query = query(p);
        return s->query ? s : NULL;
    }
    if (is_kw(p, "SET")) {
        s->kind = ST_SET;
        adv(p);
        /* raw text: key up to '=', value up to ';' */
        uint32_t kst = cur(p)->pos, kend = kst, vst = 0, vend = 0;
        while (cur(p)->kind != LEX_EOF && !is_op(p, "=") && !is_op(p, ";")) {
            kend = cur(p)->pos + (cur(p)->kind == LEX_STRING ? 0 : cur(p)->len);
            adv(p);
        }
        if (accept_op(p, "=")) {
            vst = cur(p)->pos;
            while (cur(p)->kind != LEX_EOF && !is_op(p, ";")) adv(p);
            vend = cur(p)->pos;
            while (vend > vst && isspace((unsigned char)p->src[vend - 1])) vend--;
            s->value = arena_strndup(p->a, p->src + vst, vend - vst);
        }
        if (kend <= kst) return errat(p, kst, "SET needs a key");
        s->name = arena_strndup(p->a, p->src + kst, kend - kst);
        return s;
    }
    if (is_kw(p, "SELECT") || is_op(p, "(")) {
        s->kind = ST_QUERY;
        s->query = query(p);
        return s->query ? s : NULL;
    }
    return unexpected(p, "a statement (CREATE, INSERT, SELECT, SET or EXPLAIN)");
}

static void parser_init(P *p, struct arena *a, const char *src, size_t len, struct parse_result *out) {
    memset(out, 0, sizeof *out);
    memset(p, 0, sizeof *p);
    p->a = a;
    p->src = src;
    p->len = len;
    struct lex_result lx;
    lex_run(a, src, len, &lx);
    p->t = lx.toks;
    p->n = lx.ntoks;
    if (lx.err) {
        p->failed = 1;
        p->err_pos = lx.err_pos;
        p->err_msg = lx.err_msg;
    }
}

static void finish(P *p, struct parse_result *out) {
    if (p->failed) {
        out->script = NULL;
        out->err = WERR_PARSE;
        out->err_pos = p->err_pos;
        out->err_msg = p->err_msg;
    }
}

void parse_script(struct arena *a, const char *src, size_t len, struct parse_result *out) {
    P p;
    parser_init(&p, a, src, len, out);
    struct vecp stmts = {0};
    while (!p.failed) {
        while (accept_op(&p, ";")) {}
        if (cur(&p)->kind == LEX_EOF) break;
        struct ast_stmt *s = stmt(&p);
        if (!s) break;
        vp_push(&stmts, s);
        if (cur(&p)->kind != LEX_EOF && !is_op(&p, ";")) {
            unexpected(&p, "';' or the end of the statement");
            break;
        }
    }
    struct ast_script *sc = arena_calloc(a, sizeof *sc);
    sc->nstmts = vp_len(&stmts);
    sc->stmts = vp_done(&p, &stmts);
    out->script = sc;
    finish(&p, out);
}

struct ast *parse_expr_string(struct arena *a, const char *src, struct parse_result *out) {
    P p;
    parser_init(&p, a, src, strlen(src), out);
    struct ast *e = p.failed ? NULL : expr(&p);
    if (e && cur(&p)->kind != LEX_EOF) unexpected(&p, "the end of the expression");
    finish(&p, out);
    return p.failed ? NULL : e;
}
