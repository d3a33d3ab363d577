/* json: see json.h. Recursive descent with a depth limit. Children of an
 * array or object are gathered on a parser-owned stack (heap, reused across
 * nesting levels) and copied into one contiguous arena block when the
 * container closes, so a parsed array is a plain C array of values. */
#include "engine/formats/json.h"

#include "common/err.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jp {
    const char *s;
    size_t n, i;
    int flags, depth, rc;
    struct arena *a;
    struct json_error *err;
    struct buf tmp;                  /* string unescaping */
    struct json_value *vstk;         /* pending array items */
    size_t vtop, vcap;
    struct json_member *mstk;        /* pending object members */
    size_t mtop, mcap;
};

__attribute__((format(printf, 3, 4))) static int fail(struct jp *p, size_t at, const char *fmt, ...) {
    if (p->rc == 0) {
        p->rc = WERR_PARSE;
        if (p->err) {
            p->err->offset = at;
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static void skip_ws(struct jp *p) {
    for (;;) {
        while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
            p->i++;
        if ((p->flags & JSON_ALLOW_COMMENTS) && p->i + 1 < p->n && p->s[p->i] == '/') {
            if (p->s[p->i + 1] == '/') {
                while (p->i < p->n && p->s[p->i] != '\n') p->i++;
                continue;
            }
            if (p->s[p->i + 1] == '*') {
                const char *e = NULL;
                for (size_t k = p->i + 2; k + 1 < p->n; k++)
                    if (p->s[k] == '*' && p->s[k + 1] == '/') { e = p->s + k; break; }
                if (!e) return; /* the caller reports the unexpected '/' */
                p->i = (size_t)(e - p->s) + 2;
                continue;
            }
        }
        return;
    }
}

static char *arena_copy(struct arena *a, const void *src, size_t n) {
    char *d = arena_alloc(a, n + 1);
    if (n) memcpy(d, src, n);
    d[n] = 0;
    return d;
}

/* Length of the valid UTF-8 sequence at s[i], or 0. */
static int utf8_seq(const unsigned char *s, size_t n, size_t i) {
    unsigned c = s[i];
    if (c < 0x80) return 1;
    int len;
    unsigned min;
    if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; c &= 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; c &= 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; c &= 0x07; }
    else return 0;
    if (i + (size_t)len > n) return 0;
    for (int k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i + k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    return len;
}

static void put_utf8(struct buf *b, unsigned cp) {
    if (cp < 0x80) buf_putc(b, (uint8_t)cp);
    else if (cp < 0x800) { buf_putc(b, (uint8_t)(0xC0 | cp >> 6)); buf_putc(b, (uint8_t)(0x80 | (cp & 0x3F))); }
    else if (cp < 0x10000) {
        buf_putc(b, (uint8_t)(0xE0 | cp >> 12));
        buf_putc(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (uint8_t)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (uint8_t)(0xF0 | cp >> 18));
        buf_putc(b, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (uint8_t)(0x80 | (cp & 0x3F)));
    }
}

static int hex4(struct jp *p, size_t at, unsigned *out) {
    if (at + 4 > p->n) return -1;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p->s[at + (size_t)k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* Parses a string starting at the opening quote; result in the arena. */
static int parse_string(struct jp *p, const char **out, uint32_t *outlen) {
    char q = p->s[p->i];
    size_t start = p->i;
    p->i++;
    const unsigned char *u = (const unsigned char *)p->s;
    /* fast path: no escapes */
    size_t k = p->i;
    while (k < p->n && u[k] != (unsigned char)q && u[k] != '\\' && u[k] >= 0x20 && u[k] < 0x80) k++;
    if (k < p->n && u[k] == (unsigned char)q) {
        *out = arena_copy(p->a, p->s + p->i, k - p->i);
        *outlen = (uint32_t)(k - p->i);
        p->i = k + 1;
        return 0;
    }
    buf_clear(&p->tmp);
    buf_append(&p->tmp, p->s + p->i, k - p->i);
    p->i = k;
    for (;;) {
        if (p->i >= p->n) return fail(p, start, "Unexpected end-of-input: was expecting closing quote for a string value");
        unsigned char c = u[p->i];
        if (c == (unsigned char)q) { p->i++; break; }
        if (c == '\\') {
            if (p->i + 1 >= p->n) return fail(p, p->i, "Unexpected end-of-input in character escape sequence");
            char e = p->s[p->i + 1];
            char o = 0;
            switch (e) {
            case '"': o = '"'; break;
            case '\\': o = '\\'; break;
            case '/': o = '/'; break;
            case 'b': o = '\b'; break;
            case 'f': o = '\f'; break;
            case 'n': o = '\n'; break;
            case 'r': o = '\r'; break;
            case 't': o = '\t'; break;
            case '\'':
                if (p->flags & (JSON_ALLOW_SINGLE_QUOTES | JSON_ALLOW_BACKSLASH_ANY)) { o = '\''; break; }
                return fail(p, p->i, "Unrecognized character escape '\\''");
            case 'u': {
                unsigned cp;
                if (hex4(p, p->i + 2, &cp)) return fail(p, p->i, "Unexpected character in \\u escape (expected 4 hex digits)");
                p->i += 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (p->i + 1 < p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u' && !hex4(p, p->i + 2, &lo) &&
                        lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        p->i += 6;
                    } else {
                        cp = 0xFFFD;
                    }
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    cp = 0xFFFD;
                }
                put_utf8(&p->tmp, cp);
                continue;
            }
            default:
                if (p->flags & JSON_ALLOW_BACKSLASH_ANY) { o = e; break; }
                return fail(p, p->i, "Unrecognized character escape '\\%c'", e);
            }
            buf_putc(&p->tmp, (uint8_t)o);
            p->i += 2;
            continue;
        }
        if (c < 0x20) {
            if (!(p->flags & JSON_ALLOW_UNQUOTED_CONTROL))
                return fail(p, p->i, "Illegal unquoted character (CTRL-CHAR, code %u): has to be escaped", c);
            buf_putc(&p->tmp, c);
            p->i++;
            continue;
        }
        int l = utf8_seq(u, p->n, p->i);
        if (!l) return fail(p, p->i, "Invalid UTF-8 byte 0x%02x in string", c);
        buf_append(&p->tmp, p->s + p->i, (size_t)l);
        p->i += (size_t)l;
    }
    *out = arena_copy(p->a, p->tmp.p, p->tmp.len);
    *outlen = (uint32_t)p->tmp.len;
    return 0;
}

static int match_lit(struct jp *p, const char *lit) {
    size_t l = strlen(lit);
    if (p->n - p->i >= l && !memcmp(p->s + p->i, lit, l)) { p->i += l; return 1; }
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(struct jp *p, struct json_value *v) {
    size_t start = p->i;
    v->type = JSON_NUMBER;
    v->is_int = 0;
    if (p->flags & JSON_ALLOW_NON_NUMERIC) {
        static const struct { const char *t; double sign; int nan; } nn[] = {
            {"NaN", 1, 1}, {"Infinity", 1, 0}, {"+Infinity", 1, 0}, {"-Infinity", -1, 0}, {"+INF", 1, 0}, {"-INF", -1, 0},
        };
        for (size_t k = 0; k < sizeof nn / sizeof nn[0]; k++)
            if (match_lit(p, nn[k].t)) {
                v->u.num.d = nn[k].nan ? NAN : nn[k].sign * INFINITY;
                v->u.num.i = 0;
                v->u.num.raw = arena_copy(p->a, p->s + start, p->i - start);
                v->len = (uint32_t)(p->i - start);
                return 0;
            }
    }
    if (p->i < p->n && p->s[p->i] == '-') p->i++;
    if (p->i >= p->n || !is_digit(p->s[p->i]))
        return fail(p, start, "Unexpected character ('%c'): expected a value", p->i < p->n ? p->s[p->i] : '?');
    if (p->s[p->i] == '0' && p->i + 1 < p->n && is_digit(p->s[p->i + 1]) && !(p->flags & JSON_ALLOW_LEADING_ZEROS))
        return fail(p, p->i, "Invalid numeric value: Leading zeroes not allowed");
    while (p->i < p->n && is_digit(p->s[p->i])) p->i++;
    int integral = 1;
    if (p->i < p->n && p->s[p->i] == '.') {
        integral = 0;
        p->i++;
        if (p->i >= p->n || !is_digit(p->s[p->i])) return fail(p, p->i, "Unexpected character: Decimal point not followed by a digit");
        while (p->i < p->n && is_digit(p->s[p->i])) p->i++;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        integral = 0;
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) p->i++;
        if (p->i >= p->n || !is_digit(p->s[p->i])) return fail(p, p->i, "Unexpected character: Exponent indicator not followed by a digit");
        while (p->i < p->n && is_digit(p->s[p->i])) p->i++;
    }
    size_t len = p->i - start;
    char *raw = arena_copy(p->a, p->s + start, len);
    v->u.num.raw = raw;
    v->len = (uint32_t)len;
    v->u.num.d = strtod(raw, NULL);
    if (integral) {
        int neg = raw[0] == '-';
        uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        int ok = 1;
        for (const char *c = raw + neg; *c; c++) {
            uint64_t d = (uint64_t)(*c - '0');
            if (acc > (lim - d) / 10) { ok = 0; break; }
            acc = acc * 10 + d;
        }
        if (ok) {
            v->is_int = 1;
            v->u.num.i = neg ? (int64_t)(0 - acc) : (int64_t)acc;
        }
    }
    return 0;
}

static int parse_value(struct jp *p, struct json_value *v);

static void push_value(struct jp *p, const struct json_value *v) {
    if (p->vtop == p->vcap) {
        p->vcap = p->vcap ? p->vcap * 2 : 64;
        p->vstk = realloc(p->vstk, p->vcap * sizeof *p->vstk);
        if (!p->vstk) { fprintf(stderr, "json: out of memory\n"); abort(); }
    }
    p->vstk[p->vtop++] = *v;
}

static struct json_member *push_member(struct jp *p) {
    if (p->mtop == p->mcap) {
        p->mcap = p->mcap ? p->mcap * 2 : 64;
        p->mstk = realloc(p->mstk, p->mcap * sizeof *p->mstk);
        if (!p->mstk) { fprintf(stderr, "json: out of memory\n"); abort(); }
    }
    return &p->mstk[p->mtop++];
}

static int is_name_char(char c, int first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || (!first && is_digit(c));
}

static int parse_array(struct jp *p, struct json_value *v) {
    size_t open = p->i++;
    size_t base = p->vtop;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
    } else {
        for (;;) {
            struct json_value item;
            if (parse_value(p, &item)) return -1;
            push_value(p, &item);
            skip_ws(p);
            if (p->i >= p->n) return fail(p, open, "Unexpected end-of-input: expected close marker for Array");
            if (p->s[p->i] == ',') { p->i++; continue; }
            if (p->s[p->i] == ']') { p->i++; break; }
            return fail(p, p->i, "Unexpected character ('%c'): was expecting comma to separate Array entries", p->s[p->i]);
        }
    }
    size_t cnt = p->vtop - base;
    v->type = JSON_ARRAY;
    v->is_int = 0;
    v->len = (uint32_t)cnt;
    v->u.items = cnt ? arena_alloc(p->a, cnt * sizeof(struct json_value)) : NULL;
    if (cnt) memcpy(v->u.items, p->vstk + base, cnt * sizeof(struct json_value));
    p->vtop = base;
    return 0;
}

static int parse_object(struct jp *p, struct json_value *v) {
    size_t open = p->i++;
    size_t base = p->mtop;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
    } else {
        for (;;) {
            skip_ws(p);
            if (p->i >= p->n) return fail(p, open, "Unexpected end-of-input: expected close marker for Object");
            const char *key;
            uint32_t klen;
            char c = p->s[p->i];
            if (c == '"' || (c == '\'' && (p->flags & JSON_ALLOW_SINGLE_QUOTES))) {
                if (parse_string(p, &key, &klen)) return -1;
            } else if ((p->flags & JSON_ALLOW_UNQUOTED_NAMES) && is_name_char(c, 1)) {
                size_t ks = p->i;
                while (p->i < p->n && is_name_char(p->s[p->i], 0)) p->i++;
                klen = (uint32_t)(p->i - ks);
                key = arena_copy(p->a, p->s + ks, klen);
            } else {
                return fail(p, p->i, "Unexpected character ('%c'): was expecting double-quote to start field name", c);
            }
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':')
                return fail(p, p->i, "Unexpected character: was expecting a colon to separate field name and value");
            p->i++;
            struct json_value val;
            if (parse_value(p, &val)) return -1;
            struct json_member *m = push_member(p);
            m->key = key;
            m->klen = klen;
            m->value = val;
            skip_ws(p);
            if (p->i >= p->n) return fail(p, open, "Unexpected end-of-input: expected close marker for Object");
            if (p->s[p->i] == ',') { p->i++; continue; }
            if (p->s[p->i] == '}') { p->i++; break; }
            return fail(p, p->i, "Unexpected character ('%c'): was expecting comma to separate Object entries", p->s[p->i]);
        }
    }
    size_t cnt = p->mtop - base;
    v->type = JSON_OBJECT;
    v->is_int = 0;
    v->len = (uint32_t)cnt;
    v->u.members = cnt ? arena_alloc(p->a, cnt * sizeof(struct json_member)) : NULL;
    if (cnt) memcpy(v->u.members, p->mstk + base, cnt * sizeof(struct json_member));
    p->mtop = base;
    return 0;
}

static int parse_value(struct jp *p, struct json_value *v) {
    skip_ws(p);
    if (p->i >= p->n) return fail(p, p->i, "Unexpected end-of-input: expected a value");
    memset(v, 0, sizeof *v);
    char c = p->s[p->i];
    switch (c) {
    case '{': case '[': {
        if (++p->depth > JSON_MAX_DEPTH) {
            fail(p, p->i, "Document nesting depth exceeds the maximum allowed (%d)", JSON_MAX_DEPTH);
            p->rc = WERR_TOOBIG;
            return -1;
        }
        int rc = c == '{' ? parse_object(p, v) : parse_array(p, v);
        p->depth--;
        return rc;
    }
    case '"': {
        v->type = JSON_STRING;
        return parse_string(p, &v->u.str, &v->len);
    }
    case '\'':
        if (p->flags & JSON_ALLOW_SINGLE_QUOTES) {
            v->type = JSON_STRING;
            return parse_string(p, &v->u.str, &v->len);
        }
        return fail(p, p->i, "Unexpected character (''' (code 39)): expected a valid value");
    case 't':
        if (match_lit(p, "true")) { v->type = JSON_TRUE; return 0; }
        break;
    case 'f':
        if (match_lit(p, "false")) { v->type = JSON_FALSE; return 0; }
        break;
    case 'n':
        if (match_lit(p, "null")) { v->type = JSON_NULL; return 0; }
        break;
    default:
        if (c == '-' || is_digit(c) || ((p->flags & JSON_ALLOW_NON_NUMERIC) && (c == 'N' || c == 'I' || c == '+')))
            return parse_number(p, v);
    }
    return fail(p, p->i, "Unrecognized token starting with '%c': was expecting a JSON value", c);
}

int json_parse(struct arena *a, const char *s, size_t n, int flags, struct json_value **out, struct json_error *err) {
    struct jp p = {.s = s, .n = n, .flags = flags, .a = a, .err = err};
    if (err) { err->offset = 0; err->msg[0] = 0; }
    struct json_value *v = arena_alloc(a, sizeof *v);
    if (parse_value(&p, v) == 0) {
        skip_ws(&p);
        if (p.i != p.n) fail(&p, p.i, "Unexpected character ('%c') after the JSON value", p.s[p.i]);
    }
    free(p.vstk);
    free(p.mstk);
    buf_free(&p.tmp);
    if (p.rc) return p.rc;
    *out = v;
    return 0;
}

const struct json_value *json_get(const struct json_value *obj, const char *key, size_t klen) {
    if (!obj || obj->type != JSON_OBJECT) return NULL;
    for (uint32_t k = obj->len; k-- > 0;) {
        const struct json_member *m = &obj->u.members[k];
        if (m->klen == klen && !memcmp(m->key, key, klen)) return &m->value;
    }
    return NULL;
}

/* ------------------------------------------------------------------ writer */

void json_write_string(struct buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    buf_reserve(b, n + 2);
    buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        buf_append(b, s + run, i - run);
        run = i + 1;
        buf_putc(b, '\\');
        switch (c) {
        case '"': buf_putc(b, '"'); break;
        case '\\': buf_putc(b, '\\'); break;
        case '\b': buf_putc(b, 'b'); break;
        case '\f': buf_putc(b, 'f'); break;
        case '\n': buf_putc(b, 'n'); break;
        case '\r': buf_putc(b, 'r'); break;
        case '\t': buf_putc(b, 't'); break;
        default:
            buf_append(b, "u00", 3);
            buf_putc(b, (uint8_t)hex[c >> 4]);
            buf_putc(b, (uint8_t)hex[c & 15]);
        }
    }
    buf_append(b, s + run, n - run);
    buf_putc(b, '"');
}

