/* segment: see segment.h for the file formats and index semantics.
 * Index maintenance follows Kafka's LogSegment.append: per batch, first the
 * running max timestamp is updated, then if more than index.interval.bytes
 * were appended since the last entry, an offset index entry for this batch
 * (and a time index entry if the running max grew) is added. */
#include "storage/segment.h"

#include "common/err.h"
#include "common/log.h"
#include "storage/fsutil.h"
#include "wire/varint.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OIDX_ENT 8
#define TIDX_ENT 12
#define READER_CAP 16384

void seg_path(char *out, size_t outlen, const char *dir, int64_t base, const char *ext) {
    snprintf(out, outlen, "%s/%020lld.%s", dir, (long long)base, ext);
}

static struct seg *seg_new(int64_t base) {
    struct seg *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->base = s->end = base;
    s->fd = s->oidx_fd = s->tidx_fd = -1;
    s->max_ts = s->max_ts_off = s->first_ts = -1;
    return s;
}

static void seg_free(struct seg *s) {
    free(s->oidx);
    free(s->tidx);
    free(s);
}

void seg_close(struct seg *s) {
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    if (s->oidx_fd >= 0) close(s->oidx_fd);
    if (s->tidx_fd >= 0) close(s->tidx_fd);
    seg_free(s);
}

/* ---- index arrays ---- */

static void oidx_add(struct seg *s, uint32_t rel, uint32_t pos) {
    if (s->n_oidx == s->cap_oidx) {
        uint32_t cap = s->cap_oidx ? s->cap_oidx * 2 : 16;
        struct seg_oidx *n = realloc(s->oidx, cap * sizeof *n);
        if (!n) return; /* the index is a hint: a missing entry only means a longer scan */
        s->oidx = n;
        s->cap_oidx = cap;
    }
    s->oidx[s->n_oidx] = (struct seg_oidx){rel, pos};
    if (s->oidx_fd >= 0) {
        uint8_t e[OIDX_ENT];
        be32_put(e, rel);
        be32_put(e + 4, pos);
        if (fsu_pwrite_full(s->oidx_fd, e, sizeof e, (int64_t)s->n_oidx * OIDX_ENT))
            log_warn("storage: offset index write for segment %lld: %s", (long long)s->base, strerror(errno));
    }
    s->n_oidx++;
}

static void tidx_add(struct seg *s, int64_t ts, uint32_t rel) {
    if (s->n_tidx == s->cap_tidx) {
        uint32_t cap = s->cap_tidx ? s->cap_tidx * 2 : 16;
        struct seg_tidx *n = realloc(s->tidx, cap * sizeof *n);
        if (!n) return;
        s->tidx = n;
        s->cap_tidx = cap;
    }
    s->tidx[s->n_tidx] = (struct seg_tidx){ts, rel};
    if (s->tidx_fd >= 0) {
        uint8_t e[TIDX_ENT];
        be64_put(e, (uint64_t)ts);
        be32_put(e + 8, rel);
        if (fsu_pwrite_full(s->tidx_fd, e, sizeof e, (int64_t)s->n_tidx * TIDX_ENT))
            log_warn("storage: time index write for segment %lld: %s", (long long)s->base, strerror(errno));
    }
    s->n_tidx++;
}

static void tidx_maybe_add(struct seg *s) {
    if (s->max_ts < 0) return;
    if (s->n_tidx && s->max_ts <= s->tidx[s->n_tidx - 1].ts) return;
    tidx_add(s, s->max_ts, (uint32_t)(s->max_ts_off - s->base));
}

/* The offset of the first record whose timestamp is the batch's max. Runs
 * on every append with a newer timestamp, so it reads only each record's
 * length, timestamp delta and (for the match) offset delta, and skips the
 * key, value and headers: a full parse here was 10 % of the broker's CPU
 * under produce load (bench/PROFILE.md). A malformed length or delta gives the
 * base offset. */
