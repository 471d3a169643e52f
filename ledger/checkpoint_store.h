// CheckpointStore: where the ledger keeps every checkpoint it has signed, for ever.
//
// A checkpoint commits to the Merkle tree of the first `tree_size` events (checkpoint.h); the
// store keeps the signed note and the root it commits to, keyed by tree size.
#ifndef ENGAGEMENT_LEDGER_CHECKPOINT_STORE_H_
#define ENGAGEMENT_LEDGER_CHECKPOINT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ledger {

struct StoredCheckpoint {
  uint64_t tree_size = 0;
  std::string root_hash;  // 32 raw bytes
  std::string note;       // the signed note, as served
};

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // Saves durably. ALREADY_EXISTS when a different checkpoint of that size is stored.
  virtual absl::Status SaveCheckpoint(const StoredCheckpoint& checkpoint) = 0;
  // The checkpoint of the largest tree size, or nullopt when none was signed.
  virtual absl::StatusOr<std::optional<StoredCheckpoint>> LatestCheckpoint() const = 0;
  // Every checkpoint, by tree size.
  virtual absl::StatusOr<std::vector<StoredCheckpoint>> ListCheckpoints() const = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_CHECKPOINT_STORE_H_
