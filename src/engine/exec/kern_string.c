/* kern_string: string functions. Strings are UTF-8 byte slices; functions
 * that count characters (length, substring, lpad) count code points, as
 * Spark does. Results are built in the context arena.
 *
 * Regular expressions: Spark uses Java regex; weir compiles patterns with
 * POSIX extended regex (regcomp) after translating the common Java escapes
 * (\d \D \s \S \w \W, (?i) prefix). A pattern with no metacharacters takes a
 * literal fast path (memmem), which covers the usual split(',') and
 * regexp_replace(x, '"', ''). Constant patterns compile once at bind time;
 * a pattern from a column compiles per distinct value seen (last one cached). */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "engine/exec/func.h"
#include "engine/exec/kernels.h"

#define KSIG const struct expr *e, struct ectx *cx, struct vec *const *a, const uint32_t *sel, uint32_t n, struct vec *out

static char *arena_buf(struct ectx *cx, const struct buf *b) {
    char *p = arena_alloc(cx->arena, b->len ? b->len : 1);
    if (b->len) memcpy(p, b->p, b->len);
    return p;
}

static void set_str_nocopy(struct vec *out, uint32_t i, const char *p, uint32_t len) {
    vec_str(out)[i] = (struct vstr){p, len};
    out->valid[i] = 1;
}

/* ---- regex compilation ---- */

struct kre {
    int literal;       /* pattern has no metacharacters: lit/litlen */
    char *lit;
    uint32_t litlen;
    regex_t re;
    int compiled;
    char *src;         /* the Java pattern, for the per-row cache */
};

/* Java regex → POSIX ERE. Returns NULL with err set for what POSIX lacks. */
static char *java_to_posix(const char *p, int *icase, char *err, size_t errcap) {
    struct buf b = {0};
    *icase = 0;
    if (!strncmp(p, "(?i)", 4)) {
        *icase = 1;
        p += 4;
    }
    int in_class = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            char c = *++p;
            const char *rep = NULL;
            switch (c) {
            case 'd': rep = in_class ? "0-9" : "[0-9]"; break;
            case 'D': rep = "[^0-9]"; break;
            case 's': rep = in_class ? "[:space:]" : "[[:space:]]"; break;
            case 'S': rep = "[^[:space:]]"; break;
            case 'w': rep = in_class ? "[:alnum:]_" : "[[:alnum:]_]"; break;
            case 'W': rep = "[^[:alnum:]_]"; break;
            case 't': rep = "\t"; break;
            case 'n': rep = "\n"; break;
            case 'r': rep = "\r"; break;
            default: break;
            }
            if (rep) {
                buf_append(&b, rep, strlen(rep));
            } else if (in_class) {
                /* POSIX classes have no escapes: a literal char */
                if (c == ']' || c == '\\' || c == '-' || c == '^') {
                    /* keep simple: put it as a one-char class item */
                    buf_putc(&b, (uint8_t)c);
                } else {
                    buf_putc(&b, (uint8_t)c);
                }
            } else if (isalnum((unsigned char)c)) {
                snprintf(err, errcap, "the regex escape \\%c is not supported", c);
                buf_free(&b);
                return NULL;
            } else {
                buf_putc(&b, '\\');
                buf_putc(&b, (uint8_t)c);
            }
            continue;
        }
        if (!in_class && (*p == '*' || *p == '+' || *p == '?' || *p == '}') && (p[1] == '?' || p[1] == '+')) {
            snprintf(err, errcap, "lazy and possessive quantifiers (%c%c) are not supported", *p, p[1]);
            buf_free(&b);
            return NULL;
        }
        if (!in_class && *p == '(' && p[1] == '?') {
            snprintf(err, errcap, "regex groups of the form (?...) are not supported");
            buf_free(&b);
            return NULL;
        }
        if (*p == '[' && !in_class) {
            in_class = 1;
            buf_putc(&b, '[');
            if (p[1] == '^') buf_putc(&b, (uint8_t)*++p);
            if (p[1] == ']') buf_putc(&b, (uint8_t)*++p);
            continue;
        }
        if (*p == ']' && in_class) in_class = 0;
        buf_putc(&b, (uint8_t)*p);
    }
    buf_putc(&b, 0);
    return (char *)b.p;
}

static int is_literal_pattern(const char *p) {
    for (; *p; p++)
        if (strchr("\\^$.|?*+()[]{}", *p)) return 0;
    return 1;
}

