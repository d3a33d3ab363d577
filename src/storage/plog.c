/* plog: a partition log = an ordered array of segments, the last one active.
 *
 * Recovery (plog_open), the part to read carefully:
 *  1. The directory is listed: `*.log` files give the segment bases; leftover
 *     `*.tmp` files and index files without a log are removed.
 *  2. A segment is trusted when the log dir was shut down cleanly, or when it
 *     lies wholly below the persisted recovery point (the next segment starts
 *     at or below it). A trusted segment only gets its index files checked
 *     (sizes, monotonic entries, positions inside the log, offsets inside the
 *     segment) and, for the last segment, the few batches after the last
 *     index entry walked header by header. Any doubt turns it into a
 *     recovered segment.
 *  3. A recovered segment is scanned from position 0: every batch must pass
 *     batch_validate_stored (CRC, records) and continue the offsets exactly
 *     (below the cleaner checkpoint: increase; never past the next segment); the file
 *     is truncated at the first invalid byte and its indexes rebuilt. When a
 *     segment is cut short, or the next segment does not start where this one
 *     ends, every later segment is deleted (like Kafka: nothing after a hole
 *     can be trusted). Empty segments other than the last are removed.
 *  4. The recovered segments are fdatasync'ed and the recovery point becomes
 *     the log end offset.
 * Compaction (compact.c) adds two things: `*.cleaned` files are an unfinished
 * cleaning and are removed in step 1 (its swap is ordered so that this rolls
 * it back or leaves it complete, see compact.c), and segments below the
 * cleaner checkpoint (`cleaner-offset-checkpoint`) may have offset gaps
 * between batches (struct seg.sparse): there step 3 only asks that offsets
 * increase. Every segment, cleaned or not, still starts with a batch at its
 * base and ends where the next segment begins.
 * The recovery point file is rewritten when it advances after a flush, at
 * most once a second (a stale value only means a longer scan), and on close.
 *
 * Offsets: the next segment is always named by the log end offset at roll
 * time, so segment i ends exactly where segment i+1 begins. */
#include "storage/plog.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "storage/fsutil.h"
#include "storage/plog_int.h"
#include "storage/segment.h"
#include "wire/batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RP_PERSIST_INTERVAL_MS 1000

void plog_cfg_default(struct plog_cfg *c) {
    c->segment_bytes = 1073741824;
    c->segment_ms = 604800000;
    c->retention_ms = 604800000;
    c->retention_bytes = -1;
    c->index_interval_bytes = 4096;
    c->flush_interval_messages = INT64_MAX;
    c->flush_interval_ms = INT64_MAX;
}

static void cfg_sanitize(struct plog_cfg *c) {
    if (c->segment_bytes < 1) c->segment_bytes = 1;
    if (c->segment_bytes > INT32_MAX) c->segment_bytes = INT32_MAX;
    if (c->segment_ms < 1) c->segment_ms = 1;
    if (c->index_interval_bytes < 0) c->index_interval_bytes = 0;
    if (c->flush_interval_messages < 1) c->flush_interval_messages = 1;
    if (c->flush_interval_ms < 0) c->flush_interval_ms = 0;
}

void plog_set_cfg(struct plog *l, const struct plog_cfg *cfg) {
    l->cfg = *cfg;
    cfg_sanitize(&l->cfg);
}

static struct seg *active(const struct plog *l) { return l->segs[l->nsegs - 1]; }
int64_t plog_start_offset(const struct plog *l) { return l->start; }
int64_t plog_end_offset(const struct plog *l) { return active(l)->end; }
int64_t plog_flushed_offset(const struct plog *l) { return l->rp; }
int64_t plog_size_bytes(const struct plog *l) { return l->size_total; }

static int push_seg(struct plog *l, struct seg *s) {
    if (l->nsegs == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        struct seg **n = realloc(l->segs, (size_t)cap * sizeof *n);
        if (!n) return WERR_NOMEM;
        l->segs = n;
        l->cap = cap;
    }
    l->segs[l->nsegs++] = s;
    return 0;
}

