#include "ledger/subscription_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ledger {

SubscriptionHub::SubscriptionHub(const EventLog* log, uint64_t max_subscriptions)
    : log_(log), max_subscriptions_(max_subscriptions) {
  {
    absl::MutexLock lock(&mu_);
    head_ = log_->Head().position;
  }
  head_watcher_ = std::thread([this] { WatchHead(); });
  dispatcher_ = std::thread([this] { Dispatch(); });
  dispatch_thread_ = dispatcher_.get_id();
}

SubscriptionHub::~SubscriptionHub() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    work_.SignalAll();
  }
  head_watcher_.join();
  dispatcher_.join();
  EndAll(absl::UnavailableError("the ledger is shutting down; resubscribe"));
}

absl::Status SubscriptionHub::Add(SubscriptionSink* sink, uint64_t from_position,
                                  LogFilter filter) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || log_->ShuttingDown()) {
    return absl::UnavailableError("the ledger is shutting down; resubscribe");
  }
  if (subscribers_.size() >= max_subscriptions_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "subscriptions: ", subscribers_.size(), " are open, the server's limit (ledgerd "
        "--max_subscriptions); close one, or ask the operator to raise it"));
  }
  Subscriber& s = subscribers_[sink];
  s.next = std::max<uint64_t>(from_position, 1);
  s.filter = std::move(filter);
  work_.Signal();
  return absl::OkStatus();
}

void SubscriptionHub::Resume(SubscriptionSink* sink) {
  absl::MutexLock lock(&mu_);
  auto it = subscribers_.find(sink);
  if (it == subscribers_.end()) return;
  it->second.ready = true;
  work_.Signal();
}

void SubscriptionHub::Remove(SubscriptionSink* sink) {
  absl::MutexLock lock(&mu_);
  // A sink removing itself from inside Deliver() is on the dispatcher: it must not wait for
  // itself. Anyone else waits until the dispatcher has let go of the sink.
  if (std::this_thread::get_id() != dispatch_thread_) {
    while (true) {
      auto it = subscribers_.find(sink);
      if (it == subscribers_.end() || !it->second.delivering) break;
      delivered_.Wait(&mu_);
    }
  }
  subscribers_.erase(sink);
}

SubscriptionStats SubscriptionHub::Stats() const {
  absl::MutexLock lock(&mu_);
  SubscriptionStats stats;
  stats.subscriptions = subscribers_.size();
  for (const auto& [sink, s] : subscribers_) {
    uint64_t lag = s.next <= head_ ? head_ - s.next + 1 : 0;
    stats.max_lag = std::max(stats.max_lag, lag);
    stats.total_lag += lag;
    if (!s.ready) ++stats.waiting_on_reader;
  }
  return stats;
}

bool SubscriptionHub::HasWork(const Subscriber& s) const {
  return s.ready && !s.delivering && (s.next <= head_ || !s.caught_up_sent);
}

void SubscriptionHub::WatchHead() {
  uint64_t seen;
  {
    absl::MutexLock lock(&mu_);
    seen = head_;
  }
  while (true) {
    uint64_t head = log_->WaitForHeadBeyond(seen, absl::Milliseconds(500));
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    if (log_->ShuttingDown()) {
      stopping_ = true;
      work_.SignalAll();
      return;
    }
    if (head != seen) {
      seen = head;
      head_ = head;
      work_.SignalAll();
    }
  }
}

void SubscriptionHub::Dispatch() {
  std::vector<std::pair<SubscriptionSink*, Subscriber>> batch;
  while (true) {
    batch.clear();
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_) {
        for (auto& [sink, s] : subscribers_) {
          if (!HasWork(s)) continue;
          s.delivering = true;
          batch.emplace_back(sink, s);
        }
        if (!batch.empty()) break;
        work_.WaitWithTimeout(&mu_, absl::Seconds(1));
      }
      if (stopping_) break;
    }
    // Subscribers at the same position (the usual case: all caught up) share one read.
    SharedRead shared;
    for (auto& [sink, copy] : batch) Serve(sink, std::move(copy), shared);
  }
  EndAll(absl::UnavailableError("the ledger is shutting down; resubscribe"));
}

void SubscriptionHub::Serve(SubscriptionSink* sink, Subscriber copy, SharedRead& shared) {
  // The log's head now, not the watcher's last sight of it: a caught-up mark must never come
  // before an event acknowledged before the subscription began.
  const uint64_t head = log_->Head().position;
  {
    absl::MutexLock lock(&mu_);
    head_ = std::max(head_, head);
  }
  std::vector<engagement::v1::Event> events;
  uint64_t next = copy.next;
  if (copy.next <= head) {
    // One unfiltered read of the chunk from `next`, kept for the next subscriber at the same
    // position; each subscriber's filter is applied in memory.
    if (!shared.status.ok() || shared.from != copy.next || shared.head != head) {
      shared = SharedRead();
      shared.from = copy.next;
      shared.head = head;
      LogReadOptions options;
      options.from_position = copy.next;
      options.to_position = std::min(head, copy.next + kChunkEvents - 1);
      shared.next = options.to_position + 1;
      uint64_t bytes = 0;
      shared.status = log_->ReadLog(options, [&](const engagement::v1::Event& event,
                                                 absl::string_view record) {
        shared.events.push_back(event);
        bytes += record.size();
        if (bytes < kChunkBytes) return true;
        shared.next = event.position() + 1;  // the rest of the range comes in the next chunk
        return false;
      });
    }
    if (!shared.status.ok()) {
      sink->End(shared.status);  // still marked as delivering: a Remove() waits for this
      absl::MutexLock lock(&mu_);
      subscribers_.erase(sink);
      delivered_.SignalAll();
      return;
    }
    next = shared.next;
    for (const engagement::v1::Event& event : shared.events) {
      if (copy.filter.Matches(event)) events.push_back(event);
    }
  }
  std::optional<uint64_t> caught_up;
  if (next > head && !copy.caught_up_sent) caught_up = head;
  const bool deliver = !events.empty() || caught_up.has_value();
  {
    absl::MutexLock lock(&mu_);
    auto it = subscribers_.find(sink);
    if (it == subscribers_.end()) return;  // removed meanwhile (it did not wait: never here)
    it->second.next = next;
    if (caught_up) it->second.caught_up_sent = true;
    // Nothing to hand over (every event of the chunk filtered out): still ready for the next.
    it->second.ready = !deliver;
  }
  if (deliver) sink->Deliver(std::move(events), caught_up);
  absl::MutexLock lock(&mu_);
  auto it = subscribers_.find(sink);
  if (it != subscribers_.end()) it->second.delivering = false;
  delivered_.SignalAll();
  work_.Signal();
}

void SubscriptionHub::EndAll(const absl::Status& status) {
  // Each sink stays in the map, marked as being delivered to, until End() has returned: a
  // Remove() meanwhile (the call's OnDone) waits, so the sink is not freed under End().
  std::vector<SubscriptionSink*> ending;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [sink, s] : subscribers_) {
      s.delivering = true;
      ending.push_back(sink);
    }
  }
  for (SubscriptionSink* sink : ending) sink->End(status);
  absl::MutexLock lock(&mu_);
  for (SubscriptionSink* sink : ending) subscribers_.erase(sink);
  delivered_.SignalAll();
}

}  // namespace ledger
