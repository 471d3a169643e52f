// CommitObserver: told of each group of appends the log writes, for metrics.
//
// The log calls it on its commit thread after every group it wrote (or failed to write), so an
// implementation must be quick and must not call back into the log.
#ifndef ENGAGEMENT_LEDGER_COMMIT_OBSERVER_H_
#define ENGAGEMENT_LEDGER_COMMIT_OBSERVER_H_

#include <cstddef>

#include "absl/time/time.h"

namespace ledger {

struct GroupCommit {
  size_t appends = 0;  // AppendBatch requests in the group
  size_t events = 0;   // events they carried (repeats of earlier appends included)
  // How long the one storage write of the group took: with sync on, the write-ahead log's fsync.
  // Zero when nothing new was written (every batch refused or a repeat).
  absl::Duration write = absl::ZeroDuration();
  bool ok = true;      // false: the write failed and the log now refuses appends
  // A replicated ledger only: the replicated log did not take the group, so nothing was written
  // and its appends were refused; the log still writes (ok stays true).
  bool not_replicated = false;
};

class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  virtual void Committed(const GroupCommit& group) = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_COMMIT_OBSERVER_H_
