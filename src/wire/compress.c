/* compress: Kafka's batch codecs over zlib, libsnappy, liblz4 and libzstd.
 * See compress.h for the exact framings. Every decoder grows the output in
 * steps and checks max_out before each step. */
#include "wire/compress.h"

#include "common/err.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define STEP (64 * 1024)

static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define XERIAL_HDR 16
#define XERIAL_BLOCK (32 * 1024) /* snappy-java's default block size */

/* Makes room for at least STEP more bytes unless that passes max_out;
 * returns the room (0 = the limit is reached). */
static size_t room(struct buf *out, size_t start, size_t max_out) {
    size_t used = out->len - start;
    if (used >= max_out) return 0;
    size_t want = max_out - used < STEP ? max_out - used : STEP;
    buf_reserve(out, want);
    return want;
}

/* ---- gzip ---- */

static int gzip_decompress(const uint8_t *in, size_t n, struct buf *out, size_t max_out) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 32 + MAX_WBITS) != Z_OK) return WERR_NOMEM; /* 32: gzip or zlib header */
    size_t start = out->len;
    int rc = 0;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    for (;;) {
        size_t r = room(out, start, max_out);
        if (!r) {
            rc = WERR_TOOBIG;
            break;
        }
        z.next_out = out->p + out->len;
        z.avail_out = (uInt)r;
        int zr = inflate(&z, Z_NO_FLUSH);
        out->len += r - z.avail_out;
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0) break;
            if (inflateReset(&z) != Z_OK) { /* another gzip member follows */
                rc = WERR_CORRUPT;
                break;
            }
            continue;
        }
        if (zr == Z_BUF_ERROR && z.avail_out == 0) continue;
        if (zr != Z_OK) {
            rc = zr == Z_MEM_ERROR ? WERR_NOMEM : WERR_CORRUPT;
            break;
        }
        if (z.avail_in == 0 && z.avail_out > 0) { /* input ended inside the stream */
            rc = WERR_CORRUPT;
            break;
        }
    }
    inflateEnd(&z);
    if (rc) out->len = start;
    return rc;
}

static int gzip_compress(const uint8_t *in, size_t n, struct buf *out) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return WERR_NOMEM;
    size_t bound = deflateBound(&z, (uLong)n);
    buf_reserve(out, bound);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out->p + out->len;
    z.avail_out = (uInt)bound;
    int zr = deflate(&z, Z_FINISH);
    size_t produced = bound - z.avail_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END) return WERR_NOMEM;
    out->len += produced;
    return 0;
}

/* ---- snappy ---- */

static int snappy_raw_decompress(const uint8_t *in, size_t n, struct buf *out, size_t start, size_t max_out) {
    size_t ulen;
    if (snappy_uncompressed_length((const char *)in, n, &ulen) != SNAPPY_OK) return WERR_CORRUPT;
    if (ulen > max_out - (out->len - start)) return WERR_TOOBIG;
    buf_reserve(out, ulen + 1);
    size_t got = ulen;
    if (snappy_uncompress((const char *)in, n, (char *)out->p + out->len, &got) != SNAPPY_OK || got != ulen)
        return WERR_CORRUPT;
    out->len += got;
    return 0;
}

static int snappy_decompress(const uint8_t *in, size_t n, struct buf *out, size_t max_out) {
    size_t start = out->len;
    int rc = 0;
    if (n >= XERIAL_HDR && !memcmp(in, xerial_magic, sizeof xerial_magic)) {
        size_t pos = XERIAL_HDR;
        while (rc == 0 && pos < n) {
            if (n - pos < 4) {
                rc = WERR_CORRUPT;
                break;
            }
            uint32_t blen = be32_get(in + pos);
            pos += 4;
            if (blen > n - pos) {
                rc = WERR_CORRUPT;
                break;
            }
            rc = snappy_raw_decompress(in + pos, blen, out, start, max_out);
            pos += blen;
        }
    } else {
        rc = snappy_raw_decompress(in, n, out, start, max_out);
    }
    if (rc) out->len = start;
    return rc;
}

