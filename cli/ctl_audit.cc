#include "cli/ctl_audit.h"

#include <cstdio>
#include <fstream>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "absl/strings/strip.h"
#include "ledger/hash_chain.h"
#include "ledger/signed_note.h"
#include "audit/audit_bundle.h"

namespace ctl {

using engagement::v1::AuditService;

std::unique_ptr<AuditService::Stub> ConnectAudit(const Options& options) {
  return AuditService::NewStub(Channel(options));
}

namespace {

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  *out = std::string(std::istreambuf_iterator<char>(in), {});
  return true;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "ledgerctl %s\n", message.c_str());
  return kExitUsage;
}

int VerifyFailed(const std::string& message) {
  std::printf("FAILED: %s\n", message.c_str());
  return kExitVerifyFailed;
}

int Pubkey(const Options& options) {
  if (!options.key_file.empty()) {
    if (options.origin.empty()) {
      return Usage("audit pubkey: --key_file needs --origin=NAME (the log's origin, which is also "
                   "the key's name)");
    }
    absl::StatusOr<ledger::CheckpointSigner> signer =
        ledger::CheckpointSigner::Load(options.key_file, options.origin);
    if (!signer.ok()) {
      std::fprintf(stderr, "ledgerctl audit pubkey: %s\n", signer.status().ToString().c_str());
      return kExitFailed;
    }
    std::printf("%s\n", signer->VerifierKey().c_str());
    return kExitOk;
  }
  auto stub = ConnectAudit(options);
  grpc::ClientContext context;
  SetDeadline(&context, options);
  engagement::v1::GetPublicKeyResponse response;
  grpc::Status status = stub->GetPublicKey(&context, {}, &response);
  if (!status.ok()) return Report(status, options);
  absl::StatusOr<ledger::NoteVerifier> parsed = ledger::NoteVerifier::Parse(response.verifier_key());
  if (!parsed.ok()) {
    std::fprintf(stderr, "ledgerctl audit pubkey: the server's key is malformed: %s\n",
                 parsed.status().ToString().c_str());
    return kExitFailed;
  }
  std::printf("%s\n", response.verifier_key().c_str());
  return kExitOk;
}

int CheckpointCommand(const Options& options) {
  auto stub = ConnectAudit(options);
  VerifiedCheckpoint verified;
  if (int code = FetchCheckpoint(options, *stub, &verified); code != kExitOk) return code;
  const ledger::Checkpoint& c = verified.checkpoint;
  std::printf("checkpoint of %s\ntree size: %llu\nroot:      %s\nsignature: OK, checked against "
              "%s\n           %s\n",
              c.origin.c_str(), static_cast<unsigned long long>(c.tree_size),
              ledger::ToHex(c.root_hash).c_str(), KeySource(verified).c_str(),
              verified.verifier_key.c_str());
  if (verified.key_from_server) std::printf("%s\n", kServerKeyWarning);
  std::printf("\n%s", verified.note.c_str());
  if (int code = CheckWitnesses(options, verified.note); code != kExitOk) return code;
  if (!options.save.empty()) {
    std::ofstream out(options.save, std::ios::binary | std::ios::trunc);
    out << verified.note;
    out.close();
    if (!out) {
      std::fprintf(stderr, "ledgerctl audit checkpoint: cannot write %s\n", options.save.c_str());
      return kExitFailed;
    }
    std::fprintf(stderr, "ledgerctl: saved the checkpoint to %s; later, `ledgerctl verify "
                 "--checkpoint=%s` checks that the log only grew since\n",
                 options.save.c_str(), options.save.c_str());
  }
  return kExitOk;
}

