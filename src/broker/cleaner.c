/* cleaner: see cleaner.h. One mutex guards a pending list, the job being
 * run and a done list; a condition variable wakes the thread, another
 * wakes a withdrawing owner when the running job returns. */
#include "broker/cleaner.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct cjob {
    uint64_t uid;
    struct compact_job *job;
    struct cjob *next;
};

struct cleaner {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv, idle;
    struct cjob *pending, *pending_tail, *done;
    struct compact_job *running;
    int stop;
    int notify_fd;
};

static void *cleaner_main(void *arg) {
    struct cleaner *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->pending && !c->stop) pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop) break;
        struct cjob *j = c->pending;
        c->pending = j->next;
        if (!c->pending) c->pending_tail = NULL;
        c->running = j->job;
        pthread_mutex_unlock(&c->mu);
        compact_job_run(j->job);
        pthread_mutex_lock(&c->mu);
        c->running = NULL;
        pthread_cond_broadcast(&c->idle);
        j->next = c->done;
        c->done = j;
        uint64_t one = 1;
        ssize_t w = write(c->notify_fd, &one, sizeof one);
        (void)w;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

int cleaner_start(int notify_fd, struct cleaner **out) {
    struct cleaner *c = calloc(1, sizeof *c);
    if (!c) return -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_cond_init(&c->idle, NULL);
    c->notify_fd = notify_fd;
    if (pthread_create(&c->thread, NULL, cleaner_main, c)) {
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void cleaner_submit(struct cleaner *c, uint64_t uid, struct compact_job *job) {
    struct cjob *j = calloc(1, sizeof *j);
    if (!j) abort();
    j->uid = uid;
    j->job = job;
    pthread_mutex_lock(&c->mu);
    if (c->pending_tail) c->pending_tail->next = j;
    else c->pending = j;
    c->pending_tail = j;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

void cleaner_drain(struct cleaner *c, void (*cb)(void *ctx, uint64_t uid, struct compact_job *job), void *ctx) {
    pthread_mutex_lock(&c->mu);
    struct cjob *done = c->done;
    c->done = NULL;
    pthread_mutex_unlock(&c->mu);
    while (done) {
        struct cjob *next = done->next;
        cb(ctx, done->uid, done->job);
        free(done);
        done = next;
    }
}

/* Unlinks the entry holding job from list *pp; 1 if found. */
static int unlink_job(struct cjob **pp, struct compact_job *job, struct cjob **tail) {
    struct cjob *prev = NULL;
    for (struct cjob *j = *pp; j; prev = j, j = j->next) {
        if (j->job != job) continue;
        if (prev) prev->next = j->next;
        else *pp = j->next;
        if (tail && *tail == j) *tail = prev;
        free(j);
        return 1;
    }
    return 0;
}

void cleaner_withdraw(struct cleaner *c, struct compact_job *job) {
    compact_job_cancel(job);
    pthread_mutex_lock(&c->mu);
    while (c->running == job) pthread_cond_wait(&c->idle, &c->mu);
    if (!unlink_job(&c->pending, job, &c->pending_tail)) unlink_job(&c->done, job, NULL);
    pthread_mutex_unlock(&c->mu);
}

void cleaner_stop(struct cleaner *c) {
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    struct cjob *lists[2] = {c->pending, c->done};
    for (int k = 0; k < 2; k++)
        for (struct cjob *j = lists[k], *n; j; j = n) {
            n = j->next;
            compact_job_discard(j->job);
            free(j);
        }
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    pthread_cond_destroy(&c->idle);
    free(c);
}
