/* stream_rules: Spark's restrictions on streaming queries
 * (UnsupportedOperationChecker), checked before a query starts, with
 * Spark's wording:
 *   | query                                   | append | update | complete |
 *   | no aggregation                          |   ok   |   ok   |    no    |
 *   | aggregation on event time + watermark   |   ok   |   ok   |    ok    |
 *   | other aggregation                       |   no   |   ok   |    ok    |
 * plus: no DISTINCT aggregates, no LIMIT, ORDER BY only after an aggregation
 * in complete mode, one aggregation unless in append mode. (SELECT DISTINCT
 * is rejected by the binder, which knows where it was written.) */
#include <stdio.h>

#include "engine/exec/op.h"
#include "engine/plan/stream_rules.h"

struct walk {
    uint32_t naggs, nsort, nlimit, ndistinct, nssjoin;
    const struct lp *ssjoin;
    const struct lp *agg, *sort, *limit, *distinct;
    int sort_above_agg;
};

static void walk(const struct lp *n, struct walk *w, int below_sort) {
    if (!n->streaming) return;
    switch (n->kind) {
    case LP_AGGREGATE:
        w->naggs++;
        if (!w->agg) w->agg = n;
        for (uint32_t i = 0; i < n->naggs; i++)
            if (n->aggs[i].distinct && !w->distinct) w->distinct = n;
        if (below_sort) w->sort_above_agg = 1;
        break;
    case LP_SORT:
        w->nsort++;
        w->sort = n;
        below_sort = 1;
        break;
    case LP_LIMIT:
        w->nlimit++;
        w->limit = n;
        break;
    case LP_JOIN:
        if (n->stream_stream) {
            w->nssjoin++;
            w->ssjoin = n;
        }
        break;
    default: break;
    }
    if (n->child) walk(n->child, w, below_sort);
    for (uint32_t i = 0; i < n->ninputs; i++) walk(n->inputs[i], w, below_sort);
}

int stream_check(const struct lp *root, enum out_mode mode, uint32_t *pos, char *err, size_t errcap) {
    if (!root->streaming) return 0;
    struct walk w = {0};
    walk(root, &w, 0);
    *pos = root->pos;
    if (w.distinct) {
        *pos = w.distinct->pos;
        snprintf(err, errcap, "Distinct aggregations are not supported on streaming DataFrames/Datasets. "
                              "Consider using approx_count_distinct() instead.");
        return -1;
    }
    if (w.ssjoin && mode != OUT_APPEND) {
        *pos = w.ssjoin->pos;
        snprintf(err, errcap, "Join between two streaming DataFrames/Datasets is not supported in %s output mode, only in "
                              "Append output mode", mode == OUT_UPDATE ? "Update" : "Complete");
        return -1;
    }
    if (w.limit) {
        *pos = w.limit->pos;
        snprintf(err, errcap, "Limits are not supported on streaming DataFrames/Datasets");
        return -1;
    }
    if (w.sort && !(w.sort_above_agg && mode == OUT_COMPLETE)) {
        *pos = w.sort->pos;
        snprintf(err, errcap, "Sorting is not supported on streaming DataFrames/Datasets, unless it is on aggregated "
                              "DataFrame/Dataset in Complete output mode");
        return -1;
    }
    if (!w.naggs && mode == OUT_COMPLETE) {
        snprintf(err, errcap, "Complete output mode not supported when there are no streaming aggregations on streaming "
                              "DataFrames/Datasets");
        return -1;
    }
    if (w.naggs > 1 && mode != OUT_APPEND) {
        snprintf(err, errcap, "Multiple streaming aggregations are not supported with streaming DataFrames/Datasets "
                              "in %s output mode", mode == OUT_UPDATE ? "update" : "complete");
        return -1;
    }
    if (w.agg && w.agg->sess_key >= 0) {
        *pos = w.agg->pos;
        if (mode == OUT_UPDATE) {
            snprintf(err, errcap, "Update output mode is not supported for session window aggregations on streaming "
                                  "DataFrames/Datasets; use append or complete");
            return -1;
        }
        if (w.agg->nkeys < 2) {
            snprintf(err, errcap, "a streaming session window aggregation needs at least one grouping column besides "
                                  "session_window");
            return -1;
        }
    }
    if (w.naggs && mode == OUT_APPEND && w.agg->wm_col < 0) {
        *pos = w.agg->pos;
        snprintf(err, errcap, "Append output mode not supported when there are streaming aggregations on streaming "
                              "DataFrames/DataSets without watermark (group by an event-time column or window() on the "
                              "column that has the WATERMARK)");
        return -1;
    }
    return 0;
}

int stream_parse_mode(const char *s, enum out_mode *out) {
    if (!s) return -1;
    char low[16];
    size_t i = 0;
    for (; s[i] && i < sizeof low - 1; i++) low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    low[i] = 0;
    if (!strcmp(low, "append")) *out = OUT_APPEND;
    else if (!strcmp(low, "update")) *out = OUT_UPDATE;
    else if (!strcmp(low, "complete")) *out = OUT_COMPLETE;
    else return -1;
    return 0;
}
