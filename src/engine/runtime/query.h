/* query: runs a bound plan as a sequence of micro-batches, independent of
 * where the input comes from and where the output goes.
 *
 * The one thing to know first: a micro-batch is query_begin, any number of
 * query_push calls (each source batch travels the whole pipeline inside the
 * call), then query_end, which finishes every source (stateful operators
 * emit into the collector there) and computes the watermark the *next*
 * micro-batch will use — Spark's order. The caller reads the collector
 * (q->pipe.sink) after query_end and clears it. When query_end reports that
 * the watermark moved and the query holds state, the caller should run a
 * no-data micro-batch (begin + end with no push) so that windows the new
 * watermark closes are emitted and evicted, as Spark does. */
#ifndef WEIR_ENGINE_QUERY_H
#define WEIR_ENGINE_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/exec/physical.h"
#include "engine/plan/plan.h"

struct query {
    struct plan plan;
    struct pipeline pipe;
    struct run_ctx rc;
    struct arena arena;        /* batch arena, reset after each push */
    int64_t next_batch_id;
    int64_t watermark_us;      /* for the next micro-batch (WM_NONE before any) */
    int64_t event_min, event_max; /* event time seen in the current micro-batch (progress) */
    char error[512];           /* why a push/end failed (a FAILFAST parse, ...) */
};

/* The message of the last failure ("" if none). */
const char *query_error(const struct query *q);

/* Takes ownership of *plan (cleared). */
int query_open(struct query *q, struct plan *plan, enum out_mode mode);
void query_close(struct query *q);
void query_begin(struct query *q, int64_t now_us);
/* Pushes one batch of source `src` (index into q->pipe.srcs). */
int query_push(struct query *q, uint32_t src, const struct batch *b);
/* Ends the micro-batch. *want_nodata: the watermark for the next batch
 * moved and a stateful operator may emit or evict because of it (append and
 * update mode; Spark runs no extra batch in complete mode). */
int query_end(struct query *q, bool *want_nodata);

/* State store (state/store.h): after query_end, writes the changes of that
 * micro-batch for every stateful operator i to <state_dir>/<i>/0/<V>.delta,
 * V = the micro-batch id + 1 (a .snapshot every SST_SNAPSHOT_EVERY versions).
 * query_state_load restores version V into a freshly opened query and makes
 * the next micro-batch id V. */
int query_state_save(struct query *q, const char *state_dir);
int query_state_load(struct query *q, const char *state_dir, int64_t version, int64_t watermark_us);

#endif
