/* cli_apiver: see cli_apiver.h. */
#include "cli/cli_apiver.h"

#include "common/arena.h"
#include "wire/api.h"
#include "wire/api_versions.h"
#include "wire/frame.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for ev until deadline; 0, or -1 on timeout. */
static int wait_fd(int fd, short ev, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) return -1;
        struct pollfd p = {.fd = fd, .events = ev};
        int r = poll(&p, 1, (int)left);
        if (r > 0) return 0;
        if (r < 0 && errno != EINTR) return -1;
    }
}

static int split_hostport(const char *hp, char *host, size_t hcap, char *port, size_t pcap) {
    const char *s = hp, *colon;
    if (!strncasecmp(s, "PLAINTEXT://", 12)) s += 12;
    size_t len = strcspn(s, ",");
    if (s[0] == '[') {
        const char *e = memchr(s, ']', len);
        if (!e || e[1] != ':') return -1;
        snprintf(host, hcap, "%.*s", (int)(e - s - 1), s + 1);
        snprintf(port, pcap, "%.*s", (int)(len - (size_t)(e + 2 - s)), e + 2);
        return 0;
    }
    colon = NULL;
    for (const char *q = s; q < s + len; q++)
        if (*q == ':') colon = q;
    if (!colon) {
        snprintf(host, hcap, "%.*s", (int)len, s);
        snprintf(port, pcap, "9092");
        return 0;
    }
    snprintf(host, hcap, "%.*s", (int)(colon - s), s);
    snprintf(port, pcap, "%.*s", (int)(len - (size_t)(colon + 1 - s)), colon + 1);
    return 0;
}

static int connect_to(const char *host, const char *port, int64_t deadline, char *err, size_t cap) {
    struct addrinfo hints = {0}, *ai, *a;
    hints.ai_socktype = SOCK_STREAM;
    int r = getaddrinfo(host, port, &hints, &ai);
    if (r) {
        snprintf(err, cap, "cannot resolve %s: %s", host, gai_strerror(r));
        return -1;
    }
    int fd = -1;
    for (a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0) {
            int so = 0;
            socklen_t sl = sizeof so;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl);
            if (!so) break;
            errno = so;
        }
        snprintf(err, cap, "connect to %s:%s: %s", host, port, errno ? strerror(errno) : "timed out");
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int io_all(int fd, uint8_t *p, size_t n, int writing, int64_t deadline) {
    while (n) {
        ssize_t k = writing ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
        if (k > 0) {
            p += k, n -= (size_t)k;
            continue;
        }
        if (k == 0) return -1;
        if (errno != EAGAIN && errno != EINTR) return -1;
        if (wait_fd(fd, writing ? POLLOUT : POLLIN, deadline)) return -1;
    }
    return 0;
}

int cli_apiversions(const char *hostport, int timeout_ms, struct cli_apiver *out, char *err, size_t cap) {
    char host[256], port[32];
    int64_t deadline = now_ms() + timeout_ms;
    out->n = 0;
    if (split_hostport(hostport, host, sizeof host, port, sizeof port)) {
        snprintf(err, cap, "bad broker address '%s'", hostport);
        return -1;
    }
    int fd = connect_to(host, port, deadline, err, cap);
    if (fd < 0) return -1;
    int rc = -1;
    struct wout w = {0};
    uint8_t *resp = NULL;
    struct arena ar;
    arena_init(&ar, 16384);
    frame_begin_request(&w, API_API_VERSIONS, 0, 1, "weir-cli", 0);
    struct api_versions_req req = {0};
    wencode(&api_versions_req_schema, 0, 0, &req, &w);
    frame_end_response(&w); /* fills the size prefix, the same for requests */
    if (io_all(fd, w.b.p, w.b.len, 1, deadline)) {
        snprintf(err, cap, "send ApiVersions to %s:%s failed", host, port);
        goto out;
    }
    uint8_t sz[4];
    if (io_all(fd, sz, 4, 0, deadline)) {
        snprintf(err, cap, "no ApiVersions answer from %s:%s", host, port);
        goto out;
    }
    uint32_t n = (uint32_t)sz[0] << 24 | (uint32_t)sz[1] << 16 | (uint32_t)sz[2] << 8 | sz[3];
    if (n < 4 || n > (1u << 20) || !(resp = malloc(n)) || io_all(fd, resp, n, 0, deadline)) {
        snprintf(err, cap, "bad ApiVersions answer from %s:%s", host, port);
        goto out;
    }
    struct wrd r;
    wrd_init(&r, resp + 4, n - 4); /* after the correlation id */
    struct api_versions_resp av;
    if (wdecode(&api_versions_resp_schema, 0, 0, &r, &av, &ar) || av.error_code) {
        snprintf(err, cap, "bad ApiVersions answer from %s:%s", host, port);
        goto out;
    }
    for (int i = 0; i < av.api_keys.n && out->n < (int)(sizeof out->v / sizeof out->v[0]); i++) {
        out->v[out->n].key = av.api_keys.v[i].api_key;
        out->v[out->n].min = av.api_keys.v[i].min_version;
        out->v[out->n].max = av.api_keys.v[i].max_version;
        out->n++;
    }
    rc = 0;
out:
    free(resp);
    arena_free(&ar);
    wout_free(&w);
    close(fd);
    return rc;
}

