/* fuzz_sql: libFuzzer target for the pipeline front end — `${var}`
 * substitution, tokenizer, parser, binder and the streaming checks — on
 * arbitrary bytes. Nothing may crash, leak or trip the sanitizers; every
 * failure must come back as a message with a position.
 * Build: `make build/fuzz-sql` (clang, libFuzzer); run longer with `make fuzz FUZZ=sql`. */
#include <stddef.h>
#include <stdint.h>

#include "engine/runtime/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct session s;
    sess_init(&s);
    s.streaming_selects = size & 1; /* both binding modes */
    (void)sess_load(&s, "fuzz.sql", (const char *)data, size, NULL);
    sess_free(&s);
    return 0;
}
