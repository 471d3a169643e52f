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
#include "audit/bundle_fetch.h"
#include "ledger/signed_note.h"
#include "cli/ctl_audit.h"

namespace ctl {
namespace {

using engagement::v1::AuditService;

int Usage(const std::string& message) {
  std::fprintf(stderr, "ledgerctl audit export: %s\n", message.c_str());
  return kExitUsage;
}

// Each position's event, record and inclusion proof against `checkpoint` (audit/bundle_fetch.h).
int FetchEntries(const Options& options, const VerifiedCheckpoint& checkpoint,
                 const std::vector<uint64_t>& positions, bool drop_personal, audit::Bundle* bundle,
                 uint64_t* excluded) {
  absl::Status fetched = audit::FetchEntries(
      Channel(options), [&options](grpc::ClientContext& context) { SetDeadline(&context, options); },
      checkpoint.checkpoint.tree_size, positions, drop_personal, bundle, excluded,
      [](size_t count) { std::fprintf(stderr, "  ... %zu events fetched\n", count); });
  if (fetched.ok()) return kExitOk;
  if (fetched.code() == absl::StatusCode::kFailedPrecondition) {
    std::fprintf(stderr, "ledgerctl audit export: %s\n", std::string(fetched.message()).c_str());
    return kExitFailed;
  }
  return Report(grpc::Status(static_cast<grpc::StatusCode>(fetched.code()),
                             std::string(fetched.message())),
                options);
}

// Writes the bundle, then checks what was written as an auditor would.
int WriteAndCheck(const Options& options, const VerifiedCheckpoint& checkpoint,
                  audit::Bundle& bundle) {
  bundle.checkpoint_note = checkpoint.note;
  bundle.verifier_key = checkpoint.verifier_key;
  // Every signature line but the ledger's own is a witness's cosignature (checked by audit check
  // with --witness_key; named in the manifest for people to read).
  bundle.cosigned_by = audit::CosignersOf(checkpoint.note, checkpoint.checkpoint.origin);
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
  if (int code = FetchEntries(options, checkpoint, positions, false, &bundle, &excluded);
      code != kExitOk) {
    return code;
  }
  return WriteAndCheck(options, checkpoint, bundle);
}

int ExportDecision(const Options& options) {
  if (options.organisations.size() != 1) return Usage("--decision needs --org=ODS (one code)");
  const std::string& organisation = options.organisations[0];
  absl::StatusOr<std::set<uint64_t>> evidence = audit::EvidencePositions(
      Channel(options), [&options](grpc::ClientContext& context) { SetDeadline(&context, options); },
      organisation, options.decision);
  if (!evidence.ok()) {
    return Report(grpc::Status(static_cast<grpc::StatusCode>(evidence.status().code()),
                               std::string(evidence.status().message())),
                  options);
  }
  const std::set<uint64_t>& wanted = *evidence;
  // A checkpoint that covers every event read.
  auto stub = ConnectAudit(options);
  VerifiedCheckpoint checkpoint;
  if (int code = FetchCheckpoint(options, *stub, &checkpoint, wanted.empty() ? 0 : *wanted.rbegin());
      code != kExitOk) {
    return code;
  }
  audit::Bundle bundle;
  bundle.description = audit::EvidencePackDescription(
      options.decision, organisation, checkpoint.checkpoint.origin, options.server, Now());
  uint64_t excluded = 0;
  std::vector<uint64_t> positions(wanted.begin(), wanted.end());
  if (int code = FetchEntries(options, checkpoint, positions, true, &bundle, &excluded);
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
