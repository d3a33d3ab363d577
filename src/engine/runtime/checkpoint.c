/* checkpoint: see checkpoint.h. Files are small (a few hundred bytes), so
 * every read is a whole-file read into an arena and every write builds the
 * whole text first and hands it to ckpt_write_atomic. Batch ids are the
 * decimal file names; anything else in offsets/ and commits/ is ignored. */
#include "engine/runtime/checkpoint.h"
#include "common/fsdir.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/uuid.h"
#include "engine/formats/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ckpt {
    char *dir;
    char id[UUID_STR_LEN + 1];
};

/* ------------------------------------------------------------------ files */

static int fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return WERR_IO;
    int rc = fsync(fd) ? WERR_IO : 0;
    close(fd);
    return rc;
}

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return WERR_IO;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int ckpt_write_atomic(const char *dir, const char *name, const void *data, size_t len, int noreplace) {
    char id[UUID_STR_LEN + 1];
    if (uuid_v4_str(id)) return WERR_IO;
    char tmp[PATH_MAX], dst[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/.%s.%s.tmp", dir, name, id) >= sizeof tmp ||
        (size_t)snprintf(dst, sizeof dst, "%s/%s", dir, name) >= sizeof dst)
        return WERR_TOOBIG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return WERR_IO;
    int rc = write_all(fd, data, len);
    if (!rc && fsync(fd)) rc = WERR_IO;
    if (close(fd) && !rc) rc = WERR_IO;
    if (rc) goto fail;
    if (noreplace) {
        /* renameat2(RENAME_NOREPLACE) where the file system has it; link +
         * unlink (also atomic and non-replacing) where it does not. */
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE)) {
            if (errno == EEXIST) { rc = WERR_EXISTS; goto fail; }
            if (errno != EINVAL && errno != ENOSYS) { rc = WERR_IO; goto fail; }
            if (link(tmp, dst)) { rc = errno == EEXIST ? WERR_EXISTS : WERR_IO; goto fail; }
            unlink(tmp);
        }
    } else if (rename(tmp, dst)) {
        rc = WERR_IO;
        goto fail;
    }
    return fsync_dir(dir);
fail: {
    int e = errno;
    unlink(tmp);
    errno = e;
    return rc;
}
}

