// Opening, recovery and the read side of RocksDbEventLog. The append path is in
// rocksdb_append.cc.
#include "ledger/rocksdb_event_log.h"

#include <pthread.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_status.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"

namespace ledger {

using log_format::DecodeFixed64BE;

namespace {

// Every family: flushes share the cores with gRPC and the commit thread, so compress with LZ4,
// which costs less CPU than the default Snappy.
rocksdb::ColumnFamilyOptions BaseFamily() {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kLZ4Compression;
  return options;
}

// Families whose keys arrive in order within a prefix (positions; each Merkle level's indexes; a
// stream's revisions): the memtable keeps an insert hint per prefix, so such an insert starts
// where the previous one ended instead of descending the skiplist from the top. Only the
// memtable uses the prefix; reads are unaffected.
rocksdb::ColumnFamilyOptions SequentialFamily(size_t prefix_length) {
  rocksdb::ColumnFamilyOptions options = BaseFamily();
  options.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewCappedPrefixTransform(prefix_length));
  return options;
}

// Families read by point lookups (ids, stream heads, the guard's state): Bloom filters on disk and
// in the memtable make the common answer, "not there", cheap. Their keys mostly begin with a
// time-ordered UUID (uuid.h), so inserts mostly land at the end of their run: the memtable keeps
// an insert hint per `hint_prefix_length` bytes of key. Random keys (clients' own UUIDs) cost a
// full skiplist descent, which a small memtable keeps in cache.
//
// (A hash-of-skiplists memtable was tried for these families: cheaper random inserts, but every
// flush sorts its whole content again, on the cores the appends need.)
rocksdb::ColumnFamilyOptions PointLookupFamily(size_t hint_prefix_length) {
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions options = SequentialFamily(hint_prefix_length);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.05;
  options.write_buffer_size = 16 << 20;
  return options;
}

// The id index: keys are UUID texts; two characters of hint prefix give time-ordered ids one
// hint and spread random ones over at most 256.
rocksdb::ColumnFamilyOptions IdsFamily() { return PointLookupFamily(2); }

// The append guard's state: keys of its own, mostly a letter and an id.
rocksdb::ColumnFamilyOptions GuardFamily() { return PointLookupFamily(3); }

// Stream heads: names such as "engagement-<uuid>"; 14 bytes reach into the id's first characters.
rocksdb::ColumnFamilyOptions HeadsFamily() { return PointLookupFamily(14); }

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbEventLog>> RocksDbEventLog::Open(
    const std::string& directory, const RocksDbOptions& options) {
  // Abseil's mutex deadlock detection (on in Debian's build) costs a graph update per lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::unique_ptr<RocksDbEventLog> log(new RocksDbEventLog());
  log->options_ = options;
  log->directory_ = directory;

  rocksdb::DBOptions db_options;
  if (options.env != nullptr) db_options.env = options.env;
  if (options.statistics != nullptr) db_options.statistics = options.statistics;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  // After a crash, recover every record of the WAL and tolerate only a torn last one: an
  // acknowledged append was synced, so it is always before the tear. A damaged record anywhere
  // else stops the open with the file named (point-in-time recovery would instead stop replaying
  // there and open a silently shortened history).
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // (WAL recycling would make each fsync cheaper, about 130 us instead of 300 us here, as the
  // blocks would already be written; RocksDB 7.8 turns it off under point-in-time recovery.)
  db_options.IncreaseParallelism(2);
  db_options.max_open_files = 512;
  // One commit thread writes, so concurrent memtable writes buy nothing.
  db_options.allow_concurrent_memtable_write = false;


  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {log_format::kLogFamily, SequentialFamily(4)},
      {log_format::kIdsFamily, IdsFamily()},
      // One hint per 14 bytes of stream name ("engagement-019..."): a batch's revisions follow
      // each other, and new streams named by time-ordered ids go to the end.
      {log_format::kStreamsFamily, SequentialFamily(14)},
      {log_format::kHeadsFamily, HeadsFamily()},
      {log_format::kMetaFamily, rocksdb::ColumnFamilyOptions()},
      {merkle_format::kMerkleFamily, SequentialFamily(5)},
      {log_format::kCheckpointsFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kGuardFamily, GuardFamily()},
  };
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  if (options.read_only) {
    if (!std::filesystem::exists(std::filesystem::path(directory) / "CURRENT")) {
      return absl::NotFoundError(absl::StrCat("no ledger in ", directory));
    }
    // Readers do not need the guard's family, which a directory last written by an older
    // ledgerd lacks (a read-only open cannot create it).
    std::vector<std::string> present;
    if (rocksdb::DB::ListColumnFamilies(db_options, directory, &present).ok() &&
        std::find(present.begin(), present.end(), log_format::kGuardFamily) == present.end()) {
      families.pop_back();
    }
    status = rocksdb::DB::OpenForReadOnly(db_options, directory, families, &log->handles_, &raw);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create data directory ", directory, ": ", ec.message()));
    }
    status = rocksdb::DB::Open(db_options, directory, families, &log->handles_, &raw);
  }
  if (status.IsCorruption()) return DamagedStorage(directory, status);
  if (!status.ok()) return FromRocks(status, absl::StrCat("opening ", directory));
  log->db_.reset(raw);
  log->log_ = log->handles_[1];
  log->ids_ = log->handles_[2];
  log->streams_ = log->handles_[3];
  log->heads_ = log->handles_[4];
  log->meta_ = log->handles_[5];
  log->merkle_ = log->handles_[6];
  log->checkpoints_ = log->handles_[7];
  log->guard_family_ = log->handles_.size() > 8 ? log->handles_[8] : nullptr;
  log->tree_ = std::make_unique<RocksDbMerkleNodeStore>(
      log->db_.get(), log->merkle_, merkle_format::kLowestStoredLevel,
      LogLeafHashes(log->db_.get(), log->log_));
  absl::Status recovered = log->Recover();
  if (!recovered.ok()) return recovered;
  if (!options.read_only) {
    log->committer_ = std::thread([raw_log = log.get()] {
      pthread_setname_np(pthread_self(), "ledger-commit");  // as `top -H` and perf show it
      raw_log->CommitLoop();
    });
    log->completer_ = std::thread([raw_log = log.get()] {
      pthread_setname_np(pthread_self(), "ledger-answer");
      raw_log->CompletionLoop();
    });
  }
  return log;
}

