// SubscriberFleet: many live SubscribeLog calls in one client process, on gRPC's callback API (no
// thread each), measuring how long each event takes to arrive: from its recorded_at (set by the
// ledger's group commit) to the moment this process reads it.
//
// Used by subscriber_bench in a process of its own, so that what subscribers cost their own
// machine is not counted as the ledger's.
#ifndef ENGAGEMENT_BENCH_SUBSCRIBER_FLEET_H_
#define ENGAGEMENT_BENCH_SUBSCRIBER_FLEET_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engagement/v1/ledger_service.grpc.pb.h"

namespace bench {

// Delivery latencies in 100 µs buckets up to 60 s, counted without a lock.
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 600000;
  void Add(absl::Duration latency) {
    int64_t bucket = absl::ToInt64Microseconds(latency) / 100;
    bucket = std::clamp<int64_t>(bucket, 0, kBuckets - 1);
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  }
  // The latency under which `fraction` of the samples fall, in milliseconds.
  double QuantileMs(double fraction) const {
    uint64_t total = Count();
    if (total == 0) return 0;
    uint64_t want = static_cast<uint64_t>(fraction * (total - 1)) + 1, seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen >= want) return (i + 1) / 10.0;
    }
    return kBuckets / 10.0;
  }
  uint64_t Count() const {
    uint64_t total = 0;
    for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);
    return total;
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

// One subscription from a position; counts the events it receives into `histogram`.
class FleetSubscriber final
    : public grpc::ClientReadReactor<engagement::v1::SubscribeLogResponse> {
 public:
  FleetSubscriber(engagement::v1::LedgerService::Stub* stub, uint64_t from_position,
                  uint32_t per_message, LatencyHistogram* histogram)
      : histogram_(histogram) {
    engagement::v1::SubscribeLogRequest request;
    request.set_from_position(from_position);
    request.set_events_per_message(per_message);
    stub->async()->SubscribeLog(&context_, &request, this);
    StartRead(&response_);
    StartCall();
  }
  void Cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      return;  // the call ends: OnDone follows
    }
    const absl::Time now = absl::Now();
    auto count = [&](const engagement::v1::Event& event) {
      histogram_->Add(now - absl::FromUnixSeconds(event.recorded_at().seconds()) -
                      absl::Nanoseconds(event.recorded_at().nanos()));
      last_position_.store(event.position(), std::memory_order_relaxed);
    };
    if (response_.has_event()) count(response_.event());
    if (response_.has_events()) {
      for (const auto& event : response_.events().events()) count(event);
    }
    if (response_.has_caught_up()) caught_up_.store(true, std::memory_order_relaxed);
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    done_ = true;
    status_ = status;
  }
  // Blocks until OnDone has run (after Cancel(), or the server's end).
  grpc::Status Await() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
    return status_;
  }
  bool caught_up() const { return caught_up_.load(std::memory_order_relaxed); }
  uint64_t last_position() const { return last_position_.load(std::memory_order_relaxed); }
  bool done() {
    absl::MutexLock lock(&mu_);
    return done_;
  }

 private:
  LatencyHistogram* const histogram_;
  grpc::ClientContext context_;
  engagement::v1::SubscribeLogResponse response_;
  std::atomic<bool> caught_up_{false};
  std::atomic<uint64_t> last_position_{0};
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bench

#endif  // ENGAGEMENT_BENCH_SUBSCRIBER_FLEET_H_
