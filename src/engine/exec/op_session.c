/* op_session: aggregation over session windows (session_window(ts, gap)).
 *
 * The one thing to know first: a session of a grouping key is the span
 * [first event, last event + gap); an event at t joins every session whose
 * span overlaps [t, t + gap), and sessions it bridges are merged (their
 * aggregate states combined with agg_merge). Each key keeps its sessions
 * sorted by start. Events are folded one at a time (sessions depend on
 * arrival order only through merging, which is order-independent).
 *
 * Emission follows the output mode as in op_aggregate: everything for batch
 * queries and complete mode; in append mode a session is emitted and evicted
 * once the watermark reaches its end (it can no longer grow). Update mode is
 * rejected by the streaming rules, as Spark does. Late events (at or below
 * the watermark) are dropped and counted.
 *
 * State store: an entry per session, key = the grouping key (rowcodec) and
 * the session start, value = end and the aggregate states. A session that is
 * merged away, evicted or whose start moves is written as a remove of its
 * old identity. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "engine/exec/op.h"
#include "engine/exec/rowcodec.h"
#include "engine/exec/rowset.h"
#include "engine/plan/plan.h"
#include "engine/state/store.h"

struct sess {
    int64_t start, end, updated;
    uint8_t *st; /* aggregate states, stride bytes */
};

struct slist {
    struct sess *v;
    uint32_t n, cap;
};

struct op_session {
    struct op base;
    struct expr **okeys;      /* grouping keys other than the session */
    uint32_t nok;
    uint32_t nkeys;           /* output keys (nok + 1) */
    int sess_key;             /* position of the session struct among the output keys */
    struct expr *time;
    int64_t gap;
    const struct lp_agg *aggs;
    uint32_t naggs;
    uint32_t stride, *offs;
    int wm_key;
    struct rowset keys;
    struct slist *lists;      /* per key id */
    uint32_t lists_cap;
    struct arena heap;        /* string state bytes */
    int64_t last_batch;
    struct buf removed;       /* identities written as removes: (u32 len, key bytes, i64 start)* */
};

static uint8_t *new_states(struct op_session *s) {
    uint8_t *st = malloc(s->stride ? s->stride : 1);
    if (!st) abort();
    for (uint32_t j = 0; j < s->naggs; j++) agg_init(&s->aggs[j].fn, st + s->offs[j]);
    return st;
}

static void ensure_lists(struct op_session *s, uint32_t n) {
    if (n <= s->lists_cap) return;
    uint32_t nc = s->lists_cap ? s->lists_cap : 64;
    while (nc < n) nc *= 2;
    s->lists = realloc(s->lists, nc * sizeof *s->lists);
    if (!s->lists) abort();
    memset(s->lists + s->lists_cap, 0, (nc - s->lists_cap) * sizeof *s->lists);
    s->lists_cap = nc;
}

static void note_removed(struct op_session *s, uint32_t key_id, int64_t start) {
    struct buf k = {0};
    rowc_encode(&k, s->keys.cols, s->nok, key_id);
    uint32_t len = (uint32_t)k.len;
    buf_append(&s->removed, &len, 4);
    if (k.len) buf_append(&s->removed, k.p, k.len);
    buf_append(&s->removed, &start, 8);
    buf_free(&k);
}

/* Inserts session x into list l at its sorted place. */
static struct sess *slist_insert(struct slist *l, struct sess x) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) abort();
    }
    uint32_t at = l->n;
    while (at > 0 && l->v[at - 1].start > x.start) at--;
    memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof *l->v);
    l->v[at] = x;
    l->n++;
    return &l->v[at];
}