int64_t seg_batch_max_ts_offset(const uint8_t *batch, size_t len, const struct batch_hdr *h) {
    if (h->attributes & BATCH_ATTR_LOG_APPEND_TIME) return h->base_offset;
    if (h->batch_length < BATCH_HDR_SIZE - BATCH_LOG_OVERHEAD || batch_total_size(h) > len ||
        batch_compression(h) != BATCH_COMPRESSION_NONE)
        return h->base_offset;
    const uint8_t *p = batch + BATCH_HDR_SIZE, *end = batch + batch_total_size(h);
    for (int32_t i = 0; i < h->record_count; i++) {
        int64_t rlen, ts_delta, off_delta;
        size_t k = varint_get(p, end, &rlen, 5);
        if (!k || rlen < 1 || rlen > end - (p + k)) break;
        const uint8_t *r = p + k + 1, *rend = p + k + rlen; /* + 1: the attributes byte */
        if (!(k = varint_get(r, rend, &ts_delta, 10))) break;
        if ((int64_t)((uint64_t)h->base_timestamp + (uint64_t)ts_delta) == h->max_timestamp) {
            if (!varint_get(r + k, rend, &off_delta, 5) || off_delta < 0 || off_delta > h->last_offset_delta) break;
            return h->base_offset + off_delta;
        }
        p = rend;
    }
    return h->base_offset;
}

/* Accounts one batch appended or scanned at pos (see the file note). */
static void index_batch(struct seg *s, int64_t pos, const uint8_t *batch, size_t total, const struct batch_hdr *h,
                        int32_t interval) {
    if (pos == 0) s->first_ts = h->max_timestamp;
    if (h->max_timestamp > s->max_ts) {
        s->max_ts = h->max_timestamp;
        s->max_ts_off = seg_batch_max_ts_offset(batch, total, h);
    }
    if (s->bytes_since_idx > interval) {
        oidx_add(s, (uint32_t)(h->base_offset - s->base), (uint32_t)pos);
        tidx_maybe_add(s);
        s->bytes_since_idx = 0;
    }
    s->bytes_since_idx += (int64_t)total;
    s->end = batch_last_offset(h) + 1;
}

/* ---- open / create ---- */

static int open_file(const char *path, int flags) {
    int fd = open(path, flags | O_CLOEXEC, 0644);
    if (fd < 0 && errno != ENOENT) log_error("storage: open %s: %s", path, strerror(errno));
    return fd;
}

int seg_create(const char *dir, int64_t base, int64_t now_ms, struct seg **out) {
    return seg_create_aside(dir, base, "", now_ms, out);
}

int seg_create_aside(const char *dir, int64_t base, const char *suffix, int64_t now_ms, struct seg **out) {
    char path[PATH_MAX], ext[32];
    struct seg *s = seg_new(base);
    if (!s) return WERR_NOMEM;
    snprintf(ext, sizeof ext, "log%s", suffix);
    seg_path(path, sizeof path, dir, base, ext);
    s->fd = open_file(path, O_RDWR | O_CREAT | O_TRUNC);
    snprintf(ext, sizeof ext, "index%s", suffix);
    seg_path(path, sizeof path, dir, base, ext);
    s->oidx_fd = open_file(path, O_RDWR | O_CREAT | O_TRUNC);
    snprintf(ext, sizeof ext, "timeindex%s", suffix);
    seg_path(path, sizeof path, dir, base, ext);
    s->tidx_fd = open_file(path, O_RDWR | O_CREAT | O_TRUNC);
    if (s->fd < 0 || s->oidx_fd < 0 || s->tidx_fd < 0) {
        seg_close(s);
        return WERR_IO;
    }
    s->created_ms = s->mtime_ms = now_ms;
    *out = s;
    return 0;
}

/* Reads a whole index file; returns its bytes (malloc) and size, NULL if missing. */
static uint8_t *slurp(const char *path, size_t *n, int *err) {
    *err = 0;
    *n = 0;
    int fd = open_file(path, O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st)) {
        close(fd);
        *err = 1;
        return NULL;
    }
    uint8_t *p = malloc((size_t)st.st_size + 1);
    ssize_t got = p ? fsu_pread_full(fd, p, (size_t)st.st_size, 0) : -1;
    close(fd);
    if (got != (ssize_t)st.st_size) {
        free(p);
        *err = 1;
        return NULL;
    }
    *n = (size_t)st.st_size;
    return p;
}

static void drop_indexes(struct seg *s) {
    free(s->oidx);
    free(s->tidx);
    s->oidx = NULL;
    s->tidx = NULL;
    s->n_oidx = s->cap_oidx = s->n_tidx = s->cap_tidx = 0;
}

