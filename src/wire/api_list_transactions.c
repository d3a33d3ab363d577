/* ListTransactions schemas; see api_list_transactions.h. */
#include "wire/api_list_transactions.h"

#define S struct list_transactions_req
static const struct wfield req_f[] = {
    WFAP(S, state_filters, WT_STR, 0, WV_MAX),
    WFAP(S, producer_id_filters, WT_I64, 0, WV_MAX),
    WF(S, duration_filter, WT_I64, 1, WV_MAX, .def = -1),
};
#undef S
WSCHEMA(list_transactions_req_schema, struct list_transactions_req, req_f);

#define S struct list_transactions_resp_state
static const struct wfield resp_state_f[] = {
    WF(S, transactional_id, WT_STR, 0, WV_MAX),
    WF(S, producer_id, WT_I64, 0, WV_MAX),
    WF(S, transaction_state, WT_STR, 0, WV_MAX),
};
#undef S
static WSCHEMA(resp_state_s, struct list_transactions_resp_state, resp_state_f);

#define S struct list_transactions_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WFAP(S, unknown_state_filters, WT_STR, 0, WV_MAX),
    WFA(S, transaction_states, resp_state_s, 0, WV_MAX),
};
#undef S
WSCHEMA(list_transactions_resp_schema, struct list_transactions_resp, resp_f);