void json_write_int(struct buf *b, int64_t v) {
    char t[24];
    int n = snprintf(t, sizeof t, "%lld", (long long)v);
    buf_append(b, t, (size_t)n);
}

int json_fmt_double(double v, int is_float, char *out) {
    if (isnan(v)) return sprintf(out, "NaN");
    if (isinf(v)) return sprintf(out, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0) return sprintf(out, signbit(v) ? "-0.0" : "0.0");
    char digits[24];
    int nd = 0, ex, neg = v < 0;
    double av = fabs(v);
    if (av < (is_float ? 16777216.0 : 9007199254740992.0) && av == (double)(int64_t)av) {
        /* an integer the type holds exactly: its digits, without trailing
         * zeros, are the shortest that read back (counts, sums) */
        char t[24];
        int64_t x = (int64_t)av;
        while (x) { t[nd++] = (char)('0' + x % 10); x /= 10; }
        ex = nd - 1;
        for (int k = 0; k < nd; k++) digits[k] = t[nd - 1 - k];
    } else {
        /* Shortest digits that read back to the same value, by binary
         * search over the precision: if p digits round-trip, so do p + 1
         * (the p-digit decimal is also a (p+1)-digit one and correct
         * rounding picks the closest), so the property is monotonic. */
        char e[40];
        int lo = 1, hi = is_float ? 9 : 17;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            snprintf(e, sizeof e, "%.*e", mid - 1, v);
            if (is_float ? strtof(e, NULL) == (float)v : strtod(e, NULL) == v) hi = mid;
            else lo = mid + 1;
        }
        snprintf(e, sizeof e, "%.*e", lo - 1, v);
        /* e is "[-]d[.ddd]e[+-]XX" */
        const char *q = e + neg;
        for (; *q && *q != 'e'; q++)
            if (*q != '.') digits[nd++] = *q;
        ex = atoi(q + 1);
    }
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    char *o = out;
    if (neg) *o++ = '-';
    if (av >= 1e-3 && av < 1e7) {
        if (ex >= 0) {
            for (int k = 0; k <= ex; k++) *o++ = k < nd ? digits[k] : '0';
            *o++ = '.';
            if (nd > ex + 1) for (int k = ex + 1; k < nd; k++) *o++ = digits[k];
            else *o++ = '0';
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int k = 0; k < -ex - 1; k++) *o++ = '0';
            for (int k = 0; k < nd; k++) *o++ = digits[k];
        }
        *o = 0;
    } else {
        *o++ = digits[0];
        *o++ = '.';
        if (nd > 1) for (int k = 1; k < nd; k++) *o++ = digits[k];
        else *o++ = '0';
        o += sprintf(o, "E%d", ex);
    }
    return (int)(o - out);
}

