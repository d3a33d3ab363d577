/* compact: the log cleaner (see compact.h for what is kept and the threads).
 *
 * The swap, and why a crash at any instant leaves a valid log. For a job over
 * cleanable segments S1 < S2 < ... < Sn (by base offset):
 *
 *   run     W. write `<b>.log.cleaned`, `<b>.index.cleaned`, `<b>.timeindex.cleaned`
 *              for each Si, fdatasync each, fsync the directory.
 *   finish  C. write `cleaner-offset-checkpoint` = end of Sn (atomically:
 *              tmp + fdatasync + rename + directory fsync).
 *           U. unlink the old `<b>.index` and `<b>.timeindex` of every Si;
 *              fsync the directory.
 *           R. for i = 1..n in order: rename `<b>.log.cleaned` -> `<b>.log`
 *              (atomic replacement of the old log); fsync the directory.
 *           I. rename the index files `.cleaned` -> final; fsync the directory.
 *
 * plog_open deletes every `*.cleaned` file it finds (list_segments), rebuilds
 * any missing index by scanning its log, and lets segments below the
 * checkpoint have offset gaps. So after a crash:
 *   during W:        the .cleaned files go, the log is the old one.
 *   after C:         the same; the checkpoint is ahead of what was cleaned,
 *                    which only lets recovery accept gaps in segments that
 *                    have none (writing it before R is what makes the cleaned
 *                    segments acceptable if R then completes).
 *   during U:        old logs, some indexes missing: rebuilt by a scan.
 *   during R:        S1..Sk are cleaned, Sk+1..Sn are old. That is a valid
 *                    compacted log: every key's newest value in the range is
 *                    kept in both versions of its segment; a tombstone is only
 *                    dropped when it is the newest record of its key, and then
 *                    every older record of that key lies in an earlier segment,
 *                    already swapped, so no deleted key comes back. (This is
 *                    why R goes oldest first and syncs the directory after
 *                    each rename: the renames reach the disk in order.)
 *   during I:        all logs cleaned, some indexes missing: rebuilt.
 * The cleaned data was fdatasync'ed in W before any rename could expose it.
 *
 * In memory the owner thread replaces each segment right after its rename;
 * readers holding a dup()ed fd of the old file keep reading the old inode.
 * Segments that retention or DeleteRecords deleted while the job ran are
 * skipped (they are always the oldest, so the rest is still a suffix). */
#include "storage/compact.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/hmap.h"
#include "common/log.h"
#include "storage/fsutil.h"
#include "storage/plog_int.h"
#include "storage/segment.h"
#include "wire/batch.h"
#include "wire/compress.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUT_FLUSH_BYTES (1 << 20)

int compact_crash_at;
int compact_crash_points;

static void crash_point(void) {
    compact_crash_points++;
    if (compact_crash_at > 0 && --compact_crash_at == 0) _exit(77);
}

void plog_compact_cfg_default(struct plog_compact_cfg *c) {
    c->min_cleanable_dirty_ratio = 0.5;
    c->min_compaction_lag_ms = 0;
    c->max_compaction_lag_ms = INT64_MAX;
    c->delete_retention_ms = 86400000;
    c->max_clean_offset = -1;
    c->max_batch_bytes = (size_t)256 << 20;
}

struct cj_seg {
    struct seg *src;      /* identity only: never dereferenced off the owner thread */
    int64_t base, end, size;
    int64_t largest_ts;   /* max timestamp, or the mtime when the segment has none */
    int64_t mtime_ms, created_ms;
    int fd;               /* dup()ed, read-only use */
    struct seg *out;      /* the cleaned segment (cleanable ones, after a successful run) */
};

struct compact_job {
    char *dir;
    struct plog_compact_cfg cfg;
    int64_t now_ms;
    int32_t index_interval;
    int ncl, n;           /* segs[0..ncl) are cleaned; segs[ncl..n) only scanned for producer ids */
    struct cj_seg *segs;
    int64_t clean_end;
    atomic_int cancel;
    int ran, rc;
    struct plog_compact_stats st;
};

