/* uuid: see uuid.h. getrandom may return short reads for large requests
 * or be interrupted by a signal; 16 bytes are read in a loop. */
#include "common/uuid.h"

#include "common/err.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

int uuid_v4(uint8_t u[16]) {
    size_t got = 0;
    while (got < 16) {
        ssize_t r = getrandom(u + got, 16 - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return WERR_IO;
        }
        got += (size_t)r;
    }
    u[6] = (uint8_t)((u[6] & 0x0F) | 0x40); /* version 4 */
    u[8] = (uint8_t)((u[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    return 0;
}

void uuid_format(const uint8_t u[16], char out[UUID_STR_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = 0;
}

int uuid_v4_str(char out[UUID_STR_LEN + 1]) {
    uint8_t u[16];
    int rc = uuid_v4(u);
    if (rc) return rc;
    uuid_format(u, out);
    return 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int uuid_parse(const char *s, uint8_t u[16]) {
    int b = 0;
    for (int i = 0; i < UUID_STR_LEN;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return WERR_PARSE;
            i++;
            continue;
        }
        int hi = hexval(s[i]), lo = hi < 0 ? -1 : hexval(s[i + 1]);
        if (hi < 0 || lo < 0) return WERR_PARSE;
        u[b++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return s[UUID_STR_LEN] == 0 ? 0 : WERR_PARSE;
}