/* Compiles into k; returns 0 or -1 with err. */
static int kre_compile(struct kre *k, const char *pat, char *err, size_t errcap) {
    memset(k, 0, sizeof *k);
    /* the regex_t must not be freed unless compiled: compiled stays 0 on failure */
    if (is_literal_pattern(pat)) {
        k->literal = 1;
        k->lit = strdup(pat);
        k->litlen = (uint32_t)strlen(pat);
        return 0;
    }
    int icase;
    char *posix = java_to_posix(pat, &icase, err, errcap);
    if (!posix) return -1;
    int rc = regcomp(&k->re, posix, REG_EXTENDED | (icase ? REG_ICASE : 0));
    free(posix);
    if (rc) {
        char m[128];
        regerror(rc, &k->re, m, sizeof m);
        snprintf(err, errcap, "invalid regular expression '%s': %s", pat, m);
        return -1;
    }
    k->compiled = 1;
    return 0;
}

/* Finds the first match in s[0..n) at or after `from`; fills m[0..nm). */
static int kre_find(const struct kre *k, const char *s, uint32_t n, uint32_t from, regmatch_t *m, size_t nm) {
    if (k->literal) {
        if (k->litlen == 0) {
            if (from > n) return 0;
            m[0].rm_so = m[0].rm_eo = from;
            for (size_t g = 1; g < nm; g++) m[g].rm_so = m[g].rm_eo = -1;
            return 1;
        }
        const char *hit = from <= n ? memmem(s + from, n - from, k->lit, k->litlen) : NULL;
        if (!hit) return 0;
        m[0].rm_so = hit - s;
        m[0].rm_eo = m[0].rm_so + k->litlen;
        for (size_t g = 1; g < nm; g++) m[g].rm_so = m[g].rm_eo = -1;
        return 1;
    }
    m[0].rm_so = from;
    m[0].rm_eo = n;
    int flags = REG_STARTEND | (from > 0 ? REG_NOTBOL : 0);
    return regexec(&k->re, s, nm, m, flags) == 0;
}

/* Pattern state of a call: args[pat_arg] constant → compiled once here. */
struct kpat {
    int constant;
    struct kre re;
    char *cached; /* per-row cache for non-constant patterns */
    int cached_ok;
};

static void kpat_free(void *p) {
    struct kpat *kp = p;
    if (kp->re.compiled) regfree(&kp->re.re);
    free(kp->re.lit);
    free(kp->cached);
}

static int prepare_pattern(struct fbind *fb, uint32_t pat_arg) {
    struct kpat *kp = arena_calloc(fb->a, sizeof *kp);
    expr_res_add(fb->a, fb->res, kpat_free, kp);
    const char *pat = fb_const_str(fb, pat_arg, NULL);
    if (pat) {
        char err[200];
        if (kre_compile(&kp->re, pat, err, sizeof err)) return fb_fail(fb, (int)pat_arg, "%s", err);
        kp->constant = 1;
    }
    fb->result->state = kp;
    return 0;
}

/* The regex for row i (compiling a column pattern when it changes). */
static const struct kre *row_pattern(const struct expr *e, const struct vec *pv, uint32_t i) {
    struct kpat *kp = e->state;
    if (kp->constant) return &kp->re;
    struct vstr s = vec_str(pv)[i];
    if (kp->cached && strlen(kp->cached) == s.len && !memcmp(kp->cached, s.p, s.len))
        return kp->cached_ok ? &kp->re : NULL;
    if (kp->cached) {
        if (kp->re.compiled) regfree(&kp->re.re);
        free(kp->re.lit);
        free(kp->cached);
        memset(&kp->re, 0, sizeof kp->re);
    }
    kp->cached = strndup(s.p, s.len);
    char err[200];
    kp->cached_ok = kre_compile(&kp->re, kp->cached, err, sizeof err) == 0;
    return kp->cached_ok ? &kp->re : NULL;
}

/* ---- simple string kernels ---- */

static int need_strings(struct fbind *fb, uint32_t from, uint32_t to) {
    for (uint32_t i = from; i < to && i < fb->nargs; i++)
        if (fb_cast(fb, i, ty_string())) return -1;
    return 0;
}

