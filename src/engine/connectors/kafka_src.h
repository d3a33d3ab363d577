/* kafka_src: the Kafka source's client side over librdkafka, with Spark's
 * option names (spark-structured-streaming-kafka-integration).
 *
 * What it does, in the order a micro-batch uses it:
 *   1. ksrc_opts_set      Spark options -> struct ksrc_opts; `kafka.*` keys
 *                         go to librdkafka with the prefix stripped, except
 *                         kafka.group.id (allowed, as in Spark 3+), which is
 *                         kept for ksrc_commit only: the reading handle uses
 *                         a private random group id and never joins it.
 *                         Java client names are translated where
 *                         librdkafka differs: sasl.jaas.config (Plain/Scram
 *                         modules) -> sasl.username/password,
 *                         fetch.max.wait.ms -> fetch.wait.max.ms, socket
 *                         buffer sizes; Java-only tuning options
 *                         (max.poll.records, default.api.timeout.ms, ...)
 *                         are skipped with a warning.
 *                         Reading defaults that differ from librdkafka's:
 *                         fetch.wait.max.ms=100, fetch.error.backoff.ms=100
 *                         (a kafka.* option overrides them).
 *   2. ksrc_new           one rd_kafka consumer handle (never subscribes).
 *   3. ksrc_partitions    subscribe / subscribePattern / assign -> sorted
 *                         topic-partitions, from cluster metadata.
 *   4. ksrc_resolve / ksrc_latest / ksrc_earliest / ksrc_offsets_for_times /
 *      ksrc_resolve_by_timestamp
 *                         -> concrete offsets (startingOffsets, endingOffsets,
 *                         startingTimestamp); ksrc_rate_limit applies
 *                         maxOffsetsPerTrigger.
 *   5. ksrc_read          delivers exactly the messages in [start, end) of
 *                         each partition to a callback, using assign() with
 *                         auto commit off and auto.offset.reset=error, so a
 *                         range that fell to retention is detected, never
 *                         silently skipped.
 *   6. ksrc_commit        optionally stores the processed offsets in a
 *                         consumer group (kafka.group.id) for lag tools.
 *
 * Offsets JSON is Spark's: {"topic":{"0":23,"1":-2}} with -2 = earliest and
 * -1 = latest; ksrc_offsets_format writes topics and partitions sorted.
 *
 * Data loss (failOnDataLoss, default true), as Spark defines it: a range
 * whose start is below the partition's earliest offset (retention or
 * deletion), an end above its latest offset (topic recreated or truncated),
 * or a fetch reporting offset-out-of-range. With failOnDataLoss=true
 * ksrc_read stops with WERR_RANGE and a message naming the partition and the
 * lost offsets; with false it logs a warning, skips what is gone, and
 * counts the lost offsets in the stats. Gaps inside the log (compaction,
 * transaction markers) are not data loss.
 *
 * Connection problems: metadata and offset queries retry
 * fetchOffset.numRetries times with backoff starting at
 * fetchOffset.retryIntervalMs (doubling, at most 2 s); reads wait up to
 * kafkaConsumer.pollTimeoutMs for progress. Failures return WERR_IO (or
 * WERR_AGAIN for a read that timed out) and ksrc_error() says what failed,
 * against which bootstrap servers, and librdkafka's last error.
 *
 * Ownership: struct ksrc is the caller's (ksrc_free). Arrays returned
 * through an arena live in that arena. Message fields passed to the callback
 * are valid only during the callback. Threads: one struct ksrc is used by
 * one thread at a time; librdkafka's own threads are internal. */
#ifndef WEIR_KAFKA_SRC_H
#define WEIR_KAFKA_SRC_H

#include "common/arena.h"
#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

#define KSRC_EARLIEST (-2)
#define KSRC_LATEST (-1)

enum ksrc_strategy { KSRC_NONE, KSRC_SUBSCRIBE, KSRC_SUBSCRIBE_PATTERN, KSRC_ASSIGN };

/* Where a new query starts is the engine's choice, in Spark's order of
 * precedence: startingTimestamp, then startingOffsetsByTimestamp, then
 * startingOffsets (streaming default latest, batch default earliest). */
