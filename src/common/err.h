/* err: the project's one return convention. Functions return int: 0 on
 * success, a negative WERR_* on failure. Kafka's wire error codes live in
 * their own space (wire/errors.h) and never mix with these. */
#ifndef WEIR_ERR_H
#define WEIR_ERR_H

enum werr {
    WERR_OK = 0,
    WERR_NOMEM = -1,
    WERR_IO = -2,        /* errno says more */
    WERR_PARSE = -3,     /* malformed input */
    WERR_RANGE = -4,     /* value out of range / offset out of range */
    WERR_NOTFOUND = -5,
    WERR_EXISTS = -6,
    WERR_INVALID = -7,   /* invalid argument or configuration */
    WERR_CORRUPT = -8,   /* stored data failed validation */
    WERR_TOOBIG = -9,
    WERR_AGAIN = -10,    /* would block, resume later */
    WERR_UNSUPPORTED = -11,
};

const char *werr_str(int err);

#endif
