/* frame: the request header and the response frame around every body.
 *   request  = int32 size | int16 api_key | int16 api_version | int32 correlation_id
 *              | nullable string client_id (always the classic int16 form)
 *              | tagged fields (header v2, flexible versions only) | body
 *   response = int32 size | int32 correlation_id | tagged fields (header v1) | body */
#ifndef WEIR_WIRE_FRAME_H
#define WEIR_WIRE_FRAME_H

#include "wire/api.h"

struct req_header {
    int16_t api_key, api_version;
    int32_t correlation_id;
    struct wstr client_id;
};

/* Reads the fixed part of a request header (key, version, correlation id,
 * client id) from a frame without its size prefix. The caller looks up the
 * API and, for a flexible version, calls frame_skip_header_tags. */
int frame_read_header(struct wrd *r, struct req_header *h);
int frame_skip_header_tags(struct wrd *r);

/* Starts a response: reserves the size prefix, writes the correlation id
 * and, when flex_header, an empty tagged-field section. */
void frame_begin_response(struct wout *w, int32_t correlation_id, int flex_header);
/* Fills in the size prefix once the body is written. */
void frame_end_response(struct wout *w);

/* Client side (tests, tools): writes a request header (v1 or v2). */
void frame_begin_request(struct wout *w, int16_t key, int16_t ver, int32_t corr, const char *client_id, int flex_header);

#endif
