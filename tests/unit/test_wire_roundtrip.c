/* Generic codec tests over every API weir has a schema for (served or not):
 *  - schema sanity (offsets inside the struct, tags unique and only in
 *    flexible versions, array element types set, nullable only where a
 *    null exists);
 *  - round trip: for every API, every version, request and response, fill
 *    the struct with seeded pseudo-random values (only fields on the wire in
 *    that version, nulls only where nullable), encode, decode, compare field
 *    by field walking the schema, re-encode and compare bytes;
 *  - every strict prefix of an encoded body fails to decode cleanly, with
 *    the offset and the field recorded. */
#include "test.h"

#include "common/arena.h"
#include "wire/api.h"
#include "wire/codec.h"

#include <stdlib.h>

const struct api_info *api_all_known(int *n); /* wire/api.c */

/* ---- deterministic pseudo-random values ---- */

static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static void rng_seed(uint64_t s) { rng_state = s * 0x9E3779B97F4A7C15ull + 1; }

/* ---- schema helpers (mirroring codec.c, which keeps its own static) ---- */

static size_t type_size(int t, const struct wschema *sub) {
    switch (t) {
    case WT_BOOL: case WT_I8: return 1;
    case WT_I16: case WT_U16: return 2;
    case WT_I32: case WT_U32: return 4;
    case WT_I64: case WT_F64: return 8;
    case WT_UUID: return 16;
    case WT_STR: return sizeof(struct wstr);
    case WT_BYTES: return sizeof(struct wbytes);
    case WT_RECORDS: return sizeof(struct wrecs);
    case WT_STRUCT: return sub->size;
    case WT_ARRAY: return sizeof(struct warr);
    }
    return 0;
}
static int in_ver(const struct wfield *f, int ver) { return ver >= f->vmin && ver <= f->vmax; }

static void set_int(void *p, int type, int64_t v) {
    switch (type) {
    case WT_BOOL: case WT_I8: *(int8_t *)p = (int8_t)v; break;
    case WT_I16: *(int16_t *)p = (int16_t)v; break;
    case WT_U16: *(uint16_t *)p = (uint16_t)v; break;
    case WT_I32: *(int32_t *)p = (int32_t)v; break;
    case WT_U32: *(uint32_t *)p = (uint32_t)v; break;
    case WT_I64: *(int64_t *)p = v; break;
    case WT_F64: *(double *)p = (double)v; break;
    }
}

static void defaults(const struct wschema *s, void *obj) {
    memset(obj, 0, s->size);
    for (int i = 0; i < s->nfields; i++) {
        const struct wfield *f = &s->f[i];
        char *p = (char *)obj + f->off;
        if (f->type == WT_STRUCT) defaults(f->sub, p);
        else if (f->type == WT_ARRAY) ((struct warr *)p)->n = (int32_t)f->def;
        else if (f->def) set_int(p, f->type, f->def);
    }
}

/* ---- filling ---- */

static void fill_struct(const struct wschema *s, int ver, void *obj, struct arena *a, int depth);

static void fill_value(const struct wfield *f, int type, int ver, void *p, struct arena *a, int depth) {
    int nullable = ver >= f->nullable_min;
    uint64_t x = rnd();
    int use_def = (x & 3) == 0; /* a quarter of the scalars take the default */
    switch (type) {
    case WT_BOOL: *(int8_t *)p = (int8_t)((x >> 8) & 1); break;
    case WT_I8: case WT_I16: case WT_U16: case WT_I32: case WT_U32: case WT_I64:
        set_int(p, type, use_def ? f->def : (int64_t)(rnd() >> (x >> 8 & 63)) * ((x & 4) ? -1 : 1));
        break;
    case WT_F64: {
        double d = use_def ? (double)f->def : (double)(int32_t)rnd() / 8.0;
        memcpy(p, &d, 8);
        break;
    }
    case WT_UUID:
        for (int i = 0; i < 16; i++) ((uint8_t *)p)[i] = use_def ? 0 : (uint8_t)rnd();
        break;
    case WT_STR: case WT_BYTES: case WT_RECORDS: {
        const uint8_t *d = NULL;
        int32_t n = 0;
        if (!(nullable && use_def)) {
            n = (int32_t)(rnd() % 12);
            uint8_t *b = arena_alloc(a, (size_t)n + 1);
            for (int32_t i = 0; i < n; i++) b[i] = type == WT_STR ? (uint8_t)('a' + rnd() % 26) : (uint8_t)rnd();
            d = b;
        }
        if (type == WT_STR) *(struct wstr *)p = (struct wstr){(const char *)d, n};
        else if (type == WT_BYTES) *(struct wbytes *)p = (struct wbytes){d, n};
        else *(struct wrecs *)p = (struct wrecs){.p = d, .n = n, .fd = -1};
        break;
    }
    case WT_STRUCT: fill_struct(f->sub, ver, p, a, depth + 1); break;
    case WT_ARRAY: {
        struct warr *arr = p;
        if (nullable && (x & 7) == 1) {
            *arr = (struct warr){NULL, -1};
            break;
        }
        int32_t n = depth > 4 ? 0 : (int32_t)(rnd() % 4);
        size_t es = type_size(f->elem, f->sub);
        arr->n = n;
        arr->v = n ? arena_calloc(a, (size_t)n * es) : NULL;
        for (int32_t i = 0; i < n; i++) {
            char *ep = (char *)arr->v + (size_t)i * es;
            if (f->elem == WT_STRUCT) {
                defaults(f->sub, ep);
                fill_struct(f->sub, ver, ep, a, depth + 1);
            } else {
                fill_value(f, f->elem, ver, ep, a, depth + 1);
            }
        }
        break;
    }
    }
}

