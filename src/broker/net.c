/* net: the broker's network loop: epoll over the listener, the connections
 * and an eventfd (stop requests and flusher completions).
 *
 * Framing: a frame is an int32 size and that many bytes. The size is checked
 * against socket.request.max.bytes before a byte of the frame is buffered
 * beyond the read chunk, so a forged length allocates nothing (see Kafka
 * CVE-2022-34917). Each complete frame is copied into its request's arena,
 * decoded and dispatched at once; responses leave in arrival order.
 *
 * A malformed request (bad header, unknown ApiKey, unsupported version of
 * anything but ApiVersions, a body that fails to decode) closes that one
 * connection with a log line naming the client, ApiKey and version.
 *
 * Backpressure: a connection with too many requests in flight or too many
 * unsent bytes stops being read until it drains (Kafka mutes the channel). */
#include "broker/core.h"
#include "broker/group.h"
#include "broker/net.h"

#include "common/clock.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_INFLIGHT_REQS 128
#define READ_CHUNK (256 * 1024)

static void conn_update_events(struct conn *c);

/* Read buffers of all connections together stay under
 * queued.max.request.bytes: a connection whose next frame would need more
 * waits (stops being read) until other connections release buffer memory.
 * Without this, many clients each sending socket.request.max.bytes could
 * exhaust memory. */
static int conn_reserve(struct conn *c, size_t extra) {
    struct broker *b = c->b;
    size_t before = c->rbuf.cap;
    if (c->rbuf.cap - c->rbuf.len >= extra) return 0;
    size_t need = c->rbuf.len + extra, cap = before ? before : 256;
    while (cap < need) cap *= 2;
    /* every connection may hold one read chunk; only growth past it for
     * large frames counts against the budget */
    if (cap > READ_CHUNK && b->rbuf_bytes + (cap - before) > (size_t)b->cfg.queued_max_request_bytes &&
        b->rbuf_bytes > before) {
        if (!c->mem_blocked) {
            c->mem_blocked = 1;
            b->nmem_blocked++;
            log_debug("%s: waiting for request memory (%zu bytes buffered by all connections)", c->addr,
                      b->rbuf_bytes);
        }
        return -1;
    }
    buf_reserve(&c->rbuf, extra);
    b->rbuf_bytes += c->rbuf.cap - before;
    return 0;
}

/* Gives back a drained read buffer that grew past the usual size, and lets
 * connections waiting for memory try again. */
static void conn_release_rbuf(struct conn *c, int always) {
    struct broker *b = c->b;
    if (c->rbuf.len != c->rpos) return;
    if (!always && c->rbuf.cap <= 2 * READ_CHUNK) return;
    b->rbuf_bytes -= c->rbuf.cap;
    buf_free(&c->rbuf);
    c->rpos = 0;
    if (b->nmem_blocked) {
        for (struct conn *o = b->conns; o; o = o->next)
            if (o->mem_blocked && !o->closed) {
                o->mem_blocked = 0;
                b->nmem_blocked--;
                conn_update_events(o);
            }
    }
}

/* epoll data: pointers to conns; the listener and eventfd use markers. */
static char tag_listener, tag_event;

static void conn_update_events(struct conn *c);
static void conn_try_send(struct conn *c);
static void conn_process(struct conn *c);

int net_listen(struct broker *b, char *err, size_t errlen) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char port[16];
    snprintf(port, sizeof port, "%d", b->port);
    const char *host = b->host[0] ? b->host : NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "cannot resolve listener host '%s': %s", b->host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
        snprintf(err, errlen, "cannot listen on %s:%d: %s", b->host, b->port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return -1;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        b->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    b->lfd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &tag_listener};
    epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev);
    ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &tag_event};
    epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->evfd, &ev);
    return 0;
}

/* ---- requests ---- */

static void req_free(struct req *r) {
    for (int i = 0; i < r->nfds; i++) close(r->fds[i]);
    free(r->fds);
    wout_free(&r->out);
    arena_free(&r->arena);
    free(r);
}

void req_own_fd(struct req *r, int fd) {
    if (r->nfds == r->capfds) {
        r->capfds = r->capfds ? r->capfds * 2 : 8;
        r->fds = realloc(r->fds, (size_t)r->capfds * sizeof(int));
        if (!r->fds) abort();
    }
    r->fds[r->nfds++] = fd;
}

void req_respond(struct req *r, const void *resp) {
    wout_free(&r->out);
    frame_begin_response(&r->out, r->hdr.correlation_id, api_resp_header_flex(r->api, r->hdr.api_version));
    wencode(r->api->resp, r->hdr.api_version, r->flex, resp, &r->out);
    frame_end_response(&r->out);
}

