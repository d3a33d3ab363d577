/* Unit tests for engine/formats/datetime: calendar math, Spark patterns
 * (parse and format), default casts, intervals and the helper functions,
 * using the examples from Spark's SQL function and pattern documentation
 * (with the session time zone at UTC). */
#include "test.h"

#include "common/err.h"
#include "engine/formats/datetime.h"

#include <stdlib.h>

static int64_t ts_of(const char *s) {
    int64_t v = INT64_MIN;
    if (dt_cast_str_to_ts(s, strlen(s), &v)) return INT64_MIN;
    return v;
}

static const char *str_of(int64_t ts) {
    static char b[DT_TS_STR_MAX];
    dt_cast_ts_to_str(ts, b);
    return b;
}

/* parse s with pattern pat; returns the result as a cast string or "NULL" */
static const char *parse_with(const char *pat, const char *s) {
    struct dt_pattern *p;
    char err[128];
    if (dt_pattern_compile(pat, strlen(pat), &p, err, sizeof err)) return "BADPATTERN";
    int64_t ts;
    int rc = dt_parse(p, s, strlen(s), &ts);
    dt_pattern_free(p);
    return rc ? "NULL" : str_of(ts);
}

static const char *format_with(const char *pat, int64_t ts) {
    static char b[DT_FMT_MAX];
    struct dt_pattern *p;
    char err[128];
    if (dt_pattern_compile(pat, strlen(pat), &p, err, sizeof err)) return "BADPATTERN";
    int rc = dt_format(p, ts, b, sizeof b);
    dt_pattern_free(p);
    return rc < 0 ? "ERR" : b;
}

