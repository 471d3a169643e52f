// The commands of ledgerctl, one function each; each returns the process exit code.
#ifndef ENGAGEMENT_SERVICES_CTL_COMMANDS_H_
#define ENGAGEMENT_SERVICES_CTL_COMMANDS_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "services/client_channel.h"

namespace ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitVerifyFailed = 3;
inline constexpr int kExitUnreachable = 4;

struct Options {
  std::string server;
  // TLS and the bearer token (ledgerctl_main.cc resolves the defaults).
  services::ClientCredentials credentials;
  std::string stream;
  std::string expected;
  std::string file;
  uint64_t from = 0;
  bool backwards = false;
  uint64_t limit = 0;
  std::vector<std::string> types;
  std::vector<std::string> organisations;
  std::vector<std::string> prefixes;
  std::string data_dir;
  int timeout_seconds = 30;
  uint64_t seed = 0;  // demo
  // verify and audit (ctl_audit.h)
  std::string verifier_key;     // the ledger's signed-note verifier key, held by the auditor
  std::string checkpoint_file;  // verify: a checkpoint note saved earlier
  std::string save;             // audit checkpoint: write the note here
  std::string key_file, origin; // audit pubkey offline
  uint64_t from_position = 0, to_position = 0;  // audit export
  std::string decision;         // audit export: evidence pack of this decision
  std::string out;              // audit export: the bundle directory
  // verify, audit check, audit checkpoint, replay: the witness policy (ledger/cosignature.h):
  // witnesses' verifier keys, and how many must have cosigned (0: all).
  std::vector<std::string> witness_keys;
  int witness_quorum = 0;
};

int Append(const Options& options);
// ctl_import.cc: many appends, one per line, over one AppendStream call.
int Import(const Options& options);
int Read(const Options& options);
int Tail(const Options& options);
int Info(const Options& options);
int Verify(const Options& options);
int Demo(const Options& options);  // ctl_demo.cc
// ctl_privacy.cc
int WhoAmI(const Options& options);
int ParticipantCommand(const std::string& what, const std::vector<std::string>& ids,
                       const std::string& purpose, const std::string& reason,
                       const Options& options);
// ctl_health.cc
int Health(const Options& options);
// The standard gRPC health check, without credentials, for Docker's HEALTHCHECK and Kubernetes'
// exec probes: exit 0 when SERVING; with `liveness`, exit 0 whenever ledgerd answers at all (a
// restart does not cure NOT_SERVING, which names a problem to fix). Otherwise 1.
int Probe(bool liveness, const Options& options);
// ctl_backup.cc: backup through ledgerd; restore offline.
int Backup(const std::vector<std::string>& args, const Options& options);
int Restore(const std::vector<std::string>& args, const std::string& master_key_file,
            const std::string& erasures_file);
// ctl_migrate.cc: offline.
int Migrate(const std::vector<std::string>& directories, const std::string& organisation,
            const std::string& master_key_file);

// Shared by the commands.
// A channel to options.server with the caller's credentials.
std::shared_ptr<grpc::Channel> Channel(const std::string& server,
                                      const services::ClientCredentials& credentials);
inline std::shared_ptr<grpc::Channel> Channel(const Options& options) {
  return Channel(options.server, options.credentials);
}
std::unique_ptr<engagement::v1::LedgerService::Stub> Connect(const Options& options);
void SetDeadline(grpc::ClientContext* context, const Options& options);
// Reports a failed call on stderr; returns the exit code it deserves.
int Report(const grpc::Status& status, const Options& options);

}  // namespace ctl

#endif  // ENGAGEMENT_SERVICES_CTL_COMMANDS_H_
