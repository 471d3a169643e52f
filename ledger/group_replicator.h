// GroupReplicator: where the commit thread sends each group of appends before it writes them.
//
// A replicated ledger (docs/replication.md) makes a replicated log, not the local disk, the point
// at which an append is durable: the leader's commit thread numbers, checks and hashes a group as
// usual, hands the stored records to the replicator, and writes them locally only once the
// replicator says they are in the replicated log. Every node, the leader included, applies the
// replicated log in order (RocksDbEventLog::ApplyReplicated), so the local log of each node is a
// prefix of it.
//
// The cursor: the replicated log's own sequence number of the last message a local log reflects,
// stored with the records (RocksDbEventLog::ReplicationCursor). A replicator must refuse to add
// records unless the replicated log still ends at `after_cursor` (for JetStream: the expected
// last sequence), which is what stops two leaders from forking the log.
//
// Thread safety: called from the log's commit thread only, one group at a time.
#ifndef ENGAGEMENT_LEDGER_GROUP_REPLICATOR_H_
#define ENGAGEMENT_LEDGER_GROUP_REPLICATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ledger {

class GroupReplicator {
 public:
  virtual ~GroupReplicator() = default;

  // Adds `records` (each as stored: chain hash, then canonical record; the first at
  // `first_position`) to the replicated log directly after the message `after_cursor`, and returns
  // the cursor of the last message written once the replicated log has acknowledged them. Any
  // error means the group is not acknowledged and may or may not be in the replicated log: the
  // log then forgets the group, and this node must not append again before it has applied the
  // replicated log up to its end.
  virtual absl::StatusOr<uint64_t> Replicate(uint64_t after_cursor, uint64_t first_position,
                                             const std::vector<std::string>& records) = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_GROUP_REPLICATOR_H_
