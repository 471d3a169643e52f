// ledgerctl: the operator's command line for the engagement ledger.
//
//   ledgerctl append --stream=S [--expected=any|no-stream|exists|N] [--file=F]   JSON lines in
//   ledgerctl read   [--stream=S [--backwards] [--from=REV]] [--from=POS --type=T --org=O --prefix=P]
//   ledgerctl tail   [--from=POS] [--type=T --org=O --prefix=P]
//   ledgerctl info   [--stream=S]
//   ledgerctl verify --data_dir=DIR | --server=HOST:PORT
//   ledgerctl demo   [--seed=N]
//
// Exit codes: 0 done; 1 refused or failed (the message says why); 2 bad usage; 3 verification
// found damage; 4 the server cannot be reached.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "services/ctl_commands.h"
#include "services/demo_programme.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "address of ledgerd");
ABSL_FLAG(std::string, stream, "", "stream name, e.g. engagement-<uuid>");
ABSL_FLAG(std::string, expected, "any", "append: any, no-stream, exists, or a revision number");
ABSL_FLAG(std::string, file, "-", "append: file of events as protobuf JSON, one per line (- = stdin)");
ABSL_FLAG(uint64_t, from, 0, "read/tail: start revision (with --stream) or log position");
ABSL_FLAG(bool, backwards, false, "read --stream: newest first, from --from or the end");
ABSL_FLAG(uint64_t, limit, 0, "read: at most this many events (0 = all)");
ABSL_FLAG(std::vector<std::string>, type, {}, "read/tail: event kinds, e.g. session_held,insight_recorded");
ABSL_FLAG(std::vector<std::string>, org, {}, "read/tail: organisation ODS codes");
ABSL_FLAG(std::vector<std::string>, prefix, {}, "read/tail: stream name prefixes");
ABSL_FLAG(std::string, data_dir, "", "verify: check this data directory offline instead of a server");
ABSL_FLAG(int, timeout_seconds, 30, "deadline of unary calls");
ABSL_FLAG(uint64_t, seed, demo::kDefaultSeed, "demo: the seed the programme's ids derive from");

namespace {

constexpr char kUsage[] = R"(ledgerctl: the engagement ledger's command line

  ledgerctl append --stream=S [--expected=any|no-stream|exists|N] [--file=F]
      Appends the events in F (protobuf JSON, one Event per line; - or no --file: stdin) to
      stream S as one all-or-nothing batch. Prints the response as JSON.
  ledgerctl read [--stream=S [--backwards] [--from=REV]] [--limit=N]
  ledgerctl read [--from=POS] [--type=T,..] [--org=ODS,..] [--prefix=P,..] [--limit=N]
      Prints events as JSON lines: one stream, or the whole log filtered.
  ledgerctl tail [--from=POS] [--type=..] [--org=..] [--prefix=..]
      Follows the log live (Ctrl-C stops).
  ledgerctl info [--stream=S]
      The head of the log, or one stream's revision and positions.
  ledgerctl verify --data_dir=DIR      recompute the hash chain of a data directory offline
  ledgerctl verify [--server=ADDR]     fetch every event and its stored bytes and recompute it
  ledgerctl demo [--seed=N]
      Appends a year (2025-04-01 to 2026-03-31) of demo engagement at organisation QWE: three
      engagements, about 60 fictional participants, sessions, insights, decisions, feedback,
      reimbursements, an evaluation and a correction. Idempotent: a second run appends nothing.

Common: --server=HOST:PORT (default 127.0.0.1:50051).
Exit codes: 0 done, 1 refused or failed, 2 bad usage, 3 verification failed, 4 server unreachable.
)";

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::fputs(kUsage, stderr);
    return ctl::kExitUsage;
  }
  std::string command = args[1];
  ctl::Options options;
  options.server = absl::GetFlag(FLAGS_server);
  options.stream = absl::GetFlag(FLAGS_stream);
  options.expected = absl::GetFlag(FLAGS_expected);
  options.file = absl::GetFlag(FLAGS_file);
  options.from = absl::GetFlag(FLAGS_from);
  options.backwards = absl::GetFlag(FLAGS_backwards);
  options.limit = absl::GetFlag(FLAGS_limit);
  options.types = absl::GetFlag(FLAGS_type);
  options.organisations = absl::GetFlag(FLAGS_org);
  options.prefixes = absl::GetFlag(FLAGS_prefix);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.timeout_seconds = absl::GetFlag(FLAGS_timeout_seconds);
  options.seed = absl::GetFlag(FLAGS_seed);

  if (command == "append") return ctl::Append(options);
  if (command == "read") return ctl::Read(options);
  if (command == "tail") return ctl::Tail(options);
  if (command == "info") return ctl::Info(options);
  if (command == "verify") return ctl::Verify(options);
  if (command == "demo") return ctl::Demo(options);
  std::fprintf(stderr, "ledgerctl: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return ctl::kExitUsage;
}
