// The append path of RocksDbEventLog: group commit, concurrency checks, idempotency, hashing.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/rocksdb_group_state.h"
#include "ledger/rocksdb_status.h"
#include "ledger/uuid.h"
#include "rocksdb/write_batch.h"

namespace ledger {

namespace {

absl::Status RevisionMismatch(absl::string_view stream, bool exists, uint64_t revision,
                              absl::string_view expected) {
  std::string actual = exists ? absl::StrCat("is at revision ", revision) : "does not exist";
  return absl::AbortedError(
      absl::StrCat("stream ", stream, " ", actual, "; expected ", expected));
}

}  // namespace

absl::StatusOr<AppendResult> RocksDbEventLog::Append(AppendBatch batch) {
  absl::Notification committed;
  absl::StatusOr<AppendResult> outcome;
  AppendAsync(std::move(batch), [&](absl::StatusOr<AppendResult> result) {
    outcome = std::move(result);
    committed.Notify();
  });
  committed.WaitForNotification();
  return outcome;
}

void RocksDbEventLog::AppendAsync(AppendBatch batch, AppendCallback done) {
  if (batch.events.empty()) {
    done(absl::InvalidArgumentError("events: at least one is required"));
    return;
  }
  if (options_.read_only) {
    done(absl::FailedPreconditionError("the log is open read-only"));
    return;
  }
  auto pending = std::make_unique<PendingAppend>();
  pending->generated_id.reserve(batch.events.size());
  for (engagement::v1::Event& event : batch.events) {
    // Ids the log makes are made in commit order (PrepareBatch), so that they increase with the
    // position and the id index grows at its end.
    pending->generated_id.push_back(event.event_id().empty());
    event.set_stream(batch.stream);
  }
  pending->batch = std::move(batch);
  pending->done = std::move(done);
  Enqueue(std::move(pending));
}

void RocksDbEventLog::Enqueue(std::unique_ptr<PendingAppend> pending) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (!write_error_.ok()) {
      refused = absl::UnavailableError(
          absl::StrCat("the log refuses writes after a failed write: ", write_error_.message()));
    } else if (stop_committing_) {
      refused = absl::UnavailableError("the log is closing");
    } else {
      queue_.push_back(std::move(pending));
      return;
    }
  }
  pending->done(refused);
}

