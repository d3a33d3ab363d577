/* lex: the tokenizer for weir's Spark-dialect SQL.
 *
 * The one thing to know first: the whole source is tokenized up front into an
 * array (the parser backtracks a little, e.g. to tell `(SELECT ...)` from
 * `(expr)`), and every token keeps its byte offset so any later stage can
 * report `line:column` and show the line (see diag.h). Keywords are not
 * separate token kinds: a word is LEX_IDENT and the parser compares it
 * case-insensitively, which lets non-reserved keywords be column names
 * (`window`, `date`, `timestamp` are common column names in pipelines).
 *
 * Literals follow Spark: 'single' or "double" quoted strings with backslash
 * escapes (\n \t \\ \' \" \0 \uXXXX) and adjacent strings concatenated;
 * `backquoted` identifiers (`` doubles a backquote); numbers 12, 12L, 12S,
 * 12Y, 1.5, 1.5D, 1.5F, 1.5BD, 1e3, .5. Comments: -- to end of line and
 * bracketed, nestable block comments. */
#ifndef WEIR_ENGINE_LEX_H
#define WEIR_ENGINE_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

enum lex_kind {
    LEX_EOF,
    LEX_IDENT,   /* word; text is the word as written */
    LEX_QIDENT,  /* `backquoted`; text is the unquoted name */
    LEX_INT,     /* digits with an optional L/S/Y suffix (text keeps it) */
    LEX_NUMBER,  /* decimal/exponent/D/F/BD forms (text as written) */
    LEX_STRING,  /* text is the decoded value */
    LEX_OP,      /* punctuation/operator; text is the operator */
};

struct lex_tok {
    enum lex_kind kind;
    const char *text; /* NUL-terminated, in the arena */
    uint32_t len;     /* bytes in text (strings may hold NUL) */
    uint32_t pos;     /* byte offset of the token's first character in the source */
};

struct lex_result {
    struct lex_tok *toks; /* ntoks entries, the last is LEX_EOF */
    uint32_t ntoks;
    int err;              /* 0, or WERR_PARSE with err_pos/err_msg set */
    uint32_t err_pos;
    const char *err_msg;
};

/* Tokenizes src[0..len). Everything lives in a. */
void lex_run(struct arena *a, const char *src, size_t len, struct lex_result *out);

/* Case-insensitive comparison of a word token with a keyword. */
int lex_is(const struct lex_tok *t, const char *kw);
int lex_is_op(const struct lex_tok *t, const char *op);

#endif