static int64_t largest_ts(const struct seg *s) { return s->max_ts >= 0 ? s->max_ts : s->mtime_ms; }

/* now - t > span, without overflow */
static int older_than(int64_t now, int64_t t, int64_t span) {
    if (span == INT64_MAX) return 0;
    if (span < 0) span = 0;
    return t < now && (uint64_t)now - (uint64_t)t > (uint64_t)span;
}

/* ---- prepare (owner thread) ---- */

static void job_free(struct compact_job *j) {
    if (!j) return;
    for (int i = 0; i < j->n; i++) {
        if (j->segs[i].fd >= 0) close(j->segs[i].fd);
        if (j->segs[i].out) seg_close(j->segs[i].out);
    }
    free(j->segs);
    free(j->dir);
    free(j);
}

int plog_compact_prepare(struct plog *l, const struct plog_compact_cfg *cfg, int64_t now_ms,
                         struct compact_job **out) {
    *out = NULL;
    if (l->job) return WERR_AGAIN;
    if (l->io_failed) return WERR_IO;
    int first = 0, last = l->nsegs - 1; /* never the active segment */
    while (first < last && l->segs[first]->end <= l->start) first++; /* retention deletes those */
    int lim = first;
    while (lim < last) {
        struct seg *s = l->segs[lim];
        if (cfg->max_clean_offset >= 0 && s->end > cfg->max_clean_offset) break;
        if (!older_than(now_ms, largest_ts(s), cfg->min_compaction_lag_ms) && cfg->min_compaction_lag_ms > 0) break;
        lim++;
    }
    if (lim == first) return 0;
    int64_t clean = 0, dirty = 0;
    int force = 0;
    for (int i = first; i < lim; i++) {
        struct seg *s = l->segs[i];
        if (s->end <= l->clean_cp) {
            clean += s->size;
        } else {
            dirty += s->size;
            /* Kafka goes by the earliest timestamp of the dirty part */
            if (older_than(now_ms, s->first_ts >= 0 ? s->first_ts : largest_ts(s), cfg->max_compaction_lag_ms))
                force = 1;
        }
    }
    if (dirty == 0) return 0;
    double ratio = (double)dirty / (double)(clean + dirty);
    if (ratio < cfg->min_cleanable_dirty_ratio && !force) return 0;

    struct compact_job *j = calloc(1, sizeof *j);
    if (!j) return WERR_NOMEM;
    j->dir = strdup(l->dir);
    j->n = l->nsegs - first;
    j->ncl = lim - first;
    j->segs = calloc((size_t)j->n, sizeof *j->segs);
    if (!j->dir || !j->segs) {
        job_free(j);
        return WERR_NOMEM;
    }
    for (int i = 0; i < j->n; i++) j->segs[i].fd = -1;
    for (int i = 0; i < j->n; i++) {
        struct seg *s = l->segs[first + i];
        struct cj_seg *c = &j->segs[i];
        c->src = s;
        c->base = s->base;
        c->end = s->end;
        c->size = s->size; /* the active segment only grows: reading up to here is safe */
        c->largest_ts = largest_ts(s);
        c->mtime_ms = s->mtime_ms;
        c->created_ms = s->created_ms;
        c->fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
        if (c->fd < 0) {
            job_free(j);
            return WERR_IO;
        }
    }
    j->cfg = *cfg;
    j->now_ms = now_ms;
    j->index_interval = l->cfg.index_interval_bytes;
    j->clean_end = j->segs[j->ncl - 1].end;
    j->st.dirty_ratio = ratio;
    atomic_init(&j->cancel, 0);
    l->job = j;
    *out = j;
    return 0;
}

void compact_job_cancel(struct compact_job *j) { atomic_store(&j->cancel, 1); }

/* ---- run (any thread) ---- */

static void *off_val(int64_t off) { return (void *)(uintptr_t)(off + 1); } /* NULL stays "absent" */
static int64_t val_off(void *v) { return v ? (int64_t)(uintptr_t)v - 1 : -1; }