static const char *const names[] = {
    [0] = "Produce",
    [1] = "Fetch",
    [2] = "ListOffsets",
    [3] = "Metadata",
    [4] = "LeaderAndIsr",
    [5] = "StopReplica",
    [6] = "UpdateMetadata",
    [7] = "ControlledShutdown",
    [8] = "OffsetCommit",
    [9] = "OffsetFetch",
    [10] = "FindCoordinator",
    [11] = "JoinGroup",
    [12] = "Heartbeat",
    [13] = "LeaveGroup",
    [14] = "SyncGroup",
    [15] = "DescribeGroups",
    [16] = "ListGroups",
    [17] = "SaslHandshake",
    [18] = "ApiVersions",
    [19] = "CreateTopics",
    [20] = "DeleteTopics",
    [21] = "DeleteRecords",
    [22] = "InitProducerId",
    [23] = "OffsetForLeaderEpoch",
    [24] = "AddPartitionsToTxn",
    [25] = "AddOffsetsToTxn",
    [26] = "EndTxn",
    [27] = "WriteTxnMarkers",
    [28] = "TxnOffsetCommit",
    [29] = "DescribeAcls",
    [30] = "CreateAcls",
    [31] = "DeleteAcls",
    [32] = "DescribeConfigs",
    [33] = "AlterConfigs",
    [34] = "AlterReplicaLogDirs",
    [35] = "DescribeLogDirs",
    [36] = "SaslAuthenticate",
    [37] = "CreatePartitions",
    [38] = "CreateDelegationToken",
    [39] = "RenewDelegationToken",
    [40] = "ExpireDelegationToken",
    [41] = "DescribeDelegationToken",
    [42] = "DeleteGroups",
    [43] = "ElectLeaders",
    [44] = "IncrementalAlterConfigs",
    [45] = "AlterPartitionReassignments",
    [46] = "ListPartitionReassignments",
    [47] = "OffsetDelete",
    [48] = "DescribeClientQuotas",
    [49] = "AlterClientQuotas",
    [50] = "DescribeUserScramCredentials",
    [51] = "AlterUserScramCredentials",
    [52] = "Vote",
    [53] = "BeginQuorumEpoch",
    [54] = "EndQuorumEpoch",
    [55] = "DescribeQuorum",
    [56] = "AlterPartition",
    [57] = "UpdateFeatures",
    [58] = "Envelope",
    [59] = "FetchSnapshot",
    [60] = "DescribeCluster",
    [61] = "DescribeProducers",
    [62] = "BrokerRegistration",
    [63] = "BrokerHeartbeat",
    [64] = "UnregisterBroker",
    [65] = "DescribeTransactions",
    [66] = "ListTransactions",
    [67] = "AllocateProducerIds",
    [68] = "ConsumerGroupHeartbeat",
};

const char *cli_api_name(int key) {
    if (key >= 0 && key < (int)(sizeof names / sizeof names[0]) && names[key]) return names[key];
    return NULL;
}

int cli_require_api(struct cli *c, int api_key, const char *what) {
    const char *sp = props_get(&c->conf, "security.protocol");
    if (sp && strcasecmp(sp, "plaintext")) return 0;
    const char *b = c->bootstrap ? c->bootstrap : props_get(&c->conf, "bootstrap.servers");
    if (!b) b = "localhost:9092";
    struct cli_apiver *av = malloc(sizeof *av);
    if (!av) abort();
    char err[256];
    int rc = 0;
    if (cli_apiversions(b, c->timeout_ms, av, err, sizeof err) == 0) {
        int found = 0;
        for (int i = 0; i < av->n; i++)
            found |= av->v[i].key == api_key;
        if (!found) {
            const char *n = cli_api_name(api_key);
            cli_fail(c, "%s: not supported by this broker (its ApiVersions has no %s)", what,
                     n ? n : "such API");
            rc = -1;
        }
    }
    free(av);
    return rc;
}
