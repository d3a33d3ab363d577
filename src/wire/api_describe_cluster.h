/* DescribeCluster (key 60): versions 0-1, flexible from 0 (always). v1
 * adds endpoint_type (1 brokers, 2 controllers). */

#ifndef WEIR_WIRE_API_DESCRIBE_CLUSTER_H
#define WEIR_WIRE_API_DESCRIBE_CLUSTER_H

#include "wire/codec.h"

struct describe_cluster_req {
    int8_t include_cluster_authorized_operations;
    int8_t endpoint_type; /* v1+, default 1 */
};

struct describe_cluster_resp_broker {
    int32_t broker_id;
    struct wstr host;
    int32_t port;
    struct wstr rack; /* nullable, default null */
};
struct describe_cluster_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    struct wstr error_message; /* nullable, default null */
    int8_t endpoint_type; /* v1+, default 1 */
    struct wstr cluster_id;
    int32_t controller_id; /* default -1 */
    WARR(struct describe_cluster_resp_broker) brokers;
    int32_t cluster_authorized_operations; /* default -2147483648 */
};

extern const struct wschema describe_cluster_req_schema, describe_cluster_resp_schema;

#endif
