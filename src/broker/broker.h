/* broker: the public face of the Kafka-compatible broker. A broker owns its
 * log directory, its listener and its threads; several can live in one
 * process (tests do that). Thread: broker_run runs the network loop on the
 * calling thread; broker_stop may be called from any thread or a signal
 * handler. */
#ifndef WEIR_BROKER_H
#define WEIR_BROKER_H

#include "broker/config.h"

struct broker;

/* Opens the log dir (recovering after a crash), loads topics and binds the
 * listener. cfg is copied. On failure returns a WERR and a message in err. */
int broker_new(const struct broker_cfg *cfg, struct broker **out, char *err, size_t errlen);
/* Serves until broker_stop; returns 0 after a clean stop. */
int broker_run(struct broker *b);
void broker_stop(struct broker *b);
/* Flushes every log, writes the clean-shutdown marker, frees everything. */
void broker_free(struct broker *b);
/* The port the listener is bound to (useful with port 0). */
int broker_port(const struct broker *b);

#endif
