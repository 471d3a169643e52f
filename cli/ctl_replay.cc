// ledgerctl replay: a projection as it stood at a past point, and the signed checkpoint that
// covers that point, its signature checked, with the proof that the point's event is in it.
//
//   ledgerctl replay --as_of=POSITION|DATE --org=QWE [--from=YYYY-MM-DD --to=YYYY-MM-DD]
//                    [--verifier_key=K] [--state_digest=D]
//
// The signature is checked as online `ledgerctl verify` checks it (ctl_audit.h): against K, else
// against the server's own key with a WARNING that this shows only consistency with that key.
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "ledger/checkpoint.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"
#include "cli/ctl_audit.h"
#include "cli/ctl_commands.h"
#include "cli/ctl_reports.h"

namespace ctl {

int ReplayCommand(const ReportOptions& options) {
  if (options.as_of.empty() || options.organisation.empty()) {
    std::fprintf(stderr, "ledgerctl replay: --as_of (a position or a date) and --org are required\n");
    return kExitUsage;
  }
  // The key is chosen, and a given one checked, as by the audit commands.
  Options key_options;
  key_options.server = options.server;
  key_options.timeout_seconds = options.timeout_seconds;
  key_options.verifier_key = options.verifier_key;
  key_options.witness_keys = options.witness_keys;
  key_options.witness_quorum = options.witness_quorum;
  ledger::WitnessPolicy policy;
  if (int code = ParseWitnessPolicy(key_options, &policy); code != kExitOk) return code;
  if (int code = CheckGivenVerifierKey(key_options); code != kExitOk) return code;
  ReportOptions report = options;
  if (report.from.empty()) report.from = "1900-01-01";
  if (report.to.empty()) report.to = "9999-12-31";
  report.format = "json";
  report.as_of_from_log = true;
  // The report replays the log up to the point into a fresh projection, in memory, on the
  // server: independent of the projection's stored state.
  std::printf("The evidence projection as it stood at --as_of=%s:\n", options.as_of.c_str());
  std::fflush(stdout);
  int code = ReportCommand("assurance", report);
  if (code != kExitOk) return code;

  auto channel = Channel(options.server, options.credentials);
  auto reports = engagement::v1::ReportService::NewStub(channel);
  auto audit = engagement::v1::AuditService::NewStub(channel);
  // The position the report reflects.
  engagement::v1::GetAssuranceReportRequest request;
  request.set_organisation(report.organisation);
  request.set_period_start(report.from);
  request.set_period_end(report.to);
  ParseAsOf(options.as_of, request.mutable_as_of());  // checked by ReportCommand above
  // A replay of the log itself, not the read model's history: what a digest is checked against.
  request.mutable_as_of()->set_from_log(true);
  grpc::ClientContext context;
  engagement::v1::GetAssuranceReportResponse response;
  grpc::Status asked = reports->GetAssuranceReport(&context, request, &response);
  if (!asked.ok()) {
    std::fprintf(stderr, "ledgerctl replay: %s\n", asked.error_message().c_str());
    return kExitFailed;
  }
  uint64_t position = response.report().provenance().position();
  if (!options.state_digest.empty()) {
    // The digest of the state the replay computed, against the one the report carried.
    const std::string& digest = response.report().provenance().state_digest();
    std::string given = options.state_digest;
    bool same = given == ledger::ToHex(digest) || given == absl::Base64Escape(digest);
    if (!same) {
      std::printf("FAILED: the log replayed to position %llu gives state digest %s, not %s: the "
                  "report was not computed from what the log says (or not at this position)\n",
                  static_cast<unsigned long long>(position), ledger::ToHex(digest).c_str(),
                  given.c_str());
      return kExitVerifyFailed;
    }
    std::printf("state digest: OK, the log replayed to position %llu gives %s, as the report "
                "says\n",
                static_cast<unsigned long long>(position), ledger::ToHex(digest).c_str());
  }
  grpc::ClientContext list_context;
  engagement::v1::ListCheckpointsResponse checkpoints;
  grpc::Status listed = audit->ListCheckpoints(&list_context, {}, &checkpoints);
  if (!listed.ok()) {
    std::fprintf(stderr, "ledgerctl replay: %s\n", listed.error_message().c_str());
    return kExitFailed;
  }
  const engagement::v1::SignedCheckpoint* covering = nullptr;
  for (const auto& c : checkpoints.checkpoints()) {
    if (c.tree_size() >= position) {
      covering = &c;
      break;
    }
  }
  engagement::v1::SignCheckpointResponse fresh;
  if (covering == nullptr) {
    // Nothing signed covers it yet: ask the ledger to sign its head now.
    grpc::ClientContext sign_context;
    grpc::Status signed_now = audit->SignCheckpoint(&sign_context, {}, &fresh);
    if (!signed_now.ok() || fresh.checkpoint().tree_size() < position) {
      std::printf("No signed checkpoint covers position %llu.\n",
                  static_cast<unsigned long long>(position));
      return signed_now.ok() ? kExitOk : kExitFailed;
    }
    covering = &fresh.checkpoint();
  }
  std::printf("Covered by the checkpoint of tree size %llu (root %s):\n%s",
              static_cast<unsigned long long>(covering->tree_size()),
              ledger::ToHex(covering->root_hash()).c_str(), covering->note().c_str());
  // Nothing below is worth more than the signature: check it before the proof that relies on it.
  std::string key;
  bool key_from_server = false;
  if (int code = FetchVerifierKey(key_options, *audit, &key, &key_from_server); code != kExitOk) {
    return code;
  }
  VerifiedCheckpoint signed_by;
  if (int code = CheckSignedCheckpoint(*covering, key, &signed_by); code != kExitOk) return code;
  signed_by.key_from_server = key_from_server;
  std::printf("signature: OK, checked against %s\n           %s\n", KeySource(signed_by).c_str(),
              signed_by.verifier_key.c_str());
  if (signed_by.key_from_server) std::printf("%s\n", kServerKeyWarning);
  if (int code = CheckWitnesses(key_options, covering->note()); code != kExitOk) return code;
  const ledger::Checkpoint& checkpoint = signed_by.checkpoint;
  if (position == 0) return kExitOk;
  // Prove the event at the position (whose hash the report's provenance names) is in that tree.
  engagement::v1::GetInclusionProofRequest proof_request;
  proof_request.set_position(position);
  proof_request.set_tree_size(checkpoint.tree_size);
  grpc::ClientContext proof_context;
  engagement::v1::GetInclusionProofResponse proof;
  grpc::Status proved = audit->GetInclusionProof(&proof_context, proof_request, &proof);
  if (!proved.ok()) {
    std::fprintf(stderr, "ledgerctl replay: %s\n", proved.error_message().c_str());
    return kExitFailed;
  }
  std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
  absl::Status verified = ledger::VerifyInclusion(ledger::MerkleLeafHash(proof.canonical_record()),
                                                  position - 1, checkpoint.tree_size, hashes,
                                                  checkpoint.root_hash);
  bool same_event = proof.event().hash() == response.report().provenance().head_hash();
  if (!verified.ok() || !same_event) {
    std::printf("FAILED: the event at position %llu is not proved in that checkpoint: %s\n",
                static_cast<unsigned long long>(position),
                verified.ok() ? "its hash differs from the report's" : std::string(verified.message()).c_str());
    return kExitVerifyFailed;
  }
  std::printf("The event at position %llu (hash %s) is in that checkpoint: inclusion proof of %zu "
              "hashes verified.\n",
              static_cast<unsigned long long>(position),
              ledger::ToHex(proof.event().hash()).c_str(), hashes.size());
  return kExitOk;
}

}  // namespace ctl
