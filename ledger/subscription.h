// Subscription: reads the log from a position, then follows it live, over any EventLog.
//
// Every event from the start position is delivered exactly once and in order, across the switch
// from catch-up to live, because both phases read the same thing: committed events by position,
// in chunks, from storage. The live phase only waits for the head to move. A slow consumer
// therefore slows only itself (its `deliver` blocks; gRPC flow control does the rest); it holds no
// lock and no memory that writers need.
#ifndef ENGAGEMENT_LEDGER_SUBSCRIPTION_H_
#define ENGAGEMENT_LEDGER_SUBSCRIPTION_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "ledger/event_log.h"

namespace ledger {

struct SubscriptionCallbacks {
  // Receives each matching event; returns false to end the subscription.
  std::function<bool(const engagement::v1::Event&)> deliver;
  // Called once, when every event up to the then head has been delivered.
  std::function<bool(uint64_t head_position)> caught_up;
  // Polled at least every `poll_interval`; returns true to end the subscription.
  std::function<bool()> cancelled;
};

// Runs until a callback ends it, the log shuts down (returns OK), or a read fails (its status).
// `log` must outlive the call.
absl::Status RunSubscription(const EventLog& log, uint64_t from_position, const LogFilter& filter,
                             const SubscriptionCallbacks& callbacks,
                             absl::Duration poll_interval = absl::Milliseconds(200),
                             uint64_t chunk = 512);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_SUBSCRIPTION_H_
