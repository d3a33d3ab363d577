/* Unit tests for the CLI's shared helpers (cli/cli_common.h): option
 * parsing, timestamps, UTF-8 checks, tables, and the client configuration
 * built from -b / -X / --command-config. */
#include "test.h"

#include "cli/cli_common.h"

#include <stdlib.h>
#include <unistd.h>

TEST(cli_parse_time) {
    int64_t ms = 0;
    CHECK(cli_parse_time("1600000000123", &ms) == 0);
    CHECK_EQ(ms, 1600000000123LL);
    CHECK(cli_parse_time("2020-09-13T12:26:40Z", &ms) == 0);
    CHECK_EQ(ms, 1600000000000LL);
    CHECK(cli_parse_time("2020-09-13T12:26:40.123Z", &ms) == 0);
    CHECK_EQ(ms, 1600000000123LL);
    CHECK(cli_parse_time("2020-09-13T12:26:40.1", &ms) == 0); /* no zone: UTC; .1 = 100 ms */
    CHECK_EQ(ms, 1600000000100LL);
    CHECK(cli_parse_time("2020-09-13T14:26:40+02:00", &ms) == 0);
    CHECK_EQ(ms, 1600000000000LL);
    CHECK(cli_parse_time("2020-09-13T07:26:40-0500", &ms) == 0);
    CHECK_EQ(ms, 1600000000000LL);
    CHECK(cli_parse_time("2020-09-13 12:26", &ms) == 0);
    CHECK_EQ(ms, 1599999960000LL);
    CHECK(cli_parse_time("2020-09-13", &ms) == 0);
    CHECK_EQ(ms, 1599955200000LL);
    CHECK(cli_parse_time("2020-13-01", &ms) != 0);
    CHECK(cli_parse_time("yesterday", &ms) != 0);
    CHECK(cli_parse_time("2020-09-13T12:26:40Zjunk", &ms) != 0);
    CHECK(cli_parse_time("", &ms) != 0);
    char b[40];
    cli_fmt_time(1600000000123LL, b, sizeof b);
    CHECK_STR(b, "2020-09-13T12:26:40.123Z");
}

TEST(cli_utf8_valid) {
    CHECK(cli_utf8_valid((const unsigned char *)"plain", 5));
    CHECK(cli_utf8_valid((const unsigned char *)"\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80", 9));
    CHECK(!cli_utf8_valid((const unsigned char *)"\xff", 1));
    CHECK(!cli_utf8_valid((const unsigned char *)"\xc3", 1));         /* truncated */
    CHECK(!cli_utf8_valid((const unsigned char *)"\xc0\x80", 2));     /* overlong */
    CHECK(!cli_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3)); /* surrogate */
    CHECK(cli_utf8_valid((const unsigned char *)"a\0b", 3));          /* NUL is valid UTF-8 */
}

TEST(cli_options) {
    struct cli c;
    cli_init(&c, "weir test");
    char *argv[] = {"x",
                    "-b",
                    "h:1",
                    "-Xlinger.ms=5",
                    "--output=json",
                    "--request-timeout-ms",
                    "250",
                    "-p3",
                    "--partitions=4",
                    "-v",
                    "-X",
                    "acks=1",
                    NULL};
    int argc = 12, i;
    i = 1;
    CHECK_EQ(cli_common_opt(&c, argc, argv, &i), 1);
    CHECK_STR(c.bootstrap, "h:1");
    CHECK_EQ(i, 2);
    i = 3;
    CHECK_EQ(cli_common_opt(&c, argc, argv, &i), 1);
    CHECK_STR(props_get(&c.conf, "linger.ms"), "5");
    i = 4;
    CHECK_EQ(cli_common_opt(&c, argc, argv, &i), 1);
    CHECK_EQ(c.json, 1);
    i = 5;
    CHECK_EQ(cli_common_opt(&c, argc, argv, &i), 1);
    CHECK_EQ(c.timeout_ms, 250);
    CHECK_EQ(i, 6);
    const char *v = NULL;
    i = 7;
    CHECK_EQ(cli_common_opt(&c, argc, argv, &i), 0); /* not a common option */
    CHECK_EQ(cli_opt(&c, argc, argv, &i, "-p", "--partitions", &v), 1);
    CHECK_STR(v, "3");
    i = 8;
    CHECK_EQ(cli_opt(&c, argc, argv, &i, "-p", "--partitions", &v), 1);
    CHECK_STR(v, "4");
    i = 9;
    CHECK_EQ(cli_common_opt(&c, argc, argv, &i), 1);
    CHECK_EQ(c.verbose, 1);
    i = 10;
    CHECK_EQ(cli_common_opt(&c, argc, argv, &i), 1);
    CHECK_STR(props_get(&c.conf, "acks"), "1");
    /* a missing value is an error, not a crash */
    char *argv2[] = {"x", "--partitions", NULL};
    i = 1;
    fflush(stderr);
    CHECK_EQ(cli_opt(&c, 2, argv2, &i, "-p", "--partitions", &v), -1);
    long long n;
    CHECK(cli_int(&c, "--n", "12", 0, 100, &n) == 0 && n == 12);
    CHECK(cli_int(&c, "--n", "12x", 0, 100, &n) != 0);
    CHECK(cli_int(&c, "--n", "101", 0, 100, &n) != 0);
    /* the configuration: -X wins over the defaults, -b sets bootstrap.servers */
    static const char *const defaults[] = {"linger.ms", "99", NULL};
    rd_kafka_conf_t *conf = cli_conf(&c, defaults);
    REQUIRE(conf != NULL);
    char val[64];
    size_t sz = sizeof val;
    CHECK(rd_kafka_conf_get(conf, "linger.ms", val, &sz) == RD_KAFKA_CONF_OK);
    CHECK_STR(val, "5");
    sz = sizeof val;
    CHECK(rd_kafka_conf_get(conf, "bootstrap.servers", val, &sz) == RD_KAFKA_CONF_OK);
    CHECK_STR(val, "h:1");
    rd_kafka_conf_destroy(conf);
    cli_free(&c);
}

TEST(cli_table) {
    struct cli_table t;
    static const char *const hdr[] = {"A", "LONGER", "C"};
    cli_table_init(&t, 3, hdr);
    const char *r1[] = {"xyz", "", NULL};
    cli_table_row(&t, r1);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    REQUIRE(f != NULL);
    cli_table_print(&t, f);
    fclose(f);
    CHECK_STR(out, "A    LONGER  C\nxyz  -       -\n");
    free(out);
    cli_table_free(&t);
}
