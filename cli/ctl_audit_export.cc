// ledgerctl audit export: audit bundles of a range of positions, and evidence packs of a decision.
#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "ledger/hash_chain.h"
#include "audit/audit_bundle.h"
#include "ledger/signed_note.h"
#include "cli/ctl_audit.h"

namespace ctl {
namespace {

using engagement::v1::AuditService;

int Usage(const std::string& message) {
  std::fprintf(stderr, "ledgerctl audit export: %s\n", message.c_str());
  return kExitUsage;
}

// Fetches each position's event, record and inclusion proof against `checkpoint`.
// participant_registered events are dropped (counted in `excluded`) when `drop_personal`.
int FetchEntries(const Options& options, AuditService::Stub& stub,
                 const VerifiedCheckpoint& checkpoint, const std::vector<uint64_t>& positions,
                 bool drop_personal, audit::Bundle* bundle, uint64_t* excluded) {
  const uint64_t tree_size = checkpoint.checkpoint.tree_size;
  for (uint64_t position : positions) {
    if (position == 0 || position > tree_size) {
      std::fprintf(stderr, "ledgerctl audit export: position %llu is not in the latest checkpoint "
                   "(tree size %llu)\n", static_cast<unsigned long long>(position),
                   static_cast<unsigned long long>(tree_size));
      return kExitFailed;
    }
    engagement::v1::GetInclusionProofRequest request;
    request.set_position(position);
    request.set_tree_size(tree_size);
    engagement::v1::GetInclusionProofResponse response;
    grpc::ClientContext context;
    SetDeadline(&context, options);
    grpc::Status status = stub.GetInclusionProof(&context, request, &response);
    if (!status.ok()) return Report(status, options);
    if (drop_personal && response.event().has_participant_registered()) {
      ++*excluded;
      continue;
    }
    audit::BundleEntry entry;
    entry.event = response.event();
    entry.canonical_record = response.canonical_record();
    entry.leaf_index = response.leaf_index();
    entry.tree_size = response.tree_size();
    entry.proof.assign(response.proof().begin(), response.proof().end());
    bundle->entries.push_back(std::move(entry));
    if (bundle->entries.size() % 1000 == 0) {
      std::fprintf(stderr, "  ... %zu events fetched\n", bundle->entries.size());
    }
  }
  return kExitOk;
}

// Writes the bundle, then checks what was written as an auditor would.
int WriteAndCheck(const Options& options, const VerifiedCheckpoint& checkpoint,
                  audit::Bundle& bundle) {
  bundle.checkpoint_note = checkpoint.note;
  bundle.verifier_key = checkpoint.verifier_key;
  // Every signature line but the ledger's own is a witness's cosignature (checked by audit check
  // with --witness_key; named in the manifest for people to read).
  absl::StatusOr<ledger::SplitNote> lines = ledger::SplitSignedNote(checkpoint.note);
  if (lines.ok()) {
    for (const ledger::NoteSignatureLine& line : lines->signatures) {
      if (line.key_name != checkpoint.checkpoint.origin) bundle.cosigned_by.push_back(line.key_name);
    }
  }
  absl::Status written = audit::WriteBundle(options.out, bundle);
  if (!written.ok()) {
    std::fprintf(stderr, "ledgerctl audit export: %s\n", std::string(written.message()).c_str());
    return kExitFailed;
  }
  absl::StatusOr<audit::CheckSummary> checked =
      audit::CheckBundle(options.out, checkpoint.verifier_key);
  if (!checked.ok()) {
    std::printf("FAILED: the server's answers do not verify (the bundle is left in %s for "
                "inspection): %s\n", options.out.c_str(), std::string(checked.status().message()).c_str());
    return kExitVerifyFailed;
  }
  std::printf("wrote %s: %llu events, each with its inclusion proof against the checkpoint of "
              "tree size %llu (root %s); checked OK\n",
              options.out.c_str(), static_cast<unsigned long long>(checked->events),
              static_cast<unsigned long long>(checkpoint.checkpoint.tree_size),
              ledger::ToHex(checkpoint.checkpoint.root_hash).c_str());
  std::printf("check it anywhere with: ledgerctl audit check %s --verifier_key='%s'\n",
              options.out.c_str(), checkpoint.verifier_key.c_str());
  if (checkpoint.key_from_server) {
    std::printf("note: the key is the server's own (GetPublicKey); auditors should compare it with "
                "the key the ledger's operator publishes\n");
  }
  return kExitOk;
}

std::string Now() { return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::Now(), absl::UTCTimeZone()); }

int ExportRange(const Options& options) {
  if (options.from_position == 0) return Usage("--from_position=A is required (from 1)");
  if (options.to_position != 0 && options.to_position < options.from_position) {
    return Usage("--to_position must not be below --from_position");
  }
  auto stub = ConnectAudit(options);
  VerifiedCheckpoint checkpoint;
  if (int code = FetchCheckpoint(options, *stub, &checkpoint, options.to_position);
      code != kExitOk) {
    return code;
  }
  const uint64_t to = options.to_position == 0 ? checkpoint.checkpoint.tree_size : options.to_position;
  if (to > checkpoint.checkpoint.tree_size || options.from_position > to) {
    std::fprintf(stderr, "ledgerctl audit export: positions %llu to %llu are not all in the latest "
                 "checkpoint (tree size %llu)\n",
                 static_cast<unsigned long long>(options.from_position),
                 static_cast<unsigned long long>(to),
                 static_cast<unsigned long long>(checkpoint.checkpoint.tree_size));
    return kExitFailed;
  }
  std::vector<uint64_t> positions;
  for (uint64_t p = options.from_position; p <= to; ++p) positions.push_back(p);
  audit::Bundle bundle;
  bundle.description = absl::StrCat("The events at positions ", options.from_position, " to ", to,
                                    " of the log ", checkpoint.checkpoint.origin,
                                    ", exported from ", options.server, " on ", Now(), ".\n");
  uint64_t excluded = 0;
  if (int code = FetchEntries(options, *stub, checkpoint, positions, false, &bundle, &excluded);
      code != kExitOk) {
    return code;
  }
  return WriteAndCheck(options, checkpoint, bundle);
}

// The positions of the decision's trace, and of the log's duty-to-involve assessments naming it
// and the invitations to its sessions and their engagements.
int EvidencePositions(const Options& options, const std::string& organisation,
                      std::set<uint64_t>* positions) {
  auto channel = Channel(options);
  auto reports = engagement::v1::ReportService::NewStub(channel);
  engagement::v1::GetTraceabilityRequest trace_request;
  trace_request.set_organisation(organisation);
  trace_request.set_decision_id(options.decision);
  engagement::v1::GetTraceabilityResponse trace;
  {
    grpc::ClientContext context;
    SetDeadline(&context, options);
    grpc::Status status = reports->GetTraceability(&context, trace_request, &trace);
    if (!status.ok()) return Report(status, options);
  }
  std::set<uint64_t> session_positions;
  positions->insert(trace.origin().position());
  for (const auto* steps : {&trace.linked(), &trace.feedback(), &trace.sessions()}) {
    for (const auto& step : *steps) positions->insert(step.position());
  }
  for (const auto& step : trace.sessions()) session_positions.insert(step.position());
  positions->erase(0);

  // One pass over the organisation's events of the kinds that matter.
  auto ledger_stub = engagement::v1::LedgerService::NewStub(channel);
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
  auto reader = ledger_stub->ReadLog(&context, request);
  engagement::v1::ReadLogResponse message;
  while (reader->Read(&message)) {
    const engagement::v1::Event& e = message.event();
    if (e.has_duty_to_involve_assessed() &&
        e.duty_to_involve_assessed().decision_id() == options.decision) {
      positions->insert(e.position());
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
  if (!status.ok()) return Report(status, options);
  for (const auto& e : sent) {
    const auto& invitation = e.invitation_sent();
    if (engagements.contains(invitation.engagement_id()) &&
        (invitation.session_id().empty() || sessions.contains(invitation.session_id()))) {
      positions->insert(e.position());
      invitations.insert(invitation.invitation_id());
    }
  }
  for (const auto& e : responded) {
    if (invitations.contains(e.invitation_responded().invitation_id())) positions->insert(e.position());
  }
  return kExitOk;
}

int ExportDecision(const Options& options) {
  if (options.organisations.size() != 1) return Usage("--decision needs --org=ODS (one code)");
  const std::string& organisation = options.organisations[0];
  std::set<uint64_t> wanted;
  if (int code = EvidencePositions(options, organisation, &wanted); code != kExitOk) return code;
  // A checkpoint that covers every event read.
  auto stub = ConnectAudit(options);
  VerifiedCheckpoint checkpoint;
  if (int code = FetchCheckpoint(options, *stub, &checkpoint, wanted.empty() ? 0 : *wanted.rbegin());
      code != kExitOk) {
    return code;
  }
  audit::Bundle bundle;
  bundle.description = absl::StrCat(
      "Evidence pack of decision ", options.decision, " of organisation ", organisation,
      "\nin the log ", checkpoint.checkpoint.origin, ", exported from ", options.server, " on ",
      Now(), ":\nthe decision, the insights it considered, the sessions they came from, the "
      "feedback given on it,\nthe duty-to-involve assessments naming it, and the invitations to "
      "those sessions and their\nengagements (and the answers to them). Events registering "
      "participants (participant_registered)\nare left out: they hold personal data. Each event "
      "is proved on its own, so the proofs of\nthe others hold without them.\n");
  uint64_t excluded = 0;
  std::vector<uint64_t> positions(wanted.begin(), wanted.end());
  if (int code = FetchEntries(options, *stub, checkpoint, positions, true, &bundle, &excluded);
      code != kExitOk) {
    return code;
  }
  if (excluded > 0) {
    std::fprintf(stderr, "ledgerctl: left out %llu participant_registered events (personal data)\n",
                 static_cast<unsigned long long>(excluded));
  }
  return WriteAndCheck(options, checkpoint, bundle);
}

}  // namespace

int AuditExport(const Options& options) {
  if (options.out.empty()) return Usage("--out=DIR is required (a new or empty directory)");
  if (!options.decision.empty()) {
    if (options.from_position != 0 || options.to_position != 0) {
      return Usage("give either --decision or --from_position/--to_position, not both");
    }
    return ExportDecision(options);
  }
  return ExportRange(options);
}

}  // namespace ctl
