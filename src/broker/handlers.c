/* handlers: the dispatch table from ApiKey to handler. An API the table
 * lacks is not advertised in ApiVersions and closes the connection if sent. */
#include "broker/core.h"

handler_fn handler_for(int api_key) {
    switch (api_key) {
    case API_API_VERSIONS: return h_api_versions;
    case API_METADATA: return h_metadata;
    case API_PRODUCE: return h_produce;
    case API_FETCH: return h_fetch;
    case API_LIST_OFFSETS: return h_list_offsets;
    case API_OFFSET_FOR_LEADER_EPOCH: return h_offset_for_leader_epoch;
    case API_CREATE_TOPICS: return h_create_topics;
    case API_DELETE_TOPICS: return h_delete_topics;
    case API_CREATE_PARTITIONS: return h_create_partitions;
    case API_DELETE_RECORDS: return h_delete_records;
    case API_DESCRIBE_CONFIGS: return h_describe_configs;
    case API_ALTER_CONFIGS: return h_alter_configs;
    case API_INCREMENTAL_ALTER_CONFIGS: return h_incremental_alter_configs;
    case API_DESCRIBE_CLUSTER: return h_describe_cluster;
    case API_INIT_PRODUCER_ID: return h_init_producer_id;
    case API_ADD_PARTITIONS_TO_TXN: return h_add_partitions_to_txn;
    case API_ADD_OFFSETS_TO_TXN: return h_add_offsets_to_txn;
    case API_END_TXN: return h_end_txn;
    case API_TXN_OFFSET_COMMIT: return h_txn_offset_commit;
    case API_DESCRIBE_TRANSACTIONS: return h_describe_transactions;
    case API_LIST_TRANSACTIONS: return h_list_transactions;
    case API_FIND_COORDINATOR: return h_find_coordinator;
    case API_JOIN_GROUP: return h_join_group;
    case API_SYNC_GROUP: return h_sync_group;
    case API_HEARTBEAT: return h_heartbeat;
    case API_LEAVE_GROUP: return h_leave_group;
    case API_OFFSET_COMMIT: return h_offset_commit;
    case API_OFFSET_FETCH: return h_offset_fetch;
    case API_OFFSET_DELETE: return h_offset_delete;
    case API_LIST_GROUPS: return h_list_groups;
    case API_DESCRIBE_GROUPS: return h_describe_groups;
    case API_DELETE_GROUPS: return h_delete_groups;
    }
    return 0;
}
