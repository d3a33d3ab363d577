/* topics: see topics.h. A topic file looks like
 *     topic.id=9a3f...(32 hex digits)
 *     partitions=3
 *     config.retention.ms=60000
 * and lives at <log dir>/.weir/topics/<name>. Partition logs live at
 * <log dir>/<name>-<index>/. */
#include "broker/topics.h"
#include "broker/group.h"

#include "common/err.h"
#include "common/fsdir.h"
#include "common/log.h"
#include "wire/errors.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t cfg_long(struct broker *b, const struct props *ov, const char *name) {
    const char *v = topic_cfg_value(&b->cfg, ov, name, NULL);
    return v ? strtoll(v, NULL, 10) : 0;
}

/* Resolves a topic's effective storage settings from overrides and broker. */
static void topic_resolve(struct broker *b, struct topic *t) {
    const struct props *ov = &t->overrides;
    t->pcfg.segment_bytes = cfg_long(b, ov, "segment.bytes");
    t->pcfg.segment_ms = cfg_long(b, ov, "segment.ms");
    t->pcfg.retention_ms = cfg_long(b, ov, "retention.ms");
    t->pcfg.retention_bytes = cfg_long(b, ov, "retention.bytes");
    t->pcfg.index_interval_bytes = (int32_t)cfg_long(b, ov, "index.interval.bytes");
    t->pcfg.flush_interval_messages = cfg_long(b, ov, "flush.messages");
    t->pcfg.flush_interval_ms = cfg_long(b, ov, "flush.ms");
    t->max_message_bytes = (int32_t)cfg_long(b, ov, "max.message.bytes");
    const char *tt = topic_cfg_value(&b->cfg, ov, "message.timestamp.type", NULL);
    t->log_append_time = tt && !strcmp(tt, "LogAppendTime");
    const char *cp = topic_cfg_value(&b->cfg, ov, "cleanup.policy", NULL);
    t->compact = cp && strstr(cp, "compact") != NULL;
    if (t->compact && !strstr(cp, "delete")) { /* compact only: old segments are cleaned, never deleted */
        t->pcfg.retention_ms = -1;
        t->pcfg.retention_bytes = -1;
    }
    plog_compact_cfg_default(&t->ccfg);
    const char *ratio = topic_cfg_value(&b->cfg, ov, "min.cleanable.dirty.ratio", NULL);
    if (ratio) t->ccfg.min_cleanable_dirty_ratio = strtod(ratio, NULL);
    t->ccfg.min_compaction_lag_ms = cfg_long(b, ov, "min.compaction.lag.ms");
    t->ccfg.max_compaction_lag_ms = cfg_long(b, ov, "max.compaction.lag.ms");
    t->ccfg.delete_retention_ms = cfg_long(b, ov, "delete.retention.ms");
}

static void part_dir(struct broker *b, const char *topic, int32_t p, char *out, size_t n) {
    snprintf(out, n, "%s/%s-%d", b->cfg.log_dirs, topic, p);
}

static void topic_file(struct broker *b, const char *topic, char *out, size_t n) {
    snprintf(out, n, "%s/topics/%s", b->meta_dir, topic);
}

int topic_name_valid(const char *name, size_t len, char *err, size_t errlen) {
    if (len == 0) {
        snprintf(err, errlen, "Topic name is illegal, it can't be empty");
        return 0;
    }
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
        snprintf(err, errlen, "Topic name cannot be \".\" or \"..\"");
        return 0;
    }
    if (len > 249) {
        snprintf(err, errlen, "Topic name is illegal, it can't be longer than 249 characters");
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-')) {
            snprintf(err, errlen, "Topic name \"%.*s\" is illegal, it contains a character other than ASCII "
                                  "alphanumerics, '.', '_' and '-'", (int)len, name);
            return 0;
        }
    }
    return 1;
}

