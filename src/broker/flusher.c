/* flusher: see flusher.h. Two lists under one mutex: pending jobs (FIFO)
 * and done jobs. FL_THREADS threads each take one job at a time, sync it
 * without the lock, then append it to the done list and signal the eventfd.
 * Several threads because one fdatasync per partition in a row makes an
 * acks=all answer wait for the sum of the partitions' syncs; concurrent
 * syncs overlap their I/O and the block layer merges their cache flushes.
 * A partition never has two jobs at once (the network thread waits for one
 * to complete before it submits the next), so the threads never sync the
 * same file concurrently. */
#include "broker/flusher.h"

#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FL_MAXFDS 8
#define FL_THREADS 4

struct fjob {
    uint64_t uid;
    int fds[FL_MAXFDS];
    int nfds;
    int64_t upto;
    int err;
    struct fjob *next;
};

struct flusher {
    pthread_t threads[FL_THREADS];
    int nthreads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fjob *pending, *pending_tail, *done;
    int stop;
    int notify_fd;
};

static void *flusher_main(void *arg) {
    struct flusher *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->pending && !f->stop) pthread_cond_wait(&f->cv, &f->mu);
        if (!f->pending && f->stop) break;
        struct fjob *j = f->pending;
        f->pending = j->next;
        if (!f->pending) f->pending_tail = NULL;
        pthread_mutex_unlock(&f->mu);
        for (int i = 0; i < j->nfds; i++) {
            if (fdatasync(j->fds[i]) && !j->err) j->err = -errno;
            close(j->fds[i]);
        }
        pthread_mutex_lock(&f->mu);
        j->next = f->done;
        f->done = j;
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
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024); /* it only calls fdatasync */
    for (int i = 0; i < FL_THREADS; i++) {
        if (pthread_create(&f->threads[i], &attr, flusher_main, f)) break;
        f->nthreads++;
    }
    pthread_attr_destroy(&attr);
    if (!f->nthreads) {
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
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
    j->next = NULL;
    if (f->pending_tail) f->pending_tail->next = j;
    else f->pending = j;
    f->pending_tail = j;
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
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    for (int i = 0; i < f->nthreads; i++) pthread_join(f->threads[i], NULL);
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
