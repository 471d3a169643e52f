#include "services/ledger_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include <cstdio>
#include <filesystem>

#include "absl/time/clock.h"
#include "services/audit_service.h"
#include "services/ledger_service.h"
#include "services/report_service.h"

namespace services {

std::string LogDirectory(const std::string& data_dir) { return data_dir + "/log"; }
std::string ProjectionDirectory(const std::string& data_dir) { return data_dir + "/projections"; }

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(const ServerOptions& options) {
  std::unique_ptr<LedgerServer> server(new LedgerServer());
  server->sign_on_stop_ = options.sign_checkpoint_on_stop;
  absl::StatusOr<std::unique_ptr<ledger::RocksDbEventLog>> log =
      ledger::RocksDbEventLog::Open(LogDirectory(options.data_dir), options.log_options);
  if (!log.ok()) return log.status();
  server->log_ = *std::move(log);

  // Checkpoints: check the log since the last one, then sign the head.
  std::string key_file = options.checkpoint_key_file.empty()
                             ? options.data_dir + "/checkpoint.key"
                             : options.checkpoint_key_file;
  if (!std::filesystem::exists(key_file)) {
    absl::StatusOr<std::optional<ledger::StoredCheckpoint>> signed_before =
        server->log_->LatestCheckpoint();
    if (!signed_before.ok()) return signed_before.status();
    if (signed_before->has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint key ", key_file, " is missing, but this ledger has signed checkpoints with "
          "a key: give its file with --checkpoint_key (a new key would break auditors' trust)"));
    }
    absl::Status created = ledger::CheckpointSigner::GenerateKeyFile(key_file);
    if (!created.ok()) return created;
    std::fprintf(stderr, "ledgerd: created a new checkpoint signing key in %s\n", key_file.c_str());
  }
  absl::StatusOr<ledger::CheckpointSigner> signer =
      ledger::CheckpointSigner::Load(key_file, options.checkpoint_origin);
  if (!signer.ok()) return signer.status();
  server->checkpointer_ = std::make_unique<ledger::Checkpointer>(
      server->log_.get(), &server->log_->tree_store(), server->log_.get(), *std::move(signer));
  absl::StatusOr<uint64_t> verified = server->checkpointer_->VerifySinceLatest();
  if (!verified.ok()) return verified.status();
  server->verified_at_start_ = *verified;
  absl::StatusOr<ledger::StoredCheckpoint> signed_head = server->checkpointer_->SignHead(absl::Now());
  if (!signed_head.ok()) return signed_head.status();
  // The engagement rules keep their state beside the log, so this replays nothing unless events
  // were appended without them (by a tool, or before they changed their state's layout).
  server->rules_ = std::make_unique<domain::EngagementRules>();
  absl::Time replay_started = absl::Now();
  absl::StatusOr<uint64_t> replayed = server->log_->InstallAppendGuard(
      server->rules_.get(), [replay_started](uint64_t done, uint64_t total) {
        if (done % (1 << 20) < 8192 && done < total) {
          std::fprintf(stderr, "ledgerd: engagement rules catching up: %llu of %llu events\n",
                       static_cast<unsigned long long>(done),
                       static_cast<unsigned long long>(total));
        }
      });
  if (!replayed.ok()) return replayed.status();
  server->rules_replayed_at_start_ = *replayed;
  if (*replayed > 0) {
    std::fprintf(stderr, "ledgerd: engagement rules caught up with %llu events in %.1f s\n",
                 static_cast<unsigned long long>(*replayed),
                 absl::ToDoubleSeconds(absl::Now() - replay_started));
  }
  server->service_ = std::make_unique<LedgerServiceImpl>(server->log_.get());

  // Projections follow the log in the background; reports at the head catch them up first.
  absl::StatusOr<std::unique_ptr<projections::ProjectionDatabase>> projection_db =
      projections::ProjectionDatabase::Open(ProjectionDirectory(options.data_dir));
  if (!projection_db.ok()) return projection_db.status();
  server->projection_db_ = *std::move(projection_db);
  server->evidence_ = std::make_unique<projections::EvidenceProjection>();
  server->runner_ = std::make_unique<projections::ProjectionRunner>(
      server->log_.get(), server->projection_db_.get(),
      std::vector<projections::Projection*>{server->evidence_.get()});
  if (options.follow_projections) server->runner_->StartFollowing();
  server->reports_ =
      std::make_unique<ReportServiceImpl>(server->log_.get(), server->runner_.get());
  server->audit_ =
      std::make_unique<AuditServiceImpl>(server->log_.get(), server->checkpointer_.get());
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
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->reports_.get());
  builder.RegisterService(server->audit_.get());
  // An event is at most 1 MiB and a batch 16 MiB; leave room for the envelope of the request.
  builder.SetMaxReceiveMessageSize(17 << 20);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen,
                                               " (in use, or not a local address?)"));
  }
  return server;
}

absl::Status LedgerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  // Start() may have failed half way: there may be no log or no server.
  if (log_ != nullptr) log_->BeginShutdown();  // wakes subscriptions so that the drain can end
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
    server_->Wait();
  }
  if (runner_ != nullptr) runner_->Stop();
  if (signer_thread_.joinable()) {
    stop_signing_.Notify();
    signer_thread_.join();
  }
  // A last checkpoint covers everything appended before the stop.
  if (checkpointer_ != nullptr && log_ != nullptr && sign_on_stop_) {
    checkpointer_->SignHead(absl::Now()).IgnoreError();
  }
  return log_ != nullptr ? log_->Close() : absl::OkStatus();
}

void LedgerServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

LedgerServer::~LedgerServer() { Shutdown().IgnoreError(); }

}  // namespace services
