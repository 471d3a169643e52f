// ledgerd: the engagement ledger server.
//
//   ledgerd --listen=0.0.0.0:50051 --data_dir=/var/lib/ledger --tls_cert=... --tls_key=...
//           --oidc_issuer=... --oidc_audience=... --jwks_file=... --policy_file=...
//           --master_key_file=...
//   ledgerd --insecure_local --data_dir=./data        (a trial on this machine: make run)
//
// SIGTERM or SIGINT drains in-flight calls and closes the database cleanly; SIGHUP reloads the
// access policy (a bad file keeps the old one and says why).
#include <atomic>
#include <csignal>
#include <unistd.h>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "services/flag_spelling.h"
#include "services/ledger_server.h"
#include "services/logging.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to serve gRPC on");
ABSL_FLAG(std::string, data_dir, "./data",
          "data directory (created if missing): the event log in DIR/log, projections in "
          "DIR/projections");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "how long SIGTERM waits for in-flight calls");
ABSL_FLAG(std::string, checkpoint_key, "",
          "Ed25519 key file (PEM PKCS#8) that signs checkpoints, outside the data directory; "
          "required unless --insecure_local (then default DATA_DIR/checkpoint.key, created when "
          "missing)");
ABSL_FLAG(std::string, witnesses, "",
          "a file of witnesses each new checkpoint is given to (C2SP tlog-witness): one "
          "\"<verifier key> <URL>\" per line (docs/audit.md section 7)");
ABSL_FLAG(std::string, witness_ca, "", "CA certificates (PEM) of HTTPS witnesses (default: the system's)");
ABSL_FLAG(std::string, checkpoint_origin, "engagement-ledger",
          "the checkpoints' origin line (the signing key's name)");
ABSL_FLAG(int, checkpoint_interval_seconds, 60,
          "sign a checkpoint this often when the log has grown; 0 = only on demand");
ABSL_FLAG(int, projection_check_interval_seconds, 3600,
          "check every projection against the log this often (a mismatch turns health to "
          "NOT_SERVING); 0 = only when asked (ledgerctl projections verify)");
ABSL_FLAG(uint64_t, max_subscriptions, 1000,
          "open SubscribeLog calls at most; one more gets RESOURCE_EXHAUSTED (each costs no "
          "thread and at most one chunk of events)");
ABSL_FLAG(uint64_t, max_writing_subscriptions, 4,
          "subscribers being written to at once, at most; the others wait their turn and lag, so "
          "that appends keep their latency however many subscribe (0: no limit)");
ABSL_FLAG(int, max_concurrent_replays, 4,
          "reports as of an earlier point (each loads an organisation's records as they then "
          "stood) computed at once at most; one more gets RESOURCE_EXHAUSTED");
ABSL_FLAG(int, max_grpc_memory_mib, 256,
          "memory gRPC may use for all calls' buffers; under pressure it shrinks flow-control "
          "windows and refuses new calls");
ABSL_FLAG(int, max_threads, 256,
          "threads for synchronous calls (reads, reports) at most; one more gets RESOURCE_EXHAUSTED");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port for the Prometheus metrics page (GET /metrics, plain HTTP; no personal "
          "data); empty: not served");
ABSL_FLAG(std::string, http_listen, "",
          "host:port for the JSON API (/v1/) and the web console (/), over TLS with --tls_cert "
          "and --tls_key (plain HTTP only with --insecure_local, on loopback); empty: not served");
ABSL_FLAG(int, http_max_streams, 64,
          "streaming HTTP calls (reads, subscriptions) open at once; one more gets 429");
ABSL_FLAG(std::string, console_oidc_client_id, "",
          "the web console's OAuth client id at --oidc_issuer: people then sign in there "
          "(authorization code flow with PKCE); empty: not offered");
ABSL_FLAG(std::string, console_url, "",
          "the web console's address as browsers reach it, as https://ledger.example.nhs.uk "
          "(the sign-in's redirect URI is this + /sign-in/callback)");
ABSL_FLAG(std::string, oidc_ca, "",
          "the CA file the issuer's HTTPS certificate chains to (empty: the system's)");
ABSL_FLAG(std::string, metrics_token_file, "",
          "a file holding a bearer token that scrapes of /metrics must send; empty: none");
