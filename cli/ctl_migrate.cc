// ledgerctl migrate OLD NEW: a data directory written before personal data was sealed, rewritten
// with every participant's personal data sealed under their own key.
//
// The old log is read, never changed. The new log's first event is a LedgerMigrated event naming
// the old log's head (position and hash) and its last signed checkpoint; then come the old
// events in order, with the same ids, streams, revisions, organisations and times (recorded_at
// kept), participants' personal data sealed. The engagement rules' state is rebuilt from them
// without judging history again. The new log is signed with a new checkpoint key (ledgerd makes
// it at first start): the old key's checkpoints stay the old log's.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/ctl_commands.h"
#include "domain/engagement_rules.h"
#include "domain/personal_data_sealer.h"
#include "ledger/envelope_validation.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/master_key.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"

namespace ctl {
namespace {

namespace fs = std::filesystem;

int Fail(const absl::Status& status, absl::string_view doing) {
  std::fprintf(stderr, "ledgerctl migrate: %s: %s\n", std::string(doing).c_str(),
               std::string(status.message()).c_str());
  return kExitFailed;
}

absl::StatusOr<ledger::MasterKey> NewMasterKey(const std::string& file, const std::string& new_dir) {
  if (!file.empty()) return ledger::MasterKey::FromFile(file);
  if (const char* hex = std::getenv("LEDGER_MASTER_KEY"); hex != nullptr && *hex != '\0') {
    return ledger::MasterKey::FromHex(hex);
  }
  std::string local = (fs::path(new_dir) / "local").string();
  std::error_code error;
  fs::create_directories(local, error);
  std::string path = (fs::path(local) / "master.key").string();
  if (absl::Status made = ledger::MasterKey::GenerateFile(path); !made.ok()) return made;
  std::fprintf(stderr,
               "ledgerctl migrate: made a new master key in %s (where local mode keeps it; move it "
               "out of the data directory and give it to ledgerd with --master_key_file)\n",
               path.c_str());
  return ledger::MasterKey::FromFile(path);
}

}  // namespace

int Migrate(const std::vector<std::string>& directories, const std::string& organisation,
            const std::string& master_key_file) {
  if (directories.size() != 2 || !ledger::IsOdsCode(organisation)) {
    std::fprintf(stderr, "ledgerctl migrate OLD_DIR NEW_DIR --organisation=ODS [--master_key_file=F]\n");
    return kExitUsage;
  }
  const std::string& old_dir = directories[0];
  const std::string& new_dir = directories[1];
  if (fs::exists(fs::path(old_dir) / "keys")) {
    std::fprintf(stderr, "ledgerctl migrate: %s already seals personal data; nothing to migrate\n",
                 old_dir.c_str());
    return kExitFailed;
  }
  if (fs::exists(new_dir) && !fs::is_empty(new_dir)) {
    std::fprintf(stderr, "ledgerctl migrate: %s exists and is not empty\n", new_dir.c_str());
    return kExitUsage;
  }
  ledger::RocksDbOptions read_only;
  read_only.read_only = true;
  absl::StatusOr<std::unique_ptr<ledger::RocksDbEventLog>> old_log =
      ledger::RocksDbEventLog::Open((fs::path(old_dir) / "log").string(), read_only);
  if (!old_log.ok()) return Fail(old_log.status(), "opening the old log");
  ledger::LogHead old_head = (*old_log)->Head();
  absl::StatusOr<std::optional<ledger::StoredCheckpoint>> old_checkpoint =
      (*old_log)->LatestCheckpoint();
  if (!old_checkpoint.ok()) return Fail(old_checkpoint.status(), "reading the old checkpoints");

  std::error_code error;
  fs::create_directories(new_dir, error);
  absl::StatusOr<ledger::MasterKey> master = NewMasterKey(master_key_file, new_dir);
  if (!master.ok()) return Fail(master.status(), "the master key");
  absl::StatusOr<std::unique_ptr<ledger::SubjectKeyStore>> keys = ledger::SubjectKeyStore::Open(
      (fs::path(new_dir) / "keys").string(), *master, {});
  if (!keys.ok()) return Fail(keys.status(), "creating the key store");
  ledger::RocksDbOptions bulk;
  bulk.sync = false;  // a failed migration is simply run again; Close() flushes everything
  absl::StatusOr<std::unique_ptr<ledger::RocksDbEventLog>> new_log =
      ledger::RocksDbEventLog::Open((fs::path(new_dir) / "log").string(), bulk);
  if (!new_log.ok()) return Fail(new_log.status(), "creating the new log");

  // The first event: where this history comes from.
  google::protobuf::Timestamp first_recorded;
  ledger::LogReadOptions first;
  first.to_position = 1;
  (*old_log)->ReadLog(first, [&](const engagement::v1::Event& e, absl::string_view) {
    first_recorded = e.recorded_at();
    return false;
  }).IgnoreError();
  if (old_head.position == 0) first_recorded.set_seconds(absl::ToUnixSeconds(absl::Now()));
  ledger::AppendBatch start;
  start.stream = "ledger-migration";
  start.expected = ledger::ExpectedRevision::NoStream();
  start.keep_recorded_at = true;
  engagement::v1::Event migrated;
  migrated.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  *migrated.mutable_recorded_at() = first_recorded;
  migrated.set_organisation(organisation);
  migrated.set_actor("ledgerctl migrate");
  auto* payload = migrated.mutable_ledger_migrated();
  payload->set_previous_head_position(old_head.position);
  payload->set_previous_head_hash(old_head.hash);
  if (old_checkpoint->has_value()) payload->set_previous_checkpoint((*old_checkpoint)->note);
  payload->set_previous_format_version(ledger::log_format::kFormatVersion);
  payload->set_reason("participants' personal data sealed under per-participant keys");
  start.events.push_back(std::move(migrated));
  absl::StatusOr<ledger::AppendResult> appended = (*new_log)->Append(std::move(start));
  if (!appended.ok()) return Fail(appended.status(), "recording the migration");

  // The old events, a stream's consecutive events in one batch.
  ledger::AppendBatch batch;
  uint64_t copied = 0;
  absl::Status failed;
  auto flush = [&]() -> bool {
    if (batch.events.empty()) return true;
    failed = domain::SealPersonalData(batch.events, **keys);
    if (failed.ok()) {
      uint64_t first_revision = batch.events.front().stream_revision();
      batch.expected = first_revision == 0 ? ledger::ExpectedRevision::NoStream()
                                           : ledger::ExpectedRevision::Exactly(first_revision - 1);
      batch.keep_recorded_at = true;
      copied += batch.events.size();
      failed = (*new_log)->Append(std::move(batch)).status();
    }
    batch = ledger::AppendBatch();
    if (copied % 100000 < 1000 && failed.ok()) {
      std::fprintf(stderr, "\rledgerctl migrate: %llu of %llu events", static_cast<unsigned long long>(copied),
                   static_cast<unsigned long long>(old_head.position));
    }
    return failed.ok();
  };
  ledger::LogReadOptions all;
  all.to_position = old_head.position;
  absl::Status read = (*old_log)->ReadLog(all, [&](const engagement::v1::Event& e, absl::string_view) {
    if (!batch.events.empty() && (batch.stream != e.stream() || batch.events.size() >= 1000)) {
      if (!flush()) return false;
    }
    batch.stream = e.stream();
    engagement::v1::Event copy = e;
    copy.clear_stream();
    copy.clear_position();
    copy.clear_previous_hash();
    copy.clear_hash();
    batch.events.push_back(std::move(copy));
    return true;
  });
  if (read.ok() && failed.ok()) flush();
  std::fprintf(stderr, "\n");
  if (!read.ok()) return Fail(read, "reading the old log");
  if (!failed.ok()) return Fail(failed, absl::StrCat("copying the event after position ", copied + 1));

  // The rules' state, from the copied history (applied, not judged again).
  domain::EngagementRules rules;
  absl::StatusOr<uint64_t> replayed = (*new_log)->InstallAppendGuard(&rules);
  if (!replayed.ok()) return Fail(replayed.status(), "building the engagement rules' state");
  ledger::LogHead new_head = (*new_log)->Head();
  if (absl::Status closed = (*new_log)->Close(); !closed.ok()) return Fail(closed, "closing the new log");
  std::printf(
      "migrated %llu events from %s (head %s) to %s: position 1 records the old head and its last "
      "signed checkpoint; new head %llu, hash %s. The new log is signed with a new checkpoint key "
      "when ledgerd first starts on it: give auditors its verifier key (ledgerctl audit pubkey).\n",
      static_cast<unsigned long long>(copied), old_dir.c_str(), ledger::ToHex(old_head.hash).c_str(),
      new_dir.c_str(), static_cast<unsigned long long>(new_head.position),
      ledger::ToHex(new_head.hash).c_str());
  return kExitOk;
}

}  // namespace ctl
