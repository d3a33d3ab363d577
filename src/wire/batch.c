/* batch: record batch v2 parsing, validation, rewriting and building.
 * See batch.h for the layout. Every reader here is bounds-checked against the
 * buffer it was given: malformed input yields a WERR, never a read past the end. */
#include "wire/batch.h"

#include "common/crc32c.h"
#include "wire/varint.h"

#include <stdio.h>
#include <string.h>

int batch_parse_header(const uint8_t *p, size_t len, struct batch_hdr *h) {
    if (len > BATCH_OFF_MAGIC) {
        int8_t magic = (int8_t)p[BATCH_OFF_MAGIC];
        if (magic == 0 || magic == 1) return BATCH_ERR_OLD_MAGIC;
        if (magic != BATCH_MAGIC) return WERR_CORRUPT;
    }
    if (len < BATCH_HDR_SIZE) return WERR_PARSE;
    h->base_offset = (int64_t)be64_get(p + BATCH_OFF_BASE_OFFSET);
    h->batch_length = (int32_t)be32_get(p + BATCH_OFF_LENGTH);
    h->leader_epoch = (int32_t)be32_get(p + BATCH_OFF_LEADER_EPOCH);
    h->magic = (int8_t)p[BATCH_OFF_MAGIC];
    h->crc = be32_get(p + BATCH_OFF_CRC);
    h->attributes = (int16_t)be16_get(p + BATCH_OFF_ATTRIBUTES);
    h->last_offset_delta = (int32_t)be32_get(p + BATCH_OFF_LAST_OFFSET_DELTA);
    h->base_timestamp = (int64_t)be64_get(p + BATCH_OFF_BASE_TIMESTAMP);
    h->max_timestamp = (int64_t)be64_get(p + BATCH_OFF_MAX_TIMESTAMP);
    h->producer_id = (int64_t)be64_get(p + BATCH_OFF_PRODUCER_ID);
    h->producer_epoch = (int16_t)be16_get(p + BATCH_OFF_PRODUCER_EPOCH);
    h->base_sequence = (int32_t)be32_get(p + BATCH_OFF_BASE_SEQUENCE);
    h->record_count = (int32_t)be32_get(p + BATCH_OFF_RECORD_COUNT);
    return 0;
}

uint32_t batch_compute_crc(const uint8_t *p) {
    size_t total = (size_t)(int32_t)be32_get(p + BATCH_OFF_LENGTH) + BATCH_LOG_OVERHEAD;
    return crc32c(0, p + BATCH_OFF_ATTRIBUTES, total - BATCH_OFF_ATTRIBUTES);
}

void batch_iter_init(struct batch_iter *it, const uint8_t *p, size_t len) {
    it->p = p;
    it->end = p + len;
}

int batch_iter_next(struct batch_iter *it, const uint8_t **batch, size_t *blen, struct batch_hdr *hdr) {
    size_t left = (size_t)(it->end - it->p);
    if (left == 0) return 0;
    int rc = batch_parse_header(it->p, left, hdr);
    if (rc) return rc;
    if (hdr->batch_length < BATCH_HDR_SIZE - BATCH_LOG_OVERHEAD) return WERR_PARSE;
    size_t total = batch_total_size(hdr);
    if (total > left) return WERR_PARSE;
    *batch = it->p;
    *blen = total;
    it->p += total;
    return 1;
}

void batch_set_base_offset(uint8_t *p, int64_t base_offset, int32_t leader_epoch) {
    be64_put(p + BATCH_OFF_BASE_OFFSET, (uint64_t)base_offset);
    be32_put(p + BATCH_OFF_LEADER_EPOCH, (uint32_t)leader_epoch);
}

void batch_set_log_append_time(uint8_t *p, int64_t ts) {
    uint16_t attr = be16_get(p + BATCH_OFF_ATTRIBUTES);
    be16_put(p + BATCH_OFF_ATTRIBUTES, (uint16_t)(attr | BATCH_ATTR_LOG_APPEND_TIME));
    be64_put(p + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)ts);
    be32_put(p + BATCH_OFF_CRC, batch_compute_crc(p));
}

/* ---- records ---- */

