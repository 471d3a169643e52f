// Rebuilds the evidence projection from position zero over an existing log and prints events/s
// and peak memory. Make a log first with generate_log.
//
//   build/bench/generate_log --data_dir=/tmp/big --events=5000000
//   build/bench/projection_bench --data_dir=/tmp/big
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "ledger/rocksdb_event_log.h"
#include "projections/evidence_projection.h"
#include "projections/projection_runner.h"

ABSL_FLAG(std::string, data_dir, "", "a ledgerd data directory (the log in DIR/log)");
ABSL_FLAG(std::string, projection_dir, "", "where to rebuild (default: a fresh temp dir)");
ABSL_FLAG(uint64_t, chunk_events, 20000, "events applied per committed chunk");

namespace {

double PeakMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::string data = absl::GetFlag(FLAGS_data_dir);
  if (data.empty()) {
    std::fprintf(stderr, "projection_bench: --data_dir is required\n");
    return 2;
  }
  ledger::RocksDbOptions options;
  options.read_only = true;
  auto log = ledger::RocksDbEventLog::Open(data + "/log", options);
  if (!log.ok()) {
    std::fprintf(stderr, "projection_bench: %s\n", log.status().ToString().c_str());
    return 1;
  }
  std::string dir = absl::GetFlag(FLAGS_projection_dir);
  if (dir.empty()) dir = std::filesystem::temp_directory_path() / "projection-bench";
  std::filesystem::remove_all(dir);
  auto db = projections::ProjectionDatabase::Open(dir);
  if (!db.ok()) {
    std::fprintf(stderr, "projection_bench: %s\n", db.status().ToString().c_str());
    return 1;
  }
  projections::EvidenceProjection evidence;
  projections::ProjectionRunner runner(log->get(), db->get(), {&evidence},
                                       absl::GetFlag(FLAGS_chunk_events));
  uint64_t head = (*log)->Head().position;
  std::printf("Rebuilding the evidence projection over %llu events (peak memory before: %.0f MB)\n",
              static_cast<unsigned long long>(head), PeakMegabytes());
  absl::Time start = absl::Now();
  uint64_t last_report = 0;
  absl::Status s = runner.Rebuild("evidence", [&](uint64_t done, uint64_t total, double rate) {
    if (done - last_report >= 1'000'000 || done == total) {
      last_report = done;
      std::printf("  %llu / %llu events, %.0f events/s, peak memory %.0f MB\n",
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                  rate, PeakMegabytes());
      std::fflush(stdout);
    }
  });
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!s.ok()) {
    std::fprintf(stderr, "projection_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("rebuilt %llu events in %.1f s: %.0f events/s; peak memory %.0f MB\n",
              static_cast<unsigned long long>(head), seconds, head / seconds, PeakMegabytes());
  db->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