void json_write_double(struct buf *b, double v, int is_float) {
    char t[JSON_DBL_MAX];
    int n = json_fmt_double(v, is_float, t);
    if (isnan(v) || isinf(v)) json_write_string(b, t, (size_t)n);
    else buf_append(b, t, (size_t)n);
}

void json_write_value(struct buf *b, const struct json_value *v) {
    switch ((enum json_type)v->type) {
    case JSON_NULL: buf_append(b, "null", 4); break;
    case JSON_TRUE: buf_append(b, "true", 4); break;
    case JSON_FALSE: buf_append(b, "false", 5); break;
    case JSON_NUMBER:
        if (isnan(v->u.num.d) || isinf(v->u.num.d)) json_write_double(b, v->u.num.d, 0);
        else buf_append(b, v->u.num.raw, v->len);
        break;
    case JSON_STRING: json_write_string(b, v->u.str, v->len); break;
    case JSON_ARRAY:
        buf_putc(b, '[');
        for (uint32_t k = 0; k < v->len; k++) {
            if (k) buf_putc(b, ',');
            json_write_value(b, &v->u.items[k]);
        }
        buf_putc(b, ']');
        break;
    case JSON_OBJECT:
        buf_putc(b, '{');
        for (uint32_t k = 0; k < v->len; k++) {
            if (k) buf_putc(b, ',');
            json_write_string(b, v->u.members[k].key, v->u.members[k].klen);
            buf_putc(b, ':');
            json_write_value(b, &v->u.members[k].value);
        }
        buf_putc(b, '}');
        break;
    }
}
