// ReplicatedEventLog: the EventLog of one node of a replicated ledger (docs/replication.md).
//
// Reads, subscriptions, proofs and the guard's state come from the node's own RocksDbEventLog,
// which the JetStream stream keeps up to date. Appends go to the local log while this node leads
// (the log replicates each group before writing it) and to the leader otherwise
// (append_forwarding.h). Either way an append is acknowledged only once the stream has it.
//
// Ownership: holds the local log, the replica and the forwarder (not owned; they must outlive it).
#ifndef ENGAGEMENT_LEDGER_REPLICATED_EVENT_LOG_H_
#define ENGAGEMENT_LEDGER_REPLICATED_EVENT_LOG_H_

#include "ledger/append_forwarding.h"
#include "ledger/event_log.h"
#include "ledger/jetstream_replica.h"
#include "ledger/rocksdb_event_log.h"

namespace ledger {

class ReplicatedEventLog final : public EventLog {
 public:
  ReplicatedEventLog(RocksDbEventLog* local, JetStreamReplica* replica,
                     AppendForwarding* forwarding)
      : local_(local), replica_(replica), forwarding_(forwarding) {}

  void AppendAsync(AppendBatch batch, AppendCallback done) override;
  absl::StatusOr<AppendResult> Append(AppendBatch batch) override;

  absl::Status ReadStream(const StreamReadOptions& options, EventVisitor visit) const override {
    return local_->ReadStream(options, visit);
  }
  absl::Status ReadLog(const LogReadOptions& options, EventVisitor visit) const override {
    return local_->ReadLog(options, visit);
  }
  LogHead Head() const override { return local_->Head(); }
  absl::StatusOr<StreamInfo> GetStreamInfo(absl::string_view stream) const override {
    return local_->GetStreamInfo(stream);
  }
  uint64_t WaitForHeadBeyond(uint64_t position, absl::Duration timeout) const override {
    return local_->WaitForHeadBeyond(position, timeout);
  }
  void BeginShutdown() override { local_->BeginShutdown(); }
  bool ShuttingDown() const override { return local_->ShuttingDown(); }
  absl::StatusOr<std::string> TreeRoot(uint64_t tree_size) const override {
    return local_->TreeRoot(tree_size);
  }
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t position,
                                                          uint64_t tree_size) const override {
    return local_->InclusionProof(position, tree_size);
  }
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size,
                                                            uint64_t new_size) const override {
    return local_->ConsistencyProof(old_size, new_size);
  }
  absl::StatusOr<std::optional<std::string>> ReadGuardState(absl::string_view key) const override {
    return local_->ReadGuardState(key);
  }
  absl::StatusOr<uint64_t> InstallAppendGuard(AppendGuard* guard,
                                              ReplayProgress progress = nullptr) override {
    return local_->InstallAppendGuard(guard, std::move(progress));
  }

 private:
  RocksDbEventLog* const local_;
  JetStreamReplica* const replica_;
  AppendForwarding* const forwarding_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_REPLICATED_EVENT_LOG_H_
