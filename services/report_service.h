// ReportServiceImpl: the gRPC face of the reports (engagement.v1.ReportService).
//
// A report at the head is computed from the maintained evidence projection, brought up to date
// first; a report "as of" an earlier point replays the log into memory up to that point, so it is
// exactly what the report was then. Either way the provenance says which position and head hash
// it reflects. Every call is authenticated: reports need the role reader or auditor for the
// organisation, exact figures the role auditor; projection rebuilds the role admin.
// Ownership: nothing is owned; everything must outlive the service.
#ifndef ENGAGEMENT_SERVICES_REPORT_SERVICE_H_
#define ENGAGEMENT_SERVICES_REPORT_SERVICE_H_

#include <atomic>

#include "engagement/v1/report_service.grpc.pb.h"
#include "ledger/event_log.h"
#include "ledger/subject_key_store.h"
#include "projections/projection_runner.h"
#include "services/authenticator.h"

namespace services {

class ReportServiceImpl final : public engagement::v1::ReportService::Service {
 public:
  // At most `max_replays` as-of reports (each replays the log into memory) run at once; one more
  // gets RESOURCE_EXHAUSTED.
  ReportServiceImpl(const ledger::EventLog* log, projections::ProjectionRunner* runner,
                    const Authenticator* auth, const ledger::SubjectKeyStore* keys,
                    int max_replays = 4)
      : log_(log), runner_(runner), auth_(auth), keys_(keys), max_replays_(max_replays) {}

  grpc::Status GetAssuranceReport(grpc::ServerContext* context,
                                  const engagement::v1::GetAssuranceReportRequest* request,
                                  engagement::v1::GetAssuranceReportResponse* response) override;
  grpc::Status GetTraceability(grpc::ServerContext* context,
                               const engagement::v1::GetTraceabilityRequest* request,
                               engagement::v1::GetTraceabilityResponse* response) override;
  grpc::Status GetYouSaidWeDid(grpc::ServerContext* context,
                               const engagement::v1::GetYouSaidWeDidRequest* request,
                               engagement::v1::GetYouSaidWeDidResponse* response) override;
  grpc::Status GetSessionSummary(grpc::ServerContext* context,
                                 const engagement::v1::GetSessionSummaryRequest* request,
                                 engagement::v1::GetSessionSummaryResponse* response) override;
  grpc::Status GetAnnualReport(grpc::ServerContext* context,
                               const engagement::v1::GetAnnualReportRequest* request,
                               engagement::v1::GetAnnualReportResponse* response) override;
  grpc::Status ListProjections(grpc::ServerContext* context,
                               const engagement::v1::ListProjectionsRequest* request,
                               engagement::v1::ListProjectionsResponse* response) override;
  grpc::Status VerifyProjections(grpc::ServerContext* context,
                                 const engagement::v1::VerifyProjectionsRequest* request,
                                 engagement::v1::VerifyProjectionsResponse* response) override;
  grpc::Status RebuildProjection(
      grpc::ServerContext* context, const engagement::v1::RebuildProjectionRequest* request,
      grpc::ServerWriter<engagement::v1::RebuildProjectionResponse>* writer) override;

 private:
  // Takes one of the max_replays slots, or says which limit was reached.
  absl::Status TakeReplaySlot();
  void ReturnReplaySlot();

  // Runs `build` over the evidence state at the head or as of `as_of`, and fills `provenance`.
  // The provenance's state digest covers `organisation`'s records.
  absl::Status WithEvidence(
      const std::string& organisation, const engagement::v1::AsOf* as_of, bool exact,
      engagement::v1::Provenance* provenance,
      absl::FunctionRef<absl::Status(const projections::StateReader&)> build);
  // The last position recorded at or before `time` (0 when none).
  absl::StatusOr<uint64_t> PositionAt(const google::protobuf::Timestamp& time) const;

  // Authenticates the caller and checks it may read reports of `organisation` (exact figures
  // when `exact`).
  absl::Status AuthorizeReport(const grpc::ServerContext& context, const std::string& organisation,
                               bool exact) const;

  const ledger::EventLog* log_;
  projections::ProjectionRunner* runner_;
  const Authenticator* auth_;
  const ledger::SubjectKeyStore* keys_;
  const int max_replays_;
  std::atomic<int> replays_{0};
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_REPORT_SERVICE_H_
