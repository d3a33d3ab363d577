/* plog: one partition's log (segments + sparse offset and time indexes).
 * Single-threaded: runs on the broker's network thread. (Interface fixed
 * ahead of the implementation; see the storage branch.) */
#ifndef WEIR_STORAGE_PLOG_H
#define WEIR_STORAGE_PLOG_H

#include <stddef.h>
#include <stdint.h>

struct plog;
struct plog_cfg {
    int64_t segment_bytes;
    int64_t segment_ms;
    int64_t retention_ms;
    int64_t retention_bytes;
    int32_t index_interval_bytes;
    int64_t flush_interval_messages;
    int64_t flush_interval_ms;
};
struct plog_recovery {
    int recovered;
    int segments_scanned, indexes_rebuilt;
    int64_t bytes_truncated;
};
int plog_open(const char *dir, const struct plog_cfg *cfg, int clean, struct plog **out, struct plog_recovery *rec);
void plog_close(struct plog *l);
int plog_delete(struct plog *l);
void plog_set_cfg(struct plog *l, const struct plog_cfg *cfg);
int64_t plog_start_offset(const struct plog *l);
int64_t plog_end_offset(const struct plog *l);
int64_t plog_flushed_offset(const struct plog *l);
int64_t plog_size_bytes(const struct plog *l);
struct plog_append {
    int64_t base_offset, last_offset;
    int64_t log_append_time;
    int64_t start_offset;
};
int plog_append(struct plog *l, uint8_t *data, size_t len, int64_t now_ms, int64_t log_append_time_ms,
                struct plog_append *res);
struct plog_slice {
    int fd;
    int64_t pos;
    int32_t len;
    int64_t first_offset;
};
int plog_read(struct plog *l, int64_t offset, int32_t max_bytes, int min_one, struct plog_slice *out);
int plog_offset_for_time(struct plog *l, int64_t ts, int64_t *offset, int64_t *found_ts);
int plog_max_timestamp(struct plog *l, int64_t *offset, int64_t *ts);
int plog_delete_records(struct plog *l, int64_t offset);
int64_t plog_housekeep(struct plog *l, int64_t now_ms);
int plog_flush(struct plog *l);
int plog_sync_fds(struct plog *l, int *fds, int max, int64_t *upto);
void plog_mark_flushed(struct plog *l, int64_t upto);

#endif