absl::Status RocksDbEventLog::Recover() {
  std::string version;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, log_format::kFormatVersionKey, &version);
  if (s.IsNotFound()) {
    if (!options_.read_only) {
      s = db_->Put(rocksdb::WriteOptions(), meta_, log_format::kFormatVersionKey,
                   std::to_string(log_format::kFormatVersion));
      if (!s.ok()) return FromRocks(s, "writing format version");
    }
  } else if (!s.ok()) {
    return FromRocks(s, "reading format version");
  } else {
    uint32_t found = 0;
    if (!absl::SimpleAtoi(version, &found) || found < log_format::kOldestReadableFormatVersion ||
        found > log_format::kFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory has storage format ", version, "; this ledgerd reads formats ",
          log_format::kOldestReadableFormatVersion, " to ", log_format::kFormatVersion));
    }
    if (found < log_format::kFormatVersion && !options_.read_only) {
      s = db_->Put(rocksdb::WriteOptions(), meta_, log_format::kFormatVersionKey,
                   std::to_string(log_format::kFormatVersion));
      if (!s.ok()) return FromRocks(s, "upgrading the format version");
    }
  }

  LogHead head;
  head.hash = GenesisHash();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
  it->SeekToLast();
  if (it->Valid()) {
    if (!DecodeFixed64BE(View(it->key()), &head.position)) {
      return absl::DataLossError("malformed key in the log");
    }
    absl::string_view value = View(it->value());
    if (value.size() < log_format::kHashSize) {
      return absl::DataLossError(absl::StrCat("record at position ", head.position, " is truncated"));
    }
    head.hash = std::string(value.substr(0, log_format::kHashSize));
    absl::string_view record = value.substr(log_format::kHashSize);
    absl::StatusOr<engagement::v1::Event> event = DecodeCanonicalRecord(record);
    if (!event.ok() || ChainHash(event->previous_hash(), record) != head.hash ||
        event->position() != head.position) {
      return absl::DataLossError(absl::StrCat(
          "the head record at position ", head.position,
          " does not match its hash; run `ledgerctl verify --data_dir=DIR` to find the first bad position"));
    }
  } else if (!it->status().ok()) {
    return FromRocks(it->status(), "reading the head");
  }
  std::string count;
  s = db_->Get(rocksdb::ReadOptions(), meta_, log_format::kStreamCountKey, &count);
  if (s.ok()) {
    if (!DecodeFixed64BE(count, &head.stream_count)) {
      return absl::DataLossError("malformed stream count");
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading stream count");
  }
  {
    absl::MutexLock lock(&mu_);
    head_ = head;
  }
  absl::Status cursor = RecoverReplicationCursor();
  if (!cursor.ok()) return cursor;
  return RecoverTree(head.position);
}

