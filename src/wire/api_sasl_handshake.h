/* SaslHandshake (key 17): versions 0-1, never flexible. v0: the SASL
 * tokens follow as raw size-prefixed frames; v1: they travel in
 * SaslAuthenticate requests. Answered before authentication, so the
 * broker applies its small pre-authentication size limit. */

#ifndef WEIR_WIRE_API_SASL_HANDSHAKE_H
#define WEIR_WIRE_API_SASL_HANDSHAKE_H

#include "wire/codec.h"

struct sasl_handshake_req {
    struct wstr mechanism;
};

struct sasl_handshake_resp {
    int16_t error_code;
    WARR(struct wstr) mechanisms;
};

extern const struct wschema sasl_handshake_req_schema, sasl_handshake_resp_schema;

#endif
