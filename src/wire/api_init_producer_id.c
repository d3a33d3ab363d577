/* InitProducerId schemas; see api_init_producer_id.h. */
#include "wire/api_init_producer_id.h"

#define S struct init_producer_id_req
static const struct wfield req_f[] = {
    WF(S, transactional_id, WT_STR, 0, WV_MAX, .nullable_min = 0),
    WF(S, transaction_timeout_ms, WT_I32, 0, WV_MAX),
    WF(S, producer_id, WT_I64, 3, WV_MAX, .def = -1),
    WF(S, producer_epoch, WT_I16, 3, WV_MAX, .def = -1),
};
#undef S
WSCHEMA(init_producer_id_req_schema, struct init_producer_id_req, req_f);

#define S struct init_producer_id_resp
static const struct wfield resp_f[] = {
    WF(S, throttle_time_ms, WT_I32, 0, WV_MAX),
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, producer_id, WT_I64, 0, WV_MAX, .def = -1),
    WF(S, producer_epoch, WT_I16, 0, WV_MAX),
};
#undef S
WSCHEMA(init_producer_id_resp_schema, struct init_producer_id_resp, resp_f);
