/* h_groups: FindCoordinator (key 10), ListGroups (16), DescribeGroups (15)
 * and DeleteGroups (42): the group APIs that look at groups from outside.
 *
 * FindCoordinator: this node coordinates every group and every
 * transactional id, so the answer is always this broker (its advertised
 * listener), for both key types, one key (v0-3) or a batch (v4+). */
#include "broker/group.h"

#include "common/log.h"
#include "wire/api_delete_groups.h"
#include "wire/api_describe_groups.h"
#include "wire/api_find_coordinator.h"
#include "wire/api_list_groups.h"
#include "wire/errors.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct wstr ws(const char *s) { return (struct wstr){s ? s : "", s ? (int32_t)strlen(s) : 0}; }

/* ---- FindCoordinator ---- */

int h_find_coordinator(struct broker *b, struct req *r) {
    struct find_coordinator_req *q = r->body;
    struct find_coordinator_resp resp = {0};
    int ver = r->hdr.api_version;
    int8_t type = ver >= 1 ? q->key_type : 0;
    int16_t err = type == 0 || type == 1 ? KERR_NONE : KERR_INVALID_REQUEST;
    if (ver < 4) {
        resp.error_code = err;
        resp.node_id = err ? -1 : b->cfg.node_id;
        resp.host = ws(err ? "" : b->adv_host);
        resp.port = err ? -1 : b->adv_port;
        resp.error_message = err ? ws("invalid key type") : (struct wstr){0};
        req_respond(r, &resp);
        return H_DONE;
    }
    int n = q->coordinator_keys.n > 0 ? q->coordinator_keys.n : 0;
    resp.coordinators.n = n;
    resp.coordinators.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.coordinators.v + 1);
    for (int i = 0; i < n; i++) {
        struct find_coordinator_resp_coordinator *c = &resp.coordinators.v[i];
        c->key = q->coordinator_keys.v[i];
        c->error_code = err;
        c->node_id = err ? -1 : b->cfg.node_id;
        c->host = ws(err ? "" : b->adv_host);
        c->port = err ? -1 : b->adv_port;
        if (err) c->error_message = ws("invalid key type");
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- ListGroups ---- */

static int filter_has(const struct wstr *v, int n, const char *s) {
    if (n <= 0) return 1; /* no filter */
    for (int i = 0; i < n; i++)
        if (v[i].p && (size_t)v[i].n == strlen(s) && !strncasecmp(v[i].p, s, (size_t)v[i].n)) return 1;
    return 0;
}

int h_list_groups(struct broker *b, struct req *r) {
    struct list_groups_req *q = r->body;
    struct list_groups_resp resp = {0};
    int ver = r->hdr.api_version;
    size_t cap = b->grp ? b->grp->groups.n : 0;
    resp.groups.v = arena_calloc(&r->arena, cap * sizeof *resp.groups.v + 1);
    size_t it = 0;
    void *v;
    while (b->grp && hmap_next(&b->grp->groups, &it, NULL, NULL, &v)) {
        struct group *g = v;
        if (g->state == GRP_DEAD) continue;
        if (ver >= 4 && !filter_has(q->states_filter.v, q->states_filter.n, grp_state_name(g->state))) continue;
        if (ver >= 5 && !filter_has(q->types_filter.v, q->types_filter.n, "classic")) continue;
        struct list_groups_resp_group *out = &resp.groups.v[resp.groups.n++];
        out->group_id = ws(g->id);
        out->protocol_type = ws(g->protocol_type);
        out->group_state = ws(grp_state_name(g->state));
        out->group_type = ws("classic");
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- DescribeGroups ---- */

int h_describe_groups(struct broker *b, struct req *r) {
    struct describe_groups_req *q = r->body;
    struct describe_groups_resp resp = {0};
    int n = q->groups.n > 0 ? q->groups.n : 0;
    resp.groups.n = n;
    resp.groups.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.groups.v + 1);
    for (int i = 0; i < n; i++) {
        struct wstr id = q->groups.v[i];
        struct describe_groups_resp_group *out = &resp.groups.v[i];
        out->group_id = id;
        out->authorized_operations = INT32_MIN;
        struct group *g = id.p ? grp_find(b, id.p, (size_t)id.n) : NULL;
        if (!g) {
            out->group_state = ws("Dead");
            out->protocol_type = ws("");
            out->protocol_data = ws("");
            continue;
        }
        int stable = g->state == GRP_STABLE;
        out->group_state = ws(grp_state_name(g->state));
        out->protocol_type = ws(g->protocol_type);
        out->protocol_data = ws(stable ? g->protocol : "");
        out->members.v = arena_calloc(&r->arena, (size_t)g->nmembers * sizeof *out->members.v + 1);
        for (struct grp_member *m = g->members; m; m = m->next) {
            struct describe_groups_resp_member *om = &out->members.v[out->members.n++];
            om->member_id = ws(m->id);
            om->group_instance_id = m->instance_id ? ws(m->instance_id) : (struct wstr){0};
            om->client_id = ws(m->client_id);
            om->client_host = ws(m->client_host);
            const struct grp_protocol *p = stable ? grp_member_protocol(m, g->protocol) : NULL;
            om->member_metadata = (struct wbytes){p ? p->meta : (const uint8_t *)"", p ? p->len : 0};
            om->member_assignment = (struct wbytes){stable && m->assignment ? m->assignment : (const uint8_t *)"",
                                                    stable ? m->assignment_len : 0};
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* ---- DeleteGroups ---- */

int h_delete_groups(struct broker *b, struct req *r) {
    struct delete_groups_req *q = r->body;
    struct delete_groups_resp resp = {0};
    int n = q->groups_names.n > 0 ? q->groups_names.n : 0;
    resp.results.n = n;
    resp.results.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.results.v + 1);
    struct grp_batch bt;
    grp_batch_init(&bt);
    int deleted = 0;
    for (int i = 0; i < n; i++) {
        struct wstr id = q->groups_names.v[i];
        struct delete_groups_resp_result *out = &resp.results.v[i];
        out->group_id = id;
        struct group *g = id.p ? grp_find(b, id.p, (size_t)id.n) : NULL;
        if (!id.p || !id.n) out->error_code = KERR_INVALID_GROUP_ID;
        else if (!g || g->state == GRP_DEAD) out->error_code = KERR_GROUP_ID_NOT_FOUND;
        else if (g->state != GRP_EMPTY || g->members) out->error_code = KERR_NON_EMPTY_GROUP;
        if (out->error_code) continue;
        size_t it = 0;
        const char *k;
        size_t kl;
        void *v;
        while (hmap_next(&g->offsets, &it, &k, &kl, &v))
            grp_batch_offset(&bt, g->id, k, kl - 5, (int32_t)be32_get((const uint8_t *)k + kl - 4), v, 1);
        grp_batch_group(&bt, g, 1);
        log_info("group %s: deleted", g->id);
        grp_remove(b, g);
        deleted++;
    }
    int16_t err = grp_batch_append(b, &bt, r);
    grp_batch_free(&bt);
    if (err)
        for (int i = 0; i < n; i++)
            if (!resp.results.v[i].error_code) resp.results.v[i].error_code = err;
    req_respond(r, &resp);
    return r->pending ? H_PARKED : H_DONE;
}