static void k_concat(KSIG) {
    (void)e;
    struct buf b = {0};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        buf_clear(&b);
        int null = 0;
        for (uint32_t j = 0; j < e->nargs && !null; j++) {
            if (!a[j]->valid[i]) null = 1;
            else buf_append(&b, vec_str(a[j])[i].p, vec_str(a[j])[i].len);
        }
        if (!null) set_str_nocopy(out, i, arena_buf(cx, &b), (uint32_t)b.len);
    }
    buf_free(&b);
}

int fh_concat(struct fbind *fb) {
    int bin = fb->nargs > 0;
    for (uint32_t i = 0; i < fb->nargs; i++)
        if (fb->args[i]->type->kind != TY_BINARY) bin = 0;
    if (!bin && need_strings(fb, 0, fb->nargs)) return -1;
    return fb_call(fb, bin ? ty_binary() : ty_string(), k_concat);
}

static void k_concat_ws(KSIG) {
    (void)e;
    struct buf b = {0};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct vstr sep = vec_str(a[0])[i];
        buf_clear(&b);
        int first = 1;
        for (uint32_t j = 1; j < e->nargs; j++) {
            if (!a[j]->valid[i]) continue;
            if (a[j]->type->kind == TY_ARRAY) {
                struct vlist l = vec_list(a[j])[i];
                const struct vec *el = a[j]->child[0];
                for (uint32_t x = 0; x < l.len; x++) {
                    if (!el->valid[l.off + x]) continue;
                    if (!first) buf_append(&b, sep.p, sep.len);
                    buf_append(&b, vec_str(el)[l.off + x].p, vec_str(el)[l.off + x].len);
                    first = 0;
                }
                continue;
            }
            if (!first) buf_append(&b, sep.p, sep.len);
            buf_append(&b, vec_str(a[j])[i].p, vec_str(a[j])[i].len);
            first = 0;
        }
        set_str_nocopy(out, i, arena_buf(cx, &b), (uint32_t)b.len);
    }
    buf_free(&b);
}

int fh_concat_ws(struct fbind *fb) {
    for (uint32_t i = 0; i < fb->nargs; i++) {
        const struct ty *t = fb->args[i]->type;
        if (i > 0 && t->kind == TY_ARRAY && t->elem->kind == TY_STRING) continue;
        if (fb_cast(fb, i, ty_string())) return -1;
    }
    return fb_call(fb, ty_string(), k_concat_ws);
}

/* Simple Unicode case mapping for the common alphabets: ASCII, Latin-1,
 * Latin Extended-A (paired code points), Greek and Cyrillic. Other code
 * points are left as they are. */
static uint32_t map_case(uint32_t c, int up) {
    if (c < 0x80) return (uint32_t)(up ? toupper((int)c) : tolower((int)c));
    if (up) {
        if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 0x20;
        if (c >= 0x100 && c <= 0x17F && (c & 1) && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) return c - 1;
        if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 0x20;
        if (c >= 0x430 && c <= 0x44F) return c - 0x20;
        if (c >= 0x450 && c <= 0x45F) return c - 0x50;
    } else {
        if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 0x20;
        if (c >= 0x100 && c <= 0x17F && !(c & 1) && c != 0x130 && c != 0x138) return c + 1;
        if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
        if (c >= 0x410 && c <= 0x42F) return c + 0x20;
        if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    }
    return c;
}

/* Decodes one UTF-8 sequence at p[0..n); returns its length (1 for bad bytes). */
static uint32_t utf8_dec(const unsigned char *p, uint32_t n, uint32_t *cp) {
    if (p[0] < 0xC0 || n < 2) { *cp = p[0]; return 1; }
    if (p[0] < 0xE0) { *cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F); return 2; }
    if (p[0] < 0xF0 || n < 4) {
        if (n < 3) { *cp = p[0]; return 1; }
        *cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    *cp = 0xFFFFFFFF; /* 4-byte: copied as is */
    return 4;
}

