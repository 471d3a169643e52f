#include "ledger/guard_state_verifier.h"

#include <filesystem>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/canonical_record.h"
#include "ledger/log_format.h"
#include "ledger/rocksdb_guard_state.h"
#include "ledger/rocksdb_status.h"
#include "rocksdb/write_batch.h"

namespace ledger {
namespace {

// A key as a person can read it: printable bytes as they are, others escaped.
std::string Printable(absl::string_view key) { return absl::CHexEscape(key); }

}  // namespace

absl::Status VerifyGuardState(const GuardFamilies& f, AppendGuard& guard, uint64_t events,
                              const std::string& scratch_directory) {
  std::string version, position_bytes;
  rocksdb::Status vs = f.db->Get(rocksdb::ReadOptions(), f.meta, log_format::kGuardVersionKey, &version);
  rocksdb::Status ps =
      f.db->Get(rocksdb::ReadOptions(), f.meta, log_format::kGuardPositionKey, &position_bytes);
  if (vs.IsNotFound() && ps.IsNotFound()) return absl::OkStatus();  // never guarded
  uint64_t through = 0;
  if (!ps.ok() || !log_format::DecodeFixed64BE(position_bytes, &through) || through != events) {
    return absl::DataLossError(absl::StrCat(
        "position ", events, ": the engagement rules' state says it reflects the log up to position ",
        through, ", not the head"));
  }
  if (!vs.ok() || version != guard.StateVersion()) {
    return absl::DataLossError(absl::StrCat("the engagement rules' state is of layout \"", version,
                                            "\", not \"", guard.StateVersion(), "\""));
  }

  // Rebuild it from the records into a scratch database.
  std::error_code ignored;
  std::filesystem::remove_all(scratch_directory, ignored);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(options, scratch_directory, &raw);
  if (!opened.ok()) return FromRocks(opened, "creating a scratch database");
  std::unique_ptr<rocksdb::DB> scratch(raw);
  struct Cleanup {
    std::unique_ptr<rocksdb::DB>& db;
    std::string dir;
    ~Cleanup() {
      db.reset();
      std::error_code e;
      std::filesystem::remove_all(dir, e);
    }
  } cleanup{scratch, scratch_directory};
  RocksDbGuardState state(scratch.get(), scratch->DefaultColumnFamily(),
                          [&](absl::string_view event_id) -> absl::StatusOr<engagement::v1::Event> {
                            std::string position, value;
                            if (!f.db->Get(rocksdb::ReadOptions(), f.ids, rocksdb::Slice(event_id.data(), event_id.size()), &position).ok() ||
                                !f.db->Get(rocksdb::ReadOptions(), f.log, position, &value).ok() ||
                                value.size() < log_format::kHashSize) {
                              return absl::NotFoundError("no such event");
                            }
                            return DecodeCanonicalRecord(
                                absl::string_view(value).substr(log_format::kHashSize));
                          });
  rocksdb::WriteOptions unsynced;
  unsynced.disableWAL = true;
  auto flush = [&]() -> absl::Status {
    rocksdb::WriteBatch batch;
    state.AddGroupTo(&batch);
    rocksdb::Status s = scratch->Write(unsynced, &batch);
    if (!s.ok()) return FromRocks(s, "writing the scratch database");
    state.GroupWritten();
    return absl::OkStatus();
  };
  rocksdb::ReadOptions read;
  read.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(f.db->NewIterator(read, f.log));
  uint64_t applied = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<engagement::v1::Event> event =
        DecodeCanonicalRecord(View(it->value()).substr(log_format::kHashSize));
    if (!event.ok()) return event.status();
    absl::Status s = guard.Apply(*event, state);
    if (!s.ok()) {
      return absl::DataLossError(absl::StrCat("position ", event->position(),
                                              ": the engagement rules cannot apply it: ",
                                              s.message()));
    }
    state.KeepBatch();
    if (++applied % 4096 == 0) {
      if (absl::Status w = flush(); !w.ok()) return w;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
  if (absl::Status w = flush(); !w.ok()) return w;

  // Compare key by key, in order.
  std::unique_ptr<rocksdb::Iterator> stored(f.db->NewIterator(read, f.guard));
  std::unique_ptr<rocksdb::Iterator> rebuilt(scratch->NewIterator(read));
  stored->SeekToFirst();
  rebuilt->SeekToFirst();
  while (stored->Valid() || rebuilt->Valid()) {
    int order = !stored->Valid()    ? 1
                : !rebuilt->Valid() ? -1
                                    : stored->key().compare(rebuilt->key());
    if (order == 0 && stored->value() == rebuilt->value()) {
      stored->Next();
      rebuilt->Next();
      continue;
    }
    if (order < 0) {
      return absl::DataLossError(absl::StrCat("the engagement rules' state: key \"",
                                              Printable(View(stored->key())),
                                              "\" is stored but no event made it"));
    }
    if (order > 0) {
      return absl::DataLossError(absl::StrCat("the engagement rules' state: key \"",
                                              Printable(View(rebuilt->key())),
                                              "\" is missing though the events made it"));
    }
    return absl::DataLossError(absl::StrCat("the engagement rules' state: key \"",
                                            Printable(View(stored->key())),
                                            "\" holds another value than the events made"));
  }
  if (!stored->status().ok()) return FromRocks(stored->status(), "reading the rules' state");
  return absl::OkStatus();
}

}  // namespace ledger
