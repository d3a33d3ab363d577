/* Unit tests for engine/connectors/file_out: names and Hive partition
 * escaping, gzip/zstd output read back with zlib/zstd, manifests in Spark's
 * format, compaction, per-batch listing (each file seen once), re-commit
 * refusal and orphan detection. */
#include "test.h"

#include "common/err.h"
#include "common/log.h"
#include "common/uuid.h"
#include "engine/connectors/file_out.h"
#include "engine/formats/json.h"
#include "engine/runtime/checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static struct buf read_all(const char *path) {
    struct buf b = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) return b;
    char t[8192];
    ssize_t r;
    while ((r = read(fd, t, sizeof t)) > 0) buf_append(&b, t, (size_t)r);
    close(fd);
    return b;
}

static struct buf gunzip(const struct buf *in) {
    struct buf out = {0};
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return out;
    z.next_in = in->p;
    z.avail_in = (uInt)in->len;
    unsigned char t[4096];
    int zr;
    do {
        z.next_out = t;
        z.avail_out = sizeof t;
        zr = inflate(&z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) break;
        buf_append(&out, t, sizeof t - z.avail_out);
    } while (zr != Z_STREAM_END);
    if (zr != Z_STREAM_END) out.len = (size_t)-1 >> 1; /* mark as failed */
    inflateEnd(&z);
    return out;
}

static struct buf unzstd(const struct buf *in) {
    struct buf out = {0};
    ZSTD_DStream *d = ZSTD_createDStream();
    ZSTD_inBuffer ib = {in->p, in->len, 0};
    unsigned char t[4096];
    size_t r = 1;
    while (ib.pos < ib.size) {
        ZSTD_outBuffer ob = {t, sizeof t, 0};
        r = ZSTD_decompressStream(d, &ob, &ib);
        if (ZSTD_isError(r)) break;
        buf_append(&out, t, ob.pos);
    }
    ZSTD_freeDStream(d);
    return out;
}

TEST(fout_names_and_partitions) {
    char n[256];
    CHECK(fout_part_name(n, sizeof n, 0, "0a8b7e4c-1234-4abc-9def-000000000000", 0, "csv", FOUT_GZIP) > 0);
    CHECK_STR(n, "part-00000-0a8b7e4c-1234-4abc-9def-000000000000-c000.csv.gz");
    fout_part_name(n, sizeof n, 12, "u", 3, "json", FOUT_ZSTD);
    CHECK_STR(n, "part-00012-u-c003.json.zst");
    fout_part_name(n, sizeof n, 1, "u", 0, "csv", FOUT_NONE);
    CHECK_STR(n, "part-00001-u-c000.csv");
    CHECK_EQ(fout_part_name(n, 10, 1, "u", 0, "csv", FOUT_NONE), WERR_TOOBIG);
    enum fout_codec c;
    CHECK_EQ(fout_codec_parse("GZIP", &c), 0);
    CHECK_EQ(c, FOUT_GZIP);
    CHECK_EQ(fout_codec_parse("none", &c), 0);
    CHECK_EQ(c, FOUT_NONE);
    CHECK_EQ(fout_codec_parse("zstd", &c), 0);
    CHECK_EQ(fout_codec_parse("snappy", &c), WERR_UNSUPPORTED);
    CHECK_EQ(fout_codec_parse("zip", &c), WERR_INVALID);

    struct buf b = {0};
    const char *cols[] = {"STATION", "DATE", "x=y"};
    const char *vals[] = {"59 ST/LEX", "09/23/2023", NULL};
    fout_partition_dir(&b, cols, vals, 3);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "STATION=59 ST%2FLEX/DATE=09%2F23%2F2023/x%3Dy=__HIVE_DEFAULT_PARTITION__/");
    buf_clear(&b);
    const char *c2[] = {"k"};
    const char *v2[] = {"a:b?c#d%e\"f\x01g{h}"};
    fout_partition_dir(&b, c2, v2, 1);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "k=a%3Ab%3Fc%23d%25e%22f%01g%7Bh}/");
    const char *v3[] = {""};
    buf_clear(&b);
    fout_partition_dir(&b, c2, v3, 1);
    buf_putc(&b, 0);
    CHECK_STR((char *)b.p, "k=__HIVE_DEFAULT_PARTITION__/");
    buf_free(&b);
    struct arena a;
    arena_init(&a, 256);
    CHECK_STR(fout_unescape(&a, "59 ST%2FLEX%", 12), "59 ST/LEX%");
    CHECK_STR(fout_unescape(&a, "a%3Ab%zz", 8), "a:b%zz");
    arena_free(&a);
}