struct ksrc_opts {
    enum ksrc_strategy strategy;
    const char *strategy_value;     /* topic list / regex / assign JSON (borrowed) */
    const char *starting_offsets;   /* "earliest" | "latest" | JSON; NULL = caller's default */
    const char *ending_offsets;     /* batch queries: "latest" | JSON; NULL = latest */
    int64_t starting_timestamp;     /* startingTimestamp (ms) or -1 */
    const char *starting_offsets_by_timestamp; /* JSON {"t":{"0":ms}} or NULL */
    int timestamp_none_latest;      /* startingOffsetsByTimestampStrategy: 0 "error" (default), 1 "latest" */
    int fail_on_data_loss;          /* default 1 */
    int include_headers;            /* default 0 */
    int64_t max_offsets_per_trigger;/* 0 = unlimited */
    int64_t poll_timeout_ms;        /* kafkaConsumer.pollTimeoutMs, default 120000 */
    int fetch_retries;              /* fetchOffset.numRetries, default 3 */
    int64_t retry_interval_ms;      /* fetchOffset.retryIntervalMs, default 10 */
    int64_t query_timeout_ms;       /* weir: per metadata/offset request, default 10000 */
    const char *group_id;           /* kafka.group.id: only used by ksrc_commit */
    int nkafka;                     /* librdkafka properties (prefix stripped, borrowed) */
    const char *kafka_keys[64], *kafka_vals[64];
};

void ksrc_opts_init(struct ksrc_opts *o);
/* Applies one source option (Spark's names, case-insensitive for the
 * non-kafka ones). Rejects as Spark does: kafka.auto.offset.reset,
 * kafka.enable.auto.commit, kafka.key.deserializer, kafka.value.deserializer,
 * kafka.interceptor.classes (WERR_INVALID with the reason in err). Also
 * WERR_INVALID if a second of subscribe/subscribePattern/assign is set or a
 * number does not parse. WERR_NOTFOUND for keys that are not source options
 * (left to the caller). Strings are borrowed: they must outlive the opts. */
int ksrc_opts_set(struct ksrc_opts *o, const char *key, const char *val, char *err, size_t errcap);
/* Extracts username and password from a Java JAAS line for
 * PlainLoginModule / ScramLoginModule ("org.apache.kafka.common.security.
 * plain.PlainLoginModule required username=\"u\" password=\"p\";").
 * WERR_INVALID with a hint for other modules. */
int ksrc_jaas_parse(const char *cfg, char *user, size_t ucap, char *pass, size_t pcap, char *err, size_t errcap);
/* Checks the options are complete: bootstrap servers and one strategy. */
int ksrc_opts_check(const struct ksrc_opts *o, char *err, size_t errcap);

struct ksrc;
int ksrc_new(const struct ksrc_opts *o, struct ksrc **out, char *err, size_t errcap);
void ksrc_free(struct ksrc *k);
/* The message of the last failure on this handle ("" if none). */
const char *ksrc_error(const struct ksrc *k);

struct ksrc_tp {
    const char *topic;
    int32_t partition;
};
/* A topic-partition with an offset. */
struct ksrc_po {
    const char *topic;
    int32_t partition;
    int64_t offset;
};

/* Resolves the subscription to topic-partitions sorted by (topic, partition),
 * in the arena. Topics that do not exist (yet) contribute nothing. */
int ksrc_partitions(struct ksrc *k, struct arena *a, struct ksrc_tp **tps, int *n);
/* Earliest (log start) and latest offsets per partition, from ListOffsets.
 * "Latest" honours the consumer's isolation.level: librdkafka's default,
 * read_committed, gives the last stable offset, which is also as far as
 * ksrc_read can read; kafka.isolation.level=read_uncommitted gives the high
 * watermark (what Spark's Java consumer sees by default). */
int ksrc_earliest(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t *out);
int ksrc_latest(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t *out);
/* startingTimestamp: the first offset whose timestamp is >= ts_ms, per
 * partition. Where no message is that late: WERR_NOTFOUND naming the
 * partition, or its latest offset with startingOffsetsByTimestampStrategy
 * "latest" (Spark's rule). WERR_UNSUPPORTED if the broker cannot answer by
 * timestamp. */
int ksrc_offsets_for_times(struct ksrc *k, const struct ksrc_tp *tps, int n, int64_t ts_ms, int64_t *out);
/* startingOffsetsByTimestamp: the same with a timestamp per partition from
 * JSON {"topic":{"0":ms,...}}; every partition in tps must have one. */
