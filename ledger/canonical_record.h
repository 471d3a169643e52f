// The canonical record: the bytes of an event that the ledger stores and hashes.
//
// Why these bytes are canonical: Protobuf does not promise one encoding per message (field order,
// unknown fields and map order may differ between versions and languages), so re-encoding a
// parsed event is not guaranteed to reproduce what was hashed. The ledger therefore serializes the
// stored record exactly once, at append time, deterministically (with the `hash` field empty and
// every other ledger field filled in), stores those bytes verbatim, and hashes those same bytes.
// Verification re-hashes the stored bytes; it never re-encodes. The canonical bytes are whatever
// the ledger stored, by definition, and a reader in any language can check them.
#ifndef ENGAGEMENT_LEDGER_CANONICAL_RECORD_H_
#define ENGAGEMENT_LEDGER_CANONICAL_RECORD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"

namespace ledger {

// Serializes `event` (whose hash field must be empty) deterministically.
std::string EncodeCanonicalRecord(const engagement::v1::Event& event);

// Parses stored record bytes. DATA_LOSS when they are not a valid record.
absl::StatusOr<engagement::v1::Event> DecodeCanonicalRecord(absl::string_view record);

// Reads only what the hash chain needs from stored record bytes (the position, field 4, and the
// previous hash, field 11), without parsing the rest: verification is then bound by SHA-256.
// DATA_LOSS when the bytes are not a well-formed record.
absl::Status ReadChainFields(absl::string_view record, uint64_t* position,
                             std::string* previous_hash);

// The fields a client supplies, serialized deterministically: two appends of the same event id
// are "the same content" exactly when these bytes are equal.
std::string ClientContent(const engagement::v1::Event& event);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_CANONICAL_RECORD_H_
