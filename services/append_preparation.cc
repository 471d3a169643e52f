#include "services/append_preparation.h"

#include "absl/strings/str_cat.h"
#include "domain/payload_validation.h"
#include "domain/personal_data_sealer.h"
#include "ledger/envelope_validation.h"

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

absl::StatusOr<ledger::AppendBatch> PrepareAppend(const domain::Caller& caller,
                                                  const engagement::v1::AppendEventsRequest& request,
                                                  ledger::SubjectKeyStore& keys) {
  absl::StatusOr<ledger::AppendBatch> batch = ToBatch(request);
  if (!batch.ok()) return batch.status();
  for (size_t i = 0; i < batch->events.size(); ++i) {
    if (i > 0 && batch->events[i].organisation() == batch->events[i - 1].organisation()) continue;
    absl::Status allowed =
        caller.Require(engagement::v1::ROLE_RECORDER, batch->events[i].organisation());
    if (!allowed.ok()) return allowed;
  }
  absl::Status sealed = domain::SealPersonalData(batch->events, keys);
  if (!sealed.ok()) return sealed;
  return batch;
}

engagement::v1::AppendEventsResponse ToAppendResponse(ledger::AppendResult result) {
  engagement::v1::AppendEventsResponse response;
  response.mutable_positions()->Add(result.positions.begin(), result.positions.end());
  for (std::string& id : result.event_ids) response.add_event_ids(std::move(id));
  response.set_stream_revision(result.stream_revision);
  response.set_already_appended(result.already_appended);
  response.set_last_hash(std::move(result.last_hash));
  return response;
}

}  // namespace services
