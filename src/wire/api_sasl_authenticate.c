/* SaslAuthenticate schemas; see api_sasl_authenticate.h. */
#include "wire/api_sasl_authenticate.h"

#define S struct sasl_authenticate_req
static const struct wfield req_f[] = {
    WF(S, auth_bytes, WT_BYTES, 0, WV_MAX),
};
#undef S
WSCHEMA(sasl_authenticate_req_schema, struct sasl_authenticate_req, req_f);

#define S struct sasl_authenticate_resp
static const struct wfield resp_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WF(S, error_message, WT_STR, 0, WV_MAX, .nullable_min = 0),
    WF(S, auth_bytes, WT_BYTES, 0, WV_MAX),
    WF(S, session_lifetime_ms, WT_I64, 1, WV_MAX),
};
#undef S
WSCHEMA(sasl_authenticate_resp_schema, struct sasl_authenticate_resp, resp_f);
