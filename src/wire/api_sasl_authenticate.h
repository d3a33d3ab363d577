/* SaslAuthenticate (key 36): versions 0-2, flexible from 2. Carries one
 * SASL token each way; v1 adds session_lifetime_ms (0: no re-authentication
 * required). */

#ifndef WEIR_WIRE_API_SASL_AUTHENTICATE_H
#define WEIR_WIRE_API_SASL_AUTHENTICATE_H

#include "wire/codec.h"

struct sasl_authenticate_req {
    struct wbytes auth_bytes;
};

struct sasl_authenticate_resp {
    int16_t error_code;
    struct wstr error_message; /* nullable */
    struct wbytes auth_bytes;
    int64_t session_lifetime_ms; /* v1+ */
};

extern const struct wschema sasl_authenticate_req_schema, sasl_authenticate_resp_schema;

#endif
