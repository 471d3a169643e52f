#include "ledger/checkpointer.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/chain_verifier.h"
#include "ledger/hash_chain.h"

namespace ledger {

absl::Status Checkpointer::CheckAgainstLatest(uint64_t new_size, const std::string& new_root,
                                              const std::optional<StoredCheckpoint>& latest) const {
  if (!latest.has_value() || latest->tree_size == 0) return absl::OkStatus();
  absl::StatusOr<std::string> old_root = log_->TreeRoot(latest->tree_size);
  if (!old_root.ok()) return old_root.status();
  if (*old_root != latest->root_hash) {
    return absl::DataLossError(absl::StrCat(
        "the tree of the first ", latest->tree_size,
        " events no longer has the root the ledger signed: history was rewritten"));
  }
  absl::StatusOr<std::vector<std::string>> proof =
      log_->ConsistencyProof(latest->tree_size, new_size);
  if (!proof.ok()) return proof.status();
  absl::Status consistent =
      VerifyConsistency(latest->tree_size, new_size, *proof, latest->root_hash, new_root);
  if (!consistent.ok()) {
    return absl::DataLossError(absl::StrCat("the tree of ", new_size,
                                            " events is not consistent with the checkpoint of ",
                                            latest->tree_size, ": ", consistent.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Checkpointer::VerifySinceLatest() {
  absl::StatusOr<std::optional<StoredCheckpoint>> latest = store_->LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  uint64_t from = latest->has_value() ? (*latest)->tree_size : 0;
  uint64_t head = log_->Head().position;
  if (from > head) {
    return absl::DataLossError(absl::StrCat("the ledger signed a checkpoint of ", from,
                                            " events but the log ends at ", head));
  }
  std::string previous = GenesisHash();
  if (from > 0) {
    absl::StatusOr<std::string> root = log_->TreeRoot(from);
    if (!root.ok()) return root.status();
    if (*root != (*latest)->root_hash) {
      return absl::DataLossError(absl::StrCat("the tree of the first ", from,
                                              " events does not match the signed checkpoint"));
    }
    LogReadOptions one{from, from, 0, {}};
    absl::Status read = log_->ReadLog(one, [&](const engagement::v1::Event& e, absl::string_view) {
      previous = e.hash();
      return false;
    });
    if (!read.ok()) return read;
  }
  // The tail: chain links and leaves, from the checkpoint's frontier.
  absl::StatusOr<MerkleAppender> appender = MerkleAppender::Restore(*tree_, from);
  if (!appender.ok()) return appender.status();
  ChainVerifier chain(from, previous);
  absl::Status failure;
  std::vector<std::string> leaves;
  auto flush = [&]() -> absl::Status {
    absl::StatusOr<std::vector<MerkleNode>> nodes = appender->Append(leaves);
    leaves.clear();
    return nodes.status();
  };
  LogReadOptions tail{from + 1, head, 0, {}};
  absl::Status read =
      from >= head ? absl::OkStatus()
                   : log_->ReadLog(tail, [&](const engagement::v1::Event& e,
                                             absl::string_view record) {
                       failure = chain.Add(e.position(), e.hash(), record);
                       if (!failure.ok()) return false;
                       leaves.push_back(MerkleLeafHash(record));
                       if (leaves.size() >= 100000) failure = flush();
                       return failure.ok();
                     });
  if (!failure.ok()) return failure;
  if (!read.ok()) return read;
  absl::Status flushed = flush();
  if (!flushed.ok()) return flushed;
  absl::StatusOr<std::string> stored_root = log_->TreeRoot(head);
  if (!stored_root.ok()) return stored_root.status();
  if (appender->RootHash() != *stored_root) {
    return absl::DataLossError(absl::StrCat(
        "the Merkle tree stored for ", head, " events does not match the records after position ",
        from));
  }
  return head - from;
}

void Checkpointer::SetWitnessing(Witnessing witnessing) {
  absl::MutexLock lock(&mu_);
  witnessing_ = std::move(witnessing);
}

void Checkpointer::Halt(const absl::Status& reason) {
  absl::MutexLock lock(&halt_mu_);
  if (halted_.ok()) halted_ = reason;
}

absl::Status Checkpointer::halted() const {
  absl::MutexLock lock(&halt_mu_);
  return halted_;
}

absl::StatusOr<StoredCheckpoint> Checkpointer::SignHead(absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (absl::Status stopped = halted(); !stopped.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint signing is halted: ", stopped.message()));
  }
  absl::StatusOr<std::optional<StoredCheckpoint>> latest = store_->LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  uint64_t size = log_->Head().position;
  if (latest->has_value() && (*latest)->tree_size >= size) return **latest;
  absl::StatusOr<std::string> root = log_->TreeRoot(size);
  if (!root.ok()) return root.status();
  absl::Status consistent = CheckAgainstLatest(size, *root, *latest);
  if (!consistent.ok()) return consistent;
  Checkpoint checkpoint;
  checkpoint.origin = signer_.origin();
  checkpoint.tree_size = size;
  checkpoint.root_hash = *root;
  checkpoint.extensions.push_back(
      absl::StrCat("timestamp ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone())));
  absl::StatusOr<std::string> note = signer_.Sign(checkpoint);
  if (!note.ok()) return note.status();
  StoredCheckpoint stored{size, *root, *note};
  absl::Status saved = store_->SaveCheckpoint(stored);
  if (!saved.ok()) return saved;
  if (!witnessing_) return stored;
  absl::Status witnessed = witnessing_(stored);
  if (absl::IsAborted(witnessed)) Halt(witnessed);
  // With whatever cosignatures the witnessing stored.
  absl::StatusOr<std::optional<StoredCheckpoint>> cosigned = store_->LatestCheckpoint();
  if (cosigned.ok() && cosigned->has_value() && (*cosigned)->tree_size == size) return **cosigned;
  return stored;
}

}  // namespace ledger
