#include "services/privacy_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/write_model.h"
#include "ledger/uuid.h"
#include "projections/evidence_projection.h"
#include "projections/personal_data_opener.h"
#include "services/grpc_status.h"

namespace services {
namespace {

using engagement::v1::Event;

constexpr int kMaxDisclosed = 100;

// A purpose or a reason: recorded in the log, so short plain text (3 to 200 characters, no
// control characters). The message never repeats it.
absl::Status CheckStatedWhy(const std::string& text, absl::string_view field) {
  bool ok = text.size() >= 3 && text.size() <= 200;
  for (char c : text) ok = ok && !absl::ascii_iscntrl(static_cast<unsigned char>(c));
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": is required, 3 to 200 characters with no control characters "
                            "(it is recorded in the log: no personal data)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<domain::Entity> FindParticipant(const domain::WriteModelReader& model,
                                               const std::string& id, absl::string_view field) {
  if (!ledger::IsUuid(id)) return absl::InvalidArgumentError(absl::StrCat(field, ": must be a UUID"));
  absl::StatusOr<std::optional<domain::Entity>> found = model.Find(id);
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->kind != domain::EntityKind::kParticipant) {
    return absl::NotFoundError(absl::StrCat(field, ": participant ", id, " does not exist"));
  }
  return **found;
}

// An event the ledger records itself, on behalf of `caller`.
Event LedgerRecorded(const domain::Caller& caller, const std::string& organisation) {
  Event event;
  absl::Time now = absl::Now();
  event.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(now));
  event.set_organisation(organisation);
  event.set_actor(caller.identity().substr(0, 256));
  return event;
}

std::string PrivacyStream(const std::string& organisation) {
  return absl::StrCat("privacy-", absl::AsciiStrToLower(organisation));
}

}  // namespace

grpc::Status PrivacyServiceImpl::DisclosePersonalData(
    grpc::ServerContext* context, const engagement::v1::DisclosePersonalDataRequest* request,
    engagement::v1::DisclosePersonalDataResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status any = (*caller)->RequireAnywhere({engagement::v1::ROLE_PRIVACY_OFFICER});
      !any.ok()) {
    return ToGrpcStatus(any);
  }
  if (request->participant_ids().empty() || request->participant_ids_size() > kMaxDisclosed) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("participant_ids: give 1 to ", kMaxDisclosed, " participant ids")));
  }
  if (absl::Status s = CheckStatedWhy(request->purpose(), "purpose"); !s.ok()) {
    return ToGrpcStatus(s);
  }
  domain::WriteModelReader model(*log_);
  std::vector<domain::Entity> people;
  for (int i = 0; i < request->participant_ids_size(); ++i) {
    std::string field = absl::StrCat("participant_ids[", i, "]");
    absl::StatusOr<domain::Entity> person =
        FindParticipant(model, absl::AsciiStrToLower(request->participant_ids(i)), field);
    if (!person.ok()) return ToGrpcStatus(person.status());
    if (!people.empty() && person->organisation != people.front().organisation) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat(field, ": belongs to another organisation than participant_ids[0]; "
                              "disclose one organisation's participants at a time")));
    }
    absl::Status allowed =
        (*caller)->Require(engagement::v1::ROLE_PRIVACY_OFFICER, person->organisation);
    if (!allowed.ok()) return ToGrpcStatus(allowed);
    people.push_back(*std::move(person));
  }

  // Record the disclosure first: no personal data leaves unrecorded.
  ledger::AppendBatch batch;
  batch.stream = PrivacyStream(people.front().organisation);
  batch.expected = ledger::ExpectedRevision::Any();
  Event event = LedgerRecorded(**caller, people.front().organisation);
  auto* disclosed = event.mutable_personal_data_disclosed();
  for (const std::string& id : request->participant_ids()) {
    disclosed->add_participant_ids(absl::AsciiStrToLower(id));
  }
  disclosed->set_purpose(request->purpose());
  batch.events.push_back(std::move(event));
  absl::StatusOr<ledger::AppendResult> recorded = log_->Append(std::move(batch));
  if (!recorded.ok()) return ToGrpcStatus(recorded.status());
  response->set_disclosure_position(recorded->positions.front());

  for (size_t i = 0; i < people.size(); ++i) {
    const std::string id = absl::AsciiStrToLower(request->participant_ids(i));
    auto* out = response->add_participants();
    out->set_participant_id(id);
    out->set_consent_withdrawn(people[i].consent_withdrawn);
    absl::StatusOr<std::optional<uint64_t>> position = model.RegistrationPosition(id);
    if (!position.ok()) return ToGrpcStatus(position.status());
    if (!position->has_value()) {
      return ToGrpcStatus(absl::DataLossError(
          absl::StrCat("participant_ids[", i, "]: the registration is not indexed")));
    }
    Event registration;
    ledger::LogReadOptions one{**position, **position, 0, {}};
    absl::Status read = log_->ReadLog(one, [&](const Event& e, absl::string_view) {
      registration = e;
      return false;
    });
    if (!read.ok()) return ToGrpcStatus(read);
    if (!registration.has_participant_registered() ||
        registration.participant_registered().participant_id() != id) {
      return ToGrpcStatus(absl::DataLossError(absl::StrCat(
          "position ", **position, " is not the registration of participant_ids[", i, "]")));
    }
    absl::StatusOr<projections::OpenedPersonalData> opened =
        projections::OpenPersonalData(registration, keys_);
    if (!opened.ok()) return ToGrpcStatus(opened.status());
    out->set_erased(people[i].erased ||
                    opened->state == projections::OpenedPersonalData::State::kErased);
    if (!out->erased() && opened->state == projections::OpenedPersonalData::State::kClear) {
      *out->mutable_personal_data() = std::move(opened->data);
    }
  }
  return grpc::Status::OK;
}

