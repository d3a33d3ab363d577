/* h_admin: topic administration: CreateTopics (19), DeleteTopics (20),
 * CreatePartitions (37), DeleteRecords (21), and the cluster questions
 * OffsetForLeaderEpoch (23) and DescribeCluster (60). On one node every
 * replica assignment must name this node, and the leader epoch is 0. */
#include "broker/core.h"
#include "broker/topics.h"

#include "common/err.h"
#include "common/log.h"
#include "wire/api_create_partitions.h"
#include "wire/api_create_topics.h"
#include "wire/api_delete_records.h"
#include "wire/api_delete_topics.h"
#include "wire/api_describe_cluster.h"
#include "wire/api_offset_for_leader_epoch.h"
#include "wire/errors.h"

#include <limits.h>
#include <stdio.h>

static struct wstr msg(struct req *r, const char *s) { return wstr_c(arena_strndup(&r->arena, s, strlen(s))); }

/* Checks a manual assignment: every replica list is exactly [this node]. */
static int check_assignment(struct broker *b, const int32_t *ids, int n, char *err, size_t errlen) {
    if (n != 1 || ids[0] != b->cfg.node_id) {
        snprintf(err, errlen, "Replica assignment must name exactly broker %d on a single-node cluster",
                 b->cfg.node_id);
        return KERR_INVALID_REPLICA_ASSIGNMENT;
    }
    return 0;
}

static void describe_topic_configs(struct broker *b, struct req *r, struct topic *t,
                                   struct create_topics_resp_topic *rt) {
    int n;
    const struct topic_cfg_def *defs = topic_cfg_defs(&n);
    rt->configs.n = n;
    rt->configs.v = arena_calloc(&r->arena, (size_t)n * sizeof *rt->configs.v);
    for (int i = 0; i < n; i++) {
        enum cfg_source src;
        const char *v = topic_cfg_value(&b->cfg, &t->overrides, defs[i].name, &src);
        struct create_topics_resp_config *c = &rt->configs.v[i];
        c->name = wstr_c(defs[i].name);
        c->value = msg(r, v ? v : "");
        c->read_only = (int8_t)defs[i].read_only;
        c->config_source = (int8_t)src;
    }
}

