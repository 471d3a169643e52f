#include "ledger/append_forwarding.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/uuid.h"

namespace ledger {
namespace {

// How long a node waits for the leader's answer beyond the leader's own publish timeout.
constexpr absl::Duration kAnswerMargin = absl::Seconds(2);
// How long a node waits for its own log to apply an append the leader acknowledged.
constexpr absl::Duration kApplyWait = absl::Seconds(5);

engagement::v1::ForwardedAppendResponse ToResponse(const absl::StatusOr<AppendResult>& result) {
  engagement::v1::ForwardedAppendResponse response;
  if (!result.ok()) {
    response.set_code(static_cast<int32_t>(result.status().code()));
    response.set_message(std::string(result.status().message()));
    return response;
  }
  for (uint64_t position : result->positions) response.add_positions(position);
  for (const std::string& id : result->event_ids) response.add_event_ids(id);
  response.set_stream_revision(result->stream_revision);
  response.set_already_appended(result->already_appended);
  response.set_last_hash(result->last_hash);
  return response;
}

absl::StatusOr<AppendResult> FromResponse(const engagement::v1::ForwardedAppendResponse& response) {
  if (response.code() != 0) {
    return absl::Status(static_cast<absl::StatusCode>(response.code()), response.message());
  }
  AppendResult result;
  result.positions.assign(response.positions().begin(), response.positions().end());
  result.event_ids.assign(response.event_ids().begin(), response.event_ids().end());
  result.stream_revision = response.stream_revision();
  result.already_appended = response.already_appended();
  result.last_hash = response.last_hash();
  return result;
}

}  // namespace

engagement::v1::ExpectedRevision ToProto(const ExpectedRevision& expected) {
  engagement::v1::ExpectedRevision out;
  switch (expected.kind) {
    case ExpectedRevision::Kind::kAny:
      out.set_state(engagement::v1::EXPECTED_STATE_ANY);
      break;
    case ExpectedRevision::Kind::kNoStream:
      out.set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
      break;
    case ExpectedRevision::Kind::kStreamExists:
      out.set_state(engagement::v1::EXPECTED_STATE_STREAM_EXISTS);
      break;
    case ExpectedRevision::Kind::kExact:
      out.set_revision(expected.revision);
      break;
  }
  return out;
}

ExpectedRevision FromProto(const engagement::v1::ExpectedRevision& expected) {
  if (expected.kind_case() == engagement::v1::ExpectedRevision::kRevision) {
    return ExpectedRevision::Exactly(expected.revision());
  }
  switch (expected.state()) {
    case engagement::v1::EXPECTED_STATE_NO_STREAM:
      return ExpectedRevision::NoStream();
    case engagement::v1::EXPECTED_STATE_STREAM_EXISTS:
      return ExpectedRevision::StreamExists();
    default:
      return ExpectedRevision::Any();
  }
}

absl::StatusOr<std::unique_ptr<AppendForwarding>> AppendForwarding::Start(
    JetStreamReplica* replica, EventLog* local) {
  std::unique_ptr<AppendForwarding> forwarding(new AppendForwarding(replica, local));
  forwarding->inbox_ =
      absl::StrCat("ledger.", replica->options().stream, ".answers.", replica->options().node_id,
                   ".", NewUuid());
  natsSubscription* raw = nullptr;
  natsStatus s = natsConnection_Subscribe(&raw, replica->connection(),
                                          absl::StrCat(forwarding->inbox_, ".*").c_str(),
                                          &AppendForwarding::OnAnswer, forwarding.get());
  if (s != NATS_OK) return NatsError(s, "subscribing to forwarded appends' answers");
  forwarding->answers_.reset(raw);
  s = natsConnection_Subscribe(&raw, replica->connection(),
                               replica->ForwardSubject(replica->options().node_id).c_str(),
                               &AppendForwarding::OnRequest, forwarding.get());
  if (s != NATS_OK) return NatsError(s, "subscribing to forwarded appends");
  forwarding->requests_.reset(raw);
  AppendForwarding* self = forwarding.get();
  replica->OnLeaderChange([self](const std::string& leader) { self->LeaderChanged(leader); });
  forwarding->answerer_ = std::thread([self] {
    pthread_setname_np(pthread_self(), "ledger-forward");
    self->AnswerLoop();
  });
  return forwarding;
}

AppendForwarding::~AppendForwarding() {
  replica_->OnLeaderChange(nullptr);
  // No callback runs once the subscriptions are gone.
  if (requests_ != nullptr) natsSubscription_Unsubscribe(requests_.get());
  if (answers_ != nullptr) natsSubscription_Unsubscribe(answers_.get());
  requests_.reset();
  answers_.reset();
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (answerer_.joinable()) answerer_.join();
}

void AppendForwarding::OnRequest(natsConnection* connection, natsSubscription*, natsMsg* message,
                                 void* closure) {
  auto* self = static_cast<AppendForwarding*>(closure);
  NatsMsg owned(message);
  const char* reply = natsMsg_GetReply(message);
  if (reply == nullptr) return;
  std::string reply_to(reply);
  auto answer = [connection, reply_to](const absl::StatusOr<AppendResult>& result) {
    std::string bytes = ToResponse(result).SerializeAsString();
    natsConnection_Publish(connection, reply_to.c_str(), bytes.data(),
                           static_cast<int>(bytes.size()));
  };
  engagement::v1::ForwardedAppendRequest request;
  if (!request.ParseFromArray(natsMsg_GetData(message), natsMsg_GetDataLength(message))) {
    answer(absl::InvalidArgumentError("a forwarded append that does not parse"));
    return;
  }
  if (!self->replica_->IsLeader()) {
    answer(absl::UnavailableError("the node the append was forwarded to no longer leads; retry"));
    return;
  }
  AppendBatch batch;
  batch.stream = request.stream();
  batch.expected = FromProto(request.expected());
  batch.events.assign(std::make_move_iterator(request.mutable_events()->begin()),
                      std::make_move_iterator(request.mutable_events()->end()));
  self->local_->AppendAsync(std::move(batch), answer);
}

void AppendForwarding::OnAnswer(natsConnection*, natsSubscription*, natsMsg* message,
                                void* closure) {
  auto* self = static_cast<AppendForwarding*>(closure);
  NatsMsg owned(message);
  absl::string_view subject = natsMsg_GetSubject(message);
  uint64_t id = 0;
  if (!absl::SimpleAtoi(subject.substr(subject.rfind('.') + 1), &id)) return;
  engagement::v1::ForwardedAppendResponse response;
  absl::StatusOr<AppendResult> result =
      natsMsg_IsNoResponders(message)
          ? absl::UnavailableError(
                "the leader is not reachable (it stopped); nothing was appended: retry")
      : response.ParseFromArray(natsMsg_GetData(message), natsMsg_GetDataLength(message))
          ? FromResponse(response)
          : absl::InternalError("the leader's answer does not parse");
  absl::MutexLock lock(&self->mu_);
  auto it = self->waiting_.find(id);
  if (it == self->waiting_.end()) return;  // answered too late: the client was told already
  self->answered_.push_back({std::move(it->second.done), std::move(result)});
  self->waiting_.erase(it);
}

void AppendForwarding::Forward(AppendBatch batch, AppendCallback done) {
  std::string leader = replica_->Status().leader_id;
  if (leader.empty()) leader = replica_->RefreshLeader();
  if (leader.empty() || leader == replica_->options().node_id) {
    done(absl::UnavailableError(
        "no node holds the leader's lease at the moment (a new leader is chosen within the "
        "lease's time); retry"));
    return;
  }
  engagement::v1::ForwardedAppendRequest request;
  request.set_stream(batch.stream);
  *request.mutable_expected() = ToProto(batch.expected);
  for (engagement::v1::Event& event : batch.events) *request.add_events() = std::move(event);
  const std::string bytes = request.SerializeAsString();
  const uint64_t id = next_id_.fetch_add(1);
  {
    absl::MutexLock lock(&mu_);
    waiting_[id] = {absl::Now() + replica_->options().publish_timeout + kAnswerMargin,
                    std::move(done), leader};
  }
  natsStatus s = natsConnection_PublishRequest(
      replica_->connection(), replica_->ForwardSubject(leader).c_str(),
      absl::StrCat(inbox_, ".", id).c_str(), bytes.data(), static_cast<int>(bytes.size()));
  if (s != NATS_OK) {
    absl::MutexLock lock(&mu_);
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return;
    answered_.push_back({std::move(it->second.done),
                         NatsError(s, "forwarding the append to the leader")});
    waiting_.erase(it);
  }
}

void AppendForwarding::LeaderChanged(const std::string& leader) {
  absl::MutexLock lock(&mu_);
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second.leader == leader) {
      ++it;
      continue;
    }
    answered_.push_back(
        {std::move(it->second.done),
         absl::UnavailableError(
             "the leader changed before it answered, so the append may or may not be in the log: "
             "append it again with the same event ids (a repeat is answered with the original "
             "positions)")});
    waiting_.erase(it++);
  }
}

void AppendForwarding::AnswerLoop() {
  while (true) {
    std::deque<Answered> answered;
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](AppendForwarding* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
                                 return !self->answered_.empty() || self->stopping_;
                               },
                               this),
                           absl::Milliseconds(100));
      stopping = stopping_;
      answered.swap(answered_);
      const absl::Time now = absl::Now();
      for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (stopping || it->second.deadline <= now) {
          answered.push_back(
              {std::move(it->second.done),
               absl::UnavailableError(
                   stopping ? "this node is stopping"
                            : "the leader did not answer in time, so the append may or may not "
                              "be in the log: append it again with the same event ids (a repeat "
                              "is answered with the original positions)")});
          waiting_.erase(it++);
        } else {
          ++it;
        }
      }
    }
    for (Answered& each : answered) {
      if (each.result.ok() && !each.result->positions.empty()) {
        // Read-your-writes on this node: answer once its own log has the events.
        local_->WaitForHeadBeyond(each.result->positions.back() - 1, kApplyWait);
      }
      each.done(std::move(each.result));
    }
    if (stopping) return;
  }
}

}  // namespace ledger
