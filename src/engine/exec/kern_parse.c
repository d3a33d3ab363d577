/* kern_parse: from_csv, from_json and to_json.
 *
 * from_csv(str, schema) tokenizes each value as one CSV record (formats/csv,
 * Spark's reader defaults) and converts field f to the schema's type f:
 * string fields point straight into the input value when the tokenizer did
 * not need to unescape them (no copy), other fields are converted from text
 * as Spark's CSV reader does. Mode PERMISSIVE: missing fields and values that
 * do not convert are NULL, extra fields are ignored.
 * from_json(str, schema) parses each value into a DOM (formats/json) in the
 * batch arena and converts it to the schema's type: struct fields by exact
 * name, arrays, maps with string keys; a JSON value of the wrong shape is
 * NULL; a malformed document gives a struct whose fields are all NULL (as
 * Spark 3+ in PERMISSIVE mode). String fields receive nested JSON as text.
 * to_json(value) writes structs, maps and arrays as compact JSON, leaving
 * out NULL struct fields (ignoreNullFields) and formatting timestamps as
 * yyyy-MM-dd'T'HH:mm:ss.SSSXXX and dates as yyyy-MM-dd, as Spark does.
 * Options come as a third argument map('sep', ';', 'mode', 'FAILFAST', ...):
 * the CSV reader's options, JSON's allow* flags, mode (PERMISSIVE, FAILFAST)
 * and columnNameOfCorruptRecord (a STRING field of the schema that receives
 * the raw text of a malformed record). FAILFAST fails the query. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"

#include "engine/exec/func.h"
#include "engine/exec/kernels.h"
#include "engine/exec/valfmt.h"
#include "engine/formats/csv.h"
#include "engine/formats/datetime.h"
#include "engine/formats/json.h"

#define KSIG const struct expr *e, struct ectx *cx, struct vec *const *a, const uint32_t *sel, uint32_t n, struct vec *out

static void null_struct_row(struct vec *out, uint32_t i) {
    out->valid[i] = 0;
    for (uint32_t f = 0; f < out->nchild; f++) {
        if (out->child[f]->type->kind == TY_STRUCT) null_struct_row(out->child[f], i);
        else out->child[f]->valid[i] = 0;
    }
}

static int schema_arg(struct fbind *fb, uint32_t i, const struct ty **out) {
    const char *ddl = fb_const_str(fb, i, NULL);
    if (!ddl) return fb_fail(fb, (int)i, "the schema of %s must be a string literal such as 'a INT, b STRING'", fb->name);
    char err[200];
    const struct ty *t = ty_parse_ddl(fb->a, ddl, err, sizeof err);
    if (!t) {
        /* from_json also takes a bare type such as 'ARRAY<STRUCT<...>>' or 'MAP<STRING, INT>' */
        t = ty_parse_type(fb->a, ddl, NULL, 0);
        if (!t || (t->kind != TY_ARRAY && t->kind != TY_MAP && t->kind != TY_STRUCT))
            return fb_fail(fb, (int)i, "invalid schema '%s': %s", ddl, err);
    }
    *out = t;
    return 0;
}

/* ---- from_csv ---- */

enum { MODE_PERMISSIVE, MODE_FAILFAST };

struct parse_opts {
    struct csv_opts csv;
    int mode;
    int corrupt;      /* index of the columnNameOfCorruptRecord field, or -1 */
    int json_flags;
    struct text_fmt fmt; /* timestampFormat / dateFormat */
};

static void pattern_free(void *p) { dt_pattern_free(p); }

