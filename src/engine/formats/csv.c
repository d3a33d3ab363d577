/* csv: see csv.h. The tokenizer is one pass over the input with no copy for
 * plain fields; the first escape sequence inside a quoted field switches
 * that field to the reader's scratch buffer. Scratch offsets are turned
 * into pointers only once the record is complete, because the scratch
 * buffer may move while it grows. */
#include "engine/formats/csv.h"

#include "common/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NO_SCRATCH UINT32_MAX

void csv_opts_init(struct csv_opts *o, enum csv_role role) {
    memset(o, 0, sizeof *o);
    o->sep = ',';
    o->quote = '"';
    o->escape = '\\';
    o->esc_escape = '\\';
    o->ignore_leading_ws = role == CSV_WRITE;
    o->ignore_trailing_ws = role == CSV_WRITE;
    o->escape_quotes = 1;
    o->null_value = "";
    o->empty_value = role == CSV_WRITE ? "\"\"" : "";
    o->max_columns = 20480;
}

static void set_err(char *err, size_t cap, const char *key, const char *val, const char *why) {
    if (err && cap) snprintf(err, cap, "invalid value for CSV option '%s': '%s' (%s)", key, val, why);
}

/* A one-character option; Spark accepts "\t", "\u0001"-style escapes too. */
static int one_char(const char *v, char *out, int allow_empty) {
    size_t n = strlen(v);
    if (n == 0) {
        if (!allow_empty) return -1;
        *out = 0;
        return 0;
    }
    if (n == 1) { *out = v[0]; return 0; }
    if (v[0] == '\\' && n == 2) {
        switch (v[1]) {
        case 't': *out = '\t'; return 0;
        case 'n': *out = '\n'; return 0;
        case 'r': *out = '\r'; return 0;
        case 'b': *out = '\b'; return 0;
        case 'f': *out = '\f'; return 0;
        case '"': *out = '"'; return 0;
        case '\'': *out = '\''; return 0;
        case '\\': *out = '\\'; return 0;
        case '0': *out = 0; return 0;
        }
        return -1;
    }
    if (v[0] == '\\' && v[1] == 'u' && n == 6) {
        char *end;
        long c = strtol(v + 2, &end, 16);
        if (*end || c < 0 || c > 127) return -1;
        *out = (char)c;
        return 0;
    }
    return -1;
}

static int parse_bool(const char *v, int *out) {
    if (!strcasecmp(v, "true")) { *out = 1; return 0; }
    if (!strcasecmp(v, "false")) { *out = 0; return 0; }
    return -1;
}

int csv_opts_set(struct csv_opts *o, const char *key, const char *val, char *err, size_t errcap) {
    if (!strcasecmp(key, "sep") || !strcasecmp(key, "delimiter")) {
        if (one_char(val, &o->sep, 0) || o->sep == 0) { set_err(err, errcap, key, val, "must be one character"); return WERR_INVALID; }
        return 0;
    }
    if (!strcasecmp(key, "quote")) {
        if (one_char(val, &o->quote, 1)) { set_err(err, errcap, key, val, "must be one character"); return WERR_INVALID; }
        return 0;
    }
    if (!strcasecmp(key, "escape")) {
        if (one_char(val, &o->escape, 1)) { set_err(err, errcap, key, val, "must be one character"); return WERR_INVALID; }
        o->esc_escape = o->escape == o->quote ? 0 : o->escape;
        return 0;
    }
    if (!strcasecmp(key, "charToEscapeQuoteEscaping")) {
        if (one_char(val, &o->esc_escape, 1)) { set_err(err, errcap, key, val, "must be one character"); return WERR_INVALID; }
        return 0;
    }
    if (!strcasecmp(key, "comment")) {
        if (one_char(val, &o->comment, 1)) { set_err(err, errcap, key, val, "must be one character"); return WERR_INVALID; }
        return 0;
    }
    int *flag = NULL;
    if (!strcasecmp(key, "header")) flag = &o->header;
    else if (!strcasecmp(key, "ignoreLeadingWhiteSpace")) flag = &o->ignore_leading_ws;
    else if (!strcasecmp(key, "ignoreTrailingWhiteSpace")) flag = &o->ignore_trailing_ws;
    else if (!strcasecmp(key, "quoteAll")) flag = &o->quote_all;
    else if (!strcasecmp(key, "escapeQuotes")) flag = &o->escape_quotes;
    else if (!strcasecmp(key, "multiLine")) flag = &o->multi_line;
    if (flag) {
        if (parse_bool(val, flag)) { set_err(err, errcap, key, val, "must be true or false"); return WERR_INVALID; }
        return 0;
    }
    if (!strcasecmp(key, "nullValue")) { o->null_value = val; return 0; }
    if (!strcasecmp(key, "emptyValue")) { o->empty_value = val; return 0; }
    if (!strcasecmp(key, "maxColumns")) {
        char *end;
        long v = strtol(val, &end, 10);
        if (*end || v < 1 || v > 1000000) { set_err(err, errcap, key, val, "must be a positive integer"); return WERR_INVALID; }
        o->max_columns = (int)v;
        return 0;
    }
    return WERR_NOTFOUND;
}