/* Removes segs[i] from the array and deletes its files. */
static int drop_seg(struct plog *l, int i) {
    struct seg *s = l->segs[i];
    l->size_total -= s->size;
    memmove(l->segs + i, l->segs + i + 1, (size_t)(l->nsegs - i - 1) * sizeof *l->segs);
    l->nsegs--;
    return seg_remove(s, l->dir);
}

/* The recovery point is a hint: a stale one only makes recovery scan more,
 * and every value written is already durable in the log (it is written
 * after the fdatasync it records), so it is written without fsyncs — it
 * runs on the network thread, where three syncs a second per partition
 * showed up in acks=all tail latency. */
static void persist_rp(struct plog *l, int force) {
    if (l->rp == l->rp_persisted) return;
    if (l->rp_persisted < 0 && l->rp <= l->segs[0]->base) return; /* nothing to trust yet: same as no file */
    int64_t now = clock_mono_ms();
    if (!force && l->rp_persisted >= 0 && now - l->rp_persist_mono < RP_PERSIST_INTERVAL_MS) return;
    if (fsu_write_int64_hint(l->dir, RP_FILE, l->rp) == 0) {
        l->rp_persisted = l->rp;
        l->rp_persist_mono = now;
    }
}

static int set_start(struct plog *l, int64_t start) {
    if (start <= l->start) return 0;
    l->start = start;
    return fsu_write_int64(l->dir, LSO_FILE, start);
}

/* The new active segment starts at the log end offset. */
static int roll(struct plog *l, int64_t now_ms) {
    struct seg *old = active(l), *s;
    if (old->size == 0) return 0;
    if (seg_deactivate(old)) log_warn("storage: %s: time index sync failed on roll", l->dir);
    int rc = seg_create(l->dir, old->end, now_ms, &s);
    if (rc == 0 && (rc = push_seg(l, s)) != 0) seg_remove(s, l->dir);
    if (rc) {
        seg_activate(old, l->dir); /* keep appending to the old one */
        return rc;
    }
    fsu_fsync_dir(l->dir);
    log_debug("storage: %s: rolled new segment at %lld", l->dir, (long long)s->base);
    return 0;
}

/* ---- open / close ---- */

static int parse_seg_name(const char *name, const char *ext, int64_t *base) {
    size_t n = strlen(name), e = strlen(ext);
    if (n != 20 + 1 + e || name[20] != '.' || strcmp(name + 21, ext)) return 0;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9') return 0;
        if (v > (INT64_MAX - 9) / 10) return 0;
        v = v * 10 + (name[i] - '0');
    }
    *base = v;
    return 1;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int has_base(const int64_t *v, int n, int64_t b) {
    return bsearch(&b, v, (size_t)n, sizeof *v, cmp_i64) != NULL;
}

/* Lists the segment bases (sorted) and removes leftovers. */
static int list_segments(const char *dir, int64_t **out, int *nout) {
    DIR *d = opendir(dir);
    if (!d) {
        log_error("storage: opendir %s: %s", dir, strerror(errno));
        return WERR_IO;
    }
    int64_t *v = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int64_t b;
        if (!parse_seg_name(e->d_name, "log", &b)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            int64_t *nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv) {
                free(v);
                closedir(d);
                return WERR_NOMEM;
            }
            v = nv;
        }
        v[n++] = b;
    }
    if (n) qsort(v, (size_t)n, sizeof *v, cmp_i64);
    rewinddir(d);
    char path[PATH_MAX];
    while ((e = readdir(d))) {
        int64_t b;
        size_t len = strlen(e->d_name);
        int orphan = (parse_seg_name(e->d_name, "index", &b) || parse_seg_name(e->d_name, "timeindex", &b)) &&
                     !has_base(v, n, b);
        int tmp = len > 4 && !strcmp(e->d_name + len - 4, ".tmp");
        size_t cl = strlen(CLEANED_SUFFIX); /* an unfinished cleaning: roll back (see compact.c) */
        int cleaned = len > cl && !strcmp(e->d_name + len - cl, CLEANED_SUFFIX);
        if (orphan || tmp || cleaned) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            log_info("storage: removing leftover %s", path);
            unlink(path);
        }
    }
    closedir(d);
    *out = v;
    *nout = n;
    return 0;
}