int ckpt_read_file(const char *path, struct arena *a, char **data, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? WERR_NOTFOUND : WERR_IO;
    struct stat st;
    if (fstat(fd, &st)) { close(fd); return WERR_IO; }
    size_t cap = (size_t)st.st_size, n = 0;
    char *p = arena_alloc(a, cap + 1);
    while (n < cap) {
        ssize_t r = read(fd, p + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { close(fd); return WERR_IO; }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    p[n] = 0;
    *data = p;
    *len = n;
    return 0;
}

static int sub(const struct ckpt *c, char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int sub(const struct ckpt *c, char *out, size_t cap, const char *fmt, ...) {
    int n = snprintf(out, cap, "%s/", c->dir);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(out + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
    return (size_t)(n + m) >= cap ? WERR_TOOBIG : 0;
}

/* Removes ".*.tmp" files left by a crash in one directory. */
static void remove_tmp(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[PATH_MAX];
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' && l > 5 && !strcmp(e->d_name + l - 4, ".tmp")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (!unlink(p)) log_info("checkpoint: removed leftover temporary file %s", p);
        }
    }
    closedir(d);
}

/* ------------------------------------------------------------------ open */

int ckpt_open(const char *dir, struct ckpt **out, int *created) {
    struct ckpt *c = calloc(1, sizeof *c);
    if (!c) return WERR_NOMEM;
    c->dir = strdup(dir);
    if (!c->dir) { free(c); return WERR_NOMEM; }
    size_t dl = strlen(c->dir);
    while (dl > 1 && c->dir[dl - 1] == '/') c->dir[--dl] = 0;
    int rc = fs_mkdirs(c->dir);
    char p[PATH_MAX];
    static const char *const subs[] = {"offsets", "commits", "sources", "state"};
    for (size_t i = 0; !rc && i < sizeof subs / sizeof subs[0]; i++) {
        rc = sub(c, p, sizeof p, "%s", subs[i]);
        if (!rc && mkdir(p, 0755) && errno != EEXIST) rc = WERR_IO;
        if (!rc) remove_tmp(p);
    }
    if (rc) goto fail;
    remove_tmp(c->dir);
    struct arena a;
    arena_init(&a, 1024);
    char *data;
    size_t len;
    sub(c, p, sizeof p, "metadata");
    rc = ckpt_read_file(p, &a, &data, &len);
    if (rc == WERR_NOTFOUND) {
        if ((rc = uuid_v4_str(c->id))) { arena_free(&a); goto fail; }
        char meta[64];
        int n = snprintf(meta, sizeof meta, "{\"id\":\"%s\"}", c->id);
        rc = ckpt_write_atomic(c->dir, "metadata", meta, (size_t)n, 1);
        if (rc == 0) rc = fsync_dir(c->dir); /* subdirectories too */
        if (created) *created = 1;
    } else if (rc == 0) {
        struct json_value *v;
        struct json_error e;
        const struct json_value *id;
        if (json_parse(&a, data, len, JSON_STRICT, &v, &e) || !(id = json_get(v, "id", 2)) || id->type != JSON_STRING ||
            id->len != UUID_STR_LEN) {
            log_error("checkpoint: %s is not a valid metadata file", p);
            rc = WERR_CORRUPT;
        } else {
            memcpy(c->id, id->u.str, UUID_STR_LEN + 1);
        }
        if (created) *created = 0;
    }
    arena_free(&a);
    if (rc) goto fail;
    *out = c;
    return 0;
fail:
    free(c->dir);
    free(c);
    return rc;
}

void ckpt_close(struct ckpt *c) {
    if (!c) return;
    free(c->dir);
    free(c);
}

const char *ckpt_id(const struct ckpt *c) { return c->id; }
const char *ckpt_dir(const struct ckpt *c) { return c->dir; }

/* ------------------------------------------------------------------ listing */

static int parse_batch_name(const char *s, int64_t *v) {
    if (!*s) return -1;
    int64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (INT64_MAX - 9) / 10) return -1;
        x = x * 10 + (*s - '0');
    }
    *v = x;
    return 0;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Batch ids in c->dir/<what>, ascending; ids may be NULL to get only the max. */
static int list_dir(const struct ckpt *c, const char *what, struct arena *a, int64_t **ids, int *n, int64_t *max) {
    char p[PATH_MAX];
    if (sub(c, p, sizeof p, "%s", what)) return WERR_TOOBIG;
    DIR *d = opendir(p);
    if (!d) return errno == ENOENT ? WERR_NOTFOUND : WERR_IO;
    int64_t *v = NULL;
    int cnt = 0, cap = 0;
    int64_t best = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        int64_t b;
        if (parse_batch_name(e->d_name, &b)) continue;
        if (b > best) best = b;
        if (ids) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 64;
                int64_t *nv = realloc(v, (size_t)cap * sizeof *nv);
                if (!nv) { free(v); closedir(d); return WERR_NOMEM; }
                v = nv;
            }
            v[cnt++] = b;
        }
    }
    closedir(d);
    if (ids) {
        if (cnt) qsort(v, (size_t)cnt, sizeof *v, cmp_i64);
        *ids = arena_alloc(a, (size_t)(cnt ? cnt : 1) * sizeof **ids);
        if (cnt) memcpy(*ids, v, (size_t)cnt * sizeof *v);
        *n = cnt;
        free(v);
    }
    if (max) {
        if (best < 0) return WERR_NOTFOUND;
        *max = best;
    }
    return 0;
}

int ckpt_latest_offsets(const struct ckpt *c, int64_t *batch) { return list_dir(c, "offsets", NULL, NULL, NULL, batch); }
int ckpt_latest_commit(const struct ckpt *c, int64_t *batch) { return list_dir(c, "commits", NULL, NULL, NULL, batch); }
int ckpt_list_offsets(const struct ckpt *c, struct arena *a, int64_t **ids, int *n) {
    return list_dir(c, "offsets", a, ids, n, NULL);
}
int ckpt_list_commits(const struct ckpt *c, struct arena *a, int64_t **ids, int *n) {
    return list_dir(c, "commits", a, ids, n, NULL);
}

/* ------------------------------------------------------------------ offsets */

