/* pstate: see pstate.h. Producers live in a hash map keyed by producer id;
 * each keeps a ring of its last PSTATE_BATCHES batches. The snapshot is a
 * small binary file:
 *   "WPS2" | int64 offset | int32 count | per producer:
 *   int64 pid | int16 epoch | int64 txn_first | int32 nbatches | nbatches x
 *   (int32 first_seq, int32 last_seq, int64 base_offset, int32 last_offset_delta, int64 max_timestamp)
 *   | int32 naborted | naborted x (int64 pid, int64 first, int64 last)
 *   | uint32 crc32c of everything before */
#include "broker/pstate.h"

#include "common/buf.h"
#include "common/crc32c.h"
#include "common/err.h"
#include "common/hmap.h"
#include "common/log.h"
#include "wire/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pbatch {
    int32_t first_seq, last_seq;
    int64_t base_offset;
    int32_t last_offset_delta;
    int64_t max_timestamp;
};

struct producer {
    int64_t pid;
    int16_t epoch;
    int64_t txn_first; /* first offset of its open transaction, -1 if none */
    int nb;            /* batches held (<= PSTATE_BATCHES) */
    int head;          /* index of the newest */
    struct pbatch b[PSTATE_BATCHES];
};

struct pstate {
    struct hmap by_pid;
    struct ptxn_aborted *aborted; /* sorted by last_offset */
    int naborted, capaborted;
    int nopen;            /* producers with an open transaction */
    int64_t lso_cache;    /* first unstable offset, valid while lso_valid */
    int lso_valid;
    int dirty;
    int64_t snap_off; /* log end offset the last snapshot covered */
};

static struct producer *get(struct pstate *ps, int64_t pid) { return hmap_get(&ps->by_pid, &pid, sizeof pid); }

static struct producer *get_or_add(struct pstate *ps, int64_t pid) {
    struct producer *p = get(ps, pid);
    if (p) return p;
    p = calloc(1, sizeof *p);
    if (!p) abort();
    p->pid = pid;
    p->epoch = -1;
    p->txn_first = -1;
    p->head = -1;
    hmap_put(&ps->by_pid, &pid, sizeof pid, p);
    return p;
}

static void push_batch(struct producer *p, const struct pbatch *b) {
    p->head = (p->head + 1) % PSTATE_BATCHES;
    p->b[p->head] = *b;
    if (p->nb < PSTATE_BATCHES) p->nb++;
}

static int32_t last_seq_of(const struct batch_hdr *h) {
    int64_t s = (int64_t)h->base_sequence + h->last_offset_delta;
    return (int32_t)(s > INT32_MAX ? s - INT32_MAX - 1 : s); /* sequences wrap after INT32_MAX */
}

static int in_sequence(int32_t last, int32_t next) { return next == last + 1 || (last == INT32_MAX && next == 0); }

int pstate_control_type(const uint8_t *batch, size_t len) {
    struct batch_rec_iter it;
    struct batch_record rec;
    if (batch_rec_iter_init(&it, batch, len) || batch_rec_iter_next(&it, &rec) != 1) return -1;
    if (!rec.key || rec.key_len < 4) return -1;
    int type = (int16_t)be16_get(rec.key + 2);
    return type == CTRL_ABORT || type == CTRL_COMMIT ? type : -1;
}

static void add_aborted(struct pstate *ps, int64_t pid, int64_t first, int64_t last) {
    if (ps->naborted == ps->capaborted) {
        ps->capaborted = ps->capaborted ? ps->capaborted * 2 : 16;
        ps->aborted = realloc(ps->aborted, (size_t)ps->capaborted * sizeof *ps->aborted);
        if (!ps->aborted) abort();
    }
    ps->aborted[ps->naborted++] = (struct ptxn_aborted){pid, first, last};
}

