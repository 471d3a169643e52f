#include "ledger/subject_key_store.h"

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/rocksdb_status.h"
#include "ledger/sealed_box.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace ledger {
namespace {

constexpr char kCheckKey[] = "meta:check";
constexpr char kCheckAad[] = "master-key-check";
constexpr char kCheckText[] = "engagement-ledger";
constexpr size_t kMasterIdSize = 16;

std::string KeyKey(absl::string_view subject) { return absl::StrCat("k", subject); }
std::string ErasedKey(absl::string_view subject) { return absl::StrCat("x", subject); }
std::string PendingKey(absl::string_view subject) { return absl::StrCat("p", subject); }
std::string WrapAad(absl::string_view subject) { return absl::StrCat("subject-key/1:", subject); }

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

}  // namespace

DataKey::~DataKey() {
  Wipe(encryption_key);
  Wipe(nonce_key);
}

SubjectKeyStore::SubjectKeyStore(std::unique_ptr<rocksdb::DB> db, MasterKey master, bool sync)
    : db_(std::move(db)), master_(std::move(master)), sync_(sync) {}

SubjectKeyStore::~SubjectKeyStore() {
  if (db_ != nullptr) {
    if (!sync_) db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
}

bool SubjectKeyStore::Exists(const std::string& directory) {
  return std::filesystem::exists(std::filesystem::path(directory) / "CURRENT");
}

absl::StatusOr<std::unique_ptr<SubjectKeyStore>> SubjectKeyStore::Open(const std::string& directory,
                                                                       const MasterKey& master,
                                                                       const Options& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  // An obsolete WAL is deleted at once, never archived or recycled: erasure relies on it.
  db_options.WAL_ttl_seconds = 0;
  db_options.WAL_size_limit_MB = 0;
  db_options.recycle_log_file_num = 0;
  db_options.keep_log_file_num = 4;
  // As for the event log: only a torn last record is tolerated; a damaged one elsewhere stops the
  // open, rather than silently losing the keys (or the erasures) written after it.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(db_options, directory, &raw)
                          : rocksdb::DB::Open(db_options, directory, &raw);
  if (s.IsCorruption()) return DamagedStorage(directory, s);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening the key store in ", directory));
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string check;
  s = db->Get(rocksdb::ReadOptions(), kCheckKey, &check);
  if (s.IsNotFound()) {
    if (options.read_only) return absl::FailedPreconditionError("key store has no master key check");
    absl::StatusOr<std::string> sealed = Seal(master.bytes(), kCheckAad, kCheckText);
    if (!sealed.ok()) return sealed.status();
    s = db->Put(Synced(), kCheckKey, absl::StrCat(master.id(), *sealed));
    if (!s.ok()) return FromRocks(s, "writing the key store's master key check");
  } else if (!s.ok()) {
    return FromRocks(s, "reading the key store's master key check");
  } else {
    absl::string_view stored(check);
    absl::string_view stored_id = stored.substr(0, kMasterIdSize);
    if (stored_id != master.id() ||
        !ledger::Open(master.bytes(), kCheckAad, stored.substr(kMasterIdSize)).ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the master key given (id ", master.id(), ") is not the one the key store in ",
          directory, " was made with (id ", stored_id,
          "): give the right key with --master_key_file or LEDGER_MASTER_KEY"));
    }
  }
  return std::unique_ptr<SubjectKeyStore>(new SubjectKeyStore(std::move(db), master, options.sync));
}

absl::StatusOr<SubjectKeyLookup> SubjectKeyStore::Find(absl::string_view subject) const {
  absl::StatusOr<SubjectKeyLookup> local = FindLocal(subject);
  SharedKeyDirectory* shared = shared_.load(std::memory_order_acquire);
  if (!local.ok() || local->state != SubjectKeyState::kNone || shared == nullptr) return local;
  absl::StatusOr<std::optional<std::string>> value = shared->Get(subject);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return local;
  absl::Status adopted = Adopt(subject, **value);
  if (!adopted.ok()) return adopted;
  return FindLocal(subject);
}

