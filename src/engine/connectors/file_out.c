/* file_out: see file_out.h. Output files stream through one codec
 * (none / zlib gzip / zstd) into a 64 KiB buffer that is written with
 * write(2); close finishes the codec frame and fsyncs file and directory.
 * Manifests are small text files read whole; the set of live files is
 * rebuilt from the latest .compact file plus the deltas after it, with a
 * hash map keyed by path for "delete" entries and set differences. */
#include "engine/connectors/file_out.h"
#include "common/fsdir.h"

#include "common/err.h"
#include "common/hmap.h"
#include "common/log.h"
#include "engine/formats/json.h"
#include "engine/runtime/checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define OBUF_SIZE (64 * 1024)
#define LOCAL_BLOCK_SIZE INT64_C(33554432) /* Hadoop's local file system block size */

/* ------------------------------------------------------------------ names */

int fout_codec_parse(const char *name, enum fout_codec *out) {
    if (!strcasecmp(name, "none") || !strcasecmp(name, "uncompressed")) { *out = FOUT_NONE; return 0; }
    if (!strcasecmp(name, "gzip")) { *out = FOUT_GZIP; return 0; }
    if (!strcasecmp(name, "zstd")) { *out = FOUT_ZSTD; return 0; }
    if (!strcasecmp(name, "bzip2") || !strcasecmp(name, "lz4") || !strcasecmp(name, "snappy") ||
        !strcasecmp(name, "deflate"))
        return WERR_UNSUPPORTED;
    return WERR_INVALID;
}

const char *fout_codec_suffix(enum fout_codec c) {
    return c == FOUT_GZIP ? ".gz" : c == FOUT_ZSTD ? ".zst" : "";
}

int fout_part_name(char *out, size_t cap, int split, const char *uuid, int file_no, const char *ext,
                   enum fout_codec codec) {
    int n = snprintf(out, cap, "part-%05d-%s-c%03d.%s%s", split, uuid, file_no, ext, fout_codec_suffix(codec));
    return n < 0 || (size_t)n >= cap ? WERR_TOOBIG : n;
}

static int hive_needs_escape(unsigned char c) {
    return c < 0x20 || c == 0x7f || strchr("\"#%'*/:=?\\{[]^", c) != NULL;
}

static void hive_escape(struct buf *out, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (hive_needs_escape(c) && c) {
            buf_putc(out, '%');
            buf_putc(out, (uint8_t)hex[c >> 4]);
            buf_putc(out, (uint8_t)hex[c & 15]);
        } else {
            buf_putc(out, c);
        }
    }
}

void fout_partition_dir(struct buf *out, const char *const *cols, const char *const *vals, int n) {
    for (int i = 0; i < n; i++) {
        hive_escape(out, cols[i]);
        buf_putc(out, '=');
        if (!vals[i] || !vals[i][0]) buf_append(out, FOUT_DEFAULT_PARTITION, strlen(FOUT_DEFAULT_PARTITION));
        else hive_escape(out, vals[i]);
        buf_putc(out, '/');
    }
}

static int hexv(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *fout_unescape(struct arena *a, const char *s, size_t n) {
    char *o = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexv(s[i + 1])) >= 0 && (l = hexv(s[i + 2])) >= 0) {
            o[k++] = (char)(h << 4 | l);
            i += 2;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = 0;
    return o;
}

/* file: URI of an absolute path: "file://" + path with bytes outside
 * RFC 3986's unreserved, sub-delims, ':', '@' and '/' percent-encoded. */
static void path_to_uri(struct buf *out, const char *path) {
    static const char hex[] = "0123456789ABCDEF";
    buf_append(out, "file://", 7);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~/!$&'()*+,;=:@", c)) {
            buf_putc(out, c);
        } else {
            buf_putc(out, '%');
            buf_putc(out, (uint8_t)hex[c >> 4]);
            buf_putc(out, (uint8_t)hex[c & 15]);
        }
    }
}

/* "file:/a", "file:///a", "file://host/a" -> "/a" (percent-decoded). */
static char *uri_to_path(struct arena *a, const char *uri) {
    const char *p = uri;
    if (!strncmp(p, "file:", 5)) {
        p += 5;
        if (p[0] == '/' && p[1] == '/') {
            p += 2;
            while (*p && *p != '/') p++; /* authority */
        }
    }
    size_t n = strlen(p);
    char *o = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (p[i] == '%' && i + 2 < n && (h = hexv(p[i + 1])) >= 0 && (l = hexv(p[i + 2])) >= 0) {
            o[k++] = (char)(h << 4 | l);
            i += 2;
        } else {
            o[k++] = p[i];
        }
    }
    o[k] = 0;
    return o;
}

