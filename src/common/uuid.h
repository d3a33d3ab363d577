/* uuid: random (version 4, RFC 4122 variant) UUIDs from getrandom(2), and
 * their canonical 36-character text form (lower-case hex with dashes, as
 * Java's UUID.toString prints them for Spark's query ids and file names).
 * Thread-safe; no state. */
#ifndef WEIR_UUID_H
#define WEIR_UUID_H

#include <stdint.h>

#define UUID_STR_LEN 36 /* without the NUL */

/* Fills u with a fresh v4 UUID. Returns 0 or WERR_IO if the kernel's
 * random source fails (it does not block after early boot). */
int uuid_v4(uint8_t u[16]);
/* Writes the text form and a NUL into out[UUID_STR_LEN + 1]. */
void uuid_format(const uint8_t u[16], char out[UUID_STR_LEN + 1]);
/* A fresh v4 UUID as text into out[UUID_STR_LEN + 1]; 0 or WERR_IO. */
int uuid_v4_str(char out[UUID_STR_LEN + 1]);
/* Parses the 36-character form (either case); 0 or WERR_PARSE. */
int uuid_parse(const char *s, uint8_t u[16]);

#endif