static void free_plog(struct plog *l) {
    for (int i = 0; i < l->nsegs; i++) seg_close(l->segs[i]);
    free(l->segs);
    free(l->dir);
    free(l);
}

/* Steps 2-3 of the recovery note, for segment i. Returns 0, or a WERR. */
static int load_segment(struct plog *l, int i, int clean, int64_t rp, int idx_ok, struct plog_recovery *rec,
                        int *scanned) {
    struct seg *s = l->segs[i];
    int last = i == l->nsegs - 1;
    int trusted = clean || (rp >= 0 && !last && l->segs[i + 1]->base <= rp);
    *scanned = 0;
    if (trusted && idx_ok && seg_load_trusted(s, last ? -1 : l->segs[i + 1]->base) == 0) return 0;
    if (trusted) log_info("storage: %s: segment %lld: index missing or stale, rebuilding", l->dir, (long long)s->base);
    int64_t before = s->size;
    int rc = seg_recover(s, l->dir, l->cfg.index_interval_bytes, last ? -1 : l->segs[i + 1]->base,
                         &rec->bytes_truncated);
    if (rc) return rc;
    l->size_total -= before - s->size;
    rec->recovered = 1;
    rec->segments_scanned++;
    rec->indexes_rebuilt++;
    *scanned = 1 + (s->size < before); /* 2: cut short */
    return 0;
}

int plog_open(const char *dir, const struct plog_cfg *cfg, int clean, struct plog **out, struct plog_recovery *recp) {
    struct plog_recovery rec_local;
    struct plog_recovery *rec = recp ? recp : &rec_local;
    memset(rec, 0, sizeof *rec);
    int64_t *bases = NULL;
    int nbases = 0, rc;
    char *scanned = NULL;
    struct plog *l = calloc(1, sizeof *l);
    if (!l) return WERR_NOMEM;
    l->dir = strdup(dir);
    if (!l->dir) {
        free(l);
        return WERR_NOMEM;
    }
    size_t dl = strlen(l->dir);
    while (dl > 1 && l->dir[dl - 1] == '/') l->dir[--dl] = 0;
    plog_set_cfg(l, cfg);
    l->first_unflushed_ms = -1;
    l->rp_persisted = -1;
    if ((rc = fsu_mkdirs(l->dir)) || (rc = list_segments(l->dir, &bases, &nbases))) goto fail;

    int64_t lso = -1, rp = -1;
    if (fsu_read_int64(l->dir, LSO_FILE, &lso)) lso = -1;
    if (fsu_read_int64(l->dir, RP_FILE, &rp)) rp = -1;
    if (fsu_read_int64(l->dir, CLEANER_CP_FILE, &l->clean_cp)) l->clean_cp = -1;
    l->rp_persisted = rp;

    int *idx_ok = calloc((size_t)nbases + 1, sizeof *idx_ok);
    scanned = calloc((size_t)nbases + 1, 1);
    if (!idx_ok || !scanned) {
        free(idx_ok);
        rc = WERR_NOMEM;
        goto fail;
    }
    for (int i = 0; i < nbases; i++) {
        struct seg *s;
        if ((rc = seg_open(l->dir, bases[i], &s, &idx_ok[i])) != 0) break;
        s->sparse = s->base < l->clean_cp; /* may have been compacted: offsets with gaps */
        if ((rc = push_seg(l, s)) != 0) {
            seg_close(s);
            break;
        }
        l->size_total += s->size;
    }
    if (rc) {
        free(idx_ok);
        goto fail;
    }
    /* segments are processed in order; drop_seg shifts the arrays */
    for (int i = 0; i < l->nsegs;) {
        int sc = 0;
        if ((rc = load_segment(l, i, clean, rp, idx_ok[i], rec, &sc)) != 0) break;
        struct seg *s = l->segs[i];
        int last = i == l->nsegs - 1;
        if (sc == 1 && s->size == 0 && !last) { /* empty on disk (not cut to empty): just remove it */
            drop_seg(l, i);
            memmove(idx_ok + i, idx_ok + i + 1, (size_t)(l->nsegs - i) * sizeof *idx_ok);
            continue;
        }
        scanned[i] = (char)(sc != 0);
        if (i > 0 && s->base != l->segs[i - 1]->end) {
            log_warn("storage: %s: segment %lld does not continue offset %lld; dropping it and what follows", l->dir,
                     (long long)s->base, (long long)l->segs[i - 1]->end);
            while (l->nsegs > i) {
                rec->bytes_truncated += l->segs[l->nsegs - 1]->size;
                drop_seg(l, l->nsegs - 1);
            }
            rec->recovered = 1;
            break;
        }
        if (sc == 2 && !last) {
            log_warn("storage: %s: segment %lld was cut short; dropping the segments after it", l->dir, (long long)s->base);
            while (l->nsegs > i + 1) {
                rec->bytes_truncated += l->segs[l->nsegs - 1]->size;
                drop_seg(l, l->nsegs - 1);
            }
        }
        i++;
    }
    free(idx_ok);
    if (rc) goto fail;

    if (l->nsegs == 0) {
        struct seg *s;
        int64_t base = lso > 0 ? lso : 0;
        if ((rc = seg_create(l->dir, base, clock_wall_ms(), &s)) || (rc = push_seg(l, s))) goto fail;
    } else if ((rc = seg_activate(active(l), l->dir)) != 0) {
        goto fail;
    }
    int64_t end = active(l)->end;
    if (lso > end) {
        /* everything is below the persisted start (e.g. DeleteRecords to the
         * end, then a crash lost the tail): start over empty at lso */
        log_warn("storage: %s: log start offset %lld beyond the end %lld; starting empty", l->dir, (long long)lso,
                 (long long)end);
        while (l->nsegs) drop_seg(l, l->nsegs - 1);
        struct seg *s;
        if ((rc = seg_create(l->dir, lso, clock_wall_ms(), &s)) || (rc = push_seg(l, s))) goto fail;
        end = lso;
    }
    l->start = l->segs[0]->base > lso ? l->segs[0]->base : lso;
    if (rec->recovered) {
        for (int i = 0; i < l->nsegs; i++)
            if (i < nbases && scanned[i] && l->segs[i]->size > 0 && fdatasync(l->segs[i]->fd)) {
                log_error("storage: %s: fdatasync after recovery: %s", l->dir, strerror(errno));
                rc = WERR_IO;
                goto fail;
            }
        log_info("storage: %s: recovered: %d segments scanned, %lld bytes truncated, log end %lld", l->dir,
                 rec->segments_scanned, (long long)rec->bytes_truncated, (long long)end);
    }
    l->rp = end;
    if (rec->recovered || (rp >= 0 && rp != end)) persist_rp(l, 1);
    free(bases);
    free(scanned);
    *out = l;
    return 0;
fail:
    free(bases);
    free(scanned);
    free_plog(l);
    return rc;
}

