/* kern_time: date and time functions over formats/datetime (UTC session
 * time zone). Datetime patterns given as constants are compiled once at bind
 * time; a pattern that comes from a column is compiled per row (rare).
 * Values that do not parse are NULL (Spark's non-ANSI to_timestamp). */
#include <stdlib.h>
#include <string.h>

#include "engine/exec/func.h"
#include "engine/exec/kernels.h"
#include "engine/formats/datetime.h"

#define KSIG const struct expr *e, struct ectx *cx, struct vec *const *a, const uint32_t *sel, uint32_t n, struct vec *out

static void pat_free(void *p) { dt_pattern_free(p); }

/* Compiles constant pattern args[i] into e->state (NULL if not constant). */
static int prepare_pattern(struct fbind *fb, uint32_t i, int for_parse) {
    const char *pat = fb_const_str(fb, i, NULL);
    if (!pat) {
        if (fb->args[i]->type->kind != TY_STRING && fb_cast(fb, i, ty_string())) return -1;
        return 0;
    }
    struct dt_pattern *p;
    char err[200];
    if (dt_pattern_compile(pat, strlen(pat), &p, err, sizeof err))
        return fb_fail(fb, (int)i, "invalid datetime pattern '%s': %s", pat, err);
    expr_res_add(fb->a, fb->res, pat_free, p);
    if (for_parse && !dt_pattern_can_parse(p))
        return fb_fail(fb, (int)i, "the datetime pattern '%s' can only be used for formatting", pat);
    fb->result->state = p;
    return 0;
}

/* The pattern for row i: the compiled constant, or compiled now (*tmp to free). */
static const struct dt_pattern *row_pattern(const struct expr *e, const struct vec *pv, uint32_t i, struct dt_pattern **tmp) {
    *tmp = NULL;
    if (e->state) return e->state;
    if (!pv->valid[i]) return NULL;
    struct vstr s = vec_str(pv)[i];
    if (dt_pattern_compile(s.p, s.len, tmp, NULL, 0)) return NULL;
    return *tmp;
}

/* Makes args[i] a TIMESTAMP (strings cast the Spark default way, dates at midnight). */
static int need_ts(struct fbind *fb, uint32_t i) {
    enum ty_kind k = fb->args[i]->type->kind;
    if (k == TY_TIMESTAMP) return 0;
    if (k == TY_STRING || k == TY_DATE || k == TY_NULL) {
        fb->args[i] = fb_cast_expr(fb->a, fb->args[i], ty_timestamp());
        return 0;
    }
    return fb_cast(fb, i, ty_timestamp());
}

/* ---- parsing ---- */

/* to_timestamp(str, fmt) / to_date(str, fmt) / unix_timestamp(str, fmt): op 0 ts, 1 date, 2 seconds */
static void k_parse(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct dt_pattern *tmp;
        const struct dt_pattern *p = row_pattern(e, a[1], i, &tmp);
        if (!p) continue;
        int64_t ts;
        struct vstr s = vec_str(a[0])[i];
        int rc = dt_parse(p, s.p, s.len, &ts);
        if (tmp) dt_pattern_free(tmp);
        if (rc) continue;
        if (e->op == 0) vec_i64(out)[i] = ts;
        else if (e->op == 1) vec_i32(out)[i] = dt_ts_to_date(ts);
        else vec_i64(out)[i] = dt_floordiv(ts, DT_US_PER_SEC);
        out->valid[i] = 1;
    }
}

static void k_ts_seconds(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        vec_i64(out)[i] = dt_floordiv(vec_i64(a[0])[i], DT_US_PER_SEC);
        out->valid[i] = 1;
    }
}

static int parse_hook(struct fbind *fb, int op) {
    const struct ty *rt = op == 0 ? ty_timestamp() : op == 1 ? ty_date() : ty_bigint();
    if (fb->nargs == 1) {
        /* no pattern: Spark's default cast */
        if (op == 2) {
            if (need_ts(fb, 0)) return -1;
            return fb_call(fb, rt, k_ts_seconds);
        }
        enum ty_kind k = fb->args[0]->type->kind;
        if (k != TY_STRING && k != TY_DATE && k != TY_TIMESTAMP && k != TY_NULL && fb_cast(fb, 0, ty_string())) return -1;
        fb->result = fb_cast_expr(fb->a, fb->args[0], rt);
        if (fb->result == fb->args[0]) fb->result = fb_cast_expr(fb->a, fb->args[0], rt);
        return 0;
    }
    enum ty_kind k = fb->args[0]->type->kind;
    if (k == TY_TIMESTAMP || k == TY_DATE) {
        /* already a datetime: the pattern is ignored, as in Spark */
        if (op == 2) {
            if (need_ts(fb, 0)) return -1;
            fb->nargs = 1;
            return fb_call(fb, rt, k_ts_seconds);
        }
        fb->result = fb_cast_expr(fb->a, fb->args[0], rt);
        return 0;
    }
    if (fb_cast(fb, 0, ty_string())) return -1;
    fb_call(fb, rt, k_parse);
    fb->result->op = op;
    return prepare_pattern(fb, 1, 1);
}

