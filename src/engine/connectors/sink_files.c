/* sink_files: the csv and json file sinks, exactly-once through the
 * _spark_metadata manifest (connectors/file_out): each micro-batch writes
 * its part file(s), fsyncs them, then commits the batch's manifest; a batch
 * whose manifest exists was committed before a crash and is skipped on the
 * re-run. Unpartitioned: one part file per micro-batch with rows; a batch
 * without rows commits an empty manifest (as Spark does).
 *   csv: Spark's writer defaults (formats/csv), header row when header=true,
 *        timestamps as yyyy-MM-dd'T'HH:mm:ss.SSSXXX (option timestampFormat),
 *        dates yyyy-MM-dd (dateFormat), NULL as nullValue (empty).
 *   json: one object per row, NULL fields left out (ignoreNullFields). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/uuid.h"
#include "engine/connectors/file_out.h"
#include "engine/connectors/sink.h"
#include "engine/exec/kernels.h"
#include "engine/exec/valfmt.h"
#include "engine/formats/csv.h"
#include "engine/formats/datetime.h"
#include "engine/formats/json.h"

struct sink_files {
    struct sink base;
    int json;
    struct fout_sink *fs;
    enum fout_codec codec;
    struct csv_opts csv;
    int header;
    struct dt_pattern *ts_fmt, *date_fmt;
    char *null_value;
};

static int files_committed(struct sink *s, int64_t batch) {
    struct sink_files *f = (struct sink_files *)s;
    return fout_manifest_has(f->fs, batch);
}

static void csv_value(struct sink_files *f, struct buf *line, struct buf *tmp, const struct vec *v, uint32_t i, int first) {
    if (!v->valid[i]) {
        csv_write_field(&f->csv, line, first, NULL, 0);
        return;
    }
    buf_clear(tmp);
    char out[DT_FMT_MAX];
    int n;
    switch (v->type->kind) {
    case TY_TIMESTAMP:
        n = dt_format(f->ts_fmt, vec_i64(v)[i], out, sizeof out);
        if (n > 0) buf_append(tmp, out, (size_t)n);
        break;
    case TY_DATE:
        n = dt_format(f->date_fmt, dt_date_to_ts(vec_i32(v)[i]), out, sizeof out);
        if (n > 0) buf_append(tmp, out, (size_t)n);
        break;
    case TY_STRUCT: case TY_ARRAY: case TY_MAP: vfmt_value(tmp, v, i, VFMT_CAST); break;
    default: vfmt_value(tmp, v, i, VFMT_CAST);
    }
    csv_write_field(&f->csv, line, first, tmp->p ? (const char *)tmp->p : "", tmp->len);
}

static int files_write(struct sink *s, int64_t batch, const struct op *c) {
    struct sink_files *f = (struct sink_files *)s;
    int has = fout_manifest_has(f->fs, batch);
    if (has < 0) return has;
    if (has) return 0; /* committed before a restart */
    struct fout_status st;
    int nfiles = 0, rc = 0;
    if (op_collect_rows(c) > 0) {
        char uuid[UUID_STR_LEN + 1], name[256];
        if ((rc = uuid_v4_str(uuid))) return rc;
        fout_part_name(name, sizeof name, 0, uuid, 0, f->json ? "json" : "csv", f->codec);
        struct fout_file *out;
        if ((rc = fout_file_open(f->fs, "", name, f->codec, 0, &out))) return rc;
        struct buf line = {0}, tmp = {0};
        const struct ty *t = s->schema;
        if (!f->json && f->header) {
            for (uint32_t k = 0; k < t->nfields; k++)
                csv_write_field(&f->csv, &line, k == 0, t->fields[k].name, strlen(t->fields[k].name));
            csv_write_end(&f->csv, &line);
        }
        for (uint32_t b = 0; b < op_collect_nbatches(c) && !rc; b++) {
            const struct batch *bt = op_collect_batch(c, b);
            for (uint32_t k = 0; k < bt->nsel; k++) {
                uint32_t i = bt->sel[k];
                if (f->json) {
                    buf_putc(&line, '{');
                    int first = 1;
                    for (uint32_t col = 0; col < bt->ncols; col++) {
                        if (!bt->cols[col]->valid[i]) continue;
                        if (!first) buf_putc(&line, ',');
                        first = 0;
                        json_write_string(&line, t->fields[col].name, strlen(t->fields[col].name));
                        buf_putc(&line, ':');
                        kern_write_json(&line, bt->cols[col], i);
                    }
                    buf_printf(&line, "}\n");
                } else {
                    for (uint32_t col = 0; col < bt->ncols; col++) csv_value(f, &line, &tmp, bt->cols[col], i, col == 0);
                    csv_write_end(&f->csv, &line);
                }
                if (line.len >= 1 << 16) {
                    if ((rc = fout_file_write(out, line.p, line.len))) break;
                    buf_clear(&line);
                }
            }
        }
        if (!rc && line.len) rc = fout_file_write(out, line.p, line.len);
        buf_free(&line);
        buf_free(&tmp);
        if (rc) {
            fout_file_abort(out);
            return rc;
        }
        if ((rc = fout_file_close(out, &st))) return rc;
        nfiles = 1;
    }
    rc = fout_manifest_commit(f->fs, batch, &st, nfiles);
    if (!rc) s->rows_written += (int64_t)op_collect_rows(c);
    return rc;
}

