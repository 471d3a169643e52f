// Validation of what a client may put in an append: the stream name and the envelope fields.
// Payload rules (required fields of each kind of event) belong to domain/.
//
// Every error is INVALID_ARGUMENT and names the field, e.g.
// "events[2].organisation: must be an ODS code (3 to 10 capital letters or digits)". Messages
// never repeat a field's value, which may be personal data.
#ifndef ENGAGEMENT_LEDGER_ENVELOPE_VALIDATION_H_
#define ENGAGEMENT_LEDGER_ENVELOPE_VALIDATION_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"

namespace ledger {

inline constexpr size_t kMaxEventBytes = 1 << 20;        // one encoded event
inline constexpr size_t kMaxBatchBytes = 16 << 20;       // one append
inline constexpr size_t kMaxBatchEvents = 1000;
inline constexpr size_t kMaxStreamNameBytes = 200;

// "<category>-<id>": category [a-z][a-z0-9_]*, id [A-Za-z0-9][A-Za-z0-9._-]*.
absl::Status ValidateStreamName(absl::string_view stream, absl::string_view field = "stream");

// 3 to 10 capital letters or digits, e.g. "QWE", "15N", "A81001".
bool IsOdsCode(absl::string_view code);

// Checks the events of one append. Lowercases event ids in place, so that the same UUID in
// another case is the same event.
absl::Status ValidateEnvelopes(std::vector<engagement::v1::Event>& events);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_ENVELOPE_VALIDATION_H_
