/* source_files: csv and json (JSON lines) tables as sources.
 *   CREATE TABLE t (cols) USING csv OPTIONS ('path' = 'dir-or-file', 'header' = 'true', ...)
 * A batch query reads every file; with 'streaming' = 'true' the table is a
 * stream of files: each micro-batch takes the files that appeared since the
 * last one (maxFilesPerTrigger caps it). Files are taken in name order, and
 * the offset is how many have been taken ({"files":N}): new files must sort
 * after the old ones (time-stamped or numbered names), which is what
 * writers like weir's own file sink produce. Hidden and _-prefixed names
 * are skipped, as Spark does; .gz files are decompressed.
 *
 * Parsing follows Spark's readers: CSV options (sep, quote, escape,
 * nullValue, header, ...), JSON lines with Spark's relaxations; mode
 *   PERMISSIVE     a malformed record gives NULLs, and its text goes to the
 *                  columnNameOfCorruptRecord column if the schema has it
 *   DROPMALFORMED  a malformed record is dropped
 *   FAILFAST       a malformed record fails the query
 * A record is malformed when a field does not convert to its column's type,
 * a quote is not closed, or a JSON line does not parse as an object. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common/err.h"
#include "engine/connectors/source.h"
#include "engine/exec/kernels.h"
#include "engine/formats/csv.h"
#include "engine/formats/datetime.h"
#include "engine/formats/json.h"

enum { M_PERMISSIVE, M_DROP, M_FAILFAST };

struct source_files {
    struct source base;
    int json;
    const char *path;
    struct csv_opts csv;
    int header, mode, corrupt, json_flags;
    int64_t max_files;
    struct arena arena;
    struct text_fmt fmt;       /* timestampFormat / dateFormat */
    struct dt_pattern *ts_pat, *date_pat;
};

static int skip_name(const char *n) { return n[0] == '.' || n[0] == '_'; }

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The data files in name order (malloc'd array of malloc'd full paths). */
static int list_files(struct source_files *s, char ***out, int *n) {
    struct stat st;
    *out = NULL;
    *n = 0;
    if (stat(s->path, &st)) {
        snprintf(s->base.err, sizeof s->base.err, "%s source `%s`: path '%s' does not exist", s->json ? "json" : "csv",
                 s->base.table->name, s->path);
        return WERR_NOTFOUND;
    }
    if (!S_ISDIR(st.st_mode)) {
        *out = malloc(sizeof **out);
        (*out)[0] = strdup(s->path);
        *n = 1;
        return 0;
    }
    DIR *d = opendir(s->path);
    if (!d) return WERR_IO;
    int cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (skip_name(e->d_name)) continue;
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", s->path, e->d_name);
        if (stat(full, &st) || !S_ISREG(st.st_mode)) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = realloc(*out, (size_t)cap * sizeof **out);
        }
        (*out)[(*n)++] = strdup(full);
    }
    closedir(d);
    qsort(*out, (size_t)*n, sizeof **out, cmp_names);
    return 0;
}

static void free_list(char **f, int n) {
    for (int i = 0; i < n; i++) free(f[i]);
    free(f);
}

static int off(const char *s, int64_t *files) {
    long long v;
    if (!s || sscanf(s, "{\"files\":%lld}", &v) != 1) return -1;
    *files = v;
    return 0;
}

static int f_initial(struct source *src, bool batch_query, struct buf *out) {
    (void)src;
    (void)batch_query;
    buf_printf(out, "{\"files\":0}");
    return 0;
}

static int f_latest(struct source *src, const char *start, int64_t max_rows, struct buf *end, bool *has_data) {
    struct source_files *s = (struct source_files *)src;
    int64_t from = 0;
    if (off(start, &from)) return WERR_CORRUPT;
    char **files;
    int n;
    int rc = list_files(s, &files, &n);
    if (rc == WERR_NOTFOUND) n = 0, rc = 0, files = NULL;
    if (rc) return rc;
    free_list(files, n);
    int64_t to = n;
    if (max_rows >= 0 && s->max_files > 0 && to - from > s->max_files) to = from + s->max_files;
    if (to < from) to = from;
    buf_printf(end, "{\"files\":%lld}", (long long)to);
    *has_data = to > from;
    return 0;
}

static int f_ending(struct source *src, const char *start, struct buf *out) {
    bool has;
    struct source_files *s = (struct source_files *)src;
    int64_t keep = s->max_files;
    s->max_files = 0;
    int rc = f_latest(src, start, 0, out, &has);
    s->max_files = keep;
    return rc;
}

static int read_all(const char *path, struct buf *b) {
    gzFile g = gzopen(path, "rb"); /* reads plain files too */
    if (!g) return WERR_IO;
    char tmp[1 << 16];
    int n;
    while ((n = gzread(g, tmp, sizeof tmp)) > 0) buf_append(b, tmp, (size_t)n);
    int err = n < 0;
    gzclose(g);
    return err ? WERR_IO : 0;
}

