/* frame: see frame.h. */
#include "wire/frame.h"

#include "common/err.h"

#include <string.h>

int frame_read_header(struct wrd *r, struct req_header *h) {
    h->api_key = wrd_i16(r);
    h->api_version = wrd_i16(r);
    h->correlation_id = wrd_i32(r);
    int16_t n = wrd_i16(r);
    h->client_id = (struct wstr){NULL, 0};
    if (n >= 0) {
        const uint8_t *p = wrd_take(r, (size_t)n);
        if (p) h->client_id = (struct wstr){(const char *)p, n};
    } else if (n != -1) {
        wrd_fail(r, "client_id");
    }
    if (r->err && !r->err_what) r->err_what = "request header";
    return r->err;
}

int frame_skip_header_tags(struct wrd *r) {
    uint32_t n = wrd_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wrd_uvarint(r);
        uint32_t size = wrd_uvarint(r);
        wrd_take(r, size);
    }
    if (r->err && !r->err_what) r->err_what = "request header tags";
    return r->err;
}

void frame_begin_response(struct wout *w, int32_t correlation_id, int flex_header) {
    wout_i32(w, 0); /* size, filled in by frame_end_response */
    wout_i32(w, correlation_id);
    if (flex_header) wout_uvarint(w, 0);
}

void frame_end_response(struct wout *w) {
    uint32_t size = (uint32_t)(wout_len(w) - 4);
    uint8_t b[4] = {(uint8_t)(size >> 24), (uint8_t)(size >> 16), (uint8_t)(size >> 8), (uint8_t)size};
    memcpy(w->b.p, b, 4);
}

void frame_begin_request(struct wout *w, int16_t key, int16_t ver, int32_t corr, const char *client_id, int flex_header) {
    wout_i32(w, 0);
    wout_i16(w, key);
    wout_i16(w, ver);
    wout_i32(w, corr);
    if (client_id) {
        wout_i16(w, (int16_t)strlen(client_id));
        wout_bytes(w, client_id, strlen(client_id));
    } else {
        wout_i16(w, -1);
    }
    if (flex_header) wout_uvarint(w, 0);
}