TEST(dt_civil_roundtrip) {
    CHECK_EQ(dt_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ(dt_days_from_civil(2000, 3, 1), 11017);
    CHECK_EQ(dt_days_from_civil(1969, 12, 31), -1);
    CHECK_EQ(dt_days_from_civil(1, 1, 1), -719162);
    for (int64_t d = -800000; d < 800000; d += 97) {
        int64_t y;
        int m, dd;
        dt_civil_from_days(d, &y, &m, &dd);
        REQUIRE_EQ(dt_days_from_civil(y, m, dd), d);
    }
    CHECK_EQ(dt_is_leap(2000), 1);
    CHECK_EQ(dt_is_leap(1900), 0);
    CHECK_EQ(dt_days_in_month(2024, 2), 29);
    struct dt_tm tm;
    dt_split(-1, &tm);
    CHECK_EQ(tm.year, 1969);
    CHECK_EQ(tm.second, 59);
    CHECK_EQ(tm.micros, 999999);
    CHECK_EQ(tm.dow, 3); /* Wednesday */
    tm = (struct dt_tm){.year = 2023, .month = 2, .day = 29};
    int64_t ts;
    CHECK_EQ(dt_join(&tm, &ts), WERR_RANGE);
}

TEST(dt_cast_string_to_timestamp) {
    CHECK_STR(str_of(ts_of("2023-09-23 16:54:00")), "2023-09-23 16:54:00");
    CHECK_EQ(ts_of("2023-09-23 16:54:00"), INT64_C(1695488040) * 1000000);
    CHECK_STR(str_of(ts_of("2023-09-23T16:54:00.123Z")), "2023-09-23 16:54:00.123");
    CHECK_STR(str_of(ts_of("2016-12-29T00:00:00.000Z")), "2016-12-29 00:00:00");
    CHECK_STR(str_of(ts_of("2015-03-05T09:32:05.359")), "2015-03-05 09:32:05.359");
    CHECK_STR(str_of(ts_of("2015-03-05T09:32:05.123456789")), "2015-03-05 09:32:05.123456");
    CHECK_STR(str_of(ts_of("2016-12-31")), "2016-12-31 00:00:00");
    CHECK_STR(str_of(ts_of("2016-12")), "2016-12-01 00:00:00");
    CHECK_STR(str_of(ts_of("2016")), "2016-01-01 00:00:00");
    CHECK_STR(str_of(ts_of("2016-1-2 3:4:5")), "2016-01-02 03:04:05");
    CHECK_STR(str_of(ts_of("2016-01-02 03:04")), "2016-01-02 03:04:00");
    CHECK_STR(str_of(ts_of("  2016-01-02 03:04:05  ")), "2016-01-02 03:04:05");
    CHECK_STR(str_of(ts_of("2023-09-23T16:54:00+02:00")), "2023-09-23 14:54:00");
    CHECK_STR(str_of(ts_of("2023-09-23T16:54:00-0130")), "2023-09-23 18:24:00");
    CHECK_STR(str_of(ts_of("2023-09-23 16:54:00 UTC")), "2023-09-23 16:54:00");
    CHECK_STR(str_of(ts_of("2023-09-23 16:54:00GMT+1")), "2023-09-23 15:54:00");
    CHECK_STR(str_of(ts_of("1969-12-31 23:59:59.999999")), "1969-12-31 23:59:59.999999");
    CHECK_EQ(ts_of("1969-12-31 23:59:59.999999"), -1);
    /* not timestamps: NULL in Spark */
    CHECK_EQ(ts_of(""), INT64_MIN);
    CHECK_EQ(ts_of("abc"), INT64_MIN);
    CHECK_EQ(ts_of("2023-13-01"), INT64_MIN);
    CHECK_EQ(ts_of("2023-02-29"), INT64_MIN);
    CHECK_EQ(ts_of("2023-09-23 25:00:00"), INT64_MIN);
    CHECK_EQ(ts_of("2023-09-23 16:54:00 Mars/Olympus"), INT64_MIN);
    CHECK_EQ(ts_of("2023-09-23X16:54"), INT64_MIN);
}

TEST(dt_cast_timestamp_to_string) {
    char b[DT_TS_STR_MAX];
    CHECK_EQ(dt_cast_ts_to_str(0, b), 19);
    CHECK_STR(b, "1970-01-01 00:00:00");
    dt_cast_ts_to_str(1500000, b);
    CHECK_STR(b, "1970-01-01 00:00:01.5");
    dt_cast_ts_to_str(10, b);
    CHECK_STR(b, "1970-01-01 00:00:00.00001");
    dt_cast_ts_to_str(dt_days_from_civil(12345, 1, 1) * DT_US_PER_DAY, b);
    CHECK_STR(b, "+12345-01-01 00:00:00");
}

TEST(dt_cast_dates) {
    int32_t d = -99;
    char b[DT_TS_STR_MAX];
    CHECK_EQ(dt_cast_str_to_date("2016-12-31", 10, &d), 0);
    CHECK_EQ(d, dt_days_from_civil(2016, 12, 31));
    dt_cast_date_to_str(d, b);
    CHECK_STR(b, "2016-12-31");
    CHECK_EQ(dt_cast_str_to_date("2016-12-31 12:00:00", 19, &d), 0);
    CHECK_EQ(dt_cast_str_to_date("2016-12-31T12:00", 16, &d), 0);
    CHECK_EQ(dt_cast_str_to_date("2016-7", 6, &d), 0);
    dt_cast_date_to_str(d, b);
    CHECK_STR(b, "2016-07-01");
    CHECK_EQ(dt_cast_str_to_date("2016/12/31", 10, &d), WERR_PARSE);
    CHECK_EQ(dt_cast_str_to_date("2016-12-32", 10, &d), WERR_PARSE);
    dt_cast_date_to_str(-1, b);
    CHECK_STR(b, "1969-12-31");
    CHECK_EQ(dt_ts_to_date(-1), -1);
    CHECK_EQ(dt_date_to_ts(1), DT_US_PER_DAY);
}

TEST(dt_pattern_parse_basic) {
    /* Spark docs: to_timestamp('2016-12-31', 'yyyy-MM-dd') */
    CHECK_STR(parse_with("yyyy-MM-dd", "2016-12-31"), "2016-12-31 00:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss", "2023-09-23 16:54:00"), "2023-09-23 16:54:00");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss", "2023-09-23 16:54"), "NULL");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss", "2023-09-23 16:54:00 "), "NULL");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss", "\"2023-09-23 16:54:00\""), "NULL");
    CHECK_STR(parse_with("yyyy-MM-dd", "2016-2-31"), "NULL");
    CHECK_STR(parse_with("yyyy-MM-dd", "2016-02-30"), "NULL");
    CHECK_STR(parse_with("yyyy-M-d", "2016-2-3"), "2016-02-03 00:00:00");
    CHECK_STR(parse_with("yyyy-M-d", "2016-12-13"), "2016-12-13 00:00:00");
    CHECK_STR(parse_with("dd/MM/yyyy HH:mm", "05/03/2015 09:32"), "2015-03-05 09:32:00");
    CHECK_STR(parse_with("yyyyMMddHHmmss", "20230923165400"), "2023-09-23 16:54:00");
    CHECK_STR(parse_with("yyyyMMdd", "20230923"), "2023-09-23 00:00:00");
    CHECK_STR(parse_with("HH:mm", "16:54"), "1970-01-01 16:54:00");
    CHECK_STR(parse_with("yy-MM-dd", "23-09-23"), "2023-09-23 00:00:00");
    CHECK_STR(parse_with("yy-MM-dd", "99-09-23"), "2099-09-23 00:00:00");
    CHECK_STR(parse_with("yyyy-DDD", "2024-060"), "2024-02-29 00:00:00");
    CHECK_STR(parse_with("yyyy-DDD", "2023-366"), "NULL");
}

