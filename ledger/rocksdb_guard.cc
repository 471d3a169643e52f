// Installing the append guard on RocksDbEventLog: bringing its stored state up to the head.
#include <memory>

#include "absl/strings/str_cat.h"
#include "ledger/log_format.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/rocksdb_status.h"

namespace ledger {
namespace {

// Events replayed per WriteBatch while catching the guard's state up.
constexpr uint64_t kReplayChunk = 8192;

}  // namespace

absl::Status RocksDbEventLog::ClearGuardState() {
  rocksdb::ReadOptions every_key;
  every_key.total_order_seek = true;  // every key, whatever prefix options the family has had
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(every_key, guard_family_));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    batch.Delete(guard_family_, it->key());
    if (batch.Count() >= 65536) {
      rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
      if (!s.ok()) return FromRocks(s, "clearing the append guard's state");
      batch.Clear();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the append guard's state");
  batch.Delete(meta_, log_format::kGuardPositionKey);
  batch.Delete(meta_, log_format::kGuardVersionKey);
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch),
                   "clearing the append guard's state");
}

absl::StatusOr<uint64_t> RocksDbEventLog::InstallAppendGuard(AppendGuard* guard,
                                                             ReplayProgress progress) {
  if (options_.read_only) return absl::FailedPreconditionError("the log is open read-only");
  const uint64_t head = Head().position;
  const std::string version = guard->StateVersion();

  // Where the stored state stands: the position it reflects, if it was written by this layout.
  std::string stored_version, stored_position;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), meta_, log_format::kGuardVersionKey, &stored_version);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the append guard's version");
  uint64_t reflected = 0;
  bool current_layout = s.ok() && stored_version == version;
  if (current_layout) {
    s = db_->Get(rocksdb::ReadOptions(), meta_, log_format::kGuardPositionKey, &stored_position);
    if (s.ok()) {
      if (!log_format::DecodeFixed64BE(stored_position, &reflected) || reflected > head) {
        current_layout = false;  // unreadable, or ahead of the log: rebuild it
      }
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading the append guard's position");
    }
  }
  if (!current_layout) {
    absl::Status cleared = ClearGuardState();
    if (!cleared.ok()) return cleared;
    reflected = 0;
  }

  // Replaying, every event is stored: look them up in the log only. The commit thread's state,
  // installed below, also sees the group it is committing.
  RocksDbGuardState replay_state(
      db_.get(), guard_family_,
      [this](absl::string_view event_id) { return FindStoredEvent(event_id); });
  const uint64_t total = head - reflected;
  uint64_t replayed = 0;
  auto write_chunk = [&](uint64_t through, bool sync) -> absl::Status {
    rocksdb::WriteBatch batch;
    replay_state.AddGroupTo(&batch);
    batch.Put(meta_, log_format::kGuardVersionKey, version);
    batch.Put(meta_, log_format::kGuardPositionKey, log_format::EncodeFixed64BE(through));
    rocksdb::WriteOptions write_options;
    write_options.sync = sync && options_.sync;
    rocksdb::Status written = db_->Write(write_options, &batch);
    if (!written.ok()) {
      replay_state.GroupFailed();
      return FromRocks(written, "writing the append guard's state");
    }
    replay_state.GroupWritten();
    if (progress) progress(replayed, total);
    return absl::OkStatus();
  };
  absl::Status applied;
  LogReadOptions read;
  read.from_position = reflected + 1;
  read.to_position = head;
  if (head > reflected) {
    absl::Status read_status = ReadLog(read, [&](const engagement::v1::Event& event,
                                                 absl::string_view) {
      applied = guard->Apply(event, replay_state);
      if (!applied.ok()) {
        applied = absl::Status(applied.code(), absl::StrCat("replaying position ", event.position(),
                                                            " into the append guard: ",
                                                            applied.message()));
        return false;
      }
      replay_state.KeepBatch();
      if (++replayed % kReplayChunk == 0) {
        applied = write_chunk(event.position(), /*sync=*/false);
        if (!applied.ok()) return false;
      }
      return true;
    });
    if (!applied.ok()) return applied;
    if (!read_status.ok()) return read_status;
  }
  // The last chunk, synced (which also makes the unsynced chunks before it durable).
  absl::Status last = write_chunk(head, /*sync=*/true);
  if (!last.ok()) return last;

  absl::MutexLock lock(&mu_);
  if (head_.position != head || !queue_.empty() || committing_) {
    return absl::FailedPreconditionError(
        "appends arrived while the append guard was being installed; install it first");
  }
  guard_state_ = std::make_unique<RocksDbGuardState>(
      db_.get(), guard_family_,
      [this](absl::string_view event_id) { return FindEventForGuard(event_id); });
  guard_ = guard;
  return replayed;
}

absl::StatusOr<std::optional<std::string>> RocksDbEventLog::ReadGuardState(
    absl::string_view key) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), guard_family_, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading the guard's state");
  return value;
}

}  // namespace ledger
