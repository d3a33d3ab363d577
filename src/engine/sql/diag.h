/* diag: error messages that point into SQL source. Every stage (lexer,
 * parser, binder, planner) records an error as a byte offset plus a message;
 * diag_format turns it into
 *     pipeline.sql:3:14: error: cannot resolve column 'TSX'
 *         3 | FROM readings WATERMARK TSX DELAY OF INTERVAL 5 minutes
 *           |                         ^
 * Lines and columns are 1-based; a column counts bytes (tabs count as one). */
#ifndef WEIR_ENGINE_DIAG_H
#define WEIR_ENGINE_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* 1-based line and column of byte offset pos in src. */
void diag_linecol(const char *src, size_t len, uint32_t pos, int *line, int *col);
/* Appends the message above (file may be NULL: then "line:col: error: ..."). */
void diag_format(struct buf *b, const char *file, const char *src, size_t len, uint32_t pos, const char *msg);

#endif
