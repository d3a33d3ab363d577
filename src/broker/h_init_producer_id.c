/* h_init_producer_id: InitProducerId (22) for idempotent producers: a new
 * producer id with epoch 0 from the durable allocator. A producer that
 * passes its current id and epoch (KIP-360, v3+) to recover also gets a
 * fresh id, as Kafka does for producers without a transactional id.
 * Transactional ids are answered with an error until transactions land. */
#include "broker/core.h"

#include "common/log.h"
#include "wire/api_init_producer_id.h"
#include "wire/errors.h"

int h_init_producer_id(struct broker *b, struct req *r) {
    struct init_producer_id_req *q = r->body;
    struct init_producer_id_resp resp = {0};
    resp.producer_id = -1;
    resp.producer_epoch = -1;
    if (q->transactional_id.p) {
        log_warn("%s: InitProducerId for transactional id '%.*s': transactions are not supported yet",
                 r->conn->addr, q->transactional_id.n, q->transactional_id.p);
        resp.error_code = KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    } else {
        int64_t pid = pid_alloc_next(&b->pids);
        if (pid < 0) resp.error_code = KERR_KAFKA_STORAGE_ERROR;
        else {
            resp.producer_id = pid;
            resp.producer_epoch = 0;
        }
    }
    req_respond(r, &resp);
    return H_DONE;
}
