/* Driver tests: a streaming pipeline into a csv file sink with a
 * checkpoint; restart after completion, and after a crash between the
 * sink's manifest and the commit log (the batch is re-run, the sink skips
 * it: no duplicate files). */
#include "test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/runtime/driver.h"

static int run_pipeline_t(const char *sql, const char *ckpt, int64_t max_batches, const char *trigger, char *err, size_t errcap) {
    struct session s;
    sess_init(&s);
    int rc = sess_load(&s, NULL, sql, strlen(sql), NULL);
    if (rc) {
        snprintf(err, errcap, "%s", s.err);
        sess_free(&s);
        return rc;
    }
    struct drv *d;
    struct drv_opts o = {.checkpoint = ckpt, .trigger = trigger, .max_batches = max_batches};
    FILE *devnull = fopen("/dev/null", "w");
    o.console = devnull;
    rc = drv_open(&d, &s, &s.queries[s.nqueries - 1], &o, err, errcap);
    if (!rc) {
        int r;
        while ((r = drv_step(d, drv_now_us())) == 1 || r == 0) {}
        if (r < 0) {
            snprintf(err, errcap, "%s", drv_error(d));
            rc = r;
        }
        drv_close(d);
    }
    fclose(devnull);
    sess_free(&s);
    return rc;
}

static int run_pipeline(const char *sql, const char *ckpt, int64_t max_batches, char *err, size_t errcap) {
    return run_pipeline_t(sql, ckpt, max_batches, "availableNow", err, errcap);
}

static int count_files(const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.') continue;
        n += l > sl && !strcmp(e->d_name + l - sl, suffix);
    }
    closedir(d);
    return n;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct buf b = {0};
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, n);
    fclose(f);
    buf_putc(&b, 0);
    return (char *)b.p;
}

TEST(engine_driver_file_sink_exactly_once) {
    char sql[4096], lake[512], ck[512], err[1024];
    snprintf(lake, sizeof lake, "%s/lake", test_tmpdir());
    snprintf(ck, sizeof ck, "%s/ck", test_tmpdir());
    snprintf(sql, sizeof sql,
             "CREATE TABLE ev (ts TIMESTAMP, word STRING) USING memory OPTIONS ('streaming' = 'true', 'maxOffsetsPerTrigger' = '2', 'rows' = '"
             "2024-01-01 12:07:00|dog\n2024-01-01 12:08:00|owl\n2024-01-01 12:14:00|dog\n2024-01-01 12:31:00|cat');\n"
             "CREATE TABLE lake USING csv OPTIONS ('path' = '%s', 'header' = 'true');\n"
             "INSERT INTO lake SELECT window.start AS s, word, count(*) AS n FROM ev WATERMARK ts DELAY OF INTERVAL 5 minutes "
             "GROUP BY window(ts, '10 minutes'), word;\n",
             lake);
    /* first run: two data batches of 2 rows, then a no-data batch */
    REQUIRE(run_pipeline(sql, ck, 0, err, sizeof err) == 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/_spark_metadata", lake);
    int manifests = count_files(path, "");
    CHECK(manifests >= 3);
    int files = count_files(lake, ".csv");
    /* windows 12:00 (dog, owl) closed by the watermark 12:26 after batch 1; 12:10 dog too */
    CHECK(files >= 1);
    snprintf(path, sizeof path, "%s/commits", ck);
    int commits = count_files(path, "");
    /* simulate a crash after the last batch's sink commit but before commits/N */
    char last[1024];
    snprintf(last, sizeof last, "%s/commits/%d", ck, commits - 1);
    REQUIRE(unlink(last) == 0);
    REQUIRE(run_pipeline(sql, ck, 0, err, sizeof err) == 0);
    CHECK_EQ(count_files(lake, ".csv"), files);
    snprintf(path, sizeof path, "%s/commits", ck);
    CHECK_EQ(count_files(path, ""), commits);
    /* a clean restart with no new data does nothing */
    REQUIRE(run_pipeline(sql, ck, 0, err, sizeof err) == 0);
    CHECK_EQ(count_files(lake, ".csv"), files);
    /* the rows of all files: each closed window exactly once */
    DIR *d = opendir(lake);
    REQUIRE(d);
    struct buf all = {0};
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 4, ".csv")) continue;
        snprintf(path, sizeof path, "%s/%s", lake, e->d_name);
        char *t = slurp(path);
        buf_printf(&all, "%s", t);
        free(t);
    }
    closedir(d);
    buf_putc(&all, 0);
    CHECK(strstr((char *)all.p, "2024-01-01T12:00:00.000Z,dog,1") != NULL);
    CHECK(strstr((char *)all.p, "2024-01-01T12:00:00.000Z,owl,1") != NULL);
    CHECK(strstr((char *)all.p, "2024-01-01T12:10:00.000Z,dog,1") != NULL);
    CHECK(strstr((char *)all.p, "cat") == NULL); /* its window is still open */
    CHECK(strstr((char *)all.p, "s,word,n") != NULL);
    buf_free(&all);
}

