// LedgerServiceImpl: the gRPC face of an EventLog (engagement.v1.LedgerService).
//
// It authenticates every call and checks the caller's roles (recorder to append; auditor or
// privacy officer to read events, and only those of their organisations), validates requests
// (stream name, envelopes, payload shapes) before anything reaches the log, seals participants'
// personal data (domain/personal_data_sealer.h), maps statuses to gRPC codes, and streams reads.
// It holds no state of its own.
// Ownership: `log`, `auth`, `keys` and `hub` are not owned and must outlive the service.
#ifndef ENGAGEMENT_SERVICES_LEDGER_SERVICE_H_
#define ENGAGEMENT_SERVICES_LEDGER_SERVICE_H_

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "ledger/event_log.h"
#include "ledger/jetstream_replica.h"
#include "ledger/subject_key_store.h"
#include "ledger/subscription_hub.h"
#include "services/authenticator.h"

namespace services {

// A subscription's events_per_message at most.
inline constexpr uint32_t kMaxEventsPerMessage = 1000;

// AppendEvents, AppendStream (append_stream.h) and SubscribeLog use gRPC's callback API: a call
// waiting for its group commit, or a subscriber waiting for events or for its reader, holds no
// thread (subscriptions are served by
// `hub`, log_subscription.h). The reads are plain synchronous streaming handlers.
class LedgerServiceImpl final
    : public engagement::v1::LedgerService::WithCallbackMethod_AppendEvents<
          engagement::v1::LedgerService::WithCallbackMethod_SubscribeLog<
              engagement::v1::LedgerService::WithCallbackMethod_AppendStream<
                  engagement::v1::LedgerService::Service>>> {
 public:
  LedgerServiceImpl(ledger::EventLog* log, const Authenticator* auth, ledger::SubjectKeyStore* keys,
                    ledger::SubscriptionHub* hub)
      : log_(log), auth_(auth), keys_(keys), hub_(hub) {}
  // On a replicated ledger, the node's replica (not owned; must outlive the service), whose view
  // of the cluster GetLedgerInfo reports. Set before serving.
  void set_replica(const ledger::JetStreamReplica* replica) { replica_ = replica; }

  grpc::ServerUnaryReactor* AppendEvents(grpc::CallbackServerContext* context,
                                         const engagement::v1::AppendEventsRequest* request,
                                         engagement::v1::AppendEventsResponse* response) override;
  grpc::Status ReadStream(grpc::ServerContext* context,
                          const engagement::v1::ReadStreamRequest* request,
                          grpc::ServerWriter<engagement::v1::ReadStreamResponse>* writer) override;
  grpc::Status ReadLog(grpc::ServerContext* context, const engagement::v1::ReadLogRequest* request,
                       grpc::ServerWriter<engagement::v1::ReadLogResponse>* writer) override;
  grpc::ServerBidiReactor<engagement::v1::AppendStreamRequest,
                          engagement::v1::AppendStreamResponse>*
  AppendStream(grpc::CallbackServerContext* context) override;
  grpc::ServerWriteReactor<engagement::v1::SubscribeLogResponse>* SubscribeLog(
      grpc::CallbackServerContext* context,
      const engagement::v1::SubscribeLogRequest* request) override;
  grpc::Status GetLedgerInfo(grpc::ServerContext* context,
                             const engagement::v1::GetLedgerInfoRequest* request,
                             engagement::v1::GetLedgerInfoResponse* response) override;
  grpc::Status GetStreamInfo(grpc::ServerContext* context,
                             const engagement::v1::GetStreamInfoRequest* request,
                             engagement::v1::GetStreamInfoResponse* response) override;

 private:
  // The organisation of a stream (its first event's), after checking that the caller may read
  // it with one of `roles`. NOT_FOUND when the stream does not exist.
  absl::StatusOr<std::string> AuthorizeStream(const domain::Caller& caller,
                                              const std::string& stream,
                                              std::initializer_list<engagement::v1::Role> roles);

  ledger::EventLog* log_;
  const ledger::JetStreamReplica* replica_ = nullptr;
  const Authenticator* auth_;
  ledger::SubjectKeyStore* keys_;
  ledger::SubscriptionHub* hub_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LEDGER_SERVICE_H_
