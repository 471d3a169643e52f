// LogSubscription: one SubscribeLog call, served by gRPC's callback API from a SubscriptionHub.
//
// It holds no thread: the hub hands it a chunk of events, it writes them out one message at a
// time, and asks the hub for more once the last write is done, so a reader that stops reading
// holds one chunk and nothing else. It ends with the hub's status (UNAVAILABLE when the ledger
// shuts down), CANCELLED when the client goes, or the status it was started with.
//
// Ownership: gRPC owns the call; the object deletes itself in OnDone(). `hub` must outlive every
// call (the server shuts gRPC down before destroying the hub).
#ifndef ENGAGEMENT_SERVICES_LOG_SUBSCRIPTION_H_
#define ENGAGEMENT_SERVICES_LOG_SUBSCRIPTION_H_

#include <grpcpp/support/server_callback.h>

#include <deque>
#include <optional>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "engagement/v1/ledger_service.pb.h"
#include "ledger/subscription_hub.h"

namespace services {

class LogSubscription final
    : public grpc::ServerWriteReactor<engagement::v1::SubscribeLogResponse>,
      public ledger::SubscriptionSink {
 public:
  // Subscribes from `from_position`; a refusal by the hub (its limit) finishes the call with it.
  // `per_message` events at most in one message (1: each in its own, in `event`; more: those
  // delivered together go in `events` batches).
  LogSubscription(ledger::SubscriptionHub* hub, uint64_t from_position, ledger::LogFilter filter,
                  uint32_t per_message = 1);
  // A call refused before it started (bad request, no permission).
  explicit LogSubscription(const absl::Status& refused);

  void Deliver(std::vector<ledger::SharedEvent> events,
               std::optional<uint64_t> caught_up_head) override;
  void End(const absl::Status& status) override;

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void WriteFrontLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ledger::SubscriptionHub* const hub_;
  const uint32_t per_message_ = 1;
  absl::Mutex mu_;
  // A message to write. Its events are the hub's, shared with other subscribers rather than
  // copied for each: the message points at them, `held` keeps them alive, and they are taken
  // back out of the message (not deleted with it) when it is destroyed.
  struct Outgoing {
    engagement::v1::SubscribeLogResponse message;
    std::vector<ledger::SharedEvent> held;
    Outgoing() = default;
    Outgoing(const Outgoing&) = delete;
    Outgoing& operator=(const Outgoing&) = delete;
    ~Outgoing();
  };
  std::deque<Outgoing> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);  // to finish with once written out
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LOG_SUBSCRIPTION_H_