/* Transactions. A transactional data batch belongs to the transaction its
 * producer id has open, which ends at that producer's next control batch
 * (COMMIT or ABORT in the control record key: int16 version, int16 type).
 * Pass 0 records, per producer id, the span [first data batch, marker] of
 * every transaction whose marker is in the snapshot. */
enum { TXN_OPEN = 0, TXN_COMMITTED = 1, TXN_ABORTED = 2 };
struct txn_span {
    int64_t first, marker;
    int committed;
};
struct txn_pid {
    int64_t open_first;   /* first data offset of the open transaction, -1 if none */
    struct txn_span *v;
    int n, cap;
};

static int txn_outcome(const struct hmap *txns, const struct batch_hdr *h) {
    struct txn_pid *t = hmap_get(txns, &h->producer_id, sizeof h->producer_id);
    if (!t) return TXN_OPEN;
    int lo = 0, hi = t->n; /* the last span starting at or before the batch */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (t->v[mid].first <= h->base_offset) lo = mid + 1;
        else hi = mid;
    }
    if (!lo || h->base_offset > t->v[lo - 1].marker) return TXN_OPEN;
    return t->v[lo - 1].committed ? TXN_COMMITTED : TXN_ABORTED;
}

static void txns_free(struct hmap *txns) {
    size_t it = 0;
    void *v;
    while (hmap_next(txns, &it, NULL, NULL, &v)) {
        free(((struct txn_pid *)v)->v);
        free(v);
    }
    hmap_free(txns);
}

static int txn_note(struct hmap *txns, const struct batch_hdr *h, const uint8_t *b, struct buf *scratch,
                    size_t max_out) {
    struct txn_pid *t = hmap_get(txns, &h->producer_id, sizeof h->producer_id);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t) return WERR_NOMEM;
        t->open_first = -1;
        hmap_put(txns, &h->producer_id, sizeof h->producer_id, t);
    }
    if (!(h->attributes & BATCH_ATTR_CONTROL)) {
        if (t->open_first < 0) t->open_first = h->base_offset;
        return 0;
    }
    struct batch_rec_iter it;
    struct batch_record r;
    int rc = compress_rec_iter_init(&it, b, batch_total_size(h), scratch, max_out);
    if (rc) return rc;
    if (batch_rec_iter_next(&it, &r) != 1 || !r.key || r.key_len < 4) return 0; /* not a marker we know: ignore */
    int type = (int)be16_get(r.key + 2);
    if (t->open_first < 0 || (type != 0 && type != 1)) return 0;
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 4;
        struct txn_span *nv = realloc(t->v, (size_t)cap * sizeof *nv);
        if (!nv) return WERR_NOMEM;
        t->v = nv;
        t->cap = cap;
    }
    t->v[t->n++] = (struct txn_span){t->open_first, h->base_offset, type == 1};
    t->open_first = -1;
    return 0;
}

/* Calls fn for every batch of segments [from, to) of j, in order; fn
 * returns 0 to go on or a WERR to stop. Stops with WERR_AGAIN when the job
 * is cancelled; an unreadable segment is logged. */
typedef int (*batch_fn)(struct compact_job *j, struct seg_reader *r, int64_t pos, const struct batch_hdr *h, void *ctx);

static int each_batch(struct compact_job *j, int from, int to, batch_fn fn, void *ctx) {
    for (int i = from; i < to; i++) {
        struct cj_seg *c = &j->segs[i];
        struct seg_reader r;
        struct batch_hdr h;
        int64_t pos;
        int rc;
        seg_reader_init_fd(&r, c->fd, 0, c->size);
        while ((rc = seg_reader_next(&r, &pos, &h)) == 1) {
            if (atomic_load(&j->cancel)) {
                rc = WERR_AGAIN;
                break;
            }
            if ((rc = fn(j, &r, pos, &h, ctx)) != 0) break;
        }
        seg_reader_free(&r);
        if (rc < 0) {
            if (rc != WERR_AGAIN)
                log_error("storage: %s: cleaner: segment %lld unreadable (%s)", j->dir, (long long)c->base,
                          werr_str(rc));
            return rc;
        }
    }
    return 0;
}

