// UUIDs for event ids.
#ifndef ENGAGEMENT_LEDGER_UUID_H_
#define ENGAGEMENT_LEDGER_UUID_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ledger {

// A random (version 4) UUID in lowercase text form.
std::string NewUuid();

// True when `text` is a UUID in the 36-character 8-4-4-4-12 hex form (either case).
bool IsUuid(absl::string_view text);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_UUID_H_