/* The session event t of key id belongs to after merging; created if new. */
static struct sess *place(struct op_session *s, uint32_t id, int64_t t, int64_t batch) {
    struct slist *l = &s->lists[id];
    int64_t lo = t, hi = t + s->gap;
    uint32_t first = UINT32_MAX, last = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        if (l->v[i].start >= hi) break;
        if (l->v[i].end > lo) {
            if (first == UINT32_MAX) first = i;
            last = i;
        }
    }
    if (first == UINT32_MAX) {
        struct sess x = {lo, hi, batch, new_states(s)};
        return slist_insert(l, x);
    }
    struct sess *m = &l->v[first];
    if (lo < m->start) {
        note_removed(s, id, m->start);
        m->start = lo;
    }
    if (hi > m->end) m->end = hi;
    for (uint32_t i = first + 1; i <= last; i++) {
        struct sess *o = &l->v[i];
        for (uint32_t j = 0; j < s->naggs; j++) agg_merge(&s->aggs[j].fn, m->st + s->offs[j], o->st + s->offs[j], &s->heap);
        if (o->end > m->end) m->end = o->end;
        note_removed(s, id, o->start);
        free(o->st);
    }
    if (last > first) {
        memmove(&l->v[first + 1], &l->v[last + 1], (l->n - last - 1) * sizeof *l->v);
        l->n -= last - first;
    }
    m = &l->v[first];
    m->updated = batch;
    return m;
}

static int sess_push(struct op *o, struct run_ctx *rc, const struct batch *in) {
    struct op_session *s = (struct op_session *)o;
    struct arena *ar = rc->ex.arena;
    struct vec **kv = arena_alloc(ar, (s->nok ? s->nok : 1) * sizeof *kv);
    for (uint32_t j = 0; j < s->nok; j++) kv[j] = expr_eval(s->okeys[j], &rc->ex, in);
    const struct vec *tv = expr_eval(s->time, &rc->ex, in);
    const struct vec **av = arena_alloc(ar, (s->naggs ? s->naggs : 1) * sizeof *av);
    for (uint32_t j = 0; j < s->naggs; j++) av[j] = s->aggs[j].arg ? expr_eval(s->aggs[j].arg, &rc->ex, in) : NULL;
    uint32_t *sel = arena_alloc(ar, (in->nsel ? in->nsel : 1) * sizeof *sel), n = 0;
    int late_check = rc->streaming && s->wm_key >= 0 && rc->watermark_us != WM_NONE;
    for (uint32_t k = 0; k < in->nsel; k++) {
        uint32_t i = in->sel[k];
        if (!tv->valid[i]) continue; /* no event time: no session (Spark drops it) */
        if (late_check && vec_i64(tv)[i] <= rc->watermark_us) {
            o->stats.num_rows_dropped_by_watermark++;
            continue;
        }
        sel[n++] = i;
    }
    if (!n) return 0;
    uint64_t *h = arena_alloc(ar, n * sizeof *h);
    uint32_t *ids = arena_alloc(ar, n * sizeof *ids);
    rs_hash(kv, s->nok, sel, n, h);
    rs_find_or_add(&s->keys, kv, sel, n, h, ids, NULL);
    ensure_lists(s, s->keys.n);
    uint32_t zero = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = sel[k];
        struct sess *m = place(s, ids[k], vec_i64(tv)[i], rc->batch_id);
        for (uint32_t j = 0; j < s->naggs; j++) {
            if (s->aggs[j].distinct) continue; /* rejected on streams; batch distinct sessions are not supported */
            agg_update(&s->aggs[j].fn, m->st + s->offs[j], 0, &zero, av[j], &sel[k], 1, &s->heap);
        }
    }
    return 0;
}

