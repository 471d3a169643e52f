#include "services/ledger_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/envelope_validation.h"
#include "ledger/log_format.h"
#include "services/grpc_status.h"
#include "services/append_preparation.h"
#include "services/append_stream.h"
#include "services/log_subscription.h"

namespace services {
namespace {

using engagement::v1::Event;

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

// A subscription's events_per_message: 0 is 1; at most kMaxEventsPerMessage.
absl::StatusOr<uint32_t> EventsPerMessage(uint32_t asked) {
  if (asked > kMaxEventsPerMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("events_per_message: at most ", kMaxEventsPerMessage));
  }
  return std::max<uint32_t>(asked, 1);
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
  absl::StatusOr<ledger::AppendBatch> batch = PrepareAppend(**caller, *request, *keys_);
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
    *response = ToAppendResponse(*std::move(result));
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

grpc::ServerBidiReactor<engagement::v1::AppendStreamRequest, engagement::v1::AppendStreamResponse>*
LedgerServiceImpl::AppendStream(grpc::CallbackServerContext* context) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  return NewAppendStream(log_, keys_, caller);
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
  absl::StatusOr<uint32_t> per_message = EventsPerMessage(request->events_per_message());
  if (!per_message.ok()) return new LogSubscription(per_message.status());
  return new LogSubscription(hub_, request->from_position(), *std::move(filter), *per_message);
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
  if (replica_ != nullptr) {
    ledger::ReplicaStatus status = replica_->Status();
    engagement::v1::ReplicationInfo* replication = response->mutable_replication();
    replication->set_node_id(replica_->options().node_id);
    replication->set_leader_id(status.leader_id);
    replication->set_leading(status.leader);
    replication->set_applied_sequence(status.applied);
    replication->set_stream_last_sequence(status.stream_last);
  }
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
