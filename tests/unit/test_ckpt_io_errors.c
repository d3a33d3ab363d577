/* Injected I/O errors for checkpoint and file sink writes: RLIMIT_FSIZE
 * makes write(2) fail with EFBIG part-way through a file (this works as
 * root too, unlike permission tricks). A failed write must leave no file
 * behind, neither the target nor a temporary, and the next write after the
 * disk "recovers" must succeed. */
#include "test.h"

#include "common/err.h"
#include "engine/connectors/file_out.h"
#include "engine/runtime/checkpoint.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void limit_file_size(rlim_t bytes) {
    struct rlimit rl;
    getrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &rl);
}

TEST(ckpt_io_errors_leave_nothing_behind) {
    signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of a signal */
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/ck", test_tmpdir());
    struct ckpt *c;
    REQUIRE(ckpt_open(dir, &c, NULL) == 0);
    static char big[4096];
    memset(big, 'x', sizeof big - 1);
    const char *src[] = {big};
    struct ckpt_offsets o = {.nsources = 1, .sources = src};

    limit_file_size(512);
    CHECK_EQ(ckpt_write_offsets(c, 0, &o), WERR_IO);
    int64_t b;
    CHECK_EQ(ckpt_latest_offsets(c, &b), WERR_NOTFOUND);
    snprintf(p, sizeof p, "%s/offsets", dir);
    CHECK_EQ(count_entries(p), 0); /* no temporary file either */
    CHECK_EQ(ckpt_write_commit(c, 0, 0), 0); /* small writes still fit */

    /* file sink: the data file fails at close (buffered), the manifest too */
    char lake[512];
    snprintf(lake, sizeof lake, "%s/lake", test_tmpdir());
    struct fout_sink *s;
    REQUIRE(fout_sink_open(lake, 10, &s) == 0);
    struct fout_file *f;
    REQUIRE(fout_file_open(s, "", "part-00000-x-c000.csv", FOUT_NONE, 0, &f) == 0);
    int wrc = 0;
    for (int i = 0; i < 4 && !wrc; i++) wrc = fout_file_write(f, big, sizeof big);
    struct fout_status st;
    if (wrc) fout_file_abort(f);
    else CHECK_EQ(fout_file_close(f, &st), WERR_IO);
    CHECK_EQ(count_entries(fout_sink_path(s)), 1); /* only _spark_metadata */
    struct fout_status many[40];
    for (int i = 0; i < 40; i++) {
        snprintf(many[i].path, sizeof many[i].path, "%s/part-%05d-x-c000.csv", fout_sink_path(s), i);
        many[i].size = 1;
        many[i].mtime_ms = 1;
    }
    CHECK_EQ(fout_manifest_commit(s, 0, many, 40), WERR_IO);
    CHECK_EQ(fout_manifest_has(s, 0), 0);
    snprintf(p, sizeof p, "%s/_spark_metadata", fout_sink_path(s));
    CHECK_EQ(count_entries(p), 0);

    /* the disk recovers: the same writes succeed */
    limit_file_size(RLIM_INFINITY);
    CHECK_EQ(ckpt_write_offsets(c, 0, &o), 0);
    CHECK_EQ(fout_manifest_commit(s, 0, many, 40), 0);
    REQUIRE(fout_file_open(s, "", "part-00000-x-c000.csv", FOUT_GZIP, 0, &f) == 0);
    CHECK_EQ(fout_file_write(f, big, sizeof big), 0);
    CHECK_EQ(fout_file_close(f, &st), 0);
    fout_sink_close(s);
    ckpt_close(c);
}