ABSL_FLAG(std::string, log_format, "text",
          "text (\"ledgerd: message\" lines) or json (one object per line: time, level, program, "
          "message); neither ever holds personal data");
ABSL_FLAG(bool, verify_storage_at_start, true,
          "check every table file's checksums before serving (as long as reading the database "
          "once); a damaged file stops the start, naming it");
ABSL_FLAG(bool, insecure_local, false,
          "serve plain text on a loopback address, with local credentials made in DATA_DIR/local "
          "unless --policy_file is given (a trial on one machine; logged as a warning)");
ABSL_FLAG(std::string, tls_cert, "", "the server's TLS certificate chain (PEM)");
ABSL_FLAG(std::string, tls_key, "", "the server's TLS private key (PEM)");
ABSL_FLAG(std::string, client_ca, "",
          "CA certificates (PEM) that issue client certificates: enables mutual TLS; a caller is "
          "then identified by its certificate's subject alternative name");
ABSL_FLAG(std::string, oidc_issuer, "", "the OpenID Connect issuer whose bearer tokens are accepted (iss)");
ABSL_FLAG(std::string, oidc_audience, "", "the audience tokens must be issued for (aud)");
ABSL_FLAG(std::string, jwks_file, "", "the issuer's public keys as a JWKS document (RS256, ES256)");
ABSL_FLAG(std::string, policy_file, "",
          "the access policy: who holds which roles for which organisations (protobuf text; "
          "docs/security.md); reloaded on SIGHUP");
ABSL_FLAG(std::string, master_key_file, "",
          "the master key that wraps participants' data keys (64 hex digits), kept outside the "
          "data directory; default: the LEDGER_MASTER_KEY environment variable");

ABSL_FLAG(std::string, nats_servers, "",
          "a replicated ledger (docs/replication.md): the NATS servers of its JetStream cluster, "
          "comma-separated URLs (nats://host:4222,...); empty: a single node on local RocksDB");
ABSL_FLAG(std::string, node_id, "",
          "with --nats_servers: this node's name, unique in the cluster (letters, digits, - and _)");
ABSL_FLAG(std::string, nats_stream, "LEDGER",
          "with --nats_servers: the JetStream stream that holds the log");
ABSL_FLAG(int, nats_replicas, 3,
          "with --nats_servers: copies JetStream keeps of the stream (1, 3 or 5)");
