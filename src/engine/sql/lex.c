/* lex: see lex.h. A single forward pass; operators are matched longest first. */
#include "engine/sql/lex.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"

struct lexer {
    struct arena *a;
    const char *s;
    size_t len, i;
    struct buf toks; /* array of struct lex_tok */
    struct lex_result *out;
};

static void push(struct lexer *L, enum lex_kind k, const char *text, uint32_t tlen, uint32_t pos) {
    struct lex_tok t = {k, text, tlen, pos};
    buf_append(&L->toks, &t, sizeof t);
}

static int fail(struct lexer *L, uint32_t pos, const char *msg) {
    L->out->err = WERR_PARSE;
    L->out->err_pos = pos;
    L->out->err_msg = msg;
    return -1;
}

static void put_utf8(struct buf *b, uint32_t cp) {
    if (cp < 0x80) buf_putc(b, (uint8_t)cp);
    else if (cp < 0x800) {
        buf_putc(b, (uint8_t)(0xC0 | (cp >> 6)));
        buf_putc(b, (uint8_t)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (uint8_t)(0xE0 | (cp >> 12)));
        buf_putc(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (uint8_t)(0x80 | (cp & 0x3F)));
    }
}

/* One quoted string starting at L->i (the quote); appends the decoded bytes. */
static int string_lit(struct lexer *L, struct buf *out) {
    uint32_t start = (uint32_t)L->i;
    char q = L->s[L->i++];
    for (;;) {
        if (L->i >= L->len) return fail(L, start, "unterminated string literal");
        char c = L->s[L->i++];
        if (c == q) return 0;
        if (c != '\\' || L->i >= L->len) {
            buf_putc(out, (uint8_t)c);
            continue;
        }
        char e = L->s[L->i++];
        switch (e) {
        case 'n': buf_putc(out, '\n'); break;
        case 't': buf_putc(out, '\t'); break;
        case 'r': buf_putc(out, '\r'); break;
        case 'b': buf_putc(out, '\b'); break;
        case '0': buf_putc(out, 0); break;
        case 'Z': buf_putc(out, 26); break;
        case 'u': {
            uint32_t cp = 0;
            int k;
            for (k = 0; k < 4 && L->i < L->len && isxdigit((unsigned char)L->s[L->i]); k++, L->i++) {
                char h = L->s[L->i];
                cp = cp * 16 + (uint32_t)(isdigit((unsigned char)h) ? h - '0' : (tolower((unsigned char)h) - 'a' + 10));
            }
            if (k != 4) return fail(L, (uint32_t)L->i, "\\u needs four hex digits");
            put_utf8(out, cp);
            break;
        }
        /* \% and \_ stay escaped so LIKE patterns keep them, as in Spark */
        case '%': case '_': buf_putc(out, '\\'); buf_putc(out, (uint8_t)e); break;
        default: buf_putc(out, (uint8_t)e); break;
        }
    }
}

static int is_word_start(char c) { return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80; }
static int is_word(char c) { return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80; }

static int number(struct lexer *L) {
    const char *s = L->s;
    size_t st = L->i, i = L->i;
    int is_int = 1;
    while (i < L->len && isdigit((unsigned char)s[i])) i++;
    if (i < L->len && s[i] == '.' && !(i + 1 < L->len && s[i + 1] == '.')) {
        is_int = 0;
        i++;
        while (i < L->len && isdigit((unsigned char)s[i])) i++;
    }
    if (i < L->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < L->len && (s[j] == '+' || s[j] == '-')) j++;
        if (j < L->len && isdigit((unsigned char)s[j])) {
            is_int = 0;
            i = j;
            while (i < L->len && isdigit((unsigned char)s[i])) i++;
        }
    }
    /* suffixes: L S Y (integers), D F BD (any) */
    if (i < L->len) {
        char c = (char)toupper((unsigned char)s[i]);
        if (is_int && (c == 'L' || c == 'S' || c == 'Y') && !(i + 1 < L->len && is_word(s[i + 1]))) i++;
        else if ((c == 'D' || c == 'F') && !(i + 1 < L->len && is_word(s[i + 1]))) { i++; is_int = 0; }
        else if (c == 'B' && i + 1 < L->len && toupper((unsigned char)s[i + 1]) == 'D' &&
                 !(i + 2 < L->len && is_word(s[i + 2]))) { i += 2; is_int = 0; }
    }
    if (i < L->len && is_word(s[i])) {
        /* 1abc: Spark reads digits followed by letters as an identifier */
        while (i < L->len && is_word(s[i])) i++;
        push(L, LEX_IDENT, arena_strndup(L->a, s + st, i - st), (uint32_t)(i - st), (uint32_t)st);
        L->i = i;
        return 0;
    }
    push(L, is_int ? LEX_INT : LEX_NUMBER, arena_strndup(L->a, s + st, i - st), (uint32_t)(i - st), (uint32_t)st);
    L->i = i;
    return 0;
}

