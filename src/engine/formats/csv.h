/* csv: record tokenizer and writer with Spark's CSV options and defaults.
 *
 * Reading: csv_next splits one record (one line, or several with multiLine
 * when a quoted field spans lines) into field slices. A slice points into
 * the caller's input when the field needed no unescaping, otherwise into
 * the reader's scratch buffer; either
 * way slices are valid until the next csv_next/csv_parse_record call on the
 * same reader, or until the input is freed. The tokenizer knows nothing of
 * schemas: it reports the field count and whether the record was malformed
 * (unterminated quote), and csv_check_width compares the count with the
 * schema so the caller applies Spark's mode:
 *   PERMISSIVE    too few -> missing fields NULL; too many -> extra dropped;
 *                 the row also carries the raw text in columnNameOfCorruptRecord
 *   DROPMALFORMED drop the record;  FAILFAST  fail the query.
 *
 * Writing: csv_write_field / csv_write_end append to a struct buf with
 * Spark's writer defaults: quote a value only when it contains sep, quote,
 * CR or LF (quoteAll=false), escape quotes inside quoted values with the
 * escape char (escapeQuotes=true, escape '\\': a"b -> "a\"b"), trim leading
 * and trailing white space (ignore*WhiteSpace default true for writing),
 * NULL as nullValue (empty, unquoted), the empty string as emptyValue
 * (write default "\"\"", i.e. a quoted empty string), lines end in "\n".
 *
 * Options are plain data: fill them with csv_opts_init (reader or writer
 * defaults differ as in Spark) and csv_opts_set (Spark option names).
 * A reader is single-threaded; options may be shared read-only. */
#ifndef WEIR_CSV_H
#define WEIR_CSV_H

#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

struct csv_opts {
    char sep;              /* "sep"/"delimiter", default ',' */
    char quote;            /* "quote", default '"'; 0 disables quoting (Spark: empty string) */
    char escape;           /* "escape", default '\\' */
    char esc_escape;       /* "charToEscapeQuoteEscaping": default escape if escape != quote, else 0 */
    char comment;          /* "comment", default 0 = disabled */
    int ignore_leading_ws; /* "ignoreLeadingWhiteSpace": read false, write true */
    int ignore_trailing_ws;/* "ignoreTrailingWhiteSpace": read false, write true */
    int quote_all;         /* "quoteAll" (write), default false */
    int escape_quotes;     /* "escapeQuotes" (write), default true */
    int header;            /* "header", default false: the caller skips/writes the first line */
    int multi_line;        /* "multiLine", default false: as Spark, a record is one line and a
                            * line end inside quotes ends it as CSV_UNTERMINATED_QUOTE; true lets
                            * quoted fields span lines (csv_parse_record always allows it) */
    const char *null_value;  /* "nullValue", default "" (borrowed: must outlive the opts) */
    const char *empty_value; /* "emptyValue": read default "", write default "\"\"" */
    int max_columns;       /* "maxColumns", default 20480 */
};

enum csv_role { CSV_READ, CSV_WRITE };
void csv_opts_init(struct csv_opts *o, enum csv_role role);
/* Applies one Spark option (key case-insensitive as in Spark). val is
 * borrowed for nullValue/emptyValue. Returns 0, WERR_INVALID for a bad value
 * (message in err[errcap] if err), WERR_NOTFOUND for a key this module does
 * not handle (mode, inferSchema, ... belong to the caller). */
int csv_opts_set(struct csv_opts *o, const char *key, const char *val, char *err, size_t errcap);

struct csv_field {
    const char *p;  /* not NUL-terminated */
    uint32_t len;
    uint8_t quoted; /* the field was enclosed in quotes */
    uint8_t null;   /* the field is NULL: unquoted and equal to nullValue */
};

enum csv_status {
    CSV_OK = 0,
    CSV_UNTERMINATED_QUOTE = 1, /* input ended inside a quoted field */
    CSV_TOO_MANY_COLUMNS = 2,   /* more than maxColumns fields; extras dropped */
};

struct csv_record {
    struct csv_field *fields; /* owned by the reader */
    int nfields;
    int status;               /* enum csv_status */
    const char *raw;          /* the record's text (without its line ending) */
    size_t raw_len;
    int64_t line;             /* 1-based line where the record started */
};

struct csv_reader {
    struct csv_opts o;
    struct csv_field *fields;
    int cap;
    struct buf scratch;
    uint32_t *scratch_off; /* per field: offset into scratch, or UINT32_MAX */
    int64_t line;
};

void csv_reader_init(struct csv_reader *r, const struct csv_opts *o);
void csv_reader_free(struct csv_reader *r);

/* Tokenizes the next record of data[*pos..len) and advances *pos past it
 * and its line ending. Empty lines and comment lines are skipped, as Spark
 * does. Returns 1 with *rec filled, 0 when no record is left, or WERR_AGAIN
 * when final == 0 and the record runs into the end of data (the caller
 * appends more input and calls again at the same *pos; nothing consumed).
 * Malformed records are still returned (1) with rec->status set. */
int csv_next(struct csv_reader *r, const char *data, size_t len, size_t *pos, int final, struct csv_record *rec);
/* Tokenizes s[0..n) as exactly one record (from_csv on one value): line
 * breaks outside quotes are field content, not record ends. Returns 0. */
int csv_parse_record(struct csv_reader *r, const char *s, size_t n, struct csv_record *rec);

/* Compares a record's width with the schema's. */
enum csv_width { CSV_WIDTH_OK = 0, CSV_WIDTH_FEW = -1, CSV_WIDTH_MANY = 1 };
static inline int csv_check_width(const struct csv_record *rec, int expected) {
    return rec->nfields == expected ? CSV_WIDTH_OK : rec->nfields < expected ? CSV_WIDTH_FEW : CSV_WIDTH_MANY;
}

/* Writer. Appends one field (a separator first unless first != 0); s == NULL
 * writes NULL. */
void csv_write_field(const struct csv_opts *o, struct buf *out, int first, const char *s, size_t n);
/* Ends the record ("\n"). */
void csv_write_end(const struct csv_opts *o, struct buf *out);
/* Writes a whole record of n NUL-terminated strings (NULL entries are
 * NULLs), e.g. the header line. */
void csv_write_record(const struct csv_opts *o, struct buf *out, const char *const *vals, int n);

#endif