void csv_reader_init(struct csv_reader *r, const struct csv_opts *o) {
    memset(r, 0, sizeof *r);
    r->o = *o;
    r->line = 1;
}

void csv_reader_free(struct csv_reader *r) {
    free(r->fields);
    free(r->scratch_off);
    buf_free(&r->scratch);
    memset(r, 0, sizeof *r);
}

static void add_field(struct csv_reader *r, int *nf, const char *p, size_t len, uint32_t soff, int quoted, int *status) {
    if (*nf >= r->o.max_columns) { *status = CSV_TOO_MANY_COLUMNS; return; }
    if (*nf == r->cap) {
        int nc = r->cap ? r->cap * 2 : 16;
        struct csv_field *f = realloc(r->fields, (size_t)nc * sizeof *f);
        uint32_t *so = realloc(r->scratch_off, (size_t)nc * sizeof *so);
        if (!f || !so) { fprintf(stderr, "csv: out of memory\n"); abort(); }
        r->fields = f;
        r->scratch_off = so;
        r->cap = nc;
    }
    r->fields[*nf] = (struct csv_field){.p = p, .len = (uint32_t)len, .quoted = (uint8_t)quoted};
    r->scratch_off[*nf] = soff;
    (*nf)++;
}

static int is_ws(char c) { return c == ' ' || c == '\t'; }

/* The tokenizer proper. one_record: the whole input is one record (no line
 * ends). Returns 1 (record), 0 (no data), WERR_AGAIN. */
