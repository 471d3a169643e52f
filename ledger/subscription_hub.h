// SubscriptionHub: follows the log for many subscribers with two threads, whatever their number.
//
// A subscriber reads the log from a position, then follows it live. Every event from the start
// position is delivered exactly once and in order, across the switch from catch-up to live,
// because both phases read the same thing: committed events by position, in chunks, from storage.
//
// Flow control: the hub hands a subscriber one chunk (at most kChunkEvents events and about
// kChunkBytes) and then nothing more until the subscriber calls Resume(), which it does once the
// chunk has gone out. A subscriber that never reads therefore holds one chunk of memory and no
// thread, and costs the hub nothing while it is not resumed; appends never wait for subscribers.
//
// Threads: one waits for the head to move; one reads chunks and calls the sinks. Sinks are called
// on the hub's thread, never with a lock of the hub held, so a sink may call Resume() or Remove()
// from inside Deliver().
//
// Ownership: `log` is not owned and must outlive the hub. A sink is not owned; it must stay alive
// until Remove() has returned for it (or End() has been called on it).
#ifndef ENGAGEMENT_LEDGER_SUBSCRIPTION_HUB_H_
#define ENGAGEMENT_LEDGER_SUBSCRIPTION_HUB_H_

#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "engagement/v1/event.pb.h"
#include "ledger/event_log.h"

namespace ledger {

class SubscriptionSink {
 public:
  virtual ~SubscriptionSink() = default;
  // The next matching events in position order (maybe none), and once, when every event up to
  // the then head has been delivered, that head. Nothing more comes until Resume(this).
  virtual void Deliver(std::vector<engagement::v1::Event> events,
                       std::optional<uint64_t> caught_up_head) = 0;
  // The subscription is over: the log is shutting down, or a read failed. The hub calls nothing
  // on the sink afterwards (and forgets it once this returns).
  virtual void End(const absl::Status& status) = 0;
};

// What the hub is doing, for metrics.
struct SubscriptionStats {
  uint64_t subscriptions = 0;
  // Events between a subscriber's next position and the head: the largest, and the sum.
  uint64_t max_lag = 0;
  uint64_t total_lag = 0;
  // Subscribers that have been handed a chunk not yet written out (a slow or stalled reader).
  uint64_t waiting_on_reader = 0;
};

class SubscriptionHub {
 public:
  static constexpr uint64_t kChunkEvents = 256;
  static constexpr uint64_t kChunkBytes = 1 << 20;

  SubscriptionHub(const EventLog* log, uint64_t max_subscriptions);
  ~SubscriptionHub();  // ends every remaining subscription with UNAVAILABLE

  SubscriptionHub(const SubscriptionHub&) = delete;
  SubscriptionHub& operator=(const SubscriptionHub&) = delete;

  // Starts delivering to `sink` from `from_position` (0 or 1: the first event). RESOURCE_EXHAUSTED
  // naming the limit when max_subscriptions are open; UNAVAILABLE once the log is shutting down.
  absl::Status Add(SubscriptionSink* sink, uint64_t from_position, LogFilter filter);
  // The sink has written out what it was given and takes more.
  void Resume(SubscriptionSink* sink);
  // Forgets `sink`; once this returns the hub will not call it again. Harmless if already gone.
  void Remove(SubscriptionSink* sink);

  SubscriptionStats Stats() const;
  uint64_t max_subscriptions() const { return max_subscriptions_; }

 private:
  struct Subscriber {
    uint64_t next = 1;
    LogFilter filter;
    bool ready = true;         // not waiting for the sink to write a chunk out
    bool caught_up_sent = false;
    bool delivering = false;   // the hub's thread is calling the sink outside the lock
  };

  // One read of the log, shared by the subscribers of one dispatch round at the same position.
  struct SharedRead {
    uint64_t from = 0;
    uint64_t head = 0;
    uint64_t next = 0;
    absl::Status status = absl::UnknownError("nothing read");
    std::vector<engagement::v1::Event> events;
  };

  void WatchHead();
  void Dispatch();
  // True when `s` has something to be given: events beyond it, or its first caught-up mark.
  bool HasWork(const Subscriber& s) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gives `sink` the next chunk from `copy` (taken under the lock), reading it into `shared`
  // unless the previous subscriber of the round already did.
  void Serve(SubscriptionSink* sink, Subscriber copy, SharedRead& shared);
  void EndAll(const absl::Status& status);

  const EventLog* const log_;
  const uint64_t max_subscriptions_;
  mutable absl::Mutex mu_;
  absl::CondVar work_;  // signalled when the head moves, a sink resumes, or stopping
  absl::CondVar delivered_;  // signalled when a delivery ends (Remove waits for it)
  absl::flat_hash_map<SubscriptionSink*, Subscriber> subscribers_ ABSL_GUARDED_BY(mu_);
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread::id dispatch_thread_;
  std::thread head_watcher_;
  std::thread dispatcher_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_SUBSCRIPTION_HUB_H_
