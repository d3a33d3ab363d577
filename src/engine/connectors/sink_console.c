/* sink_console: Spark's console sink. Each micro-batch prints
 *     -------------------------------------------
 *     Batch: N
 *     -------------------------------------------
 * and the rows in Dataset.show's layout: cells right-aligned to the widest
 * value, strings longer than 20 characters cut to 17 plus "..." when
 * truncate is on, at most numRows rows with "only showing top N rows". */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/connectors/sink.h"
#include "engine/exec/valfmt.h"

struct sink_console {
    struct sink base;
    FILE *out;
    int num_rows, truncate;
};

/* display width in code points */
static int width(const char *s, size_t n) {
    int w = 0;
    for (size_t i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

static char *cell(const struct vec *v, uint32_t i, int truncate) {
    struct buf b = {0};
    vfmt_value(&b, v, i, VFMT_SHOW);
    if (truncate && width((char *)b.p, b.len) > 20) {
        /* keep 17 code points */
        size_t at = 0;
        int cp = 0;
        while (at < b.len && cp < 17) {
            at++;
            while (at < b.len && (b.p[at] & 0xC0) == 0x80) at++;
            cp++;
        }
        b.len = at;
        buf_printf(&b, "...");
    }
    buf_putc(&b, 0);
    return (char *)b.p;
}

void sink_show(FILE *f, const struct op *collector, const struct ty *schema, int num_rows, int truncate) {
    uint32_t nc = schema->nfields;
    uint64_t total = op_collect_rows(collector);
    uint32_t shown = total < (uint64_t)num_rows ? (uint32_t)total : (uint32_t)num_rows;
    char **cells = calloc((size_t)(shown + 1) * (nc ? nc : 1), sizeof *cells);
    int *w = calloc(nc ? nc : 1, sizeof *w);
    for (uint32_t c = 0; c < nc; c++) {
        cells[c] = strdup(schema->fields[c].name);
        w[c] = width(cells[c], strlen(cells[c]));
        if (w[c] < 3) w[c] = 3;
    }
    uint32_t r = 0;
    for (uint32_t b = 0; b < op_collect_nbatches(collector) && r < shown; b++) {
        const struct batch *bt = op_collect_batch(collector, b);
        for (uint32_t k = 0; k < bt->nsel && r < shown; k++, r++)
            for (uint32_t c = 0; c < nc; c++) {
                char *s = cell(bt->cols[c], bt->sel[k], truncate);
                cells[(size_t)(r + 1) * nc + c] = s;
                int cw = width(s, strlen(s));
                if (cw > w[c]) w[c] = cw;
            }
    }
    struct buf line = {0};
    buf_putc(&line, '+');
    for (uint32_t c = 0; c < nc; c++) {
        for (int k = 0; k < w[c]; k++) buf_putc(&line, '-');
        buf_putc(&line, '+');
    }
    buf_putc(&line, '\n');
    fwrite(line.p, 1, line.len, f);
    for (uint32_t row = 0; row <= shown; row++) {
        fputc('|', f);
        for (uint32_t c = 0; c < nc; c++) {
            const char *s = cells[(size_t)row * nc + c];
            int pad = w[c] - width(s, strlen(s));
            if (truncate) {
                fprintf(f, "%*s%s|", pad, "", s);
            } else {
                fprintf(f, "%s%*s|", s, pad, "");
            }
        }
        fputc('\n', f);
        if (row == 0) fwrite(line.p, 1, line.len, f);
    }
    fwrite(line.p, 1, line.len, f);
    if (total > shown) fprintf(f, "only showing top %u row%s\n", shown, shown == 1 ? "" : "s");
    fputc('\n', f);
    for (size_t i = 0; i < (size_t)(shown + 1) * nc; i++) free(cells[i]);
    free(cells);
    free(w);
    buf_free(&line);
}

static int console_committed(struct sink *s, int64_t batch) {
    (void)s;
    (void)batch;
    return 0;
}

static int console_write(struct sink *s, int64_t batch, const struct op *c) {
    struct sink_console *k = (struct sink_console *)s;
    fprintf(k->out, "-------------------------------------------\nBatch: %lld\n-------------------------------------------\n",
            (long long)batch);
    sink_show(k->out, c, s->schema, k->num_rows, k->truncate);
    fflush(k->out);
    s->rows_written += (int64_t)op_collect_rows(c);
    return 0;
}

static void console_close(struct sink *s) { free(s); }

static const struct sink_vt console_vt = {console_committed, console_write, console_close};

int sink_console_new(const struct cat_entry *t, const struct ty *schema, FILE *out, struct sink **s, char *err, size_t errcap) {
    struct sink_console *k = calloc(1, sizeof *k);
    k->base.vt = &console_vt;
    k->base.schema = schema;
    k->out = out ? out : stdout;
    k->num_rows = 20;
    k->truncate = 1;
    const char *v = cat_opt(t, "numRows");
    if (v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 0) {
            snprintf(err, errcap, "console sink: numRows must be a non-negative integer, not '%s'", v);
            free(k);
            return -1;
        }
        k->num_rows = (int)n;
    }
    v = cat_opt(t, "truncate");
    if (v) k->truncate = strcasecmp(v, "false") != 0;
    snprintf(k->base.desc, sizeof k->base.desc, "org.apache.spark.sql.execution.streaming.ConsoleTable$");
    *s = &k->base;
    return 0;
}
