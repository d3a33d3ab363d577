/* sink_memory: Spark's memory sink. Keeps the rows of every micro-batch
 * (append, update) or the latest complete result (complete) in process; an
 * embedding program reads them with sink_memory_rows. */
#include <stdlib.h>

#include "engine/connectors/sink.h"
#include "engine/exec/rowtext.h"

struct sink_memory {
    struct sink base;
    struct buf rows; /* rowtext lines */
};

static int memory_committed(struct sink *s, int64_t batch) {
    (void)s;
    (void)batch;
    return 0;
}

static int memory_write(struct sink *s, int64_t batch, const struct op *c) {
    (void)batch;
    struct sink_memory *m = (struct sink_memory *)s;
    if (s->mode == OUT_COMPLETE) buf_clear(&m->rows);
    for (uint32_t b = 0; b < op_collect_nbatches(c); b++) rowtext_format(&m->rows, op_collect_batch(c, b));
    s->rows_written += (int64_t)op_collect_rows(c);
    return 0;
}

static void memory_close(struct sink *s) {
    buf_free(&((struct sink_memory *)s)->rows);
    free(s);
}

static const struct sink_vt memory_vt = {memory_committed, memory_write, memory_close};

int sink_memory_new(const struct cat_entry *t, const struct ty *schema, struct sink **s, char *err, size_t errcap) {
    (void)err;
    (void)errcap;
    struct sink_memory *m = calloc(1, sizeof *m);
    m->base.vt = &memory_vt;
    m->base.schema = schema;
    snprintf(m->base.desc, sizeof m->base.desc, "MemorySink[%s]", t->name);
    *s = &m->base;
    return 0;
}

const char *sink_memory_rows(const struct sink *s, size_t *len) {
    const struct sink_memory *m = (const struct sink_memory *)s;
    *len = m->rows.len;
    return m->rows.p ? (const char *)m->rows.p : "";
}
