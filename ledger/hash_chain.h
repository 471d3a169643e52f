// The hash chain that makes any change to stored history detectable.
//
// ChainHash(previous, record) = SHA-256(previous || record). `record` must be the exact stored
// canonical bytes of an event (canonical_record.h), never a re-encoding of a parsed event.
#ifndef ENGAGEMENT_LEDGER_HASH_CHAIN_H_
#define ENGAGEMENT_LEDGER_HASH_CHAIN_H_

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace ledger {

// The previous hash of the first event: 32 zero bytes.
const std::string& GenesisHash();

// SHA-256 over the concatenation of `previous` and `record`; 32 raw bytes.
std::string ChainHash(absl::string_view previous, absl::string_view record);

// SHA-256 of `data`; 32 raw bytes.
std::string Sha256(absl::string_view data);

// SHA-256 of the concatenation of `parts`, without concatenating them; 32 raw bytes. One
// OpenSSL context per thread is reused, so small hashes cost little.
std::string Sha256Of(std::initializer_list<absl::string_view> parts);
// The same, written to `out` (32 bytes): no allocation, for loops over millions of records.
void Sha256Into(std::initializer_list<absl::string_view> parts, char* out);

// Lowercase hex of raw bytes, for messages and the CLI.
std::string ToHex(absl::string_view bytes);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_HASH_CHAIN_H_