TEST(dt_pattern_parse_fraction_text_zone) {
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss.SSS", "2015-03-05 09:32:05.359"), "2015-03-05 09:32:05.359");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss.SSSSSS", "2015-03-05 09:32:05.123456"), "2015-03-05 09:32:05.123456");
    /* Spark: fraction length may be 1..count when parsing */
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss.SSSSSS", "2015-03-05 09:32:05.12"), "2015-03-05 09:32:05.12");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss.SSS", "2015-03-05 09:32:05.1234"), "NULL");
    CHECK_STR(parse_with("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2016-12-29T00:00:00.000Z"), "2016-12-29 00:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2016-12-29T00:00:00.000+01:00"), "2016-12-28 23:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd'T'HH:mm:ssZ", "2016-12-29T00:00:00-0200"), "2016-12-29 02:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd'T'HH:mm:ssx", "2016-12-29T00:00:00+05"), "2016-12-28 19:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss z", "2016-12-29 00:00:00 UTC"), "2016-12-29 00:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd HH:mm:ss VV", "2016-12-29 00:00:00 Etc/UTC"), "2016-12-29 00:00:00");
    CHECK_STR(parse_with("dd MMM yyyy", "05 mar 2015"), "2015-03-05 00:00:00");
    CHECK_STR(parse_with("dd MMMM yyyy", "05 March 2015"), "2015-03-05 00:00:00");
    CHECK_STR(parse_with("dd MMMM yyyy", "05 Mar 2015"), "NULL");
    CHECK_STR(parse_with("hh:mm a", "12:30 AM"), "1970-01-01 00:30:00");
    CHECK_STR(parse_with("hh:mm a", "01:30 pm"), "1970-01-01 13:30:00");
    CHECK_STR(parse_with("hh:mm a", "13:30 PM"), "NULL");
    CHECK_STR(parse_with("kk:mm", "24:00"), "1970-01-01 00:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd[ HH:mm:ss]", "2016-12-31"), "2016-12-31 00:00:00");
    CHECK_STR(parse_with("yyyy-MM-dd[ HH:mm:ss]", "2016-12-31 01:02:03"), "2016-12-31 01:02:03");
    CHECK_STR(parse_with("yyyy-MM-dd[ HH:mm[:ss]]", "2016-12-31 01:02"), "2016-12-31 01:02:00");
    CHECK_STR(parse_with("'at' HH 'o''clock'", "at 05 o'clock"), "1970-01-01 05:00:00");
    CHECK_STR(parse_with("yyyy G", "2016 AD"), "2016-01-01 00:00:00");
}

