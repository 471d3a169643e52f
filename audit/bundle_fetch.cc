#include "audit/bundle_fetch.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "ledger/signed_note.h"

namespace audit {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace

absl::StatusOr<std::set<uint64_t>> EvidencePositions(const std::shared_ptr<grpc::Channel>& channel,
                                                     const PrepareCall& prepare,
                                                     const std::string& organisation,
                                                     const std::string& decision) {
  auto reports = engagement::v1::ReportService::NewStub(channel);
  engagement::v1::GetTraceabilityRequest trace_request;
  trace_request.set_organisation(organisation);
  trace_request.set_decision_id(decision);
  engagement::v1::GetTraceabilityResponse trace;
  {
    grpc::ClientContext context;
    prepare(context);
    grpc::Status status = reports->GetTraceability(&context, trace_request, &trace);
    if (!status.ok()) return FromGrpc(status);
  }
  std::set<uint64_t> positions;
  std::set<uint64_t> session_positions;
  positions.insert(trace.origin().position());
  for (const auto* steps : {&trace.linked(), &trace.feedback(), &trace.sessions()}) {
    for (const auto& step : *steps) positions.insert(step.position());
  }
  for (const auto& step : trace.sessions()) session_positions.insert(step.position());
  positions.erase(0);

  // One pass over the organisation's events of the kinds that matter.
  auto ledger = engagement::v1::LedgerService::NewStub(channel);
  engagement::v1::ReadLogRequest request;
  request.set_from_position(1);
  for (const char* kind : {"duty_to_involve_assessed", "session_held", "invitation_sent",
                           "invitation_responded"}) {
    request.mutable_filter()->add_event_types(kind);
  }
  request.mutable_filter()->add_organisations(organisation);
  std::set<std::string> engagements, sessions, invitations;
  std::vector<engagement::v1::Event> sent, responded;
  grpc::ClientContext context;
  prepare(context);
  auto reader = ledger->ReadLog(&context, request);
  engagement::v1::ReadLogResponse message;
  while (reader->Read(&message)) {
    const engagement::v1::Event& e = message.event();
    if (e.has_duty_to_involve_assessed() && e.duty_to_involve_assessed().decision_id() == decision) {
      positions.insert(e.position());
    } else if (e.has_session_held() && session_positions.contains(e.position())) {
      engagements.insert(e.session_held().engagement_id());
      sessions.insert(e.session_held().session_id());
    } else if (e.has_invitation_sent()) {
      sent.push_back(e);
    } else if (e.has_invitation_responded()) {
      responded.push_back(e);
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpc(status);
  for (const auto& e : sent) {
    const auto& invitation = e.invitation_sent();
    if (engagements.contains(invitation.engagement_id()) &&
        (invitation.session_id().empty() || sessions.contains(invitation.session_id()))) {
      positions.insert(e.position());
      invitations.insert(invitation.invitation_id());
    }
  }
  for (const auto& e : responded) {
    if (invitations.contains(e.invitation_responded().invitation_id())) positions.insert(e.position());
  }
  return positions;
}

absl::Status FetchEntries(const std::shared_ptr<grpc::Channel>& channel, const PrepareCall& prepare,
                          uint64_t tree_size, const std::vector<uint64_t>& positions,
                          bool drop_personal, Bundle* bundle, uint64_t* excluded,
                          const std::function<void(size_t fetched)>& progress) {
  auto stub = engagement::v1::AuditService::NewStub(channel);
  for (uint64_t position : positions) {
    if (position == 0 || position > tree_size) {
      return absl::FailedPreconditionError(absl::StrCat(
          "position ", position, " is not in the latest checkpoint (tree size ", tree_size, ")"));
    }
    engagement::v1::GetInclusionProofRequest request;
    request.set_position(position);
    request.set_tree_size(tree_size);
    engagement::v1::GetInclusionProofResponse response;
    grpc::ClientContext context;
    prepare(context);
    grpc::Status status = stub->GetInclusionProof(&context, request, &response);
    if (!status.ok()) return FromGrpc(status);
    if (drop_personal && response.event().has_participant_registered()) {
      ++*excluded;
      continue;
    }
    BundleEntry entry;
    entry.event = response.event();
    entry.canonical_record = response.canonical_record();
    entry.leaf_index = response.leaf_index();
    entry.tree_size = response.tree_size();
    entry.proof.assign(response.proof().begin(), response.proof().end());
    bundle->entries.push_back(std::move(entry));
    if (progress && bundle->entries.size() % 1000 == 0) progress(bundle->entries.size());
  }
  return absl::OkStatus();
}

std::vector<std::string> CosignersOf(const std::string& note, const std::string& origin) {
  std::vector<std::string> names;
  absl::StatusOr<ledger::SplitNote> lines = ledger::SplitSignedNote(note);
  if (!lines.ok()) return names;
  for (const ledger::NoteSignatureLine& line : lines->signatures) {
    if (line.key_name != origin) names.push_back(line.key_name);
  }
  return names;
}

std::string EvidencePackDescription(const std::string& decision, const std::string& organisation,
                                    const std::string& origin, const std::string& who,
                                    const std::string& when) {
  return absl::StrCat(
      "Evidence pack of decision ", decision, " of organisation ", organisation, "\nin the log ",
      origin, ", exported from ", who, " on ", when,
      ":\nthe decision, the insights it considered, the sessions they came from, the "
      "feedback given on it,\nthe duty-to-involve assessments naming it, and the invitations to "
      "those sessions and their\nengagements (and the answers to them). Events registering "
      "participants (participant_registered)\nare left out: they hold personal data. Each event "
      "is proved on its own, so the proofs of\nthe others hold without them.\n");
}

}  // namespace audit
