// LogFilter: which events of the log a reader wants, by kind, organisation and stream prefix.
#ifndef ENGAGEMENT_LEDGER_LOG_FILTER_H_
#define ENGAGEMENT_LEDGER_LOG_FILTER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"

namespace ledger {

// The kind of an event: the name of its payload field, e.g. "session_held"; "" when unset.
// Derived from the message descriptor, so the ledger needs no list of kinds.
absl::string_view EventType(const engagement::v1::Event& event);

// True when `name` is the name of a payload field of Event.
bool IsKnownEventType(absl::string_view name);

struct LogFilter {
  // Each list, when not empty, must contain a match; an empty filter matches every event.
  std::vector<std::string> event_types;
  std::vector<std::string> organisations;
  std::vector<std::string> stream_prefixes;

  bool Empty() const {
    return event_types.empty() && organisations.empty() && stream_prefixes.empty();
  }
  bool Matches(const engagement::v1::Event& event) const;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_LOG_FILTER_H_
