/* vars: `${name}` substitution in pipeline text, before parsing (Spark's
 * spark.sql.variable.substitute). Values come from `weir run --var k=v` and
 * from `SET k = v` statements earlier in the same file: a SET line defines a
 * variable for the text after it (a command-line --var wins over a SET).
 * `${name}` also matches `${var:name}` and `${hiveconf:name}` as in Spark.
 * An undefined variable is an error that points at it. `\${` stays literal. */
#ifndef WEIR_ENGINE_VARS_H
#define WEIR_ENGINE_VARS_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

struct sqlvars {
    const char **keys, **vals;
    uint32_t n, cap;
};

/* Adds or replaces a variable (strings are copied into a). */
void sqlvars_set(struct sqlvars *v, struct arena *a, const char *key, const char *val);
const char *sqlvars_get(const struct sqlvars *v, const char *key);

/* Substitutes into a new NUL-terminated string in a. Returns 0, or
 * WERR_PARSE with *err_pos (offset in src) and *err_msg set. */
int sqlvars_substitute(struct arena *a, const struct sqlvars *cmdline, const char *src, size_t len, char **out,
                       size_t *out_len, uint32_t *err_pos, const char **err_msg);

#endif