static int emit(struct op_session *s, struct run_ctx *rc, bool append) {
    struct op *o = &s->base;
    struct batch *b = NULL;
    uint32_t m = 0;
    for (uint32_t id = 0; id < s->keys.n; id++) {
        struct slist *l = &s->lists[id];
        uint32_t keep = 0;
        for (uint32_t i = 0; i < l->n; i++) {
            struct sess *x = &l->v[i];
            bool out = !append || x->end <= rc->watermark_us;
            bool evict = append && out;
            if (out) {
                if (!b) b = batch_new(rc->ex.arena, o->schema, BATCH_CAP);
                uint32_t ko = 0;
                for (uint32_t c = 0; c < s->nkeys; c++) {
                    if ((int)c == s->sess_key) {
                        struct vec *w = b->cols[c];
                        vec_i64(w->child[0])[m] = x->start;
                        vec_i64(w->child[1])[m] = x->end;
                        w->valid[m] = w->child[0]->valid[m] = w->child[1]->valid[m] = 1;
                    } else {
                        vec_copy_row(b->cols[c], m, s->keys.cols[ko++], id, false);
                    }
                }
                for (uint32_t j = 0; j < s->naggs; j++) agg_final(&s->aggs[j].fn, x->st + s->offs[j], b->cols[s->nkeys + j], m);
                if (++m == BATCH_CAP) {
                    batch_set_rows(b, m);
                    int r = op_emit(o, rc, b);
                    if (r) return r;
                    b = NULL;
                    m = 0;
                }
            }
            if (evict) {
                note_removed(s, id, x->start);
                free(x->st);
                o->stats.num_rows_removed++;
            } else {
                l->v[keep++] = *x;
            }
        }
        l->n = keep;
    }
    if (b && m) {
        batch_set_rows(b, m);
        return op_emit(o, rc, b);
    }
    return 0;
}

static void clear_all(struct op_session *s) {
    for (uint32_t id = 0; id < s->keys.n; id++) {
        for (uint32_t i = 0; i < s->lists[id].n; i++) free(s->lists[id].v[i].st);
        free(s->lists[id].v);
    }
    free(s->lists);
    s->lists = NULL;
    s->lists_cap = 0;
    const struct ty *kt[256];
    for (uint32_t j = 0; j < s->nok && j < 256; j++) kt[j] = s->okeys[j]->type;
    rs_free(&s->keys);
    rs_init(&s->keys, kt, s->nok);
}

static int sess_finish(struct op *o, struct run_ctx *rc) {
    struct op_session *s = (struct op_session *)o;
    buf_clear(&s->removed);
    int r;
    uint64_t updated = 0, total = 0;
    for (uint32_t id = 0; id < s->keys.n; id++)
        for (uint32_t i = 0; i < s->lists[id].n; i++) updated += s->lists[id].v[i].updated == rc->batch_id;
    if (!rc->streaming || rc->mode == OUT_COMPLETE) r = emit(s, rc, false);
    else r = rc->watermark_us != WM_NONE && s->wm_key >= 0 ? emit(s, rc, true) : 0;
    if (!rc->streaming) clear_all(s);
    for (uint32_t id = 0; id < s->keys.n; id++) total += s->lists[id].n;
    s->last_batch = rc->batch_id;
    o->stats.num_rows_total = (int64_t)total;
    o->stats.num_rows_updated = (int64_t)updated;
    o->stats.memory_used_bytes = (int64_t)(rs_memory(&s->keys) + total * (sizeof(struct sess) + s->stride) + s->heap.total);
    return r ? r : op_finish_next(o, rc);
}

/* ---- state store ---- */

static int sess_state_write(struct op *o, struct sst_writer *w, int snapshot) {
    struct op_session *s = (struct op_session *)o;
    if (!snapshot)
        for (size_t at = 0; at + 4 <= s->removed.len;) {
            uint32_t len;
            memcpy(&len, s->removed.p + at, 4);
            sst_remove(w, s->removed.p + at + 4, len + 8);
            at += 4 + len + 8;
        }
    buf_clear(&s->removed);
    struct buf k = {0}, v = {0};
    for (uint32_t id = 0; id < s->keys.n; id++)
        for (uint32_t i = 0; i < s->lists[id].n; i++) {
            const struct sess *x = &s->lists[id].v[i];
            if (!snapshot && x->updated != s->last_batch) continue;
            buf_clear(&k);
            buf_clear(&v);
            rowc_encode(&k, s->keys.cols, s->nok, id);
            buf_append(&k, &x->start, 8);
            buf_append(&v, &x->end, 8);
            for (uint32_t j = 0; j < s->naggs; j++) agg_state_encode(&s->aggs[j].fn, x->st + s->offs[j], &v);
            sst_put(w, k.p, (uint32_t)k.len, v.p, (uint32_t)v.len);
        }
    buf_free(&k);
    buf_free(&v);
    return 0;
}