TEST(engine_driver_errors) {
    char err[1024];
    const char *sql = "CREATE TABLE ev (a INT) USING memory OPTIONS ('streaming' = 'true');\n"
                      "CREATE TABLE lake USING csv OPTIONS ('path' = '/tmp/x');\nINSERT INTO lake SELECT a FROM ev;\n";
    CHECK(run_pipeline(sql, NULL, 0, err, sizeof err) != 0);
    CHECK(strstr(err, "needs a 'checkpointLocation'") != NULL);
    const char *sql2 = "CREATE TABLE ev (a INT) USING memory OPTIONS ('streaming' = 'true');\n"
                       "CREATE TABLE o USING console OPTIONS ('trigger' = 'sometimes');\nINSERT INTO o SELECT a FROM ev;\n";
    CHECK(run_pipeline_t(sql2, NULL, 0, NULL, err, sizeof err) != 0);
    CHECK(strstr(err, "unknown trigger 'sometimes'") != NULL);
}

static char *batch_query(const char *sql) {
    struct session s;
    sess_init(&s);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    char err[1024] = "";
    if (sess_load(&s, NULL, sql, strlen(sql), NULL)) fprintf(f, "LOAD: %s", s.err);
    else if (drv_run_batch_query(&s, &s.queries[s.nqueries - 1], f, err, sizeof err)) fprintf(f, "ERR: %s", err);
    fclose(f);
    sess_free(&s);
    return out;
}

TEST(engine_driver_file_sources_modes) {
    char dir[512], path[1024], sql[2048];
    snprintf(dir, sizeof dir, "%s/in", test_tmpdir());
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/p1.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("a,b\n1,x\nbad,z\n2,\"open\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/_ignored.csv", dir);
    f = fopen(path, "w");
    fputs("a,b\n9,ignored\n", f);
    fclose(f);
    const char *modes[] = {"PERMISSIVE", "DROPMALFORMED", "FAILFAST"};
    const char *want[] = {"|1   |x   |NULL           |\n|NULL|z   |bad,z          |\n|2   |open|2,\"open        |\n",
                          "|1  |x  |NULL           |\n", "Malformed records are detected in record parsing"};
    for (int m = 0; m < 3; m++) {
        snprintf(sql, sizeof sql, "CREATE TABLE c (a INT, b STRING, _corrupt_record STRING) USING csv OPTIONS ('path' = '%s', 'header' = 'true', 'mode' = '%s');\nSELECT * FROM c;", dir, modes[m]);
        char *out = batch_query(sql);
        if (!strstr(out, want[m])) test_fail(__FILE__, __LINE__, "mode %s:\n%s", modes[m], out);
        free(out);
    }
    snprintf(path, sizeof path, "%s/j.json", test_tmpdir());
    f = fopen(path, "w");
    fputs("{\"a\":1,\"b\":\"j\"}\n{bad\n\n{\"a\":2}\n", f);
    fclose(f);
    snprintf(sql, sizeof sql, "CREATE TABLE j (a INT, b STRING) USING json OPTIONS ('path' = '%s', 'mode' = 'DROPMALFORMED');\nSELECT a, b FROM j;", path);
    char *out = batch_query(sql);
    CHECK(strstr(out, "|1  |j   |\n|2  |NULL|\n") != NULL);
    free(out);
}

TEST(engine_driver_partition_by) {
    char sql[2048], out[512], ck[512], err[1024];
    snprintf(out, sizeof out, "%s/pout", test_tmpdir());
    snprintf(ck, sizeof ck, "%s/pck", test_tmpdir());
    snprintf(sql, sizeof sql,
             "CREATE TABLE hits (hittime TIMESTAMP, zip STRING, isp STRING) USING memory OPTIONS ('streaming' = 'true', 'rows' = '"
             "2024-01-01 10:01:00|94105|a\n2024-01-01 10:02:00|94105|b\n2024-01-02 11:00:00|NULL|d');\n"
             "CREATE TABLE out USING csv OPTIONS ('path' = '%s', 'header' = 'true', 'partitionBy' = 'zip,day');\n"
             "INSERT INTO out SELECT zip, to_date(hittime) AS day, isp FROM hits;\n", out);
    REQUIRE(run_pipeline(sql, ck, 0, err, sizeof err) == 0);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/zip=94105/day=2024-01-01", out);
    CHECK_EQ(count_files(dir, ".csv"), 1);
    snprintf(dir, sizeof dir, "%s/zip=__HIVE_DEFAULT_PARTITION__/day=2024-01-02", out);
    CHECK_EQ(count_files(dir, ".csv"), 1);
    DIR *d = opendir(dir);
    REQUIRE(d);
    char path[2048] = "";
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".csv")) snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    closedir(d);
    char *t = slurp(path);
    REQUIRE(t);
    CHECK_STR(t, "isp\nd\n");
    free(t);
}

