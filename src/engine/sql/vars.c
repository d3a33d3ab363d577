/* vars: see vars.h. One pass over the text; SET statements are recognised
 * at the start of a line (after optional spaces) so a later `${name}` can use
 * them. The SET line itself is substituted first, so SETs can chain. */
#include "engine/sql/vars.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"

void sqlvars_set(struct sqlvars *v, struct arena *a, const char *key, const char *val) {
    for (uint32_t i = 0; i < v->n; i++)
        if (!strcmp(v->keys[i], key)) {
            v->vals[i] = arena_strndup(a, val, strlen(val));
            return;
        }
    if (v->n == v->cap) {
        uint32_t ncap = v->cap ? v->cap * 2 : 8;
        const char **k = arena_alloc(a, ncap * sizeof *k), **vv = arena_alloc(a, ncap * sizeof *vv);
        if (v->n) {
            memcpy(k, v->keys, v->n * sizeof *k);
            memcpy(vv, v->vals, v->n * sizeof *vv);
        }
        v->keys = k;
        v->vals = vv;
        v->cap = ncap;
    }
    v->keys[v->n] = arena_strndup(a, key, strlen(key));
    v->vals[v->n++] = arena_strndup(a, val, strlen(val));
}

const char *sqlvars_get(const struct sqlvars *v, const char *key) {
    for (uint32_t i = 0; v && i < v->n; i++)
        if (!strcmp(v->keys[i], key)) return v->vals[i];
    return NULL;
}

/* If the output line that starts at line_start is `SET key = value`
 * (a statement ending in ';' or the line end), record it. */
static void maybe_set(struct sqlvars *local, struct arena *a, const char *line, size_t n) {
    size_t i = 0;
    while (i < n && isspace((unsigned char)line[i])) i++;
    if (n - i < 4 || strncasecmp(line + i, "SET", 3) || !isspace((unsigned char)line[i + 3])) return;
    i += 4;
    while (i < n && isspace((unsigned char)line[i])) i++;
    size_t ks = i;
    while (i < n && line[i] != '=' && !isspace((unsigned char)line[i])) i++;
    size_t ke = i;
    while (i < n && isspace((unsigned char)line[i])) i++;
    if (ke == ks || i >= n || line[i] != '=') return;
    i++;
    while (i < n && isspace((unsigned char)line[i])) i++;
    size_t vs = i, ve = n;
    for (size_t j = vs; j < n; j++)
        if (line[j] == ';') {
            ve = j;
            break;
        }
    while (ve > vs && isspace((unsigned char)line[ve - 1])) ve--;
    char *k = arena_strndup(a, line + ks, ke - ks), *v = arena_strndup(a, line + vs, ve - vs);
    sqlvars_set(local, a, k, v);
}

int sqlvars_substitute(struct arena *a, const struct sqlvars *cmdline, const char *src, size_t len, char **out,
                       size_t *out_len, uint32_t *err_pos, const char **err_msg) {
    struct buf b = {0};
    struct sqlvars local = {0};
    size_t line_start = 0;
    for (size_t i = 0; i < len;) {
        if (src[i] == '\\' && i + 1 < len && src[i + 1] == '$') {
            buf_putc(&b, '$');
            i += 2;
            continue;
        }
        if (src[i] == '$' && i + 1 < len && src[i + 1] == '{') {
            size_t j = i + 2;
            while (j < len && src[j] != '}' && src[j] != '\n') j++;
            if (j >= len || src[j] != '}') {
                *err_pos = (uint32_t)i;
                *err_msg = "unterminated ${...}";
                buf_free(&b);
                return WERR_PARSE;
            }
            const char *name = arena_strndup(a, src + i + 2, j - i - 2);
            if (!strncmp(name, "var:", 4)) name += 4;
            else if (!strncmp(name, "hiveconf:", 9)) name += 9;
            const char *val = sqlvars_get(cmdline, name);
            if (!val) val = sqlvars_get(&local, name);
            if (!val) {
                *err_pos = (uint32_t)i;
                *err_msg = arena_printf(a, "undefined variable '%s' (pass --var %s=VALUE or SET %s = VALUE before it)",
                                        name, name, name);
                buf_free(&b);
                return WERR_PARSE;
            }
            buf_append(&b, val, strlen(val));
            i = j + 1;
            continue;
        }
        buf_putc(&b, (uint8_t)src[i]);
        if (src[i] == '\n') {
            maybe_set(&local, a, (const char *)b.p + line_start, b.len - 1 - line_start);
            line_start = b.len;
        }
        i++;
    }
    *out_len = b.len;
    *out = arena_strndup(a, b.p ? (const char *)b.p : "", b.len);
    buf_free(&b);
    return 0;
}
