/* props: Java .properties files, as Kafka's server.properties uses them:
 * `key=value`, `key: value` or `key value`; `#` and `!` start comments;
 * a trailing backslash continues a line; \t \n \r \\ \uXXXX escapes.
 * The parsed list owns its strings; props_free releases them. */
#ifndef WEIR_PROPS_H
#define WEIR_PROPS_H

#include <stddef.h>

struct prop {
    char *key, *value;
    int line; /* 1-based line in the source, 0 for overrides */
};
struct props {
    struct prop *v;
    size_t n, cap;
};

/* Parses text; on error returns WERR_PARSE and writes a message to err. */
int props_parse(struct props *p, const char *text, size_t len, char *err, size_t errlen);
int props_load_file(struct props *p, const char *path, char *err, size_t errlen);
/* Sets key to value (a later set of the same key wins on lookup). */
void props_set(struct props *p, const char *key, const char *value, int line);
/* Parses "key=value"; WERR_PARSE if there is no '='. */
int props_set_kv(struct props *p, const char *kv);
const char *props_get(const struct props *p, const char *key); /* last value or NULL */
void props_free(struct props *p);

#endif
