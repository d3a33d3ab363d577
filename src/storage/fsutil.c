/* fsutil: see fsutil.h. Every failure is logged with the path and errno here,
 * so callers only propagate WERR_IO. */
#include "storage/fsutil.h"

#include "common/fsdir.h"

#include "common/err.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t fsu_pread_full(int fd, void *p, size_t n, int64_t off) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)p + got, n - got, (off_t)(off + (int64_t)got));
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int fsu_pwrite_full(int fd, const void *p, size_t n, int64_t off) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = pwrite(fd, (const char *)p + done, n - done, (off_t)(off + (int64_t)done));
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) {
            errno = ENOSPC;
            return -1;
        }
        done += (size_t)r;
    }
    return 0;
}

int fsu_fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        log_error("storage: open dir %s: %s", dir, strerror(errno));
        return WERR_IO;
    }
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc) {
        log_error("storage: fsync dir %s: %s", dir, strerror(e));
        return WERR_IO;
    }
    return 0;
}

int fsu_write_atomic(const char *dir, const char *name, const void *data, size_t len) {
    char tmp[PATH_MAX], dst[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        log_error("storage: create %s: %s", tmp, strerror(errno));
        return WERR_IO;
    }
    if (fsu_pwrite_full(fd, data, len, 0) || fdatasync(fd)) {
        log_error("storage: write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return WERR_IO;
    }
    close(fd);
    if (rename(tmp, dst)) {
        log_error("storage: rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return WERR_IO;
    }
    return fsu_fsync_dir(dir);
}

int fsu_write_hint(const char *dir, const char *name, const void *data, size_t len) {
    char tmp[PATH_MAX], dst[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return WERR_IO;
    int rc = fsu_pwrite_full(fd, data, len, 0);
    close(fd);
    if (rc || rename(tmp, dst)) {
        unlink(tmp);
        return WERR_IO;
    }
    return 0;
}

int fsu_write_int64_hint(const char *dir, const char *name, int64_t v) {
    char s[32];
    int n = snprintf(s, sizeof s, "%" PRId64 "\n", v);
    return fsu_write_hint(dir, name, s, (size_t)n);
}

int fsu_write_int64(const char *dir, const char *name, int64_t v) {
    char s[32];
    int n = snprintf(s, sizeof s, "%" PRId64 "\n", v);
    return fsu_write_atomic(dir, name, s, (size_t)n);
}

int fsu_read_int64(const char *dir, const char *name, int64_t *out) {
    char path[PATH_MAX], s[32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? WERR_NOTFOUND : WERR_IO;
    ssize_t n = fsu_pread_full(fd, s, sizeof s - 1, 0);
    close(fd);
    if (n <= 0) return WERR_CORRUPT;
    s[n] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || (*end && *end != '\n')) return WERR_CORRUPT;
    *out = v;
    return 0;
}

int fsu_mkdirs(const char *path) {
    int rc = fs_mkdirs(path);
    if (rc) log_error("storage: mkdir %s: %s", path, rc == WERR_IO ? strerror(errno) : werr_str(rc));
    return rc;
}

int fsu_remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : WERR_IO;
    struct dirent *e;
    char path[PATH_MAX];
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) && errno != ENOENT) {
            log_error("storage: unlink %s: %s", path, strerror(errno));
            rc = WERR_IO;
        }
    }
    closedir(d);
    if (rmdir(dir) && errno != ENOENT) {
        log_error("storage: rmdir %s: %s", dir, strerror(errno));
        rc = WERR_IO;
    }
    return rc;
}