/* ------------------------------------------------------------------ sink */

struct fout_sink {
    char *path, *meta;
    int compact;
};

int fout_sink_open(const char *path, int compact_interval, struct fout_sink **out) {
    if (compact_interval < 0) return WERR_INVALID;
    int rc = fs_mkdirs(path);
    if (rc) return rc;
    char abs[PATH_MAX];
    if (!realpath(path, abs)) return WERR_IO;
    struct fout_sink *s = calloc(1, sizeof *s);
    if (!s) return WERR_NOMEM;
    s->path = strdup(abs);
    s->compact = compact_interval;
    size_t ml = strlen(abs) + sizeof "/_spark_metadata";
    s->meta = malloc(ml);
    if (!s->path || !s->meta) { fout_sink_close(s); return WERR_NOMEM; }
    snprintf(s->meta, ml, "%s/_spark_metadata", abs);
    if (mkdir(s->meta, 0755) && errno != EEXIST) { fout_sink_close(s); return WERR_IO; }
    *out = s;
    return 0;
}

void fout_sink_close(struct fout_sink *s) {
    if (!s) return;
    free(s->path);
    free(s->meta);
    free(s);
}

const char *fout_sink_path(const struct fout_sink *s) { return s->path; }

/* ------------------------------------------------------------------ files */

struct fout_file {
    int fd;
    enum fout_codec codec;
    z_stream z;
    ZSTD_CStream *zs;
    uint8_t obuf[OBUF_SIZE];
    size_t olen;
    uint64_t in_bytes;
    char path[PATH_MAX];
    char dir[PATH_MAX];
};

static int flush_obuf(struct fout_file *f) {
    size_t off = 0;
    while (off < f->olen) {
        ssize_t w = write(f->fd, f->obuf + off, f->olen - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return WERR_IO;
        }
        off += (size_t)w;
    }
    f->olen = 0;
    return 0;
}

int fout_file_open(struct fout_sink *s, const char *partition_dir, const char *name, enum fout_codec codec,
                   int level, struct fout_file **out) {
    struct fout_file *f = calloc(1, sizeof *f);
    if (!f) return WERR_NOMEM;
    f->fd = -1;
    f->codec = codec;
    const char *pd = partition_dir ? partition_dir : "";
    size_t pl = strlen(pd);
    int n = snprintf(f->dir, sizeof f->dir, "%s/%.*s", s->path, (int)(pl && pd[pl - 1] == '/' ? pl - 1 : pl), pd);
    if ((size_t)n >= sizeof f->dir) { free(f); return WERR_TOOBIG; }
    if (pl == 0) f->dir[strlen(f->dir) - 1] = 0; /* no trailing slash */
    n = snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    if ((size_t)n >= sizeof f->path) { free(f); return WERR_TOOBIG; }
    int rc = fs_mkdirs(f->dir);
    if (rc) { free(f); return rc; }
    f->fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        rc = errno == EEXIST ? WERR_EXISTS : WERR_IO;
        free(f);
        return rc;
    }
    if (codec == FOUT_GZIP) {
        if (deflateInit2(&f->z, level ? level : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) goto fail;
    } else if (codec == FOUT_ZSTD) {
        f->zs = ZSTD_createCStream();
        if (!f->zs || ZSTD_isError(ZSTD_CCtx_setParameter(f->zs, ZSTD_c_compressionLevel, level ? level : 3)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(f->zs, ZSTD_c_checksumFlag, 1)))
            goto fail;
    }
    *out = f;
    return 0;
fail:
    if (f->zs) ZSTD_freeCStream(f->zs);
    close(f->fd);
    unlink(f->path);
    free(f);
    return WERR_NOMEM;
}

