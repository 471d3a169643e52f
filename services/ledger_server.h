// LedgerServer: an open event log served over gRPC, with the standard health and reflection
// services. Used by ledgerd and by tests that need a real server in-process.
//
// Appends pass the engagement rules (domain/engagement_rules.h), whose state is rebuilt from the
// log at start.
// Ownership: the server owns the log, the rules and the gRPC server. Shutdown() drains in-flight calls (up to
// the grace period, then cancels what is left), ends subscriptions, and closes the log cleanly.
#ifndef ENGAGEMENT_SERVICES_LEDGER_SERVER_H_
#define ENGAGEMENT_SERVICES_LEDGER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <thread>

#include "absl/synchronization/notification.h"
#include "domain/engagement_rules.h"
#include "ledger/checkpointer.h"
#include "ledger/rocksdb_event_log.h"
#include "projections/evidence_projection.h"
#include "projections/projection_runner.h"

namespace grpc {
class Server;
}

namespace services {

class AuditServiceImpl;
class LedgerServiceImpl;
class ReportServiceImpl;

// The event log's directory inside a data directory.
std::string LogDirectory(const std::string& data_dir);
// The projections' directory inside a data directory.
std::string ProjectionDirectory(const std::string& data_dir);

struct ServerOptions {
  // host:port to listen on; port 0 picks a free one (see LedgerServer::port()).
  std::string listen = "127.0.0.1:50051";
  // The data directory, created if missing: the event log in <data_dir>/log, the projections'
  // state in <data_dir>/projections (two RocksDB databases).
  std::string data_dir = "./data";
  // Passed to the log (tests of throughput without a disk may turn sync off).
  ledger::RocksDbOptions log_options;
  // Keep projections up to date in the background (reports catch up on demand regardless).
  bool follow_projections = true;
  // The Ed25519 key that signs checkpoints (PEM PKCS#8); empty means <data_dir>/checkpoint.key.
  // Created when missing.
  std::string checkpoint_key_file;
  // The checkpoints' origin line and the key's name.
  std::string checkpoint_origin = "engagement-ledger";
  // How often to sign a checkpoint when the head has moved; zero signs only on demand.
  absl::Duration checkpoint_interval = absl::Seconds(60);
  // Sign a last checkpoint when shutting down (tests turn it off to leave a tail, as a crash would).
  bool sign_checkpoint_on_stop = true;
};

class LedgerServer {
 public:
  static absl::StatusOr<std::unique_ptr<LedgerServer>> Start(const ServerOptions& options);
  ~LedgerServer();

  // The port actually bound.
  int port() const { return port_; }
  ledger::EventLog* log() const { return log_.get(); }
  projections::ProjectionRunner* projections() const { return runner_.get(); }
  // Events re-hashed at start (those after the latest checkpoint).
  uint64_t verified_at_start() const { return verified_at_start_; }
  // Events replayed into the engagement rules' state at start (appended without the rules).
  uint64_t rules_replayed_at_start() const { return rules_replayed_at_start_; }

  // Stops accepting calls, lets in-flight ones finish within `grace`, closes the log. Idempotent.
  absl::Status Shutdown(absl::Duration grace = absl::Seconds(10));
  // Blocks until Shutdown() has been called and the server has stopped.
  void Wait();

 private:
  LedgerServer() = default;

  int port_ = 0;
  std::unique_ptr<ledger::RocksDbEventLog> log_;
  std::unique_ptr<domain::EngagementRules> rules_;
  std::unique_ptr<projections::ProjectionDatabase> projection_db_;
  std::unique_ptr<projections::EvidenceProjection> evidence_;
  std::unique_ptr<projections::ProjectionRunner> runner_;
  std::unique_ptr<LedgerServiceImpl> service_;
  std::unique_ptr<ReportServiceImpl> reports_;
  std::unique_ptr<ledger::Checkpointer> checkpointer_;
  std::unique_ptr<AuditServiceImpl> audit_;
  std::thread signer_thread_;
  absl::Notification stop_signing_;
  std::unique_ptr<grpc::Server> server_;
  bool shut_down_ = false;
  bool sign_on_stop_ = true;
  uint64_t verified_at_start_ = 0;
  uint64_t rules_replayed_at_start_ = 0;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LEDGER_SERVER_H_