static int tokenize(struct csv_reader *r, const char *d, size_t len, size_t *pos, int final, int one_record,
                    struct csv_record *rec) {
    const struct csv_opts *o = &r->o;
    size_t i = *pos;
    int64_t line = r->line;
    /* skip empty and comment lines */
    if (!one_record) {
        for (;;) {
            if (i >= len) { *pos = i; r->line = line; return 0; }
            if (d[i] == '\n') { i++; line++; continue; }
            if (d[i] == '\r') {
                if (i + 1 >= len && !final) { *pos = i; r->line = line; return WERR_AGAIN; }
                i += (i + 1 < len && d[i + 1] == '\n') ? 2 : 1;
                line++;
                continue;
            }
            if (o->comment && d[i] == o->comment) {
                size_t j = i;
                while (j < len && d[j] != '\n' && d[j] != '\r') j++;
                if (j >= len && !final) { *pos = i; r->line = line; return WERR_AGAIN; }
                i = j;
                continue;
            }
            break;
        }
        *pos = i;
        r->line = line;
    }
    size_t start = i;
    int64_t start_line = line;
    int nf = 0, status = CSV_OK;
    buf_clear(&r->scratch);
    for (;;) {
        /* one field */
        if (o->ignore_leading_ws)
            while (i < len && is_ws(d[i]) && d[i] != o->sep) i++;
        if (o->quote && i < len && d[i] == o->quote) {
            i++;
            size_t seg = i;
            int copying = 0;
            uint32_t soff = (uint32_t)r->scratch.len;
            int closed = 0;
            while (i < len) {
                char c = d[i];
                if ((c == '\n' || c == '\r') && !o->multi_line && !one_record) break; /* Spark reads line by line */
                char next = i + 1 < len ? d[i + 1] : 0;
                int at_end = i + 1 >= len;
                if ((c == o->quote || (o->escape && c == o->escape) || (o->esc_escape && c == o->esc_escape)) &&
                    at_end && !final && !one_record)
                    return WERR_AGAIN;
                char out = 0;
                int two = 0;
                if (o->escape && o->escape != o->quote && c == o->escape && !at_end && next == o->quote) {
                    out = o->quote; two = 1;
                } else if (o->esc_escape && c == o->esc_escape && !at_end && next == o->escape &&
                           o->escape != o->quote) {
                    out = o->escape; two = 1;
                } else if (c == o->quote && !at_end && next == o->quote) {
                    out = o->quote; two = 1; /* RFC 4180 doubled quote */
                } else if (c == o->quote) {
                    closed = 1;
                    break;
                }
                if (two) {
                    if (!copying) { buf_append(&r->scratch, d + seg, i - seg); copying = 1; }
                    buf_putc(&r->scratch, (uint8_t)out);
                    i += 2;
                    continue;
                }
                if (c == '\n') line++;
                else if (c == '\r' && next != '\n') line++;
                if (copying) buf_putc(&r->scratch, (uint8_t)c);
                i++;
            }
            if (!closed) {
                if (i >= len && !final && !one_record) return WERR_AGAIN;
                status = CSV_UNTERMINATED_QUOTE;
                if (copying) add_field(r, &nf, NULL, r->scratch.len - soff, soff, 1, &status);
                else add_field(r, &nf, d + seg, i - seg, NO_SCRATCH, 1, &status);
                break;
            }
            size_t qend = i; /* at the closing quote */
            i++;
            /* text between the closing quote and the separator */
            size_t tail = i;
            while (i < len && d[i] != o->sep && (one_record || (d[i] != '\n' && d[i] != '\r'))) i++;
            size_t tail_end = i;
            if (tail_end > tail) {
                /* white space after the closing quote is dropped whatever
                 * ignoreTrailingWhiteSpace says (as Spark's parser does);
                 * other stray text is kept as part of the value (lenient) */
                size_t te = tail_end;
                while (te > tail && is_ws(d[te - 1])) te--;
                if (te > tail) {
                    if (!copying) { buf_append(&r->scratch, d + seg, qend - seg); copying = 1; }
                    buf_append(&r->scratch, d + tail, te - tail);
                }
            }
            if (copying) add_field(r, &nf, NULL, r->scratch.len - soff, soff, 1, &status);
            else add_field(r, &nf, d + seg, qend - seg, NO_SCRATCH, 1, &status);
        } else {
            size_t fs = i;
            while (i < len && d[i] != o->sep && (one_record || (d[i] != '\n' && d[i] != '\r'))) i++;
            size_t fe = i;
            if (o->ignore_trailing_ws)
                while (fe > fs && is_ws(d[fe - 1])) fe--;
            add_field(r, &nf, d + fs, fe - fs, NO_SCRATCH, 0, &status);
        }
        if (i < len && d[i] == o->sep) { i++; continue; }
        break;
    }
    if (status != CSV_UNTERMINATED_QUOTE && !one_record) {
        if (i >= len && !final) return WERR_AGAIN; /* no line end yet */
    }
    rec->raw = d + start;
    rec->raw_len = i - start;
    if (!one_record && i < len) {
        if (d[i] == '\r') {
            if (i + 1 >= len && !final) return WERR_AGAIN;
            i += (i + 1 < len && d[i + 1] == '\n') ? 2 : 1;
        } else {
            i++;
        }
        line++;
    }
    /* resolve scratch offsets and NULLs now that the scratch buffer is final */
    for (int k = 0; k < nf; k++) {
        struct csv_field *f = &r->fields[k];
        if (r->scratch_off[k] != NO_SCRATCH) f->p = (const char *)r->scratch.p + r->scratch_off[k];
        if (!f->p) f->p = "";
        if (f->quoted && f->len == 0) {
            f->p = o->empty_value;
            f->len = (uint32_t)strlen(o->empty_value);
            f->null = !strcmp(o->empty_value, o->null_value);
        } else if (!f->quoted && f->len == 0) {
            f->null = 1;
        } else {
            size_t nl = strlen(o->null_value);
            f->null = f->len == nl && !memcmp(f->p, o->null_value, nl);
        }
    }
    rec->fields = r->fields;
    rec->nfields = nf;
    rec->status = status;
    rec->line = start_line;
    *pos = i;
    r->line = line;
    return 1;
}

