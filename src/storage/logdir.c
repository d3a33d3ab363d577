/* logdir: see logdir.h. The marker is written like every small storage file:
 * create, fdatasync, then fsync the directory, so that a marker seen at open
 * really means that everything before it reached the disk. */
#include "storage/logdir.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "storage/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct logdir {
    char *path;
    int lock_fd;
    int was_clean;
};

static int ends_with(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static int is_dir(const char *parent, const struct dirent *e) {
    if (e->d_type == DT_DIR) return 1;
    if (e->d_type != DT_UNKNOWN) return 0;
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", parent, e->d_name);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int logdir_open(const char *path, struct logdir **out) {
    int rc = fsu_mkdirs(path);
    if (rc) return rc;
    struct logdir *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(path))) {
        free(d);
        return WERR_NOMEM;
    }
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/.lock", path);
    d->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->lock_fd < 0) {
        log_error("storage: open %s: %s", p, strerror(errno));
        rc = WERR_IO;
        goto fail;
    }
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB)) {
        log_error("storage: log dir %s is in use by another broker", path);
        rc = errno == EWOULDBLOCK ? WERR_EXISTS : WERR_IO;
        goto fail;
    }
    snprintf(p, sizeof p, "%s/%s", path, LOGDIR_CLEAN_MARKER);
    if (access(p, F_OK) == 0) {
        d->was_clean = 1;
        if (unlink(p) || fsu_fsync_dir(path)) {
            log_error("storage: remove %s: %s", p, strerror(errno));
            rc = WERR_IO;
            goto fail;
        }
    }
    /* finish deletions a crash interrupted */
    DIR *dir = opendir(path);
    if (!dir) {
        rc = WERR_IO;
        goto fail;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, "-delete") || !is_dir(path, e)) continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        log_info("storage: finishing deletion of %s", p);
        fsu_remove_dir(p);
    }
    closedir(dir);
    *out = d;
    return 0;
fail:
    if (d->lock_fd >= 0) close(d->lock_fd);
    free(d->path);
    free(d);
    return rc;
}

int logdir_was_clean(const struct logdir *d) { return d->was_clean; }
const char *logdir_path(const struct logdir *d) { return d->path; }

static int valid_topic(const char *t) {
    size_t n = strlen(t);
    if (n == 0 || n > 249 || !strcmp(t, ".") || !strcmp(t, "..")) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

/* Splits "<topic>-<partition>" at the last '-'. */
static int parse_part(const char *name, char **topic, int32_t *partition) {
    const char *dash = strrchr(name, '-');
    if (!dash || dash == name || !dash[1]) return 0;
    long long v = 0;
    for (const char *c = dash + 1; *c; c++) {
        if (*c < '0' || *c > '9') return 0;
        v = v * 10 + (*c - '0');
        if (v > INT32_MAX) return 0;
    }
    char *t = strndup(name, (size_t)(dash - name));
    if (!t) return 0;
    if (!valid_topic(t)) {
        free(t);
        return 0;
    }
    *topic = t;
    *partition = (int32_t)v;
    return 1;
}

static int cmp_part(const void *a, const void *b) {
    const struct logdir_part *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

int logdir_list(const struct logdir *d, struct logdir_part **out, int *nout) {
    DIR *dir = opendir(d->path);
    if (!dir) return WERR_IO;
    struct logdir_part *v = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        char *topic;
        int32_t part;
        if (e->d_name[0] == '.' || ends_with(e->d_name, "-delete") || !is_dir(d->path, e)) continue;
        if (!parse_part(e->d_name, &topic, &part)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct logdir_part *nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv) {
                free(topic);
                logdir_list_free(v, n);
                closedir(dir);
                return WERR_NOMEM;
            }
            v = nv;
        }
        v[n++] = (struct logdir_part){topic, part};
    }
    closedir(dir);
    if (n) qsort(v, (size_t)n, sizeof *v, cmp_part);
    *out = v;
    *nout = n;
    return 0;
}

void logdir_list_free(struct logdir_part *v, int n) {
    for (int i = 0; i < n; i++) free(v[i].topic);
    free(v);
}

int logdir_partition_dir(const struct logdir *d, const char *topic, int32_t partition, char *out, size_t outlen) {
    if (!valid_topic(topic) || partition < 0) return WERR_INVALID;
    int n = snprintf(out, outlen, "%s/%s-%d", d->path, topic, (int)partition);
    return n < 0 || (size_t)n >= outlen ? WERR_INVALID : 0;
}

int logdir_delete_partition(struct logdir *d, const char *topic, int32_t partition) {
    char p[PATH_MAX], del[PATH_MAX + 64];
    int rc = logdir_partition_dir(d, topic, partition, p, sizeof p);
    if (rc) return rc;
    snprintf(del, sizeof del, "%s.%012llx-delete", p, (unsigned long long)clock_wall_ms());
    if (rename(p, del)) {
        if (errno == ENOENT) return 0;
        log_error("storage: rename %s: %s", p, strerror(errno));
        return WERR_IO;
    }
    fsu_fsync_dir(d->path);
    return fsu_remove_dir(del);
}

int logdir_close(struct logdir *d, int clean) {
    if (!d) return 0;
    int rc = 0;
    if (clean) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", d->path, LOGDIR_CLEAN_MARKER);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || fdatasync(fd)) rc = WERR_IO;
        if (fd >= 0) close(fd);
        if (!rc) rc = fsu_fsync_dir(d->path);
        if (rc) log_error("storage: writing the clean-shutdown marker in %s failed", d->path);
    }
    close(d->lock_fd);
    free(d->path);
    free(d);
    return rc;
}
