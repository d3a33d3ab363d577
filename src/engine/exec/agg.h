/* agg: aggregate functions (count, sum, avg, min, max, first, last) as
 * fixed-size per-group states updated a column at a time.
 *
 * The one thing to know first: the hash aggregate (op_aggregate.c) gives
 * every group a slot number; a state is `state_size` bytes at
 * states + slot * stride. `update` folds the active rows of one argument
 * vector into the states of their groups (slots[k] is the group of row
 * sel[k]) in one loop — the per-row work is one load, one add. `merge`
 * combines two states (used when restoring from the state store), `final`
 * writes the result value of a state into row i of an output vector.
 * States hold no pointers except min/max/first/last of strings, whose bytes
 * live in the aggregate's own arena (copied on update).
 *
 * Result types follow Spark: count → BIGINT; sum(int/bigint) → BIGINT,
 * sum(float/double) → DOUBLE, sum(decimal(p,s)) → DECIMAL(min(38,p+10),s);
 * avg → DOUBLE (decimal: DECIMAL(min(38,p+4), min(38,s+4))); min/max/first/last
 * → the argument type. count(DISTINCT x) is counted by the operator (a set
 * of (group, value) pairs), not here. */
#ifndef WEIR_ENGINE_AGG_H
#define WEIR_ENGINE_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "engine/exec/vector.h"

enum agg_kind { AGG_COUNT, AGG_COUNT_STAR, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_FIRST, AGG_LAST };

struct agg_fn {
    enum agg_kind kind;
    const struct ty *arg_type;   /* NULL for count(*) */
    const struct ty *type;       /* result */
    uint32_t state_size;         /* bytes, a multiple of 8 */
    bool ignore_nulls;           /* first/last(x, true) */
};

/* Resolves an aggregate by name; arg_type NULL for count(*). Returns 0, or
 * -1 with a message in err when the name is not an aggregate (WERR_NOTFOUND
 * semantics: err[0] == 0) or the argument type is not accepted. */
int agg_resolve(struct arena *a, const char *name, const struct ty *arg_type, struct agg_fn *out, char *err, size_t errcap);
bool agg_is_aggregate(const char *name);

/* Initialises the state (count 0, sum empty = NULL, ...). */
void agg_init(const struct agg_fn *f, void *state);
/* Folds rows sel[0..n) of arg (NULL for count(*)) into states[slots[k]]. */
void agg_update(const struct agg_fn *f, uint8_t *states, uint32_t stride, const uint32_t *slots,
                const struct vec *arg, const uint32_t *sel, uint32_t n, struct arena *heap);
/* dst += src (same function). */
void agg_merge(const struct agg_fn *f, void *dst, const void *src, struct arena *heap);
/* Writes the result of a state into out row i. */
void agg_final(const struct agg_fn *f, const void *state, struct vec *out, uint32_t i);

/* Moves the string bytes a state holds into heap (used when the operator
 * replaces its heap after evicting groups). */
void agg_state_rehome(const struct agg_fn *f, void *state, struct arena *heap);
/* A state as bytes for the state store, and back (strings copied into heap).
 * decode returns 0 or WERR_CORRUPT. */
void agg_state_encode(const struct agg_fn *f, const void *state, struct buf *out);
int agg_state_decode(const struct agg_fn *f, const uint8_t *p, size_t len, size_t *at, void *state, struct arena *heap);

#endif
