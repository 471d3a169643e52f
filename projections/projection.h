// Projection: a read model built by applying the log's events in order.
//
// A projection is a pure function of the events it has seen: Apply must read and write only
// `state`, and must give the same state for the same events whatever the chunking, so that a
// rebuild from position zero equals the incrementally maintained state byte for byte. A change to
// what Apply does must bump version(): state written by another version is rebuilt.
#ifndef ENGAGEMENT_PROJECTIONS_PROJECTION_H_
#define ENGAGEMENT_PROJECTIONS_PROJECTION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"
#include "projections/state_store.h"

namespace projections {

class Projection {
 public:
  virtual ~Projection() = default;
  // A short, stable name, e.g. "evidence".
  virtual absl::string_view name() const = 0;
  // The version of the code that computes the state.
  virtual uint32_t version() const = 0;
  // Applies one event. An error stops the projection at this event (it is not applied).
  virtual absl::Status Apply(const engagement::v1::Event& event, StateWriter& state) = 0;

  // What of record `key`'s new `value` its history keeps (state_history.h): by default all of
  // it. A projection leaves out what must be forgettable, such as personal data that an erasure
  // removes from the record itself.
  virtual std::string HistoryValue(absl::string_view key, absl::string_view value) const {
    return std::string(value);
  }
  // Record `key` as of a past position, from the version its history kept then and, when
  // needed, the record now (`now()`: nullopt if it no longer exists). It must equal what Apply
  // gave at that position when replayed today. By default the kept version.
  virtual absl::StatusOr<std::string> AsOfValue(
      absl::string_view key, absl::string_view kept,
      absl::FunctionRef<absl::StatusOr<std::optional<std::string>>()> now) const {
    return std::string(kept);
  }
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_PROJECTION_H_
