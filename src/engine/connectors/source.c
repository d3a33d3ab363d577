/* source: see source.h. Dispatch by format and the common options. */
#include "engine/connectors/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int source_open(const struct cat_entry *t, struct source **out, char *err, size_t errcap) {
    if (t->kind != CAT_TABLE || !t->schema) {
        snprintf(err, errcap, "`%s` cannot be read", t->name);
        return -1;
    }
    int rc;
    if (!strcmp(t->format, "rate")) rc = source_rate_new(t, out, err, errcap);
    else if (!strcmp(t->format, "memory")) rc = source_memory_new(t, out, err, errcap);
    else if (!strcmp(t->format, "kafka")) rc = source_kafka_new(t, out, err, errcap);
    else if (!strcmp(t->format, "csv") || !strcmp(t->format, "json")) rc = source_files_new(t, out, err, errcap);
    else {
        snprintf(err, errcap, "no source for format '%s' (kafka, csv, json, rate, memory)", t->format);
        return -1;
    }
    if (rc) return rc;
    const char *m = cat_opt(t, "maxOffsetsPerTrigger");
    if (m) (*out)->max_per_trigger = strtoll(m, NULL, 10);
    return 0;
}
