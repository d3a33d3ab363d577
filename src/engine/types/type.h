/* type: Spark SQL data types as immutable descriptors.
 *
 * The one thing to know first: a `const struct ty *` is a value that is never
 * mutated and never freed on its own. Primitive types are static singletons
 * (ty_int(), ty_string(), ...) so they compare by pointer; composite types
 * (decimal, struct, array, map) are built in an arena owned by whoever plans
 * the query and live as long as it. Compare types with ty_equal, never by
 * pointer, unless both are known primitives.
 *
 * Physical layout of one value of each kind in a column vector (see vector.h):
 *   BOOLEAN    uint8_t (0/1)        INT, DATE   int32_t (DATE = days since epoch)
 *   BIGINT     int64_t              TIMESTAMP   int64_t (microseconds since epoch, UTC)
 *   FLOAT      float                DOUBLE      double
 *   DECIMAL    __int128 unscaled    STRING, BINARY  struct vstr (pointer + length)
 *   STRUCT     nothing (children)   ARRAY, MAP  struct vlist (offset + length into children)
 *   NULL       nothing (every row is null)
 * TINYINT/SMALLINT in DDL are read as INT (the engine has no narrower ints). */
#ifndef WEIR_ENGINE_TYPE_H
#define WEIR_ENGINE_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"

enum ty_kind {
    TY_NULL,
    TY_BOOLEAN,
    TY_INT,
    TY_BIGINT,
    TY_FLOAT,
    TY_DOUBLE,
    TY_DECIMAL,
    TY_STRING,
    TY_BINARY,
    TY_DATE,
    TY_TIMESTAMP,
    TY_STRUCT,
    TY_ARRAY,
    TY_MAP,
};

struct ty;
struct ty_field {
    const char *name;
    const struct ty *type;
    bool nullable;
};

struct ty {
    enum ty_kind kind;
    uint8_t precision, scale;   /* DECIMAL */
    bool contains_null;         /* ARRAY elements / MAP values may be null */
    uint32_t nfields;           /* STRUCT */
    const struct ty_field *fields;
    const struct ty *elem;      /* ARRAY element, MAP value */
    const struct ty *key;       /* MAP key */
};

/* Singletons for the primitive kinds. */
const struct ty *ty_null(void);
const struct ty *ty_boolean(void);
const struct ty *ty_int(void);
const struct ty *ty_bigint(void);
const struct ty *ty_float(void);
const struct ty *ty_double(void);
const struct ty *ty_string(void);
const struct ty *ty_binary(void);
const struct ty *ty_date(void);
const struct ty *ty_timestamp(void);
/* The primitive singleton for a kind that has no parameters, else NULL. */
const struct ty *ty_prim(enum ty_kind k);

/* Composite constructors: the result and its copies of names live in `a`. */
const struct ty *ty_decimal(struct arena *a, int precision, int scale);
const struct ty *ty_array(struct arena *a, const struct ty *elem, bool contains_null);
const struct ty *ty_map(struct arena *a, const struct ty *key, const struct ty *val, bool contains_null);
/* fields[] is copied (names too). */
const struct ty *ty_struct(struct arena *a, const struct ty_field *fields, uint32_t n);

bool ty_equal(const struct ty *x, const struct ty *y);
bool ty_is_numeric(const struct ty *t);   /* int, bigint, float, double, decimal */
bool ty_is_integral(const struct ty *t);  /* int, bigint */
bool ty_is_string_like(const struct ty *t); /* string, binary */
/* Bytes one value occupies in a vector's data array (0 for STRUCT/NULL). */
size_t ty_width(const struct ty *t);
/* Index of a struct field by name (case-insensitive, as Spark by default), or -1. */
int ty_field_index(const struct ty *t, const char *name);

/* Spark's SQL spelling of a type: INT, DECIMAL(10,2), STRUCT<a: INT, b: STRING>,
 * ARRAY<STRING>, MAP<STRING, INT>. Appended to b. */
void ty_sql(struct buf *b, const struct ty *t);
/* Spark's catalogString / simpleString: int, struct<a:int,b:string>, ... */
void ty_simple(struct buf *b, const struct ty *t);
/* A struct type as a DDL column list: `a INT, b STRUCT<x: STRING>`; a field
 * that is not nullable gets NOT NULL; names that need it get backquotes. */
void ty_ddl(struct buf *b, const struct ty *t);
/* The same into an arena, NUL-terminated (convenience for messages and tests). */
const char *ty_sql_str(struct arena *a, const struct ty *t);
const char *ty_ddl_str(struct arena *a, const struct ty *t);

/* Parsing (ddl.c). On error returns NULL and, if err is non-NULL, writes a
 * message with the 1-based column into err (NUL-terminated, truncated to errcap).
 *   ty_parse_ddl: a column list `a INT, b STRUCT<x: STRING>` or `STRUCT<...>`
 *                 itself, giving a STRUCT type (Spark's from_json schema form).
 *   ty_parse_type: one type `ARRAY<STRUCT<a: INT>>`. */
const struct ty *ty_parse_ddl(struct arena *a, const char *s, char *err, size_t errcap);
const struct ty *ty_parse_type(struct arena *a, const char *s, char *err, size_t errcap);

#endif
