/* codec: see codec.h. The decoder and encoder walk a schema's fields in
 * order; tagged fields (flexible versions only) are collected into the
 * tagged-field section that ends every struct. Unknown tags are skipped. */
#include "wire/codec.h"

#include "common/err.h"

#include <stdlib.h>
#include <string.h>

/* ---- reader ---- */

void wrd_init(struct wrd *r, const void *p, size_t n) {
    static const uint8_t empty[1];
    if (!p) { /* an empty buffer may have no storage at all */
        p = empty;
        n = 0;
    }
    r->start = r->p = p;
    r->end = r->p + n;
    r->err = 0;
    r->err_off = 0;
    r->err_what = NULL;
}

void wrd_fail(struct wrd *r, const char *what) {
    if (r->err) return;
    r->err = WERR_PARSE;
    r->err_off = (size_t)(r->p - r->start);
    r->err_what = what;
    r->p = r->end;
}

const uint8_t *wrd_take(struct wrd *r, size_t n) {
    if (r->err || (size_t)(r->end - r->p) < n) {
        wrd_fail(r, NULL);
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}

int8_t wrd_i8(struct wrd *r) {
    const uint8_t *p = wrd_take(r, 1);
    return p ? (int8_t)p[0] : 0;
}
int16_t wrd_i16(struct wrd *r) {
    const uint8_t *p = wrd_take(r, 2);
    return p ? (int16_t)((uint16_t)p[0] << 8 | p[1]) : 0;
}
int32_t wrd_i32(struct wrd *r) {
    const uint8_t *p = wrd_take(r, 4);
    return p ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) : 0;
}
int64_t wrd_i64(struct wrd *r) {
    const uint8_t *p = wrd_take(r, 8);
    if (!p) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return (int64_t)v;
}
uint32_t wrd_uvarint(struct wrd *r) {
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        const uint8_t *p = wrd_take(r, 1);
        if (!p) return 0;
        if (i == 4 && p[0] > 0x0f) break; /* more than 32 bits */
        v |= (uint32_t)(p[0] & 0x7f) << (7 * i);
        if (!(p[0] & 0x80)) return v;
    }
    wrd_fail(r, "varint");
    return 0;
}

int32_t wrd_str16(struct wrd *r, const char **s) {
    int16_t n = wrd_i16(r);
    *s = NULL;
    if (n < 0 || r->err) return -1;
    *s = (const char *)wrd_take(r, (size_t)n);
    return *s ? n : -1;
}

int32_t wrd_bytes32(struct wrd *r, const uint8_t **p) {
    int32_t n = wrd_i32(r);
    *p = NULL;
    if (n < 0 || r->err) return -1;
    *p = wrd_take(r, (size_t)n);
    return *p ? n : -1;
}

/* ---- writer ---- */