/* Runs the codec over in[0..n) (finish: end the frame). */
static int pump(struct fout_file *f, const void *in, size_t n, int finish) {
    if (f->codec == FOUT_NONE) {
        if (n >= OBUF_SIZE) {
            int rc = flush_obuf(f);
            if (rc) return rc;
            size_t off = 0;
            while (off < n) {
                ssize_t w = write(f->fd, (const char *)in + off, n - off);
                if (w < 0) {
                    if (errno == EINTR) continue;
                    return WERR_IO;
                }
                off += (size_t)w;
            }
            return 0;
        }
        if (f->olen + n > OBUF_SIZE) {
            int rc = flush_obuf(f);
            if (rc) return rc;
        }
        memcpy(f->obuf + f->olen, in, n);
        f->olen += n;
        return finish ? flush_obuf(f) : 0;
    }
    if (f->codec == FOUT_GZIP) {
        f->z.next_in = (Bytef *)(uintptr_t)in;
        f->z.avail_in = (uInt)n;
        for (;;) {
            f->z.next_out = f->obuf + f->olen;
            f->z.avail_out = (uInt)(OBUF_SIZE - f->olen);
            int zr = deflate(&f->z, finish ? Z_FINISH : Z_NO_FLUSH);
            if (zr == Z_STREAM_ERROR) return WERR_IO;
            f->olen = OBUF_SIZE - f->z.avail_out;
            if (f->olen == OBUF_SIZE || (finish && zr == Z_STREAM_END)) {
                int rc = flush_obuf(f);
                if (rc) return rc;
            }
            if (finish ? zr == Z_STREAM_END : f->z.avail_in == 0) return 0;
        }
    }
    ZSTD_inBuffer ib = {in, n, 0};
    for (;;) {
        ZSTD_outBuffer ob = {f->obuf + f->olen, OBUF_SIZE - f->olen, 0};
        size_t r = ZSTD_compressStream2(f->zs, &ob, &ib, finish ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(r)) return WERR_IO;
        f->olen += ob.pos;
        if (f->olen == OBUF_SIZE || (finish && r == 0)) {
            int rc = flush_obuf(f);
            if (rc) return rc;
        }
        if (finish ? r == 0 : ib.pos == ib.size) return 0;
    }
}

int fout_file_write(struct fout_file *f, const void *p, size_t n) {
    f->in_bytes += n;
    while (n > 0) { /* zlib counts in uInt */
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        int rc = pump(f, p, chunk, 0);
        if (rc) return rc;
        p = (const char *)p + chunk;
        n -= chunk;
    }
    return 0;
}

uint64_t fout_file_bytes_in(const struct fout_file *f) { return f->in_bytes; }

static void file_free(struct fout_file *f) {
    if (f->codec == FOUT_GZIP) deflateEnd(&f->z);
    if (f->zs) ZSTD_freeCStream(f->zs);
    if (f->fd >= 0) close(f->fd);
    free(f);
}

void fout_file_abort(struct fout_file *f) {
    if (!f) return;
    unlink(f->path);
    file_free(f);
}

int fout_file_close(struct fout_file *f, struct fout_status *st) {
    int rc = pump(f, "", 0, 1);
    if (!rc && fsync(f->fd)) rc = WERR_IO;
    struct stat sb;
    if (!rc && fstat(f->fd, &sb)) rc = WERR_IO;
    if (!rc && close(f->fd)) rc = WERR_IO;
    f->fd = -1;
    if (!rc) {
        int dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd)) rc = WERR_IO;
        if (dfd >= 0) close(dfd);
    }
    if (rc) {
        log_error("file sink: writing %s failed: %s", f->path, strerror(errno));
        fout_file_abort(f);
        return rc;
    }
    if (st) {
        memcpy(st->path, f->path, sizeof st->path);
        st->size = (int64_t)sb.st_size;
        st->mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
    }
    file_free(f);
    return 0;
}

/* ------------------------------------------------------------------ manifests */

struct evec {
    struct fout_entry *v;
    int n, cap;
};

static void evec_push(struct evec *e, const struct fout_entry *x) {
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->v = realloc(e->v, (size_t)e->cap * sizeof *e->v);
        if (!e->v) { fprintf(stderr, "file sink: out of memory\n"); abort(); }
    }
    e->v[e->n++] = *x;
}

static int is_compact_batch(const struct fout_sink *s, int64_t b) { return s->compact > 0 && (b + 1) % s->compact == 0; }