int CheckCommand(const std::vector<std::string>& args, const Options& options) {
  if (args.size() != 1) return Usage("audit check: give the bundle directory: audit check DIR");
  ledger::WitnessPolicy policy;
  if (int code = ParseWitnessPolicy(options, &policy); code != kExitOk) return code;
  absl::StatusOr<audit::CheckSummary> summary = audit::CheckBundle(args[0], options.verifier_key);
  if (!summary.ok()) {
    if (absl::IsDataLoss(summary.status())) {
      return VerifyFailed(absl::StrCat(args[0], ": ", summary.status().message()));
    }
    std::fprintf(stderr, "ledgerctl audit check: %s\n", std::string(summary.status().message()).c_str());
    return absl::IsInvalidArgument(summary.status()) ? kExitUsage : kExitFailed;
  }
  const ledger::Checkpoint& c = summary->checkpoint;
  std::printf("checkpoint.note: origin %s, tree size %llu, root %s\n", c.origin.c_str(),
              static_cast<unsigned long long>(c.tree_size), ledger::ToHex(c.root_hash).c_str());
  if (summary->key_from_bundle) {
    std::printf("  signature: OK against the bundle's own verifier_key.txt:\n    %s\n"
                "WARNING: that key came with the bundle, so the signature proves nothing until you "
                "compare the key with the one you trust (published by the ledger's operator), or "
                "pass it as --verifier_key=K.\n",
                summary->verifier_key.c_str());
  } else {
    std::printf("  signature: OK against the key you gave (--verifier_key):\n    %s\n",
                summary->verifier_key.c_str());
    if (summary->bundle_key_differs) {
      std::printf("  note: the bundle's verifier_key.txt holds another key; it was not used\n");
    }
  }
  std::printf("events.jsonl, proofs.jsonl: %llu events", static_cast<unsigned long long>(summary->events));
  if (summary->events > 0) {
    std::printf(" (positions %llu to %llu)", static_cast<unsigned long long>(summary->first_position),
                static_cast<unsigned long long>(summary->last_position));
  }
  std::printf(
      "\n  each: leaf SHA-256(0x00 || canonical record) proved (RFC 9162 inclusion) against the "
      "checkpoint's root at leaf position-1 of tree size %llu; the record's position and event id "
      "are its line's; the JSON shown equals the record, hash = SHA-256(previous_hash || record)\n"
      "OK: %s verifies\n",
      static_cast<unsigned long long>(c.tree_size), args[0].c_str());
  std::string note;
  ReadWholeFile(args[0] + "/" + audit::kCheckpointFile, &note);
  return CheckWitnesses(options, note);
}

}  // namespace

int CheckSignedCheckpoint(const engagement::v1::SignedCheckpoint& signed_checkpoint,
                          const std::string& key, VerifiedCheckpoint* out) {
  absl::StatusOr<ledger::Checkpoint> checkpoint =
      ledger::ParseAndVerify(signed_checkpoint.note(), key);
  if (!checkpoint.ok()) {
    return VerifyFailed(absl::StrCat("the server's checkpoint is not signed by ", key, ": ",
                                     checkpoint.status().message()));
  }
  if (checkpoint->tree_size != signed_checkpoint.tree_size() ||
      checkpoint->root_hash != signed_checkpoint.root_hash()) {
    return VerifyFailed(absl::StrCat(
        "the server's checkpoint response says tree size ", signed_checkpoint.tree_size(),
        " root ", ledger::ToHex(signed_checkpoint.root_hash()), " but its signed note says ",
        checkpoint->tree_size, " root ", ledger::ToHex(checkpoint->root_hash)));
  }
  out->checkpoint = *checkpoint;
  out->note = signed_checkpoint.note();
  out->verifier_key = key;
  return kExitOk;
}

std::string KeySource(const VerifiedCheckpoint& checkpoint) {
  return checkpoint.key_from_server ? "the server's own key (GetPublicKey)" : "--verifier_key";
}

int ParseWitnessPolicy(const Options& options, ledger::WitnessPolicy* policy) {
  if (options.witness_keys.empty()) {
    if (options.witness_quorum != 0) return Usage("--witness_quorum needs --witness_key");
    return kExitOk;
  }
  if (options.witness_quorum < 0) return Usage("--witness_quorum is a number of witnesses");
  absl::StatusOr<ledger::WitnessPolicy> parsed =
      ledger::WitnessPolicy::Parse(options.witness_keys, options.witness_quorum);
  if (!parsed.ok()) return Usage(std::string(parsed.status().message()));
  *policy = *std::move(parsed);
  return kExitOk;
}