void pstate_update(struct pstate *ps, const struct batch_hdr *h, const uint8_t *batch, size_t len) {
    if (h->producer_id < 0) return;
    struct producer *p = get_or_add(ps, h->producer_id);
    ps->dirty = 1;
    if (h->attributes & BATCH_ATTR_CONTROL) {
        int type = batch ? pstate_control_type(batch, len) : -1;
        if (p->txn_first >= 0) {
            if (type == CTRL_ABORT) add_aborted(ps, p->pid, p->txn_first, h->base_offset);
            p->txn_first = -1;
            ps->nopen--;
            ps->lso_valid = 0;
        }
        if (h->producer_epoch > p->epoch) { /* a marker written after fencing carries the new epoch */
            p->epoch = h->producer_epoch;
            p->nb = 0;
            p->head = -1;
        }
        return;
    }
    if (h->producer_epoch != p->epoch) {
        p->epoch = h->producer_epoch;
        p->nb = 0;
        p->head = -1;
    }
    if ((h->attributes & BATCH_ATTR_TRANSACTIONAL) && p->txn_first < 0) {
        p->txn_first = h->base_offset;
        ps->nopen++;
        ps->lso_valid = 0;
    }
    struct pbatch b = {h->base_sequence, last_seq_of(h), h->base_offset, h->last_offset_delta, h->max_timestamp};
    push_batch(p, &b);
}

int64_t pstate_first_unstable(struct pstate *ps) {
    if (ps->nopen <= 0) return -1;
    if (!ps->lso_valid) {
        int64_t min = -1;
        size_t it = 0;
        void *v;
        while (hmap_next(&ps->by_pid, &it, NULL, NULL, &v)) {
            const struct producer *p = v;
            if (p->txn_first >= 0 && (min < 0 || p->txn_first < min)) min = p->txn_first;
        }
        ps->lso_cache = min;
        ps->lso_valid = 1;
    }
    return ps->lso_cache;
}

int pstate_txn_open(struct pstate *ps, int64_t pid) {
    struct producer *p = get(ps, pid);
    return p && p->txn_first >= 0;
}

int pstate_open_txns(struct pstate *ps, struct ptxn_open **out) {
    *out = NULL;
    if (ps->nopen <= 0) return 0;
    struct ptxn_open *v = malloc((size_t)ps->nopen * sizeof *v);
    if (!v) abort();
    int n = 0;
    size_t it = 0;
    void *x;
    while (hmap_next(&ps->by_pid, &it, NULL, NULL, &x)) {
        const struct producer *p = x;
        if (p->txn_first >= 0 && n < ps->nopen) v[n++] = (struct ptxn_open){p->pid, p->txn_first, p->epoch};
    }
    *out = v;
    return n;
}

void pstate_aborted_in(struct pstate *ps, int64_t from, int64_t upto, const struct ptxn_aborted **out, int *n) {
    /* sorted by last_offset: skip those that ended before `from` */
    int lo = 0, hi = ps->naborted;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ps->aborted[mid].last_offset < from) lo = mid + 1;
        else hi = mid;
    }
    /* a later entry (a longer transaction of another producer) may still
     * start before upto: the span runs to the last one that does; entries
     * inside it that start later are harmless to clients */
    int k = lo;
    for (int i = lo; i < ps->naborted; i++)
        if (ps->aborted[i].first_offset < upto) k = i + 1;
    *out = ps->aborted + lo;
    *n = k - lo;
}

enum pstate_verdict pstate_check(struct pstate *ps, const struct batch_hdr *h, int64_t *dup_base_offset,
                                 int16_t *kerr) {
    struct producer *p = get(ps, h->producer_id);
    if (!p || p->nb == 0) return PS_APPEND; /* unknown producer (or state expired): accept, as Kafka does */
    if (h->producer_epoch < p->epoch) {
        *kerr = KERR_INVALID_PRODUCER_EPOCH;
        return PS_ERROR;
    }
    if (h->producer_epoch > p->epoch) {
        if (h->base_sequence != 0) {
            *kerr = KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
            return PS_ERROR;
        }
        return PS_APPEND;
    }
    int32_t last = last_seq_of(h);
    for (int i = 0; i < p->nb; i++) {
        const struct pbatch *b = &p->b[(p->head - i + PSTATE_BATCHES) % PSTATE_BATCHES];
        if (b->first_seq == h->base_sequence && b->last_seq == last) {
            *dup_base_offset = b->base_offset;
            return PS_DUPLICATE;
        }
    }
    if (!in_sequence(p->b[p->head].last_seq, h->base_sequence)) {
        *kerr = KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
        return PS_ERROR;
    }
    return PS_APPEND;
}

int pstate_count(const struct pstate *ps) { return (int)ps->by_pid.n; }

