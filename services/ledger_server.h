// LedgerServer: an open event log served over gRPC, with the standard health and reflection
// services. Used by ledgerd and by tests that need a real server in-process.
//
// Appends pass the engagement rules (domain/engagement_rules.h), whose state is kept with the log.
// Every call is authenticated (authenticator.h) and authorised by the access policy; the server
// listens with TLS, or in plain text only on loopback in explicit local mode. Participants'
// personal data is sealed under per-participant keys kept in DATA_DIR/keys, wrapped by a master
// key kept apart from the data directory (docs/security.md).
// Ownership: the server owns the log, the rules and the gRPC server. Shutdown() drains in-flight calls (up to
// the grace period, then cancels what is left), ends subscriptions, and closes the log cleanly.
#ifndef ENGAGEMENT_SERVICES_LEDGER_SERVER_H_
#define ENGAGEMENT_SERVICES_LEDGER_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <thread>

#include "absl/synchronization/notification.h"
#include "domain/engagement_rules.h"
#include "ledger/checkpointer.h"
#include "ledger/append_forwarding.h"
#include "ledger/jetstream_key_directory.h"
#include "ledger/jetstream_replica.h"
#include "ledger/replicated_event_log.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"
#include "ledger/subscription_hub.h"
#include "services/ledger_metrics.h"
#include "services/http_front.h"
#include "services/metrics_http.h"
#include "services/rpc_metrics.h"
#include "projections/evidence_projection.h"
#include "projections/projection_runner.h"

namespace grpc {
class Server;
}

