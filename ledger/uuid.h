// UUIDs for event ids.
#ifndef ENGAGEMENT_LEDGER_UUID_H_
#define ENGAGEMENT_LEDGER_UUID_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ledger {

// A random (version 4) UUID in lowercase text form.
std::string NewUuid();

// The version 4 UUID made of these 128 bits (the version and variant bits are set), lowercase.
// For deterministic ids, e.g. the demo programme's.
std::string FormatUuidV4(uint64_t high, uint64_t low);

// True when `text` is a UUID in the 36-character 8-4-4-4-12 hex form (either case).
bool IsUuid(absl::string_view text);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_UUID_H_