RocksDbEventLog::~RocksDbEventLog() { Close().IgnoreError(); }

absl::Status RocksDbEventLog::Close() {
  if (!db_) return absl::OkStatus();
  BeginShutdown();
  // Let the commit thread finish what is queued, then stop it.
  {
    absl::MutexLock lock(&mu_);
    stop_committing_ = true;
  }
  if (committer_.joinable()) committer_.join();
  {
    absl::MutexLock lock(&completion_mu_);
    stop_completing_ = true;
  }
  if (completer_.joinable()) completer_.join();
  absl::Status result;
  // After a failed write nothing more is written (RocksDB refuses it; Debian's build aborts): the
  // write-ahead log holds every acknowledged append, and the next open replays it.
  if (!options_.read_only && WriteError().ok()) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    rocksdb::Status s = db_->Flush(flush, handles_);
    if (!s.ok()) result = FromRocks(s, "flushing on close");
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle);
  }
  handles_.clear();
  rocksdb::Status s = db_->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, "closing");
  db_.reset();
  return result;
}

absl::StatusOr<std::string> RocksDbEventLog::ReadRecord(uint64_t position) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), log_, log_format::PositionKey(position), &value);
  if (s.IsNotFound()) {
    return absl::DataLossError(absl::StrCat("position ", position, " is missing from the log"));
  }
  if (!s.ok()) return FromRocks(s, "reading the log");
  return value;
}

absl::StatusOr<RocksDbEventLog::StreamState> RocksDbEventLog::LoadStreamState(
    absl::string_view stream) const {
  StreamState state;
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), heads_, rocksdb::Slice(stream.data(), stream.size()), &value);
  if (s.IsNotFound()) return state;
  if (!s.ok()) return FromRocks(s, "reading stream heads");
  if (!DecodeFixed64BE(value, &state.revision)) return absl::DataLossError("malformed stream head");
  state.exists = true;
  // The head must be the stream's last index entry: a head set back would make the next append
  // overwrite an entry that names a real event.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams_));
  it->Seek(log_format::StreamKey(stream, state.revision));
  std::string prefix = absl::StrCat(stream, std::string(1, '\0'));
  uint64_t found = 0, position = 0;
  bool at_head = it->Valid() && it->key().starts_with(prefix) &&
                 DecodeFixed64BE(View(it->key()).substr(prefix.size()), &found) &&
                 found == state.revision;
  if (at_head) it->Next();
  if (!at_head || (it->Valid() && it->key().starts_with(prefix))) {
    if (!it->status().ok()) return FromRocks(it->status(), "reading the stream index");
    if (it->Valid()) DecodeFixed64BE(View(it->value()), &position);
    return absl::DataLossError(absl::StrCat(
        "stream ", stream, ": its stored head says revision ", state.revision,
        " but the stream index disagrees", position != 0 ? absl::StrCat(" (position ", position, ")") : "",
        "; refusing to append over it"));
  }
  return state;
}

