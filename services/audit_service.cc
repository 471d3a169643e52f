#include "services/audit_service.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/uuid.h"
#include "services/grpc_status.h"

namespace services {
namespace {

void Fill(const ledger::StoredCheckpoint& in, engagement::v1::SignedCheckpoint* out) {
  out->set_note(in.note);
  out->set_tree_size(in.tree_size);
  out->set_root_hash(in.root_hash);
}

}  // namespace

absl::Status AuditServiceImpl::Authorize(const grpc::ServerContext& context,
                                         std::initializer_list<engagement::v1::Role> roles) const {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(context);
  if (!caller.ok()) return caller.status();
  if (roles.size() == 0) {
    if ((*caller)->HasAnyRole()) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat((*caller)->identity(), " holds no role in this ledger"));
  }
  return (*caller)->RequireAnywhere(roles);
}

absl::StatusOr<ledger::StoredCheckpoint> AuditServiceImpl::Current() {
  return checkpointer_->SignHead(absl::Now());
}

absl::StatusOr<ledger::StoredCheckpoint> AuditServiceImpl::LatestForReaders() {
  absl::MutexLock lock(&mu_);
  // A monotonic clock: a wall clock stepped back must not stop the signing for that long.
  const auto now = std::chrono::steady_clock::now();
  if (signed_for_readers_ && now - last_signed_for_readers_ < kReaderSigningInterval) {
    absl::StatusOr<std::optional<ledger::StoredCheckpoint>> latest = log_->LatestCheckpoint();
    if (!latest.ok()) return latest.status();
    if (latest->has_value()) return **latest;
  }
  absl::StatusOr<ledger::StoredCheckpoint> signed_now = checkpointer_->SignHead(absl::Now());
  if (signed_now.ok()) {
    signed_for_readers_ = true;
    last_signed_for_readers_ = now;
  }
  return signed_now;
}

