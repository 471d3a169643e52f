// JetStreamReplica: one node of the replicated ledger, on a NATS JetStream cluster.
//
// The stream (docs/replication.md): one JetStream stream holds the whole log, each message a
// ReplicatedRecords (proto/engagement/v1/replication.proto) of consecutive records as stored.
// Its first message has no records (it starts the stream, so that every later publish can state
// the sequence it expects to follow). The stream keeps everything and refuses deletes and purges.
//
// Who appends: exactly one node at a time, the holder of a lease in a JetStream key-value bucket
// whose values expire after the lease's TTL unless the holder renews them. The leader publishes
// each group with the expected last sequence of the stream equal to the cursor of its own log
// (group_replicator.h), so a deposed leader that still thinks it leads fails its publish rather
// than forking the log. A node takes the lease only once its log has applied the whole stream.
//
// Every node, the leader included, consumes the stream in order (an ordered consumer from its
// cursor) into its RocksDbEventLog, which serves reads, subscriptions and reports as on a single
// node. The leader's own messages are already in its log and are skipped.
//
// Ownership: Start returns the replica; it holds the log (not owned, must outlive it) and installs
// itself as the log's replicator. Destroying the replica gives up the lease and stops consuming.
// Thread safety: every method may be called from any thread.
#ifndef ENGAGEMENT_LEDGER_JETSTREAM_REPLICA_H_
#define ENGAGEMENT_LEDGER_JETSTREAM_REPLICA_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "ledger/group_replicator.h"
#include "ledger/nats_handles.h"
#include "ledger/rocksdb_event_log.h"

namespace ledger {

struct JetStreamOptions {
  // NATS server URLs, e.g. {"nats://10.0.0.1:4222", ...}: any of the cluster's servers.
  std::vector<std::string> servers;
  // This node's name, unique in the cluster ([A-Za-z0-9_-]); the lease holds it.
  std::string node_id;
  // The stream's name; the bucket of the lease and the subjects are named after it.
  std::string stream = "LEDGER";
  // Copies JetStream keeps of the stream and the lease (1, 3 or 5); 3 survives losing a server.
  int replicas = 3;
  // How long a lease lasts unless renewed; it is renewed every third of it. A dead leader's
  // successor takes over after about this long.
  absl::Duration lease_ttl = absl::Seconds(3);
  // How long a publish waits for JetStream's acknowledgement before the group fails.
  absl::Duration publish_timeout = absl::Seconds(5);
  // The largest message the leader writes (records are split across messages to stay under it;
  // one record larger than this goes alone). JetStream's default limit is 1 MiB.
  size_t max_message_bytes = 512 << 10;
  // Told of leadership changes and errors, for the server's log (no personal data is passed).
  std::function<void(absl::string_view)> log_info;
};

// What the replica says about the cluster, for GetLedgerInfo, metrics and logs.
struct ReplicaStatus {
  bool leader = false;
  std::string leader_id;     // the lease's holder as last seen; empty when there is none
  uint64_t stream_last = 0;  // the stream's last sequence as last seen
  uint64_t applied = 0;      // this node's cursor
  std::string error;         // the last error the replica met, if any
};

class JetStreamReplica final : public GroupReplicator {
 public:
  // Connects, creates the stream and the lease's bucket if they do not exist, and starts
  // consuming and contending for the lease. UNAVAILABLE when no server answers.
  static absl::StatusOr<std::unique_ptr<JetStreamReplica>> Start(const JetStreamOptions& options,
                                                                 RocksDbEventLog* log);
  // Stop() then frees everything. The log must be closed first (it may be in Replicate).
  ~JetStreamReplica() override;

  // Stops leading (the lease is given up) and consuming. Appends the log commits afterwards fail
  // in Replicate, so the log never writes a group the stream does not have.
  void Stop();

  absl::StatusOr<uint64_t> Replicate(uint64_t after_cursor, uint64_t first_position,
                                     const std::vector<std::string>& records) override;

  bool IsLeader() const { return leader_.load(std::memory_order_acquire); }
  ReplicaStatus Status() const;
  // Called when the lease changes hands or is lost (with the new holder, perhaps empty).
  void OnLeaderChange(std::function<void(const std::string&)> callback) {
    absl::MutexLock lock(&mu_);
    on_leader_change_ = std::move(callback);
  }
  // Reads the lease now (rather than waiting for the next look at it): the leader's node id, or
  // empty when no node holds it.
  std::string RefreshLeader();
  // Blocks until this node has applied the stream as it was when called, or `timeout` passes.
  absl::Status WaitUntilCaughtUp(absl::Duration timeout) const;

  // The connection, for forwarding appends (append_forwarding.h); valid while the replica lives.
  natsConnection* connection() const { return connection_.get(); }
  const JetStreamOptions& options() const { return options_; }
  // The subject on which node `node_id` takes appends forwarded to it.
  std::string ForwardSubject(absl::string_view node_id) const;

 private:
  explicit JetStreamReplica(const JetStreamOptions& options, RocksDbEventLog* log)
      : options_(options), log_(log) {}
  absl::Status Connect();
  absl::Status CreateStreamAndBucket();
  absl::StatusOr<uint64_t> StreamLastSequence() const;
  // The consumer: applies the stream into the log, from its cursor, until stopped.
  void ConsumeLoop();
  absl::Status ConsumeOnce();
  // The lease: renews it while leading, otherwise watches it and takes it when it is free.
  void LeaseLoop();
  void TryToLead();
  void StepDown(absl::string_view why);
  void NoteError(absl::string_view error);
  absl::StatusOr<uint64_t> Publish(uint64_t expected_last, const std::string& payload);

  const JetStreamOptions options_;
  RocksDbEventLog* const log_;
  NatsConnection connection_;
  JsCtx js_;
  // For the lease: JetStream calls that give up within a third of the lease, so that a slow
  // cluster cannot hold the lease loop past the lease.
  JsCtx lease_js_;
  KvStore lease_;
  std::string records_subject_;
  absl::Notification stop_;
  std::atomic<bool> stopped_{false};
  std::thread consumer_;
  std::thread leaser_;
  std::atomic<bool> leader_{false};

  mutable absl::Mutex mu_;
  uint64_t lease_revision_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time lease_renewed_ ABSL_GUARDED_BY(mu_);
  std::string leader_id_ ABSL_GUARDED_BY(mu_);
  std::function<void(const std::string&)> on_leader_change_ ABSL_GUARDED_BY(mu_);
  // Sets leader_id_ and tells on_leader_change_ when it changed.
  void SetLeaderId(const std::string& leader);
  uint64_t stream_last_ ABSL_GUARDED_BY(mu_) = 0;
  std::string error_ ABSL_GUARDED_BY(mu_);
  // Messages handed to the log and not yet written, so the consumer does not run far ahead.
  uint64_t queued_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_JETSTREAM_REPLICA_H_
