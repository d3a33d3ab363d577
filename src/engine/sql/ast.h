/* ast: the syntax tree of a pipeline file, as the parser builds it.
 *
 * The one thing to know first: the AST is purely syntactic — names are not
 * resolved and no types are checked (that is plan/bind). Every node keeps
 * `pos`, the byte offset of its first token in the source, so the binder can
 * point at it in an error. All nodes and strings live in the parse arena.
 * ast_print renders any node back as canonical SQL (fully parenthesised
 * expressions, upper-case keywords): the tests compare that text.
 *
 * Weir's extension to Spark SQL, documented in tests/sql/README.md:
 *   FROM rel [WATERMARK expr [AS name] DELAY OF INTERVAL ...]
 *            [DEDUPLICATE [WITHIN WATERMARK] BY (col, ...)] [[AS] alias]
 * DEDUPLICATE is Dataset.dropDuplicates (dropDuplicatesWithinWatermark with
 * WITHIN WATERMARK) on the relation's rows, after its WATERMARK. */
#ifndef WEIR_ENGINE_AST_H
#define WEIR_ENGINE_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "engine/types/type.h"

enum ast_kind {
    AST_NULL,       /* NULL */
    AST_BOOL,       /* TRUE/FALSE: ival */
    AST_INT,        /* integer literal: text (with suffix), ival when it fits */
    AST_NUMBER,     /* 1.5, 1e3, 1.5D, 2BD: text */
    AST_STRING,     /* 'x': text/len decoded */
    AST_BINARY_LIT, /* X'0A1B': text/len decoded bytes */
    AST_TYPED,      /* DATE 'x' / TIMESTAMP 'x': type + text */
    AST_INTERVAL,   /* INTERVAL ...: text normalised like "1 hours 30 minutes" */
    AST_COLUMN,     /* a, t.a, s.f.g: parts[nparts] */
    AST_STAR,       /* *, t.*, s.*: parts[nparts] qualifier (0 for bare *) */
    AST_UNARY,      /* op: '-' '+' '~' ; args[0] */
    AST_BINOP,      /* op: arithmetic/comparison/concat/bitwise, see ast_op; args[0..1] */
    AST_AND,        /* args[0..1] */
    AST_OR,
    AST_NOT,        /* args[0] */
    AST_FUNC,       /* name(args) ; distinct; star for f(*) */
    AST_CASE,       /* args: [operand?] when,then pairs.. [else?]: see has_operand/has_else */
    AST_IN,         /* args[0] IN (args[1..]) ; negated */
    AST_BETWEEN,    /* args[0] BETWEEN args[1] AND args[2] ; negated */
    AST_LIKE,       /* args[0] LIKE args[1] [ESCAPE args[2]] ; op = AST_LIKE_*; negated */
    AST_ISNULL,     /* args[0] IS [NOT] NULL ; negated */
    AST_ISBOOL,     /* args[0] IS [NOT] TRUE/FALSE ; ival = the boolean ; negated */
    AST_CAST,       /* CAST(args[0] AS type), x::type ; ival=1 for TRY_CAST */
    AST_SUBSCRIPT,  /* args[0][args[1]] */
    AST_FIELD,      /* args[0].name (on a non-column expression) */
    AST_LAMBDA,     /* reserved */
};

enum ast_op {
    OP_ADD = 1, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_IDIV, OP_CONCAT,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ_NS, /* <=> */
    OP_BITAND, OP_BITOR, OP_BITXOR, OP_NEG, OP_PLUS, OP_BITNOT,
    AST_LIKE_LIKE, AST_LIKE_ILIKE, AST_LIKE_RLIKE,
};

struct ast {
    enum ast_kind kind;
    int op;
    uint32_t pos;
    const char *text;       /* literal text, function or field name */
    uint32_t len;           /* bytes in text */
    int64_t ival;
    const struct ty *type;  /* CAST / AST_TYPED */
    struct ast **args;
    uint32_t nargs;
    const char **parts;     /* COLUMN / STAR */
    uint32_t nparts;
    bool distinct, star, negated, has_operand, has_else;
};

struct ast_item {           /* one SELECT list entry */
    struct ast *expr;
    const char *alias;      /* NULL if none */
    uint32_t pos;
};

enum ast_rel_kind { REL_TABLE, REL_SUBQUERY, REL_JOIN };
enum ast_join { JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_LEFT_SEMI, JOIN_LEFT_ANTI, JOIN_CROSS };

struct ast_query;
struct ast_rel {
    enum ast_rel_kind kind;
    uint32_t pos;
    const char *name;            /* REL_TABLE */
    struct ast_query *sub;       /* REL_SUBQUERY */
    const char *alias;
    /* WATERMARK clause */
    struct ast *wm_expr;         /* NULL if none */
    const char *wm_alias;
    struct ast *wm_delay;        /* AST_INTERVAL */
    /* DEDUPLICATE clause */
    struct ast **dedup;          /* columns; NULL if no clause */
    uint32_t ndedup;
    bool dedup_within_wm;
    /* REL_JOIN */
    enum ast_join join;
    struct ast_rel *left, *right;
    struct ast *on;
    const char **using_cols;
    uint32_t nusing;
};

struct ast_order {
    struct ast *expr;
    bool desc;
    int nulls_first;             /* -1 default, 0 last, 1 first */
};

enum ast_query_kind { Q_SELECT, Q_UNION };
struct ast_query {
    enum ast_query_kind kind;
    uint32_t pos;
    /* Q_SELECT */
    bool distinct;
    struct ast_item *items;
    uint32_t nitems;
    struct ast_rel *from;        /* NULL for SELECT without FROM */
    struct ast *where;
    struct ast **group;
    uint32_t ngroup;
    struct ast *having;
    /* Q_UNION: left UNION [ALL] right */
    struct ast_query *left, *right;
    bool all;
    /* ORDER BY / LIMIT on this query (outermost) */
    struct ast_order *order;
    uint32_t norder;
    struct ast *limit;
};

enum ast_stmt_kind { ST_CREATE_TABLE, ST_CREATE_VIEW, ST_INSERT, ST_QUERY, ST_SET };
struct ast_stmt {
    enum ast_stmt_kind kind;
    uint32_t pos;
    const char *name;            /* table/view/sink; SET key */
    const char *value;           /* SET value (raw text) */
    bool or_replace, temp, if_not_exists, overwrite;
    bool explain;                /* EXPLAIN [EXTENDED] before a query or INSERT */
    const struct ty *columns;    /* CREATE TABLE (cols): a STRUCT, or NULL */
    const char *using;           /* format */
    const char **opt_keys, **opt_vals;
    uint32_t nopts;
    struct ast_query *query;     /* VIEW, INSERT, QUERY */
};

struct ast_script {
    struct ast_stmt **stmts;
    uint32_t nstmts;
};

/* Canonical SQL text of a node (appended to b). */
void ast_print_expr(struct buf *b, const struct ast *e);
void ast_print_query(struct buf *b, const struct ast_query *q);
void ast_print_stmt(struct buf *b, const struct ast_stmt *s);
const char *ast_op_name(int op);
/* The name Spark gives an unaliased select expression as its output column:
 * a column's last part, a field's name, else the expression's SQL text. */
const char *ast_auto_name(struct arena *a, const struct ast *e);

#endif
