/* cmd_group: `weir group list|describe|reset-offsets|delete`, as
 * kafka-consumer-groups does them, through librdkafka's Admin API
 * (ListConsumerGroups, DescribeConsumerGroups, ListConsumerGroupOffsets,
 * AlterConsumerGroupOffsets, DeleteGroups) plus watermark and
 * offsets-for-times queries for log-end offsets and reset targets.
 *
 * reset-offsets is a dry run unless --execute: it prints the plan (current
 * and new offset per partition) and changes nothing. Like Kafka's tool it
 * refuses a group with active members (the commit would be fenced or
 * overwritten by them). */
#include "cli/cli_apiver.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: weir group SUBCOMMAND [OPTIONS]\n\n"
            "  list                          consumer groups with their state\n"
            "  describe GROUP [GROUP ...]    per partition: GROUP TOPIC PARTITION CURRENT-OFFSET\n"
            "                                LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID; then the\n"
            "                                group's state and members\n"
            "  reset-offsets GROUP (--topic T[:P,P...] ... | --all-topics)\n"
            "                (--to-earliest | --to-latest | --to-offset N | --to-datetime T | --shift-by N)\n"
            "                [--execute]     prints the plan; changes offsets only with --execute\n"
            "  delete GROUP [GROUP ...]\n\n"
            "  --to-datetime takes ms since the epoch or 2024-05-01T12:00:00[.sss][Z|+02:00]\n"
            "common options: -b HOST:PORT (default localhost:9092), --command-config FILE, -X key=value,\n"
            "  --request-timeout-ms N, --output json, -v\n\n"
            "examples:\n"
            "  weir group list\n"
            "  weir group describe billing\n"
            "  weir group reset-offsets billing --topic orders --to-earliest            # dry run\n"
            "  weir group reset-offsets billing --topic orders:0,1 --to-offset 100 --execute\n"
            "  weir group reset-offsets billing --all-topics --to-datetime 2024-05-01T00:00:00Z --execute\n"
            "  weir group delete billing\n");
}

struct group_args {
    const char *sub;
    const char *names[64];
    int nnames;
    const char *topics[64];
    int ntopics, all_topics, execute;
    enum { TO_NONE, TO_EARLIEST, TO_LATEST, TO_OFFSET, TO_DATETIME, TO_SHIFT } to;
    int64_t to_val;
};

static const char *state_name(rd_kafka_consumer_group_state_t s) {
    return rd_kafka_consumer_group_state_name(s);
}

/* ---- list ---- */

