/* The data-driven SQL tests: runs every case in the tests/sql .test files (format in
 * tests/sql/README.md) through the whole engine — substitution, parser,
 * binder, streaming rules, operators, micro-batches with watermarks — and
 * compares the rows each micro-batch emits with the expected ones.
 * One TEST per file; each failing case is reported by name with a diff. */
#include "test.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/exec/rowtext.h"
#include "engine/runtime/query.h"
#include "engine/runtime/session.h"

struct section {
    char kind[16];   /* sql, error, input, output */
    char arg[64];    /* input: table; output: "ordered" */
    const char *text;
    size_t len;
};

struct tcase {
    char name[128];
    struct section sec[64];
    int nsec;
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Splits text into lines, optionally sorted, re-joined. Caller frees. */
static char *normalize(const char *t, size_t n, int sort) {
    char *copy = strndup(t, n);
    char *lines[16384];
    int nl = 0;
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l && nl < 16384; l = strtok_r(NULL, "\n", &save)) {
        size_t k = strlen(l);
        while (k && (l[k - 1] == ' ' || l[k - 1] == '\r')) l[--k] = 0;
        if (k) lines[nl++] = l;
    }
    if (sort) qsort(lines, (size_t)nl, sizeof *lines, cmp_str);
    struct buf b = {0};
    for (int i = 0; i < nl; i++) buf_printf(&b, "%s\n", lines[i]);
    buf_putc(&b, 0);
    free(copy);
    return (char *)b.p;
}

static int run_case(const char *file, struct tcase *c) {
    int failed = 0;
    struct session s;
    sess_init(&s);
    s.streaming_selects = true;
    const struct section *sql = NULL, *err = NULL;
    for (int i = 0; i < c->nsec; i++) {
        if (!strcmp(c->sec[i].kind, "sql")) sql = &c->sec[i];
        if (!strcmp(c->sec[i].kind, "error")) err = &c->sec[i];
    }
    if (!sql) {
        fprintf(stderr, "  %s: case '%s' has no --- sql section\n", file, c->name);
        sess_free(&s);
        return 1;
    }
    int rc = sess_load(&s, "case.sql", sql->text, sql->len, NULL);
    if (rc || err) {
        if (rc && err) {
            char *want = strndup(err->text, err->len);
            for (char *save = NULL, *l = strtok_r(want, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (!*l) continue;
                if (!strstr(s.err, l)) {
                    fprintf(stderr, "  %s: case '%s': error message lacks\n    %s\n  got:\n%s", file, c->name, l, s.err);
                    failed = 1;
                }
            }
            free(want);
        } else if (rc) {
            fprintf(stderr, "  %s: case '%s' failed to load:\n%s", file, c->name, s.err);
            failed = 1;
        } else {
            fprintf(stderr, "  %s: case '%s' expected an error but loaded fine\n", file, c->name);
            failed = 1;
        }
        sess_free(&s);
        return failed;
    }
    if (!s.nqueries) {
        sess_free(&s);
        return 0;
    }
    struct sess_query *sq = &s.queries[s.nqueries - 1];
    struct query q;
    query_open(&q, &sq->plan, sq->mode);
    struct arena in_arena;
    arena_init(&in_arena, 1 << 16);
    int pend_from = 0, batch_no = 0, fed_empty_src = 0;
    for (int i = 0; i < c->nsec && !failed; i++) {
        struct section *sc = &c->sec[i];
        if (!strcmp(sc->kind, "input")) {
            int found = 0;
            for (uint32_t k = 0; k < q.pipe.nsrcs; k++)
                if (q.pipe.srcs[k].table && !strcasecmp(q.pipe.srcs[k].table->name, sc->arg)) found = 1;
            if (!found) {
                fprintf(stderr, "  %s: case '%s': input for '%s', which the query does not read\n", file, c->name, sc->arg);
                failed = 1;
            }
            continue;
        }
        if (strcmp(sc->kind, "output") && strcmp(sc->kind, "fails")) continue;
        int expect_fail = !strcmp(sc->kind, "fails");
        int run_failed = 0;
        /* one micro-batch with the inputs since the last output */
        query_begin(&q, 1700000000000000LL);
        for (uint32_t k = 0; k < q.pipe.nsrcs && !failed; k++) {
            const struct phys_src *src = &q.pipe.srcs[k];
            if (!src->table) {
                if (fed_empty_src++) continue;
                struct batch *b = batch_new(&in_arena, src->schema, 1);
                batch_set_rows(b, 1);
                query_push(&q, k, b);
                continue;
            }
            for (int j = pend_from; j < i; j++) {
                struct section *in = &c->sec[j];
                if (strcmp(in->kind, "input") || strcasecmp(in->arg, src->table->name)) continue;
                char perr[200];
                struct batch *b = rowtext_parse(&in_arena, src->schema, in->text, in->len, perr, sizeof perr);
                if (!b) {
                    fprintf(stderr, "  %s: case '%s': input %s: %s\n", file, c->name, in->arg, perr);
                    failed = 1;
                    break;
                }
                if (query_push(&q, k, b)) run_failed = 1;
            }
        }
        bool moved = false;
        if (!run_failed && query_end(&q, &moved)) run_failed = 1;
        if (!run_failed && moved) {
            query_begin(&q, 1700000000000000LL);
            if (query_end(&q, &moved)) run_failed = 1;
        }
        if (expect_fail || run_failed) {
            char *want = strndup(sc->text, sc->len);
            char *nl = strchr(want, '\n');
            if (nl) *nl = 0;
            if (!expect_fail) {
                fprintf(stderr, "  %s: case '%s', micro-batch %d failed: %s\n", file, c->name, batch_no, query_error(&q));
                failed = 1;
            } else if (!run_failed) {
                fprintf(stderr, "  %s: case '%s', micro-batch %d: expected a failure\n", file, c->name, batch_no);
                failed = 1;
            } else if (!strstr(query_error(&q), want)) {
                fprintf(stderr, "  %s: case '%s': failure message lacks '%s': %s\n", file, c->name, want, query_error(&q));
                failed = 1;
            }
            free(want);
            break;
        }
        arena_reset(&in_arena);
        pend_from = i + 1;
        struct buf got = {0};
        for (uint32_t b = 0; b < op_collect_nbatches(q.pipe.sink); b++) rowtext_format(&got, op_collect_batch(q.pipe.sink, b));
        op_collect_clear(q.pipe.sink);
        int ordered = !strcmp(sc->arg, "ordered");
        char *g = normalize(got.p ? (char *)got.p : "", got.len, !ordered);
        char *w = normalize(sc->text, sc->len, !ordered);
        if (strcmp(g, w)) {
            fprintf(stderr, "  %s: case '%s', micro-batch %d: rows differ\n  --- expected\n%s  --- got\n%s", file, c->name,
                    batch_no, w, g);
            failed = 1;
        }
        free(g);
        free(w);
        buf_free(&got);
        batch_no++;
    }
    arena_free(&in_arena);
    query_close(&q);
    sess_free(&s);
    return failed;
}

/* Parses a .test file and runs its cases; returns the number that failed. */
static int run_file(const char *path, int *ncases) {
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    struct buf all = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&all, tmp, n);
    fclose(f);
    buf_putc(&all, 0);
    char *text = (char *)all.p;
    int failures = 0;
    struct tcase *c = NULL;
    struct section *cur = NULL;
    for (char *l = text; *l;) {
        char *e = strchr(l, '\n');
        size_t ll = e ? (size_t)(e - l) : strlen(l);
        char *next = e ? e + 1 : l + ll;
        if (ll >= 4 && !strncmp(l, "=== ", 4)) {
            if (c) {
                failures += run_case(path, c);
                (*ncases)++;
                free(c);
            }
            c = calloc(1, sizeof *c);
            snprintf(c->name, sizeof c->name, "%.*s", (int)(ll - 4), l + 4);
            cur = NULL;
        } else if (c && ll >= 4 && !strncmp(l, "--- ", 4) && c->nsec < 64) {
            cur = &c->sec[c->nsec++];
            char kind[16] = {0}, arg[64] = {0};
            sscanf(l + 4, "%15s %63s", kind, arg);
            snprintf(cur->kind, sizeof cur->kind, "%s", kind);
            snprintf(cur->arg, sizeof cur->arg, "%s", arg);
            cur->text = next;
            cur->len = 0;
        } else if (cur) {
            cur->len = (size_t)(next - cur->text);
        }
        l = next;
    }
    if (c) {
        failures += run_case(path, c);
        (*ncases)++;
        free(c);
    }
    buf_free(&all);
    return failures;
}