/* All rows of the json files under dir, sorted, one per line. */
static char *json_rows(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return strdup("");
    char *lines[256];
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < 256;) {
        if (!strstr(e->d_name, ".json")) continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *t = slurp(path), *save = NULL;
        for (char *l = strtok_r(t, "\n", &save); l && n < 256; l = strtok_r(NULL, "\n", &save)) lines[n++] = strdup(l);
        free(t);
    }
    closedir(d);
    for (int x = 0; x < n; x++)
        for (int y = x + 1; y < n; y++)
            if (strcmp(lines[x], lines[y]) > 0) {
                char *t = lines[x];
                lines[x] = lines[y];
                lines[y] = t;
            }
    struct buf b = {0};
    for (int x = 0; x < n; x++) {
        buf_printf(&b, "%s\n", lines[x]);
        free(lines[x]);
    }
    buf_putc(&b, 0);
    return (char *)b.p;
}

TEST(engine_driver_stream_stream_join_restarts) {
    char sql[4096], err[1024];
    const char *tmpl =
        "CREATE TABLE imp (ad STRING, it INT) USING memory OPTIONS ('streaming' = 'true', 'maxOffsetsPerTrigger' = '1', 'rows' = 'a|1\nb|2\na|4\nc|5');\n"
        "CREATE TABLE clk (ad STRING, ct INT) USING memory OPTIONS ('streaming' = 'true', 'maxOffsetsPerTrigger' = '1', 'rows' = 'a|5\nb|3\nc|1\na|9');\n"
        "CREATE TABLE out USING json OPTIONS ('path' = '%s');\n"
        "INSERT INTO out SELECT imp.ad, it, ct FROM imp JOIN clk ON imp.ad = clk.ad AND ct >= it;\n";
    char once[512], restarted[512], ck1[512], ck2[512];
    snprintf(once, sizeof once, "%s/once", test_tmpdir());
    snprintf(restarted, sizeof restarted, "%s/restarted", test_tmpdir());
    snprintf(ck1, sizeof ck1, "%s/ck1", test_tmpdir());
    snprintf(ck2, sizeof ck2, "%s/ck2", test_tmpdir());
    snprintf(sql, sizeof sql, tmpl, once);
    REQUIRE(run_pipeline(sql, ck1, 0, err, sizeof err) == 0);
    snprintf(sql, sizeof sql, tmpl, restarted);
    for (int i = 0; i < 8; i++) REQUIRE(run_pipeline(sql, ck2, 1, err, sizeof err) == 0); /* one micro-batch per run */
    char *a = json_rows(once), *b = json_rows(restarted);
    CHECK_STR(a, "{\"ad\":\"a\",\"it\":1,\"ct\":5}\n{\"ad\":\"a\",\"it\":1,\"ct\":9}\n{\"ad\":\"a\",\"it\":4,\"ct\":5}\n"
                 "{\"ad\":\"a\",\"it\":4,\"ct\":9}\n{\"ad\":\"b\",\"it\":2,\"ct\":3}\n");
    CHECK_STR(b, a);
    free(a);
    free(b);
}

static const char *ssjoin_tmpl =
        "CREATE TABLE imp (ad STRING, it TIMESTAMP) USING memory OPTIONS ('streaming' = 'true', 'maxOffsetsPerTrigger' = '1', 'rows' = '"
        "a|2024-01-01 10:00:00\nb|2024-01-01 10:10:00\nc|2024-01-01 16:00:00\nb|2024-01-01 11:50:00\nd|2024-01-01 20:00:00');\n"
        "CREATE TABLE clk (ad STRING, ct TIMESTAMP) USING memory OPTIONS ('streaming' = 'true', 'maxOffsetsPerTrigger' = '1', 'rows' = '"
        "a|2024-01-01 10:20:00\nb|2024-01-01 12:00:00\nc|2024-01-01 16:30:00\na|2024-01-01 10:40:00\nd|2024-01-01 20:05:00');\n"
        "CREATE TABLE out USING json OPTIONS ('path' = '%%s');\n"
        "INSERT INTO out SELECT imp.ad, it, ct FROM imp WATERMARK it DELAY OF INTERVAL 2 hours %s clk WATERMARK ct DELAY OF "
        "INTERVAL 3 hours ON imp.ad = clk.ad AND ct BETWEEN it AND it + INTERVAL 1 hour;\n";