static void fill_struct(const struct wschema *s, int ver, void *obj, struct arena *a, int depth) {
    for (int i = 0; i < s->nfields; i++) {
        const struct wfield *f = &s->f[i];
        if (in_ver(f, ver)) fill_value(f, f->type, ver, (char *)obj + f->off, a, depth);
    }
}

/* ---- comparing ---- */

static char diff_path[512];

static int cmp_struct(const struct wschema *s, const void *x, const void *y);

static int cmp_value(const struct wfield *f, int type, const void *x, const void *y) {
    switch (type) {
    case WT_STR: case WT_BYTES: case WT_RECORDS: {
        const void *px, *py;
        int32_t nx, ny;
        if (type == WT_STR) {
            px = ((const struct wstr *)x)->p, nx = ((const struct wstr *)x)->n;
            py = ((const struct wstr *)y)->p, ny = ((const struct wstr *)y)->n;
        } else if (type == WT_BYTES) {
            px = ((const struct wbytes *)x)->p, nx = ((const struct wbytes *)x)->n;
            py = ((const struct wbytes *)y)->p, ny = ((const struct wbytes *)y)->n;
        } else {
            px = ((const struct wrecs *)x)->p, nx = ((const struct wrecs *)x)->n;
            py = ((const struct wrecs *)y)->p, ny = ((const struct wrecs *)y)->n;
        }
        if (!px != !py || nx != ny) return 1;
        return nx && memcmp(px, py, (size_t)nx);
    }
    case WT_STRUCT: return cmp_struct(f->sub, x, y);
    case WT_ARRAY: {
        const struct warr *ax = x, *ay = y;
        if (ax->n != ay->n) return 1;
        size_t es = type_size(f->elem, f->sub);
        for (int32_t i = 0; i < ax->n; i++) {
            const char *ex = (const char *)ax->v + (size_t)i * es, *ey = (const char *)ay->v + (size_t)i * es;
            if (f->elem == WT_STRUCT ? cmp_struct(f->sub, ex, ey) : cmp_value(f, f->elem, ex, ey)) return 1;
        }
        return 0;
    }
    default: return memcmp(x, y, type_size(type, NULL)) != 0;
    }
}

/* Compares every field (also those absent in the version: both sides must
 * hold the default). Records the path of the first difference. */
static int cmp_struct(const struct wschema *s, const void *x, const void *y) {
    for (int i = 0; i < s->nfields; i++) {
        const struct wfield *f = &s->f[i];
        if (cmp_value(f, f->type, (const char *)x + f->off, (const char *)y + f->off)) {
            char tmp[1200];
            snprintf(tmp, sizeof tmp, "%.200s.%.200s%s%.500s", s->name, f->name, diff_path[0] ? " > " : "", diff_path);
            snprintf(diff_path, sizeof diff_path, "%.500s", tmp);
            return 1;
        }
    }
    return 0;
}

/* ---- schema sanity ---- */

