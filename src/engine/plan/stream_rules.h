/* stream_rules: validation of a streaming plan against its output mode
 * (see stream_rules.c for the table). */
#ifndef WEIR_ENGINE_STREAM_RULES_H
#define WEIR_ENGINE_STREAM_RULES_H

#include <stddef.h>
#include <string.h>

#include "engine/exec/op.h"
#include "engine/plan/plan.h"

/* 0 if the plan may run in `mode`; else -1 with Spark's message in err and
 * the source position of the offending node in *pos. Batch plans pass. */
int stream_check(const struct lp *root, enum out_mode mode, uint32_t *pos, char *err, size_t errcap);
/* "append" / "update" / "complete" (any case). */
int stream_parse_mode(const char *s, enum out_mode *out);

#endif