namespace services {

class AuditServiceImpl;
class Authenticator;
class CheckpointWitnessing;
class LedgerServiceImpl;
class OperationsServiceImpl;
class PrivacyServiceImpl;
class ProjectionWatch;
class ReportServiceImpl;
class ServingHealth;

// The event log's directory inside a data directory.
std::string LogDirectory(const std::string& data_dir);
// The projections' directory inside a data directory.
std::string ProjectionDirectory(const std::string& data_dir);

// How callers are authenticated, and where the keys are.
struct SecurityOptions {
  // Serve plain text, on a loopback address only (a trial on one machine). Unless policy_file is
  // given, local credentials are made in DATA_DIR/local (local_credentials.h).
  bool insecure_local = false;
  // TLS: the server's certificate chain and private key (PEM files).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Mutual TLS: client certificates are requested and verified against this CA (PEM file).
  std::string client_ca_file;
  // Bearer tokens: the OpenID Connect issuer, this service's audience, and the issuer's keys.
  std::string token_issuer;
  std::string token_audience;
  std::string jwks_file;
  // Who may do what (domain/access_policy.h). Reloaded by ReloadPolicy (SIGHUP).
  std::string policy_file;
  // The master key's file; empty: the LEDGER_MASTER_KEY environment variable (or, in local mode,
  // DATA_DIR/local/master.key). Outside local mode it must not be inside the data directory.
  std::string master_key_file;
};

struct ServerOptions {
  // host:port to listen on; port 0 picks a free one (see LedgerServer::port()).
  std::string listen = "127.0.0.1:50051";
  // The data directory, created if missing: the event log in <data_dir>/log, the projections'
  // state in <data_dir>/projections (two RocksDB databases).
  std::string data_dir = "./data";
  // Passed to the log (tests of throughput without a disk may turn sync off).
  ledger::RocksDbOptions log_options;
  // A replicated ledger (docs/replication.md) when `replication.servers` is not empty: the log is
  // one node's copy of a NATS JetStream stream, and appends go through the node holding the
  // leader's lease. Empty servers (the default): a single node on the embedded RocksDB.
  ledger::JetStreamOptions replication;
  // Keep projections up to date in the background (reports catch up on demand regardless).
  bool follow_projections = true;
  // The Ed25519 key that signs checkpoints (PEM PKCS#8). Required outside local mode, and then
  // outside the data directory; in local mode empty means <data_dir>/checkpoint.key, created
  // when missing (checkpoint_start.h).
  std::string checkpoint_key_file;
  // The witnesses each new checkpoint is given to (witness_client.h: "<verifier key> <URL>" per
  // line); empty: none. The CA file their HTTPS certificates chain to (empty: the system's).
  std::string witnesses_file;
  std::string witness_ca_file;
  // The checkpoints' origin line and the key's name.
  std::string checkpoint_origin = "engagement-ledger";
  // How often to sign a checkpoint when the head has moved; zero signs only on demand.
  absl::Duration checkpoint_interval = absl::Seconds(60);
  // How often to check every projection against the log (projection_watch.h); zero: only when
  // asked (VerifyProjections).
  absl::Duration projection_check_interval = absl::Hours(1);
  // Sign a last checkpoint when shutting down (tests turn it off to leave a tail, as a crash would).
  bool sign_checkpoint_on_stop = true;
  // Read every table file at start and check its checksums (about as long as reading the whole
  // database); a damaged one stops the start, naming the file.
  bool verify_storage_at_start = true;
  // Called once, on the log's commit thread, when a write fails (disk full, I/O error): from then
  // on the log refuses appends until the process restarts and recovers from the disk. ledgerd
  // stops itself (exit 75) so that its supervisor restarts it once the disk is writable again.
  std::function<void()> on_write_failure;
  // Open SubscribeLog calls at most; one more gets RESOURCE_EXHAUSTED. Each costs no thread and
  // at most one chunk of events (ledger/subscription_hub.h).
  uint64_t max_subscriptions = 1000;
  // Subscribers being written to at once, at most (0: no limit). Sending every event to every
  // subscriber costs CPU on the cores the appends use; past this many, subscribers wait their
  // turn and lag, and appends keep their latency.
  uint64_t max_writing_subscriptions = 4;
  // Reports as of an earlier point, at most at once (each holds an organisation's records in
  // memory, and replays the log where the projection's history does not reach); one more gets
  // RESOURCE_EXHAUSTED.
  int max_concurrent_replays = 4;
  // gRPC's memory for all calls' buffers, and threads for synchronous handlers, at most.
  int max_grpc_memory_mib = 256;
  int max_threads = 256;
  // host:port of the Prometheus metrics page (GET /metrics, plain HTTP); empty: not served.
  std::string metrics_listen;
  // A file holding the bearer token a scrape must send; empty: none asked for.
  std::string metrics_token_file;
  // host:port of the HTTP(S) front end (http_front.h): the JSON API under /v1/ and the web
  // console at /; TLS as for gRPC (plain text only in local mode, on loopback); empty: not served.
  std::string http_listen;
  // Streaming HTTP calls (reads, subscriptions) open at once; one more gets 429.
  int http_max_streams = 64;
  // The web console's sign-in through the token issuer (security.token_issuer), as this OAuth
  // client (authorization code flow with PKCE); empty: not offered. `console_url` is the
  // console's address as browsers reach it (the redirect URI is console_url + /sign-in/callback);
  // `oidc_ca_file` the issuer's CA (empty: the system's).
  std::string console_oidc_client_id;
  std::string console_url;
  std::string oidc_ca_file;
  SecurityOptions security;
};

// The participants' key store's directory inside a data directory.
std::string KeysDirectory(const std::string& data_dir);

class LedgerServer {
 public:
  static absl::StatusOr<std::unique_ptr<LedgerServer>> Start(const ServerOptions& options);
  ~LedgerServer();

