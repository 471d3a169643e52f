#include "projections/projection_runner.h"

#include <pthread.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace projections {

ProjectionRunner::ProjectionRunner(const ledger::EventLog* log, ProjectionDatabase* db,
                                   std::vector<Projection*> projections, uint64_t chunk_events)
    : log_(log), db_(db), projections_(std::move(projections)), chunk_events_(chunk_events) {
  absl::MutexLock lock(&status_mu_);
  for (Projection* p : projections_) {
    ProjectionStatus status;
    status.name = std::string(p->name());
    status.version = p->version();
    absl::StatusOr<Progress> progress = db_->GetProgress(p->name());
    if (progress.ok()) status.position = progress->position;
    statuses_.push_back(status);
  }
}

ProjectionRunner::~ProjectionRunner() { Stop(); }

absl::Status ProjectionRunner::CatchUp(const ProgressCallback& progress,
                                       const std::function<bool()>& cancelled) {
  absl::MutexLock lock(&mu_);
  absl::Status first;
  for (Projection* projection : projections_) {
    absl::Status s = CatchUpOne(projection, progress, cancelled);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

absl::Status ProjectionRunner::Rebuild(absl::string_view name, const ProgressCallback& progress,
                                       const std::function<bool()>& cancelled) {
  absl::MutexLock lock(&mu_);
  for (Projection* projection : projections_) {
    if (projection->name() != name) continue;
    absl::Status cleared = db_->Clear(name);
    if (!cleared.ok()) return cleared;
    {
      // Whatever was wrong with the stored state is gone with it.
      absl::MutexLock status_lock(&status_mu_);
      for (ProjectionStatus& status : statuses_) {
        if (status.name == name) status.check = absl::OkStatus();
      }
    }
    return CatchUpOne(projection, progress, cancelled);
  }
  return absl::NotFoundError(absl::StrCat("no projection named ", name));
}

absl::Status ProjectionRunner::CatchUpOne(Projection* projection, const ProgressCallback& report,
                                          const std::function<bool()>& cancelled) {
  absl::StatusOr<Progress> stored = db_->GetProgress(projection->name());
  if (!stored.ok()) return stored.status();
  Progress progress = *stored;
  if (progress.position > 0 && progress.version != projection->version()) {
    // Written by other code: start again.
    absl::Status cleared = db_->Clear(projection->name());
    if (!cleared.ok()) return cleared;
    progress = Progress();
  }
  progress.version = projection->version();
  const uint64_t head = log_->Head().position;
  const uint64_t start = progress.position;
  absl::Time began = absl::Now();
  absl::Status failure;
  uint64_t failed_at = 0;
  while (progress.position < head && failure.ok()) {
    std::unique_ptr<ProjectionDatabase::Chunk> chunk =
        db_->BeginChunk(projection->name(), projection);
    if (progress.position == 0) chunk->StartHistory();
    ledger::LogReadOptions options;
    options.from_position = progress.position + 1;
    options.to_position = std::min(head, progress.position + chunk_events_);
    uint64_t applied = progress.position;
    absl::Status read = log_->ReadLog(options, [&](const engagement::v1::Event& event,
                                                   absl::string_view) {
      chunk->SetPosition(event.position());
      absl::Status s = projection->Apply(event, *chunk);
      if (!s.ok()) {
        failure = s;
        failed_at = event.position();
        return false;
      }
      applied = event.position();
      return true;
    });
    if (!read.ok() && failure.ok()) {
      failure = read;
      failed_at = applied + 1;
    }
    // A chunk with a failed event is not committed at all: the events before it are applied
    // again, with the fixed code, on the next run.
    if (failure.ok()) {
      Progress next{applied, projection->version()};
      absl::Status committed = chunk->Commit(next);
      if (!committed.ok()) {
        // A write that failed (a full disk) is not retried in a loop: the projection stops here,
        // says why, and goes on from its stored progress once rebuilt or restarted.
        failure = absl::Status(committed.code(),
                               absl::StrCat("its state could not be written: ", committed.message()));
        failed_at = progress.position + 1;
        break;
      }
      progress = next;
    }
    if (report) {
      double seconds = absl::ToDoubleSeconds(absl::Now() - began);
      report(progress.position - start, head - start,
             seconds > 0 ? (progress.position - start) / seconds : 0);
    }
    if (failure.ok() && progress.position < head && cancelled && cancelled()) {
      failure = absl::CancelledError(absl::StrCat(
          "stopped at position ", progress.position, " of ", head,
          " on request; the projection goes on from there"));
      break;
    }
  }
  if (absl::IsCancelled(failure)) {
    absl::MutexLock lock(&status_mu_);
    for (ProjectionStatus& status : statuses_) {
      if (status.name != projection->name()) continue;
      status.position = progress.position;
      status.version = projection->version();
      status.error = absl::OkStatus();
      status.failed_position = 0;
    }
    return failure;
  }
  absl::MutexLock lock(&status_mu_);
  for (ProjectionStatus& status : statuses_) {
    if (status.name != projection->name()) continue;
    status.position = progress.position;
    status.version = projection->version();
    status.error = failure.ok()
                       ? absl::OkStatus()
                       : absl::Status(failure.code(), absl::StrCat("projection ", projection->name(),
                                                                   " stopped at position ", failed_at,
                                                                   ": ", failure.message()));
    status.failed_position = failure.ok() ? 0 : failed_at;
    if (!failure.ok()) return status.error;
  }
  return absl::OkStatus();
}

absl::StatusOr<Projection*> ProjectionRunner::CaughtUpToRead(absl::string_view name) {
  for (Projection* projection : projections_) {
    if (projection->name() != name) continue;
    absl::Status caught_up = CatchUpOne(projection, nullptr);
    if (!caught_up.ok()) return absl::FailedPreconditionError(caught_up.message());
    absl::MutexLock status_lock(&status_mu_);
    for (const ProjectionStatus& status : statuses_) {
      if (status.name == name && !status.check.ok()) {
        return absl::FailedPreconditionError(status.check.message());
      }
    }
    return projection;
  }
  return absl::NotFoundError(absl::StrCat("no projection named ", name));
}

absl::Status ProjectionRunner::ReadAtHead(
    absl::string_view name, absl::FunctionRef<absl::Status(const StateReader&, uint64_t)> read) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Projection*> projection = CaughtUpToRead(name);
  if (!projection.ok()) return projection.status();
  absl::StatusOr<Progress> progress = db_->GetProgress(name);
  if (!progress.ok()) return progress.status();
  std::unique_ptr<StateReader> reader = db_->Reader(name);
  return read(*reader, progress->position);
}

absl::Status ProjectionRunner::ReadAsOf(absl::string_view name, uint64_t position,
                                        absl::FunctionRef<absl::Status(const StateReader&)> read) {
  absl::MutexLock lock(&mu_);
  // Caught up first, as for a report at the head: an erasure appended since is then applied.
  absl::StatusOr<Projection*> projection = CaughtUpToRead(name);
  if (!projection.ok()) return projection.status();
  absl::StatusOr<std::unique_ptr<StateReader>> reader = db_->ReadAsOf(**projection, position);
  if (!reader.ok()) return reader.status();
  return read(**reader);
}

absl::StatusOr<ProjectionCheck> ProjectionRunner::CheckOnce(Projection* projection) {
  absl::StatusOr<ProjectionDatabase::Snapshot> snapshot = db_->TakeSnapshot(projection->name());
  if (!snapshot.ok()) return snapshot.status();
  if (snapshot->progress.position > 0 && snapshot->progress.version != projection->version()) {
    // Written by other code: the next catch-up rebuilds it, so there is nothing to compare yet.
    ProjectionCheck check;
    check.name = std::string(projection->name());
    return check;
  }
  // The history too, replayed into scratch space (one check at a time: they share it).
  absl::MutexLock checking(&check_mu_);
  std::unique_ptr<ProjectionDatabase::HistoryScratch> scratch;
  if (snapshot->history != nullptr) scratch = db_->BeginHistoryScratch(projection->name());
  return CheckProjection(*log_, *projection, *snapshot->state, snapshot->progress.position,
                         snapshot->history.get(), scratch.get());
}

absl::StatusOr<std::vector<ProjectionCheck>> ProjectionRunner::Verify() {
  std::vector<ProjectionCheck> checks;
  for (Projection* projection : projections_) {
    absl::StatusOr<ProjectionCheck> check = CheckOnce(projection);
    if (!check.ok()) return check.status();
    if (!check->result.ok()) {
      {
        absl::MutexLock lock(&mu_);
        CatchUpOne(projection, nullptr).IgnoreError();
      }
      check = CheckOnce(projection);
      if (!check.ok()) return check.status();
    }
    absl::MutexLock status_lock(&status_mu_);
    for (ProjectionStatus& status : statuses_) {
      if (status.name != projection->name()) continue;
      status.check = check->result;
      status.checked_at = absl::Now();
    }
    checks.push_back(*std::move(check));
  }
  return checks;
}

void ProjectionRunner::StartFollowing() {
  stop_ = false;
  follower_ = std::thread([this] {
    // Appends come first: on Linux a thread can have its own nice value, and the follower only
    // needs the cores the writers leave (reports catch up on demand anyway).
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    pthread_setname_np(pthread_self(), "projections");
    while (!stop_ && !log_->ShuttingDown()) {
      uint64_t lowest = UINT64_MAX;
      bool failed = false;
      for (const ProjectionStatus& status : Statuses()) {
        lowest = std::min(lowest, status.position);
        failed |= !status.error.ok();
      }
      if (failed) {
        // Stopped at a bad event: do not skip it; wait for an operator (and new code).
        absl::SleepFor(absl::Milliseconds(200));
        continue;
      }
      log_->WaitForHeadBeyond(lowest, absl::Milliseconds(200));
      // While appends stream in, apply them in bigger chunks, at most kFollowDelay behind: a
      // chunk reads each record it changes once however often its events change it, and the
      // writers keep the cores in between.
      if (log_->Head().position - std::min(lowest, log_->Head().position) < chunk_events_) {
        absl::SleepFor(kFollowDelay);
      }
      // A long catch-up (a first start on a big log, a new projection version) stops after its
      // current chunk when the server stops, so that SIGTERM is answered in moments; the next
      // start goes on from there.
      if (log_->Head().position > lowest) {
        CatchUp(nullptr, [this] { return stop_ || log_->ShuttingDown(); }).IgnoreError();
      }
    }
  });
}

void ProjectionRunner::Stop() {
  stop_ = true;
  if (follower_.joinable()) follower_.join();
}

std::vector<ProjectionStatus> ProjectionRunner::Statuses() const {
  absl::MutexLock lock(const_cast<absl::Mutex*>(&status_mu_));
  return statuses_;
}

absl::Status ReplayInMemory(const ledger::EventLog& log, Projection& projection,
                            uint64_t to_position, StateWriter& state) {
  if (to_position == 0) return absl::OkStatus();
  ledger::LogReadOptions options;
  options.to_position = std::min(to_position, log.Head().position);
  absl::Status failure;
  absl::Status read = log.ReadLog(options, [&](const engagement::v1::Event& event,
                                               absl::string_view) {
    failure = projection.Apply(event, state);
    if (!failure.ok()) {
      failure = absl::Status(failure.code(), absl::StrCat("at position ", event.position(), ": ",
                                                          failure.message()));
    }
    return failure.ok();
  });
  return failure.ok() ? read : failure;
}

}  // namespace projections
