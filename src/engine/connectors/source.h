/* source: where a query's rows come from, as offset ranges.
 *
 * The one thing to know first: a source never decides on its own what a
 * micro-batch contains. The runtime asks for the latest offset (`latest`),
 * writes the range (previous end, new end] to the offsets log, and only then
 * reads exactly that range (`read`); after a crash it reads the same range
 * again from the log. Offsets are one-line JSON texts owned by the source
 * (Kafka: {"topic":{"0":42}}; rate: the row count).
 *
 * Formats: csv and json files (source_files.c), rate (rowsPerSecond), memory (rows given
 * inline with the 'rows' option in the test row format, or none: a stream
 * fed by the embedding program), kafka (through connectors/kafka_src). */
#ifndef WEIR_ENGINE_SOURCE_H
#define WEIR_ENGINE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "engine/exec/vector.h"
#include "engine/plan/plan.h"

struct source;
typedef int (*source_emit)(void *ctx, const struct batch *b);

struct source_vt {
    /* The start offsets of the query's first micro-batch (for a batch query:
     * of the whole read), into out. The runtime records them in the
     * checkpoint (sources/<i>/0) so a restart begins at the same place. */
    int (*initial)(struct source *s, bool batch_query, struct buf *out);
    /* A batch query's end offsets (endingOffsets; default: latest). */
    int (*ending)(struct source *s, const char *start, struct buf *out);
    /* The offset a micro-batch starting after `start` may read up to, into end; *has_data if that range is not
     * empty. max_rows > 0 limits the range (maxOffsetsPerTrigger); max_rows < 0
     * asks for everything there is, ignoring the source's own per-trigger
     * limits too (maxFilesPerTrigger): availableNow's target. */
    int (*latest)(struct source *s, const char *start, int64_t max_rows, struct buf *end, bool *has_data);
    /* Reads (start, end] and passes batches of the table's schema to emit;
     * batches are valid during the emit call only. */
    int (*read)(struct source *s, const char *start, const char *end, source_emit emit, void *ctx);
    void (*close)(struct source *s);
    /* availableNow: out = the smaller of `end` and `target` (per partition),
     * so a query stops at what was there when it started. */
    int (*clamp)(struct source *s, const char *start, const char *end, const char *target, struct buf *out);
    /* Optional: the micro-batch that read up to `end` is committed (Kafka:
     * store the offsets in a consumer group so lag tools see the query).
     * Failures are the source's to report; they never stop the query. */
    void (*done)(struct source *s, const char *end, const char *query_id);
};

struct source {
    const struct source_vt *vt;
    const struct cat_entry *table;
    const struct ty *schema;
    char desc[256];            /* for progress: "RateStreamV2[rowsPerSecond=1, ...]" */
    int64_t max_per_trigger;   /* maxOffsetsPerTrigger, 0 = none */
    char err[512];             /* the last failure, for messages */
};

int source_open(const struct cat_entry *t, struct source **out, char *err, size_t errcap);
static inline void source_close(struct source *s) {
    if (s) s->vt->close(s);
}

int source_files_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap);
int source_kafka_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap);
int source_rate_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap);
int source_memory_new(const struct cat_entry *t, struct source **out, char *err, size_t errcap);
/* Appends rows (rowtext) to a memory source: the next micro-batch sees them. */
int source_memory_add(struct source *s, const char *text, size_t len, char *err, size_t errcap);

#endif
