/* ListTransactions (key 66): versions 0-1, flexible. v1 adds
 * duration_filter (-1: none). */

#ifndef WEIR_WIRE_API_LIST_TRANSACTIONS_H
#define WEIR_WIRE_API_LIST_TRANSACTIONS_H

#include "wire/codec.h"

struct list_transactions_req {
    WARR(struct wstr) state_filters;
    WARR(int64_t) producer_id_filters;
    int64_t duration_filter; /* v1+, default -1 */
};

struct list_transactions_resp_state {
    struct wstr transactional_id;
    int64_t producer_id;
    struct wstr transaction_state;
};
struct list_transactions_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    WARR(struct wstr) unknown_state_filters;
    WARR(struct list_transactions_resp_state) transaction_states;
};

extern const struct wschema list_transactions_req_schema, list_transactions_resp_schema;

#endif
