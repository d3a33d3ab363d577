/* SaslHandshake schemas; see api_sasl_handshake.h. */
#include "wire/api_sasl_handshake.h"

#define S struct sasl_handshake_req
static const struct wfield req_f[] = {
    WF(S, mechanism, WT_STR, 0, WV_MAX),
};
#undef S
WSCHEMA(sasl_handshake_req_schema, struct sasl_handshake_req, req_f);

#define S struct sasl_handshake_resp
static const struct wfield resp_f[] = {
    WF(S, error_code, WT_I16, 0, WV_MAX),
    WFAP(S, mechanisms, WT_STR, 0, WV_MAX),
};
#undef S
WSCHEMA(sasl_handshake_resp_schema, struct sasl_handshake_resp, resp_f);
