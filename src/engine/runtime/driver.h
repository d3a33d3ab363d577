/* driver: the micro-batch loop of one streaming query (Spark's
 * MicroBatchExecution), plus one-shot batch queries.
 *
 * The one thing to know first — the order of a micro-batch N:
 *   1. ask every source for its latest offset (the range (start, end])
 *   2. write offsets/N (end offsets, watermark, timestamp), synced
 *   3. run the plan over exactly those ranges (query.h)
 *   4. hand the output to the sink, unless the sink says batch N is already
 *      committed (a re-run after a crash)
 *   5. write the state store version N+1, then commits/N
 * On restart: offsets/L without commits/L means batch L is re-run with
 * exactly offsets/L; otherwise the next batch is L+1 starting at offsets/L.
 * With no checkpointLocation the query keeps no durable state.
 *
 * Triggers (sink option 'trigger', Spark's names): default (next batch as
 * soon as the last ends; idle sources are polled every 10 ms),
 * 'processingTime=<interval>' (batches start on interval boundaries; a late
 * batch starts at once), 'availableNow' (process what the sources have, then
 * a final no-data batch if the watermark moved, then stop), 'once'.
 * A no-data batch runs when the watermark moved and state may be emitted or
 * evicted (append/update mode), as in Spark.
 *
 * Progress: one StreamingQueryProgress JSON object per micro-batch, appended
 * to <checkpoint>/progress.log and written to opts.progress if set. */
#ifndef WEIR_ENGINE_DRIVER_H
#define WEIR_ENGINE_DRIVER_H

#include <stdint.h>
#include <stdio.h>

#include "engine/runtime/session.h"

#define DRV_DONE 2

struct drv_opts {
    const char *checkpoint;   /* overrides the sink's checkpointLocation */
    const char *trigger;      /* overrides the sink's 'trigger' option */
    FILE *console;            /* console sink output (default stdout) */
    FILE *progress;           /* progress JSON lines, or NULL */
    int64_t max_batches;      /* stop after this many micro-batches (0: no limit) */
    /* Set (e.g. by a signal handler) to give up waiting for a source that
     * cannot be reached when the query starts; NULL: wait without end. */
    volatile const int *stop;
};

struct drv;
int drv_open(struct drv **out, struct session *s, struct sess_query *q, const struct drv_opts *o, char *err, size_t errcap);
/* Runs at most one micro-batch if one is due at now_us. Returns 1 (ran one),
 * 0 (nothing to do before drv_due), DRV_DONE, or <0 (drv_error says why;
 * the checkpoint stays resumable). */
int drv_step(struct drv *d, int64_t now_us);
int64_t drv_due(const struct drv *d);
const char *drv_error(const struct drv *d);
int64_t drv_batches_run(const struct drv *d);
void drv_close(struct drv *d);

/* A batch query: reads every source once (Kafka: startingOffsets..endingOffsets,
 * defaults earliest..latest) and prints the result in Dataset.show's layout
 * (all rows). 0 or <0 with err. */
int drv_run_batch_query(struct session *s, struct sess_query *q, FILE *out, char *err, size_t errcap);

int64_t drv_now_us(void);

#endif