/* Reads a length-prefixed byte field (varint length, -1 = null). */
static int get_bytes(const uint8_t **pos, const uint8_t *end, const uint8_t **out, int32_t *outlen) {
    int64_t n;
    size_t k = varint_get(*pos, end, &n, 5);
    if (!k) return WERR_PARSE;
    *pos += k;
    if (n == -1) {
        *out = NULL;
        *outlen = -1;
        return 0;
    }
    if (n < 0 || n > end - *pos) return WERR_PARSE;
    *out = *pos;
    *outlen = (int32_t)n;
    *pos += n;
    return 0;
}

int batch_record_header_next(const uint8_t **pos, const uint8_t *end, struct batch_header_kv *h) {
    const uint8_t *p = *pos;
    if (get_bytes(&p, end, &h->key, &h->key_len) || h->key_len < 0) return WERR_PARSE;
    if (get_bytes(&p, end, &h->value, &h->value_len)) return WERR_PARSE;
    *pos = p;
    return 1;
}

/* Parses one record at *pos (bounded by end) into r, given the batch header. */
static int parse_record(const uint8_t **pos, const uint8_t *end, const struct batch_hdr *h, struct batch_record *r) {
    int64_t len, v;
    size_t k = varint_get(*pos, end, &len, 5);
    if (!k) return WERR_PARSE;
    const uint8_t *p = *pos + k;
    if (len < 1 || len > end - p) return WERR_PARSE;
    const uint8_t *rend = p + len;
    r->attributes = (int8_t)*p++;
    if (!(k = varint_get(p, rend, &v, 10))) return WERR_PARSE;
    p += k;
    r->timestamp = (h->attributes & BATCH_ATTR_LOG_APPEND_TIME) ? h->max_timestamp : (int64_t)((uint64_t)h->base_timestamp + (uint64_t)v);
    if (!(k = varint_get(p, rend, &v, 5))) return WERR_PARSE;
    p += k;
    if (v < 0 || v > h->last_offset_delta) return WERR_PARSE;
    r->offset = (int64_t)((uint64_t)h->base_offset + (uint64_t)v);
    if (get_bytes(&p, rend, &r->key, &r->key_len)) return WERR_PARSE;
    if (get_bytes(&p, rend, &r->value, &r->value_len)) return WERR_PARSE;
    if (!(k = varint_get(p, rend, &v, 5))) return WERR_PARSE;
    p += k;
    if (v < 0 || v > rend - p) return WERR_PARSE;
    r->header_count = (int32_t)v;
    r->headers = p;
    struct batch_header_kv kv;
    for (int32_t i = 0; i < r->header_count; i++)
        if (batch_record_header_next(&p, rend, &kv) < 0) return WERR_PARSE;
    r->headers_end = p;
    if (p != rend) return WERR_PARSE; /* the record must be exactly its length */
    *pos = rend;
    return 0;
}

int batch_rec_iter_init(struct batch_rec_iter *it, const uint8_t *batch, size_t len) {
    int rc = batch_parse_header(batch, len, &it->hdr);
    if (rc) return rc;
    if (it->hdr.batch_length < BATCH_HDR_SIZE - BATCH_LOG_OVERHEAD || batch_total_size(&it->hdr) > len)
        return WERR_PARSE;
    if (batch_compression(&it->hdr) != BATCH_COMPRESSION_NONE) return WERR_UNSUPPORTED;
    it->p = batch + BATCH_HDR_SIZE;
    it->end = batch + batch_total_size(&it->hdr);
    it->left = it->hdr.record_count < 0 ? 0 : it->hdr.record_count;
    return 0;
}

void batch_rec_iter_init_raw(struct batch_rec_iter *it, const struct batch_hdr *h, const uint8_t *records, size_t len) {
    it->hdr = *h;
    it->p = records;
    it->end = records + len;
    it->left = h->record_count < 0 ? 0 : h->record_count;
}

int batch_rec_iter_next(struct batch_rec_iter *it, struct batch_record *r) {
    if (it->left == 0) return 0;
    int rc = parse_record(&it->p, it->end, &it->hdr, r);
    if (rc) return rc;
    it->left--;
    return 1;
}

