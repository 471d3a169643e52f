// LedgerServiceImpl: the gRPC face of an EventLog (engagement.v1.LedgerService).
//
// It validates requests (stream name, envelopes, payload shapes) before anything reaches the
// log, maps statuses to gRPC codes, and streams reads. It holds no state of its own.
// Ownership: `log` is not owned and must outlive the service.
#ifndef ENGAGEMENT_SERVICES_LEDGER_SERVICE_H_
#define ENGAGEMENT_SERVICES_LEDGER_SERVICE_H_

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "ledger/event_log.h"

namespace services {

// AppendEvents uses gRPC's callback API: a call waiting for its group commit holds no thread.
// The reads are plain synchronous streaming handlers.
class LedgerServiceImpl final
    : public engagement::v1::LedgerService::WithCallbackMethod_AppendEvents<
          engagement::v1::LedgerService::Service> {
 public:
  explicit LedgerServiceImpl(ledger::EventLog* log) : log_(log) {}

  grpc::ServerUnaryReactor* AppendEvents(grpc::CallbackServerContext* context,
                                         const engagement::v1::AppendEventsRequest* request,
                                         engagement::v1::AppendEventsResponse* response) override;
  grpc::Status ReadStream(grpc::ServerContext* context,
                          const engagement::v1::ReadStreamRequest* request,
                          grpc::ServerWriter<engagement::v1::ReadStreamResponse>* writer) override;
  grpc::Status ReadLog(grpc::ServerContext* context, const engagement::v1::ReadLogRequest* request,
                       grpc::ServerWriter<engagement::v1::ReadLogResponse>* writer) override;
  grpc::Status SubscribeLog(
      grpc::ServerContext* context, const engagement::v1::SubscribeLogRequest* request,
      grpc::ServerWriter<engagement::v1::SubscribeLogResponse>* writer) override;
  grpc::Status GetLedgerInfo(grpc::ServerContext* context,
                             const engagement::v1::GetLedgerInfoRequest* request,
                             engagement::v1::GetLedgerInfoResponse* response) override;
  grpc::Status GetStreamInfo(grpc::ServerContext* context,
                             const engagement::v1::GetStreamInfoRequest* request,
                             engagement::v1::GetStreamInfoResponse* response) override;

 private:
  ledger::EventLog* log_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LEDGER_SERVICE_H_