void wout_bytes(struct wout *w, const void *p, size_t n) { buf_append(&w->b, p, n); }
void wout_i8(struct wout *w, int8_t v) { buf_putc(&w->b, (uint8_t)v); }
void wout_i16(struct wout *w, int16_t v) {
    uint8_t b[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
    buf_append(&w->b, b, 2);
}
void wout_i32(struct wout *w, int32_t v) {
    uint32_t u = (uint32_t)v;
    uint8_t b[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    buf_append(&w->b, b, 4);
}
void wout_i64(struct wout *w, int64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    buf_append(&w->b, b, 8);
}
void wout_uvarint(struct wout *w, uint64_t v) {
    buf_reserve(&w->b, 10);
    while (v >= 0x80) {
        w->b.p[w->b.len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    w->b.p[w->b.len++] = (uint8_t)v;
}
void wout_file(struct wout *w, int fd, int64_t pos, int32_t len) {
    if (w->nsegs == w->capsegs) {
        w->capsegs = w->capsegs ? w->capsegs * 2 : 8;
        w->segs = realloc(w->segs, (size_t)w->capsegs * sizeof *w->segs);
        if (!w->segs) abort();
    }
    w->segs[w->nsegs++] = (struct wout_seg){w->b.len, fd, pos, len};
    w->file_bytes += (size_t)len;
}
void wout_free(struct wout *w) {
    buf_free(&w->b);
    free(w->segs);
    memset(w, 0, sizeof *w);
}

/* ---- shared helpers ---- */

static size_t elem_size(const struct wfield *f) {
    switch (f->elem) {
    case WT_BOOL: case WT_I8: return 1;
    case WT_I16: case WT_U16: return 2;
    case WT_I32: case WT_U32: return 4;
    case WT_I64: case WT_F64: return 8;
    case WT_UUID: return 16;
    case WT_STR: return sizeof(struct wstr);
    case WT_BYTES: return sizeof(struct wbytes);
    case WT_RECORDS: return sizeof(struct wrecs);
    case WT_STRUCT: return f->sub->size;
    }
    return 0;
}

static int in_version(const struct wfield *f, int ver) { return ver >= f->vmin && ver <= f->vmax; }

static void set_int(void *p, int type, int64_t v) {
    switch (type) {
    case WT_BOOL: case WT_I8: *(int8_t *)p = (int8_t)v; break;
    case WT_I16: *(int16_t *)p = (int16_t)v; break;
    case WT_U16: *(uint16_t *)p = (uint16_t)v; break;
    case WT_I32: *(int32_t *)p = (int32_t)v; break;
    case WT_U32: *(uint32_t *)p = (uint32_t)v; break;
    case WT_I64: *(int64_t *)p = v; break;
    case WT_F64: *(double *)p = (double)v; break;
    }
}

static int64_t get_int(const void *p, int type) {
    switch (type) {
    case WT_BOOL: case WT_I8: return *(const int8_t *)p;
    case WT_I16: return *(const int16_t *)p;
    case WT_U16: return *(const uint16_t *)p;
    case WT_I32: return *(const int32_t *)p;
    case WT_U32: return *(const uint32_t *)p;
    case WT_I64: return *(const int64_t *)p;
    }
    return 0;
}

/* Applies every field's default to a zeroed struct (recursively). */
static void set_defaults(const struct wschema *s, void *obj) {
    for (int i = 0; i < s->nfields; i++) {
        const struct wfield *f = &s->f[i];
        char *p = (char *)obj + f->off;
        if (f->type == WT_STRUCT) set_defaults(f->sub, p);
        else if (f->type == WT_ARRAY) ((struct warr *)p)->n = (int32_t)f->def;
        else if (f->def) set_int(p, f->type, f->def);
    }
}

/* ---- decoder ---- */

static int decode_struct(const struct wschema *s, int ver, int flex, struct wrd *r, void *out, struct arena *a,
                         int depth);

/* Decodes one value of type t (array elements use the same path). */
static void decode_value(const struct wfield *f, int type, int ver, int flex, struct wrd *r, void *p,
                         struct arena *a, int depth) {
    int nullable = ver >= f->nullable_min;
    switch (type) {
    case WT_BOOL: {
        int8_t v = wrd_i8(r);
        if (v != 0 && v != 1) wrd_fail(r, f->name);
        *(int8_t *)p = v;
        break;
    }
    case WT_I8: *(int8_t *)p = wrd_i8(r); break;
    case WT_I16: *(int16_t *)p = wrd_i16(r); break;
    case WT_U16: *(uint16_t *)p = (uint16_t)wrd_i16(r); break;
    case WT_I32: *(int32_t *)p = wrd_i32(r); break;
    case WT_U32: *(uint32_t *)p = (uint32_t)wrd_i32(r); break;
    case WT_I64: *(int64_t *)p = wrd_i64(r); break;
    case WT_F64: {
        int64_t v = wrd_i64(r);
        memcpy(p, &v, 8);
        break;
    }
    case WT_UUID: {
        const uint8_t *u = wrd_take(r, 16);
        if (u) memcpy(p, u, 16);
        break;
    }
    case WT_STR: case WT_BYTES: case WT_RECORDS: {
        int64_t len;
        if (flex) len = (int64_t)wrd_uvarint(r) - 1;
        else if (type == WT_STR) len = wrd_i16(r);
        else len = wrd_i32(r);
        if (r->err) break; /* err_what set below */
        const uint8_t *d = NULL;
        if (len < 0) {
            if (len != -1 || !nullable) {
                wrd_fail(r, f->name);
                return;
            }
        } else {
            d = wrd_take(r, (size_t)len);
            if (!d) {
                r->err_what = f->name;
                return;
            }
        }
        if (type == WT_STR) *(struct wstr *)p = (struct wstr){(const char *)d, (int32_t)(len < 0 ? 0 : len)};
        else if (type == WT_BYTES) *(struct wbytes *)p = (struct wbytes){d, (int32_t)(len < 0 ? 0 : len)};
        else {
            struct wrecs *rc = p;
            memset(rc, 0, sizeof *rc);
            rc->p = d;
            rc->n = (int32_t)(len < 0 ? 0 : len);
            rc->fd = -1;
        }
        break;
    }
    case WT_STRUCT: decode_struct(f->sub, ver, flex, r, p, a, depth + 1); break;
    case WT_ARRAY: {
        int64_t n;
        if (flex) n = (int64_t)wrd_uvarint(r) - 1;
        else n = wrd_i32(r);
        if (r->err) break; /* err_what set below */
        struct warr *arr = p;
        if (n < 0) {
            if (n != -1 || !nullable) wrd_fail(r, f->name);
            arr->n = -1;
            arr->v = NULL;
            return;
        }
        /* Every element takes at least one byte on the wire: a count larger
         * than the bytes left is malformed, and this bounds the allocation. */
        if (n > r->end - r->p) {
            wrd_fail(r, f->name);
            return;
        }
        size_t es = elem_size(f);
        arr->n = (int32_t)n;
        arr->v = n ? arena_calloc(a, (size_t)n * es) : NULL;
        for (int64_t i = 0; i < n && !r->err; i++) {
            char *ep = (char *)arr->v + (size_t)i * es;
            if (f->elem == WT_STRUCT) decode_struct(f->sub, ver, flex, r, ep, a, depth + 1);
            else decode_value(f, f->elem, ver, flex, r, ep, a, depth);
        }
        break;
    }
    }
    if (r->err && !r->err_what) r->err_what = f->name;
}

static int decode_struct(const struct wschema *s, int ver, int flex, struct wrd *r, void *out, struct arena *a,
                         int depth) {
    if (depth > 16) {
        wrd_fail(r, s->name);
        return WERR_PARSE;
    }
    memset(out, 0, s->size);
    set_defaults(s, out);
    for (int i = 0; i < s->nfields && !r->err; i++) {
        const struct wfield *f = &s->f[i];
        if (f->tag >= 0 || !in_version(f, ver)) continue;
        decode_value(f, f->type, ver, flex, r, (char *)out + f->off, a, depth);
    }
    if (flex && !r->err) {
        uint32_t ntags = wrd_uvarint(r);
        int64_t last = -1;
        for (uint32_t t = 0; t < ntags && !r->err; t++) {
            uint32_t tag = wrd_uvarint(r), size = wrd_uvarint(r);
            if (r->err) break;
            if ((int64_t)tag <= last) { /* tags must be strictly increasing */
                wrd_fail(r, "tagged fields");
                break;
            }
            last = tag;
            const uint8_t *d = wrd_take(r, size);
            if (!d) break;
            for (int i = 0; i < s->nfields; i++) {
                const struct wfield *f = &s->f[i];
                if (f->tag != (int)tag || !in_version(f, ver)) continue;
                struct wrd sub;
                wrd_init(&sub, d, size);
                decode_value(f, f->type, ver, flex, &sub, (char *)out + f->off, a, depth);
                if (sub.err) {
                    r->err = sub.err;
                    r->err_off = (size_t)(d - r->start) + sub.err_off;
                    r->err_what = sub.err_what;
                }
                break;
            }
        }
        if (r->err && !r->err_what) r->err_what = "tagged fields";
    }
    return r->err;
}

int wdecode(const struct wschema *s, int ver, int flex, struct wrd *r, void *out, struct arena *a) {
    return decode_struct(s, ver, flex, r, out, a, 0);
}

/* ---- encoder ---- */

static void encode_struct(const struct wschema *s, int ver, int flex, const void *in, struct wout *w);

static void encode_value(const struct wfield *f, int type, int ver, int flex, const void *p, struct wout *w) {
    int nullable = ver >= f->nullable_min;
    switch (type) {
    case WT_BOOL: wout_i8(w, *(const int8_t *)p ? 1 : 0); break;
    case WT_I8: wout_i8(w, *(const int8_t *)p); break;
    case WT_I16: wout_i16(w, *(const int16_t *)p); break;
    case WT_U16: wout_i16(w, (int16_t) * (const uint16_t *)p); break;
    case WT_I32: wout_i32(w, *(const int32_t *)p); break;
    case WT_U32: wout_i32(w, (int32_t) * (const uint32_t *)p); break;
    case WT_I64: wout_i64(w, *(const int64_t *)p); break;
    case WT_F64: {
        int64_t v;
        memcpy(&v, p, 8);
        wout_i64(w, v);
        break;
    }
    case WT_UUID: wout_bytes(w, p, 16); break;
    case WT_STR: case WT_BYTES: case WT_RECORDS: {
        const void *d;
        int32_t n;
        const struct wrecs *rc = NULL;
        if (type == WT_STR) d = ((const struct wstr *)p)->p, n = ((const struct wstr *)p)->n;
        else if (type == WT_BYTES) d = ((const struct wbytes *)p)->p, n = ((const struct wbytes *)p)->n;
        else {
            rc = p;
            d = rc->is_file ? (const void *)rc : (const void *)rc->p;
            n = rc->n;
        }
        int isnull = d == NULL;
        if (isnull && !nullable) n = 0; /* not nullable here: write empty */
        int64_t len = isnull && nullable ? -1 : n;
        if (flex) wout_uvarint(w, (uint64_t)(len + 1));
        else if (type == WT_STR) wout_i16(w, (int16_t)len);
        else wout_i32(w, (int32_t)len);
        if (len > 0) {
            if (rc && rc->is_file) wout_file(w, rc->fd, rc->pos, rc->n);
            else wout_bytes(w, d, (size_t)len);
        }
        break;
    }
    case WT_STRUCT: encode_struct(f->sub, ver, flex, p, w); break;
    case WT_ARRAY: {
        const struct warr *arr = p;
        int64_t n = arr->n;
        if (n < 0 && !nullable) n = 0;
        if (flex) wout_uvarint(w, (uint64_t)(n + 1));
        else wout_i32(w, (int32_t)n);
        size_t es = elem_size(f);
        for (int64_t i = 0; i < n; i++) {
            const char *ep = (const char *)arr->v + (size_t)i * es;
            if (f->elem == WT_STRUCT) encode_struct(f->sub, ver, flex, ep, w);
            else encode_value(f, f->elem, ver, flex, ep, w);
        }
        break;
    }
    }
}

/* Is the value at p equal to the field's default? (tagged fields are only
 * written when they are not) */
static int is_default(const struct wfield *f, const void *p) {
    switch (f->type) {
    case WT_STR: return ((const struct wstr *)p)->p == NULL;
    case WT_BYTES: return ((const struct wbytes *)p)->p == NULL;
    case WT_RECORDS: return ((const struct wrecs *)p)->p == NULL && !((const struct wrecs *)p)->is_file;
    case WT_UUID: {
        static const uint8_t zero[16];
        return !memcmp(p, zero, 16);
    }
    case WT_F64: {
        double d;
        memcpy(&d, p, 8);
        return d == (double)f->def;
    }
    /* An array is at its default only when it is exactly that (null for
     * def -1, empty for def 0): an explicit empty array in a field whose
     * default is null (or the reverse) must still be written. */
    case WT_ARRAY: return ((const struct warr *)p)->n == (f->def < 0 ? -1 : 0);
    case WT_STRUCT:
        for (int i = 0; i < f->sub->nfields; i++)
            if (!is_default(&f->sub->f[i], (const char *)p + f->sub->f[i].off)) return 0;
        return 1;
    }
    return get_int(p, f->type) == f->def;
}

static void encode_struct(const struct wschema *s, int ver, int flex, const void *in, struct wout *w) {
    int ntags = 0;
    for (int i = 0; i < s->nfields; i++) {
        const struct wfield *f = &s->f[i];
        if (!in_version(f, ver)) continue;
        if (f->tag >= 0) {
            if (flex && !is_default(f, (const char *)in + f->off)) ntags++;
            continue;
        }
        encode_value(f, f->type, ver, flex, (const char *)in + f->off, w);
    }
    if (!flex) return;
    wout_uvarint(w, (uint64_t)ntags);
    if (!ntags) return;
    /* tagged fields in increasing tag order */
    for (int tag = 0, done = 0; done < ntags; tag++) {
        for (int i = 0; i < s->nfields; i++) {
            const struct wfield *f = &s->f[i];
            if (f->tag != tag || !in_version(f, ver) || is_default(f, (const char *)in + f->off)) continue;
            struct wout tmp = {0};
            encode_value(f, f->type, ver, flex, (const char *)in + f->off, &tmp);
            wout_uvarint(w, (uint64_t)tag);
            wout_uvarint(w, tmp.b.len);
            wout_bytes(w, tmp.b.p, tmp.b.len);
            wout_free(&tmp);
            done++;
        }
    }
}

void wencode(const struct wschema *s, int ver, int flex, const void *in, struct wout *w) {
    encode_struct(s, ver, flex, in, w);
}
