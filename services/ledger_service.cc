#include "services/ledger_service.h"

#include "absl/strings/str_cat.h"
#include "domain/payload_validation.h"
#include "ledger/envelope_validation.h"
#include "ledger/log_format.h"
#include "ledger/subscription.h"
#include "services/grpc_status.h"

namespace services {
namespace {

using engagement::v1::Event;

absl::StatusOr<ledger::ExpectedRevision> ToExpected(const engagement::v1::ExpectedRevision& in,
                                                    bool present) {
  if (!present) return absl::InvalidArgumentError("expected: is required (a state or a revision)");
  switch (in.kind_case()) {
    case engagement::v1::ExpectedRevision::kRevision:
      return ledger::ExpectedRevision::Exactly(in.revision());
    case engagement::v1::ExpectedRevision::kState:
      switch (in.state()) {
        case engagement::v1::EXPECTED_STATE_ANY:
          return ledger::ExpectedRevision::Any();
        case engagement::v1::EXPECTED_STATE_NO_STREAM:
          return ledger::ExpectedRevision::NoStream();
        case engagement::v1::EXPECTED_STATE_STREAM_EXISTS:
          return ledger::ExpectedRevision::StreamExists();
        default:
          return absl::InvalidArgumentError("expected.state: must be ANY, NO_STREAM or STREAM_EXISTS");
      }
    default:
      return absl::InvalidArgumentError("expected: set state or revision");
  }
}

absl::StatusOr<ledger::LogFilter> ToFilter(const engagement::v1::LogFilter& in) {
  ledger::LogFilter filter;
  for (int i = 0; i < in.event_types_size(); ++i) {
    if (!ledger::IsKnownEventType(in.event_types(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.event_types[", i, "]: not a kind of event (use the payload field "
                       "name, e.g. \"session_held\")"));
    }
    filter.event_types.push_back(in.event_types(i));
  }
  filter.organisations.assign(in.organisations().begin(), in.organisations().end());
  filter.stream_prefixes.assign(in.stream_prefixes().begin(), in.stream_prefixes().end());
  return filter;
}

}  // namespace

namespace {

absl::StatusOr<ledger::AppendBatch> ToBatch(const engagement::v1::AppendEventsRequest& request) {
  absl::Status valid = ledger::ValidateStreamName(request.stream());
  if (!valid.ok()) return valid;
  absl::StatusOr<ledger::ExpectedRevision> expected =
      ToExpected(request.expected(), request.has_expected());
  if (!expected.ok()) return expected.status();
  ledger::AppendBatch batch;
  batch.stream = request.stream();
  batch.expected = *expected;
  batch.events.assign(request.events().begin(), request.events().end());
  valid = ledger::ValidateEnvelopes(batch.events);
  if (valid.ok()) valid = domain::ValidatePayloads(batch.events);
  if (!valid.ok()) return valid;
  return batch;
}

}  // namespace

grpc::ServerUnaryReactor* LedgerServiceImpl::AppendEvents(
    grpc::CallbackServerContext* context, const engagement::v1::AppendEventsRequest* request,
    engagement::v1::AppendEventsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<ledger::AppendBatch> batch = ToBatch(*request);
  if (!batch.ok()) {
    reactor->Finish(ToGrpcStatus(batch.status()));
    return reactor;
  }
  log_->AppendAsync(*std::move(batch), [reactor, response](
                                           absl::StatusOr<ledger::AppendResult> result) {
    if (!result.ok()) {
      reactor->Finish(ToGrpcStatus(result.status()));
      return;
    }
    response->mutable_positions()->Add(result->positions.begin(), result->positions.end());
    for (std::string& id : result->event_ids) response->add_event_ids(std::move(id));
    response->set_stream_revision(result->stream_revision);
    response->set_already_appended(result->already_appended);
    response->set_last_hash(result->last_hash);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::Status LedgerServiceImpl::ReadStream(
    grpc::ServerContext* context, const engagement::v1::ReadStreamRequest* request,
    grpc::ServerWriter<engagement::v1::ReadStreamResponse>* writer) {
  absl::Status valid = ledger::ValidateStreamName(request->stream());
  if (!valid.ok()) return ToGrpcStatus(valid);
  ledger::StreamReadOptions options;
  options.stream = request->stream();
  options.from_revision = request->from_revision();
  options.backwards = request->direction() == engagement::v1::READ_DIRECTION_BACKWARDS;
  options.from_end = request->from_end();
  options.limit = request->limit();
  engagement::v1::ReadStreamResponse message;
  bool cancelled = false;
  absl::Status read = log_->ReadStream(options, [&](const Event& event, absl::string_view) {
    if (context->IsCancelled()) {
      cancelled = true;
      return false;
    }
    *message.mutable_event() = event;
    return writer->Write(message);
  });
  if (cancelled) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client");
  return ToGrpcStatus(read);
}

grpc::Status LedgerServiceImpl::ReadLog(grpc::ServerContext* context,
                                        const engagement::v1::ReadLogRequest* request,
                                        grpc::ServerWriter<engagement::v1::ReadLogResponse>* writer) {
  absl::StatusOr<ledger::LogFilter> filter = ToFilter(request->filter());
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  ledger::LogReadOptions options;
  options.from_position = request->from_position();
  options.limit = request->limit();
  options.filter = *std::move(filter);
  engagement::v1::ReadLogResponse message;
  bool cancelled = false;
  absl::Status read = log_->ReadLog(options, [&](const Event& event, absl::string_view record) {
    if (context->IsCancelled()) {
      cancelled = true;
      return false;
    }
    *message.mutable_event() = event;
    if (request->include_canonical_record()) message.set_canonical_record(std::string(record));
    return writer->Write(message);
  });
  if (cancelled) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client");
  return ToGrpcStatus(read);
}

grpc::Status LedgerServiceImpl::SubscribeLog(
    grpc::ServerContext* context, const engagement::v1::SubscribeLogRequest* request,
    grpc::ServerWriter<engagement::v1::SubscribeLogResponse>* writer) {
  absl::StatusOr<ledger::LogFilter> filter = ToFilter(request->filter());
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  engagement::v1::SubscribeLogResponse message;
  ledger::SubscriptionCallbacks callbacks;
  callbacks.deliver = [&](const Event& event) {
    *message.mutable_event() = event;
    return writer->Write(message);
  };
  callbacks.caught_up = [&](uint64_t head) {
    message.mutable_caught_up()->set_head_position(head);
    return writer->Write(message);
  };
  callbacks.cancelled = [&] { return context->IsCancelled(); };
  absl::Status status =
      ledger::RunSubscription(*log_, request->from_position(), *filter, callbacks);
  if (!status.ok()) return ToGrpcStatus(status);
  if (log_->ShuttingDown()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the ledger is shutting down; resubscribe");
  }
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetLedgerInfo(grpc::ServerContext* context,
                                              const engagement::v1::GetLedgerInfoRequest* request,
                                              engagement::v1::GetLedgerInfoResponse* response) {
  ledger::LogHead head = log_->Head();
  response->set_head_position(head.position);
  response->set_head_hash(head.hash);
  response->set_event_count(head.position);
  response->set_stream_count(head.stream_count);
  response->set_storage_format_version(ledger::log_format::kFormatVersion);
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetStreamInfo(grpc::ServerContext* context,
                                              const engagement::v1::GetStreamInfoRequest* request,
                                              engagement::v1::GetStreamInfoResponse* response) {
  absl::Status valid = ledger::ValidateStreamName(request->stream());
  if (!valid.ok()) return ToGrpcStatus(valid);
  absl::StatusOr<ledger::StreamInfo> info = log_->GetStreamInfo(request->stream());
  if (!info.ok()) return ToGrpcStatus(info.status());
  response->set_stream(request->stream());
  response->set_revision(info->revision);
  response->set_first_position(info->first_position);
  response->set_last_position(info->last_position);
  response->set_event_count(info->revision + 1);
  return grpc::Status::OK;
}

}  // namespace services
