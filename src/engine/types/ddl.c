/* ddl: parses Spark's DDL schema strings into types, the form from_csv and
 * from_json take: `AC STRING, ENTRIES INT, r STRUCT<x: INT, y ARRAY<STRING>>`.
 * A small hand-written scanner over the string; it accepts what Spark's
 * parser accepts for schemas: optional ':' between a field name and its type,
 * backquoted names, NOT NULL, COMMENT '...', type name synonyms (integer,
 * long, short, byte, real, dec, numeric, varchar(n), char(n), timestamp_ltz),
 * and a whole-schema `STRUCT<...>` wrapper. Keywords are case-insensitive. */
#include "engine/types/type.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct ddlp {
    struct arena *a;
    const char *s, *p;
    char *err;
    size_t errcap;
    int failed;
};

static void fail(struct ddlp *d, const char *fmt, ...) {
    if (d->failed) return;
    d->failed = 1;
    if (!d->err || !d->errcap) return;
    int n = snprintf(d->err, d->errcap, "at column %d: ", (int)(d->p - d->s) + 1);
    if (n < 0 || (size_t)n >= d->errcap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err + n, d->errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_ws(struct ddlp *d) {
    while (isspace((unsigned char)*d->p)) d->p++;
}

static int peek(struct ddlp *d, char c) {
    skip_ws(d);
    return *d->p == c;
}

static int accept(struct ddlp *d, char c) {
    if (!peek(d, c)) return 0;
    d->p++;
    return 1;
}

static int expect(struct ddlp *d, char c) {
    if (accept(d, c)) return 1;
    if (*d->p) fail(d, "expected '%c' but found '%c'", c, *d->p);
    else fail(d, "expected '%c' but the schema ended", c);
    return 0;
}

/* An identifier or backquoted name; returned in the arena. */
static const char *ident(struct ddlp *d) {
    skip_ws(d);
    if (*d->p == '`') {
        struct buf b = {0};
        d->p++;
        for (;;) {
            if (!*d->p) {
                buf_free(&b);
                fail(d, "unterminated backquoted name");
                return NULL;
            }
            if (*d->p == '`') {
                if (d->p[1] != '`') break;
                d->p++;
            }
            buf_putc(&b, (uint8_t)*d->p++);
        }
        d->p++;
        const char *r = arena_strndup(d->a, b.p ? (const char *)b.p : "", b.len);
        buf_free(&b);
        return r;
    }
    const char *st = d->p;
    while (isalnum((unsigned char)*d->p) || *d->p == '_') d->p++;
    if (d->p == st) {
        if (*d->p) fail(d, "expected a name but found '%c'", *d->p);
        else fail(d, "expected a name but the schema ended");
        return NULL;
    }
    return arena_strndup(d->a, st, (size_t)(d->p - st));
}

/* Case-insensitive keyword match at the cursor (whole word). */
static int keyword(struct ddlp *d, const char *kw) {
    skip_ws(d);
    size_t n = strlen(kw);
    if (strncasecmp(d->p, kw, n) || isalnum((unsigned char)d->p[n]) || d->p[n] == '_') return 0;
    d->p += n;
    return 1;
}

static int number(struct ddlp *d, int *out) {
    skip_ws(d);
    if (!isdigit((unsigned char)*d->p)) {
        fail(d, "expected a number");
        return 0;
    }
    int v = 0;
    while (isdigit((unsigned char)*d->p) && v < 100000) v = v * 10 + (*d->p++ - '0');
    *out = v;
    return 1;
}

static const struct ty *parse_type(struct ddlp *d);

static const struct ty *parse_fields(struct ddlp *d, char close) {
    struct ty_field fs[256] = {{0}};
    uint32_t n = 0;
    if (close && peek(d, close)) return ty_struct(d->a, fs, 0);
    for (;;) {
        if (n == sizeof fs / sizeof fs[0]) {
            fail(d, "too many fields");
            return NULL;
        }
        const char *name = ident(d);
        if (!name) return NULL;
        accept(d, ':');
        const struct ty *t = parse_type(d);
        if (!t) return NULL;
        bool nullable = true;
        if (keyword(d, "NOT")) {
            if (!keyword(d, "NULL")) {
                fail(d, "expected NULL after NOT");
                return NULL;
            }
            nullable = false;
        }
        if (keyword(d, "COMMENT")) {
            skip_ws(d);
            char q = *d->p;
            if (q != '\'' && q != '"') {
                fail(d, "expected a quoted comment");
                return NULL;
            }
            d->p++;
            while (*d->p && *d->p != q) d->p += (*d->p == '\\' && d->p[1]) ? 2 : 1;
            if (!*d->p) {
                fail(d, "unterminated comment");
                return NULL;
            }
            d->p++;
        }
        fs[n++] = (struct ty_field){name, t, nullable};
        if (!accept(d, ',')) break;
    }
    return ty_struct(d->a, fs, n);
}

static const struct ty *parse_type(struct ddlp *d) {
    skip_ws(d);
    const char *at = d->p;
    static const struct { const char *name; enum ty_kind k; } simple[] = {
        {"boolean", TY_BOOLEAN}, {"bool", TY_BOOLEAN},   {"tinyint", TY_INT},   {"byte", TY_INT},
        {"smallint", TY_INT},    {"short", TY_INT},      {"integer", TY_INT},   {"int", TY_INT},
        {"bigint", TY_BIGINT},   {"long", TY_BIGINT},    {"float", TY_FLOAT},   {"real", TY_FLOAT},
        {"double", TY_DOUBLE},   {"string", TY_STRING},  {"binary", TY_BINARY}, {"date", TY_DATE},
        {"timestamp_ltz", TY_TIMESTAMP}, {"timestamp_ntz", TY_TIMESTAMP}, {"timestamp", TY_TIMESTAMP},
        {"void", TY_NULL},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (keyword(d, simple[i].name)) return ty_prim(simple[i].k);
    if (keyword(d, "varchar") || keyword(d, "char") || keyword(d, "character")) {
        int n;
        if (!expect(d, '(') || !number(d, &n) || !expect(d, ')')) return NULL;
        return ty_string();
    }
    if (keyword(d, "decimal") || keyword(d, "dec") || keyword(d, "numeric")) {
        int p = 10, s = 0;
        if (accept(d, '(')) {
            if (!number(d, &p)) return NULL;
            if (accept(d, ',') && !number(d, &s)) return NULL;
            if (!expect(d, ')')) return NULL;
        }
        if (p < 1 || p > 38 || s > p) {
            d->p = at;
            fail(d, "decimal precision must be 1..38 and scale at most the precision, got (%d,%d)", p, s);
            return NULL;
        }
        return ty_decimal(d->a, p, s);
    }
    if (keyword(d, "array")) {
        if (!expect(d, '<')) return NULL;
        const struct ty *e = parse_type(d);
        if (!e || !expect(d, '>')) return NULL;
        return ty_array(d->a, e, true);
    }
    if (keyword(d, "map")) {
        if (!expect(d, '<')) return NULL;
        const struct ty *k = parse_type(d);
        if (!k || !expect(d, ',')) return NULL;
        const struct ty *v = parse_type(d);
        if (!v || !expect(d, '>')) return NULL;
        return ty_map(d->a, k, v, true);
    }
    if (keyword(d, "struct")) {
        if (!expect(d, '<')) return NULL;
        const struct ty *t = parse_fields(d, '>');
        if (!t || !expect(d, '>')) return NULL;
        return t;
    }
    const char *st = d->p;
    while (isalnum((unsigned char)*d->p) || *d->p == '_') d->p++;
    int len = (int)(d->p - st);
    d->p = st;
    if (len) fail(d, "unknown data type '%.*s'", len, st);
    else if (*st) fail(d, "expected a data type but found '%c'", *st);
    else fail(d, "expected a data type but the schema ended");
    return NULL;
}

static void finish_init(struct ddlp *d, struct arena *a, const char *s, char *err, size_t errcap) {
    d->a = a;
    d->s = d->p = s;
    d->err = err;
    d->errcap = errcap;
    d->failed = 0;
    if (err && errcap) err[0] = 0;
}

static const struct ty *at_end(struct ddlp *d, const struct ty *t) {
    if (!t) return NULL;
    skip_ws(d);
    if (*d->p) {
        fail(d, "unexpected '%c' after the schema", *d->p);
        return NULL;
    }
    return t;
}

const struct ty *ty_parse_ddl(struct arena *a, const char *s, char *err, size_t errcap) {
    struct ddlp d;
    finish_init(&d, a, s, err, errcap);
    /* `STRUCT<...>` as the whole schema, else a column list. */
    const char *save = d.p;
    if (keyword(&d, "struct") && peek(&d, '<')) {
        d.p = save;
        return at_end(&d, parse_type(&d));
    }
    d.p = save;
    return at_end(&d, parse_fields(&d, 0));
}

const struct ty *ty_parse_type(struct arena *a, const char *s, char *err, size_t errcap) {
    struct ddlp d;
    finish_init(&d, a, s, err, errcap);
    return at_end(&d, parse_type(&d));
}
