/* sink: where a streaming query's micro-batch output goes. The runtime
 * calls write once per micro-batch with everything the query emitted for
 * it (the collector's batches), after the offsets log entry and before the
 * commit entry; a sink that can make a batch idempotent (files) reports an
 * already-written batch through `committed` so a re-run after a crash does
 * not write it twice.
 *
 * Formats (CREATE TABLE ... USING <format> OPTIONS (...), Spark's names):
 *   console   numRows (20), truncate (true): Spark's table layout on stdout
 *   memory    rows kept in process (queryable by the embedding program)
 *   csv       path, header, sep, quote, escape, nullValue, compression (none/gzip/zstd)
 *   json      path, compression: JSON lines, NULL fields left out
 *   kafka     kafka.bootstrap.servers, topic, kafka.*: one message per row
 *             (value [, key, topic, partition, headers]); exactly once through
 *             transactions when it can, else at least once (sink_kafka.c)
 * csv/json write part files plus a _spark_metadata manifest per batch. */
#ifndef WEIR_ENGINE_SINK_H
#define WEIR_ENGINE_SINK_H

#include <stdint.h>
#include <stdio.h>

#include "engine/exec/op.h"
#include "engine/plan/plan.h"

struct sink;
struct sink_vt {
    /* 1 if batch was already written (idempotent re-run), 0 if not, <0 error */
    int (*committed)(struct sink *s, int64_t batch_id);
    int (*write)(struct sink *s, int64_t batch_id, const struct op *collector);
    void (*close)(struct sink *s);
};

struct sink {
    const struct sink_vt *vt;
    const struct ty *schema;
    enum out_mode mode;
    int64_t rows_written;
    char desc[256];            /* for progress: "ConsoleSink", "FileSink[path]" */
};

/* Opens the sink of table t for rows of `schema`. Errors go to err. */
/* query_id: the checkpoint's query id (NULL without a checkpoint); the
 * Kafka sink needs it for exactly-once transactions. */
int sink_open(const struct cat_entry *t, const struct ty *schema, enum out_mode mode, FILE *console, const char *query_id,
              struct sink **out, char *err, size_t errcap);
static inline void sink_close(struct sink *s) {
    if (s) s->vt->close(s);
}

/* Spark's Dataset.show table for the rows of a collector (used by the
 * console sink and by batch SELECTs). */
void sink_show(FILE *f, const struct op *collector, const struct ty *schema, int num_rows, int truncate);

/* Constructors used by sink_open. */
int sink_console_new(const struct cat_entry *t, const struct ty *schema, FILE *out, struct sink **s, char *err, size_t errcap);
int sink_memory_new(const struct cat_entry *t, const struct ty *schema, struct sink **s, char *err, size_t errcap);
/* The memory sink's rows as rowtext lines (valid until the next write). */
const char *sink_memory_rows(const struct sink *s, size_t *len);
int sink_kafka_new(const struct cat_entry *t, const struct ty *schema, const char *query_id, struct sink **s, char *err,
                   size_t errcap);
/* The kafka sink's last failure message. */
const char *sink_kafka_error(const struct sink *s);
int sink_files_new(const struct cat_entry *t, const struct ty *schema, struct sink **s, char *err, size_t errcap);

#endif
