#include "services/log_subscription.h"

#include <utility>

#include "services/grpc_status.h"

namespace services {

LogSubscription::LogSubscription(ledger::SubscriptionHub* hub, uint64_t from_position,
                                 ledger::LogFilter filter, uint32_t per_message)
    : hub_(hub), per_message_(per_message) {
  absl::Status added = hub_->Add(this, from_position, std::move(filter));
  if (!added.ok()) {
    absl::MutexLock lock(&mu_);
    FinishLocked(added);
  }
}

LogSubscription::LogSubscription(const absl::Status& refused) : hub_(nullptr) {
  absl::MutexLock lock(&mu_);
  FinishLocked(refused);
}

void LogSubscription::Deliver(std::vector<engagement::v1::Event> events,
                              std::optional<uint64_t> caught_up_head) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  if (per_message_ <= 1) {
    for (engagement::v1::Event& event : events) {
      queue_.emplace_back();
      *queue_.back().mutable_event() = std::move(event);
    }
  } else {
    // Batches of up to per_message_ events, and about 1 MiB; the last one queued (not being
    // written) takes more.
    size_t bytes = queue_.empty() ? 0 : queue_.back().ByteSizeLong();
    for (engagement::v1::Event& event : events) {
      if (queue_.empty() || !queue_.back().has_events() ||
          static_cast<uint32_t>(queue_.back().events().events_size()) >= per_message_ ||
          bytes >= (1u << 20) || (writing_ && queue_.size() == 1)) {
        queue_.emplace_back();  // (never the message being written)
        bytes = 0;
      }
      bytes += event.ByteSizeLong();
      *queue_.back().mutable_events()->add_events() = std::move(event);
    }
  }
  if (caught_up_head.has_value()) {
    queue_.emplace_back();
    queue_.back().mutable_caught_up()->set_head_position(*caught_up_head);
  }
  if (!writing_ && !queue_.empty()) WriteFrontLocked();
}

void LogSubscription::End(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  if (writing_) {
    end_ = status;  // after what is already queued
  } else {
    FinishLocked(status);
  }
}

void LogSubscription::OnWriteDone(bool ok) {
  bool resume = false;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {  // the client has gone
      FinishLocked(absl::CancelledError("cancelled by the client"));
      return;
    }
    if (!queue_.empty()) queue_.pop_front();
    if (finished_) return;
    if (!queue_.empty()) {
      WriteFrontLocked();
    } else if (end_.has_value()) {
      FinishLocked(*end_);
    } else {
      resume = true;
    }
  }
  if (resume) hub_->Resume(this);
}

void LogSubscription::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(absl::CancelledError("cancelled by the client"));
}

void LogSubscription::OnDone() {
  if (hub_ != nullptr) hub_->Remove(this);  // waits until the hub has let go of this
  delete this;
}

void LogSubscription::WriteFrontLocked() {
  writing_ = true;
  // While more are queued behind it, gRPC may hold this message and send it with the next ones:
  // a chunk goes out in a few TCP writes instead of one per event.
  grpc::WriteOptions options;
  if (queue_.size() > 1) options.set_buffer_hint();
  StartWrite(&queue_.front(), options);
}

void LogSubscription::FinishLocked(const absl::Status& status) {
  if (finished_) return;
  finished_ = true;
  // The message being written stays until its OnWriteDone; the rest are dropped.
  while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
  Finish(ToGrpcStatus(status));
}

}  // namespace services
