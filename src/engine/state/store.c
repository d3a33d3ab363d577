/* store: see store.h. */
#include "engine/state/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crc32c.h"
#include "common/err.h"
#include "engine/runtime/checkpoint.h"

void sst_begin(struct sst_writer *w, int snapshot, int64_t version) {
    memset(w, 0, sizeof *w);
    buf_append(&w->b, "WSS1", 4);
    buf_putc(&w->b, snapshot ? 2 : 1);
    buf_append(&w->b, &version, 8);
}

void sst_put(struct sst_writer *w, const void *key, uint32_t klen, const void *val, uint32_t vlen) {
    buf_putc(&w->b, SST_PUT);
    buf_append(&w->b, &klen, 4);
    buf_append(&w->b, key, klen);
    buf_append(&w->b, &vlen, 4);
    buf_append(&w->b, val, vlen);
    w->entries++;
}

void sst_remove(struct sst_writer *w, const void *key, uint32_t klen) {
    buf_putc(&w->b, SST_REMOVE);
    buf_append(&w->b, &klen, 4);
    buf_append(&w->b, key, klen);
    w->entries++;
}

void sst_abort(struct sst_writer *w) { buf_free(&w->b); }

static int mkdirs(const char *dir) {
    char tmp[4096];
    size_t n = strlen(dir);
    if (n >= sizeof tmp) return WERR_INVALID;
    memcpy(tmp, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != 0) continue;
        char c = tmp[i];
        tmp[i] = 0;
        if (mkdir(tmp, 0755) && errno != EEXIST) return WERR_IO;
        tmp[i] = c;
    }
    return 0;
}

int sst_commit(struct sst_writer *w, const char *dir, int64_t version, int snapshot) {
    buf_putc(&w->b, 0);
    uint32_t crc = crc32c(0, w->b.p, w->b.len);
    buf_append(&w->b, &crc, 4);
    int rc = mkdirs(dir);
    if (!rc) {
        char name[64];
        snprintf(name, sizeof name, "%lld.%s", (long long)version, snapshot ? "snapshot" : "delta");
        rc = ckpt_write_atomic(dir, name, w->b.p, w->b.len, 0);
    }
    buf_free(&w->b);
    return rc;
}

static int replay(const char *path, int64_t version, int (*cb)(void *, const struct sst_entry *), void *ctx) {
    FILE *f = fopen(path, "rb");
    if (!f) return errno == ENOENT ? WERR_NOTFOUND : WERR_IO;
    struct buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, n);
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        buf_free(&b);
        return WERR_IO;
    }
    const uint8_t *p = b.p;
    size_t len = b.len, at = 13;
    int rc = 0;
    int64_t v;
    uint32_t crc;
    if (len < 18 || memcmp(p, "WSS1", 4) || (p[4] != 1 && p[4] != 2)) goto corrupt;
    memcpy(&crc, p + len - 4, 4);
    if (crc32c(0, p, len - 4) != crc) goto corrupt;
    memcpy(&v, p + 5, 8);
    if (v != version) goto corrupt;
    len -= 4;
    for (;;) {
        if (at >= len) goto corrupt;
        uint8_t op = p[at++];
        if (op == 0) break;
        struct sst_entry e = {.op = (enum sst_op)op};
        if (op != SST_PUT && op != SST_REMOVE) goto corrupt;
        if (len - at < 4) goto corrupt;
        memcpy(&e.klen, p + at, 4);
        at += 4;
        if (len - at < e.klen) goto corrupt;
        e.key = p + at;
        at += e.klen;
        if (op == SST_PUT) {
            if (len - at < 4) goto corrupt;
            memcpy(&e.vlen, p + at, 4);
            at += 4;
            if (len - at < e.vlen) goto corrupt;
            e.val = p + at;
            at += e.vlen;
        }
        rc = cb(ctx, &e);
        if (rc) break;
    }
    buf_free(&b);
    return rc;
corrupt:
    buf_free(&b);
    return WERR_CORRUPT;
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

int sst_load(const char *dir, int64_t version, int (*cb)(void *ctx, const struct sst_entry *e), void *ctx) {
    if (version <= 0) return 0;
    char path[4096];
    int64_t from = 1;
    for (int64_t s = version; s >= 1; s--) {
        snprintf(path, sizeof path, "%s/%lld.snapshot", dir, (long long)s);
        if (exists(path)) {
            int rc = replay(path, s, cb, ctx);
            if (rc) return rc;
            from = s + 1;
            break;
        }
    }
    for (int64_t d = from; d <= version; d++) {
        snprintf(path, sizeof path, "%s/%lld.delta", dir, (long long)d);
        int rc = replay(path, d, cb, ctx);
        if (rc) return rc;
    }
    return 0;
}

int sst_purge(const char *dir, int64_t keep_from) {
    char path[4096];
    int64_t snap = -1;
    for (int64_t s = keep_from; s >= 1; s--) {
        snprintf(path, sizeof path, "%s/%lld.snapshot", dir, (long long)s);
        if (exists(path)) {
            snap = s;
            break;
        }
    }
    if (snap < 0) return 0;
    DIR *d = opendir(dir);
    if (!d) return WERR_IO;
    for (struct dirent *e; (e = readdir(d));) {
        char *end;
        long long v = strtoll(e->d_name, &end, 10);
        if (end == e->d_name || (strcmp(end, ".delta") && strcmp(end, ".snapshot"))) continue;
        if (v < snap || (v == snap && !strcmp(end, ".delta"))) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    return 0;
}
