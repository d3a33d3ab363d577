/* batch: Kafka record batches, format v2 (magic 2), as they travel on the wire
 * and as they sit in segment files.
 *
 * The one thing to know first: a batch is stored and forwarded byte for byte.
 * The broker only ever rewrites baseOffset and partitionLeaderEpoch (outside
 * the CRC, so no recomputation) and, for LogAppendTime topics, the timestamp
 * type bit and maxTimestamp (inside the CRC, so the CRC is recomputed).
 *
 * Layout (big-endian), 61-byte header then the records:
 *   0 baseOffset int64        8 batchLength int32 (bytes after this field)
 *  12 partitionLeaderEpoch   16 magic int8        17 crc uint32 (CRC32C of 21..end)
 *  21 attributes int16       23 lastOffsetDelta   27 baseTimestamp int64
 *  35 maxTimestamp int64     43 producerId int64  51 producerEpoch int16
 *  53 baseSequence int32     57 recordCount int32 61 records...
 * A record: length varint, attributes int8, timestampDelta varint, offsetDelta
 * varint, keyLength varint (-1 = null), key, valueLength varint, value,
 * headerCount varint, headers (keyLength varint, key, valueLength varint, value).
 *
 * Old message sets (magic 0 and 1) keep the magic byte at the same position
 * (offset 16), so one byte tells the two apart.
 *
 * Nothing here allocates except the builder (which appends to a struct buf the
 * caller owns). All pointers handed out by the iterators point into the
 * caller's buffer and are valid as long as it is. */
#ifndef WEIR_WIRE_BATCH_H
#define WEIR_WIRE_BATCH_H

#include "common/buf.h"
#include "common/err.h"

#include <stddef.h>
#include <stdint.h>

#define BATCH_HDR_SIZE 61
#define BATCH_LOG_OVERHEAD 12 /* baseOffset + batchLength: bytes not counted by batchLength */
#define BATCH_MAGIC 2

/* attributes */
#define BATCH_ATTR_COMPRESSION_MASK 0x07
#define BATCH_COMPRESSION_NONE 0
#define BATCH_COMPRESSION_GZIP 1
#define BATCH_COMPRESSION_SNAPPY 2
#define BATCH_COMPRESSION_LZ4 3
#define BATCH_COMPRESSION_ZSTD 4
#define BATCH_ATTR_LOG_APPEND_TIME 0x08
#define BATCH_ATTR_TRANSACTIONAL 0x10
#define BATCH_ATTR_CONTROL 0x20

/* Field offsets inside a batch. */
#define BATCH_OFF_BASE_OFFSET 0
#define BATCH_OFF_LENGTH 8
#define BATCH_OFF_LEADER_EPOCH 12
#define BATCH_OFF_MAGIC 16
#define BATCH_OFF_CRC 17
#define BATCH_OFF_ATTRIBUTES 21
#define BATCH_OFF_LAST_OFFSET_DELTA 23
#define BATCH_OFF_BASE_TIMESTAMP 27
#define BATCH_OFF_MAX_TIMESTAMP 35
#define BATCH_OFF_PRODUCER_ID 43
#define BATCH_OFF_PRODUCER_EPOCH 51
#define BATCH_OFF_BASE_SEQUENCE 53
#define BATCH_OFF_RECORD_COUNT 57

/* Result of batch_validate for magic 0 or 1: the broker answers
 * UNSUPPORTED_FOR_MESSAGE_FORMAT (or CORRUPT_MESSAGE), distinct from a
 * corrupt v2 batch (WERR_CORRUPT / WERR_PARSE). */
#define BATCH_ERR_OLD_MAGIC WERR_UNSUPPORTED

struct batch_hdr {
    int64_t base_offset;
    int32_t batch_length;     /* bytes after the batchLength field */
    int32_t leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t record_count;
};

static inline size_t batch_total_size(const struct batch_hdr *h) { return (size_t)h->batch_length + BATCH_LOG_OVERHEAD; }
static inline int64_t batch_last_offset(const struct batch_hdr *h) { return h->base_offset + h->last_offset_delta; }
static inline int batch_compression(const struct batch_hdr *h) { return h->attributes & BATCH_ATTR_COMPRESSION_MASK; }