struct scan_ctx {
    struct hmap *pids, *keys, *txns;
    struct buf *scratch;
};

/* Pass 0, over every snapshotted segment: the last batch of every producer id
 * and the outcome of transactions (headers, plus the records of control batches). */
static int note_producer(struct compact_job *j, struct seg_reader *r, int64_t pos, const struct batch_hdr *h,
                         void *ctx) {
    struct scan_ctx *x = ctx;
    if (h->producer_id < 0) return 0;
    hmap_put(x->pids, &h->producer_id, sizeof h->producer_id, off_val(batch_last_offset(h)));
    if (!(h->attributes & BATCH_ATTR_TRANSACTIONAL)) return 0;
    const uint8_t *b = NULL;
    if ((h->attributes & BATCH_ATTR_CONTROL) && !(b = seg_reader_peek(r, pos, batch_total_size(h)))) return WERR_IO;
    return txn_note(x->txns, h, b, x->scratch, j->cfg.max_batch_bytes);
}

static int scan_producers(struct compact_job *j, struct hmap *pids, struct hmap *txns, struct buf *scratch) {
    struct scan_ctx x = {.pids = pids, .txns = txns, .scratch = scratch};
    return each_batch(j, 0, j->n, note_producer, &x);
}

/* Pass 1, over the cleanable segments: the newest offset of every key, from
 * non-transactional records and those of committed transactions. */
static int note_keys(struct compact_job *j, struct seg_reader *r, int64_t pos, const struct batch_hdr *h, void *ctx) {
    struct scan_ctx *x = ctx;
    if (h->attributes & BATCH_ATTR_CONTROL) return 0;
    if ((h->attributes & BATCH_ATTR_TRANSACTIONAL) && txn_outcome(x->txns, h) != TXN_COMMITTED) return 0;
    const uint8_t *b = seg_reader_peek(r, pos, batch_total_size(h));
    if (!b) return WERR_IO;
    struct batch_rec_iter it;
    struct batch_record rec;
    int rc = compress_rec_iter_init(&it, b, batch_total_size(h), x->scratch, j->cfg.max_batch_bytes);
    if (rc) return rc;
    while ((rc = batch_rec_iter_next(&it, &rec)) == 1)
        if (rec.key) hmap_put(x->keys, rec.key, (size_t)rec.key_len, off_val(rec.offset));
    return rc < 0 ? rc : 0;
}

static int build_keys(struct compact_job *j, struct hmap *keys, struct hmap *txns, struct buf *scratch) {
    struct scan_ctx x = {.keys = keys, .txns = txns, .scratch = scratch};
    return each_batch(j, 0, j->ncl, note_keys, &x);
}

struct clean_ctx {
    struct compact_job *j;
    const struct cj_seg *c;
    struct hmap *keys, *pids, *txns;
    struct buf scratch, recs, z;
};

/* Whether record r survives; txn: the outcome of its batch's transaction
 * (TXN_COMMITTED for non-transactional batches). */
static int keep_record(struct clean_ctx *x, const struct batch_record *r, int txn, int *tomb_dropped) {
    if (!r->key || txn == TXN_ABORTED) return 0;
    int64_t newest = val_off(hmap_get(x->keys, r->key, (size_t)r->key_len));
    /* a record of a still-open transaction is not in the map: it goes only when a newer value exists */
    if (txn == TXN_OPEN ? newest > r->offset : newest != r->offset) return 0;
    if (!r->value && older_than(x->j->now_ms, x->c->largest_ts, x->j->cfg.delete_retention_ms)) {
        (*tomb_dropped)++;
        return 0;
    }
    return 1;
}

/* Appends to out the cleaned form of batch b (total bytes, header h): itself,
 * a rewrite with fewer records, a bare header, or nothing. */