/* ---- validation ---- */

#define WHY(...) do { if (why && whylen) snprintf(why, whylen, __VA_ARGS__); } while (0)

static int validate_one(const uint8_t *p, size_t left, int64_t max_bytes, int stored, size_t *total_out, char *why,
                        size_t whylen) {
    struct batch_hdr h;
    int rc = batch_parse_header(p, left, &h);
    if (rc == BATCH_ERR_OLD_MAGIC) {
        WHY("message format magic %d is not supported (need 2)", (int)(int8_t)p[BATCH_OFF_MAGIC]);
        return rc;
    }
    if (rc == WERR_CORRUPT) {
        WHY("invalid magic %d", (int)(int8_t)p[BATCH_OFF_MAGIC]);
        return rc;
    }
    if (rc) {
        WHY("truncated batch header (%zu bytes)", left);
        return rc;
    }
    if (h.batch_length < BATCH_HDR_SIZE - BATCH_LOG_OVERHEAD) {
        WHY("batch length %d too small", h.batch_length);
        return WERR_PARSE;
    }
    size_t total = batch_total_size(&h);
    if (max_bytes > 0 && (int64_t)total > max_bytes) {
        WHY("batch of %zu bytes exceeds the limit of %lld", total, (long long)max_bytes);
        return WERR_TOOBIG;
    }
    if (total > left) {
        WHY("batch length %d exceeds the %zu bytes available", h.batch_length, left - BATCH_LOG_OVERHEAD);
        return WERR_PARSE;
    }
    uint32_t crc = batch_compute_crc(p);
    if (crc != h.crc) {
        WHY("CRC mismatch: stored 0x%08x, computed 0x%08x", h.crc, crc);
        return WERR_CORRUPT;
    }
    if (h.record_count < 0 || h.last_offset_delta < 0) {
        WHY("negative record count %d or last offset delta %d", h.record_count, h.last_offset_delta);
        return WERR_CORRUPT;
    }
    if (batch_compression(&h) > BATCH_COMPRESSION_ZSTD) {
        WHY("unknown compression codec %d", batch_compression(&h));
        return WERR_CORRUPT;
    }
    if (batch_compression(&h) == BATCH_COMPRESSION_NONE) {
        if (stored ? h.record_count > h.last_offset_delta + 1 : h.record_count != h.last_offset_delta + 1) {
            WHY("record count %d inconsistent with last offset delta %d", h.record_count, h.last_offset_delta);
            return WERR_CORRUPT;
        }
        struct batch_rec_iter it;
        struct batch_record r;
        batch_rec_iter_init(&it, p, total);
        int32_t n = 0;
        int64_t prev = h.base_offset - 1;
        while ((rc = batch_rec_iter_next(&it, &r)) == 1) {
            /* a compacted batch keeps its records' deltas: increasing, with gaps */
            if (stored ? r.offset <= prev : r.offset != (int64_t)((uint64_t)h.base_offset + (uint64_t)n)) {
                WHY("record %d has offset delta %lld", n, (long long)(r.offset - h.base_offset));
                return WERR_CORRUPT;
            }
            prev = r.offset;
            n++;
        }
        if (rc < 0) {
            WHY("malformed record %d", n);
            return WERR_CORRUPT;
        }
        if (it.p != it.end) {
            WHY("%zu trailing bytes after %d records", (size_t)(it.end - it.p), n);
            return WERR_CORRUPT;
        }
    }
    *total_out = total;
    return 0;
}

static int validate_all(const uint8_t *p, size_t len, int64_t max_bytes, int stored, char *why, size_t whylen) {
    if (why && whylen) why[0] = 0;
    if (len == 0) {
        WHY("empty record set");
        return WERR_PARSE;
    }
    size_t off = 0;
    while (off < len) {
        size_t total = 0;
        int rc = validate_one(p + off, len - off, max_bytes, stored, &total, why, whylen);
        if (rc) return rc;
        off += total;
    }
    return 0;
}

int batch_validate(const uint8_t *p, size_t len, int64_t max_bytes, char *why, size_t whylen) {
    return validate_all(p, len, max_bytes, 0, why, whylen);
}