  // The port actually bound.
  int port() const { return port_; }
  // The metrics page's port (0 when not served).
  int metrics_port() const { return metrics_http_ != nullptr ? metrics_http_->port() : 0; }
  // The HTTP front end's port (0 when not served).
  int http_port() const { return http_front_ != nullptr ? http_front_->port() : 0; }
  // The log the services use: the local one, or on a replicated ledger the replicated view of it.
  ledger::EventLog* log() const {
    return replicated_log_ != nullptr ? static_cast<ledger::EventLog*>(replicated_log_.get())
                                      : log_.get();
  }
  // This node's view of the cluster (nullptr on a single node).
  const ledger::JetStreamReplica* replica() const { return replica_.get(); }
  projections::ProjectionRunner* projections() const { return runner_.get(); }
  // Whether it can be trusted to serve, and why not (serving_health.h).
  const ServingHealth* health() const { return health_.get(); }
  // Events re-hashed at start (those after the latest checkpoint).
  uint64_t verified_at_start() const { return verified_at_start_; }
  // Events replayed into the engagement rules' state at start (appended without the rules).
  uint64_t rules_replayed_at_start() const { return rules_replayed_at_start_; }

  ledger::SubjectKeyStore* keys() const { return keys_.get(); }
  // Where local mode put its credentials (empty outside local mode).
  const std::string& local_credentials_directory() const { return local_directory_; }

  // Reads the policy file again and uses it for calls from now on; a bad file keeps the old
  // policy and says why.
  absl::Status ReloadPolicy();

  // Stops accepting calls, lets in-flight ones finish within `grace`, closes the log. Idempotent.
  absl::Status Shutdown(absl::Duration grace = absl::Seconds(10));
  // Blocks until Shutdown() has been called and the server has stopped.
  void Wait();

 private:
  LedgerServer() = default;
  absl::Status StartHttp(const ServerOptions& options);
  // Joins the replicated ledger: follows the stream into log_ and contends for the lease
  // (ledger_replication.cc).
  absl::Status StartReplication(const ledger::JetStreamOptions& options);

  int port_ = 0;
  std::unique_ptr<ledger::RocksDbEventLog> log_;
  // A replicated ledger only: the node's replica, its forwarding of appends, and the EventLog the
  // services are given (replicated_event_log.h).
  std::unique_ptr<ledger::JetStreamReplica> replica_;
  std::unique_ptr<ledger::AppendForwarding> forwarding_;
  std::unique_ptr<ledger::ReplicatedEventLog> replicated_log_;
  std::unique_ptr<ledger::SubjectKeyStore> keys_;
  // A replicated ledger only: participants' keys and erasures shared with the other nodes (after
  // keys_ and replica_, so destroyed before them).
  std::unique_ptr<ledger::JetStreamKeyDirectory> shared_keys_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<PrivacyServiceImpl> privacy_;
  std::unique_ptr<OperationsServiceImpl> operations_;
  std::string policy_file_;
  std::string local_directory_;
  std::unique_ptr<domain::EngagementRules> rules_;
  std::unique_ptr<projections::ProjectionDatabase> projection_db_;
  std::unique_ptr<projections::EvidenceProjection> evidence_;
  std::unique_ptr<projections::ProjectionRunner> runner_;
  std::unique_ptr<ledger::SubscriptionHub> hub_;
  std::unique_ptr<RpcMetrics> rpc_metrics_;
  std::unique_ptr<LedgerMetrics> metrics_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  std::unique_ptr<LedgerServiceImpl> service_;
  std::unique_ptr<ReportServiceImpl> reports_;
  std::unique_ptr<ServingHealth> health_;
  std::unique_ptr<ProjectionWatch> projection_watch_;
  std::unique_ptr<ledger::Checkpointer> checkpointer_;
  std::unique_ptr<CheckpointWitnessing> witnessing_;
  std::unique_ptr<AuditServiceImpl> audit_;
  std::thread signer_thread_;
  absl::Notification stop_signing_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HttpFrontEnd> http_front_;
  bool shut_down_ = false;
  bool sign_on_stop_ = true;
  uint64_t verified_at_start_ = 0;
  uint64_t rules_replayed_at_start_ = 0;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LEDGER_SERVER_H_