static uint32_t utf8_enc(uint32_t c, char *o) {
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) { o[0] = (char)(0xC0 | (c >> 6)); o[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    o[0] = (char)(0xE0 | (c >> 12));
    o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

static void k_case(KSIG) {
    int up = e->op;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct vstr s = vec_str(a[0])[i];
        char *p = arena_alloc(cx->arena, s.len ? s.len : 1);
        uint32_t o = 0;
        for (uint32_t c = 0; c < s.len;) {
            unsigned char ch = (unsigned char)s.p[c];
            if (ch < 0x80) {
                p[o++] = (char)(up ? toupper(ch) : tolower(ch));
                c++;
                continue;
            }
            uint32_t cp, l = utf8_dec((const unsigned char *)s.p + c, s.len - c, &cp);
            uint32_t m = cp == 0xFFFFFFFF || l == 1 ? cp : map_case(cp, up);
            /* the mapped code point always encodes in the same number of bytes here */
            if (m == cp || m == 0xFFFFFFFF || l == 1) {
                memcpy(p + o, s.p + c, l);
                o += l;
            } else {
                char enc[4];
                uint32_t el = utf8_enc(m, enc);
                if (el == l) { memcpy(p + o, enc, el); o += el; }
                else { memcpy(p + o, s.p + c, l); o += l; }
            }
            c += l;
        }
        set_str_nocopy(out, i, p, o);
    }
}

int fh_lower(struct fbind *fb) {
    if (need_strings(fb, 0, 1)) return -1;
    fb_call(fb, ty_string(), k_case);
    fb->result->op = 0;
    return 0;
}

int fh_upper(struct fbind *fb) {
    if (need_strings(fb, 0, 1)) return -1;
    fb_call(fb, ty_string(), k_case);
    fb->result->op = 1;
    return 0;
}

static void k_initcap(KSIG) {
    (void)e;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct vstr s = vec_str(a[0])[i];
        char *p = arena_alloc(cx->arena, s.len ? s.len : 1);
        int start = 1;
        for (uint32_t c = 0; c < s.len; c++) {
            unsigned char ch = (unsigned char)s.p[c];
            p[c] = (char)(ch < 0x80 ? (start ? toupper(ch) : tolower(ch)) : ch);
            start = ch == ' ';
        }
        set_str_nocopy(out, i, p, s.len);
    }
}

int fh_initcap(struct fbind *fb) {
    if (need_strings(fb, 0, 1)) return -1;
    return fb_call(fb, ty_string(), k_initcap);
}

/* trim family: op bit 1 = left, bit 2 = right; args[1] optional trim chars */
static void k_trim(KSIG) {
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || (e->nargs > 1 && !a[1]->valid[i])) continue;
        struct vstr s = vec_str(a[0])[i];
        struct vstr t = e->nargs > 1 ? vec_str(a[1])[i] : (struct vstr){" ", 1};
        uint32_t st = 0, en = s.len;
        if (e->op & 1)
            while (st < en && memchr(t.p, s.p[st], t.len)) st++;
        if (e->op & 2)
            while (en > st && memchr(t.p, s.p[en - 1], t.len)) en--;
        set_str_nocopy(out, i, s.p + st, en - st);
    }
}

static int trim_hook(struct fbind *fb, int op) {
    if (need_strings(fb, 0, fb->nargs)) return -1;
    /* Spark's trim(str, chars) has the trim string second in SQL function form */
    fb_call(fb, ty_string(), k_trim);
    fb->result->op = op;
    return 0;
}

int fh_trim(struct fbind *fb) { return trim_hook(fb, 3); }
int fh_ltrim(struct fbind *fb) { return trim_hook(fb, 1); }
int fh_rtrim(struct fbind *fb) { return trim_hook(fb, 2); }

static uint32_t utf8_len(const char *p, uint32_t n) {
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++) c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

/* byte offset of the code point index cp (clamped to n) */
static uint32_t utf8_offset(const char *p, uint32_t n, uint32_t cp) {
    uint32_t i = 0;
    while (i < n && cp) {
        i++;
        while (i < n && ((unsigned char)p[i] & 0xC0) == 0x80) i++;
        cp--;
    }
    return i;
}

static void k_length(KSIG) {
    (void)e; (void)cx;
    int bin = a[0]->type->kind == TY_BINARY;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct vstr s = vec_str(a[0])[i];
        vec_i32(out)[i] = (int32_t)(bin ? s.len : utf8_len(s.p, s.len));
        out->valid[i] = 1;
    }
}

int fh_length(struct fbind *fb) {
    if (fb->args[0]->type->kind != TY_BINARY && need_strings(fb, 0, 1)) return -1;
    return fb_call(fb, ty_int(), k_length);
}