TEST(dt_pattern_format) {
    int64_t ts = ts_of("2015-03-05 09:32:05.359");
    CHECK_STR(format_with("yyyy-MM-dd HH:mm:ss", ts), "2015-03-05 09:32:05");
    CHECK_STR(format_with("y", ts), "2015");
    CHECK_STR(format_with("yy", ts), "15");
    CHECK_STR(format_with("yyyyy", ts), "02015");
    CHECK_STR(format_with("M/d/y", ts), "3/5/2015");
    CHECK_STR(format_with("MMM", ts), "Mar");
    CHECK_STR(format_with("MMMM", ts), "March");
    CHECK_STR(format_with("LL", ts), "03");
    CHECK_STR(format_with("E", ts), "Thu");
    CHECK_STR(format_with("EEEE", ts), "Thursday");
    CHECK_STR(format_with("D DDD", ts), "64 064");
    CHECK_STR(format_with("Q QQ QQQ QQQQ", ts), "1 01 Q1 1st quarter");
    CHECK_STR(format_with("h:mm a", ts), "9:32 AM");
    CHECK_STR(format_with("hh:mm a", ts + 12 * DT_US_PER_HOUR), "09:32 PM");
    CHECK_STR(format_with("K k", ts_of("2015-03-05 00:10:00")), "0 24");
    CHECK_STR(format_with("ss.S", ts), "05.3");
    CHECK_STR(format_with("ss.SSS", ts), "05.359");
    CHECK_STR(format_with("ss.SSSSSS", ts), "05.359000");
    CHECK_STR(format_with("ss.SSSSSSSSS", ts), "05.359000000");
    CHECK_STR(format_with("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", ts), "2015-03-05T09:32:05.359Z");
    CHECK_STR(format_with("X XX XXX x xx xxx Z ZZZZ ZZZZZ O OOOO", ts),
              "Z Z Z +00 +0000 +00:00 +0000 GMT Z GMT GMT");
    CHECK_STR(format_with("z zzzz VV", ts), "UTC Coordinated Universal Time UTC");
    CHECK_STR(format_with("'quoted' '' G", ts), "quoted ' AD");
    CHECK_STR(format_with("yyyy[-MM]", ts), "2015-03");
    CHECK_STR(format_with("yyyy", dt_days_from_civil(12345, 6, 1) * DT_US_PER_DAY), "+12345");
    CHECK_STR(format_with("yyyy-MM-dd", dt_days_from_civil(-44, 3, 15) * DT_US_PER_DAY), "-0044-03-15");
    /* Spark docs: date_format(date '1970-01-01', "d MMM") */
    CHECK_STR(format_with("d MMM", 0), "1 Jan");
    CHECK_STR(format_with("d MMMM", 0), "1 January");
    /* date_format('2016-04-08', 'y') = 2016; date_format of a Saturday */
    CHECK_STR(format_with("y", ts_of("2016-04-08")), "2016");
    CHECK_STR(format_with("EEEE, MMMM d, yyyy", ts_of("2016-04-09")), "Saturday, April 9, 2016");
    char small[4];
    struct dt_pattern *p;
    REQUIRE(dt_pattern_compile("yyyy-MM-dd", 10, &p, NULL, 0) == 0);
    CHECK_EQ(dt_format(p, ts, small, sizeof small), WERR_TOOBIG);
    dt_pattern_free(p);
}

TEST(dt_pattern_errors) {
    struct dt_pattern *p = NULL;
    char err[128] = "";
    CHECK_EQ(dt_pattern_compile("yyyy-ww", 7, &p, err, sizeof err), WERR_INVALID);
    CHECK(strstr(err, "week-based") != NULL);
    CHECK_EQ(dt_pattern_compile("MMMMM", 5, &p, err, sizeof err), WERR_INVALID);
    CHECK_STR(err, "Too many pattern letters: MMMMM");
    CHECK_EQ(dt_pattern_compile("yyyyyyy", 7, &p, err, sizeof err), WERR_INVALID);
    CHECK_EQ(dt_pattern_compile("bb", 2, &p, err, sizeof err), WERR_INVALID);
    CHECK_STR(err, "Illegal pattern character: 'b'");
    CHECK_EQ(dt_pattern_compile("'abc", 4, &p, err, sizeof err), WERR_INVALID);
    CHECK_EQ(dt_pattern_compile("yyyy]", 5, &p, err, sizeof err), WERR_INVALID);
    CHECK_EQ(dt_pattern_compile("[yyyy", 5, &p, err, sizeof err), WERR_INVALID);
    CHECK_EQ(dt_pattern_compile("V", 1, &p, err, sizeof err), WERR_INVALID);
    CHECK_EQ(dt_pattern_compile("OO", 2, &p, err, sizeof err), WERR_INVALID);
    CHECK_EQ(dt_pattern_compile("yyyy #", 6, &p, err, sizeof err), WERR_INVALID);
    /* format-only letters refuse to parse */
    REQUIRE(dt_pattern_compile("EEE yyyy", 8, &p, err, sizeof err) == 0);
    CHECK_EQ(dt_pattern_can_parse(p), 0);
    int64_t ts;
    CHECK_EQ(dt_parse(p, "Thu 2015", 8, &ts), WERR_UNSUPPORTED);
    dt_pattern_free(p);
}

