// Generates a synthetic engagement log (bench/synthetic_log.h) in a data directory, for
// benchmarks of reads, projections and verification at scale.
//
//   build/bench/generate_log --data_dir=DIR [--events=5000000] [--organisations=20]
//       [--concurrent=16] [--seed=1] [--sync] [--check_rules] [--validate]
//
// DIR is laid out as ledgerd's data directory (the log in DIR/log, as services::LogDirectory
// says), so `ledgerd --data_dir=DIR` serves it and `ledgerctl verify --data_dir=DIR` checks it;
// when DIR is itself a bare log directory (DIR/CURRENT exists) the log is DIR. Appending to a
// directory that already holds a log adds to it. By default the WAL is not synced per group
// commit (generation speed); the log is flushed and closed cleanly at the end.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "bench/synthetic_log.h"
#include "domain/engagement_rules.h"
#include "ledger/master_key.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"

ABSL_FLAG(std::string, data_dir, "", "the ledger data directory to create or add to (required)");
ABSL_FLAG(uint64_t, events, 5'000'000, "how many events to append");
ABSL_FLAG(int, organisations, 20, "organisations the engagements belong to (1 to 20)");
ABSL_FLAG(int, concurrent, 16, "engagements in progress at once (their appends interleave)");
ABSL_FLAG(uint64_t, seed, 1, "seed of the content");
ABSL_FLAG(bool, sync, false, "sync the WAL on every group commit, as ledgerd does");
ABSL_FLAG(bool, check_rules, false,
          "install the engagement rules as the log's guard, as ledgerd does (proves every append "
          "is accepted; costs memory and time)");
ABSL_FLAG(bool, validate, false, "check every batch's envelopes and payloads before appending");
ABSL_FLAG(uint64_t, max_in_flight, 1024, "appends handed to the log and not yet completed, at most");
ABSL_FLAG(uint64_t, progress_every, 250'000, "print progress every this many events");
ABSL_FLAG(std::string, master_key_file, "",
          "the master key participants' data keys are wrapped with (64 hex digits); default "
          "DIR/local/master.key, made when missing (where ledgerd --insecure_local looks)");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty()) {
    std::fprintf(stderr, "generate_log: --data_dir is required\n");
    return 2;
  }
  const bool bare = std::filesystem::exists(std::filesystem::path(dir) / "CURRENT");
  const std::string log_dir = bare ? dir : dir + "/log";
  std::error_code ignored;
  std::filesystem::create_directories(log_dir, ignored);
  // Declared before the log: the guard must outlive it.
  domain::EngagementRules rules;
  ledger::RocksDbOptions log_options;
  log_options.sync = absl::GetFlag(FLAGS_sync);
  auto log = ledger::RocksDbEventLog::Open(log_dir, log_options);
  if (!log.ok()) {
    std::fprintf(stderr, "generate_log: %s\n", log.status().ToString().c_str());
    return 1;
  }
  const uint64_t existing = (*log)->Head().position;
  // Personal data sealed as ledgerd seals it, keys in DIR/keys.
  std::string master_file = absl::GetFlag(FLAGS_master_key_file);
  if (master_file.empty()) {
    std::filesystem::create_directories(dir + "/local", ignored);
    master_file = dir + "/local/master.key";
    if (!std::filesystem::exists(master_file)) {
      absl::Status made = ledger::MasterKey::GenerateFile(master_file);
      if (!made.ok()) {
        std::fprintf(stderr, "generate_log: %s\n", made.ToString().c_str());
        return 1;
      }
    }
  }
  absl::StatusOr<ledger::MasterKey> master = ledger::MasterKey::FromFile(master_file);
  if (!master.ok()) {
    std::fprintf(stderr, "generate_log: %s\n", master.status().ToString().c_str());
    return 1;
  }
  ledger::SubjectKeyStore::Options key_options;
  key_options.sync = log_options.sync;
  auto keys = ledger::SubjectKeyStore::Open(bare ? dir + "/../keys" : dir + "/keys", *master, key_options);
  if (!keys.ok()) {
    std::fprintf(stderr, "generate_log: %s\n", keys.status().ToString().c_str());
    return 1;
  }
  if (absl::GetFlag(FLAGS_check_rules)) {
    absl::StatusOr<uint64_t> installed = (*log)->InstallAppendGuard(&rules);
    if (!installed.ok()) {
      std::fprintf(stderr, "generate_log: installing the rules: %s\n",
                   installed.status().ToString().c_str());
      return 1;
    }
  }

  bench::SyntheticLogOptions options;
  options.events = absl::GetFlag(FLAGS_events);
  options.organisations = absl::GetFlag(FLAGS_organisations);
  options.concurrent_engagements = absl::GetFlag(FLAGS_concurrent);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.validate_payloads = absl::GetFlag(FLAGS_validate);
  options.progress_every = absl::GetFlag(FLAGS_progress_every);
  options.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  options.keys = keys->get();
  std::printf("generate_log: %llu events into %s (log holds %llu; sync %s, rules %s, validate %s)\n",
              static_cast<unsigned long long>(options.events), log_dir.c_str(),
              static_cast<unsigned long long>(existing), log_options.sync ? "on" : "off",
              absl::GetFlag(FLAGS_check_rules) ? "on" : "off", options.validate_payloads ? "on" : "off");
  std::fflush(stdout);

  const absl::Time start = absl::Now();
  absl::Time last_time = start;
  uint64_t last_events = 0;
  options.progress = [&](uint64_t events) {
    absl::Time now = absl::Now();
    double total = absl::ToDoubleSeconds(now - start);
    double interval = absl::ToDoubleSeconds(now - last_time);
    std::printf("  %10llu events  %7.1f s  %9.0f events/s (last %llu: %.0f events/s)\n",
                static_cast<unsigned long long>(events), total, total > 0 ? events / total : 0.0,
                static_cast<unsigned long long>(events - last_events),
                interval > 0 ? (events - last_events) / interval : 0.0);
    std::fflush(stdout);
    last_time = now;
    last_events = events;
  };

  absl::StatusOr<bench::SyntheticLogStats> stats = bench::AppendSyntheticLog(**log, options);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const uint64_t head = (*log)->Head().position;
  const absl::Time closing = absl::Now();
  absl::Status closed = (*log)->Close();
  const double close_seconds = absl::ToDoubleSeconds(absl::Now() - closing);
  if (!stats.ok()) {
    std::fprintf(stderr, "generate_log: %s\n", stats.status().ToString().c_str());
    return 1;
  }
  if (!closed.ok()) {
    std::fprintf(stderr, "generate_log: closing the log: %s\n", closed.ToString().c_str());
    return 1;
  }
  std::printf(
      "done: %llu events in %llu appends, %.1f s: %.0f events/s (then %.1f s to flush and "
      "close)\n"
      "  engagements opened %llu, closed %llu; participants %llu; sessions %llu; insights %llu; "
      "decisions %llu\n"
      "  log head position %llu. Check it with: ledgerctl verify --data_dir=%s\n",
      static_cast<unsigned long long>(stats->events),
      static_cast<unsigned long long>(stats->appends), seconds,
      seconds > 0 ? stats->events / seconds : 0.0, close_seconds,
      static_cast<unsigned long long>(stats->engagements_opened),
      static_cast<unsigned long long>(stats->engagements_closed),
      static_cast<unsigned long long>(stats->participants),
      static_cast<unsigned long long>(stats->sessions),
      static_cast<unsigned long long>(stats->insights),
      static_cast<unsigned long long>(stats->decisions), static_cast<unsigned long long>(head),
      dir.c_str());
  return 0;
}
