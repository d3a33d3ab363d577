/* InitProducerId (key 22): versions 0-5, flexible from 2. transactional_id
 * null for an idempotent-only producer. v3 lets a producer pass its current
 * id and epoch to bump the epoch instead of getting a new id. */

#ifndef WEIR_WIRE_API_INIT_PRODUCER_ID_H
#define WEIR_WIRE_API_INIT_PRODUCER_ID_H

#include "wire/codec.h"

struct init_producer_id_req {
    struct wstr transactional_id; /* nullable */
    int32_t transaction_timeout_ms;
    int64_t producer_id; /* v3+, default -1 */
    int16_t producer_epoch; /* v3+, default -1 */
};

struct init_producer_id_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t producer_id; /* default -1 */
    int16_t producer_epoch;
};

extern const struct wschema init_producer_id_req_schema, init_producer_id_resp_schema;

#endif
