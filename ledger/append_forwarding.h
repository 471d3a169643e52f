// AppendForwarding: appends reach the leader whichever node of a replicated ledger a client calls.
//
// Each node takes the appends forwarded to it on its own NATS subject
// (JetStreamReplica::ForwardSubject), and answers them only while it leads: it appends them to its
// log, which replicates them, and replies with the outcome. A node that does not lead sends its
// clients' appends to the node holding the lease, and answers the client once the leader has
// replied and, when the append succeeded, once its own log has applied it, so that the client
// reads its own write on the node it called.
//
// Messages: ForwardedAppendRequest and ForwardedAppendResponse (proto/engagement/v1/
// replication.proto), over NATS request-reply. An append the leader does not answer in time is
// reported as UNAVAILABLE and may or may not be in the log; a retry with the same event ids is
// answered with the original positions.
//
// Ownership: holds the replica and the log (not owned; they must outlive it).
#ifndef ENGAGEMENT_LEDGER_APPEND_FORWARDING_H_
#define ENGAGEMENT_LEDGER_APPEND_FORWARDING_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "engagement/v1/replication.pb.h"
#include "ledger/event_log.h"
#include "ledger/jetstream_replica.h"
#include "ledger/nats_handles.h"

namespace ledger {

class AppendForwarding {
 public:
  // Subscribes to this node's forwarding subject and to its own answers.
  static absl::StatusOr<std::unique_ptr<AppendForwarding>> Start(JetStreamReplica* replica,
                                                                 EventLog* local);
  // Unsubscribes; appends still waiting for the leader are answered UNAVAILABLE.
  ~AppendForwarding();

  // Sends `batch` to the leader; `done` is called once, on a thread of the forwarder's.
  void Forward(AppendBatch batch, AppendCallback done);

 private:
  struct Waiting {
    absl::Time deadline;
    AppendCallback done;
    std::string leader;  // the node it was sent to
  };
  struct Answered {
    AppendCallback done;
    absl::StatusOr<AppendResult> result;
  };
  AppendForwarding(JetStreamReplica* replica, EventLog* local) : replica_(replica), local_(local) {}
  static void OnRequest(natsConnection* connection, natsSubscription* sub, natsMsg* message,
                        void* self);
  static void OnAnswer(natsConnection* connection, natsSubscription* sub, natsMsg* message,
                       void* self);
  // Ends the appends waiting for a node that no longer leads (it died, or lost its lease).
  void LeaderChanged(const std::string& leader);
  // Answers the forwarded appends (after the local log has applied them) and times out the
  // ones the leader does not answer.
  void AnswerLoop();

  JetStreamReplica* const replica_;
  EventLog* const local_;
  std::string inbox_;  // this node's answers arrive on inbox_.<request id>
  NatsSubscription requests_;
  NatsSubscription answers_;
  std::atomic<uint64_t> next_id_{1};
  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Waiting> waiting_ ABSL_GUARDED_BY(mu_);
  std::deque<Answered> answered_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread answerer_;
};

// The conversions of an append's stream condition to and from the forwarded message's.
engagement::v1::ExpectedRevision ToProto(const ExpectedRevision& expected);
ExpectedRevision FromProto(const engagement::v1::ExpectedRevision& expected);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_APPEND_FORWARDING_H_
