#include "ledger/jetstream_replica.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engagement/v1/replication.pb.h"

namespace ledger {
namespace {

constexpr char kLeaseKey[] = "leader";
// Messages the consumer hands to the log before waiting for them to be written.
constexpr uint64_t kMaxQueuedMessages = 256;

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JetStreamReplica>> JetStreamReplica::Start(
    const JetStreamOptions& options, RocksDbEventLog* log) {
  if (options.servers.empty()) {
    return absl::InvalidArgumentError("nats_servers: at least one NATS server URL is required");
  }
  if (!ValidName(options.node_id)) {
    return absl::InvalidArgumentError(
        "node_id: required, up to 64 letters, digits, '-' or '_', unique in the cluster");
  }
  if (!ValidName(options.stream)) {
    return absl::InvalidArgumentError("nats_stream: up to 64 letters, digits, '-' or '_'");
  }
  if (options.replicas != 1 && options.replicas != 3 && options.replicas != 5) {
    return absl::InvalidArgumentError("nats_replicas: 1, 3 or 5");
  }
  if (options.lease_ttl < absl::Seconds(1)) {
    return absl::InvalidArgumentError("leader_lease: at least 1 second");
  }
  std::unique_ptr<JetStreamReplica> replica(new JetStreamReplica(options, log));
  replica->records_subject_ = absl::StrCat("ledger.", options.stream, ".records");
  absl::Status connected = replica->Connect();
  if (!connected.ok()) return connected;
  absl::Status created = replica->CreateStreamAndBucket();
  if (!created.ok()) return created;
  log->SetReplicator(replica.get());
  JetStreamReplica* raw = replica.get();
  replica->consumer_ = std::thread([raw] {
    pthread_setname_np(pthread_self(), "ledger-follow");
    raw->ConsumeLoop();
  });
  replica->leaser_ = std::thread([raw] {
    pthread_setname_np(pthread_self(), "ledger-lease");
    raw->LeaseLoop();
  });
  return replica;
}

JetStreamReplica::~JetStreamReplica() { Stop(); }

void JetStreamReplica::Stop() {
  if (stopped_.exchange(true)) return;
  const bool was_leader = leader_.exchange(false);
  stop_.Notify();
  if (consumer_.joinable()) consumer_.join();
  if (leaser_.joinable()) leaser_.join();
  if (was_leader && lease_ != nullptr) {
    // Gives the lease up at once rather than after its TTL, so that another node leads sooner.
    kvStore_Delete(lease_.get(), kLeaseKey);
  }
}

std::string JetStreamReplica::ForwardSubject(absl::string_view node_id) const {
  return absl::StrCat("ledger.", options_.stream, ".append.", node_id);
}

absl::Status JetStreamReplica::Connect() {
  natsOptions* raw = nullptr;
  natsStatus s = natsOptions_Create(&raw);
  if (s != NATS_OK) return NatsError(s, "creating the connection's options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> nats_options(raw, natsOptions_Destroy);
  std::vector<const char*> urls;
  for (const std::string& url : options_.servers) urls.push_back(url.c_str());
  s = natsOptions_SetServers(raw, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetName(raw, absl::StrCat("ledgerd ", options_.node_id).c_str());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(raw, -1);  // for as long as the node runs
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(raw, 100);
  if (s == NATS_OK) s = natsOptions_SetTimeout(raw, 2000);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(raw, 1000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(raw, 3);
  if (s != NATS_OK) return NatsError(s, "setting the connection's options");
  natsConnection* connection = nullptr;
  s = natsConnection_Connect(&connection, raw);
  if (s != NATS_OK) {
    return NatsError(s, absl::StrCat("connecting to ", absl::StrJoin(options_.servers, ",")));
  }
  connection_.reset(connection);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = Millis(options_.publish_timeout);
  jsCtx* js = nullptr;
  s = natsConnection_JetStream(&js, connection, &js_options);
  if (s != NATS_OK) return NatsError(s, "opening JetStream");
  js_.reset(js);
  js_options.Wait = std::max<int64_t>(500, Millis(options_.lease_ttl / 3));
  s = natsConnection_JetStream(&js, connection, &js_options);
  if (s != NATS_OK) return NatsError(s, "opening JetStream");
  lease_js_.reset(js);
  return absl::OkStatus();
}

absl::Status JetStreamReplica::CreateStreamAndBucket() {
  // A cluster that is just starting has no JetStream leader yet: try for a while.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  absl::Status last;
  while (absl::Now() < give_up) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = options_.stream.c_str();
    const char* subjects[] = {records_subject_.c_str()};
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Retention = js_LimitsPolicy;
    config.Replicas = options_.replicas;
    config.DenyDelete = true;  // the stream is the evidence: nothing is taken out of it
    config.DenyPurge = true;
    config.MaxMsgSize = static_cast<int32_t>(
        std::max<size_t>(options_.max_message_bytes * 2, 1 << 20));
    jsStreamInfo* info = nullptr;
    jsErrCode code = jsErrCode(0);
    natsStatus s = js_AddStream(&info, js_.get(), &config, nullptr, &code);
    JsStreamInfo owned(info);
    if (s == NATS_OK || code == JSStreamNameExistErr) {
      kvConfig bucket;
      kvConfig_Init(&bucket);
      const std::string name = absl::StrCat(options_.stream, "_lease");
      bucket.Bucket = name.c_str();
      bucket.History = 1;
      bucket.TTL = absl::ToInt64Nanoseconds(options_.lease_ttl);  // nanoseconds, whatever nats.h says
      bucket.Replicas = options_.replicas;
      bucket.StorageType = js_FileStorage;
      kvStore* kv = nullptr;
      s = js_CreateKeyValue(&kv, lease_js_.get(), &bucket);
      if (s != NATS_OK) s = js_KeyValue(&kv, lease_js_.get(), name.c_str());
      if (s == NATS_OK) {
        lease_.reset(kv);
        return absl::OkStatus();
      }
      last = NatsError(s, "creating the lease's bucket");
    } else {
      last = NatsError(s, absl::StrCat("creating the stream ", options_.stream), code);
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
  return last;
}

absl::StatusOr<uint64_t> JetStreamReplica::StreamLastSequence() const {
  jsStreamInfo* info = nullptr;
  jsErrCode code = jsErrCode(0);
  natsStatus s = js_GetStreamInfo(&info, js_.get(), options_.stream.c_str(), nullptr, &code);
  if (s != NATS_OK) return NatsError(s, "reading the stream's state", code);
  JsStreamInfo owned(info);
  return info->State.LastSeq;
}

absl::Status JetStreamReplica::WaitUntilCaughtUp(absl::Duration timeout) const {
  absl::StatusOr<uint64_t> last = StreamLastSequence();
  if (!last.ok()) return last.status();
  const absl::Time give_up = absl::Now() + timeout;
  while (log_->ReplicationCursor() < *last) {
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(absl::StrCat(
          "this node has applied the stream up to ", log_->ReplicationCursor(), " of ", *last));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::OkStatus();
}

ReplicaStatus JetStreamReplica::Status() const {
  ReplicaStatus status;
  status.leader = IsLeader();
  status.applied = log_->ReplicationCursor();
  absl::MutexLock lock(&mu_);
  status.leader_id = leader_id_;
  status.stream_last = stream_last_;
  status.error = error_;
  return status;
}

void JetStreamReplica::NoteError(absl::string_view error) {
  {
    absl::MutexLock lock(&mu_);
    if (error_ == error) return;
    error_ = std::string(error);
  }
  if (options_.log_info) options_.log_info(error);
}

void JetStreamReplica::ConsumeLoop() {
  while (!stop_.HasBeenNotified()) {
    absl::Status consumed = ConsumeOnce();
    if (!consumed.ok()) {
      NoteError(absl::StrCat("following the stream: ", consumed.message()));
      stop_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
    }
  }
}

absl::Status JetStreamReplica::ConsumeOnce() {
  const uint64_t cursor = log_->ReplicationCursor();
  jsSubOptions subscription;
  jsSubOptions_Init(&subscription);
  subscription.Ordered = true;
  subscription.Config.DeliverPolicy = cursor == 0 ? js_DeliverAll : js_DeliverByStartSequence;
  subscription.Config.OptStartSeq = cursor == 0 ? 0 : cursor + 1;
  natsSubscription* raw = nullptr;
  jsErrCode code = jsErrCode(0);
  natsStatus s = js_SubscribeSync(&raw, js_.get(), records_subject_.c_str(), nullptr,
                                  &subscription, &code);
  if (s != NATS_OK) return NatsError(s, "subscribing to the stream", code);
  NatsSubscription sub(raw);
  while (!stop_.HasBeenNotified()) {
    natsMsg* next = nullptr;
    s = natsSubscription_NextMsg(&next, sub.get(), 200);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) return NatsError(s, "reading the stream");
    NatsMsg message(next);
    jsMsgMetaData* meta_raw = nullptr;
    s = natsMsg_GetMetaData(&meta_raw, next);
    if (s != NATS_OK) return NatsError(s, "reading a message's sequence");
    JsMetaData meta(meta_raw);
    const uint64_t sequence = meta->Sequence.Stream;
    if (sequence <= log_->ReplicationCursor()) continue;  // this node wrote it (it led)
    engagement::v1::ReplicatedRecords records;
    if (!records.ParseFromArray(natsMsg_GetData(next), natsMsg_GetDataLength(next))) {
      return absl::DataLossError(
          absl::StrCat("the stream's message ", sequence, " is not a ReplicatedRecords"));
    }
    {
      absl::MutexLock lock(&mu_);
      if (sequence > stream_last_) stream_last_ = sequence;
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return queued_ < kMaxQueuedMessages || stop_.HasBeenNotified();
      };
      mu_.Await(absl::Condition(&room));
      ++queued_;
    }
    std::vector<std::string> stored(records.records().begin(), records.records().end());
    log_->ApplyReplicated(sequence, std::move(stored), [this, sequence](absl::Status applied) {
      if (!applied.ok()) {
        NoteError(absl::StrCat("applying the stream's message ", sequence, ": ",
                               applied.message()));
      }
      absl::MutexLock lock(&mu_);
      --queued_;
    });
  }
  return absl::OkStatus();
}

void JetStreamReplica::LeaseLoop() {
  const absl::Duration every = options_.lease_ttl / 3;
  do {
    if (!IsLeader()) {
      TryToLead();
      continue;
    }
    uint64_t last_revision;
    absl::Time renewed;
    {
      absl::MutexLock lock(&mu_);
      last_revision = lease_revision_;
      renewed = lease_renewed_;
    }
    const absl::Time now = absl::Now();
    uint64_t revision = 0;
    natsStatus s = kvStore_Update(&revision, lease_.get(), kLeaseKey, options_.node_id.data(),
                                  static_cast<int>(options_.node_id.size()), last_revision);
    if (s == NATS_OK) {
      absl::MutexLock lock(&mu_);
      lease_revision_ = revision;
      lease_renewed_ = now;
      continue;
    }
    // A slow renewal is tried again while the lease still has time left; past two thirds of it,
    // this node stops so that the next one starts from a lease that has expired.
    if (absl::Now() - renewed >= options_.lease_ttl * 2 / 3) {
      StepDown(absl::StrCat("this node could not renew the leader's lease (",
                            natsStatus_GetText(s), ")"));
    }
  } while (!stop_.WaitForNotificationWithTimeout(every));
}

void JetStreamReplica::SetLeaderId(const std::string& leader) {
  std::function<void(const std::string&)> tell;
  {
    absl::MutexLock lock(&mu_);
    if (leader_id_ == leader) return;
    leader_id_ = leader;
    tell = on_leader_change_;
  }
  if (tell) tell(leader);
}

std::string JetStreamReplica::RefreshLeader() {
  if (IsLeader()) return options_.node_id;
  kvEntry* raw = nullptr;
  natsStatus s = kvStore_Get(&raw, lease_.get(), kLeaseKey);
  KvEntry entry(raw);
  std::string leader;
  if (s == NATS_OK) leader = std::string(kvEntry_ValueString(raw));
  if (s == NATS_OK || s == NATS_NOT_FOUND) SetLeaderId(leader);
  absl::MutexLock lock(&mu_);
  return leader_id_;
}

void JetStreamReplica::TryToLead() {
  kvEntry* raw = nullptr;
  natsStatus s = kvStore_Get(&raw, lease_.get(), kLeaseKey);
  KvEntry entry(raw);
  if (s == NATS_OK && kvEntry_ValueLen(raw) > 0) {
    SetLeaderId(kvEntry_ValueString(raw));
    return;
  }
  if (s != NATS_OK && s != NATS_NOT_FOUND) {
    NoteError(absl::StrCat("reading the leader's lease: ", natsStatus_GetText(s)));
    return;
  }
  SetLeaderId("");
  // The lease is free. Start the stream if nobody has, then apply all of it before leading.
  absl::StatusOr<uint64_t> last = StreamLastSequence();
  if (!last.ok()) return NoteError(last.status().message());
  if (*last == 0) {
    engagement::v1::ReplicatedRecords start;
    start.set_leader(options_.node_id);
    absl::StatusOr<uint64_t> started = Publish(0, start.SerializeAsString());
    if (!started.ok()) return NoteError(started.status().message());
  }
  if (!WaitUntilCaughtUp(options_.lease_ttl).ok()) return;
  uint64_t revision = 0;
  s = kvStore_Create(&revision, lease_.get(), kLeaseKey, options_.node_id.data(),
                     static_cast<int>(options_.node_id.size()));
  if (s != NATS_OK) return;  // another node took it first
  {
    absl::MutexLock lock(&mu_);
    lease_revision_ = revision;
    lease_renewed_ = absl::Now();
  }
  SetLeaderId(options_.node_id);
  // A deposed leader may have published between the catching up and the lease: catch up again.
  absl::Status caught_up = WaitUntilCaughtUp(options_.lease_ttl);
  if (!caught_up.ok()) {
    StepDown(absl::StrCat("this node took the lease but could not catch up: ",
                          caught_up.message()));
    return;
  }
  leader_.store(true, std::memory_order_release);
  {
    absl::MutexLock lock(&mu_);
    error_.clear();
  }
  if (options_.log_info) {
    options_.log_info(absl::StrCat("this node (", options_.node_id, ") leads from stream message ",
                                   log_->ReplicationCursor(), ", log position ",
                                   log_->Head().position));
  }
}

void JetStreamReplica::StepDown(absl::string_view why) {
  if (!leader_.exchange(false)) return;
  SetLeaderId("");
  if (options_.log_info) options_.log_info(absl::StrCat("this node stopped leading: ", why));
}

absl::StatusOr<uint64_t> JetStreamReplica::Publish(uint64_t expected_last,
                                                   const std::string& payload) {
  jsPubOptions publish;
  jsPubOptions_Init(&publish);
  publish.ExpectLastSeq = expected_last;  // 0: no condition (only the stream's first message)
  publish.MaxWait = Millis(options_.publish_timeout);
  jsPubAck* raw = nullptr;
  jsErrCode code = jsErrCode(0);
  natsStatus s = js_Publish(&raw, js_.get(), records_subject_.c_str(), payload.data(),
                            static_cast<int>(payload.size()), &publish, &code);
  JsPubAck ack(raw);
  if (s != NATS_OK) {
    if (code == JSStreamWrongLastSequenceErr) {
      return absl::AbortedError(absl::StrCat(
          "another node has written to the stream after message ", expected_last,
          ": this node is no longer the leader"));
    }
    return NatsError(s, "publishing to the stream", code);
  }
  {
    absl::MutexLock lock(&mu_);
    if (ack->Sequence > stream_last_) stream_last_ = ack->Sequence;
  }
  return ack->Sequence;
}

absl::StatusOr<uint64_t> JetStreamReplica::Replicate(uint64_t after_cursor,
                                                     uint64_t first_position,
                                                     const std::vector<std::string>& records) {
  if (!IsLeader()) {
    return absl::UnavailableError("this node is not the leader (it lost or gave up the lease)");
  }
  if (after_cursor == 0) {
    return absl::FailedPreconditionError("this node has not applied the stream's start");
  }
  uint64_t cursor = after_cursor;
  size_t next = 0;
  while (next < records.size()) {
    engagement::v1::ReplicatedRecords message;
    message.set_leader(options_.node_id);
    message.set_first_position(first_position + next);
    size_t bytes = 0;
    while (next < records.size() &&
           (message.records_size() == 0 ||
            bytes + records[next].size() <= options_.max_message_bytes)) {
      bytes += records[next].size();
      message.add_records(records[next]);
      ++next;
    }
    absl::StatusOr<uint64_t> sequence = Publish(cursor, message.SerializeAsString());
    if (!sequence.ok()) {
      StepDown(sequence.status().message());
      return sequence.status();
    }
    if (*sequence != cursor + 1) {
      StepDown("the stream acknowledged an unexpected sequence");
      return absl::InternalError(absl::StrCat("the stream acknowledged message ", *sequence,
                                              " after ", cursor));
    }
    cursor = *sequence;
  }
  return cursor;
}

}  // namespace ledger
