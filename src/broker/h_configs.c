/* h_configs: DescribeConfigs (32), AlterConfigs (33) and
 * IncrementalAlterConfigs (44) for topics (resource type 2) and, for
 * describe only, this broker (resource type 4). Each value reports its
 * source: a topic override (DYNAMIC_TOPIC_CONFIG), the broker's
 * server.properties (STATIC_BROKER_CONFIG) or the default (DEFAULT_CONFIG),
 * with the synonyms chain when asked for. Broker settings are static: they
 * cannot be altered at run time. */
#include "broker/core.h"
#include "broker/topics.h"

#include "wire/api_alter_configs.h"
#include "wire/api_describe_configs.h"
#include "wire/api_incremental_alter_configs.h"
#include "wire/errors.h"

#include <stdio.h>
#include <stdlib.h>

enum { RES_TOPIC = 2, RES_BROKER = 4 };
/* DescribeConfigs config types (v3+). */
static int8_t cfg_type_code(enum cfg_type t) {
    switch (t) {
    case CFG_BOOL: return 1;
    case CFG_STRING: return 2;
    case CFG_INT: return 3;
    case CFG_LONG: return 5;
    case CFG_DOUBLE: return 6;
    case CFG_LIST: return 7;
    }
    return 0;
}

static struct wstr adup(struct req *r, const char *s) {
    return s ? wstr_c(arena_strndup(&r->arena, s, strlen(s))) : (struct wstr){NULL, 0};
}

static int wanted(const struct describe_configs_req_resource *res, const char *name) {
    if (res->configuration_keys.n < 0) return 1;
    for (int i = 0; i < res->configuration_keys.n; i++) {
        struct wstr k = res->configuration_keys.v[i];
        if (k.p && (size_t)k.n == strlen(name) && !memcmp(k.p, name, (size_t)k.n)) return 1;
    }
    return 0;
}

static void add_synonym(struct req *r, struct describe_configs_resp_config *c, const char *name, const char *value,
                        int8_t src) {
    struct describe_configs_resp_synonym *s = &c->synonyms.v[c->synonyms.n++];
    s->name = adup(r, name);
    s->value = adup(r, value);
    s->source = src;
}

static void describe_topic(struct broker *b, struct req *r, struct describe_configs_req *q,
                           struct describe_configs_req_resource *res, struct describe_configs_resp_result *out,
                           struct topic *t) {
    int n;
    const struct topic_cfg_def *defs = topic_cfg_defs(&n);
    out->configs.v = arena_calloc(&r->arena, (size_t)n * sizeof *out->configs.v);
    for (int i = 0; i < n; i++) {
        if (!wanted(res, defs[i].name)) continue;
        enum cfg_source src;
        const char *v = topic_cfg_value(&b->cfg, &t->overrides, defs[i].name, &src);
        struct describe_configs_resp_config *c = &out->configs.v[out->configs.n++];
        c->name = wstr_c(defs[i].name);
        c->value = adup(r, v);
        c->read_only = (int8_t)defs[i].read_only;
        c->is_default = src == CFG_SRC_DEFAULT;
        c->config_source = (int8_t)src;
        c->config_type = cfg_type_code(defs[i].type);
        c->synonyms.v = arena_calloc(&r->arena, 3 * sizeof *c->synonyms.v);
        if (q->include_synonyms) {
            const char *ov = props_get(&t->overrides, defs[i].name);
            if (ov) add_synonym(r, c, defs[i].name, ov, CFG_SRC_TOPIC);
            if (defs[i].broker_synonym) {
                char buf[64];
                enum cfg_source bs;
                const char *bv = broker_cfg_value(&b->cfg, defs[i].broker_synonym, buf, sizeof buf, &bs);
                if (bv && bs == CFG_SRC_STATIC_BROKER) add_synonym(r, c, defs[i].broker_synonym, bv, CFG_SRC_STATIC_BROKER);
                if (bv) add_synonym(r, c, defs[i].broker_synonym, bs == CFG_SRC_DEFAULT ? bv : defs[i].dflt, CFG_SRC_DEFAULT);
            } else {
                add_synonym(r, c, defs[i].name, defs[i].dflt, CFG_SRC_DEFAULT);
            }
        }
    }
}

static void describe_broker(struct broker *b, struct req *r, struct describe_configs_req_resource *res,
                            struct describe_configs_resp_result *out) {
    int n = 0;
    while (broker_cfg_key(n, NULL)) n++;
    out->configs.v = arena_calloc(&r->arena, (size_t)n * sizeof *out->configs.v);
    for (int i = 0; i < n; i++) {
        enum cfg_type type;
        const char *k = broker_cfg_key(i, &type);
        if (!wanted(res, k)) continue;
        char buf[64];
        enum cfg_source src;
        const char *v = broker_cfg_value(&b->cfg, k, buf, sizeof buf, &src);
        struct describe_configs_resp_config *c = &out->configs.v[out->configs.n++];
        c->name = wstr_c(k);
        c->value = adup(r, v && *v ? v : NULL);
        c->read_only = 1;
        c->is_default = src == CFG_SRC_DEFAULT;
        c->config_source = (int8_t)src;
        c->config_type = cfg_type_code(type);
        c->synonyms.n = 0;
    }
}