static void write_file(struct fout_sink *s, const char *pdir, const char *name, enum fout_codec codec,
                       const char *text, size_t reps, struct fout_status *st) {
    struct fout_file *f;
    if (fout_file_open(s, pdir, name, codec, 0, &f)) { CHECK(!"open failed"); return; }
    for (size_t i = 0; i < reps; i++) CHECK_EQ(fout_file_write(f, text, strlen(text)), 0);
    CHECK_EQ(fout_file_bytes_in(f), reps * strlen(text));
    CHECK_EQ(fout_file_close(f, st), 0);
}

TEST(fout_compressed_files_readable) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lake", test_tmpdir());
    struct fout_sink *s;
    REQUIRE(fout_sink_open(dir, 10, &s) == 0);
    const char *line = "A002,R051,02-00-00,59 ST,NQR456W,BMT,2023-09-23 16:50:00,2023-09-23 17:00:00,7000,2000\n";
    size_t reps = 20000; /* > 1 MiB, several output buffers */
    struct fout_status st[3];
    write_file(s, "", "part-00000-u-c000.csv.gz", FOUT_GZIP, line, reps, &st[0]);
    write_file(s, "DIVISION=BMT/", "part-00000-u-c000.csv.zst", FOUT_ZSTD, line, reps, &st[1]);
    write_file(s, "", "part-00000-u-c000.csv", FOUT_NONE, line, reps, &st[2]);
    struct buf want = {0};
    for (size_t i = 0; i < reps; i++) buf_append(&want, line, strlen(line));
    char p[1024];
    snprintf(p, sizeof p, "%s/part-00000-u-c000.csv.gz", fout_sink_path(s));
    CHECK_STR(st[0].path, p);
    struct buf raw = read_all(p);
    CHECK_EQ((int64_t)raw.len, st[0].size);
    CHECK(raw.len < want.len / 10);
    CHECK(raw.len > 2 && raw.p[0] == 0x1f && raw.p[1] == 0x8b); /* gzip magic */
    struct buf un = gunzip(&raw);
    REQUIRE_EQ(un.len, want.len);
    CHECK(!memcmp(un.p, want.p, want.len));
    buf_free(&raw);
    buf_free(&un);
    snprintf(p, sizeof p, "%s/DIVISION=BMT/part-00000-u-c000.csv.zst", fout_sink_path(s));
    CHECK_STR(st[1].path, p);
    raw = read_all(p);
    un = unzstd(&raw);
    REQUIRE_EQ(un.len, want.len);
    CHECK(!memcmp(un.p, want.p, want.len));
    buf_free(&raw);
    buf_free(&un);
    raw = read_all(st[2].path);
    REQUIRE_EQ(raw.len, want.len);
    CHECK(!memcmp(raw.p, want.p, want.len));
    CHECK(st[2].mtime_ms > 1600000000000);
    buf_free(&raw);
    /* an empty gzip file is still a valid gzip stream */
    write_file(s, "", "empty.csv.gz", FOUT_GZIP, "", 0, &st[0]);
    raw = read_all(st[0].path);
    un = gunzip(&raw);
    CHECK_EQ(un.len, 0);
    buf_free(&raw);
    buf_free(&un);
    /* names are never reused; abort removes the file */
    struct fout_file *f;
    CHECK_EQ(fout_file_open(s, "", "part-00000-u-c000.csv", FOUT_NONE, 0, &f), WERR_EXISTS);
    REQUIRE(fout_file_open(s, "", "aborted.csv", FOUT_NONE, 0, &f) == 0);
    fout_file_write(f, "x", 1);
    fout_file_abort(f);
    snprintf(p, sizeof p, "%s/aborted.csv", fout_sink_path(s));
    CHECK(access(p, F_OK) != 0);
    buf_free(&want);
    fout_sink_close(s);
}