/* Loads both index files; 0 if they look sane against the log size. */
static int load_indexes(struct seg *s, const char *dir) {
    char path[PATH_MAX];
    size_t n;
    int err;
    seg_path(path, sizeof path, dir, s->base, "index");
    uint8_t *p = slurp(path, &n, &err);
    if (!p) return WERR_NOTFOUND;
    int ok = n % OIDX_ENT == 0;
    if (ok && n) {
        s->cap_oidx = s->n_oidx = (uint32_t)(n / OIDX_ENT);
        s->oidx = malloc(n / OIDX_ENT * sizeof *s->oidx);
        if (!s->oidx) ok = 0;
        for (uint32_t i = 0; ok && i < s->n_oidx; i++) {
            s->oidx[i] = (struct seg_oidx){be32_get(p + i * OIDX_ENT), be32_get(p + i * OIDX_ENT + 4)};
            if (s->oidx[i].pos >= s->size) ok = 0;
            if (i && (s->oidx[i].rel <= s->oidx[i - 1].rel || s->oidx[i].pos <= s->oidx[i - 1].pos)) ok = 0;
        }
    }
    free(p);
    if (!ok) return WERR_CORRUPT;
    seg_path(path, sizeof path, dir, s->base, "timeindex");
    p = slurp(path, &n, &err);
    if (!p) return WERR_NOTFOUND;
    ok = n % TIDX_ENT == 0;
    if (ok && n) {
        s->cap_tidx = s->n_tidx = (uint32_t)(n / TIDX_ENT);
        s->tidx = malloc(n / TIDX_ENT * sizeof *s->tidx);
        if (!s->tidx) ok = 0;
        for (uint32_t i = 0; ok && i < s->n_tidx; i++) {
            s->tidx[i] = (struct seg_tidx){(int64_t)be64_get(p + i * TIDX_ENT), be32_get(p + i * TIDX_ENT + 8)};
            if (s->tidx[i].ts < 0) ok = 0;
            if (i && (s->tidx[i].ts <= s->tidx[i - 1].ts)) ok = 0;
        }
    }
    free(p);
    return ok ? 0 : WERR_CORRUPT;
}

int seg_open(const char *dir, int64_t base, struct seg **out, int *idx_ok) {
    char path[PATH_MAX];
    struct seg *s = seg_new(base);
    if (!s) return WERR_NOMEM;
    seg_path(path, sizeof path, dir, base, "log");
    s->fd = open_file(path, O_RDWR);
    struct stat st;
    if (s->fd < 0 || fstat(s->fd, &st)) {
        seg_close(s);
        return WERR_IO;
    }
    s->size = st.st_size;
    s->mtime_ms = s->created_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    *idx_ok = load_indexes(s, dir) == 0;
    if (!*idx_ok) drop_indexes(s);
    *out = s;
    return 0;
}

/* ---- reader ---- */

void seg_reader_init(struct seg_reader *r, const struct seg *s, int64_t pos) {
    memset(r, 0, sizeof *r);
    r->fd = s->fd;
    r->pos = pos;
    r->limit = s->size;
}

void seg_reader_init_fd(struct seg_reader *r, int fd, int64_t pos, int64_t limit) {
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->pos = pos;
    r->limit = limit;
}

void seg_reader_free(struct seg_reader *r) {
    free(r->buf);
    r->buf = NULL;
}

const uint8_t *seg_reader_peek(struct seg_reader *r, int64_t pos, size_t n) {
    if (pos < 0 || pos + (int64_t)n > r->limit) return NULL;
    if (r->buf && pos >= r->bpos && pos + (int64_t)n <= r->bpos + (int64_t)r->blen) return r->buf + (pos - r->bpos);
    if (n > r->cap || !r->buf) {
        size_t cap = n > READER_CAP ? n : READER_CAP;
        uint8_t *b = realloc(r->buf, cap);
        if (!b) return NULL;
        r->buf = b;
        r->cap = cap;
    }
    size_t want = r->cap;
    if ((int64_t)want > r->limit - pos) want = (size_t)(r->limit - pos);
    ssize_t got = fsu_pread_full(r->fd, r->buf, want, pos);
    r->bpos = pos;
    r->blen = got > 0 ? (size_t)got : 0;
    if (got < (ssize_t)n) return NULL;
    return r->buf;
}