/* Applies the options map (args[2]) shared by from_csv and from_json. */
static int parse_options(struct fbind *fb, const struct ty *schema, struct parse_opts *po, int csv) {
    po->mode = MODE_PERMISSIVE;
    po->corrupt = -1;
    po->json_flags = JSON_SPARK_DEFAULTS;
    if (csv) csv_opts_init(&po->csv, CSV_READ);
    const char *corrupt_name = "_corrupt_record";
    if (fb->nargs > 2) {
        const char **k, **v;
        uint32_t n;
        if (fb_const_map(fb, 2, &k, &v, &n)) return -1;
        for (uint32_t i = 0; i < n; i++) {
            if (!strcasecmp(k[i], "mode")) {
                if (!strcasecmp(v[i], "PERMISSIVE")) po->mode = MODE_PERMISSIVE;
                else if (!strcasecmp(v[i], "FAILFAST")) po->mode = MODE_FAILFAST;
                else return fb_fail(fb, 2, "%s supports only the PERMISSIVE and FAILFAST modes, not '%s' "
                                           "(DROPMALFORMED applies to file sources)", fb->name, v[i]);
                continue;
            }
            if (!strcasecmp(k[i], "columnNameOfCorruptRecord")) {
                corrupt_name = v[i];
                continue;
            }
            if (!strcasecmp(k[i], "timestampFormat") || !strcasecmp(k[i], "dateFormat")) {
                struct dt_pattern *pat;
                char e[200];
                if (dt_pattern_compile(v[i], strlen(v[i]), &pat, e, sizeof e))
                    return fb_fail(fb, 2, "%s: invalid %s '%s': %s", fb->name, k[i], v[i], e);
                expr_res_add(fb->a, fb->res, pattern_free, pat);
                if (!strcasecmp(k[i], "timestampFormat")) po->fmt.ts = pat;
                else po->fmt.date = pat;
                continue;
            }
            if (!csv) {
                int on = !strcasecmp(v[i], "true");
                int flag = !strcasecmp(k[i], "allowSingleQuotes") ? JSON_ALLOW_SINGLE_QUOTES
                           : !strcasecmp(k[i], "allowNonNumericNumbers") ? JSON_ALLOW_NON_NUMERIC
                           : !strcasecmp(k[i], "allowComments") ? JSON_ALLOW_COMMENTS
                           : !strcasecmp(k[i], "allowNumericLeadingZeros") ? JSON_ALLOW_LEADING_ZEROS
                           : !strcasecmp(k[i], "allowUnquotedFieldNames") ? JSON_ALLOW_UNQUOTED_NAMES
                           : !strcasecmp(k[i], "allowBackslashEscapingAnyCharacter") ? JSON_ALLOW_BACKSLASH_ANY
                           : !strcasecmp(k[i], "allowUnquotedControlChars") ? JSON_ALLOW_UNQUOTED_CONTROL : 0;
                if (flag) po->json_flags = on ? po->json_flags | flag : po->json_flags & ~flag;
                continue; /* other JSON options (timestampFormat, ...) are accepted and use the defaults */
            }
            char err[200];
            int rc = csv_opts_set(&po->csv, k[i], v[i], err, sizeof err);
            if (rc && rc != WERR_NOTFOUND) return fb_fail(fb, 2, "%s: %s", fb->name, err);
        }
    }
    if (schema->kind == TY_STRUCT) {
        int c = ty_field_index(schema, corrupt_name);
        if (c >= 0) {
            if (schema->fields[c].type->kind != TY_STRING)
                return fb_fail(fb, 1, "the corrupt record column %s must be a STRING", corrupt_name);
            po->corrupt = c;
        }
    }
    return 0;
}

static void malformed(struct ectx *cx, const struct parse_opts *po, const char *what) {
    if (po->mode == MODE_FAILFAST && !cx->error)
        cx->error = arena_printf(cx->arena, "Malformed records are detected in record parsing (%s). Parse Mode: FAILFAST. "
                                            "To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.",
                                 what);
}

