#include "ledger/subscription_hub.h"

#include <algorithm>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ledger {
namespace {

// The dispatcher runs only when the CPU has nothing better to do (SCHED_IDLE; where that is
// refused, the nicest nice value). Lowering one's own priority needs no privilege.
void LowerThisThreadsPriority() {
  sched_param param{};
  if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) != 0) {
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
  }
}

}  // namespace

SubscriptionHub::SubscriptionHub(const EventLog* log, uint64_t max_subscriptions,
                                 uint64_t max_writing)
    : log_(log), max_subscriptions_(max_subscriptions), max_writing_(max_writing) {
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
  s.id = ++ids_;
  Queue(sink, s);
  return absl::OkStatus();
}

void SubscriptionHub::Resume(SubscriptionSink* sink) {
  absl::MutexLock lock(&mu_);
  auto it = subscribers_.find(sink);
  if (it == subscribers_.end() || it->second.ready) return;
  it->second.ready = true;
  // From inside Deliver() the hub queues it once the delivery is over.
  if (!it->second.delivering) Queue(sink, it->second);
  work_.Signal();  // (room for another writer)
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
  subscribers_.erase(sink);  // (a turn it still has in a queue is dropped when reached)
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
  return s.next <= head_ || !s.caught_up_sent;
}

void SubscriptionHub::Queue(SubscriptionSink* sink, const Subscriber& s) {
  if (HasWork(s)) {
    with_work_.push_back({sink, s.id});
    work_.Signal();
  } else {
    waiting_for_head_.push_back({sink, s.id});
  }
}

uint64_t SubscriptionHub::WritingNow() {
  const absl::Time now = absl::Now();
  auto gone = [&](const std::pair<Turn, absl::Time>& writer) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = subscribers_.find(writer.first.sink);
    return it == subscribers_.end() || it->second.id != writer.first.id || it->second.ready ||
           it->second.handed_at != writer.second || now - writer.second >= kStalledAfter;
  };
  writers_.erase(std::remove_if(writers_.begin(), writers_.end(), gone), writers_.end());
  return writers_.size();
}

SubscriptionHub::Subscriber* SubscriptionHub::Valid(const Turn& turn) {
  auto it = subscribers_.find(turn.sink);
  if (it == subscribers_.end() || it->second.id != turn.id || !it->second.ready ||
      it->second.delivering) {
    return nullptr;
  }
  return &it->second;
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
      head_ = std::max(head_, head);
      for (const Turn& turn : waiting_for_head_) with_work_.push_back(turn);
      waiting_for_head_.clear();
      work_.SignalAll();
    }
  }
}

void SubscriptionHub::Dispatch() {
  LowerThisThreadsPriority();
  std::vector<std::pair<SubscriptionSink*, Subscriber>> batch;
  while (true) {
    batch.clear();
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_) {
        while (!with_work_.empty() &&
               (max_writing_ == 0 || WritingNow() + batch.size() < max_writing_)) {
          const Turn turn = with_work_.front();
          with_work_.pop_front();
          Subscriber* s = Valid(turn);
          if (s == nullptr) continue;  // gone, or queued twice and already taken
          if (!HasWork(*s)) {
            waiting_for_head_.push_back(turn);
            continue;
          }
          s->delivering = true;
          batch.emplace_back(turn.sink, *s);
        }
        if (!batch.empty()) break;
        // Waiting for room: a writer that stalls meanwhile makes room without a signal.
        work_.WaitWithTimeout(&mu_, with_work_.empty() ? absl::Seconds(1) : kStalledAfter);
      }
      if (stopping_) break;
    }
    for (auto& [sink, copy] : batch) Serve(sink, std::move(copy), last_read_);
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
  std::vector<SharedEvent> events;
  uint64_t next = copy.next;
  if (copy.next <= head) {
    // One unfiltered read of the chunk from `next`, kept for the next subscriber at the same
    // position; each subscriber's filter is applied in memory.
    // A kept read serves if it starts here and is all there is to read: read at this head, or
    // a full chunk.
    const bool full = shared.next <= shared.head;
    if (!shared.status.ok() || shared.from != copy.next || (shared.head != head && !full)) {
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
        shared.events.push_back(std::make_shared<const engagement::v1::Event>(event));
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
    for (const SharedEvent& event : shared.events) {
      if (copy.filter.Matches(*event)) events.push_back(event);
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
    if (deliver) {
      it->second.handed_at = absl::Now();
      writers_.push_back({{sink, it->second.id}, it->second.handed_at});
    }
  }
  if (deliver) sink->Deliver(std::move(events), caught_up);
  absl::MutexLock lock(&mu_);
  auto it = subscribers_.find(sink);
  if (it != subscribers_.end()) {
    it->second.delivering = false;
    // Ready: every event of the chunk was filtered out, or the sink wrote the chunk out and
    // resumed inside Deliver(). Either way it is queued again.
    if (it->second.ready) Queue(sink, it->second);
  }
  delivered_.SignalAll();
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
  writers_.clear();
  delivered_.SignalAll();
}

}  // namespace ledger