static void run_dir_file(const char *name) {
    const char *root = getenv("WEIR_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/sql/%s", root ? root : ".", name);
    int ncases = 0;
    int failures = run_file(path, &ncases);
    if (failures) test_fail(__FILE__, __LINE__, "%s: %d of %d cases failed", name, failures, ncases);
    CHECK(ncases > 0);
}

#define SQL_FILE_TEST(id, file) TEST(sql_case_##id) { run_dir_file(file); }

SQL_FILE_TEST(expressions, "expressions.test")
SQL_FILE_TEST(strings, "strings.test")
SQL_FILE_TEST(casts, "casts.test")
SQL_FILE_TEST(time, "time.test")
SQL_FILE_TEST(nested, "nested.test")
SQL_FILE_TEST(aggregates, "aggregates.test")
SQL_FILE_TEST(windows, "windows.test")
SQL_FILE_TEST(watermarks, "watermarks.test")
SQL_FILE_TEST(dedup, "dedup.test")
SQL_FILE_TEST(errors, "errors.test")
SQL_FILE_TEST(turnstile, "turnstile.test")
SQL_FILE_TEST(joins, "joins.test")

/* Every .test file in tests/sql must be listed above. */
TEST(sql_case_files_all_listed) {
    const char *root = getenv("WEIR_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/sql", root ? root : ".");
    DIR *d = opendir(path);
    REQUIRE(d);
    static const char *known[] = {"expressions.test", "strings.test", "casts.test", "time.test", "nested.test", "aggregates.test",
                                  "windows.test", "watermarks.test", "dedup.test", "errors.test", "turnstile.test", "joins.test"};
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".test")) continue;
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) ok |= !strcmp(known[i], e->d_name);
        if (!ok) test_fail(__FILE__, __LINE__, "tests/sql/%s is not listed in test_sql_cases.c", e->d_name);
    }
    closedir(d);
}