/* Big-endian helpers, shared with the storage layer. */
static inline uint16_t be16_get(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t be32_get(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t be64_get(const uint8_t *p) { return ((uint64_t)be32_get(p) << 32) | be32_get(p + 4); }
static inline void be16_put(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void be32_put(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void be64_put(uint8_t *p, uint64_t v) { be32_put(p, (uint32_t)(v >> 32)); be32_put(p + 4, (uint32_t)v); }

/* Decodes the 61-byte header at p. Checks only that len >= 61 and magic == 2:
 * WERR_PARSE if truncated, BATCH_ERR_OLD_MAGIC for magic 0/1, WERR_CORRUPT for
 * any other magic. Does not check the CRC or that the whole batch is present. */
int batch_parse_header(const uint8_t *p, size_t len, struct batch_hdr *out);

/* Validates the concatenated batches filling exactly [p, p+len) (one or more;
 * an empty buffer is WERR_PARSE). For each batch: magic 2 (BATCH_ERR_OLD_MAGIC
 * for 0/1), batchLength sane and within the buffer (WERR_PARSE), total size
 * <= max_bytes when max_bytes > 0 (WERR_TOOBIG), CRC32C (WERR_CORRUPT),
 * recordCount >= 0 and lastOffsetDelta >= 0; for uncompressed batches
 * recordCount == lastOffsetDelta + 1 and the records parse and exactly fill the
 * batch (WERR_CORRUPT). On failure a reason is written to why (if non-NULL). */
int batch_validate(const uint8_t *p, size_t len, int64_t max_bytes, char *why, size_t whylen);

/* The same checks for batches read back from a segment, which may have been
 * compacted (see storage/compact.h): an uncompressed batch may hold fewer
 * records than lastOffsetDelta + 1 (even none: an empty batch kept for its
 * header), their offset deltas strictly increasing and <= lastOffsetDelta. */
int batch_validate_stored(const uint8_t *p, size_t len, char *why, size_t whylen);

/* Iterates concatenated batches. batch_iter_next returns 1 with the next batch
 * (header decoded, *batch and *blen its bytes), 0 at the clean end, or a negative
 * WERR (WERR_PARSE: truncated batch or bad length; magic errors as
 * batch_parse_header). No CRC check: use batch_validate for untrusted input. */
struct batch_iter {
    const uint8_t *p, *end;
};
void batch_iter_init(struct batch_iter *it, const uint8_t *p, size_t len);
int batch_iter_next(struct batch_iter *it, const uint8_t **batch, size_t *blen, struct batch_hdr *hdr);

/* Rewrites baseOffset and partitionLeaderEpoch (outside the CRC). */
void batch_set_base_offset(uint8_t *p, int64_t base_offset, int32_t leader_epoch);
/* Sets the LogAppendTime attribute bit and maxTimestamp to ts, then recomputes
 * the CRC over batchLength bytes. The batch must be whole (validated). */
void batch_set_log_append_time(uint8_t *p, int64_t ts);
/* CRC32C a v2 batch should carry (over attributes..end). p must hold a whole batch. */
uint32_t batch_compute_crc(const uint8_t *p);

/* One record of an uncompressed batch. key/value are NULL with length -1 for
 * null. headers points at the first header (count header_count), to walk with
 * batch_record_header_next. */
struct batch_record {
    int8_t attributes;
    int64_t timestamp;       /* absolute: baseTimestamp + delta (maxTimestamp for LogAppendTime) */
    int64_t offset;          /* absolute: baseOffset + delta */
    const uint8_t *key;
    int32_t key_len;
    const uint8_t *value;
    int32_t value_len;
    int32_t header_count;
    const uint8_t *headers, *headers_end;
};
struct batch_header_kv {
    const uint8_t *key;
    int32_t key_len;
    const uint8_t *value;
    int32_t value_len;       /* -1 = null */
};

struct batch_rec_iter {
    struct batch_hdr hdr;
    const uint8_t *p, *end;
    int32_t left;
};
/* Starts iterating the records of the whole batch at [batch, batch+len).
 * WERR_UNSUPPORTED for compressed batches, WERR_PARSE if truncated. */
int batch_rec_iter_init(struct batch_rec_iter *it, const uint8_t *batch, size_t len);
/* Iterates records held apart from their header: h's recordCount records in
 * [records, records+len), e.g. a decompressed batch body (compress.h). */
void batch_rec_iter_init_raw(struct batch_rec_iter *it, const struct batch_hdr *h, const uint8_t *records, size_t len);
/* 1 with the next record, 0 after the last, WERR_PARSE on a malformed record. */
int batch_rec_iter_next(struct batch_rec_iter *it, struct batch_record *r);
/* Walks a record's headers: *pos starts at r->headers; returns 1 with a header,
 * WERR_PARSE if malformed. Call exactly r->header_count times. */
int batch_record_header_next(const uint8_t **pos, const uint8_t *end, struct batch_header_kv *h);

/* The builder: appends one uncompressed v2 batch to out.
 *   struct batch_builder b; batch_builder_init(&b, out, 0);
 *   batch_builder_add(&b, ts, key, klen, val, vlen, hdrs, nhdrs); ...
 *   batch_builder_finish(&b);
 * Records get consecutive offset deltas from 0. The first record's timestamp
 * is the baseTimestamp. producer fields default to -1 (no idempotence);
 * attributes may be set before finish (transactional, control). */
struct batch_builder {
    struct buf *out;
    size_t start;            /* where the batch starts in out */
    int64_t base_offset;
    int64_t base_ts, max_ts;
    int32_t count;
    int16_t attributes;
    int32_t leader_epoch;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
};
void batch_builder_init(struct batch_builder *b, struct buf *out, int64_t base_offset);
/* key_len / value_len -1 means null. */
void batch_builder_add(struct batch_builder *b, int64_t timestamp, const void *key, int32_t key_len,
                       const void *value, int32_t value_len, const struct batch_header_kv *headers, int nheaders);
/* Writes the header and CRC; returns the batch's total size in bytes. */
size_t batch_builder_finish(struct batch_builder *b);

#endif