int CheckWitnesses(const Options& options, const std::string& note) {
  ledger::WitnessPolicy policy;
  if (int code = ParseWitnessPolicy(options, &policy); code != kExitOk) return code;
  if (policy.empty()) return kExitOk;
  absl::StatusOr<std::vector<ledger::WitnessedBy>> cosigned = policy.Check(note);
  if (!cosigned.ok()) {
    return VerifyFailed(absl::StrCat("the checkpoint does not meet the witness policy, ",
                                     policy.Describe(), ": ", cosigned.status().message()));
  }
  std::vector<std::string> who;
  for (const ledger::WitnessedBy& w : *cosigned) {
    who.push_back(absl::StrCat(w.witness, " at ",
                               absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                                absl::FromUnixSeconds(static_cast<int64_t>(w.timestamp)),
                                                absl::UTCTimeZone())));
  }
  std::printf("witnesses: OK, cosigned by %zu (policy: %s): %s\n", cosigned->size(),
              policy.Describe().c_str(), absl::StrJoin(who, "; ").c_str());
  return kExitOk;
}

int CheckGivenVerifierKey(const Options& options) {
  if (options.verifier_key.empty()) return kExitOk;
  absl::StatusOr<ledger::NoteVerifier> parsed = ledger::NoteVerifier::Parse(options.verifier_key);
  if (!parsed.ok()) {
    std::fprintf(stderr, "ledgerctl: --verifier_key is malformed: %s\n",
                 std::string(parsed.status().message()).c_str());
    return kExitUsage;
  }
  return kExitOk;
}

int FetchVerifierKey(const Options& options, AuditService::Stub& stub, std::string* key,
                     bool* from_server) {
  if (!options.verifier_key.empty()) {
    if (int code = CheckGivenVerifierKey(options); code != kExitOk) return code;
    *key = options.verifier_key;
    *from_server = false;
    return kExitOk;
  }
  grpc::ClientContext context;
  SetDeadline(&context, options);
  engagement::v1::GetPublicKeyResponse response;
  grpc::Status status = stub.GetPublicKey(&context, {}, &response);
  if (!status.ok()) return Report(status, options);
  *key = response.verifier_key();
  *from_server = true;
  return kExitOk;
}

int FetchCheckpoint(const Options& options, AuditService::Stub& stub, VerifiedCheckpoint* out,
                    uint64_t covering) {
  std::string key;
  bool from_server = false;
  if (int code = FetchVerifierKey(options, stub, &key, &from_server); code != kExitOk) return code;
  engagement::v1::SignedCheckpoint checkpoint;
  {
    grpc::ClientContext context;
    SetDeadline(&context, options);
    engagement::v1::GetCheckpointResponse response;
    grpc::Status status = stub.GetCheckpoint(&context, {}, &response);
    if (!status.ok()) return Report(status, options);
    checkpoint = response.checkpoint();
  }
  if (checkpoint.tree_size() < covering) {
    // The latest checkpoint trails the events wanted (it is signed at most once a second for
    // readers): ask for one of the head now.
    grpc::ClientContext context;
    SetDeadline(&context, options);
    engagement::v1::SignCheckpointResponse response;
    grpc::Status status = stub.SignCheckpoint(&context, {}, &response);
    if (!status.ok()) return Report(status, options);
    checkpoint = response.checkpoint();
  }
  out->key_from_server = from_server;
  return CheckSignedCheckpoint(checkpoint, key, out);
}

int AuditCommand(const std::string& what, const std::vector<std::string>& args,
                 const Options& options) {
  if (what == "pubkey") return Pubkey(options);
  if (what == "checkpoint") return CheckpointCommand(options);
  if (what == "export") return AuditExport(options);
  if (what == "check") return CheckCommand(args, options);
  return Usage("audit: say pubkey, checkpoint, export or check");
}

// ---- ledgerctl verify (online): the checkpoint half ----