absl::Status SubjectKeyStore::Adopt(absl::string_view subject, absl::string_view value) const {
  rocksdb::Status s;
  if (absl::StartsWith(value, "k:")) {
    s = db_->Put(Synced(), KeyKey(subject), rocksdb::Slice(value.data() + 2, value.size() - 2));
  } else if (absl::StartsWith(value, "x:")) {
    s = db_->Put(Synced(), ErasedKey(subject), rocksdb::Slice(value.data() + 2, value.size() - 2));
  } else {
    return absl::DataLossError("the shared key directory holds a value of unknown form");
  }
  if (!s.ok()) return FromRocks(s, "storing a shared data key");
  return absl::OkStatus();
}

absl::StatusOr<SubjectKeyLookup> SubjectKeyStore::FindLocal(absl::string_view subject) const {
  SubjectKeyLookup lookup;
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), KeyKey(subject), &value);
  if (s.ok()) {
    absl::string_view stored(value);
    if (stored.substr(0, kMasterIdSize) != master_.id()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "a data key is wrapped by master key ", stored.substr(0, kMasterIdSize),
          ", not by the one given (", master_.id(), ")"));
    }
    absl::StatusOr<std::string> unwrapped =
        ledger::Open(master_.bytes(), WrapAad(subject), stored.substr(kMasterIdSize));
    if (!unwrapped.ok()) return unwrapped.status();
    if (unwrapped->size() != 2 * kSealKeySize) {
      Wipe(*unwrapped);
      return absl::DataLossError("a stored data key has the wrong length");
    }
    lookup.state = SubjectKeyState::kPresent;
    lookup.key.encryption_key = unwrapped->substr(0, kSealKeySize);
    lookup.key.nonce_key = unwrapped->substr(kSealKeySize);
    Wipe(*unwrapped);
    return lookup;
  }
  if (!s.IsNotFound()) return FromRocks(s, "reading a data key");
  s = db_->Get(rocksdb::ReadOptions(), ErasedKey(subject), &value);
  if (s.ok()) {
    lookup.state = SubjectKeyState::kErased;
    return lookup;
  }
  if (!s.IsNotFound()) return FromRocks(s, "reading an erasure marker");
  return lookup;
}

absl::StatusOr<DataKey> SubjectKeyStore::GetOrCreate(absl::string_view subject) {
  absl::StatusOr<SubjectKeyLookup> found = Find(subject);
  if (!found.ok()) return found.status();
  if (found->state == SubjectKeyState::kPresent) return found->key;
  absl::MutexLock lock(&write_mu_);
  found = Find(subject);  // another caller may have made it meanwhile
  if (!found.ok()) return found.status();
  if (found->state == SubjectKeyState::kPresent) return found->key;
  if (found->state == SubjectKeyState::kErased) {
    return absl::FailedPreconditionError(
        "this participant's personal data was erased; an erased id is never reused");
  }
  absl::StatusOr<std::string> fresh = RandomBytes(2 * kSealKeySize);
  if (!fresh.ok()) return fresh.status();
  absl::StatusOr<std::string> wrapped = Seal(master_.bytes(), WrapAad(subject), *fresh);
  DataKey key;
  key.encryption_key = fresh->substr(0, kSealKeySize);
  key.nonce_key = fresh->substr(kSealKeySize);
  Wipe(*fresh);
  if (!wrapped.ok()) return wrapped.status();
  std::string stored = absl::StrCat(master_.id(), *wrapped);
  if (SharedKeyDirectory* shared = shared_.load(std::memory_order_acquire)) {
    // Another node may have made one first: the one the directory holds is everyone's.
    absl::StatusOr<std::string> holds = shared->PutIfAbsent(subject, absl::StrCat("k:", stored));
    if (!holds.ok()) return holds.status();
    if (*holds != absl::StrCat("k:", stored)) {
      absl::Status adopted = Adopt(subject, *holds);
      if (!adopted.ok()) return adopted;
      absl::StatusOr<SubjectKeyLookup> theirs = FindLocal(subject);
      if (!theirs.ok()) return theirs.status();
      if (theirs->state != SubjectKeyState::kPresent) {
        return absl::FailedPreconditionError(
            "this participant's personal data was erased; an erased id is never reused");
      }
      return theirs->key;
    }
  }
  rocksdb::WriteOptions write;
  write.sync = sync_;
  rocksdb::Status s = db_->Put(write, KeyKey(subject), stored);
  if (!s.ok()) return FromRocks(s, "storing a data key");
  return key;
}

