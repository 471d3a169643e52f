#include "services/ledger_server.h"

#include <grpcpp/resource_quota.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "services/audit_service.h"
#include "services/logging.h"
#include "services/authenticator.h"
#include "services/checkpoint_start.h"
#include "services/ledger_service.h"
#include "services/local_credentials.h"
#include "services/operations_service.h"
#include "services/privacy_service.h"
#include "services/projection_watch.h"
#include "services/client_channel.h"
#include "services/ledger_metrics.h"
#include "services/metrics_http.h"
#include "services/report_service.h"
#include "services/rpc_metrics.h"
#include "services/request_parse_check.h"
#include "services/serving_health.h"

namespace services {
namespace {

namespace fs = std::filesystem;

// Whether `listen` ("host:port") names a loopback address.
bool IsLoopback(const std::string& listen) {
  absl::string_view host(listen);
  size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos) host = host.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(what, " ", path, " cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// TLS, or plain text on loopback in local mode; refuses anything else with the flags to give.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TransportCredentials(
    const ServerOptions& options) {
  const SecurityOptions& security = options.security;
  if (security.tls_cert_file.empty() != security.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together: give both");
  }
  if (security.tls_cert_file.empty()) {
    if (!security.insecure_local) {
      return absl::FailedPreconditionError(
          "ledgerd serves TLS only: give --tls_cert and --tls_key (and --client_ca for mutual "
          "TLS), or --insecure_local for a trial on this machine's loopback address");
    }
    if (!IsLoopback(options.listen)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--insecure_local serves plain text, so only on a loopback address (127.0.0.1 or "
          "[::1]), not ", options.listen, ": to listen there, give --tls_cert and --tls_key"));
    }
    LogWarning(absl::StrCat("--insecure_local: serving plain text on ", options.listen,
                            " (loopback only); callers still need credentials"));
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadFile(security.tls_cert_file, "TLS certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(security.tls_key_file, "TLS key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!security.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(security.client_ca_file, "client CA");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    // A certificate is verified when sent; a caller with a token need not send one.
    ssl.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

// The master key: a file, the environment, or local mode's.
absl::StatusOr<ledger::MasterKey> LoadMasterKey(const ServerOptions& options,
                                                const std::string& local_master_key_file) {
  std::string file = options.security.master_key_file;
  if (file.empty()) {
    if (const char* hex = std::getenv("LEDGER_MASTER_KEY"); hex != nullptr && *hex != '\0') {
      absl::StatusOr<ledger::MasterKey> key = ledger::MasterKey::FromHex(hex);
      if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("LEDGER_MASTER_KEY: ", key.status().message()));
      return key;
    }
    file = local_master_key_file;
  }
  if (file.empty()) {
    return absl::FailedPreconditionError(
        "no master key: give --master_key_file (64 hex digits, e.g. `openssl rand -hex 32`, kept "
        "outside the data directory) or set LEDGER_MASTER_KEY");
  }
  if (!options.security.insecure_local) {
    std::error_code error;
    fs::path data = fs::weakly_canonical(options.data_dir, error);
    fs::path key = fs::weakly_canonical(file, error);
    if (absl::StartsWith(key.string(), data.string() + "/")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the master key file ", file, " is inside the data directory: keep it apart (a mounted "
          "secret), so that a copy of the data directory reveals no one's personal data"));
    }
  }
  return ledger::MasterKey::FromFile(file);
}

}  // namespace

std::string LogDirectory(const std::string& data_dir) { return data_dir + "/log"; }
std::string ProjectionDirectory(const std::string& data_dir) { return data_dir + "/projections"; }
std::string KeysDirectory(const std::string& data_dir) { return data_dir + "/keys"; }

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(const ServerOptions& options) {
  std::unique_ptr<LedgerServer> server(new LedgerServer());
  server->sign_on_stop_ = options.sign_checkpoint_on_stop;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> transport = TransportCredentials(options);
  if (!transport.ok()) return transport.status();

  // Who callers are and what they may do: local mode makes its own issuer and policy.
  SecurityOptions security = options.security;
  std::string local_master_key;
  if (security.insecure_local && security.policy_file.empty()) {
    std::error_code error;
    fs::create_directories(options.data_dir, error);
    absl::StatusOr<LocalCredentials> local = PrepareLocalCredentials(options.data_dir, absl::Now());
    if (!local.ok()) return local.status();
    security.policy_file = local->policy_file;
    security.token_issuer = local->tokens.issuer;
    security.token_audience = local->tokens.audience;
    security.jwks_file = local->tokens.jwks_file;
    local_master_key = local->master_key_file;
    server->local_directory_ = local->directory;
  }
  if (security.policy_file.empty()) {
    return absl::FailedPreconditionError(
        "--policy_file is required: the access policy that says who may do what (docs/security.md)");
  }
  std::unique_ptr<TokenVerifier> verifier;
  if (!security.jwks_file.empty() || !security.token_issuer.empty()) {
    absl::StatusOr<std::unique_ptr<TokenVerifier>> loaded = TokenVerifier::Load(
        {security.token_issuer, security.token_audience, security.jwks_file});
    if (!loaded.ok()) return loaded.status();
    verifier = *std::move(loaded);
  } else if (security.client_ca_file.empty()) {
    return absl::FailedPreconditionError(
        "no way to authenticate callers: give --oidc_issuer, --oidc_audience and --jwks_file "
        "(bearer tokens), or --client_ca (client certificates), or both");
  }
  absl::StatusOr<domain::AccessPolicy> policy = domain::AccessPolicy::Load(security.policy_file);
  if (!policy.ok()) return policy.status();
  server->policy_file_ = security.policy_file;
  server->auth_ = std::make_unique<Authenticator>(std::move(verifier), *std::move(policy));
  absl::StatusOr<ledger::MasterKey> master = LoadMasterKey(options, local_master_key);
  if (!master.ok()) return master.status();

  ledger::RocksDbOptions log_options = options.log_options;
  if (!options.metrics_listen.empty() && log_options.statistics == nullptr) {
    log_options.statistics = rocksdb::CreateDBStatistics();
  }
  absl::StatusOr<std::unique_ptr<ledger::RocksDbEventLog>> log =
      ledger::RocksDbEventLog::Open(LogDirectory(options.data_dir), log_options);
  if (!log.ok()) return log.status();
  server->log_ = *std::move(log);
  // Every table file's checksums (the write-ahead log was checked as it opened): a damaged file
  // stops the start with its name, rather than failing a read later.
  if (options.verify_storage_at_start) {
    absl::Status storage = server->log_->VerifyStorage();
    if (!storage.ok()) return storage;
  }
  // A log with events but no key store was written before personal data was sealed: its
  // participants' data is in clear inside the hash chain, which nothing can erase.
  if (!ledger::SubjectKeyStore::Exists(KeysDirectory(options.data_dir)) &&
      server->log_->Head().position > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the data directory ", options.data_dir, " was written before personal data was sealed "
        "per participant: its log holds participants' personal data in clear, inside the hash "
        "chain, where it can never be erased. Write a new directory from it with `ledgerctl "
        "migrate ", options.data_dir, " NEW_DIR --organisation=ODS` and serve that"));
  }
  absl::StatusOr<std::unique_ptr<ledger::SubjectKeyStore>> keys =
      ledger::SubjectKeyStore::Open(KeysDirectory(options.data_dir), *master, {});
  if (!keys.ok()) return keys.status();
  server->keys_ = *std::move(keys);

  // Checkpoints: check the log since the last one, ask the witnesses, then sign the head.
  server->health_ = std::make_unique<ServingHealth>();
  absl::StatusOr<CheckpointStart> checkpoints =
      StartCheckpoints(options, server->log_.get(), server->health_.get());
  if (!checkpoints.ok()) return checkpoints.status();
  server->checkpointer_ = std::move(checkpoints->checkpointer);
  server->witnessing_ = std::move(checkpoints->witnessing);
  server->verified_at_start_ = checkpoints->verified;
  const std::string key_file = checkpoints->key_file;
  // The engagement rules keep their state beside the log, so this replays nothing unless events
  // were appended without them (by a tool, or before they changed their state's layout).
  server->rules_ = std::make_unique<domain::EngagementRules>();
  absl::Time replay_started = absl::Now();
  absl::StatusOr<uint64_t> replayed = server->log_->InstallAppendGuard(
      server->rules_.get(), [replay_started](uint64_t done, uint64_t total) {
        if (done % (1 << 20) < 8192 && done < total) {
          LogInfo(absl::StrCat("engagement rules catching up: ", done, " of ", total, " events"));
        }
      });
  if (!replayed.ok()) return replayed.status();
  server->rules_replayed_at_start_ = *replayed;
  if (*replayed > 0) {
    LogInfo(absl::StrFormat("engagement rules caught up with %d events in %.1f s", *replayed,
                            absl::ToDoubleSeconds(absl::Now() - replay_started)));
  }
  absl::StatusOr<int> completed =
      PrivacyServiceImpl::CompletePendingErasures(*server->log_, *server->keys_);
  if (!completed.ok()) return completed.status();
  if (*completed > 0) {
    LogInfo(absl::StrCat("completed ", *completed, " erasure(s) interrupted by a stop"));
  }
  if (!options.replication.servers.empty()) {
    absl::Status replicated = server->StartReplication(options.replication);
    if (!replicated.ok()) return replicated;
  }
  ledger::EventLog* const event_log = server->log();
  server->hub_ = std::make_unique<ledger::SubscriptionHub>(
      event_log, options.max_subscriptions, options.max_writing_subscriptions);
  server->service_ = std::make_unique<LedgerServiceImpl>(event_log, server->auth_.get(),
                                                         server->keys_.get(), server->hub_.get());
  server->service_->set_replica(server->replica_.get());

  // Projections follow the log in the background; reports at the head catch them up first.
  absl::StatusOr<std::unique_ptr<projections::ProjectionDatabase>> projection_db =
      projections::ProjectionDatabase::Open(ProjectionDirectory(options.data_dir));
  if (!projection_db.ok()) return projection_db.status();
  server->projection_db_ = *std::move(projection_db);
  server->evidence_ = std::make_unique<projections::EvidenceProjection>(server->keys_.get());
  server->runner_ = std::make_unique<projections::ProjectionRunner>(
      event_log, server->projection_db_.get(),
      std::vector<projections::Projection*>{server->evidence_.get()});
  if (options.follow_projections) server->runner_->StartFollowing();
  server->reports_ = std::make_unique<ReportServiceImpl>(
      event_log, server->runner_.get(), server->auth_.get(), server->keys_.get(),
      options.max_concurrent_replays);
  server->audit_ = std::make_unique<AuditServiceImpl>(
      server->log_.get(), server->checkpointer_.get(), server->auth_.get());
  // The signing key goes into backups only when it lives in the data directory (local mode).
  std::string key_in_data_dir;
  {
    std::error_code error;
    std::string data = fs::weakly_canonical(options.data_dir, error).string() + "/";
    std::string key = fs::weakly_canonical(key_file, error).string();
    if (absl::StartsWith(key, data)) key_in_data_dir = key;
  }
  server->operations_ = std::make_unique<OperationsServiceImpl>(
      server->log_.get(), server->projection_db_.get(), server->keys_.get(), server->auth_.get(),
      key_in_data_dir, server->health_.get(), server->witnessing_.get());
  server->privacy_ = std::make_unique<PrivacyServiceImpl>(
      event_log, server->auth_.get(), server->keys_.get(), server->runner_.get(),
      server->projection_db_.get());
  if (options.checkpoint_interval > absl::ZeroDuration()) {
    server->signer_thread_ = std::thread([raw = server.get(), every = options.checkpoint_interval] {
      while (!raw->stop_signing_.WaitForNotificationWithTimeout(every)) {
        raw->checkpointer_->SignHead(absl::Now()).IgnoreError();
      }
    });
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this, gRPC sets SO_REUSEPORT and a second ledgerd on the same port would silently
  // share the clients with the first.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options.listen, *transport, &server->port_);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->reports_.get());
  builder.RegisterService(server->audit_.get());
  builder.RegisterService(server->privacy_.get());
  builder.RegisterService(server->operations_.get());
  server->rpc_metrics_ = std::make_unique<RpcMetrics>();
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<RequestParseCheckFactory>());
  interceptors.push_back(std::make_unique<RpcMetricsFactory>(server->rpc_metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  // An event is at most 1 MiB and a batch 16 MiB; leave room for the envelope of the request.
  builder.SetMaxReceiveMessageSize(17 << 20);
  // Bounds on what all calls together may hold: gRPC's buffers (under pressure it shrinks flow
  // control windows and refuses new calls) and the threads of the synchronous handlers (a call
  // beyond them gets RESOURCE_EXHAUSTED).
  grpc::ResourceQuota quota("ledgerd");
  quota.Resize(static_cast<size_t>(options.max_grpc_memory_mib) << 20);
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen,
                                               " (in use, or not a local address?)"));
  }
  server->health_->Attach(server->server_->GetHealthCheckService());
  // Metrics observe every group commit from now on (and keep health truthful about writes).
  MetricsSources sources;
  sources.log = server->log_.get();
  sources.rocksdb_statistics = log_options.statistics;
  sources.subscriptions = server->hub_.get();
  sources.projections = server->runner_.get();
  sources.witnessing = server->witnessing_.get();
  sources.health = server->health_.get();
  sources.rpcs = server->rpc_metrics_.get();
  sources.on_write_failure = options.on_write_failure;
  server->metrics_ = std::make_unique<LedgerMetrics>(sources);
  server->log_->SetCommitObserver(server->metrics_.get());
  if (!options.metrics_listen.empty()) {
    std::string token;
    if (!options.metrics_token_file.empty()) {
      absl::StatusOr<std::string> read = ReadTokenFile(options.metrics_token_file);
      if (!read.ok()) return read.status();
      token = *std::move(read);
    }
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> http =
        MetricsHttpServer::Start(options.metrics_listen, token, server->metrics_.get());
    if (!http.ok()) return http.status();
    server->metrics_http_ = *std::move(http);
  }
  server->projection_watch_ = std::make_unique<ProjectionWatch>(
      server->runner_.get(), server->health_.get(), options.projection_check_interval);
  if (!options.http_listen.empty()) {
    absl::Status started = server->StartHttp(options);
    if (!started.ok()) return started;
  }
  return server;
}