static int clean_batch(struct clean_ctx *x, const uint8_t *b, size_t total, const struct batch_hdr *h, int edge,
                       struct buf *out) {
    struct compact_job *j = x->j;
    if (h->attributes & BATCH_ATTR_CONTROL) { /* transaction markers stay */
        buf_append(out, b, total);
        return 0;
    }
    struct batch_rec_iter it;
    struct batch_record r;
    int rc = compress_rec_iter_init(&it, b, total, &x->scratch, j->cfg.max_batch_bytes);
    if (rc) return rc;
    int txn = (h->attributes & BATCH_ATTR_TRANSACTIONAL) ? txn_outcome(x->txns, h) : TXN_COMMITTED;
    int32_t read = 0, kept = 0;
    int tomb = 0;
    int64_t max_ts = -1;
    buf_clear(&x->recs);
    for (;;) {
        const uint8_t *start = it.p;
        if ((rc = batch_rec_iter_next(&it, &r)) != 1) break;
        read++;
        if (!keep_record(x, &r, txn, &tomb)) continue;
        kept++;
        if (r.timestamp > max_ts) max_ts = r.timestamp;
        buf_append(&x->recs, start, (size_t)(it.p - start));
    }
    if (rc < 0) return WERR_CORRUPT;
    j->st.records_read += read;
    j->st.records_kept += kept;
    j->st.tombstones_dropped += tomb;
    int retain = edge || (h->producer_id >= 0 &&
                          val_off(hmap_get(x->pids, &h->producer_id, sizeof h->producer_id)) == batch_last_offset(h));
    if (kept == 0 && !retain) return 0; /* also an empty batch a former pass kept and nothing needs now */
    if (kept == read && read == h->record_count) {
        buf_append(out, b, total);
        return 0;
    }
    size_t at = out->len;
    buf_append(out, b, BATCH_HDR_SIZE);
    uint8_t *p = out->p + at;
    int codec = batch_compression(h);
    if (kept == 0) {
        be16_put(p + BATCH_OFF_ATTRIBUTES, (uint16_t)(h->attributes & ~BATCH_ATTR_COMPRESSION_MASK));
        j->st.batches_emptied++;
    } else {
        if (!(h->attributes & BATCH_ATTR_LOG_APPEND_TIME)) be64_put(p + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)max_ts);
        buf_clear(&x->z);
        if ((rc = compress_compress(codec, x->recs.p, x->recs.len, &x->z)) != 0) {
            out->len = at;
            return rc;
        }
        buf_append(out, x->z.p, x->z.len);
        p = out->p + at; /* the append may have moved the buffer */
    }
    be32_put(p + BATCH_OFF_RECORD_COUNT, (uint32_t)kept);
    be32_put(p + BATCH_OFF_LENGTH, (uint32_t)(out->len - at - BATCH_LOG_OVERHEAD));
    be32_put(p + BATCH_OFF_CRC, batch_compute_crc(p));
    return 0;
}

static int clean_segment(struct clean_ctx *x, struct cj_seg *c) {
    struct compact_job *j = x->j;
    struct seg *o = NULL;
    struct seg_reader r;
    struct batch_hdr h;
    struct buf out = {0};
    int64_t pos;
    int rc = seg_create_aside(j->dir, c->base, CLEANED_SUFFIX, j->now_ms, &o);
    if (rc) return rc;
    x->c = c;
    seg_reader_init_fd(&r, c->fd, 0, c->size);
    while ((rc = seg_reader_next(&r, &pos, &h)) == 1) {
        if (atomic_load(&j->cancel)) {
            rc = WERR_AGAIN;
            break;
        }
        size_t total = batch_total_size(&h);
        const uint8_t *b = seg_reader_peek(&r, pos, total);
        if (!b) {
            rc = WERR_IO;
            break;
        }
        int edge = pos == 0 || pos + (int64_t)total == c->size; /* keeps the segment's offset range */
        if ((rc = clean_batch(x, b, total, &h, edge, &out)) != 0) break;
        if (out.len >= OUT_FLUSH_BYTES) {
            if ((rc = seg_append(o, out.p, out.len, j->index_interval, j->now_ms)) != 0) break;
            buf_clear(&out);
        }
    }
    seg_reader_free(&r);
    if (rc == 0 && out.len) rc = seg_append(o, out.p, out.len, j->index_interval, j->now_ms);
    buf_free(&out);
    if (rc == 0 && o->end != c->end) {
        log_error("storage: %s: cleaner: segment %lld would end at %lld, not %lld", j->dir, (long long)c->base,
                  (long long)o->end, (long long)c->end);
        rc = WERR_CORRUPT;
    }
    if (rc == 0) rc = seg_seal(o);
    if (rc == 0) {
        /* keep the old modification time: retention without timestamps goes by it */
        struct timespec ts[2] = {{c->mtime_ms / 1000, (c->mtime_ms % 1000) * 1000000},
                                 {c->mtime_ms / 1000, (c->mtime_ms % 1000) * 1000000}};
        if (futimens(o->fd, ts)) log_warn("storage: %s: cleaner: futimens: %s", j->dir, strerror(errno));
        o->mtime_ms = c->mtime_ms;
        o->created_ms = c->created_ms;
        o->sparse = 1;
        c->out = o;
        j->st.segments++;
        j->st.bytes_before += c->size;
        j->st.bytes_after += o->size;
        crash_point();
        return 0;
    }
    seg_close(o);
    return rc < 0 ? rc : WERR_CORRUPT;
}

