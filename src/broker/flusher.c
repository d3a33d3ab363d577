/* flusher: see flusher.h. Two lists under one mutex: pending jobs and done
 * jobs. The thread swaps out the whole pending list, syncs it without the
 * lock, then appends it to the done list and signals the eventfd. */
#include "broker/flusher.h"

#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FL_MAXFDS 8

struct fjob {
    uint64_t uid;
    int fds[FL_MAXFDS];
    int nfds;
    int64_t upto;
    int err;
    struct fjob *next;
};

struct flusher {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fjob *pending, *done;
    int stop;
    int notify_fd;
};

static void *flusher_main(void *arg) {
    struct flusher *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->pending && !f->stop) pthread_cond_wait(&f->cv, &f->mu);
        if (!f->pending && f->stop) break;
        struct fjob *jobs = f->pending;
        f->pending = NULL;
        pthread_mutex_unlock(&f->mu);
        struct fjob *last = NULL;
        for (struct fjob *j = jobs; j; j = j->next) {
            for (int i = 0; i < j->nfds; i++) {
                if (fdatasync(j->fds[i]) && !j->err) j->err = -errno;
                close(j->fds[i]);
            }
            last = j;
        }
        pthread_mutex_lock(&f->mu);
        last->next = f->done;
        f->done = jobs;
        uint64_t one = 1;
        ssize_t w = write(f->notify_fd, &one, sizeof one);
        (void)w;
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

int flusher_start(int notify_fd, struct flusher **out) {
    struct flusher *f = calloc(1, sizeof *f);
    if (!f) return -1;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->notify_fd = notify_fd;
    if (pthread_create(&f->thread, NULL, flusher_main, f)) {
        free(f);
        return -1;
    }
    *out = f;
    return 0;
}

void flusher_submit(struct flusher *f, uint64_t uid, const int *fds, int nfds, int64_t upto) {
    struct fjob *j = calloc(1, sizeof *j);
    if (!j) abort();
    j->uid = uid;
    j->upto = upto;
    j->nfds = nfds > FL_MAXFDS ? FL_MAXFDS : nfds;
    memcpy(j->fds, fds, (size_t)j->nfds * sizeof(int));
    for (int i = j->nfds; i < nfds; i++) { /* more segments than a job holds: sync them here */
        if (fdatasync(fds[i])) j->err = -errno;
        close(fds[i]);
    }
    pthread_mutex_lock(&f->mu);
    j->next = f->pending;
    f->pending = j;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void flusher_drain(struct flusher *f, void (*cb)(void *ctx, uint64_t uid, int64_t upto, int err), void *ctx) {
    pthread_mutex_lock(&f->mu);
    struct fjob *done = f->done;
    f->done = NULL;
    pthread_mutex_unlock(&f->mu);
    while (done) {
        struct fjob *next = done->next;
        if (done->err) log_error("flusher: fdatasync failed: %s", strerror(-done->err));
        cb(ctx, done->uid, done->upto, done->err);
        free(done);
        done = next;
    }
}

void flusher_stop(struct flusher *f) {
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    struct fjob *lists[2] = {f->pending, f->done};
    for (int k = 0; k < 2; k++)
        for (struct fjob *j = lists[k], *n; j; j = n) {
            n = j->next;
            free(j);
        }
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}