static void k_from_csv(KSIG) {
    const struct parse_opts *po = e->state;
    struct csv_reader r;
    csv_reader_init(&r, &po->csv);
    const struct ty *t = out->type;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) {
            null_struct_row(out, i);
            continue;
        }
        struct vstr s = vec_str(a[0])[i];
        struct csv_record rec;
        csv_parse_record(&r, s.p, s.len, &rec);
        out->valid[i] = 1;
        int bad = rec.status == CSV_UNTERMINATED_QUOTE;
        int fi = 0; /* input field index: the corrupt column takes no input field */
        for (uint32_t f = 0; f < t->nfields; f++) {
            struct vec *c = out->child[f];
            if ((int)f == po->corrupt) {
                c->valid[i] = 0;
                continue;
            }
            int src = fi++;
            if (src >= rec.nfields || rec.fields[src].null) {
                c->valid[i] = 0;
                continue;
            }
            const struct csv_field *fl = &rec.fields[src];
            if (c->type->kind == TY_STRING) {
                if (fl->p >= s.p && fl->p + fl->len <= s.p + s.len) {
                    vec_str(c)[i] = (struct vstr){fl->p, fl->len}; /* zero-copy into the input */
                    c->valid[i] = 1;
                } else {
                    char *p = arena_alloc(cx->arena, fl->len ? fl->len : 1);
                    memcpy(p, fl->p, fl->len);
                    vec_str(c)[i] = (struct vstr){p, fl->len};
                    c->valid[i] = 1;
                }
                continue;
            }
            if (c->type->kind == TY_INT) { /* the hot path: plain digits */
                const char *p = fl->p;
                uint32_t len = fl->len, j = 0;
                int neg = len && p[0] == '-';
                j = neg || (len && p[0] == '+');
                int64_t v = 0;
                if (j < len && len - j <= 9) {
                    for (; j < len && p[j] >= '0' && p[j] <= '9'; j++) v = v * 10 + (p[j] - '0');
                    if (j == len) {
                        vec_i32(c)[i] = (int32_t)(neg ? -v : v);
                        c->valid[i] = 1;
                        continue;
                    }
                }
            }
            if (kern_text_fmt(fl->p, fl->len, c, i, &po->fmt)) bad = 1;
        }
        if (bad) {
            if (po->corrupt >= 0) {
                vec_str(out->child[po->corrupt])[i] = s;
                out->child[po->corrupt]->valid[i] = 1;
            }
            malformed(cx, po, "a CSV field does not match the schema");
        }
    }
    csv_reader_free(&r);
}

int fh_from_csv(struct fbind *fb) {
    const struct ty *t;
    if (fb_cast(fb, 0, ty_string()) || schema_arg(fb, 1, &t)) return -1;
    if (t->kind != TY_STRUCT) return fb_fail(fb, 1, "from_csv needs a struct schema");
    for (uint32_t f = 0; f < t->nfields; f++) {
        enum ty_kind k = t->fields[f].type->kind;
        if (k == TY_STRUCT || k == TY_ARRAY || k == TY_MAP)
            return fb_fail(fb, 1, "from_csv: field '%s' has a nested type, which CSV cannot hold", t->fields[f].name);
    }
    struct parse_opts *po = arena_calloc(fb->a, sizeof *po);
    if (parse_options(fb, t, po, 1)) return -1;
    fb->nargs = 1;
    fb_call(fb, t, k_from_csv);
    fb->result->state = po;
    return 0;
}

/* ---- from_json ---- */


static void json_text(struct ectx *cx, const struct json_value *j, struct vec *out, uint32_t i) {
    struct buf b = {0};
    json_write_value(&b, j);
    char *p = arena_alloc(cx->arena, b.len ? b.len : 1);
    if (b.len) memcpy(p, b.p, b.len);
    vec_str(out)[i] = (struct vstr){p, (uint32_t)b.len};
    out->valid[i] = 1;
    buf_free(&b);
}