static int64_t iv(const char *s) {
    int64_t us = INT64_MIN;
    if (dt_interval_parse(s, strlen(s), NULL, &us)) return INT64_MIN;
    return us;
}

TEST(dt_intervals) {
    CHECK_EQ(iv("5 minutes"), 5 * DT_US_PER_MIN);
    CHECK_EQ(iv("10 minutes"), 10 * DT_US_PER_MIN);
    CHECK_EQ(iv("1 hour"), DT_US_PER_HOUR);
    CHECK_EQ(iv("2 minutes"), 2 * DT_US_PER_MIN);
    CHECK_EQ(iv("INTERVAL 1 HOUR"), DT_US_PER_HOUR);
    CHECK_EQ(iv("interval 5 minutes"), 5 * DT_US_PER_MIN);
    CHECK_EQ(iv("1 hour 30 minutes"), 90 * DT_US_PER_MIN);
    CHECK_EQ(iv("500 milliseconds"), 500000);
    CHECK_EQ(iv("1 day"), DT_US_PER_DAY);
    CHECK_EQ(iv("2 weeks"), 14 * DT_US_PER_DAY);
    CHECK_EQ(iv("1 Minute"), DT_US_PER_MIN);
    CHECK_EQ(iv("10 SECONDS"), 10 * DT_US_PER_SEC);
    CHECK_EQ(iv("1.5 seconds"), 1500000);
    CHECK_EQ(iv("7 microseconds"), 7);
    CHECK_EQ(iv("-2 days"), -2 * DT_US_PER_DAY);
    CHECK_EQ(iv("INTERVAL '10' MINUTE"), 10 * DT_US_PER_MIN);
    CHECK_EQ(iv("'1 hour'"), DT_US_PER_HOUR);
    CHECK_EQ(iv("  interval   1 hour  "), DT_US_PER_HOUR);
    CHECK_EQ(iv("INTERVAL '1:30' HOUR TO MINUTE"), 90 * DT_US_PER_MIN);
    CHECK_EQ(iv("INTERVAL '-1:30' HOUR TO MINUTE"), -90 * DT_US_PER_MIN);
    CHECK_EQ(iv("interval '2 10:00:00.5' day to second"), 2 * DT_US_PER_DAY + 10 * DT_US_PER_HOUR + 500000);
    CHECK_EQ(iv("INTERVAL '10:05' MINUTE TO SECOND"), 10 * DT_US_PER_MIN + 5 * DT_US_PER_SEC);
    CHECK_EQ(iv("INTERVAL '3 4' DAY TO HOUR"), 3 * DT_US_PER_DAY + 4 * DT_US_PER_HOUR);
    CHECK_EQ(iv("INTERVAL '1:60' HOUR TO MINUTE"), INT64_MIN);
    CHECK_EQ(iv("INTERVAL '1:30' MINUTE TO HOUR"), INT64_MIN);
    CHECK_EQ(iv("INTERVAL '1' HOUR TO MINUTE"), INT64_MIN);
    CHECK_EQ(iv("INTERVAL '1-6' YEAR TO MONTH"), INT64_MIN); /* months need the months out-param */
    CHECK_EQ(iv(""), INT64_MIN);
    CHECK_EQ(iv("interval"), INT64_MIN);
    CHECK_EQ(iv("5"), INT64_MIN);
    CHECK_EQ(iv("five minutes"), INT64_MIN);
    CHECK_EQ(iv("5 fortnights"), INT64_MIN);
    CHECK_EQ(iv("1.5 milliseconds"), INT64_MIN);
    int64_t us;
    int32_t months;
    CHECK_EQ(dt_interval_parse("1 month", 7, NULL, &us), WERR_UNSUPPORTED);
    CHECK_EQ(dt_interval_parse("1 year 2 months 3 days", 22, &months, &us), 0);
    CHECK_EQ(months, 14);
    CHECK_EQ(us, 3 * DT_US_PER_DAY);
    CHECK_EQ(dt_interval_parse("INTERVAL '1-6' YEAR TO MONTH", 28, &months, &us), 0);
    CHECK_EQ(months, 18);
    CHECK_EQ(us, 0);
}