/* Reads one manifest file (name "N" or "N.compact") and appends its entries. */
static int read_manifest(const struct fout_sink *s, const char *name, struct arena *a, struct evec *out) {
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", s->meta, name) >= sizeof path) return WERR_TOOBIG;
    char *data;
    size_t len;
    int rc = ckpt_read_file(path, a, &data, &len);
    if (rc) return rc;
    char *line = data, *end = data + len;
    char *nl = memchr(line, '\n', len);
    size_t l0 = nl ? (size_t)(nl - line) : len;
    if (l0 != 2 || memcmp(line, "v1", 2)) {
        log_error("file sink: manifest %s has an unknown version line", path);
        return WERR_CORRUPT;
    }
    line = nl ? nl + 1 : end;
    while (line < end) {
        nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        if (ll) {
            struct json_value *v;
            struct json_error e;
            const struct json_value *p, *sz, *mt, *act;
            if (json_parse(a, line, ll, JSON_STRICT, &v, &e) || !(p = json_get(v, "path", 4)) || p->type != JSON_STRING) {
                log_error("file sink: manifest %s: bad entry", path);
                return WERR_CORRUPT;
            }
            struct fout_entry x = {.path = p->u.str};
            x.fs_path = uri_to_path(a, x.path);
            if ((sz = json_get(v, "size", 4)) && sz->type == JSON_NUMBER) x.size = sz->u.num.i;
            if ((mt = json_get(v, "modificationTime", 16)) && mt->type == JSON_NUMBER) x.mtime_ms = mt->u.num.i;
            if ((act = json_get(v, "action", 6)) && act->type == JSON_STRING && !strcmp(act->u.str, "delete"))
                x.is_delete = 1;
            evec_push(out, &x);
        }
        line = nl ? nl + 1 : end;
    }
    return 0;
}

static int parse_manifest_name(const char *n, int64_t *b, int *compact) {
    int64_t x = 0;
    const char *p = n;
    if (!*p) return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (x > (INT64_MAX - 9) / 10) return -1;
        x = x * 10 + (*p - '0');
    }
    if (p == n) return -1;
    if (*p == 0) *compact = 0;
    else if (!strcmp(p, ".compact")) *compact = 1;
    else return -1;
    *b = x;
    return 0;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Lists manifests: ids ascending (heap array, caller frees) plus, per id,
 * whether it is a compact file. */
static int list_manifests(const struct fout_sink *s, int64_t **ids, uint8_t **compact, int *n) {
    DIR *d = opendir(s->meta);
    if (!d) return WERR_IO;
    int cap = 0, cnt = 0;
    int64_t *v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        int64_t b;
        int c;
        if (parse_manifest_name(e->d_name, &b, &c)) continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 64;
            v = realloc(v, (size_t)cap * sizeof *v);
            if (!v) { closedir(d); return WERR_NOMEM; }
        }
        v[cnt++] = b * 2 + c; /* encode the kind in the low bit for one sort */
    }
    closedir(d);
    if (cnt) qsort(v, (size_t)cnt, sizeof *v, cmp_i64);
    uint8_t *cv = malloc((size_t)(cnt ? cnt : 1));
    if (!cv) { free(v); return WERR_NOMEM; }
    int k = 0;
    for (int i = 0; i < cnt; i++) {
        int64_t b = v[i] >> 1;
        if (k && v[k - 1] == b) { cv[k - 1] |= (uint8_t)(v[i] & 1); continue; } /* both forms: keep one */
        cv[k] = (uint8_t)(v[i] & 1);
        v[k++] = b;
    }
    *ids = v;
    *compact = cv;
    *n = k;
    return 0;
}

/* Live entries of all batches <= upto. */
static int collect_upto(const struct fout_sink *s, int64_t upto, struct arena *a, struct evec *out) {
    int64_t *ids;
    uint8_t *cp;
    int n;
    int rc = list_manifests(s, &ids, &cp, &n);
    if (rc) return rc;
    int start = 0;
    for (int i = 0; i < n && ids[i] <= upto; i++)
        if (cp[i]) start = i;
    struct evec raw = {0};
    char name[48];
    for (int i = start; !rc && i < n && ids[i] <= upto; i++) {
        snprintf(name, sizeof name, "%" PRId64 "%s", ids[i], cp[i] ? ".compact" : "");
        rc = read_manifest(s, name, a, &raw);
    }
    free(ids);
    free(cp);
    if (rc) { free(raw.v); return rc; }
    /* apply deletes: a later "delete" removes earlier adds of the same path */
    struct hmap dead = {0};
    for (int i = raw.n - 1; i >= 0; i--) {
        struct fout_entry *x = &raw.v[i];
        size_t pl = strlen(x->path);
        if (x->is_delete) { hmap_put(&dead, x->path, pl, x); continue; }
        if (hmap_get(&dead, x->path, pl)) continue;
        evec_push(out, x);
    }
    hmap_free(&dead);
    free(raw.v);
    /* restore commit order (we walked backwards) */
    for (int i = 0, j = out->n - 1; i < j; i++, j--) {
        struct fout_entry t = out->v[i];
        out->v[i] = out->v[j];
        out->v[j] = t;
    }
    return 0;
}

