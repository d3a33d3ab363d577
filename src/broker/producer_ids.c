/* producer_ids: see producer_ids.h. The file holds one decimal number: the
 * end (exclusive) of the last block handed out. */
#include "broker/producer_ids.h"

#include "common/err.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pid_alloc_open(struct pid_alloc *a, const char *meta_dir) {
    snprintf(a->path, sizeof a->path, "%s/producer-ids", meta_dir);
    a->next = a->block_end = 0;
    FILE *f = fopen(a->path, "r");
    if (f) {
        long long v = 0;
        if (fscanf(f, "%lld", &v) == 1 && v > 0) a->next = a->block_end = v;
        fclose(f);
    }
    return 0;
}

int64_t pid_alloc_next(struct pid_alloc *a) {
    if (a->next >= a->block_end) {
        int64_t end = a->block_end + PID_BLOCK;
        char text[32], tmp[1300];
        int n = snprintf(text, sizeof text, "%" PRId64 "\n", end);
        snprintf(tmp, sizeof tmp, "%s.tmp", a->path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int ok = fd >= 0 && write(fd, text, (size_t)n) == n && fdatasync(fd) == 0;
        if (fd >= 0 && close(fd)) ok = 0;
        if (!ok || rename(tmp, a->path)) {
            log_error("cannot persist producer id block in %s: %s", a->path, strerror(errno));
            return -1;
        }
        a->block_end = end;
    }
    return a->next++;
}
