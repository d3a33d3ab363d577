/* type: see type.h. Construction, comparison and printing of Spark types.
 * Printing follows Spark's two spellings: `sql` (upper case, `STRUCT<a: INT>`,
 * used in DDL and error messages) and `simple` (lower case, `struct<a:int>`). */
#include "engine/types/type.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "engine/exec/vector.h"

static const struct ty prims[] = {
    [TY_NULL] = {.kind = TY_NULL},         [TY_BOOLEAN] = {.kind = TY_BOOLEAN},
    [TY_INT] = {.kind = TY_INT},           [TY_BIGINT] = {.kind = TY_BIGINT},
    [TY_FLOAT] = {.kind = TY_FLOAT},       [TY_DOUBLE] = {.kind = TY_DOUBLE},
    [TY_DECIMAL] = {.kind = TY_DECIMAL, .precision = 10, .scale = 0},
    [TY_STRING] = {.kind = TY_STRING},     [TY_BINARY] = {.kind = TY_BINARY},
    [TY_DATE] = {.kind = TY_DATE},         [TY_TIMESTAMP] = {.kind = TY_TIMESTAMP},
};

const struct ty *ty_null(void) { return &prims[TY_NULL]; }
const struct ty *ty_boolean(void) { return &prims[TY_BOOLEAN]; }
const struct ty *ty_int(void) { return &prims[TY_INT]; }
const struct ty *ty_bigint(void) { return &prims[TY_BIGINT]; }
const struct ty *ty_float(void) { return &prims[TY_FLOAT]; }
const struct ty *ty_double(void) { return &prims[TY_DOUBLE]; }
const struct ty *ty_string(void) { return &prims[TY_STRING]; }
const struct ty *ty_binary(void) { return &prims[TY_BINARY]; }
const struct ty *ty_date(void) { return &prims[TY_DATE]; }
const struct ty *ty_timestamp(void) { return &prims[TY_TIMESTAMP]; }

const struct ty *ty_prim(enum ty_kind k) {
    if (k == TY_DECIMAL || k > TY_TIMESTAMP) return NULL;
    return &prims[k];
}

const struct ty *ty_decimal(struct arena *a, int precision, int scale) {
    if (precision == 10 && scale == 0) return &prims[TY_DECIMAL];
    struct ty *t = arena_calloc(a, sizeof *t);
    t->kind = TY_DECIMAL;
    t->precision = (uint8_t)precision;
    t->scale = (uint8_t)scale;
    return t;
}

const struct ty *ty_array(struct arena *a, const struct ty *elem, bool contains_null) {
    struct ty *t = arena_calloc(a, sizeof *t);
    t->kind = TY_ARRAY;
    t->elem = elem;
    t->contains_null = contains_null;
    return t;
}

const struct ty *ty_map(struct arena *a, const struct ty *key, const struct ty *val, bool contains_null) {
    struct ty *t = arena_calloc(a, sizeof *t);
    t->kind = TY_MAP;
    t->key = key;
    t->elem = val;
    t->contains_null = contains_null;
    return t;
}

const struct ty *ty_struct(struct arena *a, const struct ty_field *fields, uint32_t n) {
    struct ty *t = arena_calloc(a, sizeof *t);
    struct ty_field *f = arena_alloc(a, (n ? n : 1) * sizeof *f);
    for (uint32_t i = 0; i < n; i++) {
        f[i] = fields[i];
        f[i].name = arena_strndup(a, fields[i].name, strlen(fields[i].name));
    }
    t->kind = TY_STRUCT;
    t->fields = f;
    t->nfields = n;
    return t;
}

bool ty_equal(const struct ty *x, const struct ty *y) {
    if (x == y) return true;
    if (!x || !y || x->kind != y->kind) return false;
    switch (x->kind) {
    case TY_DECIMAL: return x->precision == y->precision && x->scale == y->scale;
    case TY_ARRAY: return ty_equal(x->elem, y->elem);
    case TY_MAP: return ty_equal(x->key, y->key) && ty_equal(x->elem, y->elem);
    case TY_STRUCT:
        if (x->nfields != y->nfields) return false;
        for (uint32_t i = 0; i < x->nfields; i++)
            if (strcasecmp(x->fields[i].name, y->fields[i].name) || !ty_equal(x->fields[i].type, y->fields[i].type))
                return false;
        return true;
    default: return true;
    }
}

bool ty_is_numeric(const struct ty *t) {
    switch (t->kind) {
    case TY_INT: case TY_BIGINT: case TY_FLOAT: case TY_DOUBLE: case TY_DECIMAL: return true;
    default: return false;
    }
}

bool ty_is_integral(const struct ty *t) { return t->kind == TY_INT || t->kind == TY_BIGINT; }
bool ty_is_string_like(const struct ty *t) { return t->kind == TY_STRING || t->kind == TY_BINARY; }