void req_park(struct broker *b, struct req *r, int64_t deadline_ms) {
    r->state = REQ_PARKED;
    r->deadline_ms = deadline_ms;
    r->park_prev = NULL;
    r->park_next = b->parked;
    if (b->parked) b->parked->park_prev = r;
    b->parked = r;
}

void req_unpark(struct broker *b, struct req *r) {
    if (r->park_prev) r->park_prev->park_next = r->park_next;
    else if (b->parked == r) b->parked = r->park_next;
    if (r->park_next) r->park_next->park_prev = r->park_prev;
    r->park_next = r->park_prev = NULL;
}

/* Frees finished requests at the head of a closed connection's queue and
 * the connection itself once nothing refers to it. */
static void conn_reap(struct conn *c) {
    struct broker *b = c->b;
    while (c->head && (c->head->state == REQ_DONE || c->head->state == REQ_NO_RESPONSE)) {
        struct req *r = c->head;
        c->head = r->next;
        c->nreqs--;
        req_free(r);
    }
    if (!c->head) c->tail = NULL;
    if (c->nreqs || c->dead) return;
    /* unlink now, free at the end of the loop iteration: callers up the
     * stack may still look at c->closed */
    if (c->prev) c->prev->next = c->next;
    else b->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    c->dead = 1;
    c->next = b->dead_conns;
    b->dead_conns = c;
}

static void conns_free_dead(struct broker *b) {
    while (b->dead_conns) {
        struct conn *c = b->dead_conns;
        b->dead_conns = c->next;
        b->rbuf_bytes -= c->rbuf.cap;
        buf_free(&c->rbuf);
        free(c);
    }
}

void req_complete(struct broker *b, struct req *r, enum req_state st) {
    if (r->state == REQ_NEW) { /* still inside its handler: dispatch finishes it */
        r->early = st;
        return;
    }
    r->state = st;
    struct conn *c = r->conn;
    if (c->closed) {
        conn_reap(c);
        return;
    }
    if (c->head == r) conn_try_send(c);
}

