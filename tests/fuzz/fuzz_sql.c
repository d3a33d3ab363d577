/* fuzz_sql: libFuzzer target for the pipeline front end — `${var}`
 * substitution, tokenizer, parser, binder and the streaming checks — on
 * arbitrary bytes. Nothing may crash, leak or trip the sanitizers; every
 * failure must come back as a message with a position.
 * Build (clang): clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_sql.c
 *   src/common/{arena,buf,err,hmap,log,uuid}.c src/engine/{types,sql,plan,exec,state,formats}/*.c
 *   src/engine/runtime/session.c -lm   (the Makefile target is the lead's to add) */
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
