/* sink_files: the csv and json file sinks, exactly-once through the
 * _spark_metadata manifest (connectors/file_out): each micro-batch writes
 * its part file(s), fsyncs them, then commits the batch's manifest; a batch
 * whose manifest exists was committed before a crash and is skipped on the
 * re-run. One part file per micro-batch and partition directory
 * (partitionBy 'zip,day' → zip=94105/day=2024-01-01/part-...); partition
 * columns are not repeated inside the files; a NULL value goes to
 * __HIVE_DEFAULT_PARTITION__. A batch without rows commits an empty
 * manifest (as Spark does).
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
    /* partitionBy: columns that become directories instead of fields */
    uint32_t npart;
    int part_cols[16];
    const char *part_names[16];
    uint8_t *is_part;          /* per output column */
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

/* One output file per partition directory of a micro-batch. */
struct part {
    char *dir;                 /* "" or "col=value/..." */
    struct fout_file *file;
    struct buf line;           /* pending bytes */
};

static int open_part(struct sink_files *f, struct part *p, const char *uuid) {
    char name[256];
    fout_part_name(name, sizeof name, 0, uuid, 0, f->json ? "json" : "csv", f->codec);
    int rc = fout_file_open(f->fs, p->dir, name, f->codec, 0, &p->file);
    if (rc || f->json || !f->header) return rc;
    const struct ty *t = f->base.schema;
    int first = 1;
    for (uint32_t k = 0; k < t->nfields; k++) {
        if (f->is_part[k]) continue;
        csv_write_field(&f->csv, &p->line, first, t->fields[k].name, strlen(t->fields[k].name));
        first = 0;
    }
    csv_write_end(&f->csv, &p->line);
    return 0;
}

static void row_text(struct sink_files *f, struct buf *line, struct buf *tmp, const struct batch *bt, uint32_t i) {
    const struct ty *t = f->base.schema;
    if (f->json) {
        buf_putc(line, '{');
        int first = 1;
        for (uint32_t col = 0; col < bt->ncols; col++) {
            if (f->is_part[col] || !bt->cols[col]->valid[i]) continue;
            if (!first) buf_putc(line, ',');
            first = 0;
            json_write_string(line, t->fields[col].name, strlen(t->fields[col].name));
            buf_putc(line, ':');
            kern_write_json(line, bt->cols[col], i);
        }
        buf_printf(line, "}\n");
        return;
    }
    int first = 1;
    for (uint32_t col = 0; col < bt->ncols; col++) {
        if (f->is_part[col]) continue;
        csv_value(f, line, tmp, bt->cols[col], i, first);
        first = 0;
    }
    csv_write_end(&f->csv, line);
}

static int files_write(struct sink *s, int64_t batch, const struct op *c) {
    struct sink_files *f = (struct sink_files *)s;
    int has = fout_manifest_has(f->fs, batch);
    if (has < 0) return has;
    if (has) return 0; /* committed before a restart */
    int rc = 0;
    struct part *parts = NULL;
    uint32_t nparts = 0, cap = 0;
    char uuid[UUID_STR_LEN + 1];
    if ((rc = uuid_v4_str(uuid))) return rc;
    struct buf tmp = {0}, dir = {0};
    const char **pvals = malloc((f->npart ? f->npart : 1) * sizeof *pvals);
    char **pown = calloc(f->npart ? f->npart : 1, sizeof *pown);
    for (uint32_t b = 0; b < op_collect_nbatches(c) && !rc; b++) {
        const struct batch *bt = op_collect_batch(c, b);
        for (uint32_t k = 0; k < bt->nsel && !rc; k++) {
            uint32_t i = bt->sel[k];
            /* the row's partition directory */
            buf_clear(&dir);
            if (f->npart) {
                for (uint32_t x = 0; x < f->npart; x++) {
                    const struct vec *v = bt->cols[f->part_cols[x]];
                    free(pown[x]);
                    pown[x] = NULL;
                    if (!v->valid[i]) {
                        pvals[x] = NULL;
                        continue;
                    }
                    buf_clear(&tmp);
                    vfmt_value(&tmp, v, i, VFMT_CAST);
                    pown[x] = strndup(tmp.p ? (const char *)tmp.p : "", tmp.len);
                    pvals[x] = pown[x];
                }
                fout_partition_dir(&dir, f->part_names, pvals, (int)f->npart);
            }
            buf_putc(&dir, 0);
            uint32_t pi;
            for (pi = 0; pi < nparts; pi++)
                if (!strcmp(parts[pi].dir, (const char *)dir.p)) break;
            if (pi == nparts) {
                if (nparts == cap) {
                    cap = cap ? cap * 2 : 8;
                    parts = realloc(parts, cap * sizeof *parts);
                }
                memset(&parts[pi], 0, sizeof parts[pi]);
                parts[pi].dir = strdup((const char *)dir.p);
                nparts++;
                if ((rc = open_part(f, &parts[pi], uuid))) break;
            }
            row_text(f, &parts[pi].line, &tmp, bt, i);
            if (parts[pi].line.len >= 1 << 16) {
                rc = fout_file_write(parts[pi].file, parts[pi].line.p, parts[pi].line.len);
                buf_clear(&parts[pi].line);
            }
        }
    }
    struct fout_status *st = calloc(nparts ? nparts : 1, sizeof *st);
    for (uint32_t pi = 0; pi < nparts; pi++) {
        if (!rc && parts[pi].line.len) rc = fout_file_write(parts[pi].file, parts[pi].line.p, parts[pi].line.len);
        if (parts[pi].file) {
            if (rc) fout_file_abort(parts[pi].file);
            else rc = fout_file_close(parts[pi].file, &st[pi]);
        }
        buf_free(&parts[pi].line);
        free(parts[pi].dir);
    }
    if (!rc) rc = fout_manifest_commit(f->fs, batch, st, (int)nparts);
    if (!rc) s->rows_written += (int64_t)op_collect_rows(c);
    /* after a compact manifest the older ones are redundant: keep
     * _spark_metadata small, as Spark's fileSink.log.deletion does */
    if (!rc && (batch + 1) % 10 == 0) fout_manifest_purge(f->fs);
    for (uint32_t x = 0; x < f->npart; x++) free(pown[x]);
    free(pown);
    free(pvals);
    free(parts);
    free(st);
    buf_free(&tmp);
    buf_free(&dir);
    return rc;
}

static void files_close(struct sink *s) {
    struct sink_files *f = (struct sink_files *)s;
    if (f->fs) fout_sink_close(f->fs);
    if (f->ts_fmt) dt_pattern_free(f->ts_fmt);
    if (f->date_fmt) dt_pattern_free(f->date_fmt);
    free(f->null_value);
    free(f->is_part);
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
    f->is_part = calloc(schema->nfields ? schema->nfields : 1, 1);
    const char *pb = cat_opt(t, "partitionBy");
    if (pb) {
        char *list = strdup(pb), *save = NULL;
        for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ') tok++;
            size_t l = strlen(tok);
            while (l && tok[l - 1] == ' ') tok[--l] = 0;
            int ci = ty_field_index(schema, tok);
            if (ci < 0 || f->npart == 16) {
                snprintf(err, errcap, "partitionBy column `%s` is not a column of the query", tok);
                free(list);
                goto fail;
            }
            f->part_cols[f->npart] = ci;
            f->part_names[f->npart++] = schema->fields[ci].name;
            f->is_part[ci] = 1;
        }
        free(list);
        if (f->npart == schema->nfields) {
            snprintf(err, errcap, "partitionBy cannot use every column of the query");
            goto fail;
        }
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
