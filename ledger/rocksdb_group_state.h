// RocksDbEventLog::GroupState: what the commit thread knows while it numbers one group. Private
// to the log's implementation files (rocksdb_append.cc, rocksdb_replicated.cc).
#ifndef ENGAGEMENT_LEDGER_ROCKSDB_GROUP_STATE_H_
#define ENGAGEMENT_LEDGER_ROCKSDB_GROUP_STATE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "ledger/rocksdb_event_log.h"

namespace ledger {

// The log head as the group's earlier batches leave it, and the streams and ids they touched (not
// yet in RocksDB).
class RocksDbEventLog::GroupState {
 public:
  struct IdEntry {
    uint64_t position;
    std::string content;  // ClientContent of the earlier event, once computed
    uint64_t revision;
    std::string hash;
    const engagement::v1::Event* event = nullptr;  // when appended earlier in this group
  };
  uint64_t next_position = 1;
  std::string last_hash;
  uint64_t stream_count = 0;
  bool stream_count_changed = false;
  google::protobuf::Timestamp recorded_at;
  absl::flat_hash_map<std::string, StreamState> streams;
  absl::flat_hash_map<std::string, IdEntry> ids;
  // The Merkle leaf hashes of the group's new events, in position order.
  std::vector<std::string> leaves;
  // How long the group's storage write took (zero when there was nothing to write).
  absl::Duration write_time = absl::ZeroDuration();
  // Replication (group_replicator.h): the stored records of the group's new events, kept when
  // there is a replicator to send them to; the cursor the group leaves; whether the replicator
  // refused the group (which, unlike a failed write, leaves the log able to write).
  bool collect_records = false;
  std::vector<std::string> records;
  uint64_t first_position = 1;
  uint64_t cursor = 0;
  bool cursor_changed = false;
  bool replication_failed = false;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_ROCKSDB_GROUP_STATE_H_