static void ssjoin_eviction_restarts(const char *join, const char *tag) {
    char sql[4096], err[1024], tmpl[4096];
    snprintf(tmpl, sizeof tmpl, ssjoin_tmpl, join); /* %%s in the template survives as %s */
    char once[512], restarted[512], ck1[512], ck2[512];
    snprintf(once, sizeof once, "%s/%sonce", test_tmpdir(), tag);
    snprintf(restarted, sizeof restarted, "%s/%srestarted", test_tmpdir(), tag);
    snprintf(ck1, sizeof ck1, "%s/%sck1", test_tmpdir(), tag);
    snprintf(ck2, sizeof ck2, "%s/%sck2", test_tmpdir(), tag);
    snprintf(sql, sizeof sql, tmpl, once);
    REQUIRE(run_pipeline(sql, ck1, 0, err, sizeof err) == 0);
    snprintf(sql, sizeof sql, tmpl, restarted);
    for (int i = 0; i < 14; i++) REQUIRE(run_pipeline(sql, ck2, 1, err, sizeof err) == 0);
    char *a = json_rows(once), *b = json_rows(restarted);
    CHECK(strstr(a, "\"ad\":\"d\"") != NULL);
    CHECK_STR(b, a);
    if (!strcmp(join, "LEFT JOIN")) CHECK(strstr(a, "{\"ad\":\"b\",\"it\":\"2024-01-01T10:10:00.000Z\"}") != NULL);
    free(a);
    free(b);
}

TEST(engine_driver_stream_stream_left_outer_restarts) { ssjoin_eviction_restarts("LEFT JOIN", "lo"); }

TEST(engine_driver_stream_stream_join_eviction_restarts) {
    char sql[4096], err[1024];
    const char *tmpl =
        "CREATE TABLE imp (ad STRING, it TIMESTAMP) USING memory OPTIONS ('streaming' = 'true', 'maxOffsetsPerTrigger' = '1', 'rows' = '"
        "a|2024-01-01 10:00:00\nb|2024-01-01 10:10:00\nc|2024-01-01 16:00:00\nb|2024-01-01 11:50:00\nd|2024-01-01 20:00:00');\n"
        "CREATE TABLE clk (ad STRING, ct TIMESTAMP) USING memory OPTIONS ('streaming' = 'true', 'maxOffsetsPerTrigger' = '1', 'rows' = '"
        "a|2024-01-01 10:20:00\nb|2024-01-01 12:00:00\nc|2024-01-01 16:30:00\na|2024-01-01 10:40:00\nd|2024-01-01 20:05:00');\n"
        "CREATE TABLE out USING json OPTIONS ('path' = '%s');\n"
        "INSERT INTO out SELECT imp.ad, it, ct FROM imp WATERMARK it DELAY OF INTERVAL 2 hours JOIN clk WATERMARK ct DELAY OF "
        "INTERVAL 3 hours ON imp.ad = clk.ad AND ct BETWEEN it AND it + INTERVAL 1 hour;\n";
    char once[512], restarted[512], ck1[512], ck2[512];
    snprintf(once, sizeof once, "%s/sonce", test_tmpdir());
    snprintf(restarted, sizeof restarted, "%s/srestarted", test_tmpdir());
    snprintf(ck1, sizeof ck1, "%s/sck1", test_tmpdir());
    snprintf(ck2, sizeof ck2, "%s/sck2", test_tmpdir());
    snprintf(sql, sizeof sql, tmpl, once);
    REQUIRE(run_pipeline(sql, ck1, 0, err, sizeof err) == 0);
    snprintf(sql, sizeof sql, tmpl, restarted);
    for (int i = 0; i < 14; i++) REQUIRE(run_pipeline(sql, ck2, 1, err, sizeof err) == 0);
    char *a = json_rows(once), *b = json_rows(restarted);
    CHECK(strstr(a, "\"ad\":\"d\"") != NULL);
    CHECK_STR(b, a);
    free(a);
    free(b);
    /* evictions were written as removes: some state delta holds a remove */
    char path[1024];
    snprintf(path, sizeof path, "%s/state/0/0", ck2);
    CHECK(count_files(path, ".delta") > 0);
}
