/* props: see props.h. Logical lines are assembled first (continuations
 * joined, leading whitespace of continuation lines dropped), then split at
 * the first unescaped '=', ':' or whitespace. */
#include "common/props.h"

#include "common/buf.h"
#include "common/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s) {
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

void props_set(struct props *p, const char *key, const char *value, int line) {
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
        if (!p->v) abort();
    }
    p->v[p->n].key = xstrdup(key);
    p->v[p->n].value = xstrdup(value);
    p->v[p->n].line = line;
    p->n++;
}

int props_set_kv(struct props *p, const char *kv) {
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) return WERR_PARSE;
    char key[512];
    size_t kl = (size_t)(eq - kv);
    if (kl >= sizeof key) return WERR_PARSE;
    memcpy(key, kv, kl);
    key[kl] = 0;
    props_set(p, key, eq + 1, 0);
    return 0;
}

const char *props_get(const struct props *p, const char *key) {
    for (size_t i = p->n; i-- > 0;)
        if (!strcmp(p->v[i].key, key)) return p->v[i].value;
    return NULL;
}

void props_free(struct props *p) {
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].value);
    }
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Unescapes s[0..n) into out (as UTF-8). */
static int unescape(struct buf *out, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\' || i + 1 >= n) {
            buf_putc(out, (uint8_t)c);
            continue;
        }
        c = s[++i];
        switch (c) {
        case 't': buf_putc(out, '\t'); break;
        case 'n': buf_putc(out, '\n'); break;
        case 'r': buf_putc(out, '\r'); break;
        case 'f': buf_putc(out, '\f'); break;
        case 'u': {
            if (i + 4 >= n) return WERR_PARSE;
            unsigned cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexval(s[i + k]);
                if (h < 0) return WERR_PARSE;
                cp = cp * 16 + (unsigned)h;
            }
            i += 4;
            if (cp < 0x80) buf_putc(out, (uint8_t)cp);
            else if (cp < 0x800) {
                buf_putc(out, (uint8_t)(0xC0 | (cp >> 6)));
                buf_putc(out, (uint8_t)(0x80 | (cp & 0x3F)));
            } else {
                buf_putc(out, (uint8_t)(0xE0 | (cp >> 12)));
                buf_putc(out, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
                buf_putc(out, (uint8_t)(0x80 | (cp & 0x3F)));
            }
            break;
        }
        default: buf_putc(out, (uint8_t)c); break;
        }
    }
    buf_putc(out, 0);
    return 0;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\f'; }

int props_parse(struct props *p, const char *text, size_t len, char *err, size_t errlen) {
    struct buf logical = {0}, key = {0}, val = {0};
    size_t i = 0;
    int lineno = 0, rc = 0;
    while (i < len) {
        int start_line = lineno + 1;
        buf_clear(&logical);
        int first = 1;
        for (;;) { /* assemble one logical line */
            size_t s = i;
            while (i < len && text[i] != '\n' && text[i] != '\r') i++;
            size_t e = i;
            if (i < len && text[i] == '\r') i++;
            if (i < len && text[i] == '\n') i++;
            lineno++;
            if (!first)
                while (s < e && is_ws(text[s])) s++;
            else {
                size_t t = s;
                while (t < e && is_ws(text[t])) t++;
                if (t == e || text[t] == '#' || text[t] == '!') break; /* blank or comment */
                s = t;
            }
            first = 0;
            /* count trailing backslashes: odd = continuation */
            size_t nb = 0;
            while (nb < e - s && text[e - 1 - nb] == '\\') nb++;
            if (nb % 2 == 1 && i < len) {
                buf_append(&logical, text + s, e - s - 1);
                continue;
            }
            buf_append(&logical, text + s, e - s);
            break;
        }
        if (logical.len == 0) continue;
        const char *l = (const char *)logical.p;
        size_t n = logical.len, k = 0;
        while (k < n && !(l[k] == '=' || l[k] == ':' || is_ws(l[k]))) {
            if (l[k] == '\\') k++;
            k++;
        }
        if (k > n) k = n;
        size_t vstart = k;
        while (vstart < n && is_ws(l[vstart])) vstart++;
        if (vstart < n && (l[vstart] == '=' || l[vstart] == ':')) vstart++;
        while (vstart < n && is_ws(l[vstart])) vstart++;
        size_t vend = n;
        buf_clear(&key);
        buf_clear(&val);
        if (unescape(&key, l, k) || unescape(&val, l + vstart, vend - vstart)) {
            snprintf(err, errlen, "line %d: bad escape sequence", start_line);
            rc = WERR_PARSE;
            goto out;
        }
        props_set(p, (char *)key.p, (char *)val.p, start_line);
    }
out:
    buf_free(&logical);
    buf_free(&key);
    buf_free(&val);
    return rc;
}

int props_load_file(struct props *p, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return WERR_IO;
    }
    struct buf b = {0};
    char tmp[8192];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, r);
    fclose(f);
    int rc = props_parse(p, b.p ? (char *)b.p : "", b.len, err, errlen);
    buf_free(&b);
    return rc;
}
