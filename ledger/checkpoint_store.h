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
  // The signed note, as served: the ledger's signature line, then the witnesses' cosignature
  // lines (cosignature.h) as they arrived.
  std::string note;
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
  // Appends cosignature lines (each "— <name> <base64>\n") to the note of the checkpoint of
  // `tree_size`, durably, leaving out any by a key (name and key ID) that already cosigned it.
  // NOT_FOUND when no checkpoint of that size is stored. The caller checks them first.
  virtual absl::Status AddCosignatures(uint64_t tree_size,
                                       const std::vector<std::string>& lines) = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_CHECKPOINT_STORE_H_