struct filler {
    struct source_files *s;
    struct batch *b;
    uint32_t row;
    source_emit emit;
    void *ctx;
    struct ectx ex;
};

static int flush(struct filler *f) {
    if (!f->b || !f->row) return 0;
    batch_set_rows(f->b, f->row);
    int rc = f->emit(f->ctx, f->b);
    arena_reset(&f->s->arena);
    f->b = NULL;
    f->row = 0;
    return rc;
}

static uint32_t next_row(struct filler *f) {
    if (!f->b) f->b = batch_new(&f->s->arena, f->s->base.schema, BATCH_CAP);
    return f->row;
}

/* PERMISSIVE/DROPMALFORMED/FAILFAST decision for a malformed record at row i.
 * Returns 1 to keep the row, 0 to drop it, <0 to fail. */
static int malformed(struct filler *f, uint32_t i, const char *raw, size_t len, const char *file, int64_t line) {
    struct source_files *s = f->s;
    if (s->mode == M_FAILFAST) {
        snprintf(s->base.err, sizeof s->base.err,
                 "Malformed records are detected in record parsing (%s line %lld). Parse Mode: FAILFAST.", file, (long long)line);
        return WERR_INVALID;
    }
    if (s->mode == M_DROP) return 0;
    /* PERMISSIVE: the fields that failed are NULL already; keep the others */
    if (s->corrupt >= 0) vec_set_str(f->b->cols[s->corrupt], i, raw, (uint32_t)len);
    return 1;
}

static int parse_csv(struct filler *f, const char *file, const char *data, size_t len) {
    struct source_files *s = f->s;
    struct csv_reader r;
    csv_reader_init(&r, &s->csv);
    size_t pos = 0;
    struct csv_record rec;
    int rc = 0, first = 1;
    while (csv_next(&r, data, len, &pos, 1, &rec) == 1) {
        if (first && s->header) {
            first = 0;
            continue;
        }
        first = 0;
        uint32_t i = next_row(f);
        int bad = rec.status == CSV_UNTERMINATED_QUOTE, fi = 0;
        for (uint32_t c = 0; c < f->b->ncols; c++) {
            struct vec *v = f->b->cols[c];
            v->valid[i] = 0;
            if ((int)c == s->corrupt) continue;
            int src = fi++;
            if (src >= rec.nfields || rec.fields[src].null) continue;
            if (kern_text_fmt(rec.fields[src].p, rec.fields[src].len, v, i, &s->fmt)) bad = 1;
        }
        int keep = 1;
        if (bad && (keep = malformed(f, i, rec.raw, rec.raw_len, file, rec.line)) < 0) {
            rc = keep;
            break;
        }
        if (!keep) continue;
        f->row++;
        if (f->row == BATCH_CAP && (rc = flush(f))) break;
    }
    csv_reader_free(&r);
    return rc;
}

static int parse_json(struct filler *f, const char *file, const char *data, size_t len) {
    struct source_files *s = f->s;
    int64_t line = 0;
    struct arena dom;
    arena_init(&dom, 1 << 16);
    int rc = 0;
    for (size_t at = 0; at < len;) {
        size_t e = at;
        while (e < len && data[e] != '\n') e++;
        line++;
        const char *l = data + at;
        size_t ln = e - at;
        at = e + 1;
        while (ln && (l[ln - 1] == '\r' || l[ln - 1] == ' ' || l[ln - 1] == '\t')) ln--;
        if (!ln) continue;
        uint32_t i = next_row(f);
        struct json_value *doc;
        struct json_error err;
        f->ex.arena = &s->arena;
        if (json_parse(&s->arena, l, ln, s->json_flags, &doc, &err) || doc->type != JSON_OBJECT) {
            for (uint32_t c = 0; c < f->b->ncols; c++) {
                if (f->b->cols[c]->type->kind == TY_STRUCT) kern_json_to_row(&f->ex, NULL, f->b->cols[c], i, &s->fmt);
                else f->b->cols[c]->valid[i] = 0;
            }
            int keep = malformed(f, i, l, ln, file, line);
            if (keep < 0) {
                rc = keep;
                break;
            }
            if (!keep) continue;
        } else {
            for (uint32_t c = 0; c < f->b->ncols; c++) {
                const char *name = s->base.schema->fields[c].name;
                kern_json_to_row(&f->ex, json_get(doc, name, strlen(name)), f->b->cols[c], i, &s->fmt);
            }
        }
        f->row++;
        if (f->row == BATCH_CAP && (rc = flush(f))) break;
    }
    arena_free(&dom);
    return rc;
}