int fh_to_timestamp(struct fbind *fb) { return parse_hook(fb, 0); }
int fh_to_date(struct fbind *fb) { return parse_hook(fb, 1); }

static void k_now_seconds(KSIG) {
    (void)e; (void)a;
    for (uint32_t k = 0; k < n; k++) {
        vec_i64(out)[sel[k]] = dt_floordiv(cx->now_us, DT_US_PER_SEC);
        out->valid[sel[k]] = 1;
    }
}

int fh_unix_timestamp(struct fbind *fb) {
    if (fb->nargs == 0) return fb_call(fb, ty_bigint(), k_now_seconds);
    if (fb->nargs == 1 && fb->args[0]->type->kind == TY_STRING) {
        /* default pattern yyyy-MM-dd HH:mm:ss */
        struct expr *pat = expr_const_string(fb->a, "yyyy-MM-dd HH:mm:ss", 19);
        struct expr **args = arena_alloc(fb->a, 2 * sizeof *args);
        args[0] = fb->args[0];
        args[1] = pat;
        fb->args = args;
        fb->nargs = 2;
    }
    return parse_hook(fb, 2);
}

/* ---- formatting ---- */

/* date_format(ts, fmt) op 0; from_unixtime(sec, fmt) op 1 */
static void k_format(KSIG) {
    char tmpbuf[DT_FMT_MAX];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        struct dt_pattern *tmp;
        const struct dt_pattern *p = row_pattern(e, a[1], i, &tmp);
        if (!p) continue;
        int64_t ts = e->op == 0 ? vec_i64(a[0])[i] : (int64_t)((uint64_t)vec_i64(a[0])[i] * (uint64_t)DT_US_PER_SEC);
        int len = dt_format(p, ts, tmpbuf, sizeof tmpbuf);
        if (tmp) dt_pattern_free(tmp);
        if (len < 0) continue;
        char *s = arena_alloc(cx->arena, (size_t)len + 1);
        memcpy(s, tmpbuf, (size_t)len);
        vec_str(out)[i] = (struct vstr){s, (uint32_t)len};
        out->valid[i] = 1;
    }
}

int fh_date_format(struct fbind *fb) {
    if (need_ts(fb, 0)) return -1;
    fb_call(fb, ty_string(), k_format);
    fb->result->op = 0;
    return prepare_pattern(fb, 1, 0);
}

int fh_from_unixtime(struct fbind *fb) {
    if (fb_cast(fb, 0, ty_bigint())) return -1;
    if (fb->nargs == 1) {
        struct expr **args = arena_alloc(fb->a, 2 * sizeof *args);
        args[0] = fb->args[0];
        args[1] = expr_const_string(fb->a, "yyyy-MM-dd HH:mm:ss", 19);
        fb->args = args;
        fb->nargs = 2;
    }
    fb_call(fb, ty_string(), k_format);
    fb->result->op = 1;
    return prepare_pattern(fb, 1, 0);
}

/* ---- current time ---- */

static void k_now(KSIG) {
    (void)a;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (e->op) vec_i32(out)[i] = dt_ts_to_date(cx->now_us);
        else vec_i64(out)[i] = cx->now_us;
        out->valid[i] = 1;
    }
}

int fh_current_timestamp(struct fbind *fb) { return fb_call(fb, ty_timestamp(), k_now); }

int fh_current_date(struct fbind *fb) {
    fb_call(fb, ty_date(), k_now);
    fb->result->op = 1;
    return 0;
}

/* ---- fields ---- */

enum { F_YEAR, F_MONTH, F_DAY, F_HOUR, F_MINUTE, F_SECOND, F_DOW, F_DOY, F_QUARTER, F_WEEK };

