/* err: names for the WERR_* codes, for log lines and error messages. */
#include "common/err.h"

const char *werr_str(int err) {
    switch (err) {
    case WERR_OK: return "ok";
    case WERR_NOMEM: return "out of memory";
    case WERR_IO: return "i/o error";
    case WERR_PARSE: return "malformed input";
    case WERR_RANGE: return "out of range";
    case WERR_NOTFOUND: return "not found";
    case WERR_EXISTS: return "already exists";
    case WERR_INVALID: return "invalid argument";
    case WERR_CORRUPT: return "corrupt data";
    case WERR_TOOBIG: return "too large";
    case WERR_AGAIN: return "would block";
    case WERR_UNSUPPORTED: return "unsupported";
    }
    return "unknown error";
}