int h_create_topics(struct broker *b, struct req *r) {
    struct create_topics_req *q = r->body;
    struct create_topics_resp resp = {0};
    int n = q->topics.n > 0 ? q->topics.n : 0;
    resp.topics.n = n;
    resp.topics.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.topics.v + 1);
    for (int i = 0; i < n; i++) {
        struct create_topics_req_topic *qt = &q->topics.v[i];
        struct create_topics_resp_topic *rt = &resp.topics.v[i];
        rt->name = qt->name;
        rt->num_partitions = -1;
        rt->replication_factor = -1;
        rt->configs.n = -1;
        char err[512] = "";
        int code = 0;
        for (int j = 0; j < n && !code; j++)
            if (j != i && q->topics.v[j].name.n == qt->name.n &&
                !memcmp(q->topics.v[j].name.p, qt->name.p, (size_t)qt->name.n)) {
                code = KERR_INVALID_REQUEST;
                snprintf(err, sizeof err, "Create topics request from client `%.*s` contains multiple entries for "
                                          "the following topics: %.*s", r->hdr.client_id.n,
                         r->hdr.client_id.p ? r->hdr.client_id.p : "", qt->name.n, qt->name.p);
            }
        int32_t nparts = qt->num_partitions;
        int16_t rf = qt->replication_factor;
        if (!code && qt->assignments.n > 0) {
            if (nparts != -1 || rf != -1) {
                code = KERR_INVALID_REQUEST;
                snprintf(err, sizeof err, "Both numPartitions or replicationFactor and replicasAssignments were set. "
                                          "Both cannot be used at the same time.");
            }
            for (int j = 0; j < qt->assignments.n && !code; j++) {
                struct create_topics_req_assignment *a = &qt->assignments.v[j];
                if (a->partition_index != j) {
                    code = KERR_INVALID_REPLICA_ASSIGNMENT;
                    snprintf(err, sizeof err, "Partitions should be consecutive from 0");
                } else {
                    code = check_assignment(b, a->broker_ids.v, a->broker_ids.n, err, sizeof err);
                }
            }
            nparts = qt->assignments.n;
            rf = 1;
        }
        struct props cfgs = {0};
        for (int j = 0; j < qt->configs.n && !code; j++) {
            struct create_topics_req_config *c = &qt->configs.v[j];
            char *k = wstr_dup(&r->arena, c->name);
            if (!c->value.p) {
                code = KERR_INVALID_CONFIG;
                snprintf(err, sizeof err, "Null value not supported for topic configs: %s", k);
                break;
            }
            props_set(&cfgs, k, wstr_dup(&r->arena, c->value), 0);
        }
        struct topic *t = NULL;
        if (!code) {
            code = topic_create(b, qt->name.p ? qt->name.p : "", (size_t)qt->name.n, nparts, rf, &cfgs,
                                q->validate_only, &t, err, sizeof err);
        }
        props_free(&cfgs);
        rt->error_code = (int16_t)code;
        if (code) {
            rt->error_message = msg(r, err);
            continue;
        }
        rt->num_partitions = nparts == -1 ? b->cfg.num_partitions : nparts;
        rt->replication_factor = 1;
        if (t) {
            memcpy(rt->topic_id, t->id, 16);
            describe_topic_configs(b, r, t, rt);
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

int h_delete_topics(struct broker *b, struct req *r) {
    struct delete_topics_req *q = r->body;
    struct delete_topics_resp resp = {0};
    int v6 = r->hdr.api_version >= 6;
    int n = v6 ? q->topics.n : q->topic_names.n;
    if (n < 0) n = 0;
    resp.responses.n = n;
    resp.responses.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.responses.v + 1);
    for (int i = 0; i < n; i++) {
        struct delete_topics_resp_result *rr = &resp.responses.v[i];
        struct topic *t = NULL;
        if (v6 && !q->topics.v[i].name.p) {
            memcpy(rr->topic_id, q->topics.v[i].topic_id, 16);
            t = topic_find_id(b, q->topics.v[i].topic_id);
            if (!t) {
                rr->error_code = KERR_UNKNOWN_TOPIC_ID;
                continue;
            }
        } else {
            struct wstr name = v6 ? q->topics.v[i].name : q->topic_names.v[i];
            rr->name = name;
            t = name.p ? topic_find(b, name.p, (size_t)name.n) : NULL;
            if (!t) {
                rr->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                rr->error_message = msg(r, "This server does not host this topic.");
                continue;
            }
        }
        rr->name = msg(r, t->name);
        memcpy(rr->topic_id, t->id, 16);
        if (topic_is_internal(t->name)) {
            rr->error_code = KERR_INVALID_TOPIC_EXCEPTION;
            rr->error_message = msg(r, "Internal topics cannot be deleted: the group and transaction coordinators keep their state there.");
            continue;
        }
        rr->error_code = (int16_t)topic_delete(b, t);
    }
    req_respond(r, &resp);
    return H_DONE;
}

int h_create_partitions(struct broker *b, struct req *r) {
    struct create_partitions_req *q = r->body;
    struct create_partitions_resp resp = {0};
    int n = q->topics.n > 0 ? q->topics.n : 0;
    resp.results.n = n;
    resp.results.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.results.v + 1);
    for (int i = 0; i < n; i++) {
        struct create_partitions_req_topic *qt = &q->topics.v[i];
        struct create_partitions_resp_result *rr = &resp.results.v[i];
        rr->name = qt->name;
        char err[300] = "";
        int code = 0;
        struct topic *t = qt->name.p ? topic_find(b, qt->name.p, (size_t)qt->name.n) : NULL;
        if (!t) {
            code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
            snprintf(err, sizeof err, "The topic '%.*s' does not exist.", qt->name.n, qt->name.p ? qt->name.p : "");
        } else if (topic_is_internal(t->name)) {
            code = KERR_INVALID_TOPIC_EXCEPTION;
            snprintf(err, sizeof err, "The number of partitions of the internal topic %s cannot be changed.", t->name);
        } else if (qt->assignments.n >= 0 && qt->assignments.n != qt->count - t->npart) {
            code = KERR_INVALID_REPLICA_ASSIGNMENT;
            snprintf(err, sizeof err, "Increasing the number of partitions by %d but %d assignments provided.",
                     qt->count - t->npart, qt->assignments.n);
        } else {
            for (int j = 0; j < qt->assignments.n && !code; j++)
                code = check_assignment(b, qt->assignments.v[j].broker_ids.v, qt->assignments.v[j].broker_ids.n, err,
                                        sizeof err);
            if (!code) code = topic_add_partitions(b, t, qt->count, q->validate_only, err, sizeof err);
        }
        rr->error_code = (int16_t)code;
        if (code) rr->error_message = msg(r, err);
    }
    req_respond(r, &resp);
    return H_DONE;
}

