// Replication on RocksDbEventLog (group_replicator.h): the leader's groups go through the
// replicator before they are written, and every node writes the replicated log's records as they
// are, checked against its own chain.
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/rocksdb_group_state.h"
#include "ledger/rocksdb_status.h"
#include "rocksdb/write_batch.h"

namespace ledger {

void RocksDbEventLog::ApplyReplicated(uint64_t cursor, std::vector<std::string> records,
                                      std::function<void(absl::Status)> done) {
  auto pending = std::make_unique<PendingAppend>();
  pending->replicated = true;
  pending->cursor = cursor;
  pending->records = std::move(records);
  pending->done = [done = std::move(done)](absl::StatusOr<AppendResult> result) {
    done(result.status());
  };
  Enqueue(std::move(pending));
}

absl::Status RocksDbEventLog::PrepareReplicated(PendingAppend* pending, GroupState* state,
                                                rocksdb::WriteBatch* batch) {
  if (pending->cursor <= state->cursor) return absl::OkStatus();  // written here already
  // Decoded events stay put while the group is prepared: the guard may look up an earlier one.
  std::vector<engagement::v1::Event>& events = pending->batch.events;
  events.clear();
  events.reserve(pending->records.size());
  for (const std::string& stored : pending->records) {
    const uint64_t position = state->next_position;
    auto refuse = [&](absl::string_view why) {
      return absl::DataLossError(absl::StrCat(
          "the replicated log's message ", pending->cursor, " does not extend this node's log at ",
          "position ", position, ": ", why,
          ". This node's copy has diverged; rebuild it from the replicated log "
          "(docs/replication.md)"));
    };
    if (stored.size() < log_format::kHashSize) return refuse("a record is truncated");
    absl::string_view hash = absl::string_view(stored).substr(0, log_format::kHashSize);
    absl::string_view record = absl::string_view(stored).substr(log_format::kHashSize);
    absl::StatusOr<engagement::v1::Event> decoded = DecodeCanonicalRecord(record);
    if (!decoded.ok()) return refuse("a record does not parse");
    if (decoded->position() != position) {
      return refuse(absl::StrCat("the record is at position ", decoded->position()));
    }
    if (decoded->previous_hash() != state->last_hash) return refuse("the previous hash differs");
    if (ChainHash(state->last_hash, record) != hash) return refuse("the chain hash differs");
    const std::string& stream = decoded->stream();
    absl::StatusOr<StreamState> found = StreamStateInGroup(stream, *state);
    if (!found.ok()) return found.status();
    const StreamState current = *found;
    const uint64_t revision = current.exists ? current.revision + 1 : 0;
    if (decoded->stream_revision() != revision) {
      return refuse(absl::StrCat("the record has stream revision ", decoded->stream_revision(),
                                 " where ", revision, " comes next"));
    }
    events.push_back(*std::move(decoded));
    const engagement::v1::Event& event = events.back();
    if (group_guard_ != nullptr) {
      absl::Status applied = group_guard_->Apply(event, *guard_state_);
      if (!applied.ok()) {
        guard_state_->DropBatch();
        return absl::Status(applied.code(), absl::StrCat("applying position ", position,
                                                         " to the append guard: ",
                                                         applied.message()));
      }
      guard_state_->KeepBatch();
    }
    state->leaves.push_back(MerkleLeafHash(record));
    batch->Put(log_, log_format::PositionKey(position), stored);
    batch->Put(ids_, event.event_id(), log_format::EncodeFixed64BE(position));
    batch->Put(streams_, log_format::StreamKey(stream, revision),
               log_format::EncodeFixed64BE(position));
    batch->Put(heads_, stream, log_format::EncodeFixed64BE(revision));
    state->ids[event.event_id()] = {position, "", revision, std::string(hash), &event};
    if (!current.exists) {
      ++state->stream_count;
      state->stream_count_changed = true;
    }
    state->streams[stream] = {true, revision};
    state->last_hash = std::string(hash);
    state->next_position = position + 1;
  }
  state->cursor = pending->cursor;
  state->cursor_changed = true;
  batch->Put(meta_, log_format::kReplicationCursorKey, log_format::EncodeFixed64BE(state->cursor));
  return absl::OkStatus();
}

absl::Status RocksDbEventLog::ReplicateGroup(GroupState* state, rocksdb::WriteBatch* batch) {
  if (!state->collect_records || state->records.empty()) return absl::OkStatus();
  GroupReplicator* replicator = replicator_.load(std::memory_order_acquire);
  absl::StatusOr<uint64_t> cursor =
      replicator->Replicate(state->cursor, state->first_position, state->records);
  if (!cursor.ok()) {
    state->replication_failed = true;
    return cursor.status();
  }
  state->cursor = *cursor;
  state->cursor_changed = true;
  batch->Put(meta_, log_format::kReplicationCursorKey, log_format::EncodeFixed64BE(*cursor));
  return absl::OkStatus();
}

absl::Status RocksDbEventLog::RecoverReplicationCursor() {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), meta_, log_format::kReplicationCursorKey, &value);
  if (s.IsNotFound()) return absl::OkStatus();
  if (!s.ok()) return FromRocks(s, "reading the replication cursor");
  uint64_t cursor = 0;
  if (!log_format::DecodeFixed64BE(value, &cursor)) {
    return absl::DataLossError("malformed replication cursor");
  }
  replication_cursor_.store(cursor, std::memory_order_release);
  return absl::OkStatus();
}

}  // namespace ledger
