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
// Appends first: writing every event to every subscriber costs CPU per event per subscriber, on
// the cores the appends use. So the dispatcher runs at the lowest CPU priority (SCHED_IDLE), and
// at most `max_writing` subscribers are handed a chunk at once (one whose reader has stopped
// reading soon stops counting): a new chunk goes out only when the CPU has nothing better to do. Under load subscribers lag (the metrics show by how much) and
// catch up when the appends slow; appends keep their latency.
//
// Turns: subscribers with something to receive wait in one queue and are served in turn, so
// picking the next costs the same with ten subscribers or ten thousand; those that have
// everything wait apart until the head moves. The last chunk read is kept for the next
// subscriber at the same position, so a crowd of caught-up subscribers costs one read.
//
// Ownership: `log` is not owned and must outlive the hub. A sink is not owned; it must stay alive
// until Remove() has returned for it (or End() has been called on it).
#ifndef ENGAGEMENT_LEDGER_SUBSCRIPTION_HUB_H_
#define ENGAGEMENT_LEDGER_SUBSCRIPTION_HUB_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engagement/v1/event.pb.h"
#include "ledger/event_log.h"

namespace ledger {

// An event read once and handed to every subscriber it matches, without a copy each.
using SharedEvent = std::shared_ptr<const engagement::v1::Event>;

class SubscriptionSink {
 public:
  virtual ~SubscriptionSink() = default;
  // The next matching events in position order (maybe none), and once, when every event up to
  // the then head has been delivered, that head. Nothing more comes until Resume(this). The
  // events are shared with the other subscribers given the same chunk, and must not be changed.
  virtual void Deliver(std::vector<SharedEvent> events,
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
  // A subscriber that has not written its chunk out by then is waiting for its reader (flow
  // control), not using CPU: it no longer counts against `max_writing`.
  static constexpr absl::Duration kStalledAfter = absl::Milliseconds(5);

  // `max_writing`: subscribers handed a chunk they have not yet written out, at most (0: no
  // limit).
  SubscriptionHub(const EventLog* log, uint64_t max_subscriptions, uint64_t max_writing = 0);
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
    uint64_t id = 0;           // tells this subscription from a later one at the same address
    absl::Time handed_at;      // when it was last handed a chunk
  };
  // A place in one of the queues; stale once the subscriber is gone or has been taken out.
  struct Turn {
    SubscriptionSink* sink;
    uint64_t id;
  };

  // The last read of the log, kept for the next subscriber at the same position.
  struct SharedRead {
    uint64_t from = 0;
    uint64_t head = 0;
    uint64_t next = 0;
    absl::Status status = absl::UnknownError("nothing read");
    std::vector<SharedEvent> events;
  };

  void WatchHead();
  void Dispatch();
  // True when `s` has something to be given: events beyond it, or its first caught-up mark.
  bool HasWork(const Subscriber& s) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues a ready subscriber: for a turn when it has work, else until the head moves.
  void Queue(SubscriptionSink* sink, const Subscriber& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Subscribers writing a chunk out now, those that have stalled not counted.
  uint64_t WritingNow() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The subscriber a turn stands for, if it is still that one and may be given a chunk.
  Subscriber* Valid(const Turn& turn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gives `sink` the next chunk from `copy` (taken under the lock), reading it into `shared`
  // unless the previous subscriber of the round already did.
  void Serve(SubscriptionSink* sink, Subscriber copy, SharedRead& shared);
  void EndAll(const absl::Status& status);

  const EventLog* const log_;
  const uint64_t max_subscriptions_;
  const uint64_t max_writing_;
  mutable absl::Mutex mu_;
  absl::CondVar work_;  // signalled when the head moves, a sink resumes, or stopping
  absl::CondVar delivered_;  // signalled when a delivery ends (Remove waits for it)
  absl::flat_hash_map<SubscriptionSink*, Subscriber> subscribers_ ABSL_GUARDED_BY(mu_);
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;
  // Subscribers handed a chunk, with when; those not done after kStalledAfter are left out.
  std::vector<std::pair<Turn, absl::Time>> writers_ ABSL_GUARDED_BY(mu_);
  uint64_t ids_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Turn> with_work_ ABSL_GUARDED_BY(mu_);       // served first in, first out
  std::vector<Turn> waiting_for_head_ ABSL_GUARDED_BY(mu_);  // caught up: queued when it moves
  SharedRead last_read_;  // the dispatcher's only
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread::id dispatch_thread_;
  std::thread head_watcher_;
  std::thread dispatcher_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_SUBSCRIPTION_HUB_H_