int ksrc_resolve_by_timestamp(struct ksrc *k, const char *json, const struct ksrc_tp *tps, int n, int64_t *out);

/* Parses Spark's offsets JSON into the arena. Accepts -2/-1. */
int ksrc_offsets_parse(const char *json, size_t n, struct arena *a, struct ksrc_po **out, int *count, char *err,
                       size_t errcap);
/* Writes {"t":{"0":1,"1":2},...}, topics then partitions sorted. Sorts po in place. */
void ksrc_offsets_format(struct ksrc_po *po, int n, struct buf *out);
/* Parses assign's JSON {"topic":[0,1]} into the arena. */
int ksrc_assign_parse(const char *json, size_t n, struct arena *a, struct ksrc_tp **out, int *count, char *err,
                      size_t errcap);

/* Turns a startingOffsets / endingOffsets spec ("earliest", "latest" or
 * JSON) into concrete offsets for tps[0..n): out[i] for tps[i]. In JSON,
 * -2/-1 are resolved against the cluster; a partition missing from the JSON
 * is WERR_INVALID (as Spark) unless missing_default is KSRC_EARLIEST or
 * KSRC_LATEST, which is then used. is_end: "earliest" is invalid for
 * endingOffsets (Spark rejects it). */
int ksrc_resolve(struct ksrc *k, const char *spec, const struct ksrc_tp *tps, int n, int is_end,
                 int64_t missing_default, int64_t *out);

/* maxOffsetsPerTrigger, Spark's rule: each partition gets a share of
 * `limit` proportional to its backlog (end - start), floor (ceil when the
 * share is below 1), never past its end. Adjusts end[] in place. */
void ksrc_rate_limit(const int64_t *start, int64_t *end, int n, int64_t limit);

/* ---- reading ---- */
struct ksrc_header {
    const char *key;
    const void *value; /* NULL for a null header value */
    size_t value_len;
};
struct ksrc_msg {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
    int timestamp_type;     /* Spark's timestampType: 0 CreateTime, 1 LogAppendTime, -1 none */
    const void *key;        /* NULL = null key */
    size_t key_len;
    const void *value;      /* NULL = null value */
    size_t value_len;
    int nheaders;           /* only with includeHeaders */
    const struct ksrc_header *headers;
};
/* Return 0 to continue; non-zero stops ksrc_read, which returns that value. */
typedef int (*ksrc_msg_fn)(void *opaque, const struct ksrc_msg *m);

struct ksrc_range {
    const char *topic;
    int32_t partition;
    int64_t start, end; /* [start, end), concrete offsets */
};
struct ksrc_read_stats {
    int64_t messages;     /* delivered */
    int64_t bytes;        /* key + value bytes delivered */
    int64_t lost_offsets; /* skipped as data loss (failOnDataLoss=false) */
};
/* Reads every range to its end, calling fn per message in offset order per
 * partition (partitions interleave). Ranges with start >= end are skipped;
 * a partition may appear only once (WERR_INVALID otherwise).
 * Returns 0, the callback's non-zero value, WERR_RANGE (data loss with
 * failOnDataLoss), WERR_AGAIN (no progress within pollTimeoutMs) or WERR_IO. */
int ksrc_read(struct ksrc *k, const struct ksrc_range *r, int n, ksrc_msg_fn fn, void *opaque,
              struct ksrc_read_stats *stats);

/* Commits offsets (the next offset to read, Kafka's convention) for
 * po[0..n) to group `group` (NULL: opts.group_id), with the admin API's
 * AlterConsumerGroupOffsets (an OffsetCommit from outside the group, as
 * kafka-consumer-groups --reset-offsets does), waiting at most about
 * fetchOffset.timeoutMs. WERR_INVALID if there is no group; WERR_IO with
 * ksrc_error() if the broker refuses or cannot be reached (no group
 * support, or the group has active members): callers report and carry on. */
int ksrc_commit(struct ksrc *k, const char *group, const struct ksrc_po *po, int n);
/* Reads a group's committed offsets for tps (-1001 = none). For tests/tools. */
int ksrc_committed(struct ksrc *k, const char *group, const struct ksrc_tp *tps, int n, int64_t *out);

/* A flag (set e.g. by a signal handler) that makes metadata waits give up
 * within about a second; NULL: none. Process-wide. */
void ksrc_set_stop(volatile const int *flag);

#endif