TEST(fout_manifest_spark_format) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/out dir", test_tmpdir()); /* a space: URI-encoded */
    struct fout_sink *s;
    REQUIRE(fout_sink_open(dir, 10, &s) == 0);
    struct fout_status st[2];
    write_file(s, "", "part-00000-u-c000.json", FOUT_NONE, "{\"a\":1}\n", 1, &st[0]);
    write_file(s, "k=v%2F1/", "part-00001-u-c000.json", FOUT_NONE, "{\"a\":2}\n", 1, &st[1]);
    CHECK_EQ(fout_manifest_has(s, 0), 0);
    int64_t b;
    CHECK_EQ(fout_manifest_latest(s, &b), WERR_NOTFOUND);
    REQUIRE(fout_manifest_commit(s, 0, st, 2) == 0);
    CHECK_EQ(fout_manifest_has(s, 0), 1);
    CHECK_EQ(fout_manifest_commit(s, 0, st, 1), WERR_EXISTS);
    struct arena a;
    arena_init(&a, 4096);
    char mp[1024];
    snprintf(mp, sizeof mp, "%s/_spark_metadata/0", fout_sink_path(s));
    char *data;
    size_t len;
    REQUIRE(ckpt_read_file(mp, &a, &data, &len) == 0);
    CHECK(!strncmp(data, "v1\n{\"path\":\"file://", 19));
    /* each line is Spark's SinkFileStatus */
    char *l2 = strchr(data, '\n') + 1;
    char *l3 = strchr(l2, '\n');
    REQUIRE(l3);
    struct json_value *v;
    struct json_error e;
    REQUIRE(json_parse(&a, l2, (size_t)(l3 - l2), 0, &v, &e) == 0);
    REQUIRE_EQ(v->len, 7);
    const char *keys[] = {"path", "size", "isDir", "modificationTime", "blockReplication", "blockSize", "action"};
    for (int i = 0; i < 7; i++) CHECK_STR(v->u.members[i].key, keys[i]);
    CHECK(strstr(json_get(v, "path", 4)->u.str, "/out%20dir/part-00000-u-c000.json") != NULL);
    CHECK_EQ(json_get(v, "size", 4)->u.num.i, 8);
    CHECK_EQ(json_get(v, "isDir", 5)->type, JSON_FALSE);
    CHECK_EQ(json_get(v, "blockReplication", 16)->u.num.i, 1);
    CHECK_EQ(json_get(v, "blockSize", 9)->u.num.i, 33554432);
    CHECK_STR(json_get(v, "action", 6)->u.str, "add");
    struct fout_entry *ent;
    int n;
    REQUIRE(fout_manifest_batch_files(s, 0, &a, &ent, &n) == 0);
    REQUIRE_EQ(n, 2);
    CHECK_STR(ent[0].fs_path, st[0].path);
    CHECK_STR(ent[1].fs_path, st[1].path); /* "%2F" in the folder name survives the URI round trip */
    CHECK_EQ(ent[1].size, st[1].size);
    CHECK_EQ(ent[1].mtime_ms, st[1].mtime_ms);
    /* an empty batch still gets a manifest */
    REQUIRE(fout_manifest_commit(s, 1, NULL, 0) == 0);
    REQUIRE(fout_manifest_batch_files(s, 1, &a, &ent, &n) == 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(fout_manifest_latest(s, &b), 0);
    CHECK_EQ(b, 1);
    arena_free(&a);
    fout_sink_close(s);
}

