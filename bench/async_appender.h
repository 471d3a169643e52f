// AsyncAppender: hands appends to an EventLog without waiting for each, at most N at a time, so
// that the log's group commit sees many appends per group. Keeps the first error.
#ifndef ENGAGEMENT_BENCH_ASYNC_APPENDER_H_
#define ENGAGEMENT_BENCH_ASYNC_APPENDER_H_

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "ledger/event_log.h"

namespace bench {

class AsyncAppender {
 public:
  AsyncAppender(ledger::EventLog& log, size_t max_in_flight)
      : log_(log), max_in_flight_(std::max<size_t>(1, max_in_flight)) {}
  ~AsyncAppender() { Finish().IgnoreError(); }

  // Queues one append (expected revision "any"), first waiting for room. False once an append has
  // failed (see Finish).
  bool Append(const std::string& stream, std::vector<engagement::v1::Event> events) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &AsyncAppender::HasRoom));
      if (!error_.ok()) return false;
      ++in_flight_;
    }
    log_.AppendAsync({stream, ledger::ExpectedRevision::Any(), std::move(events)},
                     [this](absl::StatusOr<ledger::AppendResult> result) {
                       absl::MutexLock lock(&mu_);
                       --in_flight_;
                       if (!result.ok() && error_.ok()) error_ = result.status();
                     });
    return true;
  }

  // Records an error found before appending, so that Finish returns it.
  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (error_.ok()) error_ = std::move(status);
  }

  // Waits for every queued append to complete; returns the first error.
  absl::Status Finish() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &AsyncAppender::Idle));
    return error_;
  }

 private:
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_flight_ < max_in_flight_ || !error_.ok();
  }
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; }

  ledger::EventLog& log_;
  const size_t max_in_flight_;
  absl::Mutex mu_;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bench

#endif  // ENGAGEMENT_BENCH_ASYNC_APPENDER_H_