absl::Status LedgerServer::StartHttp(const ServerOptions& options) {
  const SecurityOptions& security = options.security;
  if (security.tls_cert_file.empty() && !IsLoopback(options.http_listen)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--insecure_local serves plain text, so only on a loopback address, not --http_listen=",
        options.http_listen, ": to listen there, give --tls_cert and --tls_key"));
  }
  HttpFrontOptions http;
  http.listen = options.http_listen;
  http.tls_cert_file = security.tls_cert_file;
  http.tls_key_file = security.tls_key_file;
  http.max_streams = options.http_max_streams;
  http.local_credentials_directory = local_directory_;
  if (!options.console_oidc_client_id.empty()) {
    if (security.token_issuer.empty() || options.console_url.empty()) {
      return absl::InvalidArgumentError(
          "--console_oidc_client_id needs --oidc_issuer (where people sign in) and --console_url "
          "(the console's address, for the redirect back)");
    }
    http.oidc_issuer = security.token_issuer;
    http.oidc_client_id = options.console_oidc_client_id;
    std::string url = options.console_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    http.oidc_redirect_uri = url + "/sign-in/callback";
    http.oidc_ca_file = options.oidc_ca_file;
  }
  // The in-process channel reaches the same services, interceptors and limits as the network.
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(-1);
  arguments.SetMaxSendMessageSize(-1);
  absl::StatusOr<std::unique_ptr<HttpFrontEnd>> front =
      HttpFrontEnd::Start(http, server_->InProcessChannel(arguments));
  if (!front.ok()) return front.status();
  http_front_ = *std::move(front);
  return absl::OkStatus();
}