int ckpt_write_offsets(struct ckpt *c, int64_t batch, const struct ckpt_offsets *o) {
    if (batch < 0) return WERR_INVALID;
    struct buf b = {0};
    buf_printf(&b, "v1\n{\"batchWatermarkMs\":%" PRId64 ",\"batchTimestampMs\":%" PRId64 ",\"conf\":{",
               o->watermark_ms, o->timestamp_ms);
    for (int i = 0; i < o->nconf; i++) {
        if (i) buf_putc(&b, ',');
        json_write_string(&b, o->conf_keys[i], strlen(o->conf_keys[i]));
        buf_putc(&b, ':');
        json_write_string(&b, o->conf_vals[i], strlen(o->conf_vals[i]));
    }
    buf_append(&b, "}}", 2);
    int rc = 0;
    for (int i = 0; i < o->nsources; i++) {
        const char *s = o->sources[i] ? o->sources[i] : "-";
        if (strchr(s, '\n') || !*s) { rc = WERR_INVALID; break; }
        buf_putc(&b, '\n');
        buf_append(&b, s, strlen(s));
    }
    char dir[PATH_MAX], name[32];
    if (!rc) rc = sub(c, dir, sizeof dir, "offsets");
    snprintf(name, sizeof name, "%" PRId64, batch);
    if (!rc) rc = ckpt_write_atomic(dir, name, b.p, b.len, 1);
    buf_free(&b);
    return rc;
}

/* Splits text into lines in place (accepting a trailing newline). */
static int split_lines(char *s, size_t n, char **lines, int max) {
    int k = 0;
    char *p = s, *end = s + n;
    if (n && end[-1] == '\n') *--end = 0;
    while (p <= end && k < max) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        lines[k++] = p;
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    return k;
}

static int check_version(const char *line, const char *path) {
    if (line[0] != 'v' || !line[1]) goto bad;
    char *endp;
    long v = strtol(line + 1, &endp, 10);
    if (*endp || v < 1) goto bad;
    if (v > 1) {
        log_error("checkpoint: %s was written by a newer version (%s); this build reads v1", path, line);
        return WERR_UNSUPPORTED;
    }
    return 0;
bad:
    log_error("checkpoint: %s has a malformed version line", path);
    return WERR_CORRUPT;
}

static int json_i64(const struct json_value *obj, const char *key, int64_t *out) {
    const struct json_value *v = json_get(obj, key, strlen(key));
    if (!v || v->type != JSON_NUMBER || !v->is_int) return -1;
    *out = v->u.num.i;
    return 0;
}

int ckpt_read_offsets(const struct ckpt *c, int64_t batch, struct arena *a, struct ckpt_offsets *o) {
    char path[PATH_MAX];
    if (sub(c, path, sizeof path, "offsets/%" PRId64, batch)) return WERR_TOOBIG;
    char *data;
    size_t len;
    int rc = ckpt_read_file(path, a, &data, &len);
    if (rc) return rc;
    size_t nl = 1;
    for (size_t i = 0; i < len; i++) nl += data[i] == '\n';
    char **lines = arena_alloc(a, nl * sizeof *lines);
    int n = split_lines(data, len, lines, (int)nl);
    if (n < 2) { log_error("checkpoint: %s is truncated", path); return WERR_CORRUPT; }
    if ((rc = check_version(lines[0], path))) return rc;
    struct json_value *meta;
    struct json_error e;
    memset(o, 0, sizeof *o);
    if (json_parse(a, lines[1], strlen(lines[1]), JSON_STRICT, &meta, &e) || meta->type != JSON_OBJECT) {
        log_error("checkpoint: %s: bad metadata line at byte %zu: %s", path, e.offset, e.msg);
        return WERR_CORRUPT;
    }
    if (json_i64(meta, "batchWatermarkMs", &o->watermark_ms) || json_i64(meta, "batchTimestampMs", &o->timestamp_ms)) {
        log_error("checkpoint: %s: metadata lacks batchWatermarkMs/batchTimestampMs", path);
        return WERR_CORRUPT;
    }
    const struct json_value *conf = json_get(meta, "conf", 4);
    if (conf && conf->type == JSON_OBJECT) {
        o->conf_keys = arena_alloc(a, (conf->len + 1) * sizeof(char *));
        o->conf_vals = arena_alloc(a, (conf->len + 1) * sizeof(char *));
        for (uint32_t i = 0; i < conf->len; i++) {
            const struct json_member *m = &conf->u.members[i];
            o->conf_keys[o->nconf] = m->key;
            if (m->value.type == JSON_STRING) {
                o->conf_vals[o->nconf] = m->value.u.str;
            } else { /* Spark writes strings; keep anything else as its JSON text */
                struct buf t = {0};
                json_write_value(&t, &m->value);
                o->conf_vals[o->nconf] = arena_strndup(a, (const char *)t.p, t.len);
                buf_free(&t);
            }
            o->nconf++;
        }
    }
    o->nsources = n - 2;
    o->sources = (const char **)(lines + 2);
    return 0;
}