int batch_validate_stored(const uint8_t *p, size_t len, char *why, size_t whylen) {
    return validate_all(p, len, 0, 1, why, whylen);
}

/* ---- builder ---- */

void batch_builder_init(struct batch_builder *b, struct buf *out, int64_t base_offset) {
    memset(b, 0, sizeof *b);
    b->out = out;
    b->start = out->len;
    b->base_offset = base_offset;
    b->base_ts = -1;
    b->max_ts = -1;
    b->leader_epoch = -1;
    b->producer_id = -1;
    b->producer_epoch = -1;
    b->base_sequence = -1;
    buf_reserve(out, BATCH_HDR_SIZE);
    memset(out->p + out->len, 0, BATCH_HDR_SIZE);
    out->len += BATCH_HDR_SIZE;
}

static size_t bytes_len(int32_t n) { return varint_len(n) + (n > 0 ? (size_t)n : 0); }

static void put_varint(struct buf *o, int64_t v) {
    buf_reserve(o, 10);
    o->len += varint_put(o->p + o->len, v);
}

static void put_bytes(struct buf *o, const void *p, int32_t n) {
    put_varint(o, n < 0 ? -1 : n);
    if (n > 0) buf_append(o, p, (size_t)n);
}

void batch_builder_add(struct batch_builder *b, int64_t timestamp, const void *key, int32_t key_len,
                       const void *value, int32_t value_len, const struct batch_header_kv *headers, int nheaders) {
    if (b->count == 0) b->base_ts = timestamp;
    if (timestamp > b->max_ts) b->max_ts = timestamp;
    int64_t ts_delta = timestamp - b->base_ts;
    size_t body = 1 + varint_len(ts_delta) + varint_len(b->count) + bytes_len(key ? key_len : -1) +
                  bytes_len(value ? value_len : -1) + varint_len(nheaders);
    for (int i = 0; i < nheaders; i++)
        body += bytes_len(headers[i].key_len) + bytes_len(headers[i].value ? headers[i].value_len : -1);
    struct buf *o = b->out;
    put_varint(o, (int64_t)body);
    buf_putc(o, 0);
    put_varint(o, ts_delta);
    put_varint(o, b->count);
    put_bytes(o, key, key ? key_len : -1);
    put_bytes(o, value, value ? value_len : -1);
    put_varint(o, nheaders);
    for (int i = 0; i < nheaders; i++) {
        put_bytes(o, headers[i].key, headers[i].key_len);
        put_bytes(o, headers[i].value, headers[i].value ? headers[i].value_len : -1);
    }
    b->count++;
}

size_t batch_builder_finish(struct batch_builder *b) {
    uint8_t *p = b->out->p + b->start;
    size_t total = b->out->len - b->start;
    be64_put(p + BATCH_OFF_BASE_OFFSET, (uint64_t)b->base_offset);
    be32_put(p + BATCH_OFF_LENGTH, (uint32_t)(total - BATCH_LOG_OVERHEAD));
    be32_put(p + BATCH_OFF_LEADER_EPOCH, (uint32_t)b->leader_epoch);
    p[BATCH_OFF_MAGIC] = BATCH_MAGIC;
    be16_put(p + BATCH_OFF_ATTRIBUTES, (uint16_t)b->attributes);
    be32_put(p + BATCH_OFF_LAST_OFFSET_DELTA, (uint32_t)(b->count > 0 ? b->count - 1 : 0));
    be64_put(p + BATCH_OFF_BASE_TIMESTAMP, (uint64_t)b->base_ts);
    be64_put(p + BATCH_OFF_MAX_TIMESTAMP, (uint64_t)b->max_ts);
    be64_put(p + BATCH_OFF_PRODUCER_ID, (uint64_t)b->producer_id);
    be16_put(p + BATCH_OFF_PRODUCER_EPOCH, (uint16_t)b->producer_epoch);
    be32_put(p + BATCH_OFF_BASE_SEQUENCE, (uint32_t)b->base_sequence);
    be32_put(p + BATCH_OFF_RECORD_COUNT, (uint32_t)b->count);
    be32_put(p + BATCH_OFF_CRC, batch_compute_crc(p));
    return total;
}