TEST(fout_manifest_compaction_and_exactly_once_listing) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lake", test_tmpdir());
    struct fout_sink *s;
    REQUIRE(fout_sink_open(dir, 3, &s) == 0); /* batches 2, 5, 8 are compact */
    for (int batch = 0; batch < 8; batch++) {
        struct fout_status st[2];
        for (int k = 0; k < 2; k++) {
            char name[64];
            snprintf(name, sizeof name, "part-%05d-b%d-c000.csv", k, batch);
            write_file(s, "", name, FOUT_NONE, "row\n", (size_t)batch + 1, &st[k]);
        }
        REQUIRE(fout_manifest_commit(s, batch, st, 2) == 0);
    }
    char p[1024];
    snprintf(p, sizeof p, "%s/_spark_metadata/5.compact", fout_sink_path(s));
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/_spark_metadata/5", fout_sink_path(s));
    CHECK(access(p, F_OK) != 0);
    struct arena a;
    arena_init(&a, 4096);
    int64_t *ids;
    int n;
    REQUIRE(fout_manifest_batches(s, &a, &ids, &n) == 0);
    REQUIRE_EQ(n, 8);
    for (int i = 0; i < 8; i++) CHECK_EQ(ids[i], i);
    /* walking the batches shows every file exactly once */
    int seen = 0;
    for (int batch = 0; batch < 8; batch++) {
        struct fout_entry *ent;
        int m;
        REQUIRE(fout_manifest_batch_files(s, batch, &a, &ent, &m) == 0);
        REQUIRE_EQ(m, 2);
        char want[64];
        snprintf(want, sizeof want, "part-00000-b%d-c000.csv", batch);
        CHECK(strstr(ent[0].fs_path, want) != NULL);
        CHECK_EQ(ent[0].size, 4 * (batch + 1));
        seen += m;
    }
    CHECK_EQ(seen, 16);
    struct fout_entry *all;
    REQUIRE(fout_manifest_all_files(s, &a, &all, &n) == 0);
    CHECK_EQ(n, 16);
    CHECK(strstr(all[0].fs_path, "b0-c000") != NULL);
    CHECK(strstr(all[15].fs_path, "part-00001-b7-c000") != NULL);
    /* purge keeps the latest compact (5) and what follows */
    REQUIRE(fout_manifest_purge(s) == 0);
    REQUIRE(fout_manifest_batches(s, &a, &ids, &n) == 0);
    REQUIRE_EQ(n, 3);
    CHECK_EQ(ids[0], 5);
    REQUIRE(fout_manifest_all_files(s, &a, &all, &n) == 0);
    CHECK_EQ(n, 16);
    struct fout_entry *ent;
    CHECK_EQ(fout_manifest_batch_files(s, 3, &a, &ent, &n), WERR_NOTFOUND);
    REQUIRE(fout_manifest_batch_files(s, 6, &a, &ent, &n) == 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(fout_manifest_has(s, 3), 1); /* still committed: a re-run must not write it again */
    CHECK_EQ(fout_manifest_commit(s, 3, NULL, 0), WERR_EXISTS);
    CHECK_EQ(fout_manifest_has(s, 8), 0);
    arena_free(&a);
    fout_sink_close(s);
}

TEST(fout_orphans_after_crash) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lake", test_tmpdir());
    struct fout_sink *s;
    REQUIRE(fout_sink_open(dir, 10, &s) == 0);
    struct fout_status st;
    write_file(s, "d=1/", "part-00000-a-c000.csv", FOUT_NONE, "x\n", 1, &st);
    REQUIRE(fout_manifest_commit(s, 0, &st, 1) == 0);
    /* batch 1 wrote files but crashed before its manifest */
    struct fout_status lost[2];
    write_file(s, "d=1/", "part-00000-b-c000.csv", FOUT_NONE, "y\n", 1, &lost[0]);
    write_file(s, "", "part-00001-b-c000.csv.gz", FOUT_GZIP, "y\n", 1, &lost[1]);
    char p[1024];
    snprintf(p, sizeof p, "%s/_SUCCESS", fout_sink_path(s));
    close(open(p, O_WRONLY | O_CREAT, 0644));
    snprintf(p, sizeof p, "%s/.part-x.crc", fout_sink_path(s));
    close(open(p, O_WRONLY | O_CREAT, 0644));
    fout_sink_close(s);

    REQUIRE(fout_sink_open(dir, 10, &s) == 0);
    int64_t latest;
    REQUIRE(fout_manifest_latest(s, &latest) == 0);
    CHECK_EQ(latest, 0); /* the restarted query re-runs batch 1 */
    struct arena a;
    arena_init(&a, 4096);
    char **orph;
    int n;
    REQUIRE(fout_orphans(s, &a, &orph, &n) == 0);
    REQUIRE_EQ(n, 2);
    int found0 = 0, found1 = 0;
    for (int i = 0; i < n; i++) {
        found0 |= !strcmp(orph[i], lost[0].path);
        found1 |= !strcmp(orph[i], lost[1].path);
    }
    CHECK(found0 && found1);
    arena_free(&a);
    fout_sink_close(s);
}