absl::StatusOr<engagement::v1::Event> RocksDbEventLog::ReadIndexed(
    uint64_t position, absl::string_view stream, uint64_t revision, absl::string_view event_id,
    std::string* stored) const {
  absl::StatusOr<std::string> value = ReadRecord(position);
  if (!value.ok()) return value.status();
  if (value->size() < log_format::kHashSize) {
    return absl::DataLossError(absl::StrCat("position ", position, ": the record is truncated"));
  }
  absl::StatusOr<engagement::v1::Event> event =
      DecodeCanonicalRecord(absl::string_view(*value).substr(log_format::kHashSize));
  if (!event.ok()) {
    return absl::DataLossError(absl::StrCat("position ", position, ": the record does not parse"));
  }
  // The record must be what the index said it is: never serve another event in its place.
  if (!stream.empty() && (event->stream() != stream || event->stream_revision() != revision)) {
    return absl::DataLossError(absl::StrCat(
        "position ", position, ": the stream index names it as revision ", revision, " of ",
        stream, " but it is revision ", event->stream_revision(), " of ", event->stream()));
  }
  if (!event_id.empty() && event->event_id() != event_id) {
    return absl::DataLossError(absl::StrCat("position ", position, ": the id index names it as ",
                                            event_id, " but its id is ", event->event_id()));
  }
  if (event->position() != 0 && event->position() != position) {
    return absl::DataLossError(absl::StrCat("position ", position, ": the record says position ",
                                            event->position()));
  }
  if (stored != nullptr) *stored = *std::move(value);
  return event;
}

absl::StatusOr<uint64_t> RocksDbEventLog::LookupEventId(absl::string_view event_id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ids_, rocksdb::Slice(event_id.data(), event_id.size()), &value);
  if (s.IsNotFound()) return absl::NotFoundError("no such event id");
  if (!s.ok()) return FromRocks(s, "reading the id index");
  uint64_t position = 0;
  if (!DecodeFixed64BE(value, &position)) return absl::DataLossError("malformed id index entry");
  return position;
}

absl::Status RocksDbEventLog::ReadStream(const StreamReadOptions& options,
                                         EventVisitor visit) const {
  absl::StatusOr<StreamInfo> info = GetStreamInfo(options.stream);
  if (!info.ok()) return info.status();
  rocksdb::ReadOptions read_options;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, streams_));
  uint64_t start = options.from_revision;
  if (options.backwards && (options.from_end || start > info->revision)) start = info->revision;
  it->Seek(log_format::StreamKey(options.stream, start));
  if (options.backwards && !it->Valid()) it->SeekForPrev(log_format::StreamKey(options.stream, start));
  uint64_t delivered = 0;
  std::string prefix = options.stream;
  prefix.push_back('\0');
  while (it->Valid()) {
    absl::string_view key = View(it->key());
    if (key.size() != prefix.size() + 8 || key.substr(0, prefix.size()) != prefix) break;
    uint64_t position = 0, revision = 0;
    if (!DecodeFixed64BE(View(it->value()), &position) ||
        !DecodeFixed64BE(key.substr(prefix.size()), &revision)) {
      return absl::DataLossError("malformed stream index entry");
    }
    std::string value;
    absl::StatusOr<engagement::v1::Event> event =
        ReadIndexed(position, options.stream, revision, "", &value);
    if (!event.ok()) return event.status();
    event->set_hash(value.substr(0, log_format::kHashSize));
    if (!visit(*event, absl::string_view(value).substr(log_format::kHashSize))) {
      return absl::OkStatus();
    }
    if (options.limit != 0 && ++delivered >= options.limit) return absl::OkStatus();
    if (options.backwards) {
      it->Prev();
    } else {
      it->Next();
    }
  }
  return FromRocks(it->status(), "reading a stream");
}