int compact_job_run(struct compact_job *j) {
    struct hmap keys = {0}, pids = {0}, txns = {0};
    struct clean_ctx x = {.j = j, .keys = &keys, .pids = &pids, .txns = &txns};
    int rc = scan_producers(j, &pids, &txns, &x.scratch);
    if (rc == 0) rc = build_keys(j, &keys, &txns, &x.scratch);
    for (int i = 0; rc == 0 && i < j->ncl; i++) rc = clean_segment(&x, &j->segs[i]);
    if (rc == 0 && fsu_fsync_dir(j->dir)) rc = WERR_IO;
    if (rc == 0) crash_point();
    hmap_free(&keys);
    hmap_free(&pids);
    txns_free(&txns);
    buf_free(&x.scratch);
    buf_free(&x.recs);
    buf_free(&x.z);
    j->ran = 1;
    j->rc = rc;
    return rc;
}

/* ---- finish (owner thread) ---- */

static int unlink_ext(const char *dir, int64_t base, const char *ext) {
    char path[PATH_MAX];
    seg_path(path, sizeof path, dir, base, ext);
    if (unlink(path) && errno != ENOENT) {
        log_warn("storage: unlink %s: %s", path, strerror(errno));
        return WERR_IO;
    }
    return 0;
}

static void remove_cleaned(const char *dir, int64_t base) {
    unlink_ext(dir, base, "log" CLEANED_SUFFIX);
    unlink_ext(dir, base, "index" CLEANED_SUFFIX);
    unlink_ext(dir, base, "timeindex" CLEANED_SUFFIX);
}

static int rename_ext(const char *dir, int64_t base, const char *ext) {
    char from[PATH_MAX], to[PATH_MAX], e[32];
    snprintf(e, sizeof e, "%s%s", ext, CLEANED_SUFFIX);
    seg_path(from, sizeof from, dir, base, e);
    seg_path(to, sizeof to, dir, base, ext);
    if (rename(from, to)) {
        log_error("storage: rename %s: %s", from, strerror(errno));
        return WERR_IO;
    }
    return 0;
}

/* Index in l->segs of the job's segment c if it is still there (not deleted by retention). */
static int find_live(const struct plog *l, const struct cj_seg *c) {
    for (int i = 0; i < l->nsegs - 1; i++)
        if (l->segs[i] == c->src && l->segs[i]->base == c->base) return i;
    return -1;
}

