/* DescribeTransactions schemas; see api_describe_transactions.h. */
#include "wire/api_describe_transactions.h"

#define S struct describe_transactions_req
static const struct wfield req_f[] = {
    WFAP(S, transactional_ids, WT_STR, 0, WV_MAX),
};
#undef S
WSCHEMA(describe_transactions_req_schema, struct describe_transactions_req, req_f);

#define S struct describe_transactions_resp_topic
static const struct wfield resp_topic_f[] = {
    WF(S, topic, WT_STR, 0, WV_MAX),
    WFAP(S, partitions, WT_I32, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_topic_s, struct describe_transactions_resp_topic, resp_topic_f);

#define S struct describe_transactions_resp_state
static const struct wfield resp_state_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, transactional_id, WT_STR, 0, WV_MAX),
    WF(S, transaction_state, WT_STR, 0, WV_MAX),
    WF(S, transaction_timeout_ms, WT_I32, 0, WV_MAX),
    WF(S, transaction_start_time_ms, WT_I64, 0, WV_MAX),
    WF(S, producer_id, WT_I64, 0, WV_MAX),
    WF(S, producer_epoch, WT_I16, 0, WV_MAX),
    WFA(S, topics, resp_topic_s, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_state_s, struct describe_transactions_resp_state, resp_state_f);

#define S struct describe_transactions_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WFA(S, transaction_states, resp_state_s, 0, WV_MAX),
};
#undef S
WSCHEMA(describe_transactions_resp_schema, struct describe_transactions_resp, resp_f);