int CheckpointVerification::Begin() {
  auto stub = ConnectAudit(options_);
  std::string saved_note;
  if (!options_.checkpoint_file.empty() && !ReadWholeFile(options_.checkpoint_file, &saved_note)) {
    return Usage(absl::StrCat("verify: cannot read --checkpoint=", options_.checkpoint_file));
  }
  engagement::v1::GetCheckpointResponse response;
  {
    // A checkpoint of the head if the ledger will sign one for us (it signs only when the head
    // has moved), else the latest it has (which may trail the head by a second of appends).
    grpc::ClientContext sign_context;
    SetDeadline(&sign_context, options_);
    engagement::v1::SignCheckpointResponse signed_now;
    grpc::Status status = stub->SignCheckpoint(&sign_context, {}, &signed_now);
    const bool not_allowed = status.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
                             status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
                             status.error_code() == grpc::StatusCode::UNAUTHENTICATED;
    // Only a server that will not sign for us is asked for its latest instead; any other
    // refusal (DATA_LOSS above all) is reported as it is, not papered over.
    if (status.ok()) {
      *response.mutable_checkpoint() = signed_now.checkpoint();
    } else if (not_allowed) {
      grpc::ClientContext context;
      SetDeadline(&context, options_);
      status = stub->GetCheckpoint(&context, {}, &response);
    }
    if (status.ok()) {
      have_checkpoint_ = true;
    } else if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
               status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
               status.error_code() == grpc::StatusCode::NOT_FOUND) {
      no_checkpoint_reason_ = status.error_message();
    } else {
      return Report(status, options_);
    }
  }
  roots_[0] = ledger::MerkleEmptyRootHash();
  if (!have_checkpoint_ && saved_note.empty()) return -1;
  std::string key;
  bool from_server = false;
  if (int code = FetchVerifierKey(options_, *stub, &key, &from_server); code != kExitOk) return code;
  latest_.key_from_server = from_server;
  latest_.verifier_key = key;
  if (have_checkpoint_) {
    int code = CheckSignedCheckpoint(response.checkpoint(), key, &latest_);
    if (code != kExitOk) return code;
    roots_.emplace(latest_.checkpoint.tree_size, "");
  }
  if (saved_note.empty()) return -1;
  const std::string& file = options_.checkpoint_file;
  absl::StatusOr<ledger::Checkpoint> saved = ledger::ParseAndVerify(saved_note, key);
  if (!saved.ok()) {
    return VerifyFailed(absl::StrCat("the saved checkpoint ", file, " is not a checkpoint signed by ",
                                     key, ": ", saved.status().message()));
  }
  have_saved_ = true;
  saved_ = *saved;
  roots_.emplace(saved_.tree_size, "");
  const std::string rewritten = absl::StrCat(
      "the log has been rewritten since that checkpoint (", file, ": tree size ", saved_.tree_size,
      ", root ", ledger::ToHex(saved_.root_hash), "): ");
  if (!have_checkpoint_) return -1;  // Finish still compares the saved root with the events
  const ledger::Checkpoint& latest = latest_.checkpoint;
  if (saved_.tree_size > latest.tree_size) {
    return VerifyFailed(absl::StrCat(rewritten, "the server's latest checkpoint has only ",
                                     latest.tree_size, " events, and a log never shrinks"));
  }
  engagement::v1::GetConsistencyProofRequest request;
  request.set_old_size(saved_.tree_size);
  request.set_new_size(latest.tree_size);
  engagement::v1::GetConsistencyProofResponse proof;
  grpc::ClientContext context;
  SetDeadline(&context, options_);
  grpc::Status status = stub->GetConsistencyProof(&context, request, &proof);
  if (!status.ok()) return Report(status, options_);
  if (proof.old_size() != saved_.tree_size || proof.new_size() != latest.tree_size ||
      (!proof.new_root_hash().empty() && proof.new_root_hash() != latest.root_hash)) {
    return VerifyFailed(absl::StrCat(
        "the server answered a consistency proof for sizes ", proof.old_size(), " to ",
        proof.new_size(), " (root ", ledger::ToHex(proof.new_root_hash()), ") when asked for ",
        saved_.tree_size, " to ", latest.tree_size));
  }
  std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
  absl::Status consistent = ledger::VerifyConsistency(saved_.tree_size, latest.tree_size, hashes,
                                                      saved_.root_hash, latest.root_hash);
  if (!consistent.ok()) {
    return VerifyFailed(absl::StrCat(rewritten, "the consistency proof to the latest checkpoint "
                                     "(tree size ", latest.tree_size, ") does not verify: ",
                                     consistent.message()));
  }
  consistency_line_ = absl::StrCat(
      "consistency: the saved checkpoint ", file, " (tree size ", saved_.tree_size,
      ") is a prefix of the latest (tree size ", latest.tree_size, "): RFC 9162 consistency proof "
      "of ", hashes.size(), " hashes verified");
  return -1;
}

