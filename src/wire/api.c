/* api: the table of APIs; see api.h. Adding an API = its schema file plus
 * one line here (and a handler in the broker's dispatch table). */
#include "wire/api.h"

#include "wire/api_versions.h"

#include <stdint.h>

#define NOFLEX INT16_MAX
static const struct api_info apis[] = {
    {API_API_VERSIONS, "ApiVersions", 0, 4, 3, &api_versions_req_schema, &api_versions_resp_schema},
};

const struct api_info *api_lookup(int key) {
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++)
        if (apis[i].key == key) return &apis[i];
    return NULL;
}

const struct api_info *api_all(int *n) {
    *n = (int)(sizeof apis / sizeof apis[0]);
    return apis;
}
