#include "services/operations_service.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/hash_chain.h"
#include "services/grpc_status.h"

namespace services {
namespace {

namespace fs = std::filesystem;

}  // namespace

grpc::Status OperationsServiceImpl::CreateBackup(grpc::ServerContext* context,
                                                 const engagement::v1::CreateBackupRequest* request,
                                                 engagement::v1::CreateBackupResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status allowed = (*caller)->RequireAnywhere({engagement::v1::ROLE_ADMIN});
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  fs::path target(request->directory());
  if (request->directory().empty() || !target.is_absolute()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "directory: an absolute path on the server's filesystem is required"));
  }
  std::error_code error;
  if (fs::exists(target, error)) {
    return ToGrpcStatus(absl::AlreadyExistsError(
        absl::StrCat("directory: ", Shown(request->directory()), " exists; a backup goes into a new one")));
  }
  if (!fs::create_directories(target, error)) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        absl::StrCat("directory: cannot create ", Shown(request->directory()))));
  }
  absl::Status copied = projection_db_->CopyTo((target / "projections").string());
  if (!copied.ok()) return ToGrpcStatus(copied);
  absl::StatusOr<ledger::LogHead> head = log_->CopyTo((target / "log").string());
  if (!head.ok()) return ToGrpcStatus(head.status());
  copied = keys_->CopyTo((target / "keys").string());
  if (!copied.ok()) return ToGrpcStatus(copied);
  if (!checkpoint_key_file_.empty()) {
    fs::copy_file(checkpoint_key_file_, target / "checkpoint.key", error);
    if (error) {
      return ToGrpcStatus(absl::InternalError("cannot copy the checkpoint signing key"));
    }
  }
  std::ofstream readme(target / "BACKUP.txt");
  readme << "A backup of an engagement ledger's data directory, made while it served.\n"
         << "Made at " << absl::FormatTime(absl::Now(), absl::UTCTimeZone()) << " by "
         << (*caller)->identity() << ".\n"
         << "Log head: position " << head->position << ", hash " << ledger::ToHex(head->hash)
         << ".\n"
         << "It holds the log, the projections and the participants' key store, not the master\n"
         << "key. Restore it with: ledgerctl restore " << request->directory()
         << " NEW_DATA_DIR --master_key_file=F\n";
  readme.close();
  if (!readme) return ToGrpcStatus(absl::InternalError("cannot write BACKUP.txt"));
  response->set_directory(request->directory());
  response->set_head_position(head->position);
  response->set_head_hash(head->hash);
  return grpc::Status::OK;
}

grpc::Status OperationsServiceImpl::GetHealth(grpc::ServerContext* context,
                                              const engagement::v1::GetHealthRequest* request,
                                              engagement::v1::GetHealthResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status allowed =
      (*caller)->RequireAnywhere({engagement::v1::ROLE_ADMIN, engagement::v1::ROLE_AUDITOR});
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  std::vector<HealthProblem> problems = health_->Problems();
  response->set_serving(problems.empty());
  for (const HealthProblem& problem : problems) {
    auto* out = response->add_problems();
    out->set_source(problem.source);
    out->set_message(problem.message);
    out->mutable_since()->set_seconds(absl::ToUnixSeconds(problem.since));
  }
  if (witnessing_ != nullptr) {
    for (const WitnessStatus& witness : witnessing_->Statuses()) {
      auto* out = response->add_witnesses();
      out->set_name(witness.name);
      out->set_url(witness.url);
      out->set_cosigned_size(witness.cosigned_size);
      if (witness.last_cosigned != absl::InfinitePast()) {
        out->mutable_last_cosigned()->set_seconds(absl::ToUnixSeconds(witness.last_cosigned));
      }
      out->set_last_error(witness.last_error);
    }
  }
  return grpc::Status::OK;
}

}  // namespace services
