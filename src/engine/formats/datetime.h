/* datetime: Spark SQL's date/time values, patterns, casts and intervals.
 *
 * Representation (Spark's): a timestamp is int64 microseconds since
 * 1970-01-01T00:00:00Z; a date is int32 days since 1970-01-01. Arithmetic
 * on negative values floors (1969-12-31T23:59:59.999999 is -1).
 *
 * TIME ZONE: UTC only for now. The session time zone is always UTC: local
 * wall time == UTC, `z` formats as "UTC", offsets format as zero. Offsets
 * and zone names that appear in *parsed* text (Z, +01:00, UTC, GMT+2) are
 * honoured, so "2023-09-23T16:54:00+02:00" parses to 14:54Z.
 *
 * Patterns follow https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html
 * (G y M L d D Q q E a h K k H m s S V z O X x Z, 'literal', '', [optional]).
 * Compile a pattern once (dt_pattern_compile), then use it per row from any
 * number of threads (a compiled pattern is immutable). Week-based letters
 * (Y w W u e c) are rejected as in Spark 3+. E, Q, q and F are format-only:
 * dt_parse with a pattern containing them returns WERR_UNSUPPORTED (Spark
 * rejects such patterns in to_timestamp).
 *
 * Errors: every function returns 0 or a negative WERR_*. A row that does not
 * match a pattern is WERR_PARSE, which the caller turns into NULL (Spark's
 * non-ANSI to_timestamp / CAST); nothing here logs or aborts on bad input.
 * No function allocates except dt_pattern_compile (caller frees with
 * dt_pattern_free). */
#ifndef WEIR_DATETIME_H
#define WEIR_DATETIME_H

#include <stddef.h>
#include <stdint.h>

#define DT_US_PER_SEC INT64_C(1000000)
#define DT_US_PER_MIN (INT64_C(60) * DT_US_PER_SEC)
#define DT_US_PER_HOUR (INT64_C(60) * DT_US_PER_MIN)
#define DT_US_PER_DAY (INT64_C(24) * DT_US_PER_HOUR)

/* Broken-down UTC time. */
struct dt_tm {
    int64_t year;  /* proleptic Gregorian, 0 = 1 BC */
    int month;     /* 1..12 */
    int day;       /* 1..31 */
    int hour, minute, second;
    int micros;    /* 0..999999 */
    int dow;       /* ISO day of week 1 = Monday .. 7 = Sunday */
    int doy;       /* 1..366 */
};

/* ---- calendar arithmetic (pure, total) ---- */
int64_t dt_days_from_civil(int64_t y, int m, int d); /* no range check */
void dt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int dt_is_leap(int64_t y);
int dt_days_in_month(int64_t y, int m);
void dt_split(int64_t ts_us, struct dt_tm *tm);
/* Builds a timestamp from fields; WERR_RANGE if a field is out of range
 * (month 13, Feb 30, hour 24...) or the result overflows. */
int dt_join(const struct dt_tm *tm, int64_t *ts_us);
static inline int64_t dt_floordiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
static inline int64_t dt_floormod(int64_t a, int64_t b) { return a - dt_floordiv(a, b) * b; }
/* timestamp -> date (floor) and date -> timestamp at midnight UTC */
static inline int32_t dt_ts_to_date(int64_t ts) { return (int32_t)dt_floordiv(ts, DT_US_PER_DAY); }
static inline int64_t dt_date_to_ts(int32_t d) { return (int64_t)d * DT_US_PER_DAY; }

/* ---- patterns ---- */
struct dt_pattern;
/* Compiles a Spark datetime pattern. On failure returns WERR_INVALID and,
 * if err is non-NULL, writes a message like Spark's ("Illegal pattern
 * character: 'w'", "Too many pattern letters: MMMMM") into err[errcap].
 * *out is owned by the caller: dt_pattern_free. */
int dt_pattern_compile(const char *pat, size_t len, struct dt_pattern **out, char *err, size_t errcap);
void dt_pattern_free(struct dt_pattern *p);
/* 1 if the pattern can be used for parsing (no format-only letters). */
int dt_pattern_can_parse(const struct dt_pattern *p);
/* Parses s[0..n) (whole string must match) into a timestamp. Missing fields
 * default as in Spark: year 1970, month 1, day 1, time 00:00:00.
 * WERR_PARSE on mismatch or invalid field values; WERR_UNSUPPORTED if the
 * pattern is format-only. */
int dt_parse(const struct dt_pattern *p, const char *s, size_t n, int64_t *ts_us);
/* Formats ts into out[cap] with a terminating NUL; returns the length
 * (without NUL), or WERR_TOOBIG if cap is too small (DT_FMT_MAX always
 * suffices for patterns up to 64 chars of literals). */
