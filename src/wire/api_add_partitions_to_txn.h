/* AddPartitionsToTxn (key 24): versions 0-5, flexible from 3. Clients use
 * v0-3 (one transaction: the v3_and_below_* fields); v4+ batches
 * transactions (brokers verifying, verify_only) and answers per
 * transaction. The topic element types are shared by both layouts. */

#ifndef WEIR_WIRE_API_ADD_PARTITIONS_TO_TXN_H
#define WEIR_WIRE_API_ADD_PARTITIONS_TO_TXN_H

#include "wire/codec.h"

struct add_partitions_to_txn_req_topic {
    struct wstr name;
    WARR(int32_t) partitions;
};
struct add_partitions_to_txn_req_transaction {
    struct wstr transactional_id; /* v4+ */
    int64_t producer_id; /* v4+ */
    int16_t producer_epoch; /* v4+ */
    int8_t verify_only; /* v4+ */
    WARR(struct add_partitions_to_txn_req_topic) topics; /* v4+ */
};
struct add_partitions_to_txn_req {
    WARR(struct add_partitions_to_txn_req_transaction) transactions; /* v4+ */
    struct wstr v3_and_below_transactional_id; /* v0-3 */
    int64_t v3_and_below_producer_id; /* v0-3 */
    int16_t v3_and_below_producer_epoch; /* v0-3 */
    WARR(struct add_partitions_to_txn_req_topic) v3_and_below_topics; /* v0-3 */
};

struct add_partitions_to_txn_resp_partition_result {
    int32_t partition_index;
    int16_t partition_error_code;
};
struct add_partitions_to_txn_resp_topic_result {
    struct wstr name;
    WARR(struct add_partitions_to_txn_resp_partition_result) results_by_partition;
};
struct add_partitions_to_txn_resp_txn_result {
    struct wstr transactional_id; /* v4+ */
    WARR(struct add_partitions_to_txn_resp_topic_result) topic_results; /* v4+ */
};
struct add_partitions_to_txn_resp {
    int32_t throttle_time_ms;
    int16_t error_code; /* v4+ */
    WARR(struct add_partitions_to_txn_resp_txn_result) results_by_transaction; /* v4+ */
    WARR(struct add_partitions_to_txn_resp_topic_result) results_by_topic_v3_and_below; /* v0-3 */
};

extern const struct wschema add_partitions_to_txn_req_schema, add_partitions_to_txn_resp_schema;

#endif
