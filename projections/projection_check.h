// Checking a projection's stored state against the log it is derived from.
//
// A read model is only as good as the claim that it equals the log applied in order. An attacker
// with disk access can edit the projections' database and leave the log alone: the chain, the
// tree and every signature still verify, and reports serve the edit. CheckProjection replays the
// log in memory up to the position the stored state claims to reflect and compares the two record
// by record, in key order, naming the first key that differs.
//
// Memory: the replayed state (one projection's records), not the log.
#ifndef ENGAGEMENT_PROJECTIONS_PROJECTION_CHECK_H_
#define ENGAGEMENT_PROJECTIONS_PROJECTION_CHECK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ledger/event_log.h"
#include "projections/projection.h"
#include "projections/state_store.h"

namespace projections {

struct ProjectionCheck {
  std::string name;
  uint64_t position = 0;  // the stored state claims to reflect the log up to here
  uint64_t records = 0;   // stored records compared
  uint64_t versions = 0;  // versions of its history compared (0: it keeps none)
  // OK when equal; DATA_LOSS naming the projection, the position and the first differing key.
  absl::Status result;
};

// Where a check writes the history the log gives, to compare it with the stored history
// (rocksdb_state_store.h's HistoryScratch keeps it sorted on disk, not in memory).
class HistoryCopy {
 public:
  virtual ~HistoryCopy() = default;
  virtual void Put(absl::string_view history_key, absl::string_view version) = 0;
  virtual absl::Status Flush() = 0;
  // What was put, keys being history keys (state_history.h).
  virtual const StateReader& Reader() const = 0;
};

// Replays `log` up to `position` into memory with `projection` (which must be a pure function of
// the events, as projection.h requires) and compares the result with `stored`. Errors reading the
// log or applying an event are returned as such (not as a mismatch).
// With `stored_history` (and `copy` to write into), the history too: every version the replay
// writes, by position, must be stored, and nothing else.
absl::StatusOr<ProjectionCheck> CheckProjection(const ledger::EventLog& log, Projection& projection,
                                                const StateReader& stored, uint64_t position,
                                                const StateReader* stored_history = nullptr,
                                                HistoryCopy* copy = nullptr);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_PROJECTION_CHECK_H_
