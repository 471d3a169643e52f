#include "ledger/replicated_event_log.h"

#include <utility>

#include "absl/synchronization/notification.h"

namespace ledger {

void ReplicatedEventLog::AppendAsync(AppendBatch batch, AppendCallback done) {
  if (batch.events.empty()) {
    done(absl::InvalidArgumentError("events: at least one is required"));
    return;
  }
  // Should the lease be lost meanwhile, the local log's group fails in Replicate: never a write
  // the stream does not have.
  if (replica_->IsLeader()) {
    local_->AppendAsync(std::move(batch), std::move(done));
  } else {
    forwarding_->Forward(std::move(batch), std::move(done));
  }
}

absl::StatusOr<AppendResult> ReplicatedEventLog::Append(AppendBatch batch) {
  absl::Notification answered;
  absl::StatusOr<AppendResult> outcome;
  AppendAsync(std::move(batch), [&](absl::StatusOr<AppendResult> result) {
    outcome = std::move(result);
    answered.Notify();
  });
  answered.WaitForNotification();
  return outcome;
}

}  // namespace ledger
