// RocksDbEventLog: the embedded EventLog, one RocksDB database on local disk.
//
// Appends use group commit: callers queue their batches; one commit thread takes everything
// queued, checks and numbers it in queue order, writes it in one synced WriteBatch, and then
// hands the group to a completion thread, which calls each append's callback. While one group is being synced the next one queues up, so one fsync
// covers many appends, and each append is acknowledged only after the sync that covers it.
//
// Ownership: Open returns the only handle to the database directory; the RocksDB LOCK file stops
// a second process from opening it. Destroying the log closes the database; callers must have
// stopped calling it first.
#ifndef ENGAGEMENT_LEDGER_ROCKSDB_EVENT_LOG_H_
#define ENGAGEMENT_LEDGER_ROCKSDB_EVENT_LOG_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "ledger/checkpoint_store.h"
#include "ledger/commit_observer.h"
#include "ledger/event_log.h"
#include "ledger/group_replicator.h"
#include "ledger/merkle_tree.h"
#include "ledger/rocksdb_guard_state.h"
#include "ledger/rocksdb_merkle_store.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"

namespace ledger {

struct RocksDbOptions {
  // Sync the WAL on every group commit. Only tests of throughput without disks turn this off.
  bool sync = true;
  // Open without writing (verification of a directory another process may own).
  bool read_only = false;
  // Upper bound on events one group commit takes.
  size_t max_group_events = 4096;
  // The environment (files, clock, threads) RocksDB uses; nullptr for the operating system's.
  // Not owned; must outlive the log. Tests set it to inject faults (tests/unit/
  // fault_injection_test.cc).
  rocksdb::Env* env = nullptr;
  // Where RocksDB counts what it does (bytes written, WAL syncs, stalls, cache hits); nullptr:
  // it does not count. ledgerd sets it when it serves metrics.
  std::shared_ptr<rocksdb::Statistics> statistics;
};

class RocksDbEventLog final : public EventLog, public CheckpointStore {
 public:
  // Opens or creates the log in `directory`. FAILED_PRECONDITION when the directory holds
  // another format version or another process holds it; DATA_LOSS when the head record does not
  // match its stored hash.
  static absl::StatusOr<std::unique_ptr<RocksDbEventLog>> Open(const std::string& directory,
                                                               const RocksDbOptions& options);
  ~RocksDbEventLog() override;

  RocksDbEventLog(const RocksDbEventLog&) = delete;
  RocksDbEventLog& operator=(const RocksDbEventLog&) = delete;

