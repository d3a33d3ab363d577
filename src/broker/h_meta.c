/* h_meta: ApiVersions (key 18) and Metadata (key 3).
 * A single node is the leader, the only replica and the controller of
 * everything; leader epochs are 0 throughout. */
#include "broker/core.h"
#include "broker/topics.h"

#include "wire/api_metadata.h"
#include "wire/api_versions.h"
#include "wire/errors.h"

#include <limits.h>
#include <string.h>

/* Kafka's ACL operation bits for "everything allowed". */
#define TOPIC_ALL_OPS ((1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11))
#define CLUSTER_ALL_OPS ((1 << 4) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12))

int h_api_versions(struct broker *b, struct req *r) {
    (void)b;
    struct api_versions_resp resp = {0};
    int n;
    const struct api_info *all = api_all(&n);
    resp.api_keys.v = arena_alloc(&r->arena, (size_t)n * sizeof *resp.api_keys.v);
    for (int i = 0; i < n; i++) {
        if (all[i].max_ver < 0 || !handler_for(all[i].key)) continue;
        resp.api_keys.v[resp.api_keys.n++] =
            (struct api_versions_resp_key){all[i].key, all[i].min_ver, all[i].max_ver};
    }
    resp.finalized_features_epoch = -1;
    if (r->body == NULL) resp.error_code = KERR_UNSUPPORTED_VERSION; /* dispatch: version out of range */
    req_respond(r, &resp);
    return H_DONE;
}

static void fill_topic(struct broker *b, struct req *r, struct metadata_resp_topic *rt, struct topic *t,
                       int with_ops) {
    rt->error_code = 0;
    rt->name = (struct wstr){t->name, (int32_t)strlen(t->name)};
    memcpy(rt->topic_id, t->id, 16);
    rt->is_internal = (int8_t)topic_is_internal(t->name);
    rt->topic_authorized_operations = with_ops ? TOPIC_ALL_OPS : INT32_MIN;
    rt->partitions.n = t->npart;
    rt->partitions.v = arena_calloc(&r->arena, (size_t)t->npart * sizeof *rt->partitions.v + 1);
    for (int32_t i = 0; i < t->npart; i++) {
        struct metadata_resp_partition *p = &rt->partitions.v[i];
        p->partition_index = i;
        p->leader_id = b->cfg.node_id;
        p->leader_epoch = 0;
        int32_t *node = arena_alloc(&r->arena, sizeof *node);
        *node = b->cfg.node_id;
        p->replica_nodes.v = node;
        p->replica_nodes.n = 1;
        p->isr_nodes.v = node;
        p->isr_nodes.n = 1;
        p->offline_replicas.n = 0;
    }
}

int h_metadata(struct broker *b, struct req *r) {
    struct metadata_req *q = r->body;
    int ver = r->hdr.api_version;
    struct metadata_resp resp = {0};
    struct metadata_resp_broker *br = arena_calloc(&r->arena, sizeof *br);
    br->node_id = b->cfg.node_id;
    br->host = (struct wstr){b->adv_host, (int32_t)strlen(b->adv_host)};
    br->port = b->adv_port;
    resp.brokers.v = br;
    resp.brokers.n = 1;
    resp.cluster_id = (struct wstr){b->cluster_id, (int32_t)strlen(b->cluster_id)};
    resp.controller_id = b->cfg.node_id;
    resp.cluster_authorized_operations = q->include_cluster_authorized_operations ? CLUSTER_ALL_OPS : INT32_MIN;
    int with_ops = q->include_topic_authorized_operations;
    int all = q->topics.n < 0 || (ver == 0 && q->topics.n == 0);
    if (all) {
        int n = (int)b->topics.n;
        resp.topics.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.topics.v + 1);
        size_t it = 0;
        void *v;
        while (hmap_next(&b->topics, &it, NULL, NULL, &v)) fill_topic(b, r, &resp.topics.v[resp.topics.n++], v, with_ops);
    } else {
        int n = q->topics.n;
        int auto_create = ver < 4 || q->allow_auto_topic_creation;
        resp.topics.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.topics.v + 1);
        resp.topics.n = n;
        for (int i = 0; i < n; i++) {
            struct metadata_req_topic *qt = &q->topics.v[i];
            struct metadata_resp_topic *rt = &resp.topics.v[i];
            rt->topic_authorized_operations = INT32_MIN;
            rt->name = qt->name;
            memcpy(rt->topic_id, qt->topic_id, 16);
            struct topic *t = NULL;
            if (!qt->name.p) { /* v10+: by topic id */
                t = topic_find_id(b, qt->topic_id);
                if (!t) {
                    rt->error_code = KERR_UNKNOWN_TOPIC_ID;
                    continue;
                }
            } else {
                char why[300];
                if (!topic_name_valid(qt->name.p, (size_t)qt->name.n, why, sizeof why)) {
                    rt->error_code = KERR_INVALID_TOPIC_EXCEPTION;
                    continue;
                }
                t = topic_find(b, qt->name.p, (size_t)qt->name.n);
                if (!t && auto_create) {
                    int16_t kerr = 0;
                    t = topic_auto_create(b, qt->name.p, (size_t)qt->name.n, &kerr);
                    if (!t) {
                        rt->error_code = kerr;
                        continue;
                    }
                }
                if (!t) {
                    rt->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                    continue;
                }
            }
            fill_topic(b, r, rt, t, with_ops);
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}
