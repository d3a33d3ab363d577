/* ast_print: the AST back to text, in two flavours.
 *   canonical (ast_print_*): SQL that parses back to the same tree — binary
 *     operators parenthesised, keywords upper case, strings quoted. Tests
 *     compare it; error messages quote it.
 *   auto names (ast_auto_name): the column name Spark gives an unaliased
 *     select expression — `sum(ENTRIES)`, `(a + b)`, `CAST(value AS STRING)`,
 *     string literals bare, function names lower case, `count(1)` for
 *     count(*), a column's last name part. */
#include "engine/sql/ast.h"

#include <ctype.h>
#include <string.h>

static const char *const op_names[] = {
    [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_MOD] = "%", [OP_IDIV] = "div",
    [OP_CONCAT] = "||", [OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">",
    [OP_GE] = ">=", [OP_EQ_NS] = "<=>", [OP_BITAND] = "&", [OP_BITOR] = "|", [OP_BITXOR] = "^",
    [OP_NEG] = "-", [OP_PLUS] = "+", [OP_BITNOT] = "~",
    [AST_LIKE_LIKE] = "LIKE", [AST_LIKE_ILIKE] = "ILIKE", [AST_LIKE_RLIKE] = "RLIKE",
};

const char *ast_op_name(int op) {
    if (op <= 0 || op >= (int)(sizeof op_names / sizeof op_names[0]) || !op_names[op]) return "?";
    return op_names[op];
}

static void put_ident(struct buf *b, const char *s) {
    int plain = s[0] && !isdigit((unsigned char)s[0]);
    for (const char *c = s; *c && plain; c++)
        if (!isalnum((unsigned char)*c) && *c != '_') plain = 0;
    if (plain) {
        buf_append(b, s, strlen(s));
        return;
    }
    buf_putc(b, '`');
    for (const char *c = s; *c; c++) {
        if (*c == '`') buf_putc(b, '`');
        buf_putc(b, (uint8_t)*c);
    }
    buf_putc(b, '`');
}

static void put_string(struct buf *b, const char *s, uint32_t n) {
    buf_putc(b, '\'');
    for (uint32_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\'' || c == '\\') buf_putc(b, '\\');
        if (c == '\n') { buf_printf(b, "\\n"); continue; }
        if (c == '\t') { buf_printf(b, "\\t"); continue; }
        if (c == 0) { buf_printf(b, "\\0"); continue; }
        buf_putc(b, (uint8_t)c);
    }
    buf_putc(b, '\'');
}

static void pexpr(struct buf *b, const struct ast *e, int spark);

static void plist(struct buf *b, struct ast *const *args, uint32_t from, uint32_t n, int spark) {
    for (uint32_t i = from; i < n; i++) {
        if (i > from) buf_printf(b, ", ");
        pexpr(b, args[i], spark);
    }
}