static int snappy_xerial_compress(const uint8_t *in, size_t n, struct buf *out) {
    buf_reserve(out, XERIAL_HDR);
    memcpy(out->p + out->len, xerial_magic, sizeof xerial_magic);
    be32_put(out->p + out->len + 8, 1);
    be32_put(out->p + out->len + 12, 1);
    out->len += XERIAL_HDR;
    for (size_t pos = 0; pos < n;) {
        size_t chunk = n - pos < XERIAL_BLOCK ? n - pos : XERIAL_BLOCK;
        size_t max = snappy_max_compressed_length(chunk);
        buf_reserve(out, 4 + max);
        size_t clen = max;
        if (snappy_compress((const char *)in + pos, chunk, (char *)out->p + out->len + 4, &clen) != SNAPPY_OK)
            return WERR_NOMEM;
        be32_put(out->p + out->len, (uint32_t)clen);
        out->len += 4 + clen;
        pos += chunk;
    }
    return 0;
}

/* ---- lz4 ---- */

static int lz4_decompress(const uint8_t *in, size_t n, struct buf *out, size_t max_out) {
    LZ4F_dctx *d;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) return WERR_NOMEM;
    size_t start = out->len, pos = 0, hint = 1;
    int rc = 0;
    while (pos < n && hint != 0) {
        size_t r = room(out, start, max_out);
        if (!r) {
            rc = WERR_TOOBIG;
            break;
        }
        size_t dst = r, src = n - pos;
        hint = LZ4F_decompress(d, out->p + out->len, &dst, in + pos, &src, NULL);
        if (LZ4F_isError(hint)) {
            rc = WERR_CORRUPT;
            break;
        }
        pos += src;
        out->len += dst;
        if (src == 0 && dst == 0) { /* no progress */
            rc = WERR_CORRUPT;
            break;
        }
    }
    /* drain what the context still holds */
    while (rc == 0 && hint != 0 && pos >= n) {
        size_t r = room(out, start, max_out);
        if (!r) {
            rc = WERR_TOOBIG;
            break;
        }
        size_t dst = r, src = 0;
        hint = LZ4F_decompress(d, out->p + out->len, &dst, in + pos, &src, NULL);
        if (LZ4F_isError(hint) || dst == 0) {
            rc = WERR_CORRUPT; /* the frame is cut short */
            break;
        }
        out->len += dst;
    }
    LZ4F_freeDecompressionContext(d);
    if (rc) out->len = start;
    return rc;
}

static int lz4_compress(const uint8_t *in, size_t n, struct buf *out) {
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    size_t bound = LZ4F_compressFrameBound(n, &prefs);
    buf_reserve(out, bound);
    size_t got = LZ4F_compressFrame(out->p + out->len, bound, in, n, &prefs);
    if (LZ4F_isError(got)) return WERR_NOMEM;
    out->len += got;
    return 0;
}

/* ---- zstd ---- */

static int zstd_decompress(const uint8_t *in, size_t n, struct buf *out, size_t max_out) {
    ZSTD_DStream *d = ZSTD_createDStream();
    if (!d) return WERR_NOMEM;
    size_t start = out->len;
    int rc = 0;
    ZSTD_inBuffer ib = {in, n, 0};
    size_t last = 1;
    while (ib.pos < ib.size || last != 0) {
        size_t r = room(out, start, max_out);
        if (!r) {
            rc = WERR_TOOBIG;
            break;
        }
        ZSTD_outBuffer ob = {out->p + out->len, r, 0};
        size_t before = ib.pos;
        last = ZSTD_decompressStream(d, &ob, &ib);
        if (ZSTD_isError(last)) {
            rc = WERR_CORRUPT;
            break;
        }
        out->len += ob.pos;
        if (ob.pos == 0 && ib.pos == before) { /* cut short */
            rc = WERR_CORRUPT;
            break;
        }
    }
    ZSTD_freeDStream(d);
    if (rc) out->len = start;
    return rc;
}

