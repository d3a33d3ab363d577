/* cli_apiver: the one request the CLI sends without librdkafka: ApiVersions
 * v0 over a plain TCP connection to one broker. librdkafka 2.0.2 keeps the
 * ApiVersions it negotiates to itself, and `weir cluster info` lists them;
 * admin commands use the same probe to say "not supported by this broker"
 * at once instead of waiting for a request librdkafka cannot route (the
 * mock cluster, for one, names a controller that does not exist).
 * The probe is skipped (returns "unknown") when security.protocol is not
 * PLAINTEXT: a raw socket cannot do TLS or SASL, and then librdkafka's own
 * errors stand. Uses the project's wire codec (wire/frame.h, api_versions.h). */
#ifndef WEIR_CLI_APIVER_H
#define WEIR_CLI_APIVER_H

#include "cli/cli_common.h"

#include <stdint.h>

struct cli_apiver {
    int n;
    struct {
        int16_t key, min, max;
    } v[512];
};

/* Connects to host:port (IPv4/IPv6, "[v6]:port" too), sends ApiVersions v0
 * and reads the answer within timeout_ms. 0 or -1 with err set. */
int cli_apiversions(const char *hostport, int timeout_ms, struct cli_apiver *out, char *err, size_t cap);

/* For admin commands: 0 if the first bootstrap broker offers api_key or if
 * that cannot be known (TLS/SASL, probe failed); -1 after printing
 * "WHAT: not supported by this broker (no NAME in its ApiVersions)". */
int cli_require_api(struct cli *c, int api_key, const char *what);

/* The API's name for an ApiKey ("CreateTopics"), or NULL if unknown. */
const char *cli_api_name(int key);

#endif