size_t ty_width(const struct ty *t) {
    switch (t->kind) {
    case TY_NULL: case TY_STRUCT: return 0;
    case TY_BOOLEAN: return 1;
    case TY_INT: case TY_DATE: return 4;
    case TY_FLOAT: return 4;
    case TY_BIGINT: case TY_TIMESTAMP: case TY_DOUBLE: return 8;
    case TY_DECIMAL: return sizeof(__int128);
    case TY_STRING: case TY_BINARY: return sizeof(struct vstr);
    case TY_ARRAY: case TY_MAP: return sizeof(struct vlist);
    }
    return 0;
}

int ty_field_index(const struct ty *t, const char *name) {
    if (t->kind != TY_STRUCT) return -1;
    for (uint32_t i = 0; i < t->nfields; i++)
        if (!strcasecmp(t->fields[i].name, name)) return (int)i;
    return -1;
}

static const char *const sql_names[] = {
    [TY_NULL] = "VOID",   [TY_BOOLEAN] = "BOOLEAN", [TY_INT] = "INT",       [TY_BIGINT] = "BIGINT",
    [TY_FLOAT] = "FLOAT", [TY_DOUBLE] = "DOUBLE",   [TY_DECIMAL] = "DECIMAL", [TY_STRING] = "STRING",
    [TY_BINARY] = "BINARY", [TY_DATE] = "DATE",     [TY_TIMESTAMP] = "TIMESTAMP",
    [TY_STRUCT] = "STRUCT", [TY_ARRAY] = "ARRAY",   [TY_MAP] = "MAP",
};

/* Spark quotes a name with backquotes unless it is a plain identifier. */
static void put_name(struct buf *b, const char *name) {
    int plain = name[0] != 0 && !isdigit((unsigned char)name[0]);
    for (const char *p = name; *p && plain; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') plain = 0;
    if (plain) {
        buf_append(b, name, strlen(name));
        return;
    }
    buf_putc(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`') buf_putc(b, '`');
        buf_putc(b, (uint8_t)*p);
    }
    buf_putc(b, '`');
}

static void put_type(struct buf *b, const struct ty *t, int simple) {
    switch (t->kind) {
    case TY_DECIMAL: buf_printf(b, simple ? "decimal(%d,%d)" : "DECIMAL(%d,%d)", t->precision, t->scale); return;
    case TY_ARRAY:
        buf_printf(b, simple ? "array<" : "ARRAY<");
        put_type(b, t->elem, simple);
        buf_putc(b, '>');
        return;
    case TY_MAP:
        buf_printf(b, simple ? "map<" : "MAP<");
        put_type(b, t->key, simple);
        buf_printf(b, simple ? "," : ", ");
        put_type(b, t->elem, simple);
        buf_putc(b, '>');
        return;
    case TY_STRUCT:
        buf_printf(b, simple ? "struct<" : "STRUCT<");
        for (uint32_t i = 0; i < t->nfields; i++) {
            if (i) buf_printf(b, simple ? "," : ", ");
            if (simple) buf_append(b, t->fields[i].name, strlen(t->fields[i].name));
            else put_name(b, t->fields[i].name);
            buf_printf(b, simple ? ":" : ": ");
            put_type(b, t->fields[i].type, simple);
            if (!simple && !t->fields[i].nullable) buf_printf(b, " NOT NULL");
        }
        buf_putc(b, '>');
        return;
    default: {
        const char *n = sql_names[t->kind];
        if (simple) {
            if (t->kind == TY_NULL) n = "void";
            for (const char *p = n; *p; p++) buf_putc(b, (uint8_t)tolower((unsigned char)*p));
        } else {
            buf_append(b, n, strlen(n));
        }
    }
    }
}

void ty_sql(struct buf *b, const struct ty *t) { put_type(b, t, 0); }
void ty_simple(struct buf *b, const struct ty *t) { put_type(b, t, 1); }

void ty_ddl(struct buf *b, const struct ty *t) {
    if (t->kind != TY_STRUCT) {
        put_type(b, t, 0);
        return;
    }
    for (uint32_t i = 0; i < t->nfields; i++) {
        if (i) buf_printf(b, ", ");
        put_name(b, t->fields[i].name);
        buf_putc(b, ' ');
        put_type(b, t->fields[i].type, 0);
        if (!t->fields[i].nullable) buf_printf(b, " NOT NULL");
    }
}

static const char *to_arena(struct arena *a, struct buf *b) {
    const char *s = arena_strndup(a, (const char *)b->p, b->len);
    buf_free(b);
    return s;
}

const char *ty_sql_str(struct arena *a, const struct ty *t) {
    struct buf b = {0};
    ty_sql(&b, t);
    return to_arena(a, &b);
}

const char *ty_ddl_str(struct arena *a, const struct ty *t) {
    struct buf b = {0};
    ty_ddl(&b, t);
    return to_arena(a, &b);
}
