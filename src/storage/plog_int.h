/* plog_int: the inside of a partition log, shared by plog.c and the
 * cleaner (compact.c) and nobody else. The one thing to know: segs[nsegs-1]
 * is the active segment, and every segment ends exactly where the next
 * begins (compaction keeps each segment's first and last batch). */
#ifndef WEIR_STORAGE_PLOG_INT_H
#define WEIR_STORAGE_PLOG_INT_H

#include "storage/plog.h"
#include "storage/segment.h"

#define LSO_FILE "log-start-offset"
#define RP_FILE "recovery-point"
#define CLEANER_CP_FILE "cleaner-offset-checkpoint" /* offsets below it may have been compacted */
#define CLEANED_SUFFIX ".cleaned"                   /* a segment file the cleaner is writing aside */

struct compact_job;

struct plog {
    char *dir;
    struct plog_cfg cfg;
    struct seg **segs;              /* by base offset; segs[nsegs-1] is active */
    int nsegs, cap;
    int64_t start;                  /* log start offset */
    int64_t rp;                     /* recovery point */
    int64_t rp_persisted;           /* value in the recovery-point file, -1 if none */
    int64_t rp_persist_mono;        /* when it was written (monotonic ms) */
    int64_t unflushed_msgs;
    int64_t first_unflushed_ms;     /* now_ms of the oldest unflushed append, -1 if none */
    int64_t size_total;
    int io_failed;                  /* an fdatasync failed: the page cache state is unknown, refuse appends */
    int64_t clean_cp;               /* cleaner checkpoint (CLEANER_CP_FILE), -1 if none */
    struct compact_job *job;        /* the outstanding cleaning job, NULL if none */
};

#endif