static void conn_close(struct conn *c, const char *why) {
    struct broker *b = c->b;
    if (c->closed) return;
    if (why) log_info("closing connection from %s: %s", c->addr, why);
    epoll_ctl(b->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->closed = 1;
    if (c->mem_blocked) {
        c->mem_blocked = 0;
        b->nmem_blocked--;
    }
    conn_release_rbuf(c, 1);
    b->nconns--;
    /* Parked fetches are dropped; produce requests waiting for a sync stay
     * until the sync completes (they hold waiter entries), then are freed. */
    for (struct req *r = c->head; r; r = r->next) {
        if (r->state == REQ_PARKED && r->api->key == API_FETCH) {
            fetch_cancel(b, r);
            r->state = REQ_DONE;
        } else if (r->state == REQ_NEW) {
            r->state = REQ_DONE;
        }
    }
    conn_reap(c);
}

/* ---- reading and dispatch ---- */

static int dispatch(struct conn *c, const uint8_t *frame, size_t len) {
    struct broker *b = c->b;
    struct req *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->conn = c;
    r->start_us = clock_mono_us();
    arena_init(&r->arena, 8192);
    r->frame = arena_alloc(&r->arena, len);
    memcpy(r->frame, frame, len);
    r->frame_len = len;
    /* queue first so that errors below free it with the connection */
    if (c->tail) c->tail->next = r;
    else c->head = r;
    c->tail = r;
    c->nreqs++;

    struct wrd rd;
    wrd_init(&rd, r->frame, len);
    char why[256];
    if (frame_read_header(&rd, &r->hdr)) {
        snprintf(why, sizeof why, "malformed request header (%zu bytes)", len);
        conn_close(c, why);
        return -1;
    }
    r->api = api_lookup(r->hdr.api_key);
    handler_fn h = r->api ? handler_for(r->hdr.api_key) : NULL;
    if (!r->api || !h || r->api->max_ver < 0) {
        snprintf(why, sizeof why, "unsupported ApiKey %d (%s) v%d", r->hdr.api_key,
                 r->api ? r->api->name : "unknown", r->hdr.api_version);
        conn_close(c, why);
        return -1;
    }
    int ver = r->hdr.api_version;
    if (ver < r->api->min_ver || ver > r->api->max_ver) {
        if (r->hdr.api_key == API_API_VERSIONS) {
            /* Kafka: answer with UNSUPPORTED_VERSION and a v0 body listing our APIs */
            r->hdr.api_version = 0;
            r->flex = 0;
            r->body = NULL;
            r->state = REQ_NEW;
            h(b, r);
            r->state = REQ_DONE;
            return 0;
        }
        snprintf(why, sizeof why, "unsupported version: ApiKey %d (%s) v%d (supported %d-%d)", r->hdr.api_key,
                 r->api->name, ver, r->api->min_ver, r->api->max_ver);
        conn_close(c, why);
        return -1;
    }
    r->flex = api_is_flex(r->api, ver);
    if (r->flex) frame_skip_header_tags(&rd);
    r->body = arena_alloc(&r->arena, r->api->req->size);
    if (rd.err || wdecode(r->api->req, ver, r->flex, &rd, r->body, &r->arena)) {
        snprintf(why, sizeof why, "malformed %s v%d request (ApiKey %d) at byte %zu%s%s", r->api->name, ver,
                 r->hdr.api_key, rd.err_off, rd.err_what ? " reading " : "", rd.err_what ? rd.err_what : "");
        conn_close(c, why);
        return -1;
    }
    if (rd.p != rd.end && !r->flex)
        log_debug("%s: %s v%d request has %zu trailing bytes", c->addr, r->api->name, ver, (size_t)(rd.end - rd.p));
    int hr = h(b, r);
    switch (hr) {
    case H_DONE: r->state = REQ_DONE; break;
    case H_NO_RESPONSE: r->state = REQ_NO_RESPONSE; break;
    case H_PARKED: r->state = r->early ? r->early : REQ_PARKED; break;
    case H_CLOSE:
        snprintf(why, sizeof why, "%s v%d request refused", r->api->name, ver);
        conn_close(c, why);
        return -1;
    }
    return 0;
}

static void conn_process(struct conn *c) {
    struct broker *b = c->b;
    while (!c->closed && c->nreqs < MAX_INFLIGHT_REQS) {
        size_t avail = c->rbuf.len - c->rpos;
        if (avail < 4) break;
        const uint8_t *p = c->rbuf.p + c->rpos;
        int32_t size = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
        if (size < 0 || size > b->cfg.socket_request_max_bytes) {
            char why[160];
            snprintf(why, sizeof why, "request size %d exceeds socket.request.max.bytes (%d)", size,
                     b->cfg.socket_request_max_bytes);
            conn_close(c, why);
            return;
        }
        if (size < 8) {
            char why[96];
            snprintf(why, sizeof why, "request frame of %d bytes is too short for a header", size);
            conn_close(c, why);
            return;
        }
        if (avail - 4 < (size_t)size) {
            /* Grow toward the frame only as its bytes arrive (conn_read reserves
             * READ_CHUNK per read; capacity doubles), never from the length
             * prefix alone: a prefix costs nothing until the client really
             * sends that much (pre-authentication allocation, CVE-2022-34917). */
            size_t want = (size_t)size + 4 - avail, have = avail > READ_CHUNK ? avail : READ_CHUNK;
            conn_reserve(c, want < have ? want : have);
            break;
        }
        c->rpos += 4 + (size_t)size;
        if (dispatch(c, p + 4, (size_t)size)) return;
    }
    if (c->closed) return;
    conn_try_send(c);
    if (c->closed) return;
    if (c->rpos == c->rbuf.len) {
        c->rpos = c->rbuf.len = 0;
        conn_release_rbuf(c, 0);
    } else if (c->rpos > 0 && c->rpos > c->rbuf.len / 2) {
        memmove(c->rbuf.p, c->rbuf.p + c->rpos, c->rbuf.len - c->rpos);
        c->rbuf.len -= c->rpos;
        c->rpos = 0;
    }
    conn_update_events(c);
}

static void conn_read(struct conn *c) {
    for (int rounds = 0; rounds < 4 && !c->closed; rounds++) {
        if (c->nreqs >= MAX_INFLIGHT_REQS) break;
        if (conn_reserve(c, READ_CHUNK)) {
            if (c->rbuf.cap == c->rbuf.len) break; /* no room at all: wait for memory */
        }
        ssize_t n = recv(c->fd, c->rbuf.p + c->rbuf.len, c->rbuf.cap - c->rbuf.len, 0);
        if (n > 0) {
            c->rbuf.len += (size_t)n;
            conn_process(c);
            if ((size_t)n < READ_CHUNK / 2) break;
            continue;
        }
        if (n == 0) {
            size_t left = c->rbuf.len - c->rpos;
            if (left >= 8) { /* enough for the size, ApiKey and version */
                const uint8_t *h = c->rbuf.p + c->rpos;
                int key = (int16_t)(h[4] << 8 | h[5]), ver = (int16_t)(h[6] << 8 | h[7]);
                const struct api_info *api = api_lookup(key);
                char why[160];
                snprintf(why, sizeof why, "truncated request: ApiKey %d (%s) v%d, connection closed after %zu bytes",
                         key, api ? api->name : "unknown", ver, left);
                conn_close(c, why);
            } else if (left) {
                conn_close(c, "truncated request: connection closed inside the size prefix or header");
            } else {
                conn_close(c, NULL);
            }
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        char why[128];
        snprintf(why, sizeof why, "read error: %s", strerror(errno));
        conn_close(c, errno == ECONNRESET ? NULL : why);
        return;
    }
}

/* ---- writing ---- */

/* Is a whole frame (or an invalid size prefix) waiting in the read buffer? */
static int conn_has_frame(const struct conn *c) {
    size_t avail = c->rbuf.len - c->rpos;
    if (avail < 4) return 0;
    const uint8_t *p = c->rbuf.p + c->rpos;
    uint32_t size = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return size > (uint32_t)c->b->cfg.socket_request_max_bytes || avail - 4 >= size;
}

/* Sends as much of the queued responses as the socket takes. A response's
 * pieces alternate: memory up to segs[i].mem_end, then file segment i; the
 * memory after the last segment ends it. */
static void conn_try_send(struct conn *c) {
    while (!c->closed && c->head) {
        struct req *r = c->head;
        if (r->state == REQ_PARKED || r->state == REQ_NEW) break;
        if (r->state == REQ_DONE) {
            struct wout *w = &r->out;
            size_t npieces = (size_t)w->nsegs * 2 + 1;
            while (c->send_piece < npieces) {
                size_t i = c->send_piece / 2;
                ssize_t n;
                size_t want;
                if (c->send_piece % 2 == 0) {
                    size_t start = i == 0 ? 0 : w->segs[i - 1].mem_end;
                    size_t end = i < (size_t)w->nsegs ? w->segs[i].mem_end : w->b.len;
                    want = end - start - c->send_off;
                    if (!want) {
                        c->send_piece++;
                        c->send_off = 0;
                        continue;
                    }
                    /* MSG_MORE only when more bytes follow at once: a next
                     * request still parked (acks=all waiting for its sync)
                     * would otherwise hold this response in the kernel */
                    int more = c->send_piece + 1 < npieces || (r->next && r->next->state == REQ_DONE) ? MSG_MORE : 0;
                    n = send(c->fd, w->b.p + start + c->send_off, want, MSG_NOSIGNAL | more);
                } else {
                    struct wout_seg *s = &w->segs[i];
                    want = (size_t)s->len - c->send_off;
                    if (!want) {
                        c->send_piece++;
                        c->send_off = 0;
                        continue;
                    }
                    off_t off = (off_t)(s->pos + (int64_t)c->send_off);
                    n = sendfile(c->fd, s->fd, &off, want);
                    if (n == 0) { /* the file is shorter than promised: cannot keep framing */
                        conn_close(c, "segment file shrank while sending a fetch response");
                        return;
                    }
                }
                if (n < 0) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK) {
                        conn_update_events(c);
                        return;
                    }
                    if (errno == EINTR) continue;
                    conn_close(c, errno == EPIPE || errno == ECONNRESET ? NULL : "write error");
                    return;
                }
                c->send_off += (size_t)n;
                if ((size_t)n == want) {
                    c->send_piece++;
                    c->send_off = 0;
                }
            }
        }
        c->head = r->next;
        if (!c->head) c->tail = NULL;
        c->nreqs--;
        c->send_piece = c->send_off = 0;
        req_free(r);
    }
    if (!c->closed) {
        conn_update_events(c);
        /* frames held back by backpressure: the loop processes them next */
        if (c->nreqs < MAX_INFLIGHT_REQS && conn_has_frame(c) && !c->ready) {
            c->ready = 1;
            c->ready_next = c->b->ready_conns;
            c->b->ready_conns = c;
        }
    }
}

