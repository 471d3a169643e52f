// PrivacyServiceImpl: personal data in clear for privacy officers, erasure, and who the caller is
// (engagement.v1.PrivacyService).
//
// Disclosure records a PersonalDataDisclosed event (actor: the caller; the purpose given) before
// it opens anything, so no read of personal data in clear goes unrecorded. Erasure:
//   1. marks the erasure as begun in the key store (so a crash cannot leave it half done),
//   2. records ParticipantErased in the log (the engagement rules then treat the person as
//      having withdrawn consent),
//   3. destroys the participant's data key (flushed and compacted out of the key store's files),
//   4. brings the projections up to the erasure and purges the participant's old record from
//      their files.
// CompletePendingErasures, called at start, finishes step 3 for any erasure the log recorded
// before a crash, and cancels any it never recorded.
//
// Ownership: nothing is owned; everything must outlive the service.
#ifndef ENGAGEMENT_SERVICES_PRIVACY_SERVICE_H_
#define ENGAGEMENT_SERVICES_PRIVACY_SERVICE_H_

#include "absl/status/statusor.h"
#include "engagement/v1/privacy.grpc.pb.h"
#include "ledger/event_log.h"
#include "ledger/subject_key_store.h"
#include "projections/projection_runner.h"
#include "projections/rocksdb_state_store.h"
#include "services/authenticator.h"

namespace services {

class PrivacyServiceImpl final : public engagement::v1::PrivacyService::Service {
 public:
  PrivacyServiceImpl(ledger::EventLog* log, const Authenticator* auth,
                     ledger::SubjectKeyStore* keys, projections::ProjectionRunner* runner,
                     projections::ProjectionDatabase* projection_db)
      : log_(log), auth_(auth), keys_(keys), runner_(runner), projection_db_(projection_db) {}

  grpc::Status DisclosePersonalData(grpc::ServerContext* context,
                                    const engagement::v1::DisclosePersonalDataRequest* request,
                                    engagement::v1::DisclosePersonalDataResponse* response) override;
  grpc::Status EraseParticipant(grpc::ServerContext* context,
                                const engagement::v1::EraseParticipantRequest* request,
                                engagement::v1::EraseParticipantResponse* response) override;
  grpc::Status GetCaller(grpc::ServerContext* context,
                         const engagement::v1::GetCallerRequest* request,
                         engagement::v1::GetCallerResponse* response) override;

  // Resolves erasures a crash interrupted (see above); returns how many were completed.
  static absl::StatusOr<int> CompletePendingErasures(const ledger::EventLog& log,
                                                     ledger::SubjectKeyStore& keys);

 private:
  ledger::EventLog* log_;
  const Authenticator* auth_;
  ledger::SubjectKeyStore* keys_;
  projections::ProjectionRunner* runner_;
  projections::ProjectionDatabase* projection_db_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_PRIVACY_SERVICE_H_
