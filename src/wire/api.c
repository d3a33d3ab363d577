/* api: the table of APIs; see api.h. Adding an API = its schema file plus
 * one line here (and a handler in the broker's dispatch table).
 *
 * apis[] holds every API weir has schemas for, with its real version range.
 * Those listed in api_unserved[] (the group and transaction APIs, whose
 * handlers are not written yet) are presented by api_lookup/api_all with
 * max_ver = -1: known, not served. Enabling one is deleting it from
 * api_unserved[]. api_all_known() shows the real ranges (codec tests). */
#include "wire/api.h"

#include "wire/api_add_offsets_to_txn.h"
#include "wire/api_add_partitions_to_txn.h"
#include "wire/api_alter_configs.h"
#include "wire/api_versions.h"
#include "wire/api_create_partitions.h"
#include "wire/api_create_topics.h"
#include "wire/api_delete_groups.h"
#include "wire/api_delete_records.h"
#include "wire/api_delete_topics.h"
#include "wire/api_describe_cluster.h"
#include "wire/api_describe_configs.h"
#include "wire/api_describe_groups.h"
#include "wire/api_describe_producers.h"
#include "wire/api_describe_transactions.h"
#include "wire/api_end_txn.h"
#include "wire/api_fetch.h"
#include "wire/api_find_coordinator.h"
#include "wire/api_heartbeat.h"
#include "wire/api_incremental_alter_configs.h"
#include "wire/api_init_producer_id.h"
#include "wire/api_join_group.h"
#include "wire/api_leave_group.h"
#include "wire/api_list_groups.h"
#include "wire/api_list_offsets.h"
#include "wire/api_list_transactions.h"
#include "wire/api_metadata.h"
#include "wire/api_offset_commit.h"
#include "wire/api_offset_delete.h"
#include "wire/api_offset_fetch.h"
#include "wire/api_offset_for_leader_epoch.h"
#include "wire/api_produce.h"
#include "wire/api_sasl_authenticate.h"
#include "wire/api_sasl_handshake.h"
#include "wire/api_sync_group.h"
#include "wire/api_txn_offset_commit.h"

#include <stdint.h>

#define NOFLEX INT16_MAX
#define API(key, name, lo, hi, flex, snake) {key, name, lo, hi, flex, &snake##_req_schema, &snake##_resp_schema}
static const struct api_info apis[] = {
    API(API_PRODUCE, "Produce", 0, 11, 9, produce),
    API(API_FETCH, "Fetch", 0, 17, 12, fetch),
    API(API_LIST_OFFSETS, "ListOffsets", 0, 9, 6, list_offsets),
    API(API_METADATA, "Metadata", 0, 12, 9, metadata),
    API(API_OFFSET_COMMIT, "OffsetCommit", 0, 9, 8, offset_commit),
    API(API_OFFSET_FETCH, "OffsetFetch", 0, 9, 6, offset_fetch),
    API(API_FIND_COORDINATOR, "FindCoordinator", 0, 6, 3, find_coordinator),
    API(API_JOIN_GROUP, "JoinGroup", 0, 9, 6, join_group),
    API(API_HEARTBEAT, "Heartbeat", 0, 4, 4, heartbeat),
    API(API_LEAVE_GROUP, "LeaveGroup", 0, 5, 4, leave_group),
    API(API_SYNC_GROUP, "SyncGroup", 0, 5, 4, sync_group),
    API(API_DESCRIBE_GROUPS, "DescribeGroups", 0, 5, 5, describe_groups),
    API(API_LIST_GROUPS, "ListGroups", 0, 5, 3, list_groups),
    API(API_SASL_HANDSHAKE, "SaslHandshake", 0, 1, NOFLEX, sasl_handshake),
    API(API_API_VERSIONS, "ApiVersions", 0, 4, 3, api_versions),
    API(API_CREATE_TOPICS, "CreateTopics", 0, 7, 5, create_topics),
    API(API_DELETE_TOPICS, "DeleteTopics", 0, 6, 4, delete_topics),
    API(API_DELETE_RECORDS, "DeleteRecords", 0, 2, 2, delete_records),
    API(API_INIT_PRODUCER_ID, "InitProducerId", 0, 5, 2, init_producer_id),
    API(API_OFFSET_FOR_LEADER_EPOCH, "OffsetForLeaderEpoch", 0, 4, 4, offset_for_leader_epoch),
    API(API_ADD_PARTITIONS_TO_TXN, "AddPartitionsToTxn", 0, 5, 3, add_partitions_to_txn),
    API(API_ADD_OFFSETS_TO_TXN, "AddOffsetsToTxn", 0, 4, 3, add_offsets_to_txn),
    API(API_END_TXN, "EndTxn", 0, 4, 3, end_txn),
    API(API_TXN_OFFSET_COMMIT, "TxnOffsetCommit", 0, 4, 3, txn_offset_commit),
    API(API_DESCRIBE_CONFIGS, "DescribeConfigs", 0, 4, 4, describe_configs),
    API(API_ALTER_CONFIGS, "AlterConfigs", 0, 2, 2, alter_configs),
    API(API_SASL_AUTHENTICATE, "SaslAuthenticate", 0, 2, 2, sasl_authenticate),
    API(API_CREATE_PARTITIONS, "CreatePartitions", 0, 3, 2, create_partitions),
    API(API_DELETE_GROUPS, "DeleteGroups", 0, 2, 2, delete_groups),
    API(API_INCREMENTAL_ALTER_CONFIGS, "IncrementalAlterConfigs", 0, 1, 1, incremental_alter_configs),
    API(API_OFFSET_DELETE, "OffsetDelete", 0, 0, NOFLEX, offset_delete),
    API(API_DESCRIBE_CLUSTER, "DescribeCluster", 0, 1, 0, describe_cluster),
    API(API_DESCRIBE_PRODUCERS, "DescribeProducers", 0, 0, 0, describe_producers),
    API(API_DESCRIBE_TRANSACTIONS, "DescribeTransactions", 0, 0, 0, describe_transactions),
    API(API_LIST_TRANSACTIONS, "ListTransactions", 0, 1, 0, list_transactions),
};
#define NAPIS (sizeof apis / sizeof apis[0])

/* Known but not served yet (group coordinator and transactions, whose
 * handlers are pending): presented with max_ver = -1. Enabling an API is
 * deleting its line here. */
static const int16_t api_unserved[] = {
    API_DESCRIBE_PRODUCERS,
    -1, /* end marker: keeps the array non-empty when every line above is gone */
};

static struct api_info view[NAPIS];

/* Runs before main (no threads yet): builds the served view once. */
__attribute__((constructor)) static void api_build_view(void) {
    for (size_t i = 0; i < NAPIS; i++) {
        view[i] = apis[i];
        for (size_t j = 0; j < sizeof api_unserved / sizeof api_unserved[0]; j++)
            if (api_unserved[j] == apis[i].key) view[i].max_ver = -1;
    }
}

const struct api_info *api_lookup(int key) {
    for (size_t i = 0; i < NAPIS; i++)
        if (view[i].key == key) return &view[i];
    return NULL;
}

const struct api_info *api_all(int *n) {
    *n = (int)NAPIS;
    return view;
}

/* Not in api.h (the broker does not need it): every API with its real
 * version range, served or not. Declared where used (tests). */
const struct api_info *api_all_known(int *n);
const struct api_info *api_all_known(int *n) {
    *n = (int)NAPIS;
    return apis;
}