absl::Status RocksDbEventLog::ReadLog(const LogReadOptions& options, EventVisitor visit) const {
  uint64_t to = options.to_position;
  if (to == 0) to = Head().position;
  uint64_t from = std::max<uint64_t>(options.from_position, 1);
  if (from > to) return absl::OkStatus();
  rocksdb::ReadOptions read_options;
  std::string upper = log_format::PositionKey(to + 1);
  rocksdb::Slice upper_slice(upper);
  read_options.iterate_upper_bound = &upper_slice;
  read_options.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, log_));
  uint64_t delivered = 0;
  uint64_t expected = from;
  for (it->Seek(log_format::PositionKey(from)); it->Valid(); it->Next()) {
    uint64_t position = 0;
    if (!DecodeFixed64BE(View(it->key()), &position) || position != expected) {
      return absl::DataLossError(absl::StrCat("position ", expected, " is missing from the log"));
    }
    ++expected;
    absl::string_view value = View(it->value());
    if (value.size() < log_format::kHashSize) {
      return absl::DataLossError(absl::StrCat("record at position ", position, " is truncated"));
    }
    absl::string_view record = value.substr(log_format::kHashSize);
    absl::StatusOr<engagement::v1::Event> event = DecodeCanonicalRecord(record);
    if (!event.ok()) {
      return absl::DataLossError(absl::StrCat("record at position ", position, " does not parse"));
    }
    if (!options.filter.Matches(*event)) continue;
    event->set_hash(std::string(value.substr(0, log_format::kHashSize)));
    if (!visit(*event, record)) return absl::OkStatus();
    if (options.limit != 0 && ++delivered >= options.limit) return absl::OkStatus();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
  if (expected <= to) {
    return absl::DataLossError(absl::StrCat("position ", expected, " is missing from the log"));
  }
  return absl::OkStatus();
}

LogHead RocksDbEventLog::Head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

absl::Status RocksDbEventLog::VerifyStorage() const {
  rocksdb::Status status = db_->VerifyChecksum();
  if (status.IsCorruption()) return DamagedStorage(directory_, status);
  return FromRocks(status, "checking the storage's checksums");
}

absl::Status RocksDbEventLog::WriteError() const {
  absl::MutexLock lock(&mu_);
  return write_error_;
}

absl::StatusOr<StreamInfo> RocksDbEventLog::GetStreamInfo(absl::string_view stream) const {
  std::string prefix(stream);
  prefix.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams_));
  it->Seek(prefix);
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    if (!it->status().ok()) return FromRocks(it->status(), "reading stream index");
    return absl::NotFoundError(absl::StrCat("stream ", stream, " does not exist"));
  }
  StreamInfo info;
  uint64_t first_revision = 0;
  DecodeFixed64BE(View(it->value()), &info.first_position);
  DecodeFixed64BE(View(it->key()).substr(prefix.size()), &first_revision);
  it->SeekForPrev(log_format::StreamKeyLimit(stream));
  if (!it->Valid()) return absl::DataLossError("stream index changed while reading");
  DecodeFixed64BE(View(it->key()).substr(prefix.size()), &info.revision);
  DecodeFixed64BE(View(it->value()), &info.last_position);
  // The positions reported must be this stream's first and last events.
  for (auto [position, revision] : {std::pair{info.first_position, first_revision},
                                    std::pair{info.last_position, info.revision}}) {
    absl::StatusOr<engagement::v1::Event> event = ReadIndexed(position, stream, revision, "", nullptr);
    if (!event.ok()) return event.status();
  }
  if (first_revision != 0) {
    return absl::DataLossError(absl::StrCat("stream ", stream, ": its index starts at revision ",
                                            first_revision, ", not 0"));
  }
  return info;
}

uint64_t RocksDbEventLog::WaitForHeadBeyond(uint64_t position, absl::Duration timeout) const {
  absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (head_.position <= position && !shutting_down_) {
    if (head_advanced_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return head_.position;
}

void RocksDbEventLog::BeginShutdown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  head_advanced_.SignalAll();
}

bool RocksDbEventLog::ShuttingDown() const {
  absl::MutexLock lock(&mu_);
  return shutting_down_;
}

absl::StatusOr<LogHead> RocksDbEventLog::CopyTo(const std::string& directory) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "starting a copy of the log");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  s = checkpoint->CreateCheckpoint(directory, /*log_size_for_flush=*/0);
  if (!s.ok()) return FromRocks(s, absl::StrCat("copying the log to ", directory));
  // What the copy holds: open it and read its head.
  RocksDbOptions read_only;
  read_only.read_only = true;
  absl::StatusOr<std::unique_ptr<RocksDbEventLog>> copy = Open(directory, read_only);
  if (!copy.ok()) return copy.status();
  return (*copy)->Head();
}

}  // namespace ledger