TEST(dt_functions) {
    /* Spark docs for date_trunc */
    int64_t ts = ts_of("2015-03-05T09:32:05.359");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_YEAR)), "2015-01-01 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_MONTH)), "2015-03-01 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_DAY)), "2015-03-05 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_HOUR)), "2015-03-05 09:00:00");
    CHECK_STR(str_of(dt_trunc(ts_of("2015-03-05T09:32:05.123456"), DT_UNIT_MILLISECOND)), "2015-03-05 09:32:05.123");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_QUARTER)), "2015-01-01 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts_of("2015-08-19 10:00:00"), DT_UNIT_QUARTER)), "2015-07-01 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_WEEK)), "2015-03-02 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_MINUTE)), "2015-03-05 09:32:00");
    CHECK_STR(str_of(dt_trunc(ts, DT_UNIT_SECOND)), "2015-03-05 09:32:05");
    CHECK_STR(str_of(dt_trunc(-1, DT_UNIT_HOUR)), "1969-12-31 23:00:00");
    CHECK_EQ(dt_unit_parse("YEAR", 4), DT_UNIT_YEAR);
    CHECK_EQ(dt_unit_parse("mm", 2), DT_UNIT_MONTH);
    CHECK_EQ(dt_unit_parse("DD", 2), DT_UNIT_DAY);
    CHECK_EQ(dt_unit_parse("fortnight", 9), -1);
    /* Spark docs: hour('2009-07-30 12:58:59') = 12, etc. */
    int64_t t2 = ts_of("2009-07-30 12:58:59");
    CHECK_EQ(dt_hour(t2), 12);
    CHECK_EQ(dt_minute(t2), 58);
    CHECK_EQ(dt_second(t2), 59);
    CHECK_EQ(dt_year(t2), 2009);
    CHECK_EQ(dt_month(t2), 7);
    CHECK_EQ(dt_quarter(t2), 3);
    CHECK_EQ(dt_dayofmonth(t2), 30);
    CHECK_EQ(dt_dayofweek(t2), 5);     /* Thursday */
    CHECK_EQ(dt_weekday(t2), 3);
    CHECK_EQ(dt_dayofyear(ts_of("2016-04-09")), 100);
    CHECK_EQ(dt_weekofyear(ts_of("2008-02-20")), 8);
    /* more of Spark's function examples */
    CHECK_EQ(dt_quarter(ts_of("2016-08-31")), 3);
    CHECK_EQ(dt_month(ts_of("2016-07-30")), 7);
    CHECK_EQ(dt_year(ts_of("2016-07-30")), 2016);
    CHECK_EQ(dt_dayofmonth(ts_of("2009-07-30")), 30);
    CHECK_STR(str_of(dt_trunc(ts_of("2019-08-04"), DT_UNIT_WEEK)), "2019-07-29 00:00:00");   /* trunc(.., 'week') */
    CHECK_STR(str_of(dt_trunc(ts_of("2019-08-04"), DT_UNIT_QUARTER)), "2019-07-01 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts_of("2009-02-12"), DT_UNIT_MONTH)), "2009-02-01 00:00:00");
    CHECK_STR(str_of(dt_trunc(ts_of("2015-10-27"), DT_UNIT_YEAR)), "2015-01-01 00:00:00");
    CHECK_EQ(dt_weekofyear(ts_of("2021-01-01")), 53);
    CHECK_EQ(dt_weekofyear(ts_of("2024-12-30")), 1);
    CHECK_EQ(dt_hour(-1), 23);
    /* from_unixtime(0) and unix_timestamp('2016-04-08', 'yyyy-MM-dd') in UTC */
    char b[DT_FMT_MAX];
    CHECK(dt_from_unixtime(0, NULL, b, sizeof b) == 19);
    CHECK_STR(b, "1970-01-01 00:00:00");
    int64_t sec;
    struct dt_pattern *p;
    REQUIRE(dt_pattern_compile("yyyy-MM-dd", 10, &p, NULL, 0) == 0);
    CHECK_EQ(dt_unix_timestamp("2016-04-08", 10, p, &sec), 0);
    CHECK_EQ(sec, 1460073600);
    CHECK_EQ(dt_unix_timestamp("2016-04-08", 10, NULL, &sec), WERR_PARSE);
    CHECK_EQ(dt_unix_timestamp("2016-04-08 00:00:01", 19, NULL, &sec), 0);
    CHECK_EQ(sec, 1460073601);
    CHECK(dt_from_unixtime(1460073600, p, b, sizeof b) > 0);
    CHECK_STR(b, "2016-04-08");
    dt_pattern_free(p);
}

