/* broker: lifecycle of a broker: the log dir (meta.properties with the
 * cluster id, the clean-shutdown marker), the topic registry, the listener,
 * the flusher thread and periodic housekeeping (segment roll by time,
 * retention, flush.ms). */
#include "broker/broker.h"

#include "broker/core.h"
#include "broker/group.h"
#include "broker/net.h"
#include "broker/topics.h"
#include "broker/txn.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/fsdir.h"
#include "common/log.h"
#include "storage/logdir.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding (22 chars). */
static void new_cluster_id(char *out) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t r[22];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) abort();
    for (int i = 0; i < 22; i++) out[i] = alphabet[r[i] & 63];
    out[22] = 0;
}

/* meta.properties: the cluster id and node id of this log dir, as Kafka keeps them. */
static int load_meta(struct broker *b, char *err, size_t errlen) {
    char path[1200];
    snprintf(path, sizeof path, "%s/meta.properties", b->cfg.log_dirs);
    struct props p = {0};
    char perr[256];
    if (access(path, F_OK) == 0 && props_load_file(&p, path, perr, sizeof perr) == 0) {
        const char *cid = props_get(&p, "cluster.id");
        if (cid) snprintf(b->cluster_id, sizeof b->cluster_id, "%s", cid);
        const char *nid = props_get(&p, "node.id");
        if (nid && atoi(nid) != b->cfg.node_id)
            log_warn("log dir %s belongs to node.id %s; serving it as node.id %d", b->cfg.log_dirs, nid,
                     b->cfg.node_id);
    }
    props_free(&p);
    if (b->cfg.cluster_id[0] && b->cluster_id[0] && strcmp(b->cfg.cluster_id, b->cluster_id)) {
        snprintf(err, errlen, "cluster.id %s does not match the log dir's cluster id %s", b->cfg.cluster_id,
                 b->cluster_id);
        return WERR_INVALID;
    }
    if (b->cluster_id[0]) return 0;
    if (b->cfg.cluster_id[0]) snprintf(b->cluster_id, sizeof b->cluster_id, "%s", b->cfg.cluster_id);
    else new_cluster_id(b->cluster_id);
    char text[256], tmp[1300];
    int n = snprintf(text, sizeof text, "version=1\ncluster.id=%s\nnode.id=%d\n", b->cluster_id, b->cfg.node_id);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) || close(fd) || rename(tmp, path)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return WERR_IO;
    }
    return 0;
}

int broker_new(const struct broker_cfg *cfg, struct broker **out, char *err, size_t errlen) {
    int64_t t0 = clock_mono_us();
    struct broker *b = calloc(1, sizeof *b);
    if (!b) abort();
    b->cfg = *cfg;
    memset(&b->cfg.set, 0, sizeof b->cfg.set);
    for (size_t i = 0; i < cfg->set.n; i++) props_set(&b->cfg.set, cfg->set.v[i].key, cfg->set.v[i].value, 0);
    b->epfd = b->lfd = b->evfd = -1;
    listener_parse(cfg->listeners, b->host, sizeof b->host, &b->port);
    if (listener_parse(cfg->advertised_listeners, b->adv_host, sizeof b->adv_host, &b->adv_port)) {
        snprintf(b->adv_host, sizeof b->adv_host, "%s", b->host);
        b->adv_port = b->port;
    }
    if (!b->adv_host[0] || !strcmp(b->adv_host, "0.0.0.0") || !strcmp(b->adv_host, "::")) {
        char hn[200];
        if (gethostname(hn, sizeof hn) == 0) snprintf(b->adv_host, sizeof b->adv_host, "%s", hn);
    }
    int adv_follows_port = b->adv_port == 0 || !strcmp(cfg->advertised_listeners, cfg->listeners);

    if (fs_mkdirs(cfg->log_dirs)) {
        snprintf(err, errlen, "cannot create log dir %s: %s", cfg->log_dirs, strerror(errno));
        goto fail;
    }
    snprintf(b->meta_dir, sizeof b->meta_dir, "%s/.weir", cfg->log_dirs);
    if (load_meta(b, err, errlen)) goto fail;
    int rc = logdir_open(cfg->log_dirs, &b->logdir);
    if (rc) {
        snprintf(err, errlen, rc == WERR_EXISTS ? "log dir %s is in use by another broker"
                                                : "cannot open log dir %s", cfg->log_dirs);
        goto fail;
    }
    b->clean_start = logdir_was_clean(b->logdir);
    struct stat st;
    if (stat(b->meta_dir, &st) != 0) b->clean_start = 1; /* a new dir has nothing to recover */
    pid_alloc_open(&b->pids, b->meta_dir);
    if (topics_load(b, err, errlen)) goto fail;
    if (grp_open(b, err, errlen)) goto fail;
    if (txn_open(b, err, errlen)) goto fail;

    b->epfd = epoll_create1(EPOLL_CLOEXEC);
    b->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (b->epfd < 0 || b->evfd < 0) {
        snprintf(err, errlen, "epoll/eventfd: %s", strerror(errno));
        goto fail;
    }
    if (flusher_start(b->evfd, &b->flusher)) {
        snprintf(err, errlen, "cannot start the flusher thread");
        goto fail;
    }
    if (cleaner_start(b->evfd, &b->cleaner)) {
        snprintf(err, errlen, "cannot start the log cleaner thread");
        goto fail;
    }
    if (net_listen(b, err, errlen)) goto fail;
    if (adv_follows_port) b->adv_port = b->port;
    b->next_housekeep_ms = clock_mono_ms() + 1000;
    b->last_retention_ms = b->last_snapshot_ms = b->last_clean_ms = clock_wall_ms();
    log_info("weir broker node %d (cluster %s) listening on %s:%d, advertised as %s:%d", cfg->node_id, b->cluster_id,
             b->host[0] ? b->host : "*", b->port, b->adv_host, b->adv_port);
    log_info("data in %s: %d topic(s), %s start, ready in %.1f ms", cfg->log_dirs, (int)b->topics.n,
             b->clean_start ? "clean" : "unclean (recovered)", (double)(clock_mono_us() - t0) / 1000.0);
    *out = b;
    return 0;
fail:
    broker_free(b);
    return WERR_INVALID;
}