void kern_json_to_row(struct ectx *cx, const struct json_value *j, struct vec *out, uint32_t i, const struct text_fmt *fmt) {
    const struct ty *t = out->type;
    if (t->kind == TY_STRUCT) null_struct_row(out, i);
    else out->valid[i] = 0;
    if (!j || j->type == JSON_NULL) return;
    switch (t->kind) {
    case TY_STRING:
        if (j->type == JSON_STRING) {
            vec_str(out)[i] = (struct vstr){j->u.str, j->len};
            out->valid[i] = 1;
        } else if (j->type == JSON_NUMBER) {
            vec_str(out)[i] = (struct vstr){j->u.num.raw, j->len};
            out->valid[i] = 1;
        } else {
            json_text(cx, j, out, i);
        }
        return;
    case TY_BOOLEAN:
        if (j->type == JSON_TRUE || j->type == JSON_FALSE) {
            vec_u8(out)[i] = j->type == JSON_TRUE;
            out->valid[i] = 1;
        }
        return;
    case TY_INT:
        if (j->type == JSON_NUMBER && j->is_int && j->u.num.i >= INT32_MIN && j->u.num.i <= INT32_MAX) {
            vec_i32(out)[i] = (int32_t)j->u.num.i;
            out->valid[i] = 1;
        }
        return;
    case TY_BIGINT:
        if (j->type == JSON_NUMBER && j->is_int) {
            vec_i64(out)[i] = j->u.num.i;
            out->valid[i] = 1;
        }
        return;
    case TY_FLOAT: case TY_DOUBLE:
        if (j->type == JSON_NUMBER || (j->type == JSON_STRING && (!strcmp(j->u.str, "NaN") || strstr(j->u.str, "Infinity")))) {
            double d = j->type == JSON_NUMBER ? j->u.num.d : 0;
            if (j->type == JSON_STRING) kern_text_to(j->u.str, j->len, out, i);
            else if (t->kind == TY_FLOAT) { vec_f32(out)[i] = (float)d; out->valid[i] = 1; }
            else { vec_f64(out)[i] = d; out->valid[i] = 1; }
        }
        return;
    case TY_DECIMAL:
        if (j->type == JSON_NUMBER) kern_text_to(j->u.num.raw, j->len, out, i);
        return;
    case TY_DATE:
        if (j->type == JSON_STRING) kern_text_fmt(j->u.str, j->len, out, i, fmt);
        return;
    case TY_TIMESTAMP:
        if (j->type == JSON_STRING) kern_text_fmt(j->u.str, j->len, out, i, fmt);
        else if (j->type == JSON_NUMBER && j->is_int) {
            vec_i64(out)[i] = (int64_t)((uint64_t)j->u.num.i * 1000000u);
            out->valid[i] = 1;
        }
        return;
    case TY_BINARY:
        if (j->type == JSON_STRING) {
            vec_str(out)[i] = (struct vstr){j->u.str, j->len};
            out->valid[i] = 1;
        }
        return;
    case TY_STRUCT:
        if (j->type != JSON_OBJECT) return;
        out->valid[i] = 1;
        for (uint32_t f = 0; f < t->nfields; f++)
            kern_json_to_row(cx, json_get(j, t->fields[f].name, strlen(t->fields[f].name)), out->child[f], i, fmt);
        return;
    case TY_ARRAY: {
        if (j->type != JSON_ARRAY) return;
        uint32_t base = vec_list_reserve(out, j->len);
        for (uint32_t k = 0; k < j->len; k++) kern_json_to_row(cx, &j->u.items[k], out->child[0], base + k, fmt);
        out->child_len += j->len;
        vec_list(out)[i] = (struct vlist){base, j->len};
        out->valid[i] = 1;
        return;
    }
    case TY_MAP: {
        if (j->type != JSON_OBJECT) return;
        uint32_t base = vec_list_reserve(out, j->len);
        for (uint32_t k = 0; k < j->len; k++) {
            const struct json_member *m = &j->u.members[k];
            struct vec *kv = out->child[0];
            if (kv->type->kind == TY_STRING) {
                vec_str(kv)[base + k] = (struct vstr){m->key, m->klen};
                kv->valid[base + k] = 1;
            } else {
                kern_text_to(m->key, m->klen, kv, base + k);
            }
            kern_json_to_row(cx, &m->value, out->child[1], base + k, fmt);
        }
        out->child_len += j->len;
        vec_list(out)[i] = (struct vlist){base, j->len};
        out->valid[i] = 1;
        return;
    }
    default: return;
    }
}