static int f_read(struct source *src, const char *start, const char *end, source_emit emit, void *ctx) {
    struct source_files *s = (struct source_files *)src;
    int64_t from = 0, to = 0;
    if (off(start, &from) || off(end, &to)) return WERR_CORRUPT;
    char **files;
    int n;
    int rc = list_files(s, &files, &n);
    if (rc) return rc;
    if (to > n) {
        snprintf(s->base.err, sizeof s->base.err, "%s source `%s`: files disappeared from '%s' (%d left, offset %lld)",
                 s->json ? "json" : "csv", src->table->name, s->path, n, (long long)to);
        free_list(files, n);
        return WERR_RANGE;
    }
    struct filler f = {.s = s, .emit = emit, .ctx = ctx};
    struct buf data = {0};
    for (int64_t k = from; k < to && !rc; k++) {
        buf_clear(&data);
        if ((rc = read_all(files[k], &data))) {
            snprintf(s->base.err, sizeof s->base.err, "cannot read %s", files[k]);
            break;
        }
        const char *p = data.p ? (const char *)data.p : "";
        rc = s->json ? parse_json(&f, files[k], p, data.len) : parse_csv(&f, files[k], p, data.len);
    }
    if (!rc) rc = flush(&f);
    arena_reset(&s->arena);
    buf_free(&data);
    free_list(files, n);
    return rc;
}

static int f_clamp(struct source *src, const char *start, const char *end, const char *target, struct buf *out) {
    (void)src;
    (void)start;
    int64_t e, t;
    if (off(end, &e) || off(target, &t)) return -1;
    buf_printf(out, "{\"files\":%lld}", (long long)(e < t ? e : t));
    return 0;
}

static void f_close(struct source *src) {
    struct source_files *s = (struct source_files *)src;
    if (s->ts_pat) dt_pattern_free(s->ts_pat);
    if (s->date_pat) dt_pattern_free(s->date_pat);
    arena_free(&s->arena);
    free(s);
}

static const struct source_vt files_vt = {f_initial, f_ending, f_latest, f_read, f_close, f_clamp, NULL};

int source_files_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap) {
    struct source_files *s = calloc(1, sizeof *s);
    s->base.vt = &files_vt;
    s->base.table = t;
    s->base.schema = t->schema;
    s->json = !strcmp(t->format, "json");
    s->corrupt = -1;
    s->json_flags = JSON_SPARK_DEFAULTS;
    arena_init(&s->arena, 1 << 20);
    csv_opts_init(&s->csv, CSV_READ);
    const char *corrupt = "_corrupt_record";
    s->path = cat_opt(t, "path");
    if (!s->path) {
        snprintf(err, errcap, "the %s table `%s` needs a 'path' option", t->format, t->name);
        goto fail;
    }
    for (uint32_t i = 0; i < t->nopts; i++) {
        const char *k = t->opt_keys[i], *v = t->opt_vals[i];
        if (!strcasecmp(k, "mode")) {
            if (!strcasecmp(v, "PERMISSIVE")) s->mode = M_PERMISSIVE;
            else if (!strcasecmp(v, "DROPMALFORMED")) s->mode = M_DROP;
            else if (!strcasecmp(v, "FAILFAST")) s->mode = M_FAILFAST;
            else {
                snprintf(err, errcap, "unknown mode '%s' (PERMISSIVE, DROPMALFORMED or FAILFAST)", v);
                goto fail;
            }
        } else if (!strcasecmp(k, "columnNameOfCorruptRecord")) {
            corrupt = v;
        } else if (!strcasecmp(k, "timestampFormat") || !strcasecmp(k, "dateFormat")) {
            struct dt_pattern **pp = !strcasecmp(k, "timestampFormat") ? &s->ts_pat : &s->date_pat;
            char e[200];
            if (*pp) dt_pattern_free(*pp);
            *pp = NULL;
            if (dt_pattern_compile(v, strlen(v), pp, e, sizeof e)) {
                snprintf(err, errcap, "%s table `%s`: invalid %s '%s': %s", t->format, t->name, k, v, e);
                goto fail;
            }
            if (pp == &s->ts_pat) s->fmt.ts = *pp;
            else s->fmt.date = *pp;
        } else if (!strcasecmp(k, "maxFilesPerTrigger")) {
            s->max_files = strtoll(v, NULL, 10);
        } else if (!strcasecmp(k, "header")) {
            s->header = !strcasecmp(v, "true");
        } else if (!s->json) {
            char e[200];
            int rc = csv_opts_set(&s->csv, k, v, e, sizeof e);
            if (rc && rc != WERR_NOTFOUND) {
                snprintf(err, errcap, "csv table `%s`: %s", t->name, e);
                goto fail;
            }
        }
    }
    s->corrupt = ty_field_index(t->schema, corrupt);
    snprintf(s->base.desc, sizeof s->base.desc, "FileStreamSource[%s]", s->path);
    *out = &s->base;
    return 0;
fail:
    f_close(&s->base);
    return -1;
}