static void k_field(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        int64_t ts = vec_i64(a[0])[i];
        int v = 0;
        switch (e->op) {
        case F_YEAR: v = dt_year(ts); break;
        case F_MONTH: v = dt_month(ts); break;
        case F_DAY: v = dt_dayofmonth(ts); break;
        case F_HOUR: v = dt_hour(ts); break;
        case F_MINUTE: v = dt_minute(ts); break;
        case F_SECOND: v = dt_second(ts); break;
        case F_DOW: v = dt_dayofweek(ts); break;
        case F_DOY: v = dt_dayofyear(ts); break;
        case F_QUARTER: v = dt_quarter(ts); break;
        case F_WEEK: v = dt_weekofyear(ts); break;
        }
        vec_i32(out)[i] = v;
        out->valid[i] = 1;
    }
}

static int field_hook(struct fbind *fb, int f) {
    if (need_ts(fb, 0)) return -1;
    fb_call(fb, ty_int(), k_field);
    fb->result->op = f;
    return 0;
}

int fh_year(struct fbind *fb) { return field_hook(fb, F_YEAR); }
int fh_month(struct fbind *fb) { return field_hook(fb, F_MONTH); }
int fh_dayofmonth(struct fbind *fb) { return field_hook(fb, F_DAY); }
int fh_hour(struct fbind *fb) { return field_hook(fb, F_HOUR); }
int fh_minute(struct fbind *fb) { return field_hook(fb, F_MINUTE); }
int fh_second(struct fbind *fb) { return field_hook(fb, F_SECOND); }
int fh_dayofweek(struct fbind *fb) { return field_hook(fb, F_DOW); }
int fh_dayofyear(struct fbind *fb) { return field_hook(fb, F_DOY); }
int fh_quarter(struct fbind *fb) { return field_hook(fb, F_QUARTER); }
int fh_weekofyear(struct fbind *fb) { return field_hook(fb, F_WEEK); }

/* ---- arithmetic on dates ---- */

static void k_trunc(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        int unit = e->op;
        if (unit < 0) {
            struct vstr u = vec_str(a[0])[i];
            unit = dt_unit_parse(u.p, u.len);
            if (unit < 0) continue;
        }
        vec_i64(out)[i] = dt_trunc(vec_i64(a[1])[i], (enum dt_unit)unit);
        out->valid[i] = 1;
    }
}

int fh_date_trunc(struct fbind *fb) {
    if (fb_cast(fb, 0, ty_string()) || need_ts(fb, 1)) return -1;
    fb_call(fb, ty_timestamp(), k_trunc);
    fb->result->op = -1;
    const char *u = fb_const_str(fb, 0, NULL);
    if (u) {
        int unit = dt_unit_parse(u, strlen(u));
        if (unit < 0) return fb_fail(fb, 0, "date_trunc: unknown unit '%s'", u);
        fb->result->op = unit;
    }
    return 0;
}

static void k_ts_from_seconds(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i]) continue;
        vec_i64(out)[i] = (int64_t)(vec_f64(a[0])[i] * 1e6);
        out->valid[i] = 1;
    }
}

int fh_timestamp_seconds(struct fbind *fb) {
    if (fb_cast(fb, 0, ty_double())) return -1;
    return fb_call(fb, ty_timestamp(), k_ts_from_seconds);
}

static void k_date_add(KSIG) {
    (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        int32_t d = vec_i32(a[0])[i], m = vec_i32(a[1])[i];
        vec_i32(out)[i] = (int32_t)((uint32_t)d + (uint32_t)(e->op ? -m : m));
        out->valid[i] = 1;
    }
}

static int date_add_hook(struct fbind *fb, int sub) {
    if (fb->args[0]->type->kind == TY_TIMESTAMP) fb->args[0] = fb_cast_expr(fb->a, fb->args[0], ty_date());
    if (fb_cast(fb, 0, ty_date()) || fb_cast(fb, 1, ty_int())) return -1;
    fb_call(fb, ty_date(), k_date_add);
    fb->result->op = sub;
    return 0;
}

int fh_date_add(struct fbind *fb) { return date_add_hook(fb, 0); }
int fh_date_sub(struct fbind *fb) { return date_add_hook(fb, 1); }

static void k_datediff(KSIG) {
    (void)e; (void)cx;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        if (!a[0]->valid[i] || !a[1]->valid[i]) continue;
        vec_i32(out)[i] = vec_i32(a[0])[i] - vec_i32(a[1])[i];
        out->valid[i] = 1;
    }
}

int fh_datediff(struct fbind *fb) {
    for (uint32_t i = 0; i < 2; i++) {
        if (fb->args[i]->type->kind == TY_TIMESTAMP) fb->args[i] = fb_cast_expr(fb->a, fb->args[i], ty_date());
        if (fb_cast(fb, i, ty_date())) return -1;
    }
    return fb_call(fb, ty_int(), k_datediff);
}