static int sess_state_apply(struct op *o, const struct sst_entry *e) {
    struct op_session *s = (struct op_session *)o;
    if (e->klen < 8) return WERR_CORRUPT;
    struct arena tmp;
    arena_init(&tmp, 4096);
    struct vec *kv[256];
    for (uint32_t j = 0; j < s->nok; j++) kv[j] = vec_new(&tmp, s->okeys[j]->type, 1);
    size_t at = 0;
    int rc = rowc_decode(e->key, e->klen - 8, &at, kv, s->nok, 0);
    if (!rc && at != e->klen - 8) rc = WERR_CORRUPT;
    if (!rc) {
        int64_t start;
        memcpy(&start, e->key + e->klen - 8, 8);
        uint32_t zero = 0, id;
        uint64_t h;
        rs_hash(kv, s->nok, &zero, 1, &h);
        rs_find_or_add(&s->keys, kv, &zero, 1, &h, &id, NULL);
        ensure_lists(s, s->keys.n);
        struct slist *l = &s->lists[id];
        for (uint32_t i = 0; i < l->n; i++) /* drop the old entry of that identity */
            if (l->v[i].start == start) {
                free(l->v[i].st);
                memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
                l->n--;
                break;
            }
        if (e->op == SST_PUT) {
            if (e->vlen < 8) rc = WERR_CORRUPT;
            struct sess x = {start, 0, -1, new_states(s)};
            size_t vat = 8;
            if (!rc) memcpy(&x.end, e->val, 8);
            for (uint32_t j = 0; j < s->naggs && !rc; j++)
                rc = agg_state_decode(&s->aggs[j].fn, e->val, e->vlen, &vat, x.st + s->offs[j], &s->heap);
            if (!rc && vat != e->vlen) rc = WERR_CORRUPT;
            if (rc) free(x.st);
            else slist_insert(l, x);
        }
    }
    arena_free(&tmp);
    return rc;
}

static void sess_free(struct op *o) {
    struct op_session *s = (struct op_session *)o;
    for (uint32_t id = 0; id < s->keys.n && s->lists; id++) {
        for (uint32_t i = 0; i < s->lists[id].n; i++) free(s->lists[id].v[i].st);
        free(s->lists[id].v);
    }
    free(s->lists);
    rs_free(&s->keys);
    arena_free(&s->heap);
    buf_free(&s->removed);
    free(s->okeys);
    free(s->offs);
    free(s);
}

static const struct op_vt sess_vt = {.name = "sessionWindowStateStoreSave", .push = sess_push, .finish = sess_finish,
                                     .free = sess_free, .state_write = sess_state_write, .state_apply = sess_state_apply};

struct op *op_session_new(const struct ty *schema, struct expr **keys, uint32_t nkeys, int sess_key, struct expr *time,
                          int64_t gap, const struct lp_agg *aggs, uint32_t naggs, int wm_key) {
    struct op_session *s = calloc(1, sizeof *s);
    s->base.vt = &sess_vt;
    s->base.schema = schema;
    s->base.stateful = true;
    s->nkeys = nkeys;
    s->sess_key = sess_key;
    s->time = time;
    s->gap = gap;
    s->aggs = aggs;
    s->naggs = naggs;
    s->wm_key = wm_key;
    s->okeys = malloc((nkeys ? nkeys : 1) * sizeof *s->okeys);
    const struct ty *kt[256];
    for (uint32_t j = 0; j < nkeys; j++) {
        if ((int)j == sess_key) continue;
        kt[s->nok] = keys[j]->type;
        s->okeys[s->nok++] = keys[j];
    }
    rs_init(&s->keys, kt, s->nok);
    s->offs = malloc((naggs ? naggs : 1) * sizeof *s->offs);
    for (uint32_t j = 0; j < naggs; j++) {
        s->offs[j] = s->stride;
        s->stride += (aggs[j].fn.state_size + 15) & ~15u;
    }
    arena_init(&s->heap, 1 << 14);
    return &s->base;
}