static int group_list(struct cli *c, rd_kafka_t *rk) {
    if (cli_require_api(c, 16, "list groups")) return 1;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    rd_kafka_ListConsumerGroups(rk, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, "list groups");
    int rc = 1;
    if (ev) {
        const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(ev);
        size_t n, nerr;
        const rd_kafka_ConsumerGroupListing_t **gl = rd_kafka_ListConsumerGroups_result_valid(res, &n);
        const rd_kafka_error_t **errs = rd_kafka_ListConsumerGroups_result_errors(res, &nerr);
        if (nerr && !n) {
            cli_fail_err(c, "list groups", rd_kafka_error_code(errs[0]), rd_kafka_error_string(errs[0]));
        } else {
            size_t *ord = malloc(sizeof(size_t) * (n + 1));
            if (!ord) abort();
            for (size_t i = 0; i < n; i++)
                ord[i] = i;
            for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(rd_kafka_ConsumerGroupListing_group_id(gl[ord[j - 1]]),
                                                   rd_kafka_ConsumerGroupListing_group_id(gl[ord[j]])) > 0;
                     j--) {
                    size_t x = ord[j];
                    ord[j] = ord[j - 1], ord[j - 1] = x;
                }
            struct cli_table t;
            static const char *const hdr[] = {"GROUP", "STATE", "TYPE"};
            cli_table_init(&t, 3, hdr);
            struct buf b = {0};
            buf_putc(&b, '[');
            for (size_t k = 0; k < n; k++) {
                const rd_kafka_ConsumerGroupListing_t *g = gl[ord[k]];
                const char *st = state_name(rd_kafka_ConsumerGroupListing_state(g));
                const char *type =
                    rd_kafka_ConsumerGroupListing_is_simple_consumer_group(g) ? "simple" : "consumer";
                const char *row[] = {rd_kafka_ConsumerGroupListing_group_id(g), st, type};
                cli_table_row(&t, row);
                int first = 1;
                if (k) buf_putc(&b, ',');
                buf_putc(&b, '{');
                cli_json_key(&b, &first, "group");
                cli_json_str(&b, row[0]);
                cli_json_key(&b, &first, "state");
                cli_json_str(&b, st);
                cli_json_key(&b, &first, "type");
                cli_json_str(&b, type);
                buf_putc(&b, '}');
            }
            buf_putc(&b, ']');
            if (c->json)
                cli_json_emit(&b);
            else
                cli_table_print(&t, stdout);
            buf_free(&b);
            cli_table_free(&t);
            free(ord);
            rc = 0;
            if (nerr)
                rc = cli_fail_err(c, "list groups (some brokers)", rd_kafka_error_code(errs[0]),
                                  rd_kafka_error_string(errs[0]));
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* ---- shared: describe one group, list its committed offsets ---- */

/* DescribeConsumerGroups for one group; the event (caller destroys) with
 * *gd set, or NULL after an error was printed. */
static rd_kafka_event_t *describe_group(struct cli *c, rd_kafka_t *rk, const char *g,
                                        const rd_kafka_ConsumerGroupDescription_t **gd) {
    char what[400];
    snprintf(what, sizeof what, "describe group '%s'", g);
    if (cli_require_api(c, 15, what)) return NULL;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    const char *gs[1] = {g};
    rd_kafka_DescribeConsumerGroups(rk, gs, 1, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, what);
    if (ev) {
        size_t n;
        const rd_kafka_ConsumerGroupDescription_t **d = rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
        const rd_kafka_error_t *e = n ? rd_kafka_ConsumerGroupDescription_error(d[0]) : NULL;
        if (!n || e) {
            cli_fail_err(c, what, e ? rd_kafka_error_code(e) : RD_KAFKA_RESP_ERR__FAIL,
                         e ? rd_kafka_error_string(e) : "empty response");
            rd_kafka_event_destroy(ev);
            ev = NULL;
        } else {
            *gd = d[0];
        }
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    return ev;
}

/* The group's committed offsets (all partitions); a copy the caller
 * destroys, or NULL after an error was printed. */
static rd_kafka_topic_partition_list_t *committed_offsets(struct cli *c, rd_kafka_t *rk, const char *g) {
    char what[400];
    snprintf(what, sizeof what, "committed offsets of group '%s'", g);
    if (cli_require_api(c, 9, what)) return NULL;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(g, NULL);
    rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, what);
    rd_kafka_topic_partition_list_t *out = NULL;
    if (ev) {
        size_t n;
        const rd_kafka_group_result_t **gr = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
        const rd_kafka_error_t *e = n ? rd_kafka_group_result_error(gr[0]) : NULL;
        if (!n || e) {
            cli_fail_err(c, what, e ? rd_kafka_error_code(e) : RD_KAFKA_RESP_ERR__FAIL,
                         e ? rd_kafka_error_string(e) : "empty response");
        } else {
            const rd_kafka_topic_partition_list_t *p = rd_kafka_group_result_partitions(gr[0]);
            out = p ? rd_kafka_topic_partition_list_copy(p) : rd_kafka_topic_partition_list_new(0);
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    return out;
}

static int cmp_tp(const void *a, const void *b) {
    const rd_kafka_topic_partition_t *x = a, *y = b;
    int r = strcmp(x->topic, y->topic);
    return r ? r : (x->partition > y->partition) - (x->partition < y->partition);
}

/* ---- describe ---- */

struct owner {
    const char *consumer_id, *host, *client_id;
};

static int describe_one(struct cli *c, rd_kafka_t *rk, const char *g, struct buf *jb) {
    const rd_kafka_ConsumerGroupDescription_t *gd;
    rd_kafka_event_t *ev = describe_group(c, rk, g, &gd);
    if (!ev) return 1;
    rd_kafka_topic_partition_list_t *off = committed_offsets(c, rk, g);
    if (!off) {
        rd_kafka_event_destroy(ev);
        return 1;
    }
    rd_kafka_consumer_group_state_t st = rd_kafka_ConsumerGroupDescription_state(gd);
    size_t nmem = rd_kafka_ConsumerGroupDescription_member_count(gd);
    int rc = 0;
    /* partitions: committed ones plus those assigned without a commit */
    rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_copy(off);
    struct owner *own = NULL;
    for (size_t m = 0; m < nmem; m++) {
        const rd_kafka_MemberDescription_t *md = rd_kafka_ConsumerGroupDescription_member(gd, m);
        const rd_kafka_topic_partition_list_t *as =
            rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
        for (int i = 0; as && i < as->cnt; i++)
            if (!rd_kafka_topic_partition_list_find(all, as->elems[i].topic, as->elems[i].partition))
                rd_kafka_topic_partition_list_add(all, as->elems[i].topic, as->elems[i].partition)->offset =
                    RD_KAFKA_OFFSET_INVALID;
    }
    /* every partition of the topics the group touches, so a partition it
     * never committed for shows up too (with '-' as its offset and lag) */
    const struct rd_kafka_metadata *meta = NULL;
    if (all->cnt && rd_kafka_metadata(rk, 1, NULL, &meta, c->timeout_ms) == 0) {
        int n0 = all->cnt;
        for (int i = 0; i < n0; i++) {
            const char *tn = all->elems[i].topic;
            int seen = 0;
            for (int k = 0; k < i; k++)
                seen |= !strcmp(all->elems[k].topic, tn);
            const struct rd_kafka_metadata_topic *mt = seen ? NULL : cli_md_topic(meta, tn);
            for (int p = 0; mt && p < mt->partition_cnt; p++)
                if (!rd_kafka_topic_partition_list_find(all, tn, mt->partitions[p].id))
                    rd_kafka_topic_partition_list_add(all, tn, mt->partitions[p].id)->offset =
                        RD_KAFKA_OFFSET_INVALID;
        }
        rd_kafka_metadata_destroy(meta);
    }
    if ((st == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD || st == RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN) &&
        !all->cnt) {
        rc = cli_fail(c, "unknown group '%s' (no members, no committed offsets)", g);
        goto out;
    }
    qsort(all->elems, (size_t)all->cnt, sizeof all->elems[0], cmp_tp);
    own = calloc((size_t)all->cnt + 1, sizeof *own);
    if (!own) abort();
    for (size_t m = 0; m < nmem; m++) {
        const rd_kafka_MemberDescription_t *md = rd_kafka_ConsumerGroupDescription_member(gd, m);
        const rd_kafka_topic_partition_list_t *as =
            rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
        for (int i = 0; as && i < as->cnt; i++)
            for (int k = 0; k < all->cnt; k++)
                if (all->elems[k].partition == as->elems[i].partition &&
                    !strcmp(all->elems[k].topic, as->elems[i].topic)) {
                    own[k].consumer_id = rd_kafka_MemberDescription_consumer_id(md);
                    own[k].host = rd_kafka_MemberDescription_host(md);
                    own[k].client_id = rd_kafka_MemberDescription_client_id(md);
                }
    }
    struct cli_table t;
    static const char *const hdr[] = {"GROUP", "TOPIC",       "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
                                      "LAG",   "CONSUMER-ID", "HOST",      "CLIENT-ID"};
    cli_table_init(&t, 9, hdr);
    const rd_kafka_Node_t *coord = rd_kafka_ConsumerGroupDescription_coordinator(gd);
    int first = 1;
    buf_putc(jb, '{');
    cli_json_key(jb, &first, "group");
    cli_json_str(jb, g);
    cli_json_key(jb, &first, "state");
    cli_json_str(jb, state_name(st));
    cli_json_key(jb, &first, "assignor");
    cli_json_str(jb, rd_kafka_ConsumerGroupDescription_partition_assignor(gd));
    cli_json_key(jb, &first, "coordinator");
    if (coord)
        buf_printf(jb, "{\"id\":%d,\"host\":\"%s\",\"port\":%u}", rd_kafka_Node_id(coord),
                   rd_kafka_Node_host(coord), (unsigned)rd_kafka_Node_port(coord));
    else
        buf_append(jb, "null", 4);
    cli_json_key(jb, &first, "offsets");
    buf_putc(jb, '[');
    for (int k = 0; k < all->cnt; k++) {
        const rd_kafka_topic_partition_t *tp = &all->elems[k];
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk, tp->topic, tp->partition, &lo, &hi, c->timeout_ms);
        char sp[16], scur[24], send[24], slag[24];
        snprintf(sp, sizeof sp, "%d", tp->partition);
        int has_cur = tp->offset >= 0, has_end = !e;
        if (has_cur)
            snprintf(scur, sizeof scur, "%lld", (long long)tp->offset);
        else
            scur[0] = 0;
        if (has_end)
            snprintf(send, sizeof send, "%lld", (long long)hi);
        else
            send[0] = 0;
        long long lag = has_cur && has_end ? (long long)(hi - tp->offset) : 0;
        if (lag < 0) lag = 0;
        if (has_cur && has_end)
            snprintf(slag, sizeof slag, "%lld", lag);
        else
            slag[0] = 0;
        const char *row[] = {g,           tp->topic,       sp, scur, send, slag, own[k].consumer_id,
                             own[k].host, own[k].client_id};
        cli_table_row(&t, row);
        int f2 = 1;
        if (k) buf_putc(jb, ',');
        buf_putc(jb, '{');
        cli_json_key(jb, &f2, "topic");
        cli_json_str(jb, tp->topic);
        cli_json_key(jb, &f2, "partition");
        buf_printf(jb, "%d", tp->partition);
        cli_json_key(jb, &f2, "current_offset");
        buf_printf(jb, "%s", has_cur ? scur : "null");
        cli_json_key(jb, &f2, "log_end_offset");
        buf_printf(jb, "%s", has_end ? send : "null");
        cli_json_key(jb, &f2, "lag");
        buf_printf(jb, "%s", has_cur && has_end ? slag : "null");
        cli_json_key(jb, &f2, "consumer_id");
        cli_json_str(jb, own[k].consumer_id);
        cli_json_key(jb, &f2, "host");
        cli_json_str(jb, own[k].host);
        cli_json_key(jb, &f2, "client_id");
        cli_json_str(jb, own[k].client_id);
        buf_putc(jb, '}');
    }
    buf_printf(jb, "],\"members\":[");
    struct cli_table mt;
    static const char *const mhdr[] = {"CONSUMER-ID", "HOST", "CLIENT-ID", "GROUP-INSTANCE-ID",
                                       "#PARTITIONS"};
    cli_table_init(&mt, 5, mhdr);
    for (size_t m = 0; m < nmem; m++) {
        const rd_kafka_MemberDescription_t *md = rd_kafka_ConsumerGroupDescription_member(gd, m);
        const rd_kafka_topic_partition_list_t *as =
            rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
        char np[16];
        snprintf(np, sizeof np, "%d", as ? as->cnt : 0);
        const char *row[] = {rd_kafka_MemberDescription_consumer_id(md), rd_kafka_MemberDescription_host(md),
                             rd_kafka_MemberDescription_client_id(md),
                             rd_kafka_MemberDescription_group_instance_id(md), np};
        cli_table_row(&mt, row);
        int f2 = 1;
        if (m) buf_putc(jb, ',');
        buf_putc(jb, '{');
        cli_json_key(jb, &f2, "consumer_id");
        cli_json_str(jb, row[0]);
        cli_json_key(jb, &f2, "host");
        cli_json_str(jb, row[1]);
        cli_json_key(jb, &f2, "client_id");
        cli_json_str(jb, row[2]);
        cli_json_key(jb, &f2, "group_instance_id");
        cli_json_str(jb, row[3]);
        cli_json_key(jb, &f2, "assignment");
        buf_putc(jb, '[');
        for (int i = 0; as && i < as->cnt; i++) {
            if (i) buf_putc(jb, ',');
            buf_putc(jb, '{');
            int f3 = 1;
            cli_json_key(jb, &f3, "topic");
            cli_json_str(jb, as->elems[i].topic);
            buf_printf(jb, ",\"partition\":%d}", as->elems[i].partition);
        }
        buf_printf(jb, "]}");
    }
    buf_printf(jb, "]}");
    if (!c->json) {
        cli_table_print(&t, stdout);
        printf("\ngroup %s: state %s, %zu member%s", g, state_name(st), nmem, nmem == 1 ? "" : "s");
        if (coord)
            printf(", coordinator %d (%s:%u)", rd_kafka_Node_id(coord), rd_kafka_Node_host(coord),
                   (unsigned)rd_kafka_Node_port(coord));
        const char *asg = rd_kafka_ConsumerGroupDescription_partition_assignor(gd);
        if (asg && *asg) printf(", assignor %s", asg);
        printf("\n");
        if (nmem) {
            printf("\n");
            cli_table_print(&mt, stdout);
        }
    }
    cli_table_free(&mt);
    cli_table_free(&t);
out:
    free(own);
    rd_kafka_topic_partition_list_destroy(all);
    rd_kafka_topic_partition_list_destroy(off);
    rd_kafka_event_destroy(ev);
    return rc;
}

static int group_describe(struct cli *c, rd_kafka_t *rk, struct group_args *a) {
    struct buf jb = {0};
    int rc = 0;
    if (c->json && a->nnames > 1) buf_putc(&jb, '[');
    for (int i = 0; i < a->nnames && !rc; i++) {
        if (i && !c->json) printf("\n");
        if (i && c->json) buf_putc(&jb, ',');
        rc = describe_one(c, rk, a->names[i], &jb);
    }
    if (c->json && a->nnames > 1) buf_putc(&jb, ']');
    if (!rc && c->json) cli_json_emit(&jb);
    buf_free(&jb);
    return rc;
}

/* ---- reset-offsets ---- */

static int add_topic_parts(struct cli *c, const struct rd_kafka_metadata *md, const char *spec,
                           rd_kafka_topic_partition_list_t *l) {
    char name[512];
    const char *colon = strchr(spec, ':');
    snprintf(name, sizeof name, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    const struct rd_kafka_metadata_topic *mt = cli_md_topic(md, name);
    if (!mt) return cli_fail(c, "unknown topic '%s'", name);
    if (!colon) {
        for (int i = 0; i < mt->partition_cnt; i++)
            rd_kafka_topic_partition_list_add(l, name, mt->partitions[i].id);
        return 0;
    }
    for (const char *p = colon + 1; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v >= mt->partition_cnt)
            return cli_fail(c, "--topic %s: topic '%s' has partitions 0 to %d", spec, name,
                            mt->partition_cnt - 1);
        rd_kafka_topic_partition_list_add(l, name, (int32_t)v);
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return cli_usage_error(c, "--topic wants TOPIC or TOPIC:P,P,..., got '%s'", spec);
    }
    return 0;
}

static int group_reset(struct cli *c, rd_kafka_t *rk, struct group_args *a) {
    const char *g = a->names[0];
    int rc = 1;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_partition_list_t *off = NULL, *plan = rd_kafka_topic_partition_list_new(16), *ts = NULL;
    rd_kafka_event_t *gev = NULL;
    const rd_kafka_ConsumerGroupDescription_t *gd;
    if (cli_metadata(c, rk, 1, &md)) goto out;
    if (!(gev = describe_group(c, rk, g, &gd))) goto out;
    rd_kafka_consumer_group_state_t st = rd_kafka_ConsumerGroupDescription_state(gd);
    size_t nmem = rd_kafka_ConsumerGroupDescription_member_count(gd);
    if (nmem > 0) {
        cli_fail(c, "group '%s' is %s with %zu active member%s; offsets can only be reset while it has none",
                 g, state_name(st), nmem, nmem == 1 ? "" : "s");
        goto out;
    }
    if (!(off = committed_offsets(c, rk, g))) goto out;
    if (a->all_topics) {
        for (int i = 0; i < off->cnt; i++)
            if (off->elems[i].offset >= 0)
                rd_kafka_topic_partition_list_add(plan, off->elems[i].topic, off->elems[i].partition);
        if (!plan->cnt) {
            cli_fail(c, "group '%s' has no committed offsets, so --all-topics names nothing", g);
            goto out;
        }
    } else {
        for (int i = 0; i < a->ntopics; i++)
            if (add_topic_parts(c, md, a->topics[i], plan)) goto out;
    }
    qsort(plan->elems, (size_t)plan->cnt, sizeof plan->elems[0], cmp_tp);
    if (a->to == TO_DATETIME) {
        ts = rd_kafka_topic_partition_list_copy(plan);
        for (int i = 0; i < ts->cnt; i++)
            ts->elems[i].offset = a->to_val;
        rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, ts, c->timeout_ms);
        if (e) {
            cli_fail_err(c, "offsets for --to-datetime", e, NULL);
            goto out;
        }
    }
    struct cli_table t;
    static const char *const hdr[] = {"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"};
    cli_table_init(&t, 5, hdr);
    struct buf jb = {0};
    int first = 1;
    buf_putc(&jb, '{');
    cli_json_key(&jb, &first, "group");
    cli_json_str(&jb, g);
    cli_json_key(&jb, &first, "executed");
    buf_printf(&jb, "%s,\"offsets\":[", a->execute ? "true" : "false");
    for (int i = 0; i < plan->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &plan->elems[i];
        int64_t lo, hi;
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk, tp->topic, tp->partition, &lo, &hi, c->timeout_ms);
        if (e) {
            char what[600];
            snprintf(what, sizeof what, "offsets of %s/%d", tp->topic, tp->partition);
            cli_fail_err(c, what, e, NULL);
            cli_table_free(&t);
            buf_free(&jb);
            goto out;
        }
        rd_kafka_topic_partition_t *cur = rd_kafka_topic_partition_list_find(off, tp->topic, tp->partition);
        int64_t curv = cur && cur->offset >= 0 ? cur->offset : -1, nv = lo;
        switch (a->to) {
        case TO_EARLIEST: nv = lo; break;
        case TO_LATEST: nv = hi; break;
        case TO_OFFSET: nv = a->to_val; break;
        case TO_SHIFT: nv = (curv >= 0 ? curv : lo) + a->to_val; break;
        case TO_DATETIME: {
            rd_kafka_topic_partition_t *x = rd_kafka_topic_partition_list_find(ts, tp->topic, tp->partition);
            nv = x && !x->err && x->offset >= 0 ? x->offset : hi;
            break;
        }
        default: break;
        }
        if (nv < lo) nv = lo;
        if (nv > hi) nv = hi;
        tp->offset = nv;
        char sp[16], sc[24], sn[24];
        snprintf(sp, sizeof sp, "%d", tp->partition);
        if (curv >= 0)
            snprintf(sc, sizeof sc, "%lld", (long long)curv);
        else
            sc[0] = 0;
        snprintf(sn, sizeof sn, "%lld", (long long)nv);
        const char *row[] = {g, tp->topic, sp, sc, sn};
        cli_table_row(&t, row);
        if (i) buf_putc(&jb, ',');
        buf_putc(&jb, '{');
        int f2 = 1;
        cli_json_key(&jb, &f2, "topic");
        cli_json_str(&jb, tp->topic);
        buf_printf(&jb, ",\"partition\":%d,\"current_offset\":%s,\"new_offset\":%lld}", tp->partition,
                   curv >= 0 ? sc : "null", (long long)nv);
    }
    buf_printf(&jb, "]}");
    rc = 0;
    if (a->execute) {
        char what[400];
        snprintf(what, sizeof what, "reset offsets of group '%s'", g);
        if (cli_require_api(c, 8, what)) {
            rc = 1;
        } else {
            rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
            rd_kafka_AdminOptions_t *o =
                cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
            rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(g, plan);
            rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, o, q);
            rd_kafka_event_t *ev = cli_admin_wait(c, q, what);
            if (!ev)
                rc = 1;
            else {
                size_t n;
                const rd_kafka_group_result_t **gr = rd_kafka_AlterConsumerGroupOffsets_result_groups(
                    rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
                const rd_kafka_error_t *e = n ? rd_kafka_group_result_error(gr[0]) : NULL;
                if (e) rc = cli_fail_err(c, what, rd_kafka_error_code(e), rd_kafka_error_string(e));
                const rd_kafka_topic_partition_list_t *rp =
                    n ? rd_kafka_group_result_partitions(gr[0]) : NULL;
                for (int i = 0; !rc && rp && i < rp->cnt; i++)
                    if (rp->elems[i].err) {
                        char w2[600];
                        snprintf(w2, sizeof w2, "%s (%s/%d)", what, rp->elems[i].topic,
                                 rp->elems[i].partition);
                        rc = cli_fail_err(c, w2, rp->elems[i].err, NULL);
                    }
                rd_kafka_event_destroy(ev);
            }
            rd_kafka_AlterConsumerGroupOffsets_destroy(req);
            rd_kafka_AdminOptions_destroy(o);
            rd_kafka_queue_destroy(q);
        }
    }
    if (!rc) {
        if (c->json)
            cli_json_emit(&jb);
        else {
            cli_table_print(&t, stdout);
            fflush(stdout);
            if (!a->execute)
                fprintf(stderr, "dry run: nothing changed; add --execute to reset these offsets\n");
        }
    }
    cli_table_free(&t);
    buf_free(&jb);
out:
    if (gev) rd_kafka_event_destroy(gev);
    if (md) rd_kafka_metadata_destroy(md);
    if (off) rd_kafka_topic_partition_list_destroy(off);
    if (ts) rd_kafka_topic_partition_list_destroy(ts);
    rd_kafka_topic_partition_list_destroy(plan);
    return rc;
}

/* ---- delete ---- */

static int group_delete(struct cli *c, rd_kafka_t *rk, struct group_args *a) {
    if (cli_require_api(c, 42, "delete groups")) return 1;
    rd_kafka_DeleteGroup_t *dg[64];
    for (int i = 0; i < a->nnames; i++)
        dg[i] = rd_kafka_DeleteGroup_new(a->names[i]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = cli_admin_options(c, rk, RD_KAFKA_ADMIN_OP_DELETEGROUPS);
    rd_kafka_DeleteGroups(rk, dg, (size_t)a->nnames, o, q);
    rd_kafka_event_t *ev = cli_admin_wait(c, q, "delete groups");
    int rc = 0;
    if (!ev)
        rc = 1;
    else {
        size_t n;
        const rd_kafka_group_result_t **gr =
            rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
        for (size_t i = 0; i < n; i++) {
            const char *name = rd_kafka_group_result_name(gr[i]);
            const rd_kafka_error_t *e = rd_kafka_group_result_error(gr[i]);
            if (!e) {
                if (c->json) {
                    struct buf jb = {0};
                    buf_append(&jb, "{\"group\":", 9);
                    cli_json_str(&jb, name);
                    buf_append(&jb, ",\"deleted\":true}", 16);
                    cli_json_emit(&jb);
                    buf_free(&jb);
                } else
                    printf("deleted group %s\n", name);
                continue;
            }
            rd_kafka_resp_err_t code = rd_kafka_error_code(e);
            if (code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
                rc = cli_fail(c, "unknown group '%s'", name);
            else if (code == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP)
                rc = cli_fail(c, "group '%s' has active members; stop them before deleting it", name);
            else {
                char what[400];
                snprintf(what, sizeof what, "delete group '%s'", name);
                rc = cli_fail_err(c, what, code, rd_kafka_error_string(e));
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_DeleteGroup_destroy_array(dg, (size_t)a->nnames);
    return rc;
}

int cmd_group(int argc, char **argv) {
    struct cli c;
    struct group_args a = {0};
    char prog[64] = "weir group";
    int rc = 1, nto = 0;
    cli_init(&c, prog);
    if (argc < 2) {
        usage(stderr);
        goto out;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        rc = 0;
        goto out;
    }
    static const char *const subs[] = {"list", "describe", "reset-offsets", "delete", NULL};
    if (!(a.sub = cli_subcommand(&c, argv[1], subs))) goto out;
    snprintf(prog, sizeof prog, "weir group %s", a.sub);
    for (int i = 2; i < argc; i++) {
        const char *v = NULL, *arg = argv[i];
        int r;
        long long n;
        if (cli_flag(arg, "-h", "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        if ((r = cli_common_opt(&c, argc, argv, &i)) != 0) {
            if (r < 0) goto out;
        } else if ((r = cli_opt(&c, argc, argv, &i, "-t", "--topic", &v)) != 0) {
            if (r < 0) goto out;
            if (a.ntopics < 64) a.topics[a.ntopics++] = v;
        } else if (!strcmp(arg, "--all-topics")) {
            a.all_topics = 1;
        } else if (!strcmp(arg, "--execute")) {
            a.execute = 1;
        } else if (!strcmp(arg, "--dry-run")) {
            a.execute = 0;
        } else if (!strcmp(arg, "--to-earliest")) {
            a.to = TO_EARLIEST, nto++;
        } else if (!strcmp(arg, "--to-latest")) {
            a.to = TO_LATEST, nto++;
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--to-offset", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--to-offset", v, 0, INT64_MAX, &n)) goto out;
            a.to = TO_OFFSET, a.to_val = n, nto++;
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--shift-by", &v)) != 0) {
            if (r < 0 || cli_int(&c, "--shift-by", v, INT64_MIN / 2, INT64_MAX / 2, &n)) goto out;
            a.to = TO_SHIFT, a.to_val = n, nto++;
        } else if ((r = cli_opt(&c, argc, argv, &i, NULL, "--to-datetime", &v)) != 0) {
            int64_t ms;
            if (r < 0) goto out;
            if (cli_parse_time(v, &ms)) {
                cli_usage_error(
                    &c, "--to-datetime wants ms since the epoch or an ISO 8601 date-time, got '%s'", v);
                goto out;
            }
            a.to = TO_DATETIME, a.to_val = ms, nto++;
        } else if (arg[0] == '-' && arg[1]) {
            cli_usage_error(&c, "unknown option '%s'", arg);
            goto out;
        } else {
            if (a.nnames == 64) {
                cli_usage_error(&c, "too many group names");
                goto out;
            }
            a.names[a.nnames++] = arg;
        }
    }
    if (!strcmp(a.sub, "list") && a.nnames) {
        cli_usage_error(&c, "unexpected argument '%s'", a.names[0]);
        goto out;
    }
    if (strcmp(a.sub, "list") && !a.nnames) {
        cli_usage_error(&c, "a group name is required");
        goto out;
    }
    if (!strcmp(a.sub, "reset-offsets")) {
        if (a.nnames > 1) {
            cli_usage_error(&c, "one group at a time");
            goto out;
        }
        if (nto != 1) {
            cli_usage_error(
                &c, "give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by");
            goto out;
        }
        if (!a.ntopics == !a.all_topics) {
            cli_usage_error(&c, "give --topic T (repeatable) or --all-topics");
            goto out;
        }
    }
    rd_kafka_conf_t *conf = cli_conf(&c, NULL);
    if (!conf) goto out;
    rd_kafka_t *rk = cli_client(&c, RD_KAFKA_PRODUCER, conf);
    if (!rk) goto out;
    /* a first metadata round trip: says "no broker reachable" plainly */
    const struct rd_kafka_metadata *md;
    if (cli_metadata(&c, rk, 0, &md) == 0) {
        rd_kafka_metadata_destroy(md);
        if (!strcmp(a.sub, "list"))
            rc = group_list(&c, rk);
        else if (!strcmp(a.sub, "describe"))
            rc = group_describe(&c, rk, &a);
        else if (!strcmp(a.sub, "reset-offsets"))
            rc = group_reset(&c, rk, &a);
        else
            rc = group_delete(&c, rk, &a);
    }
    fflush(stdout);
    rd_kafka_destroy(rk);
out:
    cli_free(&c);
    return rc;
}
