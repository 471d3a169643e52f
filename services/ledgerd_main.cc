// ledgerd: the engagement ledger server.
//
//   ledgerd --listen=127.0.0.1:50051 --data_dir=./data
//
// SIGTERM or SIGINT drains in-flight calls and closes the database cleanly.
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "services/flag_spelling.h"
#include "services/ledger_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to serve gRPC on");
ABSL_FLAG(std::string, data_dir, "./data",
          "data directory (created if missing): the event log in DIR/log, projections in "
          "DIR/projections");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "how long SIGTERM waits for in-flight calls");
ABSL_FLAG(std::string, checkpoint_key, "",
          "Ed25519 key file (PEM PKCS#8) that signs checkpoints; default DATA_DIR/checkpoint.key, "
          "created when missing");
ABSL_FLAG(std::string, checkpoint_origin, "engagement-ledger",
          "the checkpoints' origin line (the signing key's name)");
ABSL_FLAG(int, checkpoint_interval_seconds, 60,
          "sign a checkpoint this often when the log has grown; 0 = only on demand");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("the engagement ledger server: ledgerd --listen=HOST:PORT --data_dir=DIR");
  services::NormalizeFlagNames(argc, argv);  // --checkpoint-key means --checkpoint_key
  absl::ParseCommandLine(argc, argv);

  // Block the stop signals in every thread; one thread below waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  services::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.checkpoint_key_file = absl::GetFlag(FLAGS_checkpoint_key);
  options.checkpoint_origin = absl::GetFlag(FLAGS_checkpoint_origin);
  options.checkpoint_interval = absl::Seconds(absl::GetFlag(FLAGS_checkpoint_interval_seconds));
  absl::StatusOr<std::unique_ptr<services::LedgerServer>> server =
      services::LedgerServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(server.status().ToString()).c_str());
    return 1;
  }
  ledger::LogHead head = (*server)->log()->Head();
  std::fprintf(stderr,
               "ledgerd: serving %s on port %d; data in %s; head position %llu; %llu events since "
               "the last checkpoint re-hashed and verified\n",
               options.listen.c_str(), (*server)->port(), options.data_dir.c_str(),
               static_cast<unsigned long long>(head.position),
               static_cast<unsigned long long>((*server)->verified_at_start()));
  std::fflush(stderr);

  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::fprintf(stderr, "ledgerd: %s received; draining calls and closing the log\n",
                 signal == SIGTERM ? "SIGTERM" : "SIGINT");
    absl::Status closed =
        (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
    if (!closed.ok()) {
      std::fprintf(stderr, "ledgerd: closing: %s\n", std::string(closed.ToString()).c_str());
    }
  });
  (*server)->Wait();
  stopper.join();
  std::fprintf(stderr, "ledgerd: stopped cleanly\n");
  return 0;
}
