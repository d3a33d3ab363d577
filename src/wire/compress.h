/* compress: the four record-batch codecs of Kafka (gzip, snappy, lz4, zstd)
 * and record-level access to a batch whatever its codec.
 *
 * The one thing to know first: the formats are the ones Kafka and librdkafka
 * put on the wire, not each library's default:
 *  - gzip: a gzip stream (RFC 1952) as GZIPOutputStream writes; zlib-wrapped
 *    and concatenated members are accepted on input.
 *  - snappy: Kafka's Java client writes snappy-java's "xerial" framing
 *    (magic \x82SNAPPY\0, int32 version 1, int32 compatible version 1, then
 *    blocks of int32 compressed length + raw snappy); librdkafka writes a
 *    bare raw snappy block. Input is accepted in both forms (the magic tells
 *    them apart); output is xerial-framed, as Kafka's broker writes it.
 *  - lz4: the LZ4 frame format with independent blocks of at most 64 KiB and
 *    no content size, which is what KafkaLZ4BlockInputStream accepts.
 *  - zstd: one zstd frame (several concatenated frames accepted on input).
 * Output is appended to a struct buf the caller owns. Decompression stops
 * with WERR_TOOBIG past max_out bytes (a decompression bomb is a value, not
 * an out-of-memory). Thread-safe: no shared state. */
#ifndef WEIR_WIRE_COMPRESS_H
#define WEIR_WIRE_COMPRESS_H

#include "common/buf.h"
#include "wire/batch.h"

#include <stddef.h>
#include <stdint.h>

/* Appends the decompressed bytes of in[0..n) to out. codec is one of
 * BATCH_COMPRESSION_*. 0, WERR_CORRUPT (malformed input), WERR_TOOBIG (more
 * than max_out bytes), WERR_UNSUPPORTED (unknown codec). NONE copies. */
int compress_decompress(int codec, const uint8_t *in, size_t n, struct buf *out, size_t max_out);
/* Appends the compressed form of in[0..n) to out. 0 or WERR_UNSUPPORTED /
 * WERR_NOMEM. NONE copies. */
int compress_compress(int codec, const uint8_t *in, size_t n, struct buf *out);

/* Starts iterating the records of the whole v2 batch [batch, batch+len)
 * whatever its codec: a compressed batch is decompressed into scratch (which
 * the caller owns, reuses across calls and frees; the iterator points into
 * it, so it is valid until scratch is next touched). 0, WERR_PARSE (truncated
 * batch), WERR_CORRUPT / WERR_TOOBIG (bad or oversized compressed data;
 * max_out bounds the decompressed size), WERR_UNSUPPORTED (unknown codec). */
int compress_rec_iter_init(struct batch_rec_iter *it, const uint8_t *batch, size_t len, struct buf *scratch,
                           size_t max_out);

/* The produce-time check for compacted topics (Kafka answers INVALID_RECORD,
 * "Compacted topic cannot accept message without key"): 1 if a record of any
 * of the concatenated batches in [p, p+len) has a null key, 0 if none does,
 * or a negative WERR if a batch cannot be read. Control batches are skipped.
 * The broker calls this for topics whose cleanup.policy contains compact;
 * the log itself never rejects keyless records. */
int compress_batch_has_null_key(const uint8_t *p, size_t len, size_t max_out);

#endif