int csv_next(struct csv_reader *r, const char *data, size_t len, size_t *pos, int final, struct csv_record *rec) {
    /* On WERR_AGAIN, skipped blank/comment lines stay consumed (*pos moved
     * past them); the partial record does not. */
    return tokenize(r, data, len, pos, final, 0, rec);
}

int csv_parse_record(struct csv_reader *r, const char *s, size_t n, struct csv_record *rec) {
    size_t pos = 0;
    int64_t saved = r->line;
    r->line = 1;
    int rc = tokenize(r, s, n, &pos, 1, 1, rec);
    r->line = saved;
    if (rc == 0) { /* cannot happen in one_record mode, but keep the contract */
        rec->nfields = 0;
        rec->status = CSV_OK;
    }
    return 0;
}

/* ------------------------------------------------------------------ writer */

void csv_write_field(const struct csv_opts *o, struct buf *out, int first, const char *s, size_t n) {
    if (!first) buf_putc(out, (uint8_t)o->sep);
    if (!s) {
        buf_append(out, o->null_value, strlen(o->null_value));
        return;
    }
    if (o->ignore_leading_ws)
        while (n && isspace((unsigned char)s[0])) { s++; n--; }
    if (o->ignore_trailing_ws)
        while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n == 0 && !o->quote_all) {
        buf_append(out, o->empty_value, strlen(o->empty_value));
        return;
    }
    int need = o->quote_all;
    for (size_t i = 0; i < n && !need; i++) {
        char c = s[i];
        if (c == o->sep || c == '\n' || c == '\r' || (o->quote && c == o->quote && o->escape_quotes)) need = 1;
        if (o->comment && i == 0 && c == o->comment) need = 1;
    }
    if (!need || !o->quote) {
        buf_append(out, s, n);
        return;
    }
    buf_putc(out, (uint8_t)o->quote);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == o->quote && o->escape_quotes) {
            buf_append(out, s + run, i - run);
            buf_putc(out, (uint8_t)(o->escape ? o->escape : o->quote));
            buf_putc(out, (uint8_t)c);
            run = i + 1;
        } else if (o->escape && c == o->escape && o->escape != o->quote && o->esc_escape) {
            buf_append(out, s + run, i - run);
            buf_putc(out, (uint8_t)o->esc_escape);
            buf_putc(out, (uint8_t)c);
            run = i + 1;
        }
    }
    buf_append(out, s + run, n - run);
    buf_putc(out, (uint8_t)o->quote);
}

void csv_write_end(const struct csv_opts *o, struct buf *out) { buf_putc(out, '\n'); }

void csv_write_record(const struct csv_opts *o, struct buf *out, const char *const *vals, int n) {
    for (int i = 0; i < n; i++) csv_write_field(o, out, i == 0, vals[i], vals[i] ? strlen(vals[i]) : 0);
    csv_write_end(o, out);
}
