/* fuzz_request: libFuzzer target for the request decoder. The input is one
 * request frame without its size prefix, as the broker sees it after
 * framing: the header is read (frame_read_header), the API looked up and its
 * version checked, the header tags skipped in flexible versions, and the
 * body decoded into an arena. APIs known but not served yet (max_ver -1)
 * are decoded with their real range so their schemas get fuzzed too.
 * A body that decodes must also survive encode -> decode -> encode with
 * identical bytes (the codec's round-trip property); anything else aborts.
 * Seeds: tests/fuzz/corpus (valid requests of several APIs). */
#include "common/arena.h"
#include "wire/api.h"
#include "wire/codec.h"
#include "wire/frame.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const struct api_info *api_all_known(int *n); /* wire/api.c */

static const struct api_info *known(int key) {
    int n;
    const struct api_info *all = api_all_known(&n);
    for (int i = 0; i < n; i++)
        if (all[i].key == key) return &all[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct arena a;
    static int ready;
    if (!ready) {
        arena_init(&a, 64 * 1024);
        ready = 1;
    }
    struct wrd r;
    wrd_init(&r, data, size);
    struct req_header h;
    if (frame_read_header(&r, &h)) return 0;
    const struct api_info *api = api_lookup(h.api_key);
    if (api && api->max_ver < 0) api = known(h.api_key);
    if (!api || h.api_version < api->min_ver || h.api_version > api->max_ver) return 0;
    int ver = h.api_version, flex = api_is_flex(api, ver);
    if (flex && frame_skip_header_tags(&r)) return 0;
    void *body = arena_alloc(&a, api->req->size);
    if (wdecode(api->req, ver, flex, &r, body, &a)) {
        if (!r.err_what || r.err_off > size) abort(); /* a failure must say where */
        arena_reset(&a);
        return 0;
    }
    struct wout w1 = {0}, w2 = {0};
    wencode(api->req, ver, flex, body, &w1);
    void *again = arena_alloc(&a, api->req->size);
    struct wrd r2;
    wrd_init(&r2, w1.b.p, w1.b.len);
    if (wdecode(api->req, ver, flex, &r2, again, &a) || r2.p != r2.end) abort();
    wencode(api->req, ver, flex, again, &w2);
    if (w1.b.len != w2.b.len || (w1.b.len && memcmp(w1.b.p, w2.b.p, w1.b.len))) abort();
    wout_free(&w1);
    wout_free(&w2);
    arena_reset(&a);
    return 0;
}
