/* codec: a table-driven encoder/decoder for Kafka protocol messages.
 *
 * Every request and response body is described once, as a schema: a list of
 * fields, each with its wire type, the versions it appears in, the version
 * from which it is nullable, its tag (for tagged fields of flexible
 * versions) and its offset in a plain C struct. One generic decoder fills the
 * struct from bytes and one generic encoder writes the struct to bytes, for
 * every version, flexible (compact strings/arrays, unsigned varint lengths,
 * tagged-field sections) or not. Handlers work with ordinary C structs.
 *
 * Representation in C structs:
 *   BOOL/INT8 int8_t, INT16 int16_t, UINT16 uint16_t, INT32 int32_t,
 *   UINT32 uint32_t, INT64 int64_t, FLOAT64 double, UUID uint8_t[16],
 *   STRING struct wstr, BYTES struct wbytes, RECORDS struct wrecs,
 *   STRUCT an embedded struct, ARRAY struct warr (typed with WARR(T)).
 *   A null string/bytes/records has p == NULL (zero-initialised = null);
 *   a null array has n == -1. Empty strings must point somewhere ("").
 * Decoding allocates arrays from an arena and points strings, bytes and
 * records into the input buffer (no copies): the decoded struct is valid
 * while both the arena and the input are.
 * Fields absent in a version take their default (`def`, 0 if unset).
 *
 * A decode failure is a value: wrd.err is set, with the byte offset and the
 * field being read, for the broker's log line. */
#ifndef WEIR_WIRE_CODEC_H
#define WEIR_WIRE_CODEC_H

#include "common/arena.h"
#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

struct wstr {
    const char *p; /* NULL = null */
    int32_t n;
};
struct wbytes {
    const uint8_t *p; /* NULL = null */
    int32_t n;
};
/* Record batches: in memory (p), or, for responses only, a file range sent
 * with sendfile (fd >= 0 with is_file set). The fd is owned by whoever
 * queued the response (see wout_file_fds). */
struct wrecs {
    const uint8_t *p;
    int32_t n;
    uint8_t is_file;
    int fd;
    int64_t pos;
};
struct warr {
    void *v;
    int32_t n; /* -1 = null */
};
#define WARR(T)    \
    struct {       \
        T *v;      \
        int32_t n; \
    }

enum wtype {
    WT_BOOL = 1, WT_I8, WT_I16, WT_U16, WT_I32, WT_U32, WT_I64, WT_F64, WT_UUID,
    WT_STR, WT_BYTES, WT_RECORDS, WT_STRUCT, WT_ARRAY,
};

#define WV_MAX 127 /* "and every later version" */

struct wschema;
struct wfield {
    const char *name;
    uint8_t type, elem;  /* elem: element type of an ARRAY */
    int8_t vmin, vmax;   /* versions the field is on the wire */
    int8_t nullable_min; /* nullable from this version (WV_MAX: never) */
    int8_t tag;          /* -1: a regular field; >= 0: tagged field number */
    uint32_t off;        /* offset in the C struct */
    int64_t def;         /* default when absent (ints, array count -1 = null) */
    const struct wschema *sub; /* STRUCT, or ARRAY of STRUCT */
};
struct wschema {
    const char *name;
    uint32_t size; /* sizeof the C struct */
    uint16_t nfields;
    const struct wfield *f;
};

/* Field-table helpers. S = the C struct, m = member, lo/hi = versions. */
#define WF_(S, m, T, lo, hi) \
    .name = #m, .type = (T), .vmin = (lo), .vmax = (hi), .nullable_min = WV_MAX, .tag = -1, .off = offsetof(S, m)
#define WF(S, m, T, lo, hi, ...) {WF_(S, m, T, lo, hi), __VA_ARGS__}
#define WFA(S, m, sch, lo, hi, ...) {WF_(S, m, WT_ARRAY, lo, hi), .elem = WT_STRUCT, .sub = &(sch), __VA_ARGS__}
#define WFAP(S, m, et, lo, hi, ...) {WF_(S, m, WT_ARRAY, lo, hi), .elem = (et), __VA_ARGS__}
#define WFS(S, m, sch, lo, hi, ...) {WF_(S, m, WT_STRUCT, lo, hi), .sub = &(sch), __VA_ARGS__}
#define WSCHEMA(var, S, fields) \
    const struct wschema var = {#S, sizeof(S), sizeof(fields) / sizeof((fields)[0]), fields}

/* Bounds-checked reader. Errors are sticky: after the first failure every
 * read returns zero and err stays set with where it happened. */
struct wrd {
    const uint8_t *start, *p, *end;
    int err;              /* 0 or WERR_PARSE */
    size_t err_off;       /* offset of the failing read from start */
    const char *err_what; /* the field or element being read */
};
void wrd_init(struct wrd *r, const void *p, size_t n);
int8_t wrd_i8(struct wrd *r);
int16_t wrd_i16(struct wrd *r);
int32_t wrd_i32(struct wrd *r);
int64_t wrd_i64(struct wrd *r);
uint32_t wrd_uvarint(struct wrd *r);
const uint8_t *wrd_take(struct wrd *r, size_t n); /* NULL on truncation */
/* Classic (non-compact) nullable string: int16 length, -1 = null. Returns the
 * length (-1 for null, *s = NULL); *s points into the input. */
int32_t wrd_str16(struct wrd *r, const char **s);
/* Classic nullable bytes: int32 length, -1 = null. */
int32_t wrd_bytes32(struct wrd *r, const uint8_t **p);
void wrd_fail(struct wrd *r, const char *what);

/* Output: a memory buffer, possibly interleaved with file ranges (records
 * sent with sendfile). segs[i] says: memory up to mem_end, then the file
 * range. Memory after the last segment's mem_end follows it. */
struct wout_seg {
    size_t mem_end;
    int fd;
    int64_t pos;
    int32_t len;
};
struct wout {
    struct buf b;
    struct wout_seg *segs;
    int nsegs, capsegs;
    size_t file_bytes;
};
void wout_i8(struct wout *w, int8_t v);
void wout_i16(struct wout *w, int16_t v);
void wout_i32(struct wout *w, int32_t v);
void wout_i64(struct wout *w, int64_t v);
void wout_uvarint(struct wout *w, uint64_t v);
void wout_bytes(struct wout *w, const void *p, size_t n);
void wout_file(struct wout *w, int fd, int64_t pos, int32_t len);
static inline size_t wout_len(const struct wout *w) { return w->b.len + w->file_bytes; }
void wout_free(struct wout *w); /* frees memory; does not close fds */

/* Decodes one body of schema s at version ver into out (s->size bytes,
 * zeroed by the decoder first). flex: the version is a flexible one. */
int wdecode(const struct wschema *s, int ver, int flex, struct wrd *r, void *out, struct arena *a);
/* Encodes in (a struct of schema s) at version ver. A non-null value in a
 * field that is not nullable in this version is written as empty. */
void wencode(const struct wschema *s, int ver, int flex, const void *in, struct wout *w);

#endif