int broker_run(struct broker *b) {
    b->ran = 1;
    return net_loop(b);
}

void broker_stop(struct broker *b) {
    b->stopping = 1;
    uint64_t one = 1;
    if (b->evfd >= 0) {
        ssize_t w = write(b->evfd, &one, sizeof one);
        (void)w;
    }
}

int broker_port(const struct broker *b) { return b->port; }

/* Runs about once a second: retention (and time-based roll) every
 * log.retention.check.interval.ms, and flush.ms for partitions that ask for
 * periodic flushes. */
void broker_housekeep(struct broker *b, int64_t now_wall) {
    int retention_due = now_wall - b->last_retention_ms >= b->cfg.log_retention_check_interval_ms;
    if (retention_due) b->last_retention_ms = now_wall;
    /* producer-state snapshots bound the log replayed after a crash */
    int snapshot_due = now_wall - b->last_snapshot_ms >= 60000;
    if (snapshot_due) b->last_snapshot_ms = now_wall;
    txn_tick(b, now_wall);
    /* the log cleaner looks for work every log.cleaner.backoff.ms (Kafka: 15 s) */
    int clean_due = now_wall - b->last_clean_ms >= b->cfg.log_cleaner_backoff_ms;
    if (clean_due) b->last_clean_ms = now_wall;
    size_t it = 0;
    void *v;
    while (hmap_next(&b->topics, &it, NULL, NULL, &v)) {
        struct topic *t = v;
        for (int32_t i = 0; i < t->npart; i++) {
            struct partition *p = t->parts[i];
            if (retention_due) {
                int64_t start = plog_start_offset(p->log);
                int64_t del = plog_housekeep(p->log, now_wall);
                if (del > 0)
                    log_info("retention: %s-%d deleted %" PRId64 " bytes, log start offset %" PRId64 " -> %" PRId64,
                             t->name, i, del, start, plog_start_offset(p->log));
            }
            if (clean_due && t->compact && !p->cjob && b->cleaner) {
                t->ccfg.max_clean_offset = pstate_first_unstable(p->ps); /* never past an open transaction */
                struct compact_job *job = NULL;
                if (plog_compact_prepare(p->log, &t->ccfg, now_wall, &job) == 0 && job) {
                    p->cjob = job;
                    cleaner_submit(b->cleaner, p->uid, job);
                }
            }
            if (snapshot_due) pstate_snapshot(p->ps, p->dir, plog_start_offset(p->log), plog_end_offset(p->log));
            if (t->pcfg.flush_interval_ms != INT64_MAX && now_wall - p->last_flush_ms >= t->pcfg.flush_interval_ms) {
                p->last_flush_ms = now_wall;
                if (plog_flushed_offset(p->log) < plog_end_offset(p->log)) plog_flush(p->log);
            }
        }
    }
}

/* A cleaner job came back: swap the cleaned segments in. */
void broker_on_cleaned(void *ctx, uint64_t uid, struct compact_job *job) {
    struct broker *b = ctx;
    struct partition *p = hmap_get(&b->parts_by_uid, &uid, sizeof uid);
    if (!p || p->cjob != job) { /* cannot happen: partitions withdraw their job before going away */
        compact_job_discard(job);
        return;
    }
    p->cjob = NULL;
    struct plog_compact_stats st = {0};
    int rc = plog_compact_finish(p->log, job, &st);
    if (rc && rc != WERR_AGAIN)
        log_warn("log cleaner: %s-%d: %s", p->topic->name, p->index, werr_str(rc));
    else if (st.segments > 0)
        log_info("log cleaner: %s-%d: %d segment(s), %" PRId64 " -> %" PRId64 " bytes, %" PRId64 " of %" PRId64
                 " records kept, %" PRId64 " tombstones dropped", p->topic->name, p->index, st.segments,
                 st.bytes_before, st.bytes_after, st.records_kept, st.records_read, st.tombstones_dropped);
}

void broker_free(struct broker *b) {
    if (!b) return;
    grp_detach_requests(b); /* before the connections (and their requests) go */
    net_close_all(b);
    grp_free(b);
    txn_free(b);
    if (b->flusher) flusher_stop(b->flusher);
    int had_topics = b->meta_dir[0] != 0;
    topics_close_all(b); /* flushes every log, withdraws cleaner jobs */
    if (b->cleaner) cleaner_stop(b->cleaner);
    if (b->lfd >= 0) close(b->lfd);
    if (b->epfd >= 0) close(b->epfd);
    if (b->evfd >= 0) close(b->evfd);
    if (b->logdir) {
        int clean = had_topics && b->flusher;
        logdir_close(b->logdir, clean);
        if (clean && b->ran) log_info("broker stopped cleanly");
    }
    broker_cfg_free(&b->cfg);
    free(b);
}