void RocksDbEventLog::CommitLoop() {
  while (true) {
    std::vector<std::unique_ptr<PendingAppend>> group;
    GroupState state;
    absl::Status refused;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](RocksDbEventLog* log) ABSL_EXCLUSIVE_LOCKS_REQUIRED(log->mu_) {
            return !log->queue_.empty() || log->stop_committing_;
          },
          this));
      if (queue_.empty()) return;  // stopping, and nothing left to commit
      size_t events = 0;
      // Records of the replicated log and local appends never share a group.
      const bool replicated = queue_.front()->replicated;
      while (!queue_.empty()) {
        size_t n = queue_.front()->replicated ? queue_.front()->records.size()
                                              : queue_.front()->batch.events.size();
        if (queue_.front()->replicated != replicated) break;
        if (!group.empty() && events + n > options_.max_group_events) break;
        events += n;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      group_guard_ = guard_;
      state.next_position = head_.position + 1;
      state.last_hash = head_.hash;
      state.stream_count = head_.stream_count;
      state.first_position = state.next_position;
      state.cursor = replication_cursor_.load(std::memory_order_relaxed);
      state.collect_records =
          !replicated && replicator_.load(std::memory_order_acquire) != nullptr;
      refused = write_error_;
      committing_ = true;
    }
    size_t group_events = 0;
    for (const auto& pending : group) group_events += pending->batch.events.size();
    absl::Status written;
    if (refused.ok()) {
      current_group_ = &state;
      written = CommitGroup(group, &state);
      current_group_ = nullptr;
    } else {
      // Appends queued before a write failed: the in-memory state may be ahead of the disk, so
      // they are refused like any later one.
      written = refused;
    }
    {
      absl::MutexLock lock(&mu_);
      committing_ = false;
      if (refused.ok() && written.ok()) {
        head_.position = state.next_position - 1;
        head_.hash = state.last_hash;
        head_.stream_count = state.stream_count;
        head_advanced_.SignalAll();
      } else if (refused.ok() && !state.replication_failed) {
        write_error_ = written;
      }
    }
    for (auto& pending : group) {
      if (!refused.ok()) {
        pending->result = absl::UnavailableError(absl::StrCat(
            "the log refuses writes after a failed write: ", refused.message()));
      } else if (!written.ok() && state.replication_failed && pending->result.ok()) {
        pending->result = absl::UnavailableError(absl::StrCat(
            "the replicated log did not acknowledge the append, so it may or may not be in the "
            "log: append it again with the same event ids (a repeat is answered with the "
            "original positions): ",
            written.message()));
      } else if (!written.ok() && pending->replicated) {
        pending->result = written;
      } else if (!written.ok() && pending->result.ok()) {
        pending->result = absl::UnavailableError(
            absl::StrCat("the write could not be made durable (after a restart its events may "
                         "or may not be in the log: append them again with the same event ids, "
                         "and a repeat is answered with the original positions): ",
                         written.message()));
      }
    }
    if (CommitObserver* observer = commit_observer_.load(std::memory_order_acquire)) {
      observer->Committed({group.size(), group_events, state.write_time,
                           written.ok() || state.replication_failed, state.replication_failed});
    }
    // Answering the callers (for a server: serializing replies, writing to sockets) happens on
    // the completion thread, so the commit thread goes straight on to the next group.
    absl::MutexLock lock(&completion_mu_);
    completed_.push_back(std::move(group));
  }
}

void RocksDbEventLog::CompletionLoop() {
  while (true) {
    std::vector<std::unique_ptr<PendingAppend>> group;
    {
      absl::MutexLock lock(&completion_mu_);
      completion_mu_.Await(absl::Condition(
          +[](RocksDbEventLog* log) ABSL_EXCLUSIVE_LOCKS_REQUIRED(log->completion_mu_) {
            return !log->completed_.empty() || log->stop_completing_;
          },
          this));
      if (completed_.empty()) return;  // stopping, and everyone answered
      group = std::move(completed_.front());
      completed_.pop_front();
    }
    for (auto& pending : group) pending->done(std::move(pending->result));
  }
}

absl::Status RocksDbEventLog::CommitGroup(
    const std::vector<std::unique_ptr<PendingAppend>>& group, GroupState* state) {
  absl::Status written = WriteGroup(group, state);
  if (!written.ok()) {
    // Whatever the group changed in memory may be ahead of the disk: forget it.
    stream_cache_.clear();
    if (group_guard_ != nullptr) guard_state_->GroupFailed();
  }
  return written;
}

