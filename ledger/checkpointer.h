// Checkpointer: signs checkpoints of the log's Merkle tree and checks the log against them.
//
// It never signs two checkpoints that disagree: before signing the tree of size n it checks that
// the tree still has the root of the latest checkpoint (size m) and that the tree of size n is
// consistent with it (an RFC 9162 consistency proof, verified). On start, VerifySinceLatest
// re-hashes only the events after the latest checkpoint (chain and tree), so start-up time grows
// with the unverified tail, not with the log.
//
// Thread safety: all methods may be called concurrently (one signs at a time). The log, the store
// and the tree are not owned and must outlive the checkpointer.
#ifndef ENGAGEMENT_LEDGER_CHECKPOINTER_H_
#define ENGAGEMENT_LEDGER_CHECKPOINTER_H_

#include <functional>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/checkpoint.h"
#include "ledger/checkpoint_store.h"
#include "ledger/event_log.h"
#include "ledger/merkle_tree.h"

namespace ledger {

class Checkpointer {
 public:
  Checkpointer(const EventLog* log, const MerkleNodeStore* tree, CheckpointStore* store,
               CheckpointSigner signer)
      : log_(log), tree_(tree), store_(store), signer_(std::move(signer)) {}

  // Checks the latest checkpoint's root against the tree, then re-hashes every event after it:
  // the chain from the checkpoint on, and the tree's leaves and root. Returns how many events it
  // re-hashed, or DATA_LOSS naming the first bad position.
  absl::StatusOr<uint64_t> VerifySinceLatest();

  // Signs the head's tree unless the latest checkpoint already covers it (then returns that one).
  // DATA_LOSS, and nothing signed, when the tree disagrees with the latest checkpoint. A new
  // checkpoint is saved, then given to the witnessing (SetWitnessing) before SignHead returns it
  // with whatever cosignatures that stored. FAILED_PRECONDITION once halted.
  absl::StatusOr<StoredCheckpoint> SignHead(absl::Time now);

  // Called with each new checkpoint, after it is saved and before the next is signed (so
  // witnesses see checkpoints in order). An ABORTED status from it halts the checkpointer: a
  // witness has seen another history, and signing more would sign over it.
  using Witnessing = std::function<absl::Status(const StoredCheckpoint&)>;
  void SetWitnessing(Witnessing witnessing);

  // Signs no checkpoint from now on; SignHead answers FAILED_PRECONDITION with `reason`.
  void Halt(const absl::Status& reason);
  // OK, or why it halted.
  absl::Status halted() const;

  // The note of `checkpoint` signed but not stored (to ask witnesses what they have seen before
  // signing anything new; see services/checkpoint_witnessing.h).
  absl::StatusOr<std::string> SignUnsaved(const Checkpoint& checkpoint) const {
    return signer_.Sign(checkpoint);
  }

  const CheckpointSigner& signer() const { return signer_; }

 private:
  absl::Status CheckAgainstLatest(uint64_t new_size, const std::string& new_root,
                                  const std::optional<StoredCheckpoint>& latest) const;

  const EventLog* log_;
  const MerkleNodeStore* tree_;
  CheckpointStore* store_;
  CheckpointSigner signer_;
  absl::Mutex mu_;
  Witnessing witnessing_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex halt_mu_;
  absl::Status halted_ ABSL_GUARDED_BY(halt_mu_);
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_CHECKPOINTER_H_
