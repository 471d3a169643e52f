// The shape rules of engagement events, checked before anything is appended.
//
// Generic rules, for every payload message and the messages inside it:
//   - an enum field must hold a named, non-zero value (no *_UNSPECIFIED, no unknown numbers);
//   - a string field whose name ends in "_id", and every element of a repeated "_ids" field,
//     must be a UUID when it is not empty;
//   - strings must be valid UTF-8.
// Per-message rules: the required fields of each message (payload_validation.cc lists them).
//
// Errors are INVALID_ARGUMENT and name the field by its path, e.g.
// "events[0].session_held.method: must be set". Values are never echoed.
#ifndef ENGAGEMENT_DOMAIN_PAYLOAD_VALIDATION_H_
#define ENGAGEMENT_DOMAIN_PAYLOAD_VALIDATION_H_

#include <vector>

#include "absl/status/status.h"
#include "engagement/v1/event.pb.h"

namespace domain {

// Checks the payload of every event of one append.
absl::Status ValidatePayloads(const std::vector<engagement::v1::Event>& events);

}  // namespace domain

#endif  // ENGAGEMENT_DOMAIN_PAYLOAD_VALIDATION_H_