static int zstd_compress(const uint8_t *in, size_t n, struct buf *out) {
    size_t bound = ZSTD_compressBound(n);
    buf_reserve(out, bound);
    size_t got = ZSTD_compress(out->p + out->len, bound, in, n, ZSTD_CLEVEL_DEFAULT);
    if (ZSTD_isError(got)) return WERR_NOMEM;
    out->len += got;
    return 0;
}

/* ---- public ---- */

int compress_decompress(int codec, const uint8_t *in, size_t n, struct buf *out, size_t max_out) {
    switch (codec) {
    case BATCH_COMPRESSION_NONE:
        if (n > max_out) return WERR_TOOBIG;
        buf_append(out, in, n);
        return 0;
    case BATCH_COMPRESSION_GZIP: return gzip_decompress(in, n, out, max_out);
    case BATCH_COMPRESSION_SNAPPY: return snappy_decompress(in, n, out, max_out);
    case BATCH_COMPRESSION_LZ4: return lz4_decompress(in, n, out, max_out);
    case BATCH_COMPRESSION_ZSTD: return zstd_decompress(in, n, out, max_out);
    default: return WERR_UNSUPPORTED;
    }
}

int compress_compress(int codec, const uint8_t *in, size_t n, struct buf *out) {
    switch (codec) {
    case BATCH_COMPRESSION_NONE: buf_append(out, in, n); return 0;
    case BATCH_COMPRESSION_GZIP: return gzip_compress(in, n, out);
    case BATCH_COMPRESSION_SNAPPY: return snappy_xerial_compress(in, n, out);
    case BATCH_COMPRESSION_LZ4: return lz4_compress(in, n, out);
    case BATCH_COMPRESSION_ZSTD: return zstd_compress(in, n, out);
    default: return WERR_UNSUPPORTED;
    }
}

int compress_rec_iter_init(struct batch_rec_iter *it, const uint8_t *batch, size_t len, struct buf *scratch,
                           size_t max_out) {
    struct batch_hdr h;
    int rc = batch_parse_header(batch, len, &h);
    if (rc) return rc;
    if (h.batch_length < BATCH_HDR_SIZE - BATCH_LOG_OVERHEAD || batch_total_size(&h) > len) return WERR_PARSE;
    if (batch_compression(&h) == BATCH_COMPRESSION_NONE) return batch_rec_iter_init(it, batch, len);
    buf_clear(scratch);
    rc = compress_decompress(batch_compression(&h), batch + BATCH_HDR_SIZE, batch_total_size(&h) - BATCH_HDR_SIZE,
                             scratch, max_out);
    if (rc) return rc;
    batch_rec_iter_init_raw(it, &h, scratch->p ? scratch->p : (const uint8_t *)"", scratch->len);
    return 0;
}

int compress_batch_has_null_key(const uint8_t *p, size_t len, size_t max_out) {
    struct batch_iter bi;
    const uint8_t *b;
    size_t n;
    struct batch_hdr h;
    struct buf scratch = {0};
    int rc, found = 0;
    batch_iter_init(&bi, p, len);
    while (!found && (rc = batch_iter_next(&bi, &b, &n, &h)) == 1) {
        if (h.attributes & BATCH_ATTR_CONTROL) continue;
        struct batch_rec_iter it;
        struct batch_record r;
        if ((rc = compress_rec_iter_init(&it, b, n, &scratch, max_out)) != 0) break;
        while ((rc = batch_rec_iter_next(&it, &r)) == 1)
            if (!r.key) {
                found = 1;
                break;
            }
        if (rc < 0) break;
    }
    buf_free(&scratch);
    if (found) return 1;
    return rc < 0 ? rc : 0;
}