int plog_flush(struct plog *l) {
    int64_t end = plog_end_offset(l);
    if (l->rp >= end) return 0;
    for (int i = 0; i < l->nsegs; i++) {
        struct seg *s = l->segs[i];
        if (s->end <= l->rp || s->size == 0) continue;
        if (fdatasync(s->fd)) {
            log_error("storage: %s: fdatasync segment %lld: %s; the log refuses appends until reopened", l->dir,
                      (long long)s->base, strerror(errno));
            l->io_failed = 1;
            return WERR_IO;
        }
    }
    l->rp = end;
    l->unflushed_msgs = 0;
    l->first_unflushed_ms = -1;
    persist_rp(l, 0);
    return 0;
}

void plog_close(struct plog *l) {
    if (!l) return;
    /* a job outstanding holds only dup()ed fds and its own copy of the path:
     * the owner discards it once its run has returned (compact.h) */
    if (l->job) log_info("storage: %s: closed with a cleaning job outstanding", l->dir);
    seg_deactivate(active(l));
    plog_flush(l);
    persist_rp(l, 1);
    free_plog(l);
}

int plog_delete(struct plog *l) {
    char path[PATH_MAX];
    static unsigned counter;
    snprintf(path, sizeof path, "%s.%012llx%04x-delete", l->dir, (unsigned long long)clock_wall_ms(),
             (++counter ^ (unsigned)getpid()) & 0xffff);
    char *dir = l->dir;
    l->dir = NULL;
    for (int i = 0; i < l->nsegs; i++) seg_close(l->segs[i]);
    free(l->segs);
    free(l);
    int rc = 0;
    if (rename(dir, path)) {
        log_error("storage: rename %s to %s: %s", dir, path, strerror(errno));
        rc = fsu_remove_dir(dir);
    } else {
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) *slash = 0;
        else snprintf(parent, sizeof parent, "%s", slash ? "/" : ".");
        fsu_fsync_dir(parent);
        rc = fsu_remove_dir(path);
    }
    free(dir);
    return rc;
}