ABSL_FLAG(int, leader_lease_seconds, 3,
          "with --nats_servers: how long the leader's lease lasts unless renewed; a new leader "
          "takes over about this long after the old one dies");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("the engagement ledger server: ledgerd --listen=HOST:PORT --data_dir=DIR");
  services::NormalizeFlagNames(argc, argv);  // --checkpoint-key means --checkpoint_key
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<services::LogFormat> log_format =
      services::ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  if (!log_format.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(log_format.status().message()).c_str());
    return 2;
  }
  services::InitLogging("ledgerd", *log_format);

  // Block the stop signals in every thread; one thread below waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  services::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.checkpoint_key_file = absl::GetFlag(FLAGS_checkpoint_key);
  options.checkpoint_origin = absl::GetFlag(FLAGS_checkpoint_origin);
  options.witnesses_file = absl::GetFlag(FLAGS_witnesses);
  options.witness_ca_file = absl::GetFlag(FLAGS_witness_ca);
  options.checkpoint_interval = absl::Seconds(absl::GetFlag(FLAGS_checkpoint_interval_seconds));
  options.projection_check_interval =
      absl::Seconds(absl::GetFlag(FLAGS_projection_check_interval_seconds));
  options.verify_storage_at_start = absl::GetFlag(FLAGS_verify_storage_at_start);
  options.max_subscriptions = absl::GetFlag(FLAGS_max_subscriptions);
  options.max_writing_subscriptions = absl::GetFlag(FLAGS_max_writing_subscriptions);
  options.max_concurrent_replays = absl::GetFlag(FLAGS_max_concurrent_replays);
  for (absl::string_view server :
       absl::StrSplit(absl::GetFlag(FLAGS_nats_servers), ',', absl::SkipWhitespace())) {
    options.replication.servers.emplace_back(absl::StripAsciiWhitespace(server));
  }
  options.replication.node_id = absl::GetFlag(FLAGS_node_id);
  options.replication.stream = absl::GetFlag(FLAGS_nats_stream);
  options.replication.replicas = absl::GetFlag(FLAGS_nats_replicas);
  options.replication.lease_ttl = absl::Seconds(absl::GetFlag(FLAGS_leader_lease_seconds));
  options.max_grpc_memory_mib = absl::GetFlag(FLAGS_max_grpc_memory_mib);
  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.metrics_token_file = absl::GetFlag(FLAGS_metrics_token_file);
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.http_max_streams = absl::GetFlag(FLAGS_http_max_streams);
  options.console_oidc_client_id = absl::GetFlag(FLAGS_console_oidc_client_id);
  options.console_url = absl::GetFlag(FLAGS_console_url);
  options.oidc_ca_file = absl::GetFlag(FLAGS_oidc_ca);
  services::SecurityOptions& security = options.security;
  security.insecure_local = absl::GetFlag(FLAGS_insecure_local);
  security.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  security.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  security.client_ca_file = absl::GetFlag(FLAGS_client_ca);
  security.token_issuer = absl::GetFlag(FLAGS_oidc_issuer);
  security.token_audience = absl::GetFlag(FLAGS_oidc_audience);
  security.jwks_file = absl::GetFlag(FLAGS_jwks_file);
  security.policy_file = absl::GetFlag(FLAGS_policy_file);
  security.master_key_file = absl::GetFlag(FLAGS_master_key_file);
  // After a failed write (disk full, I/O error) the log refuses appends until it recovers from
  // the disk at the next start: stop, and let the supervisor (Kubernetes, systemd, Docker's
  // --restart) start it again; it serves again once the disk is writable.
  static std::atomic<bool> write_failed{false};
  options.on_write_failure = [] {
    write_failed = true;
    services::LogError("a write to the log failed: stopping, to recover from the disk at the next start");
    kill(getpid(), SIGTERM);
  };
  absl::StatusOr<std::unique_ptr<services::LedgerServer>> server =
      services::LedgerServer::Start(options);
  if (!server.ok()) {
    services::LogError(server.status().ToString());
    return 1;
  }
  ledger::LogHead head = (*server)->log()->Head();
  services::LogInfo(absl::StrCat(
      "serving ", options.listen, " on port ", (*server)->port(), "; data in ", options.data_dir,
      "; head position ", head.position, "; ", (*server)->verified_at_start(),
      " events since the last checkpoint re-hashed and verified",
      (*server)->metrics_port() > 0 ? absl::StrCat("; metrics on port ", (*server)->metrics_port())
                                    : "",
      (*server)->http_port() > 0
          ? absl::StrCat("; JSON API and web console on ",
                         options.security.tls_cert_file.empty() ? "http" : "https", "://",
                         options.http_listen.substr(0, options.http_listen.rfind(':')), ":",
                         (*server)->http_port(), "/")
          : ""));
  if (!(*server)->local_credentials_directory().empty()) {
    services::LogInfo(absl::StrCat(
        "local mode: credentials in ", (*server)->local_credentials_directory(),
        "; ledgerctl --token_file=", (*server)->local_credentials_directory(),
        "/operator.token (the default when run beside ./data)"));
  }
  std::fflush(stderr);

  std::thread stopper([&] {
    int signal = 0;
    while (sigwait(&stop_signals, &signal) == 0 && signal == SIGHUP) {
      absl::Status reloaded = (*server)->ReloadPolicy();
      if (reloaded.ok()) {
        services::LogInfo("SIGHUP: access policy reloaded");
      } else {
        services::LogWarning(absl::StrCat(
            "SIGHUP: access policy NOT reloaded, the old one stays: ", reloaded.message()));
      }
    }
    services::LogInfo(absl::StrCat(signal == SIGTERM ? "SIGTERM" : "SIGINT",
                                   " received; draining calls and closing the log"));
    absl::Status closed =
        (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
    if (!closed.ok()) {
      services::LogError(absl::StrCat("closing: ", closed.ToString()));
    }
  });
  (*server)->Wait();
  stopper.join();
  if (write_failed) {
    services::LogError(
        "stopped after a failed write (exit 75): free space or fix the disk; at the next start "
        "ledgerd recovers every acknowledged append from the write-ahead log");
    return 75;  // EX_TEMPFAIL
  }
  services::LogInfo("stopped cleanly");
  return 0;
}