static void k_from_json(KSIG) {
    const struct parse_opts *po = e->state;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) {
            if (out->type->kind == TY_STRUCT) null_struct_row(out, i);
            continue;
        }
        struct vstr s = vec_str(a[0])[i];
        struct json_value *doc;
        struct json_error err;
        if (json_parse(cx->arena, s.p, s.len, po->json_flags, &doc, &err) ||
            (out->type->kind == TY_STRUCT && doc->type != JSON_OBJECT)) {
            if (out->type->kind == TY_STRUCT) {
                null_struct_row(out, i);
                out->valid[i] = 1;
                if (po->corrupt >= 0) {
                    vec_str(out->child[po->corrupt])[i] = s;
                    out->child[po->corrupt]->valid[i] = 1;
                }
            }
            malformed(cx, po, "the value is not a JSON document of the schema's shape");
            continue;
        }
        kern_json_to_row(cx, doc, out, i, &po->fmt);
    }
}

int fh_from_json(struct fbind *fb) {
    const struct ty *t;
    if (fb_cast(fb, 0, ty_string()) || schema_arg(fb, 1, &t)) return -1;
    struct parse_opts *po = arena_calloc(fb->a, sizeof *po);
    if (parse_options(fb, t, po, 0)) return -1;
    fb->nargs = 1;
    fb_call(fb, t, k_from_json);
    fb->result->state = po;
    return 0;
}

/* ---- to_json ---- */

void kern_write_json(struct buf *b, const struct vec *v, uint32_t i) {
    if (!v->valid[i]) {
        buf_printf(b, "null");
        return;
    }
    switch (v->type->kind) {
    case TY_NULL: buf_printf(b, "null"); return;
    case TY_BOOLEAN: buf_printf(b, vec_u8(v)[i] ? "true" : "false"); return;
    case TY_INT: json_write_int(b, vec_i32(v)[i]); return;
    case TY_BIGINT: json_write_int(b, vec_i64(v)[i]); return;
    case TY_FLOAT: json_write_double(b, vec_f32(v)[i], 1); return;
    case TY_DOUBLE: json_write_double(b, vec_f64(v)[i], 0); return;
    case TY_DECIMAL: vfmt_decimal(b, vec_dec(v)[i], v->type->scale); return;
    case TY_STRING: case TY_BINARY: json_write_string(b, vec_str(v)[i].p, vec_str(v)[i].len); return;
    case TY_DATE: {
        struct buf t = {0};
        vfmt_date(&t, vec_i32(v)[i]);
        json_write_string(b, (char *)t.p, t.len);
        buf_free(&t);
        return;
    }
    case TY_TIMESTAMP: {
        struct dt_tm tm;
        dt_split(vec_i64(v)[i], &tm);
        char s[64];
        int len = snprintf(s, sizeof s, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)tm.year, tm.month, tm.day,
                           tm.hour, tm.minute, tm.second, tm.micros / 1000);
        json_write_string(b, s, (size_t)len);
        return;
    }
    case TY_STRUCT: {
        buf_putc(b, '{');
        int first = 1;
        for (uint32_t f = 0; f < v->nchild; f++) {
            if (!v->child[f]->valid[i]) continue;
            if (!first) buf_putc(b, ',');
            first = 0;
            json_write_string(b, v->type->fields[f].name, strlen(v->type->fields[f].name));
            buf_putc(b, ':');
            kern_write_json(b, v->child[f], i);
        }
        buf_putc(b, '}');
        return;
    }
    case TY_ARRAY: {
        struct vlist l = vec_list(v)[i];
        buf_putc(b, '[');
        for (uint32_t k = 0; k < l.len; k++) {
            if (k) buf_putc(b, ',');
            kern_write_json(b, v->child[0], l.off + k);
        }
        buf_putc(b, ']');
        return;
    }
    case TY_MAP: {
        struct vlist l = vec_list(v)[i];
        buf_putc(b, '{');
        for (uint32_t k = 0; k < l.len; k++) {
            if (k) buf_putc(b, ',');
            struct buf key = {0};
            vfmt_value(&key, v->child[0], l.off + k, VFMT_CAST);
            json_write_string(b, key.p ? (char *)key.p : "", key.len);
            buf_free(&key);
            buf_putc(b, ':');
            kern_write_json(b, v->child[1], l.off + k);
        }
        buf_putc(b, '}');
        return;
    }
    }
}

