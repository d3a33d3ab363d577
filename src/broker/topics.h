/* topics: the topic registry: names, ids, partition counts and config
 * overrides, persisted as one small properties file per topic under
 * <log.dirs>/.weir/topics/, and the partition logs they own.
 *
 * Creation writes the topic file (atomically, synced) before creating any
 * partition directory, and deletion removes the file first and the
 * partition directories after, so a crash at any point leaves either a
 * whole topic or none: at start, partition directories without a topic file
 * are removed, and a topic file with missing partition directories gets them
 * created empty. Runs on the network thread. */
#ifndef WEIR_BROKER_TOPICS_H
#define WEIR_BROKER_TOPICS_H

#include "broker/core.h"

int topics_load(struct broker *b, char *err, size_t errlen);
void topics_close_all(struct broker *b); /* close (flush) every log, free topics */

struct topic *topic_find(struct broker *b, const char *name, size_t len);
struct topic *topic_find_id(struct broker *b, const uint8_t id[16]);
struct partition *partition_find(struct broker *b, const char *topic, size_t len, int32_t part);

/* Kafka's topic name rules: 1-249 chars of [a-zA-Z0-9._-], not "." or "..". */
int topic_name_valid(const char *name, size_t len, char *err, size_t errlen);

/* Creates a topic. nparts/rf of -1 take the broker defaults. Returns a Kafka
 * error code (0 on success) with a message in err. validate_only checks
 * everything and creates nothing. */
int topic_create(struct broker *b, const char *name, size_t len, int32_t nparts, int16_t rf,
                 const struct props *configs, int validate_only, struct topic **out, char *err, size_t errlen);
int topic_delete(struct broker *b, struct topic *t);
/* Grows the partition count to total; Kafka error code. */
int topic_add_partitions(struct broker *b, struct topic *t, int32_t total, int validate_only, char *err,
                         size_t errlen);
/* Replaces the overrides (already validated) and applies them to the logs. */
int topic_set_overrides(struct broker *b, struct topic *t, struct props *overrides);

/* The internal topic name (one partition, compacted, no retention, 100 MiB
 * segments: the coordinators' logs), created when missing. NULL with a
 * message in err if it cannot be created. */
struct topic *topic_internal(struct broker *b, const char *name, char *err, size_t errlen);
/* Is this one of the coordinators' internal topics? Those cannot be
 * deleted, grown or have records deleted (as Kafka): the coordinators'
 * state lives there. */
int topic_is_internal(const char *name);

/* Auto-creation for Metadata/Produce when auto.create.topics.enable is set:
 * returns the topic or NULL (and an error code in *kerr). */
struct topic *topic_auto_create(struct broker *b, const char *name, size_t len, int16_t *kerr);

#endif