/* ------------------------------------------------------------------ commits */

int ckpt_write_commit(struct ckpt *c, int64_t batch, int64_t next_watermark_ms) {
    if (batch < 0) return WERR_INVALID;
    char text[96], dir[PATH_MAX], name[32];
    int n = snprintf(text, sizeof text, "v1\n{\"nextBatchWatermarkMs\":%" PRId64 "}", next_watermark_ms);
    if (sub(c, dir, sizeof dir, "commits")) return WERR_TOOBIG;
    snprintf(name, sizeof name, "%" PRId64, batch);
    return ckpt_write_atomic(dir, name, text, (size_t)n, 1);
}

int ckpt_read_commit(const struct ckpt *c, int64_t batch, int64_t *next_watermark_ms) {
    char path[PATH_MAX];
    if (sub(c, path, sizeof path, "commits/%" PRId64, batch)) return WERR_TOOBIG;
    struct arena a;
    arena_init(&a, 512);
    char *data;
    size_t len;
    int rc = ckpt_read_file(path, &a, &data, &len);
    char *lines[3];
    int n = rc ? 0 : split_lines(data, len, lines, 3);
    if (!rc && n < 2) { log_error("checkpoint: %s is truncated", path); rc = WERR_CORRUPT; }
    if (!rc) rc = check_version(lines[0], path);
    if (!rc) {
        struct json_value *v;
        struct json_error e;
        if (json_parse(&a, lines[1], strlen(lines[1]), JSON_STRICT, &v, &e) ||
            json_i64(v, "nextBatchWatermarkMs", next_watermark_ms)) {
            log_error("checkpoint: %s: bad commit entry", path);
            rc = WERR_CORRUPT;
        }
    }
    arena_free(&a);
    return rc;
}

/* ------------------------------------------------------------------ sources */

int ckpt_write_source_file(struct ckpt *c, int src, int64_t batch, const char *text, size_t n) {
    char dir[PATH_MAX], name[32];
    if (src < 0 || batch < 0) return WERR_INVALID;
    if (sub(c, dir, sizeof dir, "sources/%d", src)) return WERR_TOOBIG;
    if (mkdir(dir, 0755) && errno != EEXIST) return WERR_IO;
    struct buf b = {0};
    buf_append(&b, "v1\n", 3);
    buf_append(&b, text, n);
    snprintf(name, sizeof name, "%" PRId64, batch);
    int rc = ckpt_write_atomic(dir, name, b.p, b.len, 0);
    buf_free(&b);
    return rc;
}

int ckpt_read_source_file(const struct ckpt *c, int src, int64_t batch, struct arena *a, char **text, size_t *n) {
    char path[PATH_MAX];
    if (sub(c, path, sizeof path, "sources/%d/%" PRId64, src, batch)) return WERR_TOOBIG;
    char *data;
    size_t len;
    int rc = ckpt_read_file(path, a, &data, &len);
    if (rc) return rc;
    char *nl = memchr(data, '\n', len);
    if (!nl) { log_error("checkpoint: %s is truncated", path); return WERR_CORRUPT; }
    *nl = 0;
    if ((rc = check_version(data, path))) return rc;
    *text = nl + 1;
    *n = len - (size_t)(nl + 1 - data);
    return 0;
}

/* ------------------------------------------------------------------ progress */