int h_describe_configs(struct broker *b, struct req *r) {
    struct describe_configs_req *q = r->body;
    struct describe_configs_resp resp = {0};
    int n = q->resources.n > 0 ? q->resources.n : 0;
    resp.results.n = n;
    resp.results.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.results.v + 1);
    for (int i = 0; i < n; i++) {
        struct describe_configs_req_resource *res = &q->resources.v[i];
        struct describe_configs_resp_result *out = &resp.results.v[i];
        out->resource_type = res->resource_type;
        out->resource_name = res->resource_name;
        char *name = wstr_dup(&r->arena, res->resource_name);
        if (res->resource_type == RES_TOPIC) {
            struct topic *t = topic_find(b, name, strlen(name));
            if (!t) {
                out->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
                out->error_message = adup(r, "The topic does not exist.");
                continue;
            }
            describe_topic(b, r, q, res, out, t);
        } else if (res->resource_type == RES_BROKER) {
            if (*name && atoi(name) != b->cfg.node_id) {
                out->error_code = KERR_INVALID_REQUEST;
                out->error_message = adup(r, "Unexpected broker id");
                continue;
            }
            describe_broker(b, r, res, out);
        } else {
            out->error_code = KERR_INVALID_REQUEST;
            out->error_message = adup(r, "Unsupported resource type");
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* Validates a whole new override set; 0 or a Kafka error with err filled. */
static int validate_set(const struct props *p, char *err, size_t errlen) {
    for (size_t i = 0; i < p->n; i++)
        if (topic_cfg_validate(p->v[i].key, p->v[i].value, err, errlen)) return KERR_INVALID_CONFIG;
    return 0;
}

/* The end of both alters: the new override set np (built unless code is
 * already an error) is validated and, unless validate_only, applied; np is
 * consumed. Returns the resource's error code. */
static int16_t apply_overrides(struct broker *b, struct topic *t, struct props *np, int validate_only, int16_t code,
                               char *err, size_t errlen) {
    if (!code) code = (int16_t)validate_set(np, err, errlen);
    if (!code && !validate_only) code = (int16_t)topic_set_overrides(b, t, np);
    props_free(np);
    return code;
}

/* Copies the current overrides, skipping superseded entries and deleted keys. */
static void copy_overrides(struct props *dst, const struct props *src) {
    for (size_t i = 0; i < src->n; i++)
        if (props_get(src, src->v[i].key) == src->v[i].value)
            props_set(dst, src->v[i].key, src->v[i].value, 0);
}

static int16_t resource_check(struct broker *b, int8_t type, const char *name, struct topic **t, char *err,
                              size_t errlen) {
    if (type == RES_TOPIC) {
        *t = topic_find(b, name, strlen(name));
        if (!*t) {
            snprintf(err, errlen, "The topic '%s' does not exist.", name);
            return KERR_UNKNOWN_TOPIC_OR_PARTITION;
        }
        return 0;
    }
    if (type == RES_BROKER) {
        snprintf(err, errlen, "Broker settings are static in weir: change server.properties and restart");
        return KERR_INVALID_REQUEST;
    }
    snprintf(err, errlen, "Unsupported resource type %d", type);
    return KERR_INVALID_REQUEST;
}

int h_alter_configs(struct broker *b, struct req *r) {
    struct alter_configs_req *q = r->body;
    struct alter_configs_resp resp = {0};
    int n = q->resources.n > 0 ? q->resources.n : 0;
    resp.responses.n = n;
    resp.responses.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.responses.v + 1);
    for (int i = 0; i < n; i++) {
        struct alter_configs_req_resource *res = &q->resources.v[i];
        struct alter_configs_resp_response *out = &resp.responses.v[i];
        out->resource_type = res->resource_type;
        out->resource_name = res->resource_name;
        char err[300] = "";
        struct topic *t = NULL;
        int16_t code = resource_check(b, res->resource_type, wstr_dup(&r->arena, res->resource_name), &t, err,
                                      sizeof err);
        struct props np = {0};
        for (int j = 0; j < res->configs.n && !code; j++) {
            struct alter_configs_req_config *c = &res->configs.v[j];
            if (!c->value.p) continue; /* null: back to the default */
            props_set(&np, wstr_dup(&r->arena, c->name), wstr_dup(&r->arena, c->value), 0);
        }
        code = apply_overrides(b, t, &np, q->validate_only, code, err, sizeof err);
        out->error_code = code;
        if (code) out->error_message = adup(r, err);
    }
    req_respond(r, &resp);
    return H_DONE;
}

/* List values (cleanup.policy): APPEND adds missing items, SUBTRACT removes. */
static char *list_edit(struct arena *a, const char *cur, const char *val, int append) {
    struct buf out = {0};
    char *curc = arena_strndup(a, cur ? cur : "", strlen(cur ? cur : ""));
    char *valc = arena_strndup(a, val, strlen(val));
    char *save = NULL;
    for (char *tok = strtok_r(curc, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int in_val = 0;
        char *s2 = NULL, *vcopy = arena_strndup(a, val, strlen(val));
        for (char *v = strtok_r(vcopy, ",", &s2); v; v = strtok_r(NULL, ",", &s2)) in_val |= !strcmp(v, tok);
        if (!append && in_val) continue;
        buf_printf(&out, "%s%s", out.len ? "," : "", tok);
    }
    if (append) {
        char *s3 = NULL;
        for (char *v = strtok_r(valc, ",", &s3); v; v = strtok_r(NULL, ",", &s3)) {
            char *probe = arena_printf(a, ",%.*s,", (int)out.len, out.p ? (char *)out.p : "");
            char *needle = arena_printf(a, ",%s,", v);
            if (!strstr(probe, needle)) buf_printf(&out, "%s%s", out.len ? "," : "", v);
        }
    }
    char *res = arena_strndup(a, out.p ? (char *)out.p : "", out.len);
    buf_free(&out);
    return res;
}

int h_incremental_alter_configs(struct broker *b, struct req *r) {
    struct incremental_alter_configs_req *q = r->body;
    struct incremental_alter_configs_resp resp = {0};
    int n = q->resources.n > 0 ? q->resources.n : 0;
    resp.responses.n = n;
    resp.responses.v = arena_calloc(&r->arena, (size_t)n * sizeof *resp.responses.v + 1);
    for (int i = 0; i < n; i++) {
        struct incremental_alter_configs_req_resource *res = &q->resources.v[i];
        struct incremental_alter_configs_resp_response *out = &resp.responses.v[i];
        out->resource_type = res->resource_type;
        out->resource_name = res->resource_name;
        char err[300] = "";
        struct topic *t = NULL;
        int16_t code = resource_check(b, res->resource_type, wstr_dup(&r->arena, res->resource_name), &t, err,
                                      sizeof err);
        struct props np = {0};
        if (!code) copy_overrides(&np, &t->overrides);
        for (int j = 0; j < res->configs.n && !code; j++) {
            struct incremental_alter_configs_req_config *c = &res->configs.v[j];
            char *k = wstr_dup(&r->arena, c->name);
            const struct topic_cfg_def *d = topic_cfg_find(k);
            if (!d) {
                code = KERR_INVALID_CONFIG;
                snprintf(err, sizeof err, "Unknown topic config name: %s", k);
                break;
            }
            const char *cur = topic_cfg_value(&b->cfg, &np, k, NULL);
            switch (c->config_operation) {
            case 0: /* SET */
                if (!c->value.p) {
                    code = KERR_INVALID_REQUEST;
                    snprintf(err, sizeof err, "Null value not supported for : %s", k);
                } else {
                    props_set(&np, k, wstr_dup(&r->arena, c->value), 0);
                }
                break;
            case 1: { /* DELETE: drop the override */
                struct props tmp = {0};
                for (size_t x = 0; x < np.n; x++)
                    if (strcmp(np.v[x].key, k) && props_get(&np, np.v[x].key) == np.v[x].value)
                        props_set(&tmp, np.v[x].key, np.v[x].value, 0);
                props_free(&np);
                np = tmp;
                break;
            }
            case 2: /* APPEND */
            case 3: /* SUBTRACT */
                if (d->type != CFG_LIST) {
                    code = KERR_INVALID_REQUEST;
                    snprintf(err, sizeof err, "Config value append/subtract is not allowed for config key %s "
                                              "(not a list)", k);
                } else {
                    props_set(&np, k, list_edit(&r->arena, cur, c->value.p ? wstr_dup(&r->arena, c->value) : "",
                                                c->config_operation == 2), 0);
                }
                break;
            default:
                code = KERR_INVALID_REQUEST;
                snprintf(err, sizeof err, "Unknown config operation %d", c->config_operation);
            }
        }
        code = apply_overrides(b, t, &np, q->validate_only, code, err, sizeof err);
        out->error_code = code;
        if (code) out->error_message = adup(r, err);
    }
    req_respond(r, &resp);
    return H_DONE;
}