absl::Status SubjectKeyStore::Erase(absl::string_view subject, absl::Time when) {
  absl::Status erased = ForgetErased(subject, when);
  if (!erased.ok()) return erased;
  if (SharedKeyDirectory* shared = shared_.load(std::memory_order_acquire)) {
    return shared->Replace(subject, absl::StrCat("x:", absl::ToUnixSeconds(when)));
  }
  return absl::OkStatus();
}

absl::Status SubjectKeyStore::ForgetErased(absl::string_view subject, absl::Time when) {
  absl::MutexLock lock(&write_mu_);
  rocksdb::WriteBatch batch;
  batch.Put(ErasedKey(subject), absl::StrCat(absl::ToUnixSeconds(when)));
  batch.Delete(KeyKey(subject));
  batch.Delete(PendingKey(subject));
  rocksdb::Status s = db_->Write(Synced(), &batch);
  if (!s.ok()) return FromRocks(s, "writing an erasure");
  // The key is now only in the memtable, the WAL and perhaps SST files: flush (the WAL becomes
  // obsolete and is deleted), then rewrite every level without it.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  s = db_->Flush(flush);
  if (!s.ok()) return FromRocks(s, "flushing the key store after an erasure");
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.exclusive_manual_compaction = true;
  s = db_->CompactRange(compact, nullptr, nullptr);
  if (!s.ok()) return FromRocks(s, "compacting the key store after an erasure");
  return absl::OkStatus();
}

absl::Status SubjectKeyStore::BeginErasure(absl::string_view subject) {
  rocksdb::Status s = db_->Put(Synced(), PendingKey(subject), "");
  if (!s.ok()) return FromRocks(s, "marking an erasure as begun");
  return absl::OkStatus();
}

absl::Status SubjectKeyStore::CancelErasure(absl::string_view subject) {
  rocksdb::Status s = db_->Delete(Synced(), PendingKey(subject));
  if (!s.ok()) return FromRocks(s, "cancelling an erasure");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SubjectKeyStore::PendingErasures() const {
  std::vector<std::string> pending;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("p"); it->Valid() && it->key().starts_with("p"); it->Next()) {
    pending.emplace_back(it->key().data() + 1, it->key().size() - 1);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing pending erasures");
  return pending;
}

absl::Status SubjectKeyStore::CopyTo(const std::string& directory) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "starting a copy of the key store");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Flush first (log_size_for_flush 0), so the copy holds no WAL of keys since erased.
  s = checkpoint->CreateCheckpoint(directory, /*log_size_for_flush=*/0);
  if (!s.ok()) return FromRocks(s, absl::StrCat("copying the key store to ", directory));
  return absl::OkStatus();
}

absl::StatusOr<std::pair<uint64_t, uint64_t>> SubjectKeyStore::Count() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  uint64_t keys = 0, erased = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    char tag = it->key().size() > 0 ? it->key()[0] : 0;
    if (tag == 'k') ++keys;
    if (tag == 'x') ++erased;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "counting keys");
  return std::make_pair(keys, erased);
}

}  // namespace ledger
