/* test.h: the unit-test harness. A test is
 *     TEST(crc32c_vectors) { CHECK(crc32c(0, "", 0) == 0); }
 * Tests register themselves at load time; build/unit-tests runs them all,
 * each in its own forked process (a crash fails one test, not the run), or
 * only those whose name contains an argument: build/unit-tests crc32c.
 * CHECK* record a failure with file:line and continue; REQUIRE* stop the test. */
#ifndef WEIR_TEST_H
#define WEIR_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
extern int test_failures; /* failures recorded in the current test */
void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A fresh empty directory for this test (removed after a passing test). */
const char *test_tmpdir(void);

#define TEST(name)                                                                        \
    static void test_##name(void);                                                        \
    __attribute__((constructor)) static void test_reg_##name(void) { test_register(#name, test_##name); } \
    static void test_##name(void)

#define CHECK(c) do { if (!(c)) test_fail(__FILE__, __LINE__, "CHECK(%s)", #c); } while (0)
#define REQUIRE(c) do { if (!(c)) { test_fail(__FILE__, __LINE__, "REQUIRE(%s)", #c); return; } } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) test_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld != %lld", #a, #b, a_, b_); } while (0)
#define REQUIRE_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) { test_fail(__FILE__, __LINE__, "REQUIRE_EQ(%s, %s): %lld != %lld", #a, #b, a_, b_); return; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_)) test_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define CHECK_MEM(a, b, n) do { if (memcmp((a), (b), (n))) test_fail(__FILE__, __LINE__, "CHECK_MEM(%s, %s, %s) differ", #a, #b, #n); } while (0)

#endif
