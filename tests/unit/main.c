/* The unit-test runner: see test.h. Prints one line per test and ends with
 * "N passed, N failed". Exit status 1 if any test failed. */
#include "test.h"

#include "common/log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct test_case { const char *name; test_fn fn; };
static struct test_case tests[4096];
static int ntests;
int test_failures;
static char tmpdir[256];

void test_register(const char *name, test_fn fn) {
    if (ntests < (int)(sizeof tests / sizeof tests[0])) tests[ntests++] = (struct test_case){name, fn};
}

void test_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "    %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    test_failures++;
}

const char *test_tmpdir(void) {
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/weir-unit-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) { perror("mkdtemp"); exit(2); }
    }
    return tmpdir;
}

static int cmp_case(const void *a, const void *b) {
    return strcmp(((const struct test_case *)a)->name, ((const struct test_case *)b)->name);
}

int main(int argc, char **argv) {
    log_set_level(getenv("WEIR_TEST_LOG") ? LOG_DEBUG : LOG_ERROR);
    qsort(tests, (size_t)ntests, sizeof tests[0], cmp_case);
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        int selected = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strstr(tests[i].name, argv[a])) selected = 1;
        if (!selected) continue;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            alarm(300);
            test_failures = 0;
            tests[i].fn();
            if (tmpdir[0] && !test_failures) {
                char cmd[512];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
                if (system(cmd)) {}
            } else if (tmpdir[0]) {
                fprintf(stderr, "    (files kept in %s)\n", tmpdir);
            }
            _exit(test_failures ? 1 : 0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            passed++;
            printf("ok   %s\n", tests[i].name);
        } else {
            failed++;
            if (WIFSIGNALED(st)) printf("FAIL %s (signal %d)\n", tests[i].name, WTERMSIG(st));
            else printf("FAIL %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
