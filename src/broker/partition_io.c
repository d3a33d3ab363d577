/* partition_io: what the coordinators do with their internal topics'
 * partitions: append batches the broker built itself (offsets assigned,
 * producer state and parked fetches updated, a request optionally waiting
 * until the batches are durable), and read every batch back at start. */
#include "broker/core.h"

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "wire/errors.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int partition_append_batches(struct broker *b, struct partition *p, uint8_t *data, size_t len, struct req *r) {
    struct plog_append res;
    int64_t now = clock_wall_ms();
    int rc = plog_append(p->log, data, len, now, p->topic->log_append_time ? now : -1, &res);
    if (rc) {
        log_error("append to %s-%d failed: %s", p->topic->name, p->index, werr_str(rc));
        return KERR_KAFKA_STORAGE_ERROR;
    }
    struct batch_iter it;
    batch_iter_init(&it, data, len);
    const uint8_t *bp;
    size_t bl;
    struct batch_hdr h;
    while (batch_iter_next(&it, &bp, &bl, &h) == 1) pstate_update(p->ps, &h, bp, bl);
    partition_notify_append(b, p);
    if (r && plog_flushed_offset(p->log) <= res.last_offset) partition_add_sync_waiter(b, p, r, res.last_offset + 1);
    return KERR_NONE;
}

/* The token's callback travels in its hstate. */
struct sync_token {
    void (*fn)(struct broker *b, void *ctx);
    void *ctx;
};

static void sync_token_fire(struct broker *b, struct req *tok) {
    struct sync_token *st = tok->hstate;
    if (st->fn) st->fn(b, st->ctx);
    free(st);
    free(tok);
}

struct req *sync_token_new(void (*fn)(struct broker *b, void *ctx), void *ctx) {
    struct req *tok = calloc(1, sizeof *tok);
    struct sync_token *st = malloc(sizeof *st);
    if (!tok || !st) abort();
    st->fn = fn;
    st->ctx = ctx;
    tok->hstate = st;
    tok->on_synced = sync_token_fire;
    tok->pending = 1; /* the guard */
    return tok;
}

void sync_token_arm(struct broker *b, struct req *tok) { req_sync_done(b, tok); }

void sync_token_drop(struct req *tok) {
    struct sync_token *st = tok->hstate;
    free(st->ctx); /* callers pass malloc'ed contexts */
    free(st);
    free(tok);
}

void partition_sync_soon(struct broker *b, struct partition *p, int64_t upto) {
    if (plog_flushed_offset(p->log) >= upto) return;
    struct req *tok = sync_token_new(NULL, NULL);
    partition_add_sync_waiter(b, p, tok, upto);
    sync_token_arm(b, tok);
}

int partition_scan(struct partition *p, partition_scan_fn fn, void *ctx, char *err, size_t errlen) {
    int64_t off = plog_start_offset(p->log), end = plog_end_offset(p->log);
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    while (off < end) {
        struct plog_slice sl;
        rc = plog_read(p->log, off, 8 << 20, 1, &sl);
        if (rc) {
            snprintf(err, errlen, "reading %s-%d at offset %" PRId64 ": %s", p->topic->name, p->index, off,
                     werr_str(rc));
            break;
        }
        if (sl.len <= 0) {
            if (sl.fd >= 0) close(sl.fd);
            break;
        }
        if ((size_t)sl.len > cap) {
            cap = (size_t)sl.len;
            free(buf);
            buf = malloc(cap);
            if (!buf) abort();
        }
        ssize_t got = pread(sl.fd, buf, (size_t)sl.len, sl.pos);
        close(sl.fd);
        if (got != sl.len) {
            snprintf(err, errlen, "reading %s-%d at offset %" PRId64 ": short read", p->topic->name, p->index, off);
            rc = WERR_IO;
            break;
        }
        struct batch_iter it;
        batch_iter_init(&it, buf, (size_t)sl.len);
        const uint8_t *bp;
        size_t bl;
        struct batch_hdr h;
        int64_t next = off;
        while (batch_iter_next(&it, &bp, &bl, &h) == 1) {
            next = batch_last_offset(&h) + 1;
            if ((rc = fn(ctx, &h, bp, bl)) != 0) break;
        }
        if (rc) {
            snprintf(err, errlen, "%s-%d: stopped at offset %" PRId64 ": %s", p->topic->name, p->index, off,
                     werr_str(rc));
            break;
        }
        if (next <= off) break; /* no progress: stop rather than loop */
        off = next;
    }
    free(buf);
    return rc;
}
