/* net: the network loop of the broker (see net.c). Runs on one thread. */
#ifndef WEIR_BROKER_NET_H
#define WEIR_BROKER_NET_H

#include <stddef.h>

struct broker;
int net_listen(struct broker *b, char *err, size_t errlen); /* binds b->host:b->port, sets b->port */
int net_loop(struct broker *b);                              /* until b->stopping */
void net_close_all(struct broker *b);

#endif