/* ---- append ---- */

int plog_append(struct plog *l, uint8_t *data, size_t len, int64_t now_ms, int64_t log_append_time_ms,
                struct plog_append *res) {
    if (len == 0 || len > INT32_MAX) return WERR_INVALID;
    if (l->io_failed) return WERR_IO;
    struct batch_iter it;
    const uint8_t *b;
    size_t n;
    struct batch_hdr h;
    int64_t noffsets = 0, records = 0, max_ts_in = -1;
    int rc;
    batch_iter_init(&it, data, len);
    while ((rc = batch_iter_next(&it, &b, &n, &h)) == 1) {
        if (h.last_offset_delta < 0) return WERR_INVALID;
        noffsets += (int64_t)h.last_offset_delta + 1;
        if (noffsets > INT32_MAX) return WERR_INVALID; /* relative offsets must fit the index */
        records += h.record_count > 0 ? h.record_count : 0;
        int64_t ts = log_append_time_ms >= 0 ? log_append_time_ms : h.max_timestamp;
        if (ts > max_ts_in) max_ts_in = ts;
    }
    if (rc < 0) return WERR_INVALID;

    struct seg *s = active(l);
    int64_t end = s->end, last = end + noffsets - 1;
    if (s->size > 0) {
        int64_t waited = s->first_ts >= 0 ? max_ts_in - s->first_ts : now_ms - s->created_ms;
        if (s->size + (int64_t)len > l->cfg.segment_bytes || waited > l->cfg.segment_ms ||
            last - s->base > INT32_MAX || s->size + (int64_t)len > INT32_MAX) {
            if ((rc = roll(l, now_ms)) != 0) return rc;
            s = active(l);
        }
    }
    int64_t off = end;
    for (uint8_t *p = data; p < data + len;) {
        size_t total = (size_t)(int32_t)be32_get(p + BATCH_OFF_LENGTH) + BATCH_LOG_OVERHEAD;
        int32_t lod = (int32_t)be32_get(p + BATCH_OFF_LAST_OFFSET_DELTA);
        batch_set_base_offset(p, off, 0);
        if (log_append_time_ms >= 0) batch_set_log_append_time(p, log_append_time_ms);
        off += (int64_t)lod + 1;
        p += total;
    }
    if ((rc = seg_append(s, data, len, l->cfg.index_interval_bytes, now_ms)) != 0) return rc;
    l->size_total += (int64_t)len;
    l->unflushed_msgs += records;
    if (l->first_unflushed_ms < 0) l->first_unflushed_ms = now_ms;
    if (res) {
        res->base_offset = end;
        res->last_offset = last;
        res->log_append_time = log_append_time_ms >= 0 ? log_append_time_ms : -1;
        res->start_offset = l->start;
    }
    if (l->unflushed_msgs >= l->cfg.flush_interval_messages ||
        now_ms - l->first_unflushed_ms >= l->cfg.flush_interval_ms)
        return plog_flush(l);
    return 0;
}

/* ---- read ---- */

/* Index of the last segment with base <= offset (0 if none). */
static int find_seg(const struct plog *l, int64_t offset) {
    int lo = 0, hi = l->nsegs;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (l->segs[mid]->base <= offset) lo = mid + 1;
        else hi = mid;
    }
    return lo ? lo - 1 : 0;
}