int seg_reader_next(struct seg_reader *r, int64_t *pos, struct batch_hdr *h) {
    if (r->pos >= r->limit) return 0;
    const uint8_t *p = seg_reader_peek(r, r->pos, BATCH_HDR_SIZE);
    if (!p) return WERR_CORRUPT;
    if (batch_parse_header(p, BATCH_HDR_SIZE, h)) return WERR_CORRUPT;
    if (h->batch_length < BATCH_HDR_SIZE - BATCH_LOG_OVERHEAD || h->last_offset_delta < 0) return WERR_CORRUPT;
    if (r->pos + (int64_t)batch_total_size(h) > r->limit) return WERR_CORRUPT;
    *pos = r->pos;
    r->pos += (int64_t)batch_total_size(h);
    return 1;
}

/* ---- trusted load and recovery ---- */

static int read_first_ts(struct seg *s) {
    if (s->size == 0) return 0;
    uint8_t p[BATCH_HDR_SIZE];
    struct batch_hdr h;
    if (fsu_pread_full(s->fd, p, sizeof p, 0) != (ssize_t)sizeof p || batch_parse_header(p, sizeof p, &h))
        return WERR_CORRUPT;
    if (h.base_offset != s->base) return WERR_CORRUPT;
    s->first_ts = h.max_timestamp;
    return 0;
}

int seg_load_trusted(struct seg *s, int64_t end_hint) {
    int rc = read_first_ts(s);
    if (rc) return rc;
    if (s->n_tidx) {
        s->max_ts = s->tidx[s->n_tidx - 1].ts;
        s->max_ts_off = s->base + s->tidx[s->n_tidx - 1].rel;
    }
    if (end_hint >= 0) {
        s->end = end_hint;
        if (s->size == 0 && end_hint != s->base) return WERR_CORRUPT;
    } else {
        int64_t pos = 0, expect = s->base, bpos;
        if (s->n_oidx) {
            pos = s->oidx[s->n_oidx - 1].pos;
            expect = s->base + s->oidx[s->n_oidx - 1].rel;
        }
        struct seg_reader r;
        struct batch_hdr h;
        seg_reader_init(&r, s, pos);
        int first = 1;
        while ((rc = seg_reader_next(&r, &bpos, &h)) == 1) {
            /* the indexed batch starts exactly there; after it offsets continue, with gaps if sparse */
            if (first || !s->sparse ? h.base_offset != expect : h.base_offset < expect) {
                rc = WERR_CORRUPT;
                break;
            }
            if (h.max_timestamp > s->max_ts) {
                const uint8_t *b = seg_reader_peek(&r, bpos, batch_total_size(&h));
                if (!b) {
                    rc = WERR_CORRUPT;
                    break;
                }
                s->max_ts = h.max_timestamp;
                s->max_ts_off = seg_batch_max_ts_offset(b, batch_total_size(&h), &h);
            }
            expect = batch_last_offset(&h) + 1;
            first = 0;
        }
        seg_reader_free(&r);
        if (rc) return rc;
        s->end = expect;
        s->bytes_since_idx = s->size - pos;
    }
    for (uint32_t i = 0; i < s->n_oidx; i++)
        if (s->base + s->oidx[i].rel >= s->end) return WERR_CORRUPT;
    for (uint32_t i = 0; i < s->n_tidx; i++)
        if (s->base + s->tidx[i].rel >= s->end || (i && s->tidx[i].rel < s->tidx[i - 1].rel)) return WERR_CORRUPT;
    return 0;
}