int ckpt_append_progress(struct ckpt *c, const char *json, size_t n) {
    if (memchr(json, '\n', n)) return WERR_INVALID;
    char path[PATH_MAX];
    if (sub(c, path, sizeof path, "progress.log")) return WERR_TOOBIG;
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return WERR_IO;
    struct buf b = {0};
    /* a crash mid-append leaves a torn last line: end it first so it stays
     * the only damaged line (readers skip lines that do not parse) */
    struct stat st;
    char last = '\n';
    if (!fstat(fd, &st) && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
        buf_putc(&b, '\n');
    buf_append(&b, json, n);
    buf_putc(&b, '\n');
    int rc = write_all(fd, b.p, b.len); /* one write: lines never interleave */
    buf_free(&b);
    close(fd);
    return rc;
}

int ckpt_read_progress(const struct ckpt *c, struct arena *a, int max, char ***out, int *n) {
    char path[PATH_MAX];
    if (sub(c, path, sizeof path, "progress.log")) return WERR_TOOBIG;
    char *data;
    size_t len;
    *n = 0;
    *out = NULL;
    int rc = ckpt_read_file(path, a, &data, &len);
    if (rc == WERR_NOTFOUND) return 0;
    if (rc) return rc;
    /* a torn last line (crash mid-append) has no newline: drop it */
    while (len && data[len - 1] != '\n') len--;
    size_t total = 0;
    for (size_t i = 0; i < len; i++) total += data[i] == '\n';
    size_t skip = total > (size_t)max ? total - (size_t)max : 0;
    char **lines = arena_alloc(a, (total - skip + 1) * sizeof *lines);
    size_t line = 0, start = 0;
    int k = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n') continue;
        data[i] = 0;
        if (line++ >= skip) lines[k++] = data + start;
        start = i + 1;
    }
    *out = lines;
    *n = k;
    return 0;
}

/* ------------------------------------------------------------------ purge */

static void purge_dir(const char *dir, int64_t below) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[PATH_MAX];
    while ((e = readdir(d))) {
        int64_t b;
        if (parse_batch_name(e->d_name, &b) || b >= below) continue;
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < sizeof p) unlink(p);
    }
    closedir(d);
}

/* Rewrites progress.log with only its last `keep` lines when it has more;
 * durably when sync is set. */
static int trim_progress(struct ckpt *c, int keep, int sync) {
    char path[PATH_MAX];
    struct stat st;
    if (sub(c, path, sizeof path, "progress.log")) return WERR_TOOBIG;
    if (stat(path, &st)) return 0;
    struct arena a;
    arena_init(&a, 4096);
    char **lines;
    int n;
    int rc = ckpt_read_progress(c, &a, keep, &lines, &n);
    size_t kept = 0;
    for (int i = 0; i < n; i++) kept += strlen(lines[i]) + 1;
    if (!rc && kept < (size_t)st.st_size) {
        struct buf b = {0};
        for (int i = 0; i < n; i++) {
            buf_append(&b, lines[i], strlen(lines[i]));
            buf_putc(&b, '\n');
        }
        if (sync) {
            rc = ckpt_write_atomic(c->dir, "progress.log", b.p ? (const void *)b.p : "", b.len, 0);
        } else {
            char tmp[PATH_MAX];
            rc = WERR_IO;
            if ((size_t)snprintf(tmp, sizeof tmp, "%s.trim", path) < sizeof tmp) {
                FILE *f = fopen(tmp, "wb");
                if (f) {
                    int ok = fwrite(b.p ? (const void *)b.p : "", 1, b.len, f) == b.len;
                    if (fclose(f) == 0 && ok && rename(tmp, path) == 0) rc = 0;
                    else unlink(tmp);
                }
            }
        }
        buf_free(&b);
    }
    arena_free(&a);
    return rc;
}

int ckpt_purge(struct ckpt *c, int keep) {
    if (keep < 1) return WERR_INVALID;
    char dir[PATH_MAX];
    int64_t lo, lc;
    if (ckpt_latest_offsets(c, &lo) == 0) {
        sub(c, dir, sizeof dir, "offsets");
        purge_dir(dir, lo - keep + 1);
    }
    if (ckpt_latest_commit(c, &lc) == 0) {
        sub(c, dir, sizeof dir, "commits");
        purge_dir(dir, lc - keep + 1);
    }
    return trim_progress(c, keep > CKPT_PROGRESS_KEEP ? keep : CKPT_PROGRESS_KEEP, 1);
}

void ckpt_forget(struct ckpt *c, int64_t batch) {
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/offsets/%lld", c->dir, (long long)batch) < sizeof p) unlink(p);
    if ((size_t)snprintf(p, sizeof p, "%s/commits/%lld", c->dir, (long long)batch) < sizeof p) unlink(p);
}

int ckpt_trim_progress(struct ckpt *c) { return trim_progress(c, CKPT_PROGRESS_KEEP, 0); }