TEST(fout_sigkill_during_batches) {
    /* A child runs the sink protocol (files, then manifest) for many
     * batches and is killed at a round-dependent moment. Afterwards every
     * file a manifest lists exists with its listed size and decompresses in
     * full; files of the unfinished batch are orphans; re-committing a
     * committed batch is refused, and the next batch commits. */
    for (int round = 0; round < 3; round++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/lake%d", test_tmpdir(), round);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            struct fout_sink *s;
            if (fout_sink_open(dir, 4, &s)) _exit(2);
            for (int batch = 0; batch < 100000; batch++) {
                char uuid[UUID_STR_LEN + 1];
                if (uuid_v4_str(uuid)) _exit(3);
                struct fout_status st[2];
                for (int k = 0; k < 2; k++) {
                    char name[128];
                    fout_part_name(name, sizeof name, k, uuid, 0, "csv", FOUT_GZIP);
                    struct fout_file *f;
                    if (fout_file_open(s, k ? "p=1/" : "", name, FOUT_GZIP, 1, &f)) _exit(4);
                    for (int r = 0; r < 200; r++) {
                        char line[64];
                        int l = snprintf(line, sizeof line, "%d,%d,%d\n", batch, k, r);
                        if (fout_file_write(f, line, (size_t)l)) _exit(5);
                    }
                    if (fout_file_close(f, &st[k])) _exit(6);
                }
                if (fout_manifest_commit(s, batch, st, 2)) _exit(7);
            }
            _exit(0);
        }
        char p[1024];
        snprintf(p, sizeof p, "%s/_spark_metadata/%d", dir, 2 + round * 4); /* never a .compact id */
        for (int spins = 0; access(p, F_OK) != 0 && spins < 30000000; spins++) {}
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        REQUIRE(access(p, F_OK) == 0);
        struct fout_sink *s;
        REQUIRE(fout_sink_open(dir, 4, &s) == 0);
        int64_t latest;
        REQUIRE(fout_manifest_latest(s, &latest) == 0);
        struct arena a;
        arena_init(&a, 4096);
        struct fout_entry *all;
        int n;
        REQUIRE(fout_manifest_all_files(s, &a, &all, &n) == 0);
        CHECK_EQ(n, 2 * (latest + 1));
        for (int i = 0; i < n; i++) {
            struct buf raw = read_all(all[i].fs_path);
            CHECK_EQ((int64_t)raw.len, all[i].size);
            struct buf un = gunzip(&raw);
            CHECK(un.len > 0 && un.len < ((size_t)-1 >> 1));
            buf_free(&raw);
            buf_free(&un);
        }
        char **orph;
        int no;
        REQUIRE(fout_orphans(s, &a, &orph, &no) == 0);
        CHECK(no <= 2); /* at most the killed batch's files */
        struct fout_status st = {0};
        CHECK_EQ(fout_manifest_commit(s, latest, &st, 0), WERR_EXISTS);
        CHECK_EQ(fout_manifest_commit(s, latest + 1, NULL, 0), 0);
        arena_free(&a);
        fout_sink_close(s);
    }
}

TEST(fout_garbage_manifest_is_an_error) {
    char dir[512], meta[700];
    snprintf(dir, sizeof dir, "%s/lake", test_tmpdir());
    struct fout_sink *s;
    REQUIRE(fout_sink_open(dir, 10, &s) == 0);
    snprintf(meta, sizeof meta, "%s/_spark_metadata", fout_sink_path(s));
    log_set_level((enum log_level)(LOG_ERROR + 1));
    REQUIRE(ckpt_write_atomic(meta, "0", "v1\n{\"path\":\"file:///x\",\"size\":1}", 32, 1) == 0);
    REQUIRE(ckpt_write_atomic(meta, "1", "v1\n{\"path\":", 11, 1) == 0);
    REQUIRE(ckpt_write_atomic(meta, "2", "v9\n", 3, 1) == 0);
    struct arena a;
    arena_init(&a, 1024);
    struct fout_entry *e;
    int n;
    REQUIRE(fout_manifest_batch_files(s, 0, &a, &e, &n) == 0);
    CHECK_EQ(n, 1);
    CHECK_STR(e[0].fs_path, "/x");
    CHECK_EQ(fout_manifest_batch_files(s, 1, &a, &e, &n), WERR_CORRUPT);
    CHECK_EQ(fout_manifest_batch_files(s, 2, &a, &e, &n), WERR_CORRUPT);
    CHECK_EQ(fout_manifest_all_files(s, &a, &e, &n), WERR_CORRUPT);
    CHECK_EQ(fout_manifest_batch_files(s, 7, &a, &e, &n), WERR_NOTFOUND);
    arena_free(&a);
    fout_sink_close(s);
}
