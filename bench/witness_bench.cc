// What a witness round costs per checkpoint: the witness's own work (parse, check the ledger's
// signature, verify the consistency proof, store its state durably, cosign), and the whole round
// trip ledgerd makes to a real witnessd over HTTP on loopback (with --witnessd).
//
//   build/bench/witness_bench [--rounds=500] [--events_per_checkpoint=1000] \
//       [--witnessd=build/services/witnessd]
//
// The log is a Merkle tree of synthetic leaves in memory growing by --events_per_checkpoint
// between checkpoints, so each proof is a real one of about log2(size) hashes.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle_tree.h"
#include "ledger/tlog_witness.h"
#include "services/witness_client.h"

ABSL_FLAG(int, rounds, 500, "checkpoints to give the witness");
ABSL_FLAG(int, events_per_checkpoint, 1000, "events appended between checkpoints");
ABSL_FLAG(std::string, witnessd, "", "the witnessd binary: also time HTTP round trips to it");
ABSL_FLAG(std::string, state_dir, "", "where the witness keeps its state (default: a temp dir)");

namespace {

void Print(const char* what, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  std::printf("%-46s %6zu rounds  p50 %8.1f us  p99 %8.1f us  max %8.1f us\n", what,
              micros.size(), micros[micros.size() / 2], micros[micros.size() * 99 / 100],
              micros.back());
}

struct Log {
  ledger::NoteSigner key = *ledger::NoteSigner::FromSeed("bench.example/ledger", std::string(32, 7));
  ledger::InMemoryMerkleNodeStore tree;
  ledger::MerkleAppender appender;
  uint64_t size = 0;

  void Grow(int events) {
    std::vector<std::string> leaves;
    for (int i = 0; i < events; ++i) {
      leaves.push_back(ledger::MerkleLeafHash(absl::StrCat("event-", size + i)));
    }
    tree.PutAll(*appender.Append(leaves));
    size += events;
  }
  std::string Note() {
    ledger::Checkpoint checkpoint{key.key_name(), size, *ledger::RootHash(tree, size),
                                  {"timestamp 2026-12-02T04:00:00Z"}};
    return *key.Sign(*ledger::FormatCheckpoint(checkpoint));
  }
  // The add-checkpoint body from the size the witness last cosigned.
  std::string Body(uint64_t old_size) {
    ledger::AddCheckpointRequest request{old_size, {}, Note()};
    if (old_size > 0) request.proof = *ledger::ConsistencyProof(tree, old_size, size);
    return ledger::FormatAddCheckpoint(request);
  }
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int step = absl::GetFlag(FLAGS_events_per_checkpoint);
  std::string state_dir = absl::GetFlag(FLAGS_state_dir);
  if (state_dir.empty()) {
    state_dir = (std::filesystem::temp_directory_path() / absl::StrCat("witness-bench-", getpid()))
                    .string();
  }
  std::filesystem::remove_all(state_dir);

  // 1. The witness's own work, in process, state synced to disk each round.
  {
    Log log;
    auto state = ledger::FileWitnessStateStore::Open(state_dir + "/inproc");
    ledger::Witness witness(*ledger::Cosigner::FromSeed("bench.example/witness", std::string(32, 9)),
                            {*ledger::NoteVerifier::Parse(log.key.VerifierKey())}, state->get(),
                            [] { return uint64_t{1764648000}; });
    std::vector<double> micros;
    uint64_t old_size = 0;
    size_t proof_hashes = 0;
    for (int i = 0; i < rounds; ++i) {
      log.Grow(step);
      std::string body = log.Body(old_size);
      absl::Time start = absl::Now();
      ledger::WitnessResponse response = witness.AddCheckpoint(body);
      micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
      if (response.http_status != 200) {
        std::fprintf(stderr, "witness answered %d: %s\n", response.http_status, response.body.c_str());
        return 1;
      }
      proof_hashes = std::count(body.begin(), body.end(), '\n');
      old_size = log.size;
    }
    std::printf("tree grows by %d events per checkpoint, to %llu events; last proof ~%zu lines\n",
                step, static_cast<unsigned long long>(log.size), proof_hashes);
    Print("witness work (parse, verify, fsync state, cosign)", micros);
  }

  // 2. The round trip ledgerd makes, to a real witnessd over HTTP on loopback.
  const std::string witnessd = absl::GetFlag(FLAGS_witnessd);
  if (witnessd.empty()) return 0;
  Log log;
  const std::string key_file = state_dir + "/witness.key";
  ledger::NoteSigner::GenerateKeyFile(key_file).IgnoreError();
  const int port = 17380 + getpid() % 1000;
  const std::string command = absl::StrCat(
      witnessd, " --name=bench.example/witness --key_file=", key_file, " --state_dir=", state_dir,
      "/http --log_keys=", log.key.VerifierKey(), " --listen=127.0.0.1:", port, " 2>",
      state_dir, "/witnessd.log & echo $!");
  FILE* started = popen(command.c_str(), "r");
  int pid = 0;
  if (started == nullptr || fscanf(started, "%d", &pid) != 1) return 1;
  pclose(started);
  auto client = services::WitnessClient::Create(absl::StrCat("http://127.0.0.1:", port), "",
                                                absl::Seconds(10));
  std::vector<double> micros;
  uint64_t old_size = 0;
  for (int i = 0; i < rounds; ++i) {
    log.Grow(step);
    std::string body = log.Body(old_size);
    absl::Time start = absl::Now();
    absl::StatusOr<services::WitnessClient::Reply> reply = (*client)->AddCheckpoint(body);
    double elapsed = absl::ToDoubleMicroseconds(absl::Now() - start);
    if (!reply.ok() && i == 0) {  // witnessd still starting
      absl::SleepFor(absl::Milliseconds(200));
      --i;
      continue;
    }
    if (!reply.ok() || reply->status != 200) {
      std::fprintf(stderr, "round %d: %s\n", i,
                   reply.ok() ? reply->body.c_str() : std::string(reply.status().message()).c_str());
      break;
    }
    micros.push_back(elapsed);
    old_size = log.size;
  }
  kill(pid, SIGTERM);
  if (!micros.empty()) Print("round trip to witnessd over HTTP (keep-alive)", micros);
  std::filesystem::remove_all(state_dir);
  return 0;
}