static void conn_update_events(struct conn *c) {
    if (c->closed) return;
    uint32_t ev = 0;
    if (c->nreqs < MAX_INFLIGHT_REQS && !c->mem_blocked) ev |= EPOLLIN;
    if (c->head && c->head->state != REQ_PARKED && c->head->state != REQ_NEW) ev |= EPOLLOUT;
    if (ev == c->events) return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    epoll_ctl(c->b->epfd, EPOLL_CTL_MOD, c->fd, &e);
    c->events = ev;
}

/* ---- accepting ---- */

static void net_accept(struct broker *b) {
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(b->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) log_warn("accept: %s", strerror(errno));
            return;
        }
        char addr[64] = "?";
        char host[INET6_ADDRSTRLEN] = "?";
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
            snprintf(addr, sizeof addr, "%s:%d", host, ntohs(sin->sin_port));
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
            snprintf(addr, sizeof addr, "[%s]:%d", host, ntohs(sin6->sin6_port));
        }
        if (b->nconns >= b->cfg.max_connections) {
            log_warn("refusing connection from %s: max.connections (%d) reached", addr, b->cfg.max_connections);
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) abort();
        c->b = b;
        c->fd = fd;
        c->id = ++b->next_conn_id;
        snprintf(c->addr, sizeof c->addr, "%s", addr);
        c->events = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev)) {
            close(fd);
            free(c);
            continue;
        }
        c->next = b->conns;
        if (b->conns) b->conns->prev = c;
        b->conns = c;
        b->nconns++;
        log_debug("connection from %s", addr);
    }
}