static void to_arena(struct arena *a, struct evec *e, struct fout_entry **out, int *n) {
    *out = arena_alloc(a, (size_t)(e->n ? e->n : 1) * sizeof **out);
    if (e->n) memcpy(*out, e->v, (size_t)e->n * sizeof **out);
    *n = e->n;
    free(e->v);
}

int fout_manifest_has(const struct fout_sink *s, int64_t batch) {
    /* Spark's rule (FileStreamSink.addBatch): every batch id up to the
     * latest manifest is committed. It also holds after fout_manifest_purge
     * deleted the older manifests. */
    int64_t latest;
    int rc = fout_manifest_latest(s, &latest);
    if (rc == WERR_NOTFOUND) return 0;
    if (rc) return rc;
    return batch <= latest;
}

int fout_manifest_commit(struct fout_sink *s, int64_t batch, const struct fout_status *files, int n) {
    if (batch < 0 || n < 0) return WERR_INVALID;
    int rc = fout_manifest_has(s, batch);
    if (rc) return rc > 0 ? WERR_EXISTS : rc;
    struct buf b = {0};
    buf_append(&b, "v1", 2);
    struct arena a;
    arena_init(&a, 4096);
    if (is_compact_batch(s, batch) && batch > 0) {
        struct evec prev = {0};
        rc = collect_upto(s, batch - 1, &a, &prev);
        for (int i = 0; !rc && i < prev.n; i++) {
            buf_append(&b, "\n{\"path\":", 9);
            json_write_string(&b, prev.v[i].path, strlen(prev.v[i].path));
            buf_printf(&b, ",\"size\":%" PRId64 ",\"isDir\":false,\"modificationTime\":%" PRId64
                           ",\"blockReplication\":1,\"blockSize\":%" PRId64 ",\"action\":\"add\"}",
                       prev.v[i].size, prev.v[i].mtime_ms, LOCAL_BLOCK_SIZE);
        }
        free(prev.v);
    }
    struct buf uri = {0};
    for (int i = 0; !rc && i < n; i++) {
        buf_clear(&uri);
        path_to_uri(&uri, files[i].path);
        buf_append(&b, "\n{\"path\":", 9);
        json_write_string(&b, (const char *)uri.p, uri.len);
        buf_printf(&b, ",\"size\":%" PRId64 ",\"isDir\":false,\"modificationTime\":%" PRId64
                       ",\"blockReplication\":1,\"blockSize\":%" PRId64 ",\"action\":\"add\"}",
                   files[i].size, files[i].mtime_ms, LOCAL_BLOCK_SIZE);
    }
    buf_free(&uri);
    if (!rc) {
        char name[48];
        snprintf(name, sizeof name, "%" PRId64 "%s", batch, is_compact_batch(s, batch) ? ".compact" : "");
        rc = ckpt_write_atomic(s->meta, name, b.p, b.len, 1);
    }
    arena_free(&a);
    buf_free(&b);
    return rc;
}

int fout_manifest_batches(const struct fout_sink *s, struct arena *a, int64_t **out, int *n) {
    int64_t *ids;
    uint8_t *cp;
    int rc = list_manifests(s, &ids, &cp, n);
    if (rc) return rc;
    *out = arena_alloc(a, (size_t)(*n ? *n : 1) * sizeof **out);
    if (*n) memcpy(*out, ids, (size_t)*n * sizeof *ids);
    free(ids);
    free(cp);
    return 0;
}

int fout_manifest_latest(const struct fout_sink *s, int64_t *batch) {
    int64_t *ids;
    uint8_t *cp;
    int n;
    int rc = list_manifests(s, &ids, &cp, &n);
    if (rc) return rc;
    if (n) *batch = ids[n - 1];
    free(ids);
    free(cp);
    return n ? 0 : WERR_NOTFOUND;
}

