// UUIDs for event ids and for the ids tools put in payloads.
//
// The ledger generates version 7 UUIDs (RFC 9562 section 5.7): 48 bits of Unix time in
// milliseconds, then a 12-bit counter, then 62 random bits. Ids made by one process increase
// strictly (section 6.2, method 1: the counter orders ids of the same millisecond; when it runs
// out, the timestamp is advanced by one). In their lowercase text form they therefore also sort in
// the order they were made, so RocksDB indexes keyed by them (event ids, stream names, the
// engagement rules' state) grow at their end instead of at random places: each insert is cheap,
// and compaction mostly moves files instead of rewriting them (docs/storage.md section 6.1).
// Clients may send any UUID; time-ordered ones are cheaper to index.
#ifndef ENGAGEMENT_LEDGER_UUID_H_
#define ENGAGEMENT_LEDGER_UUID_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ledger {

// A new version 7 UUID in lowercase text form, greater than every id this process made before.
// Thread-safe.
std::string NewUuid();

// The version 7 UUID of Unix time `unix_ms`, counter `counter` (12 bits) and `random` (62 bits
// used), lowercase. For tests and deterministic ids.
std::string FormatUuidV7(uint64_t unix_ms, uint32_t counter, uint64_t random);

// The version 4 UUID made of these 128 bits (the version and variant bits are set), lowercase.
// For deterministic ids, e.g. the demo programme's.
std::string FormatUuidV4(uint64_t high, uint64_t low);

// True when `text` is a UUID in the 36-character 8-4-4-4-12 hex form (either case).
bool IsUuid(absl::string_view text);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_UUID_H_
