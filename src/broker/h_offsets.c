/* h_offsets: ListOffsets (key 2): earliest (-2), latest (-1), max
 * timestamp (-3), earliest local (-4, = earliest here) and by timestamp. */
#include "broker/core.h"
#include "broker/topics.h"

#include "common/err.h"
#include "wire/api_list_offsets.h"
#include "wire/errors.h"

#include <string.h>

enum { TS_LATEST = -1, TS_EARLIEST = -2, TS_MAX_TIMESTAMP = -3, TS_EARLIEST_LOCAL = -4, TS_EARLIEST_PENDING = -5,
       TS_LATEST_TIERED = -6 };

static void list_one(struct broker *b, struct req *r, struct topic *t, struct list_offsets_req_partition *qp,
                     struct list_offsets_resp_partition *rp, int read_committed) {
    rp->partition_index = qp->partition_index;
    rp->timestamp = -1;
    rp->offset = -1;
    rp->leader_epoch = -1;
    if (!t || qp->partition_index < 0 || qp->partition_index >= t->npart) {
        rp->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    struct plog *log = t->parts[qp->partition_index]->log;
    int64_t off = -1, ts = -1;
    switch (qp->timestamp) {
    case TS_LATEST:
    case TS_LATEST_TIERED: {
        off = plog_end_offset(log);
        int64_t lso = pstate_first_unstable(t->parts[qp->partition_index]->ps);
        if (read_committed && lso >= 0) off = lso;
        break;
    }
    case TS_EARLIEST:
    case TS_EARLIEST_LOCAL:
    case TS_EARLIEST_PENDING: off = plog_start_offset(log); break;
    case TS_MAX_TIMESTAMP:
        if (plog_max_timestamp(log, &off, &ts)) off = ts = -1;
        break;
    default:
        if (qp->timestamp < 0) {
            rp->error_code = KERR_INVALID_REQUEST;
            return;
        }
        if (plog_offset_for_time(log, qp->timestamp, &off, &ts)) off = ts = -1;
        break;
    }
    rp->offset = off;
    rp->timestamp = ts;
    rp->leader_epoch = 0;
    if (r->hdr.api_version == 0) {
        int64_t *v = arena_alloc(&r->arena, sizeof *v);
        *v = off;
        rp->old_style_offsets.v = v;
        rp->old_style_offsets.n = off >= 0 && qp->max_num_offsets > 0 ? 1 : 0;
    }
}

int h_list_offsets(struct broker *b, struct req *r) {
    struct list_offsets_req *q = r->body;
    struct list_offsets_resp resp = {0};
    int nt = q->topics.n > 0 ? q->topics.n : 0;
    resp.topics.n = nt;
    resp.topics.v = arena_calloc(&r->arena, (size_t)nt * sizeof *resp.topics.v + 1);
    for (int i = 0; i < nt; i++) {
        struct list_offsets_req_topic *qt = &q->topics.v[i];
        struct list_offsets_resp_topic *rt = &resp.topics.v[i];
        rt->name = qt->name;
        struct topic *t = qt->name.p ? topic_find(b, qt->name.p, (size_t)qt->name.n) : NULL;
        int np = qt->partitions.n > 0 ? qt->partitions.n : 0;
        rt->partitions.n = np;
        rt->partitions.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        for (int j = 0; j < np; j++) list_one(b, r, t, &qt->partitions.v[j], &rt->partitions.v[j], q->isolation_level == 1);
    }
    req_respond(r, &resp);
    return H_DONE;
}
