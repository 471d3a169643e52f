// OperationsServiceImpl: what operators do while the ledger serves (engagement.v1.OperationsService):
// online backups (admins) and why it is not serving (admins and auditors).
//
// A backup is written in the order that keeps it consistent without pausing appends: the
// projections first (their progress can then only be at or behind the log copied next), the log,
// then the key store (every key an event in the copied log was sealed under was stored before
// that event was appended, so it is there). The checkpoint signing key is copied when it lives in
// the data directory; the master key never is.
//
// Ownership: nothing is owned; everything must outlive the service.
#ifndef ENGAGEMENT_SERVICES_OPERATIONS_SERVICE_H_
#define ENGAGEMENT_SERVICES_OPERATIONS_SERVICE_H_

#include <string>

#include "engagement/v1/operations.grpc.pb.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"
#include "projections/rocksdb_state_store.h"
#include "services/authenticator.h"
#include "services/checkpoint_witnessing.h"
#include "services/serving_health.h"

namespace services {

class OperationsServiceImpl final : public engagement::v1::OperationsService::Service {
 public:
  OperationsServiceImpl(ledger::RocksDbEventLog* log, projections::ProjectionDatabase* projection_db,
                        ledger::SubjectKeyStore* keys, const Authenticator* auth,
                        std::string checkpoint_key_file, const ServingHealth* health,
                        const CheckpointWitnessing* witnessing)
      : log_(log),
        projection_db_(projection_db),
        keys_(keys),
        auth_(auth),
        checkpoint_key_file_(std::move(checkpoint_key_file)),
        health_(health),
        witnessing_(witnessing) {}

  grpc::Status CreateBackup(grpc::ServerContext* context,
                            const engagement::v1::CreateBackupRequest* request,
                            engagement::v1::CreateBackupResponse* response) override;
  grpc::Status GetHealth(grpc::ServerContext* context,
                         const engagement::v1::GetHealthRequest* request,
                         engagement::v1::GetHealthResponse* response) override;

 private:
  ledger::RocksDbEventLog* log_;
  projections::ProjectionDatabase* projection_db_;
  ledger::SubjectKeyStore* keys_;
  const Authenticator* auth_;
  std::string checkpoint_key_file_;  // copied only when it is inside the data directory
  const ServingHealth* health_;
  const CheckpointWitnessing* witnessing_;  // null without witnesses
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_OPERATIONS_SERVICE_H_
