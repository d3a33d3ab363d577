/* rowtext: see rowtext.h. */
#include "engine/exec/rowtext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "engine/exec/kernels.h"
#include "engine/exec/valfmt.h"

struct batch *rowtext_parse(struct arena *heap, const struct ty *schema, const char *text, size_t len, char *err,
                            size_t errcap) {
    uint32_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    lines++;
    if (lines > VEC_MAX_ROWS) {
        snprintf(err, errcap, "too many rows in one batch (max %u)", VEC_MAX_ROWS);
        return NULL;
    }
    struct batch *b = batch_new(heap, schema, lines);
    uint32_t row = 0, lineno = 0;
    size_t at = 0;
    while (at < len) {
        size_t e = at;
        while (e < len && text[e] != '\n') e++;
        lineno++;
        const char *l = text + at;
        size_t ln = e - at;
        at = e + 1;
        while (ln && isspace((unsigned char)l[ln - 1])) ln--;
        size_t k = 0;
        while (k < ln && isspace((unsigned char)l[k])) k++;
        if (k == ln) continue;
        uint32_t col = 0;
        size_t fs = 0;
        for (size_t i = 0; i <= ln; i++) {
            if (i < ln && l[i] != '|') continue;
            const char *f = l + fs;
            size_t fl = i - fs;
            while (fl && isspace((unsigned char)*f)) f++, fl--;
            while (fl && isspace((unsigned char)f[fl - 1])) fl--;
            if (col >= schema->nfields) {
                snprintf(err, errcap, "line %u: more than %u fields", lineno, schema->nfields);
                return NULL;
            }
            struct vec *v = b->cols[col];
            if (!(fl == 4 && !memcmp(f, "NULL", 4))) {
                enum ty_kind kd = v->type->kind;
                if (kd == TY_STRUCT || kd == TY_ARRAY || kd == TY_MAP) {
                    snprintf(err, errcap, "line %u: nested column types cannot be given as text", lineno);
                    return NULL;
                }
                if (kern_text_to(f, (uint32_t)fl, v, row)) {
                    snprintf(err, errcap, "line %u: '%.*s' is not a valid %s", lineno, (int)fl, f,
                             ty_sql_str(heap, v->type));
                    return NULL;
                }
            }
            col++;
            fs = i + 1;
        }
        if (col != schema->nfields) {
            snprintf(err, errcap, "line %u: %u fields, the table has %u", lineno, col, schema->nfields);
            return NULL;
        }
        row++;
    }
    batch_set_rows(b, row);
    return b;
}

void rowtext_format(struct buf *out, const struct batch *b) {
    for (uint32_t k = 0; k < b->nsel; k++) {
        uint32_t i = b->sel[k];
        for (uint32_t c = 0; c < b->ncols; c++) {
            if (c) buf_putc(out, '|');
            vfmt_value(out, b->cols[c], i, VFMT_SHOW);
        }
        buf_putc(out, '\n');
    }
}
