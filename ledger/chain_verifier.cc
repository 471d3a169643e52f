#include "ledger/chain_verifier.h"

#include "absl/strings/str_cat.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"

namespace ledger {

ChainVerifier::ChainVerifier() : last_hash_(GenesisHash()) {}

ChainVerifier::ChainVerifier(uint64_t position, std::string hash)
    : verified_(position), last_hash_(std::move(hash)) {}

absl::Status ChainVerifier::Fail(uint64_t position, absl::string_view why) {
  status_ = absl::DataLossError(absl::StrCat("position ", position, ": ", why));
  return status_;
}

absl::Status ChainVerifier::Add(uint64_t position, absl::string_view stored_hash,
                                absl::string_view canonical_record) {
  if (!status_.ok()) return status_;
  uint64_t expected = verified_ + 1;
  if (position != expected) {
    return Fail(expected, position > expected
                              ? absl::StrCat("missing (the next record is at position ", position, ")")
                              : absl::StrCat("out of order (found position ", position, ")"));
  }
  uint64_t recorded_position = 0;
  if (!ReadChainFields(canonical_record, &recorded_position, &previous_hash_).ok()) {
    return Fail(position, "the stored record does not parse");
  }
  if (recorded_position != position) {
    return Fail(position, absl::StrCat("the record says it is position ", recorded_position));
  }
  if (previous_hash_ != last_hash_) {
    return Fail(position, "previous_hash does not match the hash of the event before it");
  }
  char hash[32];
  Sha256Into({last_hash_, canonical_record}, hash);  // ChainHash, without an allocation
  if (stored_hash != absl::string_view(hash, sizeof(hash))) {
    return Fail(position, "the record's bytes do not hash to the stored hash (altered payload)");
  }
  last_hash_.assign(hash, sizeof(hash));
  verified_ = position;
  return absl::OkStatus();
}

absl::Status ChainVerifier::Finish(uint64_t head_position, absl::string_view head_hash) {
  if (!status_.ok()) return status_;
  if (verified_ != head_position) {
    return Fail(verified_ + 1, absl::StrCat("the log ends at position ", verified_,
                                            " but its head is ", head_position));
  }
  if (head_hash != last_hash_) return Fail(head_position, "the head hash does not match the chain");
  return absl::OkStatus();
}

}  // namespace ledger