int plog_read(struct plog *l, int64_t offset, int32_t max_bytes, int min_one, struct plog_slice *out) {
    int64_t end = plog_end_offset(l);
    out->fd = -1;
    out->pos = 0;
    out->len = 0;
    out->first_offset = offset;
    if (offset < l->start || offset > end) return WERR_RANGE;
    if (offset == end) return 0;
    for (int i = find_seg(l, offset); i < l->nsegs; i++) {
        struct seg *s = l->segs[i];
        if (offset >= s->end) continue;
        struct seg_reader r;
        struct batch_hdr h;
        int64_t pos, first_pos = -1, total = 0;
        int rc;
        seg_reader_init(&r, s, seg_lookup_pos(s, offset));
        while ((rc = seg_reader_next(&r, &pos, &h)) == 1) {
            if (first_pos < 0) {
                if (batch_last_offset(&h) < offset) continue;
                first_pos = pos;
                out->first_offset = h.base_offset;
                if ((int64_t)batch_total_size(&h) > max_bytes) {
                    if (min_one) total = (int64_t)batch_total_size(&h);
                    break;
                }
            } else if (total + (int64_t)batch_total_size(&h) > max_bytes) {
                break;
            }
            total += (int64_t)batch_total_size(&h);
            if (pos == first_pos) {
                /* skip whole batches known to fit: index entries mark batch starts */
                int64_t jump = seg_index_pos_at_or_before(s, first_pos + max_bytes);
                if (jump > r.pos) {
                    total = jump - first_pos;
                    r.pos = jump;
                }
            }
        }
        seg_reader_free(&r);
        if (rc < 0) {
            log_error("storage: %s: segment %lld unreadable while looking for offset %lld", l->dir,
                      (long long)s->base, (long long)offset);
            return WERR_CORRUPT;
        }
        if (first_pos < 0) continue;
        if (total == 0) return 0;
        out->fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
        if (out->fd < 0) return WERR_IO;
        out->pos = first_pos;
        out->len = (int32_t)total;
        return 0;
    }
    return WERR_CORRUPT;
}

/* ---- timestamps ---- */

int plog_offset_for_time(struct plog *l, int64_t ts, int64_t *offset, int64_t *found_ts) {
    for (int i = 0; i < l->nsegs; i++) {
        struct seg *s = l->segs[i];
        if (s->end <= l->start || s->max_ts < ts) continue;
        struct seg_reader r;
        struct batch_hdr h;
        int64_t pos;
        int rc, found = 0;
        seg_reader_init(&r, s, seg_lookup_time_pos(s, ts));
        while (!found && (rc = seg_reader_next(&r, &pos, &h)) == 1) {
            if (batch_last_offset(&h) < l->start || h.max_timestamp < ts) continue;
            if (batch_compression(&h) != BATCH_COMPRESSION_NONE || (h.attributes & BATCH_ATTR_LOG_APPEND_TIME)) {
                *offset = h.base_offset > l->start ? h.base_offset : l->start;
                *found_ts = h.max_timestamp;
                found = 1;
                break;
            }
            const uint8_t *b = seg_reader_peek(&r, pos, batch_total_size(&h));
            struct batch_rec_iter ri;
            struct batch_record rec;
            if (!b || batch_rec_iter_init(&ri, b, batch_total_size(&h))) {
                rc = WERR_CORRUPT;
                break;
            }
            while (batch_rec_iter_next(&ri, &rec) == 1) {
                if (rec.offset >= l->start && rec.timestamp >= ts) {
                    *offset = rec.offset;
                    *found_ts = rec.timestamp;
                    found = 1;
                    break;
                }
            }
        }
        seg_reader_free(&r);
        if (found) return 0;
        if (rc < 0) return rc;
    }
    return WERR_NOTFOUND;
}

int plog_max_timestamp(struct plog *l, int64_t *offset, int64_t *ts) {
    int64_t best = -1, off = -1;
    for (int i = 0; i < l->nsegs; i++) {
        struct seg *s = l->segs[i];
        if (s->end <= l->start || s->max_ts_off < 0) continue;
        if (s->max_ts > best) {
            best = s->max_ts;
            off = s->max_ts_off;
        }
    }
    if (off < 0) return WERR_NOTFOUND;
    *offset = off < l->start ? l->start : off;
    *ts = best;
    return 0;
}

