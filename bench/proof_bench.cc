// Merkle proof generation over an existing log: latency of inclusion and consistency proofs at
// the log's full size (O(log n) stored-node reads each), p50 and p99.
//
//   build/bench/generate_log --data_dir=/tmp/big --events=5000000
//   build/bench/proof_bench --data_dir=/tmp/big
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "ledger/rocksdb_event_log.h"

ABSL_FLAG(std::string, data_dir, "", "a ledgerd data directory (the log in DIR/log)");
ABSL_FLAG(int, proofs, 20000, "proofs of each kind to time");

namespace {

void Print(const char* what, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  std::printf("%-22s %8zu proofs  p50 %7.1f us  p99 %7.1f us  max %8.1f us\n", what, micros.size(),
              micros[micros.size() / 2], micros[micros.size() * 99 / 100], micros.back());
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  ledger::RocksDbOptions options;
  options.read_only = true;
  auto log = ledger::RocksDbEventLog::Open(absl::GetFlag(FLAGS_data_dir) + "/log", options);
  if (!log.ok()) {
    std::fprintf(stderr, "proof_bench: %s\n", log.status().ToString().c_str());
    return 1;
  }
  uint64_t size = (*log)->Head().position;
  if (size < 2) {
    std::fprintf(stderr, "proof_bench: the log needs at least 2 events\n");
    return 1;
  }
  std::printf("Proofs against a tree of %llu events\n", static_cast<unsigned long long>(size));
  std::mt19937_64 random(42);
  std::uniform_int_distribution<uint64_t> position(1, size);
  std::vector<double> inclusion, consistency;
  size_t proof_hashes = 0;
  for (int i = 0; i < absl::GetFlag(FLAGS_proofs); ++i) {
    absl::Time start = absl::Now();
    auto proof = (*log)->InclusionProof(position(random), size);
    inclusion.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!proof.ok()) {
      std::fprintf(stderr, "proof_bench: %s\n", proof.status().ToString().c_str());
      return 1;
    }
    proof_hashes += proof->size();
    start = absl::Now();
    auto consistent = (*log)->ConsistencyProof(position(random), size);
    consistency.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!consistent.ok()) return 1;
  }
  Print("inclusion proof", inclusion);
  Print("consistency proof", consistency);
  std::printf("(%.1f hashes per inclusion proof on average)\n",
              static_cast<double>(proof_hashes) / inclusion.size());
  return 0;
}