static int check_schema(const struct wschema *s, const char *api, int flex_ver, int depth) {
    int bad = 0;
    if (depth >= 8) return 1;
    for (int i = 0; i < s->nfields; i++) {
        const struct wfield *f = &s->f[i];
        size_t sz = type_size(f->type, f->sub);
        if (f->off + sz > s->size) test_fail(__FILE__, __LINE__, "%s %s.%s: outside the struct", api, s->name, f->name), bad++;
        if (f->vmin > f->vmax) test_fail(__FILE__, __LINE__, "%s %s.%s: empty version range", api, s->name, f->name), bad++;
        if (f->tag >= 0 && f->vmin < flex_ver)
            test_fail(__FILE__, __LINE__, "%s %s.%s: tagged before the first flexible version", api, s->name, f->name), bad++;
        if (f->nullable_min != WV_MAX && f->type != WT_STR && f->type != WT_BYTES && f->type != WT_RECORDS &&
            f->type != WT_ARRAY)
            test_fail(__FILE__, __LINE__, "%s %s.%s: nullable scalar", api, s->name, f->name), bad++;
        if ((f->type == WT_STRUCT || (f->type == WT_ARRAY && f->elem == WT_STRUCT)) && !f->sub)
            test_fail(__FILE__, __LINE__, "%s %s.%s: no sub-schema", api, s->name, f->name), bad++;
        if (f->type == WT_ARRAY && (f->elem < WT_BOOL || f->elem > WT_STRUCT))
            test_fail(__FILE__, __LINE__, "%s %s.%s: array without element type", api, s->name, f->name), bad++;
        for (int j = 0; j < i; j++) {
            const struct wfield *g = &s->f[j];
            if (f->tag >= 0 && g->tag == f->tag && f->vmin <= g->vmax && g->vmin <= f->vmax)
                test_fail(__FILE__, __LINE__, "%s %s.%s: tag %d used twice", api, s->name, f->name, f->tag), bad++;
            if (!strcmp(f->name, g->name) && f->vmin <= g->vmax && g->vmin <= f->vmax)
                test_fail(__FILE__, __LINE__, "%s %s.%s: field twice", api, s->name, f->name), bad++;
        }
        if (f->sub) bad += check_schema(f->sub, api, flex_ver, depth + 1);
    }
    return bad;
}

TEST(wire_schemas_sane) {
    int n;
    const struct api_info *all = api_all_known(&n);
    CHECK(n >= 5);
    for (int i = 0; i < n; i++) {
        const struct api_info *a = &all[i];
        CHECK(a->name && a->req && a->resp);
        CHECK(a->min_ver >= 0 && a->min_ver <= a->max_ver);
        CHECK(a->flex_ver >= 0);
        check_schema(a->req, a->name, a->flex_ver, 0);
        check_schema(a->resp, a->name, a->flex_ver, 0);
        for (int j = 0; j < i; j++) CHECK(all[j].key < a->key); /* ApiKey order, no duplicates */
        const struct api_info *l = api_lookup(a->key);
        REQUIRE(l != NULL);
        CHECK(l->max_ver == a->max_ver || l->max_ver == -1);
        CHECK_STR(l->name, a->name);
    }
    CHECK(api_lookup(1000) == NULL);
    CHECK(api_lookup(-1) == NULL);
}

/* ---- round trip ---- */

static int roundtrip_one(const struct api_info *a, const struct wschema *s, int ver, uint64_t seed, int truncations,
                         long *nbytes) {
    int flex = api_is_flex(a, ver), bad = 0;
    struct arena ar;
    arena_init(&ar, 4096);
    rng_seed(seed);
    void *x = arena_calloc(&ar, s->size), *y = arena_calloc(&ar, s->size);
    defaults(s, x);
    fill_struct(s, ver, x, &ar, 0);
    struct wout w1 = {0}, w2 = {0};
    wencode(s, ver, flex, x, &w1);
    *nbytes += (long)w1.b.len;
    struct wrd r;
    wrd_init(&r, w1.b.p, w1.b.len);
    int rc = wdecode(s, ver, flex, &r, y, &ar);
    diff_path[0] = 0;
    if (rc || r.p != r.end) {
        test_fail(__FILE__, __LINE__, "%s v%d %s seed %llu: decode failed at %zu (%s), %zu of %zu bytes", a->name, ver,
                  s->name, (unsigned long long)seed, r.err_off, r.err_what ? r.err_what : "?",
                  (size_t)(r.p - r.start), w1.b.len);
        bad = 1;
        goto out;
    }
    if (cmp_struct(s, x, y)) {
        test_fail(__FILE__, __LINE__, "%s v%d seed %llu: decoded value differs at %s", a->name, ver,
                  (unsigned long long)seed, diff_path);
        bad = 1;
    }
    wencode(s, ver, flex, y, &w2);
    if (w1.b.len != w2.b.len || (w1.b.len && memcmp(w1.b.p, w2.b.p, w1.b.len))) {
        test_fail(__FILE__, __LINE__, "%s v%d %s seed %llu: re-encoding differs", a->name, ver, s->name,
                  (unsigned long long)seed);
        bad = 1;
    }
    for (size_t cut = 0; truncations && cut < w1.b.len; cut++) {
        /* a copy of exactly cut bytes, so ASan sees any read past it */
        uint8_t *copy = malloc(cut ? cut : 1);
        if (cut) memcpy(copy, w1.b.p, cut);
        struct wrd t;
        wrd_init(&t, copy, cut);
        void *z = arena_alloc(&ar, s->size);
        rc = wdecode(s, ver, flex, &t, z, &ar);
        if (!rc || !t.err || t.err_off > cut || !t.err_what) {
            test_fail(__FILE__, __LINE__, "%s v%d %s: prefix of %zu/%zu bytes: rc %d err_off %zu what %s", a->name,
                      ver, s->name, cut, w1.b.len, rc, t.err_off, t.err_what ? t.err_what : "(null)");
            bad = 1;
            free(copy);
            break;
        }
        free(copy);
    }
out:
    wout_free(&w1);
    wout_free(&w2);
    arena_free(&ar);
    return bad;
}