/* ---- snapshot ---- */

int pstate_snapshot(struct pstate *ps, const char *dir, int64_t log_start, int64_t log_end) {
    if (!ps->dirty && log_end == ps->snap_off) return 0;
    int drop = 0; /* aborted transactions wholly below the log start are gone */
    while (drop < ps->naborted && ps->aborted[drop].last_offset < log_start) drop++;
    if (drop) {
        memmove(ps->aborted, ps->aborted + drop, (size_t)(ps->naborted - drop) * sizeof *ps->aborted);
        ps->naborted -= drop;
    }
    struct buf b = {0};
    buf_append(&b, "WPS2", 4);
    buf_be64(&b, (uint64_t)log_end);
    buf_be32(&b, (uint32_t)ps->by_pid.n);
    size_t it = 0;
    void *v;
    while (hmap_next(&ps->by_pid, &it, NULL, NULL, &v)) {
        struct producer *p = v;
        buf_be64(&b, (uint64_t)p->pid);
        buf_be16(&b, (uint16_t)p->epoch);
        buf_be64(&b, (uint64_t)p->txn_first);
        buf_be32(&b, (uint32_t)p->nb);
        for (int i = p->nb - 1; i >= 0; i--) { /* oldest first */
            const struct pbatch *x = &p->b[(p->head - i + PSTATE_BATCHES) % PSTATE_BATCHES];
            buf_be32(&b, (uint32_t)x->first_seq);
            buf_be32(&b, (uint32_t)x->last_seq);
            buf_be64(&b, (uint64_t)x->base_offset);
            buf_be32(&b, (uint32_t)x->last_offset_delta);
            buf_be64(&b, (uint64_t)x->max_timestamp);
        }
    }
    buf_be32(&b, (uint32_t)ps->naborted);
    for (int i = 0; i < ps->naborted; i++) {
        buf_be64(&b, (uint64_t)ps->aborted[i].pid);
        buf_be64(&b, (uint64_t)ps->aborted[i].first_offset);
        buf_be64(&b, (uint64_t)ps->aborted[i].last_offset);
    }
    buf_be32(&b, crc32c(0, b.p, b.len));
    char path[1200], tmp[1300];
    snprintf(path, sizeof path, "%s/producer-state", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = WERR_IO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0 && write(fd, b.p, b.len) == (ssize_t)b.len && fdatasync(fd) == 0 && close(fd) == 0) {
        fd = -1;
        if (rename(tmp, path) == 0) rc = 0;
    }
    if (fd >= 0) close(fd);
    buf_free(&b);
    if (rc) log_warn("cannot write producer state snapshot %s: %s", path, strerror(errno));
    else {
        ps->dirty = 0;
        ps->snap_off = log_end;
    }
    return rc;
}

/* Reads the snapshot; returns the offset it covers, or -1 if none/invalid. */
static int64_t load_snapshot(struct pstate *ps, const char *dir) {
    char path[1200];
    snprintf(path, sizeof path, "%s/producer-state", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    struct buf b = {0};
    uint8_t tmp[8192];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, r);
    fclose(f);
    int64_t off = -1;
    const uint8_t *p = b.p, *end = b.p + b.len;
    if (b.len < 24 || memcmp(p, "WPS2", 4) || crc32c(0, p, b.len - 4) != be32_get(end - 4)) goto out;
    end -= 4;
    int64_t snap_off = (int64_t)be64_get(p + 4);
    uint32_t n = be32_get(p + 12);
    p += 16;
    for (uint32_t i = 0; i < n; i++) {
        if (end - p < 22) goto out;
        int64_t pid = (int64_t)be64_get(p);
        int16_t epoch = (int16_t)be16_get(p + 8);
        int64_t txn_first = (int64_t)be64_get(p + 10);
        uint32_t nb = be32_get(p + 18);
        p += 22;
        if (nb > PSTATE_BATCHES || end - p < (ptrdiff_t)(nb * 28)) goto out;
        struct producer *pr = get_or_add(ps, pid);
        pr->epoch = epoch;
        pr->txn_first = txn_first;
        if (txn_first >= 0) ps->nopen++;
        for (uint32_t k = 0; k < nb; k++) {
            struct pbatch x = {(int32_t)be32_get(p), (int32_t)be32_get(p + 4), (int64_t)be64_get(p + 8),
                               (int32_t)be32_get(p + 16), (int64_t)be64_get(p + 20)};
            push_batch(pr, &x);
            p += 28;
        }
    }
    if (end - p < 4) goto out;
    uint32_t na = be32_get(p);
    p += 4;
    if ((uint64_t)(end - p) < (uint64_t)na * 24) goto out;
    for (uint32_t i = 0; i < na; i++, p += 24)
        add_aborted(ps, (int64_t)be64_get(p), (int64_t)be64_get(p + 8), (int64_t)be64_get(p + 16));
    off = snap_off;
out:
    buf_free(&b);
    return off;
}