absl::Status LedgerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  // Start() may have failed half way: there may be no log or no server.
  if (metrics_http_ != nullptr) metrics_http_->Stop();
  if (log_ != nullptr) log_->BeginShutdown();  // wakes subscriptions so that the drain can end
  if (projection_watch_ != nullptr) projection_watch_->Stop();
  if (health_ != nullptr) health_->Attach(nullptr);
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
    server_->Wait();
  }
  // After gRPC: its shutdown ended the calls that HTTP workers may be waiting on.
  if (http_front_ != nullptr) http_front_->Stop();
  hub_.reset();  // every subscription call has ended
  if (runner_ != nullptr) runner_->Stop();
  if (signer_thread_.joinable()) {
    stop_signing_.Notify();
    signer_thread_.join();
  }
  // A last checkpoint covers everything appended before the stop.
  if (checkpointer_ != nullptr && log_ != nullptr && sign_on_stop_) {
    checkpointer_->SignHead(absl::Now()).IgnoreError();
  }
  if (log_ == nullptr) return absl::OkStatus();
  // A replica stops leading and following before the log closes; the log then finishes what it
  // has queued (a group that reaches Replicate now fails rather than write what the stream lacks).
  forwarding_.reset();
  if (replica_ != nullptr) replica_->Stop();
  absl::Status closed = log_->Close();
  log_->SetCommitObserver(nullptr);
  return closed;
}

absl::Status LedgerServer::ReloadPolicy() {
  absl::StatusOr<domain::AccessPolicy> policy = domain::AccessPolicy::Load(policy_file_);
  if (!policy.ok()) return policy.status();
  auth_->ReplacePolicy(*std::move(policy));
  return absl::OkStatus();
}

void LedgerServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

LedgerServer::~LedgerServer() { Shutdown().IgnoreError(); }

}  // namespace services
