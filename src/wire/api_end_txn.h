/* EndTxn (key 26): versions 0-4, flexible from 3. committed: 1 commit,
 * 0 abort. */

#ifndef WEIR_WIRE_API_END_TXN_H
#define WEIR_WIRE_API_END_TXN_H

#include "wire/codec.h"

struct end_txn_req {
    struct wstr transactional_id;
    int64_t producer_id;
    int16_t producer_epoch;
    int8_t committed;
};

struct end_txn_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
};

extern const struct wschema end_txn_req_schema, end_txn_resp_schema;

#endif