static int write_index_files(struct seg *s, const char *dir) {
    char path[PATH_MAX];
    size_t n = (size_t)s->n_oidx * OIDX_ENT + (size_t)s->n_tidx * TIDX_ENT;
    uint8_t *p = malloc(n ? n : 1);
    if (!p) return WERR_NOMEM;
    for (uint32_t i = 0; i < s->n_oidx; i++) {
        be32_put(p + i * OIDX_ENT, s->oidx[i].rel);
        be32_put(p + i * OIDX_ENT + 4, s->oidx[i].pos);
    }
    uint8_t *t = p + (size_t)s->n_oidx * OIDX_ENT;
    for (uint32_t i = 0; i < s->n_tidx; i++) {
        be64_put(t + i * TIDX_ENT, (uint64_t)s->tidx[i].ts);
        be32_put(t + i * TIDX_ENT + 8, s->tidx[i].rel);
    }
    int rc = 0;
    seg_path(path, sizeof path, dir, s->base, "index");
    int fd = open_file(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0 || fsu_pwrite_full(fd, p, (size_t)s->n_oidx * OIDX_ENT, 0)) rc = WERR_IO;
    if (fd >= 0) close(fd);
    seg_path(path, sizeof path, dir, s->base, "timeindex");
    fd = open_file(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0 || fsu_pwrite_full(fd, t, (size_t)s->n_tidx * TIDX_ENT, 0)) rc = WERR_IO;
    if (fd >= 0) close(fd);
    free(p);
    return rc;
}

int seg_recover(struct seg *s, const char *dir, int32_t index_interval, int64_t limit, int64_t *truncated) {
    drop_indexes(s);
    s->end = s->base;
    s->max_ts = s->max_ts_off = s->first_ts = -1;
    s->bytes_since_idx = 0;
    struct seg_reader r;
    seg_reader_init(&r, s, 0);
    int64_t pos = 0;
    char why[160];
    while (pos < s->size) {
        struct batch_hdr h;
        const uint8_t *p = seg_reader_peek(&r, pos, BATCH_HDR_SIZE);
        if (!p) {
            snprintf(why, sizeof why, "torn batch header");
            break;
        }
        if (batch_parse_header(p, BATCH_HDR_SIZE, &h) || h.batch_length < BATCH_HDR_SIZE - BATCH_LOG_OVERHEAD) {
            snprintf(why, sizeof why, "invalid batch header");
            break;
        }
        size_t total = batch_total_size(&h);
        if (pos + (int64_t)total > s->size || total > (size_t)INT32_MAX) {
            snprintf(why, sizeof why, "torn batch (%zu bytes, %lld left)", total, (long long)(s->size - pos));
            break;
        }
        p = seg_reader_peek(&r, pos, total);
        if (!p) {
            snprintf(why, sizeof why, "read error");
            break;
        }
        if (batch_validate_stored(p, total, why, sizeof why)) break;
        /* the first batch starts the segment; after it offsets strictly increase
         * (compaction leaves gaps but keeps every segment's first and last batch) */
        int gap_ok = pos > 0 && s->sparse;
        if (gap_ok ? h.base_offset < s->end : h.base_offset != s->end) {
            snprintf(why, sizeof why, "offset discontinuity: batch at %lld, expected %s%lld", (long long)h.base_offset,
                     gap_ok ? ">= " : "", (long long)s->end);
            break;
        }
        if (limit >= 0 && batch_last_offset(&h) >= limit) {
            snprintf(why, sizeof why, "batch ends at %lld, past the next segment at %lld",
                     (long long)batch_last_offset(&h), (long long)limit);
            break;
        }
        if (batch_last_offset(&h) - s->base > UINT32_MAX) {
            snprintf(why, sizeof why, "offset %lld too far from the segment base", (long long)batch_last_offset(&h));
            break;
        }
        index_batch(s, pos, p, total, &h, index_interval);
        pos += (int64_t)total;
    }
    seg_reader_free(&r);
    if (pos < s->size) {
        log_warn("storage: %s/%020lld.log: %s at position %lld; truncating %lld bytes", dir, (long long)s->base, why,
                 (long long)pos, (long long)(s->size - pos));
        if (ftruncate(s->fd, pos)) {
            log_error("storage: truncate segment %lld: %s", (long long)s->base, strerror(errno));
            return WERR_IO;
        }
        *truncated += s->size - pos;
        s->size = pos;
    }
    /* end with the segment's max, as a deactivated segment does: a trusted
     * load of an inactive segment reads its largest timestamp from here */
    tidx_maybe_add(s);
    return write_index_files(s, dir);
}

