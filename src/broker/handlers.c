/* handlers: the dispatch table from ApiKey to handler. An API the table
 * lacks is not advertised in ApiVersions and closes the connection if sent. */
#include "broker/core.h"

handler_fn handler_for(int api_key) {
    switch (api_key) {
    case API_API_VERSIONS: return h_api_versions;
    case API_METADATA: return h_metadata;
    case API_PRODUCE: return h_produce;
    case API_FETCH: return h_fetch;
    case API_LIST_OFFSETS: return h_list_offsets;
    }
    return 0;
}