TEST(dt_format_parse_roundtrip) {
    struct dt_pattern *p;
    const char *pat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX";
    REQUIRE(dt_pattern_compile(pat, strlen(pat), &p, NULL, 0) == 0);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        int64_t ts = (int64_t)(x % (UINT64_C(1) << 58)) - (INT64_C(1) << 57); /* +-4500 years */
        char b[DT_FMT_MAX];
        int n = dt_format(p, ts, b, sizeof b);
        REQUIRE(n > 0);
        int64_t back;
        if (ts < dt_days_from_civil(0, 1, 1) * DT_US_PER_DAY) continue; /* negative years need a sign */
        REQUIRE_EQ(dt_parse(p, b, (size_t)n, &back), 0);
        REQUIRE_EQ(back, ts);
        int64_t cast;
        char c[DT_TS_STR_MAX];
        n = dt_cast_ts_to_str(ts, c);
        REQUIRE_EQ(dt_cast_str_to_ts(c, (size_t)n, &cast), 0);
        REQUIRE_EQ(cast, ts);
    }
    dt_pattern_free(p);
}

static uint64_t rs = 0x5DEECE66Dull;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

TEST(dt_random_input) {
    /* Random strings and patterns: no crash (ASan/UBSan); whatever the cast
     * accepts prints and re-reads to the same instant; whatever a pattern
     * formats, that pattern parses back when it has all the fields. */
    static const char salpha[] = "0123456789-:. TZ+ UTCGMT";
    static const char palpha[] = "yMdHhmsSaEDQqzZXxOVGk'[]-: .";
    char s[40], pat[24], out[DT_FMT_MAX];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = rnd() % sizeof s;
        for (size_t i = 0; i < n; i++) s[i] = salpha[rnd() % (sizeof salpha - 1)];
        int64_t ts;
        if (dt_cast_str_to_ts(s, n, &ts) == 0) {
            char c[DT_TS_STR_MAX];
            int cl = dt_cast_ts_to_str(ts, c);
            int64_t back;
            REQUIRE(dt_cast_str_to_ts(c, (size_t)cl, &back) == 0);
            REQUIRE_EQ(back, ts);
        }
        int32_t d;
        (void)dt_cast_str_to_date(s, n, &d);
        int32_t mo;
        int64_t us;
        (void)dt_interval_parse(s, n, &mo, &us);
        size_t pl = rnd() % sizeof pat;
        for (size_t i = 0; i < pl; i++) pat[i] = palpha[rnd() % (sizeof palpha - 1)];
        struct dt_pattern *p;
        if (dt_pattern_compile(pat, pl, &p, NULL, 0) == 0) {
            int64_t t = (int64_t)(rnd() % (UINT64_C(1) << 50)); /* 1970 .. 2005 */
            int l = dt_format(p, t, out, sizeof out);
            CHECK(l >= 0);
            (void)dt_parse(p, s, n, &ts);
            if (l >= 0) (void)dt_parse(p, out, (size_t)l, &ts);
            dt_pattern_free(p);
        }
    }
    /* a pattern with every field round-trips exactly */
    struct dt_pattern *p;
    const char *full = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS";
    REQUIRE(dt_pattern_compile(full, strlen(full), &p, NULL, 0) == 0);
    for (int i = 0; i < 1000; i++) {
        int64_t t = (int64_t)(rnd() % (UINT64_C(1) << 60)) - (INT64_C(1) << 59);
        if (t < dt_days_from_civil(0, 1, 1) * DT_US_PER_DAY) continue;
        int l = dt_format(p, t, out, sizeof out);
        int64_t back;
        REQUIRE(dt_parse(p, out, (size_t)l, &back) == 0);
        REQUIRE_EQ(back, t);
    }
    dt_pattern_free(p);
}
