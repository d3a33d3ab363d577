/* civil: conversions between days since 1970-01-01 and the proleptic
 * Gregorian calendar (year, month, day), the arithmetic every date and
 * timestamp kernel needs. Header-only; pure integer math valid for any
 * int32 day count. Full pattern parsing/formatting lives in formats/datetime. */
#ifndef WEIR_ENGINE_CIVIL_H
#define WEIR_ENGINE_CIVIL_H

#include <stdint.h>

#define CIVIL_US_PER_SEC 1000000LL
#define CIVIL_US_PER_DAY 86400000000LL

static inline int64_t civil_days_from_ymd(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static inline void civil_ymd_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Floor division for microsecond → day splits of negative timestamps. */
static inline int64_t civil_floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

#endif
