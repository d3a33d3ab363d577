/* rowtext: rows as `|`-separated text, the format of the SQL test cases
 * (the .test files in tests/sql) and of the memory source's inline rows.
 *   parsing: one row per line, fields split at '|' and trimmed; NULL is a
 *   NULL; other text converts to the column's type as CAST from string does
 *   (TIMESTAMP '2024-01-01 00:00:05', INT 42, ...). Only atomic column types.
 *   formatting: values as Dataset.show prints them (valfmt VFMT_SHOW),
 *   joined with '|'. */
#ifndef WEIR_ENGINE_ROWTEXT_H
#define WEIR_ENGINE_ROWTEXT_H

#include <stddef.h>

#include "common/buf.h"
#include "engine/exec/vector.h"

/* Appends the rows of text[0..len) to a new batch of `schema` in heap.
 * Returns the batch, or NULL with a message (line number included) in err. */
struct batch *rowtext_parse(struct arena *heap, const struct ty *schema, const char *text, size_t len, char *err,
                            size_t errcap);
/* Appends one line per active row of b. */
void rowtext_format(struct buf *out, const struct batch *b);

#endif
