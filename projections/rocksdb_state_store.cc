#include "projections/rocksdb_state_store.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "ledger/log_format.h"
#include "ledger/rocksdb_status.h"
#include "projections/state_history.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace projections {
namespace {

std::string Prefix(absl::string_view name) { return absl::StrCat(name, std::string(1, '\0'), "r"); }
std::string ProgressKey(absl::string_view name) {
  return absl::StrCat(name, std::string(1, '\0'), "p");
}
std::string HistoryPrefixOf(absl::string_view name) {
  return absl::StrCat(name, std::string(1, '\0'), "h");
}
std::string ScratchPrefixOf(absl::string_view name) {
  return absl::StrCat(name, std::string(1, '\0'), "c");
}
std::string HistoryStartKey(absl::string_view name) {
  return absl::StrCat(name, std::string(1, '\0'), "H");
}

// A RocksDB snapshot, released with the last reader that uses it.
using SharedSnapshot = std::shared_ptr<const rocksdb::Snapshot>;

SharedSnapshot HoldSnapshot(rocksdb::DB* db) {
  return SharedSnapshot(db->GetSnapshot(),
                        [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
}

// Iterates the committed records of `name` whose key starts with `prefix` (as of `snapshot`,
// when given).
class RecordReader final : public StateReader {
 public:
  RecordReader(rocksdb::DB* db, std::string name, SharedSnapshot snapshot = nullptr)
      : RecordReader(db, SharedSnapshot(std::move(snapshot)), Prefix(name)) {}
  // Any other part of a projection's keys (its history, a scratch area), by its prefix.
  RecordReader(rocksdb::DB* db, SharedSnapshot snapshot, std::string prefix)
      : db_(db), prefix_(std::move(prefix)), snapshot_(std::move(snapshot)) {
    read_.snapshot = snapshot_.get();
  }
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const override {
    std::string value;
    rocksdb::Status s = db_->Get(read_, absl::StrCat(prefix_, key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return ledger::FromRocks(s, "reading projection state");
    return std::optional<std::string>(std::move(value));
  }
  absl::Status Scan(absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const override {
    std::string start = absl::StrCat(prefix_, prefix);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_));
    for (it->Seek(start); it->Valid(); it->Next()) {
      absl::string_view key = ledger::View(it->key());
      if (key.substr(0, start.size()) != start) break;
      if (!visit(key.substr(prefix_.size()), ledger::View(it->value()))) break;
    }
    return ledger::FromRocks(it->status(), "scanning projection state");
  }

 private:
  rocksdb::DB* db_;
  std::string prefix_;
  SharedSnapshot snapshot_;
  rocksdb::ReadOptions read_;
};

absl::StatusOr<Progress> DecodeProgress(absl::string_view name, absl::string_view value) {
  Progress progress;
  if (value.size() != 12 ||
      !ledger::log_format::DecodeFixed64BE(value.substr(0, 8), &progress.position)) {
    return absl::DataLossError(absl::StrCat("malformed progress of projection ", name));
  }
  uint64_t version = 0;
  ledger::log_format::DecodeFixed64BE(absl::StrCat(std::string(4, '\0'), value.substr(8)),
                                      &version);
  progress.version = static_cast<uint32_t>(version);
  return progress;
}

absl::StatusOr<Progress> ReadProgress(rocksdb::DB* db, const rocksdb::ReadOptions& read,
                                      absl::string_view name) {
  std::string value;
  rocksdb::Status s = db->Get(read, ProgressKey(name), &value);
  if (s.IsNotFound()) return Progress();
  if (!s.ok()) return ledger::FromRocks(s, "reading projection progress");
  return DecodeProgress(name, value);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ProjectionDatabase>> ProjectionDatabase::Open(
    const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create projection directory ", directory, ": ", ec.message()));
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kLZ4Compression;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, directory, &raw);
  if (!s.ok()) return ledger::FromRocks(s, absl::StrCat("opening ", directory));
  std::unique_ptr<ProjectionDatabase> db(new ProjectionDatabase());
  db->db_.reset(raw);
  return db;
}

ProjectionDatabase::~ProjectionDatabase() {
  if (db_) db_->Close().PermitUncheckedError();
}

absl::StatusOr<Progress> ProjectionDatabase::GetProgress(absl::string_view name) const {
  return ReadProgress(db_.get(), rocksdb::ReadOptions(), name);
}

std::unique_ptr<StateReader> ProjectionDatabase::Reader(absl::string_view name) const {
  return std::make_unique<RecordReader>(db_.get(), std::string(name));
}

absl::StatusOr<ProjectionDatabase::Snapshot> ProjectionDatabase::TakeSnapshot(
    absl::string_view name) const {
  SharedSnapshot held = HoldSnapshot(db_.get());
  rocksdb::ReadOptions read;
  read.snapshot = held.get();
  absl::StatusOr<Progress> progress = ReadProgress(db_.get(), read, name);
  if (!progress.ok()) return progress.status();
  Snapshot snapshot;
  snapshot.progress = *progress;
  std::string start;
  rocksdb::Status s = db_->Get(read, HistoryStartKey(name), &start);
  if (!s.ok() && !s.IsNotFound()) return ledger::FromRocks(s, "reading projection history");
  if (s.ok()) {
    snapshot.history = std::make_unique<RecordReader>(db_.get(), held, HistoryPrefixOf(name));
  }
  snapshot.state = std::make_unique<RecordReader>(db_.get(), std::string(name), std::move(held));
  return snapshot;
}

std::unique_ptr<ProjectionDatabase::Chunk> ProjectionDatabase::BeginChunk(
    absl::string_view name, const Projection* projection) {
  return std::unique_ptr<Chunk>(new Chunk(this, std::string(name), projection));
}

absl::StatusOr<std::unique_ptr<StateReader>> ProjectionDatabase::ReadAsOf(
    const Projection& projection, uint64_t position) const {
  SharedSnapshot held = HoldSnapshot(db_.get());
  rocksdb::ReadOptions read;
  read.snapshot = held.get();
  absl::StatusOr<Progress> progress = ReadProgress(db_.get(), read, projection.name());
  if (!progress.ok()) return progress.status();
  std::string start;
  rocksdb::Status s = db_->Get(read, HistoryStartKey(projection.name()), &start);
  if (!s.ok() && !s.IsNotFound()) return ledger::FromRocks(s, "reading projection history");
  if (s.IsNotFound() || progress->version != projection.version() ||
      progress->position < position) {
    return absl::UnavailableError(absl::StrCat("projection ", projection.name(),
                                               " keeps no history reaching position ", position));
  }
  // As of the position it has applied: the records themselves.
  if (progress->position == position) {
    return std::unique_ptr<StateReader>(
        std::make_unique<RecordReader>(db_.get(), std::string(projection.name()), held));
  }
  // The reader keeps the snapshot for as long as it lives.
  class Held final : public StateReader {
   public:
    Held(SharedSnapshot snapshot, std::unique_ptr<HistoryReader> reader)
        : snapshot_(std::move(snapshot)), reader_(std::move(reader)) {}
    absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const override {
      return reader_->Get(key);
    }
    absl::Status Scan(absl::string_view prefix,
                      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
        const override {
      return reader_->Scan(prefix, visit);
    }

   private:
    SharedSnapshot snapshot_;
    std::unique_ptr<HistoryReader> reader_;
  };
  auto reader = std::make_unique<HistoryReader>(db_.get(), read,
                                                HistoryPrefixOf(projection.name()),
                                                Prefix(projection.name()), position, &projection);
  return std::unique_ptr<StateReader>(std::make_unique<Held>(std::move(held), std::move(reader)));
}

std::string ProjectionDatabase::RecordKey(absl::string_view name, absl::string_view key) const {
  return absl::StrCat(Prefix(name), key);
}

absl::StatusOr<std::optional<std::string>> ProjectionDatabase::Chunk::Get(
    absl::string_view key) const {
  auto it = pending_.find(key);
  if (it != pending_.end()) return it->second;
  return RecordReader(db_->db_.get(), name_).Get(key);
}

absl::Status ProjectionDatabase::Chunk::Scan(
    absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) const {
  // Merge the committed records with the chunk's own writes, in key order.
  MemoryState merged;
  absl::Status s = RecordReader(db_->db_.get(), name_).Scan(
      prefix, [&](absl::string_view key, absl::string_view value) {
        merged.Put(key, value);
        return true;
      });
  if (!s.ok()) return s;
  for (auto it = pending_.lower_bound(prefix); it != pending_.end(); ++it) {
    if (absl::string_view(it->first).substr(0, prefix.size()) != prefix) break;
    if (it->second.has_value()) {
      merged.Put(it->first, *it->second);
    } else {
      merged.Delete(it->first);
    }
  }
  return merged.Scan(prefix, visit);
}

void ProjectionDatabase::Chunk::Put(absl::string_view key, absl::string_view value) {
  pending_[std::string(key)] = std::string(value);
  Keep(key, std::string(value));
}

void ProjectionDatabase::Chunk::Delete(absl::string_view key) {
  pending_[std::string(key)] = std::nullopt;
  Keep(key, std::nullopt);
}

void ProjectionDatabase::Chunk::Keep(absl::string_view key,
                                     const std::optional<std::string>& value) {
  if (projection_ == nullptr || position_ == 0) return;
  std::optional<std::string> kept = value;
  if (kept.has_value()) kept = projection_->HistoryValue(key, *kept);
  // The last write of a key at one position is its version as of that position.
  history_.emplace_back(HistoryKey(key, position_), EncodeVersion(kept));
}

absl::Status ProjectionDatabase::Chunk::Commit(const Progress& progress) {
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : pending_) {
    if (value.has_value()) {
      batch.Put(db_->RecordKey(name_, key), *value);
    } else {
      batch.Delete(db_->RecordKey(name_, key));
    }
  }
  std::string encoded = ledger::log_format::EncodeFixed64BE(progress.position) +
                        ledger::log_format::EncodeFixed64BE(progress.version).substr(4);
  batch.Put(ProgressKey(name_), encoded);
  const std::string history_prefix = HistoryPrefixOf(name_);
  for (const auto& [key, version] : history_) batch.Put(absl::StrCat(history_prefix, key), version);
  if (starts_history_) batch.Put(HistoryStartKey(name_), ledger::log_format::EncodeFixed64BE(1));
  // No WAL: a chunk and its progress are one batch in one column family, so whatever survives a
  // crash is consistent, and anything lost is recomputed from the log on the next catch-up.
  rocksdb::WriteOptions options;
  options.disableWAL = true;
  rocksdb::Status s = db_->db_->Write(options, &batch);
  if (!s.ok()) return ledger::FromRocks(s, "committing projection state");
  pending_.clear();
  history_.clear();
  starts_history_ = false;
  return absl::OkStatus();
}

ProjectionDatabase::HistoryScratch::HistoryScratch(const ProjectionDatabase* db, std::string name)
    : db_(db), name_(std::move(name)),
      reader_(std::make_unique<RecordReader>(db->db_.get(), nullptr, ScratchPrefixOf(name_))) {}

ProjectionDatabase::HistoryScratch::~HistoryScratch() { db_->ClearScratch(name_); }

void ProjectionDatabase::ClearScratch(absl::string_view name) const {
  const std::string start = ScratchPrefixOf(name);
  const std::string end = absl::StrCat(name, std::string(1, '\0'), "d");
  db_->DeleteRange(rocksdb::WriteOptions(), db_->DefaultColumnFamily(), start, end)
      .PermitUncheckedError();
}

void ProjectionDatabase::HistoryScratch::Put(absl::string_view history_key,
                                             absl::string_view version) {
  batch_.Put(absl::StrCat(ScratchPrefixOf(name_), history_key),
             rocksdb::Slice(version.data(), version.size()));
  if (batch_.Count() >= 10000) failed_.Update(Flush());
}

absl::Status ProjectionDatabase::HistoryScratch::Flush() {
  if (!failed_.ok()) return failed_;
  rocksdb::WriteOptions options;
  options.disableWAL = true;  // scratch: nothing to recover
  rocksdb::Status s = db_->db_->Write(options, &batch_);
  batch_.Clear();
  return ledger::FromRocks(s, "writing a projection check's scratch history");
}

std::unique_ptr<ProjectionDatabase::HistoryScratch> ProjectionDatabase::BeginHistoryScratch(
    absl::string_view name) {
  ClearScratch(name);  // (whatever a check cut short by a crash left)
  return std::unique_ptr<HistoryScratch>(new HistoryScratch(this, std::string(name)));
}

absl::Status ProjectionDatabase::Clear(absl::string_view name) {
  std::string start = absl::StrCat(name, std::string(1, '\0'));
  std::string end = absl::StrCat(name, std::string(1, '\1'));
  rocksdb::Status s =
      db_->DeleteRange(rocksdb::WriteOptions(), db_->DefaultColumnFamily(), start, end);
  return ledger::FromRocks(s, "clearing projection state");
}

absl::Status ProjectionDatabase::Purge(absl::string_view name, absl::string_view key) {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = db_->Flush(flush);
  if (!s.ok()) return ledger::FromRocks(s, "flushing projection state");
  std::string start = RecordKey(name, key);
  std::string end = absl::StrCat(start, std::string(1, '\xff'));
  rocksdb::Slice begin_slice(start), end_slice(end);
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  s = db_->CompactRange(compact, &begin_slice, &end_slice);
  return ledger::FromRocks(s, "compacting projection state");
}

absl::Status ProjectionDatabase::CopyTo(const std::string& directory) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return ledger::FromRocks(s, "starting a copy of the projections");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  s = checkpoint->CreateCheckpoint(directory, /*log_size_for_flush=*/0);
  return ledger::FromRocks(s, absl::StrCat("copying the projections to ", directory));
}

}  // namespace projections