int plog_compact_finish(struct plog *l, struct compact_job *j, struct plog_compact_stats *st) {
    if (l->job == j) l->job = NULL;
    int rc = j->ran ? j->rc : WERR_AGAIN;
    int swapped = 0, nlive = 0, gone = 0;
    if (rc == 0 && atomic_load(&j->cancel)) rc = WERR_AGAIN;
    int *live = calloc((size_t)j->ncl + 1, sizeof *live);
    if (!live) {
        compact_job_discard(j);
        return WERR_NOMEM;
    }
    if (rc == 0) {
        for (int i = 0; i < j->ncl; i++) {
            live[i] = find_live(l, &j->segs[i]);
            nlive += live[i] >= 0;
        }
        if (nlive == 0) gone = 1; /* retention deleted them all meanwhile: nothing to do */
    }
    /* C: the checkpoint first (see the note at the top) */
    if (rc == 0 && !gone) {
        if ((rc = fsu_write_int64(l->dir, CLEANER_CP_FILE, j->clean_end)) == 0) {
            l->clean_cp = j->clean_end;
            for (int i = 0; i < l->nsegs; i++)
                if (l->segs[i]->base < l->clean_cp) l->segs[i]->sparse = 1;
        }
        crash_point();
    }
    /* U */
    if (rc == 0 && !gone) {
        for (int i = 0; i < j->ncl; i++)
            if (live[i] >= 0 && (unlink_ext(l->dir, j->segs[i].base, "index") ||
                                 unlink_ext(l->dir, j->segs[i].base, "timeindex")))
                rc = WERR_IO; /* an old index must never describe a cleaned log: stop before any rename */
        if (rc == 0 && fsu_fsync_dir(l->dir)) rc = WERR_IO;
        crash_point();
    }
    /* R: oldest first, one directory sync each */
    for (int i = 0; rc == 0 && i < j->ncl; i++) {
        struct cj_seg *c = &j->segs[i];
        if (live[i] < 0) continue;
        if ((rc = rename_ext(l->dir, c->base, "log")) != 0) break;
        int k = find_live(l, c); /* unchanged: nothing else runs on this thread meanwhile */
        struct seg *old = l->segs[k];
        l->size_total += c->out->size - old->size;
        l->segs[k] = c->out;
        c->out = NULL;
        seg_close(old);
        c->src = NULL;
        swapped++;
        if (fsu_fsync_dir(l->dir)) rc = WERR_IO;
        crash_point();
    }
    /* I: a missing index is rebuilt at open, so a failure here is only logged */
    for (int i = 0; i < j->ncl; i++) {
        struct cj_seg *c = &j->segs[i];
        if (live[i] < 0 || c->src) continue; /* not swapped */
        if (rename_ext(l->dir, c->base, "index") || rename_ext(l->dir, c->base, "timeindex"))
            log_warn("storage: %s: cleaned segment %lld: index left to rebuild at the next open", l->dir,
                     (long long)c->base);
    }
    if (swapped) {
        fsu_fsync_dir(l->dir);
        crash_point();
    }
    /* whatever was not swapped: its .cleaned files go */
    for (int i = 0; i < j->ncl; i++)
        if (j->segs[i].src) remove_cleaned(l->dir, j->segs[i].base);
    if (swapped)
        log_info("storage: %s: cleaned %d segments: %lld -> %lld bytes, %lld of %lld records kept, %lld tombstones dropped",
                 l->dir, swapped, (long long)j->st.bytes_before, (long long)j->st.bytes_after,
                 (long long)j->st.records_kept, (long long)j->st.records_read, (long long)j->st.tombstones_dropped);
    if (st) {
        *st = j->st;
        st->segments = swapped;
        st->clean_end = l->clean_cp;
    }
    free(live);
    job_free(j);
    return rc;
}

void compact_job_discard(struct compact_job *j) {
    if (!j) return;
    for (int i = 0; i < j->ncl; i++) remove_cleaned(j->dir, j->segs[i].base);
    job_free(j);
}

int plog_compact(struct plog *l, const struct plog_compact_cfg *cfg, int64_t now_ms, struct plog_compact_stats *st) {
    struct compact_job *j;
    if (st) memset(st, 0, sizeof *st);
    int rc = plog_compact_prepare(l, cfg, now_ms, &j);
    if (rc || !j) return rc;
    compact_job_run(j);
    return plog_compact_finish(l, j, st);
}
