// StreamProducer: one producer of append_bench's --stream_depth mode: a single AppendStream call
// on which it keeps up to `depth` appends in flight until `end`, recording each append's latency
// (from its write to its answer). gRPC's callback API: no thread of its own.
#ifndef ENGAGEMENT_BENCH_STREAM_PRODUCER_H_
#define ENGAGEMENT_BENCH_STREAM_PRODUCER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <deque>
#include <functional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engagement/v1/ledger_service.grpc.pb.h"

class StreamProducer final
    : public grpc::ClientBidiReactor<engagement::v1::AppendStreamRequest,
                                     engagement::v1::AppendStreamResponse> {
 public:
  // `next` fills the next append (a new stream, new ids). `running` is decremented once done.
  StreamProducer(engagement::v1::LedgerService::Stub* stub, int depth, absl::Time end,
                 std::function<void(engagement::v1::AppendEventsRequest*)> next,
                 std::atomic<int>* running)
      : depth_(depth), end_(end), next_(std::move(next)), running_(running) {
    stub->async()->AppendStream(&context_, this);
    StartRead(&response_);
    {
      absl::MutexLock lock(&mu_);
      MaybeWriteLocked();
    }
    StartCall();
  }

  std::vector<double> latencies;  // ms; read once `running` has reached zero
  int errors = 0;

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) ++errors;
    MaybeWriteLocked();
  }

  void OnReadDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    if (!ok) return;  // the call is ending; OnDone follows
    latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent_.front()));
    sent_.pop_front();
    if (response_.has_refused()) ++errors;
    StartRead(&response_);
    MaybeWriteLocked();
  }

  void OnDone(const grpc::Status& status) override {
    if (!status.ok()) ++errors;
    --*running_;
  }

 private:
  // Writes the next append while fewer than depth_ are unanswered; half-closes at the end.
  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || closed_) return;
    if (absl::Now() >= end_) {
      if (sent_.empty()) {
        closed_ = true;
        StartWritesDone();
      }
      return;
    }
    if (sent_.size() >= static_cast<size_t>(depth_)) return;
    next_(request_.mutable_append());
    sent_.push_back(absl::Now());
    writing_ = true;
    StartWrite(&request_);
  }

  const int depth_;
  const absl::Time end_;
  const std::function<void(engagement::v1::AppendEventsRequest*)> next_;
  std::atomic<int>* running_;
  grpc::ClientContext context_;
  engagement::v1::AppendStreamRequest request_;
  engagement::v1::AppendStreamResponse response_;
  absl::Mutex mu_;
  std::deque<absl::Time> sent_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

#endif  // ENGAGEMENT_BENCH_STREAM_PRODUCER_H_