int fout_manifest_all_files(const struct fout_sink *s, struct arena *a, struct fout_entry **out, int *n) {
    struct evec e = {0};
    int rc = collect_upto(s, INT64_MAX, a, &e);
    if (rc) { free(e.v); return rc; }
    to_arena(a, &e, out, n);
    return 0;
}

int fout_manifest_batch_files(const struct fout_sink *s, int64_t batch, struct arena *a, struct fout_entry **out,
                              int *n) {
    char name[48];
    struct evec e = {0};
    int rc;
    snprintf(name, sizeof name, "%" PRId64, batch);
    rc = read_manifest(s, name, a, &e);
    if (rc == WERR_NOTFOUND) {
        /* a compact batch: its entries minus everything committed before */
        snprintf(name, sizeof name, "%" PRId64 ".compact", batch);
        struct evec all = {0}, before = {0};
        rc = read_manifest(s, name, a, &all);
        if (!rc && batch > 0) rc = collect_upto(s, batch - 1, a, &before);
        if (!rc) {
            struct hmap seen = {0};
            for (int i = 0; i < before.n; i++) hmap_put(&seen, before.v[i].path, strlen(before.v[i].path), &before.v[i]);
            for (int i = 0; i < all.n; i++)
                if (!all.v[i].is_delete && !hmap_get(&seen, all.v[i].path, strlen(all.v[i].path))) evec_push(&e, &all.v[i]);
            hmap_free(&seen);
        }
        free(all.v);
        free(before.v);
    }
    if (rc) { free(e.v); return rc; }
    to_arena(a, &e, out, n);
    return 0;
}

int fout_manifest_purge(struct fout_sink *s) {
    int64_t *ids;
    uint8_t *cp;
    int n;
    int rc = list_manifests(s, &ids, &cp, &n);
    if (rc) return rc;
    int last_compact = -1;
    for (int i = 0; i < n; i++)
        if (cp[i]) last_compact = i;
    char p[PATH_MAX];
    for (int i = 0; i < last_compact; i++) {
        snprintf(p, sizeof p, "%s/%" PRId64 "%s", s->meta, ids[i], cp[i] ? ".compact" : "");
        if (unlink(p) && errno != ENOENT) rc = WERR_IO;
    }
    free(ids);
    free(cp);
    return rc;
}

/* ------------------------------------------------------------------ orphans */

static void walk(const char *dir, struct arena *a, const struct hmap *live, char ***v, int *n, int *cap) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[PATH_MAX];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue; /* hidden, _spark_metadata, _SUCCESS */
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= sizeof p) continue;
        struct stat st;
        if (lstat(p, &st)) continue;
        if (S_ISDIR(st.st_mode)) {
            walk(p, a, live, v, n, cap);
        } else if (S_ISREG(st.st_mode) && !hmap_get(live, p, strlen(p))) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 16;
                *v = realloc(*v, (size_t)*cap * sizeof **v);
                if (!*v) { fprintf(stderr, "file sink: out of memory\n"); abort(); }
            }
            (*v)[(*n)++] = arena_strndup(a, p, strlen(p));
        }
    }
    closedir(d);
}

int fout_orphans(const struct fout_sink *s, struct arena *a, char ***paths, int *n) {
    struct fout_entry *all;
    int na;
    /* every path ever listed counts as known, deleted ones included */
    struct evec every = {0};
    int64_t *ids;
    uint8_t *cp;
    int nm;
    int rc = list_manifests(s, &ids, &cp, &nm);
    if (rc) return rc;
    char name[48];
    for (int i = 0; !rc && i < nm; i++) {
        snprintf(name, sizeof name, "%" PRId64 "%s", ids[i], cp[i] ? ".compact" : "");
        rc = read_manifest(s, name, a, &every);
    }
    free(ids);
    free(cp);
    if (rc) { free(every.v); return rc; }
    to_arena(a, &every, &all, &na);
    struct hmap live = {0};
    for (int i = 0; i < na; i++) hmap_put(&live, all[i].fs_path, strlen(all[i].fs_path), &all[i]);
    char **v = NULL;
    int cnt = 0, cap = 0;
    walk(s->path, a, &live, &v, &cnt, &cap);
    hmap_free(&live);
    *paths = arena_alloc(a, (size_t)(cnt ? cnt : 1) * sizeof **paths);
    if (cnt) memcpy(*paths, v, (size_t)cnt * sizeof *v);
    *n = cnt;
    free(v);
    return 0;
}
