/* sink: see sink.h. Dispatch by format. */
#include "engine/connectors/sink.h"

#include <string.h>

int sink_open(const struct cat_entry *t, const struct ty *schema, enum out_mode mode, FILE *console, const char *query_id,
              struct sink **out, char *err, size_t errcap) {
    int rc;
    if (!strcmp(t->format, "console")) rc = sink_console_new(t, schema, console, out, err, errcap);
    else if (!strcmp(t->format, "memory")) rc = sink_memory_new(t, schema, out, err, errcap);
    else if (!strcmp(t->format, "csv") || !strcmp(t->format, "json")) {
        if (mode != OUT_APPEND) {
            snprintf(err, errcap, "the %s file sink supports only append output mode (Spark's rule)", t->format);
            return -1;
        }
        rc = sink_files_new(t, schema, out, err, errcap);
    } else if (!strcmp(t->format, "kafka")) {
        rc = sink_kafka_new(t, schema, query_id, out, err, errcap);
    } else {
        snprintf(err, errcap, "no sink for format '%s' (console, memory, csv, json, kafka)", t->format);
        return -1;
    }
    if (!rc) (*out)->mode = mode;
    return rc;
}
