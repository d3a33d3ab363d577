/* DescribeTransactions (key 65): version 0, flexible. */

#ifndef WEIR_WIRE_API_DESCRIBE_TRANSACTIONS_H
#define WEIR_WIRE_API_DESCRIBE_TRANSACTIONS_H

#include "wire/codec.h"

struct describe_transactions_req {
    WARR(struct wstr) transactional_ids;
};

struct describe_transactions_resp_topic {
    struct wstr topic;
    WARR(int32_t) partitions;
};
struct describe_transactions_resp_state {
    int16_t error_code;
    struct wstr transactional_id;
    struct wstr transaction_state;
    int32_t transaction_timeout_ms;
    int64_t transaction_start_time_ms;
    int64_t producer_id;
    int16_t producer_epoch;
    WARR(struct describe_transactions_resp_topic) topics;
};
struct describe_transactions_resp {
    int32_t throttle_time_ms;
    WARR(struct describe_transactions_resp_state) transaction_states;
};

extern const struct wschema describe_transactions_req_schema, describe_transactions_resp_schema;

#endif
