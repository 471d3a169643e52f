// ProjectionRunner: keeps projections up to date with the log, and rebuilds them.
//
// Each projection has its own progress. The runner reads the log from a projection's position in
// chunks, applies each event, and commits the chunk's state with the new position atomically. A
// projection that fails on an event stops there: its status names the event and the error, the
// log is not held up (the runner only reads it), and after a restart with fixed code it resumes
// from the last committed position. State written by another version() is rebuilt from zero.
//
// Ownership: the log, the database and the projections are not owned and must outlive the runner.
#ifndef ENGAGEMENT_PROJECTIONS_PROJECTION_RUNNER_H_
#define ENGAGEMENT_PROJECTIONS_PROJECTION_RUNNER_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/event_log.h"
#include "projections/projection.h"
#include "projections/projection_check.h"
#include "projections/rocksdb_state_store.h"

namespace projections {

struct ProjectionStatus {
  std::string name;
  uint32_t version = 0;
  uint64_t position = 0;        // applied up to here
  absl::Status error;           // OK unless stopped
  uint64_t failed_position = 0;  // with an error: the event it stopped at
  // The last check of the stored state against the log (Verify): OK when it matched or was never
  // checked, else why it did not. Cleared by a rebuild.
  absl::Status check;
  absl::Time checked_at = absl::InfinitePast();  // when last checked; InfinitePast: never
};

// Called now and then during long work with events applied so far, the target, and events/s.
using ProgressCallback = std::function<void(uint64_t done, uint64_t total, double per_second)>;

class ProjectionRunner {
 public:
  ProjectionRunner(const ledger::EventLog* log, ProjectionDatabase* db,
                   std::vector<Projection*> projections, uint64_t chunk_events = 20000);
  ~ProjectionRunner();

  // Applies every event up to the head to every projection. Returns the first failure. When
  // `cancelled` turns true, stops after the chunk being applied and returns CANCELLED (as
  // Rebuild).
  absl::Status CatchUp(const ProgressCallback& progress = nullptr,
                       const std::function<bool()>& cancelled = nullptr);
  // Checks each projection's stored state against the log (projection_check.h). Each is compared
  // at a snapshot of its database, so appends, the follower and reports go on meanwhile. A
  // mismatch is confirmed once after catching up (an erasure between the snapshot and the replay
  // changes what the log gives), then kept in the projection's status: reports from it are
  // refused (FAILED_PRECONDITION) until it is rebuilt. Errors reading the log are returned.
  absl::StatusOr<std::vector<ProjectionCheck>> Verify();

  // Clears `name` and applies the whole log again. NOT_FOUND for an unknown name. When
  // `cancelled` turns true, stops after the chunk being applied and returns CANCELLED: the
  // projection is then consistent up to where it stopped, and following (or the next CatchUp)
  // goes on from there.
  absl::Status Rebuild(absl::string_view name, const ProgressCallback& progress = nullptr,
                       const std::function<bool()>& cancelled = nullptr);

  // How far behind the head the follower lets itself fall while appends stream in.
  static constexpr absl::Duration kFollowDelay = absl::Milliseconds(100);

  // Follows the log in a background thread until Stop(), at most about kFollowDelay behind.
  void StartFollowing();
  void Stop();

  std::vector<ProjectionStatus> Statuses() const;

  // Brings `name` up to the head, then calls `read` with its committed state and the position it
  // reflects, holding off updates meanwhile so that the two agree. FAILED_PRECONDITION when the
  // projection is stopped at a bad event or its last check found it differs from the log;
  // NOT_FOUND for an unknown name.
  absl::Status ReadAtHead(absl::string_view name,
                          absl::FunctionRef<absl::Status(const StateReader&, uint64_t)> read);
  // Brings `name` up to the head, then calls `read` with its records as they stood once
  // `position` was applied, from its history (state_history.h): as a replay of the log to
  // `position` today would give them, in time that does not grow with the log. UNAVAILABLE when
  // its history does not cover `position` (then replay, ReplayInMemory); otherwise as
  // ReadAtHead.
  absl::Status ReadAsOf(absl::string_view name, uint64_t position,
                        absl::FunctionRef<absl::Status(const StateReader&)> read);

 private:
  absl::StatusOr<ProjectionCheck> CheckOnce(Projection* projection);
  // `name` brought up to the head, for a report to read: FAILED_PRECONDITION when it is stopped
  // at an event or its last check failed; NOT_FOUND for an unknown name.
  absl::StatusOr<Projection*> CaughtUpToRead(absl::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CatchUpOne(Projection* projection, const ProgressCallback& progress,
                          const std::function<bool()>& cancelled = nullptr);

  const ledger::EventLog* log_;
  ProjectionDatabase* db_;
  std::vector<Projection*> projections_;
  uint64_t chunk_events_;
  mutable absl::Mutex mu_;  // serialises CatchUp, Rebuild and the follower
  absl::Mutex check_mu_;    // one check at a time (they share the history scratch space)
  absl::Mutex status_mu_;
  std::vector<ProjectionStatus> statuses_ ABSL_GUARDED_BY(status_mu_);
  std::atomic<bool> stop_{false};
  std::thread follower_;
};

// Applies the log's events up to `to_position` to `projection` over `state` in memory: the
// projection's state exactly as it was at that position.
absl::Status ReplayInMemory(const ledger::EventLog& log, Projection& projection,
                            uint64_t to_position, StateWriter& state);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_PROJECTION_RUNNER_H_
