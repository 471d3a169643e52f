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

LogSubscription::Outgoing::~Outgoing() {
  if (message.has_event()) message.unsafe_arena_release_event();
  if (message.has_events()) {
    auto* events = message.mutable_events()->mutable_events();
    while (!events->empty()) events->UnsafeArenaReleaseLast();
  }
}

void LogSubscription::Deliver(std::vector<ledger::SharedEvent> events,
                              std::optional<uint64_t> caught_up_head) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  // The message only reads the event (to serialize it); it is given back in ~Outgoing.
  auto shared = [](const ledger::SharedEvent& event) {
    return const_cast<engagement::v1::Event*>(event.get());
  };
  if (per_message_ <= 1) {
    for (ledger::SharedEvent& event : events) {
      Outgoing& out = queue_.emplace_back();
      out.message.unsafe_arena_set_allocated_event(shared(event));
      out.held.push_back(std::move(event));
    }
  } else {
    // Batches of up to per_message_ events, and about 1 MiB; the last one queued (not being
    // written) takes more.
    size_t bytes = queue_.empty() ? 0 : queue_.back().message.ByteSizeLong();
    for (ledger::SharedEvent& event : events) {
      if (queue_.empty() || !queue_.back().message.has_events() ||
          static_cast<uint32_t>(queue_.back().message.events().events_size()) >= per_message_ ||
          bytes >= (1u << 20) || (writing_ && queue_.size() == 1)) {
        queue_.emplace_back();  // (never the message being written)
        bytes = 0;
      }
      Outgoing& out = queue_.back();
      bytes += event->ByteSizeLong();
      out.message.mutable_events()->mutable_events()->UnsafeArenaAddAllocated(shared(event));
      out.held.push_back(std::move(event));
    }
  }
  if (caught_up_head.has_value()) {
    queue_.emplace_back().message.mutable_caught_up()->set_head_position(*caught_up_head);
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
  // No buffer hint: gRPC 1.51 may then hold the message, and this write's OnWriteDone, until a
  // later write, which this reactor only starts from OnWriteDone. A subscriber from an earlier
  // position then never got its first event (found by the cluster test, tests/e2e/
  // cluster_test.cc). Subscribers that want fewer writes ask for events_per_message.
  StartWrite(&queue_.front().message);
}

void LogSubscription::FinishLocked(const absl::Status& status) {
  if (finished_) return;
  finished_ = true;
  // The message being written stays until its OnWriteDone; the rest are dropped.
  while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
  Finish(ToGrpcStatus(status));
}

}  // namespace services