int seg_activate(struct seg *s, const char *dir) {
    char path[PATH_MAX];
    seg_path(path, sizeof path, dir, s->base, "index");
    s->oidx_fd = open_file(path, O_RDWR | O_CREAT);
    seg_path(path, sizeof path, dir, s->base, "timeindex");
    s->tidx_fd = open_file(path, O_RDWR | O_CREAT);
    if (s->oidx_fd < 0 || s->tidx_fd < 0) return WERR_IO;
    /* drop any partial trailing entry so appends land where the array says */
    if (ftruncate(s->oidx_fd, (off_t)s->n_oidx * OIDX_ENT) || ftruncate(s->tidx_fd, (off_t)s->n_tidx * TIDX_ENT))
        return WERR_IO;
    return 0;
}

int seg_deactivate(struct seg *s) {
    tidx_maybe_add(s);
    int rc = 0;
    if (s->tidx_fd >= 0 && fdatasync(s->tidx_fd)) rc = WERR_IO;
    if (s->oidx_fd >= 0) close(s->oidx_fd);
    if (s->tidx_fd >= 0) close(s->tidx_fd);
    s->oidx_fd = s->tidx_fd = -1;
    return rc;
}

int seg_seal(struct seg *s) {
    tidx_maybe_add(s);
    int rc = 0;
    if (fdatasync(s->fd) || (s->oidx_fd >= 0 && fdatasync(s->oidx_fd)) || (s->tidx_fd >= 0 && fdatasync(s->tidx_fd)))
        rc = WERR_IO;
    if (s->oidx_fd >= 0) close(s->oidx_fd);
    if (s->tidx_fd >= 0) close(s->tidx_fd);
    s->oidx_fd = s->tidx_fd = -1;
    return rc;
}

void seg_sync_indexes(struct seg *s) {
    if (s->oidx_fd >= 0) fdatasync(s->oidx_fd);
    if (s->tidx_fd >= 0) fdatasync(s->tidx_fd);
}

int seg_append(struct seg *s, const uint8_t *data, size_t len, int32_t index_interval, int64_t now_ms) {
    if (fsu_pwrite_full(s->fd, data, len, s->size)) {
        log_error("storage: append to segment %lld: %s", (long long)s->base, strerror(errno));
        if (ftruncate(s->fd, s->size)) {}
        return WERR_IO;
    }
    struct batch_iter it;
    const uint8_t *b;
    size_t n;
    struct batch_hdr h;
    batch_iter_init(&it, data, len);
    while (batch_iter_next(&it, &b, &n, &h) == 1) index_batch(s, s->size + (b - data), b, n, &h, index_interval);
    s->size += (int64_t)len;
    s->mtime_ms = now_ms;
    return 0;
}

int64_t seg_lookup_pos(const struct seg *s, int64_t offset) {
    if (offset < s->base) return 0;
    int64_t rel = offset - s->base;
    uint32_t lo = 0, hi = s->n_oidx; /* find the last entry with rel <= target */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((int64_t)s->oidx[mid].rel <= rel) lo = mid + 1;
        else hi = mid;
    }
    return lo ? s->oidx[lo - 1].pos : 0;
}

int64_t seg_index_pos_at_or_before(const struct seg *s, int64_t pos) {
    uint32_t lo = 0, hi = s->n_oidx;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((int64_t)s->oidx[mid].pos <= pos) lo = mid + 1;
        else hi = mid;
    }
    return lo ? s->oidx[lo - 1].pos : 0;
}

int64_t seg_lookup_time_pos(const struct seg *s, int64_t ts) {
    uint32_t lo = 0, hi = s->n_tidx; /* the last entry with ts_e < ts */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->tidx[mid].ts < ts) lo = mid + 1;
        else hi = mid;
    }
    return lo ? seg_lookup_pos(s, s->base + s->tidx[lo - 1].rel) : 0;
}

int seg_remove(struct seg *s, const char *dir) {
    char path[PATH_MAX];
    int rc = 0;
    const char *exts[] = {"log", "index", "timeindex"};
    int64_t base = s->base;
    seg_close(s);
    for (int i = 0; i < 3; i++) {
        seg_path(path, sizeof path, dir, base, exts[i]);
        if (unlink(path) && errno != ENOENT) {
            log_error("storage: unlink %s: %s", path, strerror(errno));
            rc = WERR_IO;
        }
    }
    return rc;
}
