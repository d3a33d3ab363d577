/* DeleteRecords (key 21): versions 0-2, flexible from 2. Moves the log
 * start offset of partitions forward (offset -1: to the high watermark). */

#ifndef WEIR_WIRE_API_DELETE_RECORDS_H
#define WEIR_WIRE_API_DELETE_RECORDS_H

#include "wire/codec.h"

struct delete_records_req_partition {
    int32_t partition_index;
    int64_t offset;
};
struct delete_records_req_topic {
    struct wstr name;
    WARR(struct delete_records_req_partition) partitions;
};
struct delete_records_req {
    WARR(struct delete_records_req_topic) topics;
    int32_t timeout_ms;
};

struct delete_records_resp_partition {
    int32_t partition_index;
    int64_t low_watermark;
    int16_t error_code;
};
struct delete_records_resp_topic {
    struct wstr name;
    WARR(struct delete_records_resp_partition) partitions;
};
struct delete_records_resp {
    int32_t throttle_time_ms;
    WARR(struct delete_records_resp_topic) topics;
};

extern const struct wschema delete_records_req_schema, delete_records_resp_schema;

#endif