void CheckpointVerification::Add(absl::string_view canonical_record) {
  pending_.push_back(ledger::MerkleLeafHash(canonical_record));
  if (pending_.size() >= 4096 || roots_.contains(appender_.size() + pending_.size())) Flush();
}

void CheckpointVerification::Flush() {
  if (pending_.empty()) return;
  (void)appender_.Append(pending_);  // only fails on hashes that are not 32 bytes
  pending_.clear();
  auto it = roots_.find(appender_.size());
  if (it != roots_.end()) it->second = appender_.RootHash();
}

absl::Status CheckpointVerification::Finish(std::vector<std::string>* lines) {
  Flush();
  const uint64_t served = appender_.size();
  lines->push_back(absl::StrCat("Merkle root (RFC 9162) of the ", served,
                                " events, computed client-side: ",
                                ledger::ToHex(appender_.RootHash())));
  auto root_at = [&](uint64_t size) -> const std::string* {
    auto it = roots_.find(size);
    return it == roots_.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (have_checkpoint_) {
    const ledger::Checkpoint& latest = latest_.checkpoint;
    const std::string* root = root_at(latest.tree_size);
    if (root == nullptr) {
      return absl::DataLossError(absl::StrCat("the server's signed checkpoint has tree size ",
                                              latest.tree_size, " but only ", served,
                                              " events were served"));
    }
    if (*root != latest.root_hash) {
      return absl::DataLossError(absl::StrCat(
          "the server's signed checkpoint (tree size ", latest.tree_size, ") has root ",
          ledger::ToHex(latest.root_hash), " but the first ", latest.tree_size,
          " events served give root ", ledger::ToHex(*root)));
    }
    lines->push_back(absl::StrCat("checkpoint: tree size ", latest.tree_size, ", root ",
                                  ledger::ToHex(latest.root_hash),
                                  ": matches the events served; signed by ", latest.origin,
                                  ", checked against ", KeySource(latest_), ":"));
    lines->push_back(absl::StrCat("  ", latest_.verifier_key));
    if (latest_.key_from_server) lines->push_back(kServerKeyWarning);
  } else {
    lines->push_back(absl::StrCat("note: no signed checkpoint to check the root against (",
                                  no_checkpoint_reason_, ")"));
  }
  if (have_saved_) {
    const std::string* root = root_at(saved_.tree_size);
    std::string rewritten = absl::StrCat(
        "the log has been rewritten since that checkpoint (", options_.checkpoint_file,
        ": tree size ", saved_.tree_size, ", root ", ledger::ToHex(saved_.root_hash), "): ");
    if (root == nullptr) {
      return absl::DataLossError(absl::StrCat(rewritten, "only ", served, " events were served"));
    }
    if (*root != saved_.root_hash) {
      return absl::DataLossError(absl::StrCat(rewritten, "the first ", saved_.tree_size,
                                              " events served now give root ",
                                              ledger::ToHex(*root)));
    }
    if (!consistency_line_.empty()) lines->push_back(consistency_line_);
    lines->push_back(absl::StrCat("saved checkpoint ", options_.checkpoint_file, ": the first ",
                                  saved_.tree_size, " events served give its root"));
  }
  return absl::OkStatus();
}

}  // namespace ctl
