/* AddOffsetsToTxn (key 25): versions 0-4, flexible from 3. Adds the
 * group's offsets partition to the transaction. */

#ifndef WEIR_WIRE_API_ADD_OFFSETS_TO_TXN_H
#define WEIR_WIRE_API_ADD_OFFSETS_TO_TXN_H

#include "wire/codec.h"

struct add_offsets_to_txn_req {
    struct wstr transactional_id;
    int64_t producer_id;
    int16_t producer_epoch;
    struct wstr group_id;
};

struct add_offsets_to_txn_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
};

extern const struct wschema add_offsets_to_txn_req_schema, add_offsets_to_txn_resp_schema;

#endif
