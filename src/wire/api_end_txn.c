/* EndTxn schemas; see api_end_txn.h. */
#include "wire/api_end_txn.h"

#define S struct end_txn_req
static const struct wfield req_f[] = {
    WF(S, transactional_id, WT_STR, 0, WV_MAX),
    WF(S, producer_id, WT_I64, 0, WV_MAX),
    WF(S, producer_epoch, WT_I16, 0, WV_MAX),
    WF(S, committed, WT_BOOL, 0, WV_MAX),
};
#undef S
WSCHEMA(end_txn_req_schema, struct end_txn_req, req_f);

#define S struct end_txn_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
};
#undef S
WSCHEMA(end_txn_resp_schema, struct end_txn_resp, resp_f);
