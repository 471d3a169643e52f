#include "services/checkpoint_start.h"

#include <cstdio>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/merkle_tree.h"
#include "services/logging.h"

namespace services {
namespace {

namespace fs = std::filesystem;

bool Inside(const std::string& file, const std::string& directory) {
  std::error_code error;
  std::string dir = fs::weakly_canonical(directory, error).string() + "/";
  return absl::StartsWith(fs::weakly_canonical(file, error).string(), dir);
}

// The key file to use, created in local mode on first start.
absl::StatusOr<std::string> SigningKeyFile(const ServerOptions& options,
                                           const ledger::RocksDbEventLog& log) {
  const bool local = options.security.insecure_local;
  if (!local) {
    if (options.checkpoint_key_file.empty()) {
      return absl::FailedPreconditionError(
          "--checkpoint_key is required: the Ed25519 key that signs checkpoints, kept outside the "
          "data directory (create one with `openssl genpkey -algorithm ed25519 -out FILE`; "
          "docs/audit.md section 1)");
    }
    if (Inside(options.checkpoint_key_file, options.data_dir)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--checkpoint_key ", options.checkpoint_key_file, " is inside the data directory ",
          options.data_dir, ": keep the signing key apart from the data it vouches for"));
    }
    if (!fs::exists(options.checkpoint_key_file)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--checkpoint_key ", options.checkpoint_key_file, " does not exist (create it with "
          "`openssl genpkey -algorithm ed25519 -out FILE` and publish its verifier key: "
          "`ledgerctl audit pubkey --key_file=FILE --origin=", options.checkpoint_origin, "`)"));
    }
    return options.checkpoint_key_file;
  }
  std::string key_file = options.checkpoint_key_file.empty()
                             ? options.data_dir + "/checkpoint.key"
                             : options.checkpoint_key_file;
  if (!fs::exists(key_file)) {
    absl::StatusOr<std::optional<ledger::StoredCheckpoint>> signed_before = log.LatestCheckpoint();
    if (!signed_before.ok()) return signed_before.status();
    if (signed_before->has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint key ", key_file, " is missing, but this ledger has signed checkpoints with "
          "a key: give its file with --checkpoint_key (a new key would break auditors' trust)"));
    }
    absl::Status created = ledger::CheckpointSigner::GenerateKeyFile(key_file);
    if (!created.ok()) return created;
    LogInfo(absl::StrCat("created a new checkpoint signing key in ", key_file));
  }
  return key_file;
}

}  // namespace

absl::StatusOr<CheckpointStart> StartCheckpoints(const ServerOptions& options,
                                                 ledger::RocksDbEventLog* log,
                                                 ServingHealth* health) {
  CheckpointStart start;
  absl::StatusOr<std::string> key_file = SigningKeyFile(options, *log);
  if (!key_file.ok()) return key_file.status();
  start.key_file = *key_file;
  absl::StatusOr<ledger::CheckpointSigner> signer =
      ledger::CheckpointSigner::Load(start.key_file, options.checkpoint_origin);
  if (!signer.ok()) return signer.status();
  start.checkpointer = std::make_unique<ledger::Checkpointer>(log, &log->tree_store(), log,
                                                              *std::move(signer));
  absl::StatusOr<uint64_t> verified = start.checkpointer->VerifySinceLatest();
  if (!verified.ok()) return verified.status();
  start.verified = *verified;

  if (!options.witnesses_file.empty()) {
    absl::StatusOr<std::vector<WitnessEndpoint>> witnesses =
        ReadWitnessesFile(options.witnesses_file);
    if (!witnesses.ok()) return witnesses.status();
    absl::StatusOr<std::unique_ptr<CheckpointWitnessing>> witnessing =
        CheckpointWitnessing::Create(*witnesses, options.witness_ca_file, log, log, health);
    if (!witnessing.ok()) return witnessing.status();
    start.witnessing = *std::move(witnessing);
    // Ask the witnesses before signing anything new: the newest checkpoint kept here, or the
    // empty tree's when none is.
    absl::StatusOr<std::optional<ledger::StoredCheckpoint>> latest = log->LatestCheckpoint();
    if (!latest.ok()) return latest.status();
    ledger::StoredCheckpoint probe;
    if (latest->has_value()) {
      probe = **latest;
    } else {
      ledger::Checkpoint empty{options.checkpoint_origin, 0, ledger::MerkleEmptyRootHash(), {}};
      absl::StatusOr<std::string> note = start.checkpointer->SignUnsaved(empty);
      if (!note.ok()) return note.status();
      probe = {0, empty.root_hash, *note};
    }
    absl::Status checked = start.witnessing->CheckAtStart(probe, latest->has_value());
    if (!checked.ok()) return checked;
    CheckpointWitnessing* witnessing_ptr = start.witnessing.get();
    start.checkpointer->SetWitnessing(
        [witnessing_ptr](const ledger::StoredCheckpoint& checkpoint) {
          return witnessing_ptr->Witness(checkpoint);
        });
  }
  absl::StatusOr<ledger::StoredCheckpoint> signed_head = start.checkpointer->SignHead(absl::Now());
  if (!signed_head.ok() && !absl::IsFailedPrecondition(signed_head.status())) {
    return signed_head.status();
  }
  return start;
}

}  // namespace services