absl::Status RocksDbEventLog::WriteGroup(
    const std::vector<std::unique_ptr<PendingAppend>>& group, GroupState* state) {
  absl::Time now = absl::Now();
  state->recorded_at.set_seconds(absl::ToUnixSeconds(now));
  state->recorded_at.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(now - absl::FromUnixSeconds(absl::ToUnixSeconds(now)))));
  rocksdb::WriteBatch batch;
  bool anything = false;
  for (const auto& pending : group) {
    if (pending->replicated) {
      absl::Status prepared = PrepareReplicated(pending.get(), state, &batch);
      if (!prepared.ok()) return prepared;
      pending->result = AppendResult();
      anything = anything || state->cursor_changed;
      continue;
    }
    pending->result = PrepareBatch(pending.get(), state, &batch);
    if (pending->result.ok() && !pending->result->already_appended) anything = true;
  }
  if (!anything) return absl::OkStatus();
  absl::Status replicated = ReplicateGroup(state, &batch);
  if (!replicated.ok()) return replicated;
  if (group_guard_ != nullptr) {
    // The guard's state changes in the same batch as the events that changed it.
    guard_state_->AddGroupTo(&batch);
    batch.Put(meta_, log_format::kGuardPositionKey,
              log_format::EncodeFixed64BE(state->next_position - 1));
  }
  if (state->stream_count_changed) {
    batch.Put(meta_, log_format::kStreamCountKey, log_format::EncodeFixed64BE(state->stream_count));
  }
  // The tree grows in the same batch as the events, so the two never disagree.
  MerkleAppender tree = tree_appender_;
  absl::StatusOr<std::vector<MerkleNode>> nodes = tree.Append(state->leaves);
  if (!nodes.ok()) return nodes.status();
  absl::Status added = RocksDbMerkleNodeStore::AddToBatch(*nodes, merkle_, &batch,
                                                          merkle_format::kLowestStoredLevel);
  if (!added.ok()) return added;
  batch.Put(meta_, log_format::kTreeSizeKey, log_format::EncodeFixed64BE(tree.size()));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  absl::Time write_started = absl::Now();
  rocksdb::Status s = db_->Write(write_options, &batch);
  state->write_time = absl::Now() - write_started;
  if (!s.ok()) return FromRocks(s, "appending");
  if (group_guard_ != nullptr) guard_state_->GroupWritten();
  tree_appender_ = std::move(tree);
  if (state->cursor_changed) replication_cursor_.store(state->cursor, std::memory_order_release);
  // The streams written lately; older ones are a point lookup in `heads`. (A cache of a million
  // cost more in rehashing as it grew than it saved in lookups.)
  if (stream_cache_.size() > 65'536) stream_cache_.clear();
  for (auto& [stream, stream_state] : state->streams) stream_cache_[stream] = stream_state;
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> RocksDbEventLog::PrepareBatch(PendingAppend* pending,
                                                           GroupState* state,
                                                           rocksdb::WriteBatch* batch) {
  AppendBatch& append = pending->batch;
  const std::string& stream = append.stream;

  // Idempotency: which of the batch's ids were appended before, and with what content?
  size_t seen = 0;
  AppendResult repeat;
  repeat.already_appended = true;
  for (size_t i = 0; i < append.events.size(); ++i) {
    const engagement::v1::Event& event = append.events[i];
    if (pending->generated_id[i]) continue;  // new by construction
    const std::string& id = event.event_id();
    GroupState::IdEntry previous;
    auto in_group = state->ids.find(id);
    if (in_group != state->ids.end()) {
      previous = in_group->second;
      previous.content = ClientContent(*in_group->second.event);
    } else {
      absl::StatusOr<uint64_t> position = LookupEventId(id);
      if (absl::IsNotFound(position.status())) continue;
      if (!position.ok()) return position.status();
      std::string value;
      absl::StatusOr<engagement::v1::Event> stored = ReadIndexed(*position, "", 0, id, &value);
      if (!stored.ok()) return stored.status();
      previous = {*position, ClientContent(*stored), stored->stream_revision(),
                  value.substr(0, log_format::kHashSize)};
    }
    if (previous.content != ClientContent(event)) {
      return absl::AlreadyExistsError(absl::StrCat(
          "event_id ", id, " was already appended at position ", previous.position,
          " with different content"));
    }
    ++seen;
    repeat.positions.push_back(previous.position);
    repeat.event_ids.push_back(id);
    repeat.stream_revision = previous.revision;
    repeat.last_hash = previous.hash;
  }
  if (seen == append.events.size()) return repeat;
  if (seen != 0) {
    return absl::AlreadyExistsError(
        "some event ids of this batch were appended before in another batch; "
        "retry the original batch unchanged or use new ids");
  }

  // Optimistic concurrency against the stream as the earlier batches leave it.
  absl::StatusOr<StreamState> found = StreamStateInGroup(stream, *state);
  if (!found.ok()) return found.status();
  const StreamState current = *found;
  const ExpectedRevision& expected = append.expected;
  switch (expected.kind) {
    case ExpectedRevision::Kind::kAny:
      break;
    case ExpectedRevision::Kind::kNoStream:
      if (current.exists) return RevisionMismatch(stream, true, current.revision, "no stream");
      break;
    case ExpectedRevision::Kind::kStreamExists:
      if (!current.exists) return RevisionMismatch(stream, false, 0, "the stream to exist");
      break;
    case ExpectedRevision::Kind::kExact:
      if (!current.exists || current.revision != expected.revision) {
        return RevisionMismatch(stream, current.exists, current.revision,
                                absl::StrCat("revision ", expected.revision));
      }
      break;
  }

  // Number the events as they will be stored, then let the guard see them.
  uint64_t revision = current.exists ? current.revision + 1 : 0;
  uint64_t position = state->next_position;
  for (size_t i = 0; i < append.events.size(); ++i) {
    engagement::v1::Event& event = append.events[i];
    if (pending->generated_id[i]) event.set_event_id(NewUuid());
    event.set_stream_revision(revision++);
    event.set_position(position++);
    if (!append.keep_recorded_at || !event.has_recorded_at()) {
      *event.mutable_recorded_at() = state->recorded_at;
    }
    event.clear_hash();
  }
  if (group_guard_ != nullptr) {
    absl::Status allowed = group_guard_->Check(append.events, *guard_state_);
    if (!allowed.ok()) {
      guard_state_->DropBatch();
      return allowed;
    }
    guard_state_->KeepBatch();
  }

  AppendResult result;
  for (size_t i = 0; i < append.events.size(); ++i) {
    engagement::v1::Event& event = append.events[i];
    event.set_previous_hash(state->last_hash);
    std::string record = EncodeCanonicalRecord(event);
    std::string hash = ChainHash(state->last_hash, record);
    state->leaves.push_back(MerkleLeafHash(record));
    if (state->collect_records) state->records.push_back(hash + record);
    batch->Put(log_, log_format::PositionKey(event.position()), hash + record);
    batch->Put(ids_, event.event_id(), log_format::EncodeFixed64BE(event.position()));
    batch->Put(streams_, log_format::StreamKey(stream, event.stream_revision()),
               log_format::EncodeFixed64BE(event.position()));
    if (!pending->generated_id[i]) {
      state->ids[event.event_id()] = {event.position(), "", event.stream_revision(), hash, &event};
    }
    result.positions.push_back(event.position());
    result.event_ids.push_back(event.event_id());
    state->last_hash = std::move(hash);
  }
  if (!current.exists) {
    ++state->stream_count;
    state->stream_count_changed = true;
  }
  state->streams[stream] = {true, append.events.back().stream_revision()};
  batch->Put(heads_, stream, log_format::EncodeFixed64BE(append.events.back().stream_revision()));
  state->next_position = position;
  result.stream_revision = append.events.back().stream_revision();
  result.last_hash = state->last_hash;
  return result;
}

absl::StatusOr<RocksDbEventLog::StreamState> RocksDbEventLog::StreamStateInGroup(
    const std::string& stream, const GroupState& state) const {
  if (auto it = state.streams.find(stream); it != state.streams.end()) return it->second;
  if (auto cached = stream_cache_.find(stream); cached != stream_cache_.end()) {
    return cached->second;
  }
  return LoadStreamState(stream);
}

absl::StatusOr<engagement::v1::Event> RocksDbEventLog::FindEventForGuard(
    absl::string_view event_id) const {
  if (current_group_ != nullptr) {
    auto in_group = current_group_->ids.find(event_id);
    if (in_group != current_group_->ids.end() && in_group->second.event != nullptr) {
      return *in_group->second.event;
    }
  }
  return FindStoredEvent(event_id);
}

absl::StatusOr<engagement::v1::Event> RocksDbEventLog::FindStoredEvent(
    absl::string_view event_id) const {
  absl::StatusOr<uint64_t> position = LookupEventId(event_id);
  if (!position.ok()) return position.status();
  return ReadIndexed(*position, "", 0, event_id, nullptr);
}

}  // namespace ledger
