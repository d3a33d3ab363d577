/* AddPartitionsToTxn schemas; see api_add_partitions_to_txn.h. */
#include "wire/api_add_partitions_to_txn.h"

#define S struct add_partitions_to_txn_req_topic
static const struct wfield req_topic_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFAP(S, partitions, WT_I32, 0, WV_MAX),
};
#undef S
static WSCHEMA(req_topic_s, struct add_partitions_to_txn_req_topic, req_topic_f);

#define S struct add_partitions_to_txn_req_transaction
static const struct wfield req_transaction_f[] = {
    WF(S, transactional_id, WT_STR, 4, WV_MAX),
    WF(S, producer_id, WT_I64, 4, WV_MAX),
    WF(S, producer_epoch, WT_I16, 4, WV_MAX),
    WF(S, verify_only, WT_BOOL, 4, WV_MAX),
    WFA(S, topics, req_topic_s, 4, WV_MAX),
};
#undef S
static WSCHEMA(req_transaction_s, struct add_partitions_to_txn_req_transaction, req_transaction_f);

#define S struct add_partitions_to_txn_req
static const struct wfield req_f[] = {
    WFA(S, transactions, req_transaction_s, 4, WV_MAX),
    WF(S, v3_and_below_transactional_id, WT_STR, 0, 3),
    WF(S, v3_and_below_producer_id, WT_I64, 0, 3),
    WF(S, v3_and_below_producer_epoch, WT_I16, 0, 3),
    WFA(S, v3_and_below_topics, req_topic_s, 0, 3),
};
#undef S
WSCHEMA(add_partitions_to_txn_req_schema, struct add_partitions_to_txn_req, req_f);

#define S struct add_partitions_to_txn_resp_partition_result
static const struct wfield resp_partition_result_f[] = {
    WF(S, partition_index, WT_I32, 0, WV_MAX),
    WF(S, partition_error_code, WT_I16, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_partition_result_s, struct add_partitions_to_txn_resp_partition_result, resp_partition_result_f);

#define S struct add_partitions_to_txn_resp_topic_result
static const struct wfield resp_topic_result_f[] = {
    WF(S, name, WT_STR, 0, WV_MAX),
    WFA(S, results_by_partition, resp_partition_result_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_result_s, struct add_partitions_to_txn_resp_topic_result, resp_topic_result_f);

#define S struct add_partitions_to_txn_resp_txn_result
static const struct wfield resp_txn_result_f[] = {
    WF(S, transactional_id, WT_STR, 4, WV_MAX),
    WFA(S, topic_results, resp_topic_result_s, 4, WV_MAX),
};
#undef S
static WSCHEMA(resp_txn_result_s, struct add_partitions_to_txn_resp_txn_result, resp_txn_result_f);

#define S struct add_partitions_to_txn_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 4, WV_MAX),
    WFA(S, results_by_transaction, resp_txn_result_s, 4, WV_MAX),
    WFA(S, results_by_topic_v3_and_below, resp_topic_result_s, 0, 3),
};
#undef S
WSCHEMA(add_partitions_to_txn_resp_schema, struct add_partitions_to_txn_resp, resp_f);