int h_delete_records(struct broker *b, struct req *r) {
    struct delete_records_req *q = r->body;
    struct delete_records_resp resp = {0};
    int n = q->topics.n > 0 ? q->topics.n : 0;
    resp.topics.n = n;
    resp.topics.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.topics.v + 1);
    for (int i = 0; i < n; i++) {
        struct delete_records_req_topic *qt = &q->topics.v[i];
        struct delete_records_resp_topic *rt = &resp.topics.v[i];
        rt->name = qt->name;
        struct topic *t = qt->name.p ? topic_find(b, qt->name.p, (size_t)qt->name.n) : NULL;
        int np = qt->partitions.n > 0 ? qt->partitions.n : 0;
        rt->partitions.n = np;
        rt->partitions.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        for (int j = 0; j < np; j++) {
            struct delete_records_req_partition *qp = &qt->partitions.v[j];
            struct delete_records_resp_partition *rp = &rt->partitions.v[j];
            rp->partition_index = qp->partition_index;
            rp->low_watermark = -1;
            if (!t || qp->partition_index < 0 || qp->partition_index >= t->npart) {
                rp->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            if (topic_is_internal(t->name)) { /* DeleteRecords has no error message: the code says it */
                rp->error_code = KERR_INVALID_TOPIC_EXCEPTION;
                continue;
            }
            struct plog *log = t->parts[qp->partition_index]->log;
            int64_t off = qp->offset == -1 ? plog_end_offset(log) : qp->offset;
            if (off < 0 || off > plog_end_offset(log)) {
                rp->error_code = KERR_OFFSET_OUT_OF_RANGE;
                continue;
            }
            int rc = off > plog_start_offset(log) ? plog_delete_records(log, off) : 0;
            if (rc) {
                log_error("DeleteRecords %s-%d to %lld: %s", t->name, qp->partition_index, (long long)off,
                          werr_str(rc));
                rp->error_code = rc == WERR_RANGE ? KERR_OFFSET_OUT_OF_RANGE : KERR_KAFKA_STORAGE_ERROR;
                continue;
            }
            rp->low_watermark = plog_start_offset(log);
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

int h_offset_for_leader_epoch(struct broker *b, struct req *r) {
    struct offset_for_leader_epoch_req *q = r->body;
    struct offset_for_leader_epoch_resp resp = {0};
    int n = q->topics.n > 0 ? q->topics.n : 0;
    resp.topics.n = n;
    resp.topics.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.topics.v + 1);
    for (int i = 0; i < n; i++) {
        struct offset_for_leader_epoch_req_topic *qt = &q->topics.v[i];
        struct offset_for_leader_epoch_resp_topic *rt = &resp.topics.v[i];
        rt->topic = qt->topic;
        struct topic *t = qt->topic.p ? topic_find(b, qt->topic.p, (size_t)qt->topic.n) : NULL;
        int np = qt->partitions.n > 0 ? qt->partitions.n : 0;
        rt->partitions.n = np;
        rt->partitions.v = arena_calloc(&r->arena, (size_t)np * sizeof *rt->partitions.v + 1);
        for (int j = 0; j < np; j++) {
            struct offset_for_leader_epoch_req_partition *qp = &qt->partitions.v[j];
            struct offset_for_leader_epoch_resp_partition *rp = &rt->partitions.v[j];
            rp->partition = qp->partition;
            rp->leader_epoch = -1;
            rp->end_offset = -1;
            if (!t || qp->partition < 0 || qp->partition >= t->npart) {
                rp->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            if (qp->current_leader_epoch > 0) { /* the leader epoch is always 0 here */
                rp->error_code = KERR_UNKNOWN_LEADER_EPOCH;
                continue;
            }
            if (qp->leader_epoch == 0) { /* the only epoch: it ends at the log end */
                rp->leader_epoch = 0;
                rp->end_offset = plog_end_offset(t->parts[qp->partition]->log);
            }
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

int h_describe_cluster(struct broker *b, struct req *r) {
    struct describe_cluster_req *q = r->body;
    struct describe_cluster_resp resp = {0};
    resp.endpoint_type = q->endpoint_type ? q->endpoint_type : 1;
    resp.cluster_id = wstr_c(b->cluster_id);
    resp.controller_id = b->cfg.node_id;
    struct describe_cluster_resp_broker *br = arena_calloc(&r->arena, sizeof *br);
    br->broker_id = b->cfg.node_id;
    br->host = wstr_c(b->adv_host);
    br->port = b->adv_port;
    resp.brokers.v = br;
    resp.brokers.n = 1;
    resp.cluster_authorized_operations = q->include_cluster_authorized_operations
                                             ? ((1 << 4) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11))
                                             : INT32_MIN;
    req_respond(r, &resp);
    return H_DONE;
}
