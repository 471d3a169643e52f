// VerifyDataDirectory: the offline check of a whole log directory, trusting nothing but its bytes.
//
// It opens the directory read-only (no lock: a running ledgerd may own it), re-hashes every
// stored record and recomputes the chain and the RFC 9162 tree; the tree must pass through the
// root of every checkpoint the ledger stored (and, given the ledger's verifier key, each stored
// checkpoint must carry a valid signature by it) and end at the stored tree's root; the stream
// index must not refer beyond the end. Records are read on one thread while the chain and the tree
// of the previous chunk are checked on two others.
#ifndef ENGAGEMENT_LEDGER_DIRECTORY_VERIFIER_H_
#define ENGAGEMENT_LEDGER_DIRECTORY_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace ledger {

struct DirectoryVerifyOptions {
  // Called now and then with the number of events verified so far.
  std::function<void(uint64_t)> progress;
  // The ledger's verifier key (as `ledgerctl audit pubkey` prints it). When set, every stored
  // checkpoint must be a note signed by this key for its tree size and root; when empty, stored
  // checkpoints are checked by root only.
  std::string verifier_key;
};

struct DirectoryVerifyResult {
  uint64_t events = 0;       // records verified: positions 1..events
  uint64_t checkpoints = 0;  // stored checkpoints whose roots were checked
  bool signatures_checked = false;
};

// The first failure is DATA_LOSS "position N: ..." (for a checkpoint, N is its tree size);
// NOT_FOUND when there is no ledger in `directory`; another error when it cannot be read.
absl::StatusOr<DirectoryVerifyResult> VerifyDataDirectory(
    const std::string& directory, const DirectoryVerifyOptions& options = {});

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_DIRECTORY_VERIFIER_H_