/* substring(str, pos[, len]): 1-based; pos 0 acts as 1; negative from the end */
static void k_substring(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i] || (e->nargs > 2 && !a[2]->valid[i])) continue;
        struct vstr s = vec_str(a[0])[i];
        int64_t pos = vec_i32(a[1])[i];
        int64_t len = e->nargs > 2 ? vec_i32(a[2])[i] : INT32_MAX;
        int64_t total = utf8_len(s.p, s.len);
        int64_t start = pos > 0 ? pos - 1 : pos < 0 ? total + pos : 0;
        int64_t end = len < 0 ? start : start + len;
        if (start < 0) start = 0;
        if (end > total) end = total;
        if (end < start) end = start;
        uint32_t bs = utf8_offset(s.p, s.len, (uint32_t)start);
        uint32_t be = utf8_offset(s.p, s.len, (uint32_t)end);
        set_str_nocopy(out, i, s.p + bs, be - bs);
    }
}

int fh_substring(struct fbind *fb) {
    if (need_strings(fb, 0, 1) || fb_cast(fb, 1, ty_int()) || (fb->nargs > 2 && fb_cast(fb, 2, ty_int()))) return -1;
    return fb_call(fb, ty_string(), k_substring);
}

static void k_pad(KSIG) {
    struct buf b = {0};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i] || (e->nargs > 2 && !a[2]->valid[i])) continue;
        struct vstr s = vec_str(a[0])[i], pad = e->nargs > 2 ? vec_str(a[2])[i] : (struct vstr){" ", 1};
        int32_t want = vec_i32(a[1])[i];
        if (want < 0) want = 0;
        uint32_t have = utf8_len(s.p, s.len);
        buf_clear(&b);
        if (have >= (uint32_t)want) {
            buf_append(&b, s.p, utf8_offset(s.p, s.len, (uint32_t)want));
        } else {
            uint32_t need = (uint32_t)want - have;
            if (e->op == 0 || !pad.len) { /* rpad or empty pad */
                buf_append(&b, s.p, s.len);
            }
            for (uint32_t c = 0; pad.len && c < need;) {
                uint32_t plen = utf8_len(pad.p, pad.len), take = need - c < plen ? need - c : plen;
                buf_append(&b, pad.p, utf8_offset(pad.p, pad.len, take));
                c += take;
            }
            if (e->op == 1 && pad.len) buf_append(&b, s.p, s.len);
        }
        set_str_nocopy(out, i, arena_buf(cx, &b), (uint32_t)b.len);
    }
    buf_free(&b);
}

static int pad_hook(struct fbind *fb, int left) {
    if (need_strings(fb, 0, 1) || fb_cast(fb, 1, ty_int()) || (fb->nargs > 2 && need_strings(fb, 2, 3))) return -1;
    fb_call(fb, ty_string(), k_pad);
    fb->result->op = left;
    return 0;
}

int fh_lpad(struct fbind *fb) { return pad_hook(fb, 1); }
int fh_rpad(struct fbind *fb) { return pad_hook(fb, 0); }

static void k_reverse(KSIG) {
    (void)e;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct vstr s = vec_str(a[0])[i];
        char *p = arena_alloc(cx->arena, s.len ? s.len : 1);
        uint32_t o = s.len;
        for (uint32_t c = 0; c < s.len;) {
            uint32_t l = 1;
            while (c + l < s.len && ((unsigned char)s.p[c + l] & 0xC0) == 0x80) l++;
            o -= l;
            memcpy(p + o, s.p + c, l);
            c += l;
        }
        set_str_nocopy(out, i, p, s.len);
    }
}

int fh_reverse(struct fbind *fb) {
    if (need_strings(fb, 0, 1)) return -1;
    return fb_call(fb, ty_string(), k_reverse);
}

static void k_instr(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        struct vstr s = vec_str(a[0])[i], t = vec_str(a[1])[i];
        const char *h = t.len ? memmem(s.p, s.len, t.p, t.len) : s.p;
        vec_i32(out)[i] = h ? (int32_t)utf8_len(s.p, (uint32_t)(h - s.p)) + 1 : 0;
        out->valid[i] = 1;
    }
}

int fh_instr(struct fbind *fb) {
    if (need_strings(fb, 0, 2)) return -1;
    return fb_call(fb, ty_int(), k_instr);
}