static void clear(struct pstate *ps) {
    size_t it = 0;
    void *v;
    while (hmap_next(&ps->by_pid, &it, NULL, NULL, &v)) free(v);
    hmap_free(&ps->by_pid);
    free(ps->aborted);
    ps->aborted = NULL;
    ps->naborted = ps->capaborted = ps->nopen = 0;
    ps->lso_valid = 0;
}

/* Replays the batch headers of the log from offset `from` to its end.
 * Reads 64 KiB windows and parses only headers, jumping over batch bodies,
 * so replaying a log of large batches reads a small part of it. */
static int replay(struct pstate *ps, struct plog *log, int64_t from) {
    int64_t off = from > plog_start_offset(log) ? from : plog_start_offset(log);
    int64_t end = plog_end_offset(log);
    enum { WIN = 64 * 1024 };
    uint8_t *win = malloc(WIN);
    if (!win) abort();
    int rc = 0;
    while (off < end) {
        struct plog_slice sl;
        rc = plog_read(log, off, 8 << 20, 1, &sl);
        if (rc || sl.len <= 0) {
            if (!rc) close(sl.fd);
            break;
        }
        int64_t pos = sl.pos, stop = sl.pos + sl.len, next = off;
        while (pos + BATCH_HDR_SIZE <= stop) {
            size_t want = (size_t)(stop - pos < WIN ? stop - pos : WIN);
            ssize_t got = pread(sl.fd, win, want, pos);
            if (got < BATCH_HDR_SIZE) {
                rc = WERR_IO;
                break;
            }
            size_t at = 0;
            while (at + BATCH_HDR_SIZE <= (size_t)got) {
                struct batch_hdr h;
                if (batch_parse_header(win + at, (size_t)got - at, &h) || h.batch_length < BATCH_HDR_SIZE - 12) {
                    rc = WERR_CORRUPT;
                    break;
                }
                if (batch_last_offset(&h) >= off) {
                    if (!(h.attributes & BATCH_ATTR_CONTROL)) {
                        pstate_update(ps, &h, NULL, 0);
                    } else if (at + batch_total_size(&h) <= (size_t)got) {
                        pstate_update(ps, &h, win + at, batch_total_size(&h));
                    } else { /* a control batch cut by the window: read it whole */
                        size_t n = batch_total_size(&h);
                        uint8_t *cb = malloc(n);
                        if (!cb) abort();
                        if (pread(sl.fd, cb, n, pos + (int64_t)at) == (ssize_t)n) pstate_update(ps, &h, cb, n);
                        free(cb);
                    }
                }
                next = batch_last_offset(&h) + 1;
                at += batch_total_size(&h);
            }
            if (rc) break;
            pos += (int64_t)at;
        }
        close(sl.fd);
        if (rc || next <= off) break; /* no progress: stop rather than loop */
        off = next;
    }
    free(win);
    return rc;
}

int pstate_open(const char *dir, struct plog *log, struct pstate **out) {
    struct pstate *ps = calloc(1, sizeof *ps);
    if (!ps) abort();
    int64_t snap = load_snapshot(ps, dir);
    if (snap > plog_end_offset(log) || snap < 0) { /* stale (log was cut) or none: rebuild from the log */
        clear(ps);
        snap = plog_start_offset(log);
    }
    int rc = replay(ps, log, snap);
    ps->dirty = 1;
    ps->snap_off = -1;
    *out = ps;
    return rc;
}

void pstate_free(struct pstate *ps) {
    if (!ps) return;
    clear(ps);
    free(ps);
}
