// AuditServiceImpl: signed checkpoints and Merkle proofs over gRPC (engagement.v1.AuditService).
// Ownership: nothing is owned; the log, the checkpointer and the id lookup outlive the service.
#ifndef ENGAGEMENT_SERVICES_AUDIT_SERVICE_H_
#define ENGAGEMENT_SERVICES_AUDIT_SERVICE_H_

#include "engagement/v1/audit.grpc.pb.h"
#include "ledger/checkpointer.h"
#include "ledger/rocksdb_event_log.h"

namespace services {

class AuditServiceImpl final : public engagement::v1::AuditService::Service {
 public:
  AuditServiceImpl(ledger::RocksDbEventLog* log, ledger::Checkpointer* checkpointer)
      : log_(log), checkpointer_(checkpointer) {}

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
  absl::StatusOr<ledger::StoredCheckpoint> Current();

  ledger::RocksDbEventLog* log_;
  ledger::Checkpointer* checkpointer_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_AUDIT_SERVICE_H_