/* replace(str, search[, replace]) — literal */
static void k_replace(KSIG) {
    struct buf b = {0};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i] || (e->nargs > 2 && !a[2]->valid[i])) continue;
        struct vstr s = vec_str(a[0])[i], f = vec_str(a[1])[i], r = e->nargs > 2 ? vec_str(a[2])[i] : (struct vstr){"", 0};
        if (!f.len) {
            set_str_nocopy(out, i, s.p, s.len);
            continue;
        }
        buf_clear(&b);
        uint32_t at = 0;
        for (;;) {
            const char *h = memmem(s.p + at, s.len - at, f.p, f.len);
            if (!h) break;
            buf_append(&b, s.p + at, (size_t)(h - (s.p + at)));
            buf_append(&b, r.p, r.len);
            at = (uint32_t)(h - s.p) + f.len;
        }
        buf_append(&b, s.p + at, s.len - at);
        set_str_nocopy(out, i, arena_buf(cx, &b), (uint32_t)b.len);
    }
    buf_free(&b);
}

int fh_replace(struct fbind *fb) {
    if (need_strings(fb, 0, fb->nargs)) return -1;
    return fb_call(fb, ty_string(), k_replace);
}

/* ---- regex functions ---- */

/* Appends a Java replacement string with $n group references. */
static void append_replacement(struct buf *b, struct vstr rep, const char *s, const regmatch_t *m, size_t nm) {
    for (uint32_t c = 0; c < rep.len; c++) {
        char ch = rep.p[c];
        if (ch == '\\' && c + 1 < rep.len) {
            buf_putc(b, (uint8_t)rep.p[++c]);
        } else if (ch == '$' && c + 1 < rep.len && isdigit((unsigned char)rep.p[c + 1])) {
            size_t g = (size_t)(rep.p[++c] - '0');
            if (g < nm && m[g].rm_so >= 0) buf_append(b, s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        } else {
            buf_putc(b, (uint8_t)ch);
        }
    }
}

static void k_regexp_replace(KSIG) {
    struct buf b = {0};
    regmatch_t m[10];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i] || !a[2]->valid[i]) continue;
        const struct kre *re = row_pattern(e, a[1], i);
        if (!re) continue;
        struct vstr s = vec_str(a[0])[i], rep = vec_str(a[2])[i];
        uint32_t at = 0;
        int any = 0;
        buf_clear(&b);
        while (at <= s.len && kre_find(re, s.p, s.len, at, m, 10)) {
            any = 1;
            buf_append(&b, s.p + at, (size_t)(m[0].rm_so - at));
            append_replacement(&b, rep, s.p, m, 10);
            if (m[0].rm_eo == m[0].rm_so) { /* empty match: step one char */
                if ((uint32_t)m[0].rm_eo < s.len) buf_putc(&b, (uint8_t)s.p[m[0].rm_eo]);
                at = (uint32_t)m[0].rm_eo + 1;
            } else {
                at = (uint32_t)m[0].rm_eo;
            }
        }
        if (!any) {
            set_str_nocopy(out, i, s.p, s.len);
            continue;
        }
        if (at < s.len) buf_append(&b, s.p + at, s.len - at);
        set_str_nocopy(out, i, arena_buf(cx, &b), (uint32_t)b.len);
    }
    buf_free(&b);
}

int fh_regexp_replace(struct fbind *fb) {
    if (need_strings(fb, 0, 3)) return -1;
    fb_call(fb, ty_string(), k_regexp_replace);
    return prepare_pattern(fb, 1);
}

static void k_regexp_extract(KSIG) {
    (void)cx;
    regmatch_t m[10];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i] || (e->nargs > 2 && !a[2]->valid[i])) continue;
        const struct kre *re = row_pattern(e, a[1], i);
        if (!re) continue;
        int32_t g = e->nargs > 2 ? vec_i32(a[2])[i] : 1;
        struct vstr s = vec_str(a[0])[i];
        if (g < 0 || g > 9) continue;
        if (!kre_find(re, s.p, s.len, 0, m, 10) || m[g].rm_so < 0) {
            set_str_nocopy(out, i, "", 0);
            continue;
        }
        set_str_nocopy(out, i, s.p + m[g].rm_so, (uint32_t)(m[g].rm_eo - m[g].rm_so));
    }
}

int fh_regexp_extract(struct fbind *fb) {
    if (need_strings(fb, 0, 2) || (fb->nargs > 2 && fb_cast(fb, 2, ty_int()))) return -1;
    fb_call(fb, ty_string(), k_regexp_extract);
    return prepare_pattern(fb, 1);
}