/* ---- deletion ---- */

/* Deletes the k oldest segments (rolling first if that is all of them);
 * moves the start offset; returns bytes deleted or a WERR. */
static int64_t delete_oldest(struct plog *l, int k, int64_t now_ms) {
    if (k <= 0) return 0;
    if (k >= l->nsegs) {
        int rc = roll(l, now_ms);
        if (rc) return rc;
        k = l->nsegs - 1;
    }
    int64_t bytes = 0;
    for (int i = 0; i < k; i++) {
        log_info("storage: %s: deleting segment %lld (%lld bytes)", l->dir, (long long)l->segs[0]->base,
                 (long long)l->segs[0]->size);
        bytes += l->segs[0]->size;
        drop_seg(l, 0);
    }
    int rc = set_start(l, l->segs[0]->base);
    return rc ? rc : bytes;
}

int plog_delete_records(struct plog *l, int64_t offset) {
    if (offset < 0 || offset > plog_end_offset(l)) return WERR_RANGE;
    if (offset <= l->start) return 0;
    int rc = set_start(l, offset);
    if (rc) return rc;
    int k = 0;
    while (k + 1 < l->nsegs && l->segs[k + 1]->base <= l->start) k++;
    int64_t d = delete_oldest(l, k, clock_wall_ms());
    return d < 0 ? (int)d : 0;
}

static int64_t seg_largest_ts(const struct seg *s) { return s->max_ts >= 0 ? s->max_ts : s->mtime_ms; }

/* A segment retention may delete: any but an empty active one. */
static int deletable(const struct plog *l, int i) { return i < l->nsegs - 1 || l->segs[i]->size > 0; }

int64_t plog_housekeep(struct plog *l, int64_t now_ms) {
    int64_t deleted = 0, d;
    int rc;
    if (l->first_unflushed_ms >= 0 && now_ms - l->first_unflushed_ms >= l->cfg.flush_interval_ms &&
        (rc = plog_flush(l)) != 0)
        return rc;
    struct seg *s = active(l);
    if (s->size > 0) {
        int64_t since = s->first_ts > s->created_ms ? s->first_ts : s->created_ms;
        if (now_ms - since > l->cfg.segment_ms && (rc = roll(l, now_ms)) != 0) return rc;
    }
    if (l->cfg.retention_ms >= 0) {
        int k = 0;
        while (k < l->nsegs && deletable(l, k) && seg_largest_ts(l->segs[k]) < now_ms - l->cfg.retention_ms) k++;
        if ((d = delete_oldest(l, k, now_ms)) < 0) return d;
        deleted += d;
    }
    if (l->cfg.retention_bytes >= 0) {
        int64_t diff = l->size_total - l->cfg.retention_bytes;
        int k = 0;
        while (k < l->nsegs && deletable(l, k) && diff - l->segs[k]->size >= 0) diff -= l->segs[k++]->size;
        if ((d = delete_oldest(l, k, now_ms)) < 0) return d;
        deleted += d;
    }
    int k = 0;
    while (k + 1 < l->nsegs && l->segs[k + 1]->base <= l->start) k++;
    if ((d = delete_oldest(l, k, now_ms)) < 0) return d;
    persist_rp(l, 0); /* catch up a recovery point the rate limit held back */
    return deleted + d;
}

/* ---- group commit ---- */

int plog_sync_fds(struct plog *l, int *fds, int max, int64_t *upto) {
    int n = 0;
    *upto = l->rp;
    for (int i = 0; i < l->nsegs && n < max; i++) {
        struct seg *s = l->segs[i];
        if (s->end <= l->rp || s->size == 0) continue;
        int fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            while (n) close(fds[--n]);
            *upto = l->rp;
            return WERR_IO;
        }
        fds[n++] = fd;
        *upto = s->end;
    }
    return n;
}

void plog_mark_flushed(struct plog *l, int64_t upto) {
    int64_t end = plog_end_offset(l);
    if (upto > end) upto = end;
    if (upto > l->rp) l->rp = upto;
    if (l->rp >= end) {
        l->unflushed_msgs = 0;
        l->first_unflushed_ms = -1;
    }
    persist_rp(l, 0);
}
