/* Unit tests for src/broker/pstate: idempotent-producer checks (duplicates,
 * gaps, epochs), transaction tracking (LSO, aborted list) and the snapshot
 * plus log-replay rebuild. */
#include "test.h"

#include "broker/pstate.h"
#include "common/buf.h"
#include "storage/plog.h"
#include "wire/errors.h"

#include <stdlib.h>
#include <unistd.h>

/* Builds one batch of n records from producer pid/epoch starting at seq. */
static size_t mk(struct buf *out, int64_t pid, int16_t epoch, int32_t seq, int n, int16_t attrs) {
    struct batch_builder bb;
    batch_builder_init(&bb, out, 0);
    bb.producer_id = pid;
    bb.producer_epoch = epoch;
    bb.base_sequence = seq;
    bb.attributes = attrs;
    for (int i = 0; i < n; i++) batch_builder_add(&bb, 1000 + i, "k", 1, "v", 1, NULL, 0);
    return batch_builder_finish(&bb);
}

static size_t mk_marker(struct buf *out, int64_t pid, int16_t epoch, int type) {
    struct batch_builder bb;
    batch_builder_init(&bb, out, 0);
    bb.producer_id = pid;
    bb.producer_epoch = epoch;
    bb.base_sequence = -1;
    bb.attributes = BATCH_ATTR_CONTROL | BATCH_ATTR_TRANSACTIONAL;
    uint8_t key[4] = {0, 0, 0, (uint8_t)type}, val[6] = {0};
    batch_builder_add(&bb, 2000, key, 4, val, 6, NULL, 0);
    return batch_builder_finish(&bb);
}

/* Appends the batch in b to log and records it in ps, as the broker does. */
static int64_t append(struct plog *log, struct pstate *ps, struct buf *b) {
    struct plog_append res;
    if (plog_append(log, b->p, b->len, 5000, -1, &res)) return -1;
    struct batch_hdr h;
    batch_parse_header(b->p, b->len, &h);
    pstate_update(ps, &h, b->p, b->len);
    buf_clear(b);
    return res.base_offset;
}

static struct plog *open_log(const char *dir) {
    struct plog_cfg cfg;
    plog_cfg_default(&cfg);
    struct plog *l = NULL;
    if (plog_open(dir, &cfg, 1, &l, NULL)) return NULL;
    return l;
}

TEST(pstate_duplicates_gaps_and_epochs) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/p0", test_tmpdir());
    struct plog *log = open_log(dir);
    REQUIRE(log);
    struct pstate *ps;
    REQUIRE_EQ(pstate_open(dir, log, &ps), 0);
    struct buf b = {0};
    struct batch_hdr h;
    int64_t dup = -1;
    int16_t kerr = 0;

    mk(&b, 7, 0, 0, 3, 0); /* seq 0..2 */
    batch_parse_header(b.p, b.len, &h);
    CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_APPEND);
    int64_t off0 = append(log, ps, &b);
    mk(&b, 7, 0, 3, 2, 0); /* seq 3..4 */
    batch_parse_header(b.p, b.len, &h);
    CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_APPEND);
    append(log, ps, &b);

    mk(&b, 7, 0, 0, 3, 0); /* the first batch again: a retry */
    batch_parse_header(b.p, b.len, &h);
    CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_DUPLICATE);
    CHECK_EQ(dup, off0);
    buf_clear(&b);

    mk(&b, 7, 0, 9, 1, 0); /* a gap */
    batch_parse_header(b.p, b.len, &h);
    CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_ERROR);
    CHECK_EQ(kerr, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    buf_clear(&b);

    mk(&b, 7, 1, 5, 1, 0); /* a new epoch must restart at 0 */
    batch_parse_header(b.p, b.len, &h);
    CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_ERROR);
    CHECK_EQ(kerr, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    buf_clear(&b);
    mk(&b, 7, 1, 0, 1, 0);
    batch_parse_header(b.p, b.len, &h);
    CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_APPEND);
    append(log, ps, &b);

    mk(&b, 7, 0, 5, 1, 0); /* the old epoch is fenced */
    batch_parse_header(b.p, b.len, &h);
    CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_ERROR);
    CHECK_EQ(kerr, KERR_INVALID_PRODUCER_EPOCH);
    buf_clear(&b);

    /* after a snapshot and a reopen, and after a rebuild from the log alone,
     * the retry of the epoch-1 batch is still a duplicate */
    for (int round = 0; round < 2; round++) {
        if (round == 0) CHECK_EQ(pstate_snapshot(ps, dir, plog_start_offset(log), plog_end_offset(log)), 0);
        else {
            char snap[600];
            snprintf(snap, sizeof snap, "%s/producer-state", dir);
            CHECK_EQ(unlink(snap), 0);
        }
        pstate_free(ps);
        REQUIRE_EQ(pstate_open(dir, log, &ps), 0);
        mk(&b, 7, 1, 0, 1, 0);
        batch_parse_header(b.p, b.len, &h);
        CHECK_EQ(pstate_check(ps, &h, &dup, &kerr), PS_DUPLICATE);
        CHECK_EQ(dup, 5);
        buf_clear(&b);
    }
    buf_free(&b);
    pstate_free(ps);
    plog_close(log);
}

