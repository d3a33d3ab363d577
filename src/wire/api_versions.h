/* ApiVersions (key 18): the first request of most clients. Versions 0-4;
 * flexible from 3. The response header is always v0 (see api.h). */
#ifndef WEIR_WIRE_API_VERSIONS_H
#define WEIR_WIRE_API_VERSIONS_H

#include "wire/codec.h"

struct api_versions_req {
    struct wstr client_software_name;    /* v3+ */
    struct wstr client_software_version; /* v3+ */
};
struct api_versions_resp_key {
    int16_t api_key, min_version, max_version;
};
struct api_versions_resp_feature {
    struct wstr name;
    int16_t min_version, max_version;
};
struct api_versions_resp_finalized {
    struct wstr name;
    int16_t max_version_level, min_version_level;
};
struct api_versions_resp {
    int16_t error_code;
    WARR(struct api_versions_resp_key) api_keys;
    int32_t throttle_time_ms;                                   /* v1+ */
    WARR(struct api_versions_resp_feature) supported_features;  /* v3+, tag 0 */
    int64_t finalized_features_epoch;                           /* v3+, tag 1, default -1 */
    WARR(struct api_versions_resp_finalized) finalized_features; /* v3+, tag 2 */
    int8_t zk_migration_ready;                                  /* v3+, tag 3 */
};

extern const struct wschema api_versions_req_schema, api_versions_resp_schema;

#endif