static void files_close(struct sink *s) {
    struct sink_files *f = (struct sink_files *)s;
    if (f->fs) fout_sink_close(f->fs);
    if (f->ts_fmt) dt_pattern_free(f->ts_fmt);
    if (f->date_fmt) dt_pattern_free(f->date_fmt);
    free(f->null_value);
    free(f);
}

static const struct sink_vt files_vt = {files_committed, files_write, files_close};

int sink_files_new(const struct cat_entry *t, const struct ty *schema, struct sink **s, char *err, size_t errcap) {
    struct sink_files *f = calloc(1, sizeof *f);
    f->base.vt = &files_vt;
    f->base.schema = schema;
    f->json = !strcmp(t->format, "json");
    const char *path = cat_opt(t, "path");
    int rc = 0;
    if (!path) {
        snprintf(err, errcap, "the %s sink `%s` needs a 'path' option", t->format, t->name);
        goto fail;
    }
    if (cat_opt(t, "partitionBy")) {
        snprintf(err, errcap, "partitionBy is not supported yet by the %s sink", t->format);
        goto fail;
    }
    const char *comp = cat_opt(t, "compression");
    if (comp && fout_codec_parse(comp, &f->codec)) {
        snprintf(err, errcap, "unsupported compression '%s' (none, gzip or zstd)", comp);
        goto fail;
    }
    csv_opts_init(&f->csv, CSV_WRITE);
    for (uint32_t i = 0; i < t->nopts && !f->json; i++) {
        char e[200];
        rc = csv_opts_set(&f->csv, t->opt_keys[i], t->opt_vals[i], e, sizeof e);
        if (rc == 0 || rc == WERR_NOTFOUND) continue;
        snprintf(err, errcap, "csv sink `%s`: %s", t->name, e);
        goto fail;
    }
    const char *h = cat_opt(t, "header");
    f->header = h && !strcasecmp(h, "true");
    const char *tsf = cat_opt(t, "timestampFormat");
    if (!tsf) tsf = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    const char *df = cat_opt(t, "dateFormat");
    if (!df) df = "yyyy-MM-dd";
    char e[200];
    if (dt_pattern_compile(tsf, strlen(tsf), &f->ts_fmt, e, sizeof e) || dt_pattern_compile(df, strlen(df), &f->date_fmt, e, sizeof e)) {
        snprintf(err, errcap, "%s sink `%s`: bad datetime format: %s", t->format, t->name, e);
        goto fail;
    }
    if (fout_sink_open(path, 10, &f->fs)) {
        snprintf(err, errcap, "cannot open the output directory '%s'", path);
        goto fail;
    }
    snprintf(f->base.desc, sizeof f->base.desc, "FileSink[%s]", fout_sink_path(f->fs));
    *s = &f->base;
    return 0;
fail:
    files_close(&f->base);
    return -1;
}