TEST(pstate_transactions_lso_and_aborted) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/p1", test_tmpdir());
    struct plog *log = open_log(dir);
    REQUIRE(log);
    struct pstate *ps;
    REQUIRE_EQ(pstate_open(dir, log, &ps), 0);
    struct buf b = {0};
    mk(&b, 1, 0, 0, 2, 0);
    append(log, ps, &b); /* 0-1: plain idempotent data */
    CHECK_EQ(pstate_first_unstable(ps), -1);
    mk(&b, 2, 0, 0, 2, BATCH_ATTR_TRANSACTIONAL);
    append(log, ps, &b); /* 2-3: txn of producer 2 opens */
    CHECK_EQ(pstate_first_unstable(ps), 2);
    CHECK(pstate_txn_open(ps, 2));
    mk(&b, 3, 0, 0, 1, BATCH_ATTR_TRANSACTIONAL);
    append(log, ps, &b); /* 4: txn of producer 3 opens */
    mk_marker(&b, 2, 0, CTRL_ABORT);
    append(log, ps, &b); /* 5: producer 2 aborts */
    CHECK_EQ(pstate_first_unstable(ps), 4);
    CHECK(!pstate_txn_open(ps, 2));
    mk_marker(&b, 3, 0, CTRL_COMMIT);
    append(log, ps, &b); /* 6: producer 3 commits */
    CHECK_EQ(pstate_first_unstable(ps), -1);
    const struct ptxn_aborted *ab;
    int n;
    pstate_aborted_in(ps, 0, 10, &ab, &n);
    REQUIRE_EQ(n, 1);
    CHECK_EQ(ab[0].pid, 2);
    CHECK_EQ(ab[0].first_offset, 2);
    CHECK_EQ(ab[0].last_offset, 5);
    pstate_aborted_in(ps, 6, 10, &ab, &n);
    CHECK_EQ(n, 0);
    /* an open transaction and the aborted list survive snapshot and replay */
    mk(&b, 3, 0, 1, 1, BATCH_ATTR_TRANSACTIONAL);
    append(log, ps, &b); /* 7: producer 3 opens again */
    for (int round = 0; round < 2; round++) {
        if (round == 0) CHECK_EQ(pstate_snapshot(ps, dir, 0, plog_end_offset(log)), 0);
        else {
            char snap[600];
            snprintf(snap, sizeof snap, "%s/producer-state", dir);
            unlink(snap);
        }
        pstate_free(ps);
        REQUIRE_EQ(pstate_open(dir, log, &ps), 0);
        CHECK_EQ(pstate_first_unstable(ps), 7);
        pstate_aborted_in(ps, 0, 10, &ab, &n);
        CHECK_EQ(n, 1);
    }
    buf_free(&b);
    pstate_free(ps);
    plog_close(log);
}