/* Writes path atomically and durably: tmp file, fsync, rename, fsync dir. */
static int write_file_durable(const char *path, const char *data, size_t len) {
    char tmp[1200], dir[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return WERR_IO;
    ssize_t w = write(fd, data, len);
    if (w != (ssize_t)len || fsync(fd)) {
        close(fd);
        unlink(tmp);
        return WERR_IO;
    }
    close(fd);
    if (rename(tmp, path)) return WERR_IO;
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static int topic_save(struct broker *b, struct topic *t) {
    struct buf out = {0};
    buf_printf(&out, "topic.id=");
    for (int i = 0; i < 16; i++) buf_printf(&out, "%02x", t->id[i]);
    buf_printf(&out, "\npartitions=%d\n", t->npart);
    for (size_t i = 0; i < t->overrides.n; i++) {
        const char *k = t->overrides.v[i].key;
        if (props_get(&t->overrides, k) != t->overrides.v[i].value) continue; /* superseded */
        buf_printf(&out, "config.%s=%s\n", k, t->overrides.v[i].value);
    }
    char path[1200];
    topic_file(b, t->name, path, sizeof path);
    int rc = write_file_durable(path, (const char *)out.p, out.len);
    buf_free(&out);
    if (rc) log_error("cannot write topic file %s: %s", path, strerror(errno));
    return rc;
}

static struct partition *partition_open(struct broker *b, struct topic *t, int32_t idx, char *err, size_t errlen) {
    char dir[1200];
    part_dir(b, t->name, idx, dir, sizeof dir);
    struct partition *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->topic = t;
    p->index = idx;
    p->uid = ++b->next_uid;
    struct plog_recovery rec = {0};
    int rc = plog_open(dir, &t->pcfg, b->clean_start, &p->log, &rec);
    if (rc) {
        snprintf(err, errlen, "cannot open partition log %s: %s", dir, werr_str(rc));
        free(p);
        return NULL;
    }
    rc = pstate_open(dir, p->log, &p->ps);
    if (rc) log_warn("%s-%d: producer state rebuilt only in part: %s", t->name, idx, werr_str(rc));
    p->dir = strdup(dir);
    if (!p->dir) abort();
    if (rec.recovered)
        log_info("recovered %s-%d: scanned %d segment(s), rebuilt %d index(es), cut %" PRId64 " byte(s); log "
                 "offsets %" PRId64 "..%" PRId64, t->name, idx, rec.segments_scanned, rec.indexes_rebuilt,
                 rec.bytes_truncated, plog_start_offset(p->log), plog_end_offset(p->log));
    hmap_put(&b->parts_by_uid, &p->uid, sizeof p->uid, p);
    return p;
}

static void partition_free(struct broker *b, struct partition *p, int delete_files) {
    hmap_del(&b->parts_by_uid, &p->uid, sizeof p->uid);
    if (p->cjob) { /* take the cleaner's job back (cancelled) and drop it */
        cleaner_withdraw(b->cleaner, p->cjob);
        plog_compact_finish(p->log, p->cjob, NULL);
        p->cjob = NULL;
    }
    while (p->sync_waiters) {
        struct waiter *w = p->sync_waiters;
        p->sync_waiters = w->next;
        if (!w->req->conn && --w->req->pending == 0) sync_token_drop(w->req); /* the broker's own wait */
        free(w);
    }
    while (p->fetch_waiters) {
        struct waiter *w = p->fetch_waiters;
        p->fetch_waiters = w->next;
        free(w);
    }
    if (!delete_files) pstate_snapshot(p->ps, p->dir, plog_start_offset(p->log), plog_end_offset(p->log));
    pstate_free(p->ps);
    if (delete_files) plog_delete(p->log);
    else plog_close(p->log);
    free(p->dir);
    free(p);
}

static struct topic *topic_alloc(const char *name, size_t len) {
    struct topic *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->name = strndup(name, len);
    if (!t->name) abort();
    return t;
}

static void topic_free(struct broker *b, struct topic *t, int delete_files) {
    for (int32_t i = 0; i < t->npart; i++)
        if (t->parts[i]) partition_free(b, t->parts[i], delete_files);
    free(t->parts);
    props_free(&t->overrides);
    free(t->name);
    free(t);
}

static int topic_open_parts(struct broker *b, struct topic *t, int32_t from, int32_t to, char *err, size_t errlen) {
    struct partition **np = realloc(t->parts, (size_t)to * sizeof *np);
    if (!np) abort();
    t->parts = np;
    for (int32_t i = from; i < to; i++) {
        t->parts[i] = partition_open(b, t, i, err, errlen);
        if (!t->parts[i]) {
            t->npart = i;
            return WERR_IO;
        }
        t->npart = i + 1;
    }
    return 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static int rm_rf(const char *path) {
    DIR *d = opendir(path);
    if (!d) return unlink(path) && errno != ENOENT ? WERR_IO : 0;
    struct dirent *e;
    char sub[1400];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rm_rf(sub);
    }
    closedir(d);
    return rmdir(path) ? WERR_IO : 0;
}

int topics_load(struct broker *b, char *err, size_t errlen) {
    char tdir[1200];
    snprintf(tdir, sizeof tdir, "%s/topics", b->meta_dir);
    if (fs_mkdirs(tdir)) {
        snprintf(err, errlen, "cannot create %s: %s", tdir, strerror(errno));
        return WERR_IO;
    }
    DIR *d = opendir(tdir);
    if (!d) {
        snprintf(err, errlen, "cannot read %s: %s", tdir, strerror(errno));
        return WERR_IO;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) && !rc) {
        const char *name = e->d_name;
        size_t len = strlen(name);
        if (name[0] == '.' || (len > 4 && !strcmp(name + len - 4, ".tmp"))) continue;
        char path[1400], perr[256];
        snprintf(path, sizeof path, "%s/%s", tdir, name);
        struct props p = {0};
        if (props_load_file(&p, path, perr, sizeof perr)) {
            log_error("skipping unreadable topic file %s: %s", path, perr);
            props_free(&p);
            continue;
        }
        const char *id = props_get(&p, "topic.id"), *np = props_get(&p, "partitions");
        if (!id || strlen(id) != 32 || !np || atoi(np) < 1) {
            log_error("skipping malformed topic file %s", path);
            props_free(&p);
            continue;
        }
        int32_t nparts = atoi(np);
        struct topic *t = topic_alloc(name, len);
        for (int i = 0; i < 16; i++) t->id[i] = (uint8_t)(hexval(id[2 * i]) << 4 | hexval(id[2 * i + 1]));
        for (size_t i = 0; i < p.n; i++)
            if (!strncmp(p.v[i].key, "config.", 7)) props_set(&t->overrides, p.v[i].key + 7, p.v[i].value, 0);
        props_free(&p);
        topic_resolve(b, t);
        hmap_put(&b->topics, t->name, len, t);
        rc = topic_open_parts(b, t, 0, nparts, err, errlen);
    }
    closedir(d);
    if (rc) return rc;
    /* Partition directories of no known topic: leftovers of a crash during
     * create or delete (or "-delete" renames). Remove them. */
    d = opendir(b->cfg.log_dirs);
    if (d) {
        while ((e = readdir(d))) {
            const char *name = e->d_name;
            if (name[0] == '.') continue;
            const char *dash = strrchr(name, '-');
            if (!dash || dash == name) continue;
            char *end;
            long idx = strtol(dash + 1, &end, 10);
            int is_part = *end == 0 && end != dash + 1;
            int is_deleted = !is_part && strstr(name, ".delete") != NULL;
            if (!is_part && !is_deleted) continue;
            if (is_part) {
                struct topic *t = topic_find(b, name, (size_t)(dash - name));
                if (t && idx >= 0 && idx < t->npart) continue;
            }
            char path[1400];
            snprintf(path, sizeof path, "%s/%s", b->cfg.log_dirs, name);
            log_warn("removing orphaned partition directory %s", path);
            rm_rf(path);
        }
        closedir(d);
    }
    return 0;
}

void topics_close_all(struct broker *b) {
    size_t it = 0;
    void *v;
    while (hmap_next(&b->topics, &it, NULL, NULL, &v)) topic_free(b, v, 0);
    hmap_free(&b->topics);
    hmap_free(&b->parts_by_uid);
}

struct topic *topic_find(struct broker *b, const char *name, size_t len) { return hmap_get(&b->topics, name, len); }

struct topic *topic_find_id(struct broker *b, const uint8_t id[16]) {
    size_t it = 0;
    void *v;
    while (hmap_next(&b->topics, &it, NULL, NULL, &v))
        if (!memcmp(((struct topic *)v)->id, id, 16)) return v;
    return NULL;
}

struct partition *partition_find(struct broker *b, const char *topic, size_t len, int32_t part) {
    struct topic *t = topic_find(b, topic, len);
    if (!t || part < 0 || part >= t->npart) return NULL;
    return t->parts[part];
}

int topic_create(struct broker *b, const char *name, size_t len, int32_t nparts, int16_t rf,
                 const struct props *configs, int validate_only, struct topic **out, char *err, size_t errlen) {
    err[0] = 0;
    if (!topic_name_valid(name, len, err, errlen)) return KERR_INVALID_TOPIC_EXCEPTION;
    if (topic_find(b, name, len)) {
        snprintf(err, errlen, "Topic '%.*s' already exists.", (int)len, name);
        return KERR_TOPIC_ALREADY_EXISTS;
    }
    /* '.' and '_' collide in metric names; Kafka refuses topics that differ only so */
    size_t it = 0;
    const char *k;
    size_t kl;
    while (hmap_next(&b->topics, &it, &k, &kl, NULL)) {
        if (kl != len) continue;
        int same = 1;
        for (size_t i = 0; i < len && same; i++) {
            char x = name[i] == '.' ? '_' : name[i], y = k[i] == '.' ? '_' : k[i];
            same = x == y;
        }
        if (same) {
            snprintf(err, errlen, "Topic '%.*s' collides with existing topic: %s", (int)len, name, k);
            return KERR_INVALID_TOPIC_EXCEPTION;
        }
    }
    if (nparts == -1) nparts = b->cfg.num_partitions;
    if (nparts <= 0 || nparts > 100000) {
        snprintf(err, errlen, "Number of partitions must be larger than 0 (and at most 100000).");
        return KERR_INVALID_PARTITIONS;
    }
    if (rf == -1) rf = (int16_t)b->cfg.default_replication_factor;
    if (rf <= 0) {
        snprintf(err, errlen, "Replication factor must be larger than 0.");
        return KERR_INVALID_REPLICATION_FACTOR;
    }
    if (rf > 1) {
        snprintf(err, errlen, "Unable to replicate the partition %d time(s): The target replication factor of %d "
                              "cannot be reached because only 1 broker(s) are registered.", rf, rf);
        return KERR_INVALID_REPLICATION_FACTOR;
    }
    if (configs)
        for (size_t i = 0; i < configs->n; i++)
            if (topic_cfg_validate(configs->v[i].key, configs->v[i].value, err, errlen)) return KERR_INVALID_CONFIG;
    if (validate_only) return KERR_NONE;

    struct topic *t = topic_alloc(name, len);
    do {
        if (getrandom(t->id, 16, 0) != 16) abort();
    } while (!memcmp(t->id, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
    if (configs)
        for (size_t i = 0; i < configs->n; i++) props_set(&t->overrides, configs->v[i].key, configs->v[i].value, 0);
    t->npart = nparts;
    topic_resolve(b, t);
    if (topic_save(b, t)) {
        snprintf(err, errlen, "Cannot persist topic metadata: %s", strerror(errno));
        topic_free(b, t, 0);
        return KERR_KAFKA_STORAGE_ERROR;
    }
    t->npart = 0;
    hmap_put(&b->topics, t->name, len, t);
    if (topic_open_parts(b, t, 0, nparts, err, errlen)) {
        log_error("creating topic %s: %s", t->name, err);
        return KERR_KAFKA_STORAGE_ERROR;
    }
    log_info("created topic %s with %d partition(s)", t->name, nparts);
    if (out) *out = t;
    return KERR_NONE;
}

int topic_delete(struct broker *b, struct topic *t) {
    char path[1200];
    topic_file(b, t->name, path, sizeof path);
    if (unlink(path) && errno != ENOENT) {
        log_error("cannot remove topic file %s: %s", path, strerror(errno));
        return KERR_KAFKA_STORAGE_ERROR;
    }
    hmap_del(&b->topics, t->name, strlen(t->name));
    log_info("deleted topic %s", t->name);
    t->deleted = 1;
    grp_topic_deleted(b, t->name); /* its committed offsets go with it */
    /* produce requests waiting for a sync are answered; parked fetches are
     * woken and answer without this topic's data */
    for (int32_t i = 0; i < t->npart; i++) {
        produce_release_waiters(b, t->parts[i]);
        partition_notify_append(b, t->parts[i]);
    }
    topic_free(b, t, 1);
    return KERR_NONE;
}

int topic_add_partitions(struct broker *b, struct topic *t, int32_t total, int validate_only, char *err,
                         size_t errlen) {
    if (total <= t->npart) {
        snprintf(err, errlen, "Topic currently has %d partitions, which is higher than the requested %d.", t->npart,
                 total);
        return KERR_INVALID_PARTITIONS;
    }
    if (total > 100000) {
        snprintf(err, errlen, "Number of partitions must be at most 100000.");
        return KERR_INVALID_PARTITIONS;
    }
    if (validate_only) return KERR_NONE;
    int32_t old = t->npart;
    t->npart = total;
    if (topic_save(b, t)) {
        t->npart = old;
        snprintf(err, errlen, "Cannot persist topic metadata");
        return KERR_KAFKA_STORAGE_ERROR;
    }
    t->npart = old;
    if (topic_open_parts(b, t, old, total, err, errlen)) return KERR_KAFKA_STORAGE_ERROR;
    log_info("topic %s now has %d partitions", t->name, total);
    return KERR_NONE;
}

int topic_set_overrides(struct broker *b, struct topic *t, struct props *overrides) {
    props_free(&t->overrides);
    t->overrides = *overrides;
    memset(overrides, 0, sizeof *overrides);
    topic_resolve(b, t);
    for (int32_t i = 0; i < t->npart; i++) plog_set_cfg(t->parts[i]->log, &t->pcfg);
    return topic_save(b, t) ? KERR_KAFKA_STORAGE_ERROR : KERR_NONE;
}

int topic_is_internal(const char *name) {
    return !strcmp(name, "__consumer_offsets") || !strcmp(name, "__transaction_state");
}

struct topic *topic_internal(struct broker *b, const char *name, char *err, size_t errlen) {
    struct topic *t = topic_find(b, name, strlen(name));
    if (t) return t;
    struct props cfg = {0};
    props_set(&cfg, "cleanup.policy", "compact", 0);
    props_set(&cfg, "retention.ms", "-1", 0);
    props_set(&cfg, "retention.bytes", "-1", 0);
    props_set(&cfg, "segment.bytes", "104857600", 0);
    char terr[256];
    int kerr = topic_create(b, name, strlen(name), 1, 1, &cfg, 0, &t, terr, sizeof terr);
    props_free(&cfg);
    if (kerr) {
        snprintf(err, errlen, "cannot create %s: %s", name, terr);
        return NULL;
    }
    return t;
}

struct topic *topic_auto_create(struct broker *b, const char *name, size_t len, int16_t *kerr) {
    if (!b->cfg.auto_create_topics) {
        *kerr = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return NULL;
    }
    char err[256];
    struct topic *t = NULL;
    int rc = topic_create(b, name, len, -1, -1, NULL, 0, &t, err, sizeof err);
    if (rc == KERR_TOPIC_ALREADY_EXISTS) return topic_find(b, name, len);
    if (rc) {
        log_warn("auto-creating topic '%.*s' failed: %s", (int)len, name, err);
        *kerr = (int16_t)(rc == KERR_INVALID_TOPIC_EXCEPTION ? KERR_INVALID_TOPIC_EXCEPTION : rc);
        return NULL;
    }
    return t;
}
