/* Helpers shared by the storage and recovery tests (prototypes repeated in
 * each test file under "helpers from test_storage_util.c"). */
#include "test.h"

#include "common/buf.h"
#include "storage/plog.h"
#include "storage/fsutil.h"
#include "wire/batch.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct plog_cfg st_cfg(int64_t segment_bytes, int32_t index_interval) {
    struct plog_cfg c;
    plog_cfg_default(&c);
    c.segment_bytes = segment_bytes;
    c.index_interval_bytes = index_interval;
    c.retention_ms = -1;
    c.retention_bytes = -1;
    return c;
}

/* Appends to b one batch of n records, timestamps ts, ts+1, ...; values
 * "v<seq>" padded to vlen bytes. */
void st_batch(struct buf *b, int n, int64_t ts, int vlen, int seq) {
    struct batch_builder bb;
    char v[4096];
    batch_builder_init(&bb, b, 0);
    for (int i = 0; i < n; i++) {
        int k = snprintf(v, sizeof v, "v%d", seq + i);
        while (k < vlen && k < (int)sizeof v) v[k++] = '.';
        batch_builder_add(&bb, ts + i, "key", 3, v, k, NULL, 0);
    }
    batch_builder_finish(&bb);
}

/* Appends nb batches of n records each; returns the last result code. */
int st_append(struct plog *l, int nb, int n, int64_t ts, int vlen, int64_t now) {
    int rc = 0;
    for (int i = 0; i < nb && rc == 0; i++) {
        struct buf b = {0};
        st_batch(&b, n, ts + (int64_t)i * n, vlen, (int)plog_end_offset(l));
        struct plog_append res;
        rc = plog_append(l, b.p, b.len, now, -1, &res);
        buf_free(&b);
    }
    return rc;
}

/* Reads a slice into a malloc'ed buffer (closes the fd). */
uint8_t *st_slice_bytes(struct plog_slice *s) {
    uint8_t *p = malloc(s->len ? (size_t)s->len : 1);
    if (s->len && fsu_pread_full(s->fd, p, (size_t)s->len, s->pos) != s->len) {
        free(p);
        p = NULL;
    }
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    return p;
}

/* Reads the whole log from the start offset with reads of max_bytes and
 * checks that the batches are valid and the offsets dense. Returns the
 * number of records seen, -1 on a problem. */
int64_t st_verify(struct plog *l, int32_t max_bytes) {
    int64_t off = plog_start_offset(l), end = plog_end_offset(l), recs = 0, expect = -1;
    while (off < end) {
        struct plog_slice s;
        if (plog_read(l, off, max_bytes, 1, &s) || s.len <= 0) return -1;
        uint8_t *p = st_slice_bytes(&s);
        if (!p || batch_validate(p, (size_t)s.len, 0, NULL, 0)) {
            free(p);
            return -1;
        }
        struct batch_iter it;
        const uint8_t *bp;
        size_t n;
        struct batch_hdr h;
        batch_iter_init(&it, p, (size_t)s.len);
        while (batch_iter_next(&it, &bp, &n, &h) == 1) {
            if (expect >= 0 && h.base_offset != expect) {
                free(p);
                return -1;
            }
            expect = batch_last_offset(&h) + 1;
            recs += h.record_count;
            off = expect;
        }
        free(p);
    }
    return recs;
}

int st_count_files(const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    size_t sl = strlen(suffix);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > sl && !strcmp(e->d_name + l - sl, suffix)) n++;
    }
    closedir(d);
    return n;
}

int64_t st_file_size(const char *path) {
    struct stat st;
    return stat(path, &st) ? -1 : (int64_t)st.st_size;
}

void st_seg_path(char *out, size_t n, const char *dir, int64_t base, const char *ext) {
    snprintf(out, n, "%s/%020lld.%s", dir, (long long)base, ext);
}

/* Lists the .log bases in dir into v (sorted); returns how many. */
static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
int st_seg_bases(const char *dir, int64_t *v, int max) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        size_t l = strlen(e->d_name);
        if (l == 24 && !strcmp(e->d_name + 20, ".log")) v[n++] = strtoll(e->d_name, NULL, 10);
    }
    closedir(d);
    qsort(v, (size_t)n, sizeof *v, cmp64);
    return n;
}

/* Flips one byte of a file at pos. */
int st_flip(const char *path, int64_t pos) {
    int fd = open(path, O_RDWR);
    if (fd < 0) return -1;
    uint8_t c;
    int rc = -1;
    if (pread(fd, &c, 1, pos) == 1) {
        c ^= 0x5a;
        rc = pwrite(fd, &c, 1, pos) == 1 ? 0 : -1;
    }
    close(fd);
    return rc;
}