#define DT_FMT_MAX 256
int dt_format(const struct dt_pattern *p, int64_t ts_us, char *out, size_t cap);

/* ---- Spark's default casts ---- */
/* CAST(string AS TIMESTAMP): "yyyy", "yyyy-[m]m", "yyyy-[m]m-[d]d",
 * then optional ' ' or 'T' and "[h]h:[m]m[:[s]s[.fraction]]" and an optional
 * zone (Z, UTC, GMT, UT, [+-]h[h][[:]mm], UTC+hh:mm, GMT+h, Etc/UTC).
 * Surrounding whitespace is ignored. Fractions beyond 6 digits are truncated.
 * WERR_PARSE if not a timestamp. */
int dt_cast_str_to_ts(const char *s, size_t n, int64_t *ts_us);
/* CAST(timestamp AS STRING): "yyyy-MM-dd HH:mm:ss" plus ".ffffff" with
 * trailing zeros removed, only when the fraction is non-zero. Returns length;
 * out needs DT_TS_STR_MAX bytes. */
#define DT_TS_STR_MAX 40
int dt_cast_ts_to_str(int64_t ts_us, char *out);
/* CAST(string AS DATE): "yyyy", "yyyy-[m]m", "yyyy-[m]m-[d]d", optionally
 * followed by ' ' or 'T' and anything. WERR_PARSE if not a date. */
int dt_cast_str_to_date(const char *s, size_t n, int32_t *days);
/* CAST(date AS STRING): "yyyy-MM-dd". out needs DT_TS_STR_MAX bytes. */
int dt_cast_date_to_str(int32_t days, char *out);

/* ---- intervals ---- */
/* Parses a Spark interval string: "5 minutes", "1 hour 30 minutes",
 * "INTERVAL 1 HOUR", "interval 5 minutes", "500 milliseconds", "1.5 seconds",
 * "-2 days", "INTERVAL '10' MINUTE", "'1 hour'", and the ANSI ranges
 * "INTERVAL '1:30' HOUR TO MINUTE", "'2 10:00:00.5' DAY TO SECOND",
 * "'1-6' YEAR TO MONTH" (DAY/HOUR/MINUTE TO HOUR/MINUTE/SECOND). Units (singular or plural,
 * any case): week day hour minute second millisecond microsecond, plus
 * month/year which go to *months. A day is 24 hours (UTC only).
 * WERR_PARSE on anything else. months may be NULL: then any month/year
 * part is WERR_UNSUPPORTED (what window() and watermarks need). */
int dt_interval_parse(const char *s, size_t n, int32_t *months, int64_t *us);

/* ---- functions ---- */
enum dt_unit {
    DT_UNIT_YEAR, DT_UNIT_QUARTER, DT_UNIT_MONTH, DT_UNIT_WEEK, DT_UNIT_DAY,
    DT_UNIT_HOUR, DT_UNIT_MINUTE, DT_UNIT_SECOND, DT_UNIT_MILLISECOND, DT_UNIT_MICROSECOND,
};
/* date_trunc's format names (case-insensitive): YEAR YYYY YY QUARTER MONTH MM
 * MON WEEK DAY DD HOUR MINUTE SECOND MILLISECOND MICROSECOND.
 * Returns the unit or -1 (Spark's date_trunc then yields NULL). */
int dt_unit_parse(const char *s, size_t n);
/* date_trunc(unit, ts); WEEK truncates to Monday. */
int64_t dt_trunc(int64_t ts_us, enum dt_unit unit);
/* Field extraction, Spark's numbering. */
int dt_year(int64_t ts);
int dt_quarter(int64_t ts);
int dt_month(int64_t ts);
int dt_dayofmonth(int64_t ts);
int dt_dayofyear(int64_t ts);
int dt_dayofweek(int64_t ts);  /* 1 = Sunday .. 7 = Saturday (Spark) */
int dt_weekday(int64_t ts);    /* 0 = Monday .. 6 = Sunday (Spark) */
int dt_weekofyear(int64_t ts); /* ISO 8601 week */
int dt_hour(int64_t ts);
int dt_minute(int64_t ts);
int dt_second(int64_t ts);
/* from_unixtime(sec, fmt): formats seconds since epoch; fmt NULL means
 * "yyyy-MM-dd HH:mm:ss". Returns length or negative WERR_*. */
int dt_from_unixtime(int64_t sec, const struct dt_pattern *fmt, char *out, size_t cap);
/* unix_timestamp(str, fmt): parses and floors to seconds; fmt NULL means
 * "yyyy-MM-dd HH:mm:ss". WERR_PARSE -> NULL in Spark. */
int dt_unix_timestamp(const char *s, size_t n, const struct dt_pattern *fmt, int64_t *sec);

#endif
