// VerifyDataDirectory: the offline check of a whole log directory, trusting nothing but its bytes.
//
// It opens the directory read-only (no lock: a running ledgerd may own it), re-hashes every
// stored record and recomputes the chain and the RFC 9162 tree; every checkpoint the ledger
// stored must carry a valid signature by the key given (DirectoryVerifyOptions), for the tree
// size and root it is stored with, and the tree must pass through each one's root; every stored
// Merkle node must be the node the records make (the first that is not names the first position
// it covers), and none may lie beyond the records; the stream index, the id index and the stream
// heads must be exactly those of the records (index_verifier.h); with a guard, its stored state
// must be the one the records make (guard_state_verifier.h). Records are read on one thread
// while the chain (and the indexes' digests) and the tree of the previous chunk are checked on
// two others; memory does not grow with the log.
#ifndef ENGAGEMENT_LEDGER_DIRECTORY_VERIFIER_H_
#define ENGAGEMENT_LEDGER_DIRECTORY_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "ledger/append_guard.h"
#include "ledger/cosignature.h"

namespace ledger {

struct DirectoryVerifyOptions {
  // Called now and then with the number of events verified so far.
  std::function<void(uint64_t)> progress;
  // The key every stored checkpoint's signature is checked with, one of:
  // - verifier_key: the ledger's verifier key (as `ledgerctl audit pubkey` prints it), which an
  //   auditor obtained from somewhere they trust;
  // - key_file (when verifier_key is empty): the ledger's signing key file (PEM, as ledgerd keeps
  //   it in DATA_DIR/checkpoint.key); its public key checks the signatures, named by the origin
  //   of the first stored checkpoint. A key found beside the data shows only that the data agrees
  //   with itself: whoever could rewrite the data could have used that key too.
  // With neither, a directory that holds checkpoints is refused (FAILED_PRECONDITION) before any
  // record is checked: stored checkpoints are never taken on their roots alone.
  std::string verifier_key;
  std::string key_file;
  // The append guard whose stored state is checked against the records (guard_state_verifier.h),
  // rebuilt in `scratch_directory` (created and removed). Null skips that check.
  AppendGuard* guard = nullptr;
  std::string scratch_directory;
  // When given (not owned): the newest stored checkpoint must be cosigned by the policy's quorum
  // of witnesses (cosignature.h), and no stored checkpoint may carry a cosignature line of one of
  // its witnesses that does not verify.
  const WitnessPolicy* witnesses = nullptr;
};

struct DirectoryVerifyResult {
  uint64_t events = 0;       // records verified: positions 1..events
  uint64_t checkpoints = 0;  // stored checkpoints, each checked by signature and root
  // The verifier key the signatures were checked with (from verifier_key, or made from key_file);
  // empty when no checkpoint is stored.
  std::string verifier_key;
  // With a witness policy: the newest checkpoint's size and who cosigned it.
  uint64_t newest_checkpoint = 0;
  std::vector<WitnessedBy> witnessed_by;
};

// The first failure is DATA_LOSS "position N: ..." (for a checkpoint, N is its tree size);
// NOT_FOUND when there is no ledger in `directory`; FAILED_PRECONDITION when checkpoints are
// stored and no key was given; INVALID_ARGUMENT when the key given is malformed or the key file
// cannot be loaded; another error when the directory cannot be read.
absl::StatusOr<DirectoryVerifyResult> VerifyDataDirectory(
    const std::string& directory, const DirectoryVerifyOptions& options = {});

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_DIRECTORY_VERIFIER_H_
