// ChainVerifier: recomputes the hash chain over records fed to it in log order and remembers the
// first position where stored history disagrees with itself.
//
// It trusts nothing it is given but the bytes: each record is re-hashed from its stored canonical
// bytes; the stored hash, the record's own position and its previous_hash must all agree with
// what the chain so far implies. Used offline over a data directory and online over records a
// server sends (ReadLog with include_canonical_record).
#ifndef ENGAGEMENT_LEDGER_CHAIN_VERIFIER_H_
#define ENGAGEMENT_LEDGER_CHAIN_VERIFIER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

class ChainVerifier {
 public:
  // Starts before position 1 (previous hash = 32 zero bytes).
  ChainVerifier();
  // Starts after `position`, whose hash is `hash` (verified by other means, e.g. a checkpoint).
  ChainVerifier(uint64_t position, std::string hash);

  // Feeds the record stored at `position` with its stored hash. Returns the first failure
  // (DATA_LOSS naming the position) and keeps returning it.
  absl::Status Add(uint64_t position, absl::string_view stored_hash,
                   absl::string_view canonical_record);

  // Checks that the chain ended at `head_position` with `head_hash` (what a server or the
  // database claims the head is): catches a truncated tail.
  absl::Status Finish(uint64_t head_position, absl::string_view head_hash);

  uint64_t verified() const { return verified_; }
  const std::string& last_hash() const { return last_hash_; }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status Fail(uint64_t position, absl::string_view why);

  uint64_t verified_ = 0;
  std::string last_hash_;
  std::string previous_hash_;  // scratch, reused across records
  absl::Status status_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_CHAIN_VERIFIER_H_
