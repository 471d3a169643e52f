// AuditServiceImpl: signed checkpoints and Merkle proofs over gRPC (engagement.v1.AuditService).
// Every call is authenticated. Checkpoints and the public key go to any caller holding a role;
// the list of checkpoints and consistency proofs to auditors and admins; signing on demand to
// admins; an inclusion proof (which carries its event) to auditors of the event's organisation.
// Ownership: nothing is owned; the log, the checkpointer and the authenticator outlive the
// service.
#ifndef ENGAGEMENT_SERVICES_AUDIT_SERVICE_H_
#define ENGAGEMENT_SERVICES_AUDIT_SERVICE_H_

#include <chrono>

#include "engagement/v1/audit.grpc.pb.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/checkpointer.h"
#include "ledger/rocksdb_event_log.h"
#include "services/authenticator.h"

namespace services {

class AuditServiceImpl final : public engagement::v1::AuditService::Service {
 public:
  AuditServiceImpl(ledger::RocksDbEventLog* log, ledger::Checkpointer* checkpointer,
                   const Authenticator* auth)
      : log_(log), checkpointer_(checkpointer), auth_(auth) {}

  grpc::Status GetCheckpoint(grpc::ServerContext* context,
                             const engagement::v1::GetCheckpointRequest* request,
                             engagement::v1::GetCheckpointResponse* response) override;
  grpc::Status SignCheckpoint(grpc::ServerContext* context,
                              const engagement::v1::SignCheckpointRequest* request,
                              engagement::v1::SignCheckpointResponse* response) override;
  grpc::Status ListCheckpoints(grpc::ServerContext* context,
                               const engagement::v1::ListCheckpointsRequest* request,
                               engagement::v1::ListCheckpointsResponse* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context,
                                 const engagement::v1::GetInclusionProofRequest* request,
                                 engagement::v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const engagement::v1::GetConsistencyProofRequest* request,
                                   engagement::v1::GetConsistencyProofResponse* response) override;
  grpc::Status GetPublicKey(grpc::ServerContext* context,
                            const engagement::v1::GetPublicKeyRequest* request,
                            engagement::v1::GetPublicKeyResponse* response) override;

 private:
  // The latest checkpoint, signing the head first when it has moved on.
  // The checkpoint of the head, signed now.
  absl::StatusOr<ledger::StoredCheckpoint> Current();
  // The latest checkpoint, signing one of the head first when the head has moved since, at most
  // once per kReaderSigningInterval: however often readers ask, the ledger keeps at most one
  // checkpoint a second for them (every checkpoint is kept for ever).
  absl::StatusOr<ledger::StoredCheckpoint> LatestForReaders();
  static constexpr std::chrono::seconds kReaderSigningInterval{1};

  ledger::RocksDbEventLog* log_;
  // OK when the caller is authenticated and holds one of `roles` somewhere (any role when empty).
  absl::Status Authorize(const grpc::ServerContext& context,
                         std::initializer_list<engagement::v1::Role> roles) const;

  ledger::Checkpointer* checkpointer_;
  const Authenticator* auth_;
  absl::Mutex mu_;
  bool signed_for_readers_ ABSL_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point last_signed_for_readers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_AUDIT_SERVICE_H_