static void pexpr(struct buf *b, const struct ast *e, int spark) {
    switch (e->kind) {
    case AST_NULL: buf_printf(b, "NULL"); break;
    case AST_BOOL: buf_printf(b, e->ival ? "true" : "false"); break;
    case AST_INT: case AST_NUMBER: buf_append(b, e->text, e->len); break;
    case AST_STRING:
        if (spark) buf_append(b, e->text, e->len);
        else put_string(b, e->text, e->len);
        break;
    case AST_BINARY_LIT:
        buf_printf(b, "X'");
        for (uint32_t i = 0; i < e->len; i++) buf_printf(b, "%02X", (unsigned char)e->text[i]);
        buf_putc(b, '\'');
        break;
    case AST_TYPED:
        buf_printf(b, "%s ", e->type->kind == TY_DATE ? "DATE" : "TIMESTAMP");
        put_string(b, e->text, e->len);
        break;
    case AST_INTERVAL:
        buf_printf(b, "INTERVAL ");
        put_string(b, e->text, e->len);
        break;
    case AST_COLUMN:
        for (uint32_t i = 0; i < e->nparts; i++) {
            if (i) buf_putc(b, '.');
            put_ident(b, e->parts[i]);
        }
        break;
    case AST_STAR:
        for (uint32_t i = 0; i < e->nparts; i++) {
            put_ident(b, e->parts[i]);
            buf_putc(b, '.');
        }
        buf_putc(b, '*');
        break;
    case AST_UNARY:
        buf_printf(b, "(%s", ast_op_name(e->op));
        pexpr(b, e->args[0], spark);
        buf_putc(b, ')');
        break;
    case AST_BINOP:
        if (spark && e->op == OP_CONCAT) { /* Spark turns || into concat() */
            buf_printf(b, "concat(");
            plist(b, e->args, 0, 2, spark);
            buf_putc(b, ')');
            break;
        }
        buf_putc(b, '(');
        pexpr(b, e->args[0], spark);
        buf_printf(b, " %s ", ast_op_name(e->op));
        pexpr(b, e->args[1], spark);
        buf_putc(b, ')');
        break;
    case AST_AND: case AST_OR:
        buf_putc(b, '(');
        pexpr(b, e->args[0], spark);
        buf_printf(b, e->kind == AST_AND ? " AND " : " OR ");
        pexpr(b, e->args[1], spark);
        buf_putc(b, ')');
        break;
    case AST_NOT:
        buf_printf(b, "(NOT ");
        pexpr(b, e->args[0], spark);
        buf_putc(b, ')');
        break;
    case AST_FUNC:
        for (const char *c = e->text; *c; c++) buf_putc(b, (uint8_t)(spark ? tolower((unsigned char)*c) : *c));
        buf_putc(b, '(');
        if (e->star) buf_printf(b, spark ? "1" : "*");
        if (e->distinct) buf_printf(b, "DISTINCT ");
        plist(b, e->args, 0, e->nargs, spark);
        buf_putc(b, ')');
        break;
    case AST_CASE: {
        uint32_t i = 0, n = e->nargs - (e->has_else ? 1 : 0);
        buf_printf(b, "CASE");
        if (e->has_operand) {
            buf_putc(b, ' ');
            pexpr(b, e->args[i++], spark);
        }
        for (; i + 1 < n; i += 2) {
            buf_printf(b, " WHEN ");
            pexpr(b, e->args[i], spark);
            buf_printf(b, " THEN ");
            pexpr(b, e->args[i + 1], spark);
        }
        if (e->has_else) {
            buf_printf(b, " ELSE ");
            pexpr(b, e->args[e->nargs - 1], spark);
        }
        buf_printf(b, " END");
        break;
    }
    case AST_IN:
        buf_putc(b, '(');
        pexpr(b, e->args[0], spark);
        buf_printf(b, e->negated ? " NOT IN (" : " IN (");
        plist(b, e->args, 1, e->nargs, spark);
        buf_printf(b, "))");
        break;
    case AST_BETWEEN:
        buf_putc(b, '(');
        pexpr(b, e->args[0], spark);
        buf_printf(b, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        pexpr(b, e->args[1], spark);
        buf_printf(b, " AND ");
        pexpr(b, e->args[2], spark);
        buf_putc(b, ')');
        break;
    case AST_LIKE:
        buf_putc(b, '(');
        pexpr(b, e->args[0], spark);
        buf_printf(b, " %s%s ", e->negated ? "NOT " : "", ast_op_name(e->op));
        pexpr(b, e->args[1], spark);
        if (e->nargs > 2) {
            buf_printf(b, " ESCAPE ");
            pexpr(b, e->args[2], spark);
        }
        buf_putc(b, ')');
        break;
    case AST_ISNULL:
        buf_putc(b, '(');
        pexpr(b, e->args[0], spark);
        buf_printf(b, e->negated ? " IS NOT NULL)" : " IS NULL)");
        break;
    case AST_ISBOOL:
        buf_putc(b, '(');
        pexpr(b, e->args[0], spark);
        buf_printf(b, " IS %s%s)", e->negated ? "NOT " : "", e->ival ? "TRUE" : "FALSE");
        break;
    case AST_CAST:
        buf_printf(b, e->ival ? "TRY_CAST(" : "CAST(");
        pexpr(b, e->args[0], spark);
        buf_printf(b, " AS ");
        ty_sql(b, e->type);
        buf_putc(b, ')');
        break;
    case AST_SUBSCRIPT:
        pexpr(b, e->args[0], spark);
        buf_putc(b, '[');
        pexpr(b, e->args[1], spark);
        buf_putc(b, ']');
        break;
    case AST_FIELD:
        pexpr(b, e->args[0], spark);
        buf_putc(b, '.');
        put_ident(b, e->text);
        break;
    case AST_LAMBDA: buf_printf(b, "<lambda>"); break;
    }
}

void ast_print_expr(struct buf *b, const struct ast *e) { pexpr(b, e, 0); }

const char *ast_auto_name(struct arena *a, const struct ast *e) {
    if (e->kind == AST_COLUMN) return e->parts[e->nparts - 1];
    if (e->kind == AST_FIELD) return e->text;
    struct buf b = {0};
    pexpr(&b, e, 1);
    const char *s = arena_strndup(a, b.p ? (const char *)b.p : "", b.len);
    buf_free(&b);
    return s;
}

static void prel(struct buf *b, const struct ast_rel *r) {
    static const char *const jn[] = {
        [JOIN_INNER] = "JOIN", [JOIN_LEFT] = "LEFT JOIN", [JOIN_RIGHT] = "RIGHT JOIN", [JOIN_FULL] = "FULL JOIN",
        [JOIN_LEFT_SEMI] = "LEFT SEMI JOIN", [JOIN_LEFT_ANTI] = "LEFT ANTI JOIN", [JOIN_CROSS] = "CROSS JOIN",
    };
    switch (r->kind) {
    case REL_TABLE: put_ident(b, r->name); break;
    case REL_SUBQUERY:
        buf_putc(b, '(');
        ast_print_query(b, r->sub);
        buf_putc(b, ')');
        break;
    case REL_JOIN:
        prel(b, r->left);
        buf_printf(b, " %s ", jn[r->join]);
        prel(b, r->right);
        if (r->on) {
            buf_printf(b, " ON ");
            pexpr(b, r->on, 0);
        }
        if (r->nusing) {
            buf_printf(b, " USING (");
            for (uint32_t i = 0; i < r->nusing; i++) {
                if (i) buf_printf(b, ", ");
                put_ident(b, r->using_cols[i]);
            }
            buf_putc(b, ')');
        }
        return;
    }
    if (r->wm_expr) {
        buf_printf(b, " WATERMARK ");
        pexpr(b, r->wm_expr, 0);
        if (r->wm_alias) {
            buf_printf(b, " AS ");
            put_ident(b, r->wm_alias);
        }
        buf_printf(b, " DELAY OF ");
        pexpr(b, r->wm_delay, 0);
    }
    if (r->dedup) {
        buf_printf(b, r->dedup_within_wm ? " DEDUPLICATE WITHIN WATERMARK BY (" : " DEDUPLICATE BY (");
        plist(b, r->dedup, 0, r->ndedup, 0);
        buf_putc(b, ')');
    }
    if (r->alias) {
        buf_printf(b, " AS ");
        put_ident(b, r->alias);
    }
}

void ast_print_query(struct buf *b, const struct ast_query *q) {
    if (q->kind == Q_UNION) {
        buf_putc(b, '(');
        ast_print_query(b, q->left);
        buf_printf(b, q->all ? ") UNION ALL (" : ") UNION (");
        ast_print_query(b, q->right);
        buf_putc(b, ')');
    } else {
        buf_printf(b, q->distinct ? "SELECT DISTINCT " : "SELECT ");
        for (uint32_t i = 0; i < q->nitems; i++) {
            if (i) buf_printf(b, ", ");
            pexpr(b, q->items[i].expr, 0);
            if (q->items[i].alias) {
                buf_printf(b, " AS ");
                put_ident(b, q->items[i].alias);
            }
        }
        if (q->from) {
            buf_printf(b, " FROM ");
            prel(b, q->from);
        }
        if (q->where) {
            buf_printf(b, " WHERE ");
            pexpr(b, q->where, 0);
        }
        if (q->ngroup) {
            buf_printf(b, " GROUP BY ");
            plist(b, q->group, 0, q->ngroup, 0);
        }
        if (q->having) {
            buf_printf(b, " HAVING ");
            pexpr(b, q->having, 0);
        }
    }
    if (q->norder) {
        buf_printf(b, " ORDER BY ");
        for (uint32_t i = 0; i < q->norder; i++) {
            if (i) buf_printf(b, ", ");
            pexpr(b, q->order[i].expr, 0);
            if (q->order[i].desc) buf_printf(b, " DESC");
            if (q->order[i].nulls_first >= 0) buf_printf(b, q->order[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
        }
    }
    if (q->limit) {
        buf_printf(b, " LIMIT ");
        pexpr(b, q->limit, 0);
    }
}

void ast_print_stmt(struct buf *b, const struct ast_stmt *s) {
    if (s->explain) buf_printf(b, "EXPLAIN ");
    switch (s->kind) {
    case ST_CREATE_TABLE:
        buf_printf(b, "CREATE TABLE %s", s->if_not_exists ? "IF NOT EXISTS " : "");
        put_ident(b, s->name);
        if (s->columns) {
            buf_printf(b, " (");
            ty_ddl(b, s->columns);
            buf_putc(b, ')');
        }
        buf_printf(b, " USING %s", s->using);
        if (s->nopts) {
            buf_printf(b, " OPTIONS (");
            for (uint32_t i = 0; i < s->nopts; i++) {
                if (i) buf_printf(b, ", ");
                put_string(b, s->opt_keys[i], (uint32_t)strlen(s->opt_keys[i]));
                buf_printf(b, " = ");
                put_string(b, s->opt_vals[i], (uint32_t)strlen(s->opt_vals[i]));
            }
            buf_putc(b, ')');
        }
        break;
    case ST_CREATE_VIEW:
        buf_printf(b, "CREATE %s%sVIEW %s", s->or_replace ? "OR REPLACE " : "", s->temp ? "TEMP " : "",
                   s->if_not_exists ? "IF NOT EXISTS " : "");
        put_ident(b, s->name);
        buf_printf(b, " AS ");
        ast_print_query(b, s->query);
        break;
    case ST_INSERT:
        buf_printf(b, s->overwrite ? "INSERT OVERWRITE " : "INSERT INTO ");
        put_ident(b, s->name);
        buf_putc(b, ' ');
        ast_print_query(b, s->query);
        break;
    case ST_QUERY: ast_print_query(b, s->query); break;
    case ST_SET: buf_printf(b, "SET %s = %s", s->name, s->value ? s->value : ""); break;
    }
}