/* ---- the loop ---- */

static void on_synced(void *ctx, uint64_t uid, int64_t upto, int err) {
    struct broker *b = ctx;
    struct partition *p = hmap_get(&b->parts_by_uid, &uid, sizeof uid);
    if (!p) return; /* deleted meanwhile */
    p->sync_inflight = 0;
    if (!err) plog_mark_flushed(p->log, upto);
    produce_on_synced(b, p);
}

static void drain_ready(struct broker *b) {
    while (b->ready_conns) {
        struct conn *c = b->ready_conns;
        b->ready_conns = c->ready_next;
        c->ready = 0;
        if (!c->closed) conn_process(c);
    }
}

static int64_t next_timeout(struct broker *b, int64_t now) {
    int64_t t = b->next_housekeep_ms - now;
    for (struct req *r = b->parked; r; r = r->park_next)
        if (r->deadline_ms - now < t) t = r->deadline_ms - now;
    int64_t g = grp_next_deadline(b); /* group sessions and rebalances */
    if (g != INT64_MAX && g - now < t) t = g - now;
    if (b->wake) t = 0;
    if (t < 0) t = 0;
    if (t > 1000) t = 1000;
    return t;
}

void broker_housekeep(struct broker *b, int64_t now_wall);
void broker_on_cleaned(void *ctx, uint64_t uid, struct compact_job *job);

int net_loop(struct broker *b) {
    struct epoll_event evs[256];
    while (!b->stopping) {
        int64_t now = clock_mono_ms();
        int n = epoll_wait(b->epfd, evs, 256, (int)next_timeout(b, now));
        if (n < 0 && errno != EINTR) {
            log_error("epoll_wait: %s", strerror(errno));
            return -1;
        }
        for (int i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            if (tag == &tag_listener) {
                net_accept(b);
            } else if (tag == &tag_event) {
                uint64_t v;
                ssize_t rr = read(b->evfd, &v, sizeof v);
                (void)rr;
                flusher_drain(b->flusher, on_synced, b);
                cleaner_drain(b->cleaner, broker_on_cleaned, b);
            } else {
                struct conn *c = tag;
                if (c->closed) continue;
                if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) conn_read(c);
                if (!c->closed && (evs[i].events & EPOLLOUT)) conn_try_send(c);
            }
        }
        drain_ready(b);
        /* fetches that may now be satisfied */
        while (b->wake) {
            struct req *r = b->wake;
            b->wake = r->wake_next;
            r->woken = 0;
            r->wake_next = NULL;
            if (r->state == REQ_PARKED) fetch_on_wake(b, r);
        }
        now = clock_mono_ms();
        /* expired long polls; rescan from the head after each, since
         * answering one may close its connection and free others */
        for (struct req *r = b->parked; r;) {
            if (r->deadline_ms <= now && r->state == REQ_PARKED) {
                req_unpark(b, r);
                fetch_on_timeout(b, r);
                r = b->parked;
            } else {
                r = r->park_next;
            }
        }
        grp_tick(b, now); /* group sessions and rebalances that are due */
        if (now >= b->next_housekeep_ms) {
            broker_housekeep(b, clock_wall_ms());
            b->next_housekeep_ms = now + 1000;
        }
        drain_ready(b);
        conns_free_dead(b);
    }
    return 0;
}

void net_close_all(struct broker *b) {
    while (b->conns) {
        struct conn *c = b->conns;
        if (!c->closed) conn_close(c, NULL);
        if (b->conns == c) { /* still has requests waiting (e.g. on a sync): drop them */
            for (struct req *r = c->head; r; r = r->next) r->state = REQ_DONE;
            c->closed = 1;
            conn_reap(c);
        }
    }
    b->ready_conns = NULL;
    conns_free_dead(b);
}