TEST(wire_roundtrip_every_api_every_version) {
    int n, cases = 0;
    long bytes = 0;
    const struct api_info *all = api_all_known(&n);
    for (int i = 0; i < n; i++) {
        const struct api_info *a = &all[i];
        for (int ver = a->min_ver; ver <= a->max_ver; ver++) {
            for (uint64_t seed = 1; seed <= 40; seed++) {
                int trunc = seed <= 3;
                if (roundtrip_one(a, a->req, ver, seed * 1000 + (uint64_t)ver, trunc, &bytes)) goto next_api;
                if (roundtrip_one(a, a->resp, ver, seed * 7777 + (uint64_t)ver, trunc, &bytes)) goto next_api;
                cases += 2;
            }
        }
    next_api:;
    }
    fprintf(stderr, "    %d round trips, %ld bytes\n", cases, bytes);
}

/* The served view: issue-2 APIs and the group APIs served with their ranges,
 * the transaction APIs known but not served (max_ver -1), flexible versions
 * where Kafka puts them. */
TEST(wire_api_table_ranges) {
    static const struct { int key, min, max, flex; } served[] = {
        {API_PRODUCE, 0, 11, 9}, {API_FETCH, 0, 17, 12}, {API_LIST_OFFSETS, 0, 9, 6}, {API_METADATA, 0, 12, 9},
        {API_SASL_HANDSHAKE, 0, 1, INT16_MAX}, {API_API_VERSIONS, 0, 4, 3}, {API_CREATE_TOPICS, 0, 7, 5},
        {API_DELETE_TOPICS, 0, 6, 4}, {API_DELETE_RECORDS, 0, 2, 2}, {API_OFFSET_FOR_LEADER_EPOCH, 0, 4, 4},
        {API_DESCRIBE_CONFIGS, 0, 4, 4}, {API_ALTER_CONFIGS, 0, 2, 2}, {API_SASL_AUTHENTICATE, 0, 2, 2},
        {API_CREATE_PARTITIONS, 0, 3, 2}, {API_INCREMENTAL_ALTER_CONFIGS, 0, 1, 1}, {API_DESCRIBE_CLUSTER, 0, 1, 0},
        {API_INIT_PRODUCER_ID, 0, 5, 2},
        /* the group coordinator (issue 4) */
        {API_OFFSET_COMMIT, 0, 9, 8}, {API_OFFSET_FETCH, 0, 9, 6}, {API_FIND_COORDINATOR, 0, 6, 3},
        {API_JOIN_GROUP, 0, 9, 6}, {API_HEARTBEAT, 0, 4, 4}, {API_LEAVE_GROUP, 0, 5, 4}, {API_SYNC_GROUP, 0, 5, 4},
        {API_DESCRIBE_GROUPS, 0, 5, 5}, {API_LIST_GROUPS, 0, 5, 3}, {API_DELETE_GROUPS, 0, 2, 2},
        {API_OFFSET_DELETE, 0, 0, INT16_MAX},
    };
    for (size_t i = 0; i < sizeof served / sizeof served[0]; i++) {
        const struct api_info *a = api_lookup(served[i].key);
        REQUIRE(a != NULL);
        CHECK_EQ(a->min_ver, served[i].min);
        CHECK_EQ(a->max_ver, served[i].max);
        CHECK_EQ(a->flex_ver, served[i].flex);
    }
    /* every API presented as served has a sane range (which APIs are served
     * changes as handlers land: that is the broker's business, not this test's) */
    int n;
    const struct api_info *all = api_all(&n);
    for (int i = 0; i < n; i++)
        if (all[i].max_ver >= 0) CHECK(all[i].min_ver <= all[i].max_ver);
    CHECK(!api_resp_header_flex(api_lookup(API_API_VERSIONS), 4));
    CHECK(api_resp_header_flex(api_lookup(API_DESCRIBE_CLUSTER), 0));
    CHECK(!api_is_flex(api_lookup(API_SASL_HANDSHAKE), 1));
}