static void k_to_json(KSIG) {
    (void)e;
    struct buf b = {0};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        buf_clear(&b);
        kern_write_json(&b, a[0], i);
        char *p = arena_alloc(cx->arena, b.len);
        memcpy(p, b.p, b.len);
        vec_str(out)[i] = (struct vstr){p, (uint32_t)b.len};
        out->valid[i] = 1;
    }
    buf_free(&b);
}

int fh_to_json(struct fbind *fb) {
    enum ty_kind k = fb->args[0]->type->kind;
    if (fb->nargs > 1) return fb_fail(fb, 1, "to_json options are not supported yet");
    if (k != TY_STRUCT && k != TY_ARRAY && k != TY_MAP)
        return fb_fail(fb, 0, "to_json expects a STRUCT, ARRAY or MAP");
    return fb_call(fb, ty_string(), k_to_json);
}

/* ---- get_json_object / json_tuple ---- */

/* A compiled JSONPath: $ then .name / ['name'] / [index] steps. */
struct jpath {
    uint32_t n;
    struct {
        const char *name; /* NULL: an index step */
        int64_t index;
    } step[32];
};

static int jpath_compile(struct arena *a, const char *p, struct jpath *jp) {
    jp->n = 0;
    if (*p++ != '$') return -1;
    while (*p) {
        if (jp->n == 32) return -1;
        if (*p == '.') {
            const char *st = ++p;
            while (*p && *p != '.' && *p != '[') p++;
            if (p == st) return -1;
            jp->step[jp->n].name = arena_strndup(a, st, (size_t)(p - st));
            jp->n++;
        } else if (*p == '[') {
            p++;
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                const char *st = p;
                while (*p && *p != q) p++;
                if (!*p) return -1;
                jp->step[jp->n].name = arena_strndup(a, st, (size_t)(p - st));
                p++;
            } else {
                char *end;
                long long v = strtoll(p, &end, 10);
                if (end == p) return -1;
                jp->step[jp->n].name = NULL;
                jp->step[jp->n].index = v;
                p = end;
            }
            if (*p++ != ']') return -1;
            jp->n++;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Writes the value at the path as text (strings unquoted, others as JSON). */
static void k_get_json_object(KSIG) {
    const struct jpath *jp = e->state;
    struct buf b = {0};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct vstr s = vec_str(a[0])[i];
        struct json_value *doc;
        struct json_error err;
        if (json_parse(cx->arena, s.p, s.len, JSON_SPARK_DEFAULTS, &doc, &err)) continue;
        const struct json_value *v = doc;
        for (uint32_t st = 0; st < jp->n && v; st++) {
            if (jp->step[st].name) v = json_get(v, jp->step[st].name, strlen(jp->step[st].name));
            else v = v->type == JSON_ARRAY && jp->step[st].index >= 0 && jp->step[st].index < v->len ? &v->u.items[jp->step[st].index] : NULL;
        }
        if (!v || v->type == JSON_NULL) continue;
        if (v->type == JSON_STRING) {
            vec_str(out)[i] = (struct vstr){v->u.str, v->len};
            out->valid[i] = 1;
            continue;
        }
        buf_clear(&b);
        json_write_value(&b, v);
        char *p = arena_alloc(cx->arena, b.len ? b.len : 1);
        memcpy(p, b.p, b.len);
        vec_str(out)[i] = (struct vstr){p, (uint32_t)b.len};
        out->valid[i] = 1;
    }
    buf_free(&b);
}

int fh_get_json_object(struct fbind *fb) {
    if (fb_cast(fb, 0, ty_string())) return -1;
    const char *path = fb_const_str(fb, 1, NULL);
    if (!path) return fb_fail(fb, 1, "the path of %s must be a string literal such as '$.a.b'", fb->name);
    struct jpath *jp = arena_alloc(fb->a, sizeof *jp);
    if (jpath_compile(fb->a, path, jp)) return fb_fail(fb, 1, "invalid JSON path '%s'", path);
    fb->nargs = 1;
    fb_call(fb, ty_string(), k_get_json_object);
    fb->result->state = jp;
    return 0;
}
