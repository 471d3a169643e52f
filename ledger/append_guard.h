// AppendGuard: a check the log runs inside its append order, with state kept beside the log.
//
// The domain's engagement rules implement it. The log calls the guard from its single commit
// thread, in commit order, so the guard sees every earlier append (committed, or earlier in the
// same group commit) and none of the later ones: its answers are consistent under concurrent
// writers.
//
// The guard's state lives in the log's database (GuardState) and is written in the same
// WriteBatch as the events that changed it, so after any crash it is exactly as current as the
// log. Opening the log therefore costs nothing for the guard: it reads its state lazily, by key.
// Only events appended while no guard was installed (tools, an older ledgerd) are replayed into
// it when one is installed, and a guard whose state layout changed rebuilds it once from the
// whole log (EventLog::InstallAppendGuard).
#ifndef ENGAGEMENT_LEDGER_APPEND_GUARD_H_
#define ENGAGEMENT_LEDGER_APPEND_GUARD_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"

namespace ledger {

// The guard's own key-value state. Keys and values are the guard's bytes; the log does not read
// them. Reads see the writes of the append being checked first, then those of earlier appends in
// the same group commit, then what is stored. Writes are kept only if the append they belong to
// is accepted, and become durable with it.
//
// Lifetime: valid only during the AppendGuard call it is passed to.
class GuardState {
 public:
  virtual ~GuardState() = default;
  // The value under `key`, or nullopt when there is none.
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) = 0;
  virtual void Put(absl::string_view key, absl::string_view value) = 0;
  // The stored event with `event_id`, appended before the append being checked: committed, or
  // earlier in the same group commit when the client gave its id (an id the ledger generates is
  // known to nobody before that append is acknowledged). NOT_FOUND when there is none. Events of
  // the append being checked are not included: the guard has them in hand.
  virtual absl::StatusOr<engagement::v1::Event> FindEvent(absl::string_view event_id) = 0;
};

class AppendGuard {
 public:
  virtual ~AppendGuard() = default;

  // Names the layout of the guard's state. When it differs from the name stored with the state,
  // the log discards the state and rebuilds it from the whole log with Apply.
  virtual std::string StateVersion() const = 0;

  // Returns OK to let `events` through (recording what they change into `state`), or the status
  // to fail their append with (the log then drops whatever was written to `state`). `events`
  // carry their ids, stream, revision and position as they will be stored.
  virtual absl::Status Check(const std::vector<engagement::v1::Event>& events,
                             GuardState& state) = 0;

  // Records what the stored `event` changed, without checking it: history is not re-judged.
  virtual absl::Status Apply(const engagement::v1::Event& event, GuardState& state) = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_APPEND_GUARD_H_
