/* parse: the recursive-descent parser from tokens to the AST (ast.h).
 *
 * The one thing to know first: parsing stops at the first error, which is
 * recorded in the result as a byte offset and a message (format it with
 * diag_format); no partial script is returned. `${name}` substitution
 * happens before parsing (sqlvars_substitute), so positions refer to the
 * substituted text.
 *
 * Grammar (keywords case-insensitive):
 *   script    := stmt (';' stmt)* [';']
 *   stmt      := CREATE [OR REPLACE] [TEMP|TEMPORARY] VIEW [IF NOT EXISTS] name AS query
 *              | CREATE TABLE [IF NOT EXISTS] name ['(' coldefs ')'] USING fmt [OPTIONS '(' opts ')']
 *              | INSERT (INTO|OVERWRITE) [TABLE] name query
 *              | query
 *              | SET key [= value]            (value: the raw text to ';' or end of line)
 *   query     := select_or_paren (UNION [ALL|DISTINCT] select_or_paren)* [ORDER BY ...] [LIMIT expr]
 *   select    := SELECT [DISTINCT|ALL] items [FROM relation] [WHERE e] [GROUP BY e, ...] [HAVING e]
 *   relation  := primary (join primary [ON e | USING (cols)])*
 *   primary   := (name | '(' query ')') [WATERMARK e [AS n] DELAY OF interval]
 *                [DEDUPLICATE [WITHIN WATERMARK] BY '(' cols ')'] [[AS] alias]
 *   expressions: Spark's precedence — OR < AND < NOT < predicates (IS, IN,
 *   BETWEEN, LIKE/ILIKE/RLIKE) < comparison < | < ^ < & < + - || < * / % DIV
 *   < unary < postfix ([i], .field, ::type) < primary. */
#ifndef WEIR_ENGINE_PARSE_H
#define WEIR_ENGINE_PARSE_H

#include <stddef.h>

#include "common/arena.h"
#include "engine/sql/ast.h"

struct parse_result {
    struct ast_script *script; /* NULL on error */
    int err;                   /* 0 or WERR_PARSE */
    uint32_t err_pos;
    const char *err_msg;       /* in the arena */
};

/* Parses a whole pipeline file. */
void parse_script(struct arena *a, const char *src, size_t len, struct parse_result *out);
/* Parses one expression (for tests and for expression strings passed by
 * options); the result is in out->script->stmts[0]->query->items[0].expr. */
struct ast *parse_expr_string(struct arena *a, const char *src, struct parse_result *out);

#endif
