/* FindCoordinator (key 10): versions 0-6, flexible from 3. key_type: 0
 * group, 1 transaction (v1+). Up to v3 one key and one coordinator; from
 * v4 a batch (coordinator_keys in, coordinators out). */

#ifndef WEIR_WIRE_API_FIND_COORDINATOR_H
#define WEIR_WIRE_API_FIND_COORDINATOR_H

#include "wire/codec.h"

struct find_coordinator_req {
    struct wstr key; /* v0-3 */
    int8_t key_type; /* v1+ */
    WARR(struct wstr) coordinator_keys; /* v4+ */
};

struct find_coordinator_resp_coordinator {
    struct wstr key; /* v4+ */
    int32_t node_id; /* v4+ */
    struct wstr host; /* v4+ */
    int32_t port; /* v4+ */
    int16_t error_code; /* v4+ */
    struct wstr error_message; /* v4+, nullable */
};
struct find_coordinator_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code; /* v0-3 */
    struct wstr error_message; /* v1-3, nullable */
    int32_t node_id; /* v0-3 */
    struct wstr host; /* v0-3 */
    int32_t port; /* v0-3 */
    WARR(struct find_coordinator_resp_coordinator) coordinators; /* v4+ */
};

extern const struct wschema find_coordinator_req_schema, find_coordinator_resp_schema;

#endif
