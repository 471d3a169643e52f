// ledgerctl backup DIR (online, through ledgerd) and ledgerctl restore BACKUP DATA_DIR (offline).
//
// A restore copies the backup into a new data directory, then re-applies every erasure before
// anything can serve it: those its own log records (an erasure may have come between the copy of
// the log and that of the key store), and those of an erasure register taken from the live
// ledger (`ledgerctl read --type=participant_erased > erasures.jsonl`), which a backup taken
// before an erasure cannot know of.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/ctl_commands.h"
#include "engagement/v1/operations.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/hash_chain.h"
#include "ledger/master_key.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"

namespace ctl {
namespace {

namespace fs = std::filesystem;

int Fail(absl::string_view doing, const absl::Status& status) {
  std::fprintf(stderr, "ledgerctl restore: %s: %s\n", std::string(doing).c_str(),
               std::string(status.message()).c_str());
  return kExitFailed;
}

}  // namespace

int Backup(const std::vector<std::string>& args, const Options& options) {
  if (args.size() != 1) {
    std::fprintf(stderr, "ledgerctl backup DIR   (an absolute path on ledgerd's machine)\n");
    return kExitUsage;
  }
  auto stub = engagement::v1::OperationsService::NewStub(Channel(options));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
  engagement::v1::CreateBackupRequest request;
  std::error_code error;
  request.set_directory(fs::absolute(args[0], error).string());
  engagement::v1::CreateBackupResponse response;
  grpc::Status status = stub->CreateBackup(&context, request, &response);
  if (!status.ok()) return Report(status, options);
  std::printf("backup written to %s: log head position %llu, hash %s (the master key is not in it)\n",
              response.directory().c_str(), static_cast<unsigned long long>(response.head_position()),
              ledger::ToHex(response.head_hash()).c_str());
  return kExitOk;
}

int Restore(const std::vector<std::string>& args, const std::string& master_key_file,
            const std::string& erasures_file) {
  if (args.size() != 2) {
    std::fprintf(stderr,
                 "ledgerctl restore BACKUP_DIR NEW_DATA_DIR [--master_key_file=F] "
                 "[--erasures=FILE]\n");
    return kExitUsage;
  }
  const fs::path backup(args[0]), target(args[1]);
  std::error_code error;
  if (!fs::exists(backup / "log" / "CURRENT") || !fs::exists(backup / "keys" / "CURRENT")) {
    std::fprintf(stderr, "ledgerctl restore: %s is not a backup (no log or keys in it)\n",
                 args[0].c_str());
    return kExitUsage;
  }
  if (fs::exists(target) && !fs::is_empty(target, error)) {
    std::fprintf(stderr, "ledgerctl restore: %s exists and is not empty\n", args[1].c_str());
    return kExitUsage;
  }
  absl::StatusOr<ledger::MasterKey> master = absl::NotFoundError("no master key");
  if (!master_key_file.empty()) {
    master = ledger::MasterKey::FromFile(master_key_file);
  } else if (const char* hex = std::getenv("LEDGER_MASTER_KEY"); hex != nullptr && *hex != '\0') {
    master = ledger::MasterKey::FromHex(hex);
  } else {
    std::fprintf(stderr,
                 "ledgerctl restore: the master key is needed (--master_key_file or "
                 "LEDGER_MASTER_KEY): backups never hold it\n");
    return kExitUsage;
  }
  if (!master.ok()) return Fail("the master key", master.status());

  // The erasures to re-apply: the register first (so a bad file changes nothing).
  std::set<std::string> erased;
  if (!erasures_file.empty()) {
    std::ifstream in(erasures_file);
    if (!in) {
      std::fprintf(stderr, "ledgerctl restore: %s cannot be read\n", erasures_file.c_str());
      return kExitUsage;
    }
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      engagement::v1::Event event;
      google::protobuf::util::JsonParseOptions parse;
      parse.ignore_unknown_fields = true;
      if (!google::protobuf::util::JsonStringToMessage(line, &event, parse).ok() ||
          !event.has_participant_erased()) {
        std::fprintf(stderr, "ledgerctl restore: %s line %d is not a participant_erased event\n",
                     erasures_file.c_str(), number);
        return kExitUsage;
      }
      erased.insert(event.participant_erased().participant_id());
    }
  }

  fs::create_directories(target, error);
  fs::copy(backup, target, fs::copy_options::recursive, error);
  if (error) return Fail("copying the backup", absl::InternalError(error.message()));
  {
    ledger::RocksDbOptions read_only;
    read_only.read_only = true;
    absl::StatusOr<std::unique_ptr<ledger::RocksDbEventLog>> log =
        ledger::RocksDbEventLog::Open((target / "log").string(), read_only);
    if (!log.ok()) return Fail("opening the restored log", log.status());
    ledger::LogReadOptions all;
    all.filter.event_types = {"participant_erased"};
    absl::Status read = (*log)->ReadLog(all, [&](const engagement::v1::Event& e, absl::string_view) {
      erased.insert(e.participant_erased().participant_id());
      return true;
    });
    if (!read.ok()) return Fail("reading the restored log's erasures", read);
  }
  absl::StatusOr<std::unique_ptr<ledger::SubjectKeyStore>> keys =
      ledger::SubjectKeyStore::Open((target / "keys").string(), *master, {});
  if (!keys.ok()) return Fail("opening the restored key store", keys.status());
  for (const std::string& participant : erased) {
    absl::Status done = (*keys)->Erase(participant, absl::Now());
    if (!done.ok()) return Fail("re-applying an erasure", done);
  }
  std::printf("restored %s into %s; %zu erasure(s) re-applied. Serve it with ledgerd "
              "--data_dir=%s --master_key_file=...\n",
              args[0].c_str(), args[1].c_str(), erased.size(), args[1].c_str());
  return kExitOk;
}

}  // namespace ctl