grpc::Status AuditServiceImpl::GetCheckpoint(grpc::ServerContext* context,
                                             const engagement::v1::GetCheckpointRequest* request,
                                             engagement::v1::GetCheckpointResponse* response) {
  if (absl::Status allowed = Authorize(*context, {}); !allowed.ok()) {
    return ToGrpcStatus(allowed);
  }
  absl::StatusOr<ledger::StoredCheckpoint> checkpoint = LatestForReaders();
  if (!checkpoint.ok()) return ToGrpcStatus(checkpoint.status());
  Fill(*checkpoint, response->mutable_checkpoint());
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::SignCheckpoint(grpc::ServerContext* context,
                                              const engagement::v1::SignCheckpointRequest* request,
                                              engagement::v1::SignCheckpointResponse* response) {
  if (absl::Status allowed = Authorize(*context, {engagement::v1::ROLE_ADMIN}); !allowed.ok()) {
    return ToGrpcStatus(allowed);
  }
  absl::StatusOr<ledger::StoredCheckpoint> checkpoint = Current();
  if (!checkpoint.ok()) return ToGrpcStatus(checkpoint.status());
  Fill(*checkpoint, response->mutable_checkpoint());
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::ListCheckpoints(
    grpc::ServerContext* context, const engagement::v1::ListCheckpointsRequest* request,
    engagement::v1::ListCheckpointsResponse* response) {
  if (absl::Status allowed = Authorize(*context, {engagement::v1::ROLE_AUDITOR, engagement::v1::ROLE_ADMIN}); !allowed.ok()) {
    return ToGrpcStatus(allowed);
  }
  absl::StatusOr<std::vector<ledger::StoredCheckpoint>> all = log_->ListCheckpoints();
  if (!all.ok()) return ToGrpcStatus(all.status());
  for (const auto& c : *all) Fill(c, response->add_checkpoints());
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::GetInclusionProof(
    grpc::ServerContext* context, const engagement::v1::GetInclusionProofRequest* request,
    engagement::v1::GetInclusionProofResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status any = (*caller)->RequireAnywhere({engagement::v1::ROLE_AUDITOR}); !any.ok()) {
    return ToGrpcStatus(any);
  }
  uint64_t position = 0;
  if (request->has_position()) {
    position = request->position();
  } else if (request->has_event_id()) {
    if (!ledger::IsUuid(request->event_id())) {
      return ToGrpcStatus(absl::InvalidArgumentError("event_id: must be a UUID"));
    }
    absl::StatusOr<uint64_t> found =
        log_->PositionOfEventId(absl::AsciiStrToLower(request->event_id()));
    if (!found.ok()) return ToGrpcStatus(found.status());
    position = *found;
  } else {
    return ToGrpcStatus(absl::InvalidArgumentError("event: set position or event_id"));
  }
  // The proof carries its event: only an auditor of the event's organisation may have it (the
  // proof's other hashes reveal nothing of other organisations' events).
  if (position >= 1 && position <= log_->Head().position) {
    ledger::LogReadOptions one{position, position, 0, {}};
    std::string organisation;
    absl::Status read = log_->ReadLog(one, [&](const engagement::v1::Event& e, absl::string_view) {
      organisation = e.organisation();
      return false;
    });
    if (!read.ok()) return ToGrpcStatus(read);
    absl::Status allowed = (*caller)->Require(engagement::v1::ROLE_AUDITOR, organisation);
    if (!allowed.ok()) return ToGrpcStatus(allowed);
  }
  uint64_t size = request->tree_size();
  if (size == 0) {
    absl::StatusOr<ledger::StoredCheckpoint> checkpoint = LatestForReaders();
    // Sign one that covers the event only if the event exists: a position beyond the head must
    // not make the ledger sign (and keep) a checkpoint before it is refused.
    if (checkpoint.ok() && checkpoint->tree_size < position &&
        position <= log_->Head().position) {
      checkpoint = Current();
    }
    if (!checkpoint.ok()) return ToGrpcStatus(checkpoint.status());
    size = checkpoint->tree_size;
  }
  absl::StatusOr<std::vector<std::string>> proof = log_->InclusionProof(position, size);
  if (!proof.ok()) return ToGrpcStatus(proof.status());
  ledger::LogReadOptions one{position, position, 0, {}};
  absl::Status read = log_->ReadLog(one, [&](const engagement::v1::Event& e, absl::string_view r) {
    *response->mutable_event() = e;
    response->set_canonical_record(std::string(r));
    return false;
  });
  if (!read.ok()) return ToGrpcStatus(read);
  response->set_leaf_index(position - 1);
  response->set_tree_size(size);
  for (std::string& hash : *proof) response->add_proof(std::move(hash));
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::GetConsistencyProof(
    grpc::ServerContext* context, const engagement::v1::GetConsistencyProofRequest* request,
    engagement::v1::GetConsistencyProofResponse* response) {
  if (absl::Status allowed = Authorize(*context, {engagement::v1::ROLE_AUDITOR, engagement::v1::ROLE_ADMIN}); !allowed.ok()) {
    return ToGrpcStatus(allowed);
  }
  uint64_t new_size = request->new_size();
  if (new_size == 0) {
    absl::StatusOr<ledger::StoredCheckpoint> checkpoint = LatestForReaders();
    if (checkpoint.ok() && checkpoint->tree_size < request->old_size() &&
        request->old_size() <= log_->Head().position) {
      checkpoint = Current();
    }
    if (!checkpoint.ok()) return ToGrpcStatus(checkpoint.status());
    new_size = checkpoint->tree_size;
  }
  absl::StatusOr<std::vector<std::string>> proof =
      log_->ConsistencyProof(request->old_size(), new_size);
  if (!proof.ok()) return ToGrpcStatus(proof.status());
  absl::StatusOr<std::string> root = log_->TreeRoot(new_size);
  if (!root.ok()) return ToGrpcStatus(root.status());
  response->set_old_size(request->old_size());
  response->set_new_size(new_size);
  for (std::string& hash : *proof) response->add_proof(std::move(hash));
  response->set_new_root_hash(*root);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::GetPublicKey(grpc::ServerContext* context,
                                            const engagement::v1::GetPublicKeyRequest* request,
                                            engagement::v1::GetPublicKeyResponse* response) {
  if (absl::Status allowed = Authorize(*context, {}); !allowed.ok()) {
    return ToGrpcStatus(allowed);
  }
  response->set_verifier_key(checkpointer_->signer().VerifierKey());
  response->set_key_name(checkpointer_->signer().origin());
  return grpc::Status::OK;
}

}  // namespace services