grpc::Status PrivacyServiceImpl::EraseParticipant(
    grpc::ServerContext* context, const engagement::v1::EraseParticipantRequest* request,
    engagement::v1::EraseParticipantResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status any = (*caller)->RequireAnywhere({engagement::v1::ROLE_PRIVACY_OFFICER});
      !any.ok()) {
    return ToGrpcStatus(any);
  }
  if (absl::Status s = CheckStatedWhy(request->reason(), "reason"); !s.ok()) return ToGrpcStatus(s);
  const std::string id = absl::AsciiStrToLower(request->participant_id());
  domain::WriteModelReader model(*log_);
  absl::StatusOr<domain::Entity> person = FindParticipant(model, id, "participant_id");
  if (!person.ok()) return ToGrpcStatus(person.status());
  absl::Status allowed =
      (*caller)->Require(engagement::v1::ROLE_PRIVACY_OFFICER, person->organisation);
  if (!allowed.ok()) return ToGrpcStatus(allowed);

  if (person->erased) {
    // Recorded before; make sure the key is gone too (a crash may have come between).
    absl::Status erased = keys_->Erase(id, absl::Now());
    if (!erased.ok()) return ToGrpcStatus(erased);
    response->set_already_erased(true);
    return grpc::Status::OK;
  }
  if (absl::Status begun = keys_->BeginErasure(id); !begun.ok()) return ToGrpcStatus(begun);
  ledger::AppendBatch batch;
  batch.stream = absl::StrCat("participant-", id);
  batch.expected = ledger::ExpectedRevision::Any();
  Event event = LedgerRecorded(**caller, person->organisation);
  event.mutable_participant_erased()->set_participant_id(id);
  event.mutable_participant_erased()->set_reason(request->reason());
  batch.events.push_back(std::move(event));
  absl::StatusOr<ledger::AppendResult> recorded = log_->Append(std::move(batch));
  if (!recorded.ok()) {
    // Not recorded (or unknown: then the start-up check settles it from the log).
    if (!absl::IsUnavailable(recorded.status())) keys_->CancelErasure(id).IgnoreError();
    return ToGrpcStatus(recorded.status());
  }
  response->set_erasure_position(recorded->positions.front());
  absl::Status erased = keys_->Erase(id, absl::Now());
  if (!erased.ok()) return ToGrpcStatus(erased);
  // The projections' copy of the person's categories: superseded once the erasure is applied,
  // then purged from the projection database's files.
  if (runner_ != nullptr) {
    absl::Status caught_up = runner_->CatchUp();
    if (caught_up.ok() && projection_db_ != nullptr) {
      caught_up = projection_db_->Purge("evidence", projections::ParticipantKey(person->organisation, id));
    }
    if (!caught_up.ok()) return ToGrpcStatus(caught_up);
  }
  return grpc::Status::OK;
}

grpc::Status PrivacyServiceImpl::GetCaller(grpc::ServerContext* context,
                                           const engagement::v1::GetCallerRequest* request,
                                           engagement::v1::GetCallerResponse* response) {
  absl::StatusOr<CallerPtr> caller = auth_->Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  response->set_identity((*caller)->identity());
  for (const auto& grant : (*caller)->grants()) *response->add_grants() = grant;
  return grpc::Status::OK;
}

absl::StatusOr<int> PrivacyServiceImpl::CompletePendingErasures(const ledger::EventLog& log,
                                                                ledger::SubjectKeyStore& keys) {
  absl::StatusOr<std::vector<std::string>> pending = keys.PendingErasures();
  if (!pending.ok()) return pending.status();
  domain::WriteModelReader model(log);
  int completed = 0;
  for (const std::string& id : *pending) {
    absl::StatusOr<std::optional<domain::Entity>> person = model.Find(id);
    if (!person.ok()) return person.status();
    if (person->has_value() && (*person)->erased) {
      if (absl::Status s = keys.Erase(id, absl::Now()); !s.ok()) return s;
      ++completed;
    } else if (absl::Status s = keys.CancelErasure(id); !s.ok()) {
      return s;
    }
  }
  return completed;
}

}  // namespace services