static void k_rlike(KSIG) {
    (void)cx;
    regmatch_t m[1];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        const struct kre *re = row_pattern(e, a[1], i);
        if (!re) continue;
        struct vstr s = vec_str(a[0])[i];
        vec_u8(out)[i] = (uint8_t)kre_find(re, s.p, s.len, 0, m, 1);
        out->valid[i] = 1;
    }
}

int fh_rlike(struct fbind *fb) {
    if (need_strings(fb, 0, 2)) return -1;
    fb_call(fb, ty_boolean(), k_rlike);
    return prepare_pattern(fb, 1);
}

/* split(str, regex[, limit]) → ARRAY<STRING> */
static void k_split(KSIG) {
    (void)cx;
    regmatch_t m[1];
    struct vec *el = out->child[0];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i] || (e->nargs > 2 && !a[2]->valid[i])) continue;
        const struct kre *re = row_pattern(e, a[1], i);
        if (!re) continue;
        struct vstr s = vec_str(a[0])[i];
        int32_t limit = e->nargs > 2 ? vec_i32(a[2])[i] : -1;
        uint32_t base = out->child_len, cnt = 0, at = 0;
        for (;;) {
            int found = (limit <= 0 || (int32_t)cnt + 1 < limit) && at <= s.len && kre_find(re, s.p, s.len, at, m, 1);
            if (found && m[0].rm_eo == m[0].rm_so) {
                /* an empty match splits between characters (Java); never at 0 */
                if ((uint32_t)m[0].rm_so >= s.len) found = 0;
                else if (m[0].rm_so == 0 && at == 0) m[0].rm_so = m[0].rm_eo = 1;
            }
            uint32_t end = found ? (uint32_t)m[0].rm_so : s.len;
            vec_list_reserve(out, 1);
            vec_str(el)[base + cnt] = (struct vstr){s.p + at, end - at};
            el->valid[base + cnt] = 1;
            out->child_len++;
            cnt++;
            if (!found) break;
            at = m[0].rm_eo == m[0].rm_so ? (uint32_t)m[0].rm_eo : (uint32_t)m[0].rm_eo;
        }
        /* Java's split with limit 0 drops trailing empty strings; Spark uses -1 (keeps them) */
        vec_list(out)[i] = (struct vlist){base, cnt};
        out->valid[i] = 1;
    }
}

int fh_split(struct fbind *fb) {
    if (need_strings(fb, 0, 2) || (fb->nargs > 2 && fb_cast(fb, 2, ty_int()))) return -1;
    fb_call(fb, ty_array(fb->a, ty_string(), true), k_split);
    return prepare_pattern(fb, 1);
}

/* ---- LIKE ---- */

/* Matches SQL LIKE: % any run, _ one char (code point), escape char esc. */
static int like_match(const char *s, uint32_t n, const char *p, uint32_t pn, char esc, int icase) {
    uint32_t si = 0, pi = 0, star_p = UINT32_MAX, star_s = 0;
    while (si < n) {
        if (pi < pn && p[pi] == esc && pi + 1 < pn) {
            char c = p[pi + 1];
            if (icase ? tolower((unsigned char)c) == tolower((unsigned char)s[si]) : c == s[si]) {
                si++;
                pi += 2;
                continue;
            }
        } else if (pi < pn && p[pi] == '_') {
            si++;
            while (si < n && ((unsigned char)s[si] & 0xC0) == 0x80) si++;
            pi++;
            continue;
        } else if (pi < pn && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        } else if (pi < pn && (icase ? tolower((unsigned char)p[pi]) == tolower((unsigned char)s[si]) : p[pi] == s[si])) {
            si++;
            pi++;
            continue;
        }
        if (star_p == UINT32_MAX) return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '%') pi++;
    return pi == pn;
}

static void k_like(KSIG) {
    (void)cx;
    char esc = e->state ? *(const char *)e->state : '\\';
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        struct vstr s = vec_str(a[0])[i], p = vec_str(a[1])[i];
        vec_u8(out)[i] = (uint8_t)like_match(s.p, s.len, p.p, p.len, esc, e->op);
        out->valid[i] = 1;
    }
}

static int like_hook(struct fbind *fb, int icase) {
    if (need_strings(fb, 0, 2)) return -1;
    fb_call(fb, ty_boolean(), k_like);
    fb->result->op = icase;
    return 0;
}

int fh_like(struct fbind *fb) { return like_hook(fb, 0); }
int fh_ilike(struct fbind *fb) { return like_hook(fb, 1); }
