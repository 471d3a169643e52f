#include "services/ledger_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "domain/payload_validation.h"
#include "domain/personal_data_sealer.h"
#include "ledger/envelope_validation.h"
#include "ledger/log_format.h"
#include "services/grpc_status.h"
#include "services/log_subscription.h"

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

// Restricts a log filter to the organisations whose events the caller may read (auditors and
// privacy officers). PERMISSION_DENIED when the filter names one outside them, or there is none.
absl::Status ScopeFilter(const domain::Caller& caller, ledger::LogFilter& filter) {
  absl::Status any =
      caller.RequireAnywhere({engagement::v1::ROLE_AUDITOR, engagement::v1::ROLE_PRIVACY_OFFICER});
  if (!any.ok()) return any;
  domain::OrganisationScope scope =
      caller.ScopeOf({engagement::v1::ROLE_AUDITOR, engagement::v1::ROLE_PRIVACY_OFFICER});
  if (scope.every) return absl::OkStatus();
  if (filter.organisations.empty()) {
    filter.organisations.assign(scope.codes.begin(), scope.codes.end());
    std::sort(filter.organisations.begin(), filter.organisations.end());
    return absl::OkStatus();
  }
  for (const std::string& organisation : filter.organisations) {
    absl::Status allowed = caller.RequireOneOf(
        {engagement::v1::ROLE_AUDITOR, engagement::v1::ROLE_PRIVACY_OFFICER}, organisation);
    if (!allowed.ok()) return allowed;
  }
  return absl::OkStatus();
}

// Events only the ledger itself records; a client's AppendEvents may not carry them.
absl::Status RefuseLedgerRecorded(const std::vector<Event>& events) {
  for (size_t i = 0; i < events.size(); ++i) {
    const char* via = nullptr;
    if (events[i].has_participant_erased()) via = "participant_erased: use PrivacyService.EraseParticipant";
    if (events[i].has_personal_data_disclosed()) via = "personal_data_disclosed: recorded by PrivacyService.DisclosePersonalData";
    if (events[i].has_ledger_migrated()) via = "ledger_migrated: recorded by `ledgerctl migrate`";
    if (via != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("events[", i, "].", via, "; the ledger records it itself"));
    }
  }
  return absl::OkStatus();
}

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
  if (valid.ok()) valid = RefuseLedgerRecorded(batch.events);
  if (!valid.ok()) return valid;
  return batch;
}

}  // namespace

grpc::ServerUnaryReactor* LedgerServiceImpl::AppendEvents(
    grpc::CallbackServerContext* context, const engagement::v1::AppendEventsRequest* request,
    engagement::v1::AppendEventsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  absl::StatusOr<ledger::AppendBatch> batch = ToBatch(*request);
  absl::Status allowed = batch.status();
  for (size_t i = 0; allowed.ok() && i < batch->events.size(); ++i) {
    if (i > 0 && batch->events[i].organisation() == batch->events[i - 1].organisation()) continue;
    allowed = (*caller)->Require(engagement::v1::ROLE_RECORDER, batch->events[i].organisation());
  }
  if (allowed.ok()) allowed = domain::SealPersonalData(batch->events, *keys_);
  if (!allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
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
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status valid = ledger::ValidateStreamName(request->stream());
  if (!valid.ok()) return ToGrpcStatus(valid);
  if (request->direction() != engagement::v1::READ_DIRECTION_UNSPECIFIED &&
      request->direction() != engagement::v1::READ_DIRECTION_FORWARDS &&
      request->direction() != engagement::v1::READ_DIRECTION_BACKWARDS) {
    return ToGrpcStatus(absl::InvalidArgumentError("direction: must be FORWARDS or BACKWARDS"));
  }
  absl::StatusOr<std::string> organisation = AuthorizeStream(
      **caller, request->stream(),
      {engagement::v1::ROLE_AUDITOR, engagement::v1::ROLE_PRIVACY_OFFICER});
  if (!organisation.ok()) return ToGrpcStatus(organisation.status());
  domain::OrganisationScope scope =
      (*caller)->ScopeOf({engagement::v1::ROLE_AUDITOR, engagement::v1::ROLE_PRIVACY_OFFICER});
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
    if (!scope.Contains(event.organisation())) return true;  // never another organisation's
    *message.mutable_event() = event;
    return writer->Write(message);
  });
  if (cancelled) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client");
  return ToGrpcStatus(read);
}

grpc::Status LedgerServiceImpl::ReadLog(grpc::ServerContext* context,
                                        const engagement::v1::ReadLogRequest* request,
                                        grpc::ServerWriter<engagement::v1::ReadLogResponse>* writer) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<ledger::LogFilter> filter = ToFilter(request->filter());
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  if (absl::Status scoped = ScopeFilter(**caller, *filter); !scoped.ok()) {
    return ToGrpcStatus(scoped);
  }
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

grpc::ServerWriteReactor<engagement::v1::SubscribeLogResponse>* LedgerServiceImpl::SubscribeLog(
    grpc::CallbackServerContext* context, const engagement::v1::SubscribeLogRequest* request) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return new LogSubscription(caller.status());
  absl::StatusOr<ledger::LogFilter> filter = ToFilter(request->filter());
  if (!filter.ok()) return new LogSubscription(filter.status());
  if (absl::Status scoped = ScopeFilter(**caller, *filter); !scoped.ok()) {
    return new LogSubscription(scoped);
  }
  return new LogSubscription(hub_, request->from_position(), *std::move(filter));
}

grpc::Status LedgerServiceImpl::GetLedgerInfo(grpc::ServerContext* context,
                                              const engagement::v1::GetLedgerInfoRequest* request,
                                              engagement::v1::GetLedgerInfoResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (!(*caller)->HasAnyRole()) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        absl::StrCat((*caller)->identity(), " holds no role in this ledger")));
  }
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
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status valid = ledger::ValidateStreamName(request->stream());
  if (!valid.ok()) return ToGrpcStatus(valid);
  absl::StatusOr<std::string> organisation =
      AuthorizeStream(**caller, request->stream(),
                      {engagement::v1::ROLE_RECORDER, engagement::v1::ROLE_AUDITOR,
                       engagement::v1::ROLE_PRIVACY_OFFICER});
  if (!organisation.ok()) return ToGrpcStatus(organisation.status());
  absl::StatusOr<ledger::StreamInfo> info = log_->GetStreamInfo(request->stream());
  if (!info.ok()) return ToGrpcStatus(info.status());
  response->set_stream(request->stream());
  response->set_revision(info->revision);
  response->set_first_position(info->first_position);
  response->set_last_position(info->last_position);
  response->set_event_count(info->revision + 1);
  return grpc::Status::OK;
}

absl::StatusOr<std::string> LedgerServiceImpl::AuthorizeStream(
    const domain::Caller& caller, const std::string& stream,
    std::initializer_list<engagement::v1::Role> roles) {
  // A caller with none of the roles anywhere learns nothing, not even whether the stream exists.
  if (absl::Status any = caller.RequireAnywhere(roles); !any.ok()) return any;
  ledger::StreamReadOptions first;
  first.stream = stream;
  first.limit = 1;
  std::string organisation;
  absl::Status read = log_->ReadStream(first, [&](const Event& event, absl::string_view) {
    organisation = event.organisation();
    return false;
  });
  if (!read.ok()) return read;
  absl::Status allowed = caller.RequireOneOf(roles, organisation);
  if (!allowed.ok()) return allowed;
  return organisation;
}

}  // namespace services