  absl::StatusOr<AppendResult> Append(AppendBatch batch) override;
  void AppendAsync(AppendBatch batch, AppendCallback done) override;
  absl::Status ReadStream(const StreamReadOptions& options, EventVisitor visit) const override;
  absl::Status ReadLog(const LogReadOptions& options, EventVisitor visit) const override;
  LogHead Head() const override;
  absl::StatusOr<StreamInfo> GetStreamInfo(absl::string_view stream) const override;
  uint64_t WaitForHeadBeyond(uint64_t position, absl::Duration timeout) const override;
  void BeginShutdown() override;
  bool ShuttingDown() const override;
  absl::StatusOr<uint64_t> InstallAppendGuard(AppendGuard* guard,
                                              ReplayProgress progress = nullptr) override;
  absl::StatusOr<std::optional<std::string>> ReadGuardState(absl::string_view key) const override;
  absl::StatusOr<std::string> TreeRoot(uint64_t tree_size) const override;
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t position,
                                                          uint64_t tree_size) const override;
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size,
                                                            uint64_t new_size) const override;

  absl::Status SaveCheckpoint(const StoredCheckpoint& checkpoint) override;
  absl::StatusOr<std::optional<StoredCheckpoint>> LatestCheckpoint() const override;
  absl::StatusOr<std::vector<StoredCheckpoint>> ListCheckpoints() const override;
  absl::Status AddCosignatures(uint64_t tree_size, const std::vector<std::string>& lines) override;

  // Tells `observer` (not owned; it must outlive the log, or be replaced by null first) of every
  // group the commit thread writes from now on.
  void SetCommitObserver(CommitObserver* observer) {
    commit_observer_.store(observer, std::memory_order_release);
  }
  // Replication (group_replicator.h). Makes every later group of local appends go through
  // `replicator` (not owned; must outlive the log) before it is written. Set before appending.
  void SetReplicator(GroupReplicator* replicator) {
    replicator_.store(replicator, std::memory_order_release);
  }
  // Queues records of the replicated log to be written as they are, in the commit order: each is
  // checked to extend the chain at the head (position, previous hash, hash, stream revision), the
  // guard's state follows them (AppendGuard::Apply: history is not re-judged), and `cursor` is
  // stored with them. A message at or before ReplicationCursor() is skipped (the leader's own).
  // `done` is called once, after they are durable; DATA_LOSS when they do not extend the chain,
  // after which the log refuses writes.
  void ApplyReplicated(uint64_t cursor, std::vector<std::string> records,
                       std::function<void(absl::Status)> done);
  // The cursor stored with the last records written (0 on a single node).
  uint64_t ReplicationCursor() const {
    return replication_cursor_.load(std::memory_order_acquire);
  }

  // Reads every block of every table file and checks its checksum (the write-ahead log was
  // checked when the log opened). DATA_LOSS naming the damaged file and what to do. Takes about
  // as long as reading the whole database; ledgerd does it at start.
  absl::Status VerifyStorage() const;
  // OK while appends are accepted; after a failed write (a failed fsync), why every later append
  // is refused until the process restarts and recovers from what is on disk.
  absl::Status WriteError() const;

  // Flushes memtables and closes the database cleanly (also done by the destructor).
  absl::Status Close();

  // A consistent copy of the whole database in `directory` (which must not exist), by RocksDB
  // checkpoint (hard links where it can), while appends go on. Returns the head it holds: every
  // append acknowledged before the call, perhaps a few more.
  absl::StatusOr<LogHead> CopyTo(const std::string& directory);

  // The RocksDB handle and families, for the verifier and tools that read raw bytes.
  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* log_family() const { return log_; }
  // The position of the event with `event_id` (lowercase UUID), checked against the record there.
  // NOT_FOUND when there is none; DATA_LOSS when the id index names an event with another id.
  absl::StatusOr<uint64_t> PositionOfEventId(absl::string_view event_id) const {
    absl::StatusOr<uint64_t> position = LookupEventId(event_id);
    if (!position.ok()) return position;
    absl::StatusOr<engagement::v1::Event> event = ReadIndexed(*position, "", 0, event_id, nullptr);
    if (!event.ok()) return event.status();
    return position;
  }
  // The Merkle tree's stored nodes.
  const MerkleNodeStore& tree_store() const { return *tree_; }

 private:
  // One append waiting in the group-commit queue.
  struct PendingAppend {
    AppendBatch batch;
    AppendCallback done;
    // generated_id[i]: the log made events[i]'s id, so it cannot have been appended before.
    std::vector<bool> generated_id;
    absl::StatusOr<AppendResult> result = absl::UnknownError("not committed");
    // Records of the replicated log (ApplyReplicated) instead of a batch to check and number.
    bool replicated = false;
    uint64_t cursor = 0;
    std::vector<std::string> records;
  };
  struct StreamState {
    bool exists = false;
    uint64_t revision = 0;
  };
  class GroupState;

  RocksDbEventLog() = default;
  absl::Status Recover();
  // Queues `pending` for the commit thread, or answers it at once when the log refuses writes.
  void Enqueue(std::unique_ptr<PendingAppend> pending);
  // Brings the Merkle tree up to the head (a log written before the tree existed, or a tree
  // family lost), then restores the appender.
  absl::Status RecoverTree(uint64_t head);
  // The commit thread: takes queued appends in groups until the log closes.
  void CommitLoop();
  // The completion thread: calls the callbacks of committed groups, in commit order.
  void CompletionLoop();
  // The work for one group; `group` is not empty. Called without mu_ held. On failure, forgets
  // what the group changed in memory (stream cache, the guard's writes).
  absl::Status CommitGroup(const std::vector<std::unique_ptr<PendingAppend>>& group,
                           GroupState* state);
  // Checks, numbers and writes the group (CommitGroup without the clean-up).
  absl::Status WriteGroup(const std::vector<std::unique_ptr<PendingAppend>>& group,
                          GroupState* state);
  absl::StatusOr<AppendResult> PrepareBatch(PendingAppend* append, GroupState* state,
                                            rocksdb::WriteBatch* batch);
  // As PrepareBatch for records of the replicated log (rocksdb_replicated.cc).
  absl::Status PrepareReplicated(PendingAppend* append, GroupState* state,
                                 rocksdb::WriteBatch* batch);
  // Sends the group's new records to the replicator, if there is one, and puts the cursor it
  // returns into `batch`.
  absl::Status ReplicateGroup(GroupState* state, rocksdb::WriteBatch* batch);
  // Reads the stored replication cursor (Recover).
  absl::Status RecoverReplicationCursor();
  absl::StatusOr<StreamState> LoadStreamState(absl::string_view stream) const;
  // The stream as the group's earlier batches leave it (the group, the cache, then storage).
  absl::StatusOr<StreamState> StreamStateInGroup(const std::string& stream,
                                                 const GroupState& state) const;
  absl::StatusOr<uint64_t> LookupEventId(absl::string_view event_id) const;
  absl::StatusOr<std::string> ReadRecord(uint64_t position) const;
  // The event at `position`, checked to be what the index that led there says: revision
  // `revision` of `stream` (when `stream` is not empty) and id `event_id` (when not empty).
  // DATA_LOSS naming the position otherwise; `stored` (optional) receives the stored value
  // (hash || canonical record).
  absl::StatusOr<engagement::v1::Event> ReadIndexed(uint64_t position, absl::string_view stream,
                                                   uint64_t revision, absl::string_view event_id,
                                                   std::string* stored) const;
  // The stored event with `event_id`, or one appended earlier in the group being committed
  // (commit thread only).
  absl::StatusOr<engagement::v1::Event> FindEventForGuard(absl::string_view event_id) const;
  // The stored event with `event_id`; NOT_FOUND when there is none.
  absl::StatusOr<engagement::v1::Event> FindStoredEvent(absl::string_view event_id) const;
  // Deletes every key of the guard's family.
  absl::Status ClearGuardState();

  RocksDbOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* heads_ = nullptr;
  rocksdb::ColumnFamilyHandle* merkle_ = nullptr;
  rocksdb::ColumnFamilyHandle* checkpoints_ = nullptr;
  rocksdb::ColumnFamilyHandle* guard_family_ = nullptr;
  std::unique_ptr<RocksDbMerkleNodeStore> tree_;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;

  mutable absl::Mutex mu_;
  std::deque<std::unique_ptr<PendingAppend>> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_committing_ ABSL_GUARDED_BY(mu_) = false;
  // The commit thread has taken a group and not yet published its outcome.
  bool committing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread committer_;
  // Groups the commit thread has finished with, waiting for their callbacks.
  absl::Mutex completion_mu_;
  absl::Mutex cosignatures_mu_;  // serialises AddCosignatures
  std::deque<std::vector<std::unique_ptr<PendingAppend>>> completed_
      ABSL_GUARDED_BY(completion_mu_);
  bool stop_completing_ ABSL_GUARDED_BY(completion_mu_) = false;
  std::thread completer_;
  LogHead head_ ABSL_GUARDED_BY(mu_);
  mutable absl::CondVar head_advanced_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  // Set when a write failed: the log's in-memory state may be ahead of the disk's.
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
  std::atomic<CommitObserver*> commit_observer_{nullptr};
  std::atomic<GroupReplicator*> replicator_{nullptr};
  // Written by the commit thread once a group is durable; read by anyone.
  std::atomic<uint64_t> replication_cursor_{0};
  std::string directory_;

  // Owned by the commit thread, so unguarded.
  absl::flat_hash_map<std::string, StreamState> stream_cache_;
  AppendGuard* guard_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The tree's frontier; owned by the commit thread once the log is open.
  MerkleAppender tree_appender_;
  // The guard as the commit thread saw it when it took its group, and its state (set with guard_,
  // then owned by the commit thread).
  AppendGuard* group_guard_ = nullptr;
  std::unique_ptr<RocksDbGuardState> guard_state_;
  // The group the commit thread is numbering, while it does so.
  const GroupState* current_group_ = nullptr;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_ROCKSDB_EVENT_LOG_H_
