/* json: a strict JSON parser into an arena DOM, and a writer that escapes
 * and formats numbers the way Spark's to_json (Jackson) does.
 *
 * Parsing: json_parse reads exactly one value (surrounding white space
 * allowed) and builds the tree in the caller's arena: every node, string,
 * key and raw number text is allocated there, so the input may be freed
 * right after the call and the whole tree goes away with arena_reset /
 * arena_free. Objects keep their key order (duplicate keys are kept too;
 * json_get returns the last one, as Jackson-based readers do). Numbers keep
 * the raw text, a double and, when the text is an integer that fits, the
 * int64. Strings are UTF-8 (validated), NUL-terminated, and may contain NUL
 * bytes from \u0000 (use len). \uXXXX escapes with surrogate pairs become
 * UTF-8; a lone surrogate becomes U+FFFD.
 * Errors: WERR_PARSE with err->offset (byte offset into the input) and a
 * message; WERR_TOOBIG when nesting exceeds JSON_MAX_DEPTH.
 * Strict by default (RFC 8259). Spark's reader relaxes a few rules by
 * default (allowSingleQuotes, allowNonNumericNumbers); JSON_SPARK_DEFAULTS
 * turns those on; the other JSON_ALLOW_* flags map to Spark's options of the
 * same name. Doubles are read with strtod, which assumes the "C" numeric
 * locale (weir never calls setlocale). Not thread-safe per arena; no global
 * state. */
#ifndef WEIR_JSON_H
#define WEIR_JSON_H

#include "common/arena.h"
#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_member;
struct json_value {
    uint8_t type;   /* enum json_type */
    uint8_t is_int; /* JSON_NUMBER: integer text that fits int64 (then i is exact) */
    uint32_t len;   /* string bytes / array items / object members / raw number bytes */
    union {
        const char *str;                  /* JSON_STRING */
        struct { const char *raw; int64_t i; double d; } num; /* JSON_NUMBER */
        struct json_value *items;         /* JSON_ARRAY: len values */
        struct json_member *members;      /* JSON_OBJECT: len members */
    } u;
};

struct json_member {
    const char *key; /* NUL-terminated */
    uint32_t klen;
    struct json_value value;
};

enum {
    JSON_ALLOW_SINGLE_QUOTES = 1 << 0,       /* 'strings' and 'keys' */
    JSON_ALLOW_NON_NUMERIC = 1 << 1,         /* NaN, Infinity, -Infinity, +Infinity, +INF, -INF */
    JSON_ALLOW_COMMENTS = 1 << 2,            /* C and C++ style comments */
    JSON_ALLOW_LEADING_ZEROS = 1 << 3,       /* 007 */
    JSON_ALLOW_UNQUOTED_NAMES = 1 << 4,      /* {a: 1} */
    JSON_ALLOW_BACKSLASH_ANY = 1 << 5,       /* "\q" -> "q" */
    JSON_ALLOW_UNQUOTED_CONTROL = 1 << 6,    /* raw control characters in strings */
};
#define JSON_STRICT 0
#define JSON_SPARK_DEFAULTS (JSON_ALLOW_SINGLE_QUOTES | JSON_ALLOW_NON_NUMERIC)
#define JSON_MAX_DEPTH 512

struct json_error {
    size_t offset;
    char msg[96];
};

int json_parse(struct arena *a, const char *s, size_t n, int flags, struct json_value **out, struct json_error *err);

/* Object lookup by key (last match wins); NULL if absent or not an object. */
const struct json_value *json_get(const struct json_value *obj, const char *key, size_t klen);

/* ---- writer (compact, as to_json) ---- */
/* Appends a quoted JSON string: escapes '"', '\\', and control characters
 * (\b \t \n \f \r short forms, others \u00XX with upper-case hex, as
 * Jackson); '/' and non-ASCII bytes are written as they are. */
void json_write_string(struct buf *b, const char *s, size_t n);
void json_write_int(struct buf *b, int64_t v);
/* Doubles as Java's Double.toString (what Jackson and Spark print):
 * shortest round-trip digits, "1.0", "0.001", "1.0E7", "1.234E-5";
 * NaN and infinities as the strings "NaN", "Infinity", "-Infinity" (Jackson's
 * default quotes non-numeric numbers). is_float uses Float.toString's
 * shortest digits for a 32-bit float. */
void json_write_double(struct buf *b, double v, int is_float);
/* The same text without JSON quoting for NaN/Infinity (CAST(double AS
 * STRING)); returns the length; out needs JSON_DBL_MAX bytes. */
#define JSON_DBL_MAX 32
int json_fmt_double(double v, int is_float, char *out);
/* Serializes a DOM value compactly; numbers are written from their raw text. */
void json_write_value(struct buf *b, const struct json_value *v);

#endif