/* After a name or a closing bracket, '.' is field access, not a number. */
static int prev_is_value(const struct lexer *L) {
    if (!L->toks.len) return 0;
    const struct lex_tok *t = (const struct lex_tok *)(L->toks.p + L->toks.len - sizeof *t);
    return t->kind == LEX_IDENT || t->kind == LEX_QIDENT || lex_is_op(t, ")") || lex_is_op(t, "]");
}

static const char *const ops[] = {
    "<=>", "==", "!=", "<>", "<=", ">=", "||", "::", "->", "=>", "&&",
    "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ".", ";", "[", "]", ":", "&", "|", "^", "~", "!",
};

void lex_run(struct arena *a, const char *src, size_t len, struct lex_result *out) {
    struct lexer L = {.a = a, .s = src, .len = len, .out = out};
    memset(out, 0, sizeof *out);
    while (L.i < len) {
        char c = src[L.i];
        if (isspace((unsigned char)c)) {
            L.i++;
            continue;
        }
        if (c == '-' && L.i + 1 < len && src[L.i + 1] == '-') {
            while (L.i < len && src[L.i] != '\n') L.i++;
            continue;
        }
        if (c == '/' && L.i + 1 < len && src[L.i + 1] == '*') {
            uint32_t st = (uint32_t)L.i;
            int depth = 0;
            do {
                if (L.i + 1 < len && src[L.i] == '/' && src[L.i + 1] == '*') { depth++; L.i += 2; }
                else if (L.i + 1 < len && src[L.i] == '*' && src[L.i + 1] == '/') { depth--; L.i += 2; }
                else L.i++;
            } while (depth > 0 && L.i < len);
            if (depth > 0) { fail(&L, st, "unterminated comment"); goto done; }
            continue;
        }
        uint32_t pos = (uint32_t)L.i;
        if (c == '\'' || c == '"') {
            struct buf b = {0};
            int rc = string_lit(&L, &b);
            /* adjacent literals concatenate: 'a' 'b' is 'ab' */
            for (;;) {
                if (rc) break;
                size_t j = L.i;
                while (j < len && isspace((unsigned char)src[j])) j++;
                if (j >= len || (src[j] != '\'' && src[j] != '"')) break;
                L.i = j;
                rc = string_lit(&L, &b);
            }
            if (rc) { buf_free(&b); goto done; }
            push(&L, LEX_STRING, arena_strndup(a, b.p ? (const char *)b.p : "", b.len), (uint32_t)b.len, pos);
            buf_free(&b);
            continue;
        }
        if (c == '`') {
            struct buf b = {0};
            L.i++;
            for (;;) {
                if (L.i >= len) { buf_free(&b); fail(&L, pos, "unterminated backquoted identifier"); goto done; }
                if (src[L.i] == '`') {
                    if (L.i + 1 < len && src[L.i + 1] == '`') { buf_putc(&b, '`'); L.i += 2; continue; }
                    L.i++;
                    break;
                }
                buf_putc(&b, (uint8_t)src[L.i++]);
            }
            push(&L, LEX_QIDENT, arena_strndup(a, b.p ? (const char *)b.p : "", b.len), (uint32_t)b.len, pos);
            buf_free(&b);
            continue;
        }
        if (isdigit((unsigned char)c) || (c == '.' && L.i + 1 < len && isdigit((unsigned char)src[L.i + 1]) &&
                                          !prev_is_value(&L))) {
            number(&L);
            continue;
        }
        if (is_word_start(c)) {
            size_t st = L.i;
            while (L.i < len && is_word(src[L.i])) L.i++;
            push(&L, LEX_IDENT, arena_strndup(a, src + st, L.i - st), (uint32_t)(L.i - st), pos);
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            size_t n = strlen(ops[k]);
            if (L.i + n <= len && !memcmp(src + L.i, ops[k], n)) break;
        }
        if (k == sizeof ops / sizeof ops[0]) {
            fail(&L, pos, "unexpected character");
            goto done;
        }
        push(&L, LEX_OP, ops[k], (uint32_t)strlen(ops[k]), pos);
        L.i += strlen(ops[k]);
    }
done:
    push(&L, LEX_EOF, "", 0, (uint32_t)(L.i < len ? L.i : len));
    out->ntoks = (uint32_t)(L.toks.len / sizeof(struct lex_tok));
    out->toks = arena_alloc(a, L.toks.len);
    memcpy(out->toks, L.toks.p, L.toks.len);
    buf_free(&L.toks);
}

int lex_is(const struct lex_tok *t, const char *kw) { return t->kind == LEX_IDENT && !strcasecmp(t->text, kw); }
int lex_is_op(const struct lex_tok *t, const char *op) { return t->kind == LEX_OP && !strcmp(t->text, op); }
