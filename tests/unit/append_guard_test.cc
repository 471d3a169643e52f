// The append guard's state kept beside the log: written with the events it describes, dropped
// with a refused append, never replayed on an ordinary restart (even after a crash), caught up
// when events were appended without the guard, and rebuilt when its layout changes.
#include <sys/wait.h>
#include <unistd.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/rocksdb_event_log.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

using engagement::v1::Event;
using testing_support::SessionHeld;

// Counts events per organisation in its state and remembers the count each checked event saw.
// Refuses an event whose actor is "refuse", and one whose actor is "after:<event id>" when no
// such event was stored before it.
class CountingGuard final : public AppendGuard {
 public:
  explicit CountingGuard(std::string version = "counting/1") : version_(std::move(version)) {}
  std::string StateVersion() const override { return version_; }

  absl::Status Check(const std::vector<Event>& events, GuardState& state) override {
    for (const Event& event : events) {
      if (absl::StartsWith(event.actor(), "after:") &&
          !state.FindEvent(event.actor().substr(6)).ok()) {
        return absl::FailedPreconditionError("actor: names no stored event");
      }
      absl::StatusOr<uint64_t> count = Count(state, event.organisation());
      if (!count.ok()) return count.status();
      seen[event.organisation()] = *count;
      state.Put(event.organisation(), absl::StrCat(*count + 1));
      if (event.actor() == "refuse") return absl::FailedPreconditionError("actor: refused");
    }
    return absl::OkStatus();
  }

  absl::Status Apply(const Event& event, GuardState& state) override {
    ++replayed;
    absl::StatusOr<uint64_t> count = Count(state, event.organisation());
    if (!count.ok()) return count.status();
    state.Put(event.organisation(), absl::StrCat(*count + 1));
    return absl::OkStatus();
  }

  absl::flat_hash_map<std::string, uint64_t> seen;  // org -> count before the last checked event
  int replayed = 0;

 private:
  static absl::StatusOr<uint64_t> Count(GuardState& state, const std::string& org) {
    absl::StatusOr<std::optional<std::string>> value = state.Get(org);
    if (!value.ok()) return value.status();
    uint64_t count = 0;
    if (value->has_value() && !absl::SimpleAtoi(**value, &count)) {
      return absl::DataLossError("bad count");
    }
    return count;
  }

  std::string version_;
};

Event From(const std::string& org, const std::string& actor = "engagement-team") {
  Event event = SessionHeld();
  event.set_organisation(org);
  event.set_actor(actor);
  return event;
}

std::unique_ptr<RocksDbEventLog> OpenLog(const std::string& dir) {
  auto log = RocksDbEventLog::Open(dir, RocksDbOptions());
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

absl::Status Append(RocksDbEventLog& log, std::vector<Event> events) {
  return log
      .Append({testing_support::EngagementStream(), ExpectedRevision::Any(), std::move(events)})
      .status();
}

// What the guard's state says of `org`: the count the next event of `org` sees.
uint64_t CountOf(RocksDbEventLog& log, CountingGuard& guard, const std::string& org) {
  uint64_t before = log.Head().position;
  EXPECT_TRUE(absl::IsFailedPrecondition(Append(log, {From(org, "refuse")})));
  EXPECT_EQ(log.Head().position, before) << "a refused append wrote something";
  return guard.seen[org];
}

TEST(AppendGuardTest, StateIsStoredWithTheEventsAndARestartReplaysNothing) {
  testing_support::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    CountingGuard guard;
    ASSERT_EQ(*log->InstallAppendGuard(&guard), 0u);
    ASSERT_TRUE(Append(*log, {From("QWE"), From("QWE"), From("15N")}).ok());
    ASSERT_TRUE(Append(*log, {From("QWE")}).ok());
    EXPECT_EQ(CountOf(*log, guard, "QWE"), 3u);
    EXPECT_EQ(CountOf(*log, guard, "QWE"), 3u) << "the refused append's write was kept";
  }
  auto log = OpenLog(dir.path());
  CountingGuard guard;
  absl::StatusOr<uint64_t> replayed = log->InstallAppendGuard(&guard);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, 0u);
  EXPECT_EQ(guard.replayed, 0);
  EXPECT_EQ(CountOf(*log, guard, "QWE"), 3u);
  EXPECT_EQ(CountOf(*log, guard, "15N"), 1u);
}

TEST(AppendGuardTest, AfterACrashTheStateIsAsCurrentAsTheLog) {
  testing_support::TempDir dir;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Acknowledged appends, then death without closing anything (as kill -9).
    auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
    CountingGuard guard;
    if (!log.ok() || !(*log)->InstallAppendGuard(&guard).ok()) _exit(2);
    for (int i = 0; i < 50; ++i) {
      if (!Append(**log, {From("QWE"), From("QWE")}).ok()) _exit(3);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->Head().position, 100u);
  CountingGuard guard;
  EXPECT_EQ(*log->InstallAppendGuard(&guard), 0u);
  EXPECT_EQ(CountOf(*log, guard, "QWE"), 100u);
}

TEST(AppendGuardTest, EventsAppendedWithoutTheGuardAreReplayedIntoItOnce) {
  testing_support::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    CountingGuard guard;
    ASSERT_TRUE(log->InstallAppendGuard(&guard).ok());
    ASSERT_TRUE(Append(*log, {From("QWE")}).ok());
  }
  {
    auto log = OpenLog(dir.path());  // a tool that appends with no guard
    ASSERT_TRUE(Append(*log, {From("QWE"), From("QWE")}).ok());
  }
  auto log = OpenLog(dir.path());
  CountingGuard guard;
  EXPECT_EQ(*log->InstallAppendGuard(&guard), 2u);
  EXPECT_EQ(guard.replayed, 2);
  EXPECT_EQ(CountOf(*log, guard, "QWE"), 3u);
}

TEST(AppendGuardTest, ANewStateLayoutIsRebuiltFromTheWholeLog) {
  testing_support::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    CountingGuard guard;
    ASSERT_TRUE(log->InstallAppendGuard(&guard).ok());
    ASSERT_TRUE(Append(*log, {From("QWE"), From("15N")}).ok());
  }
  auto log = OpenLog(dir.path());
  CountingGuard guard("counting/2");
  std::vector<uint64_t> progress;
  absl::StatusOr<uint64_t> replayed = log->InstallAppendGuard(
      &guard, [&](uint64_t done, uint64_t total) {
        EXPECT_EQ(total, 2u);
        progress.push_back(done);
      });
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, 2u);
  EXPECT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 2u);
  // Counted once from the log, not added to the old layout's counts.
  EXPECT_EQ(CountOf(*log, guard, "QWE"), 1u);
}

TEST(AppendGuardTest, TheGuardFindsStoredEventsButNotLaterOnes) {
  testing_support::TempDir dir;
  auto log = OpenLog(dir.path());
  CountingGuard guard;
  ASSERT_TRUE(log->InstallAppendGuard(&guard).ok());
  Event first = From("QWE");
  first.set_event_id(NewUuid());
  EXPECT_TRUE(absl::IsFailedPrecondition(Append(*log, {From("QWE", "after:" + first.event_id())})));
  ASSERT_TRUE(Append(*log, {first}).ok());
  EXPECT_TRUE(Append(*log, {From("QWE", "after:" + first.event_id())}).ok());
}

TEST(AppendGuardTest, InstallingOnAReadOnlyLogIsRefused) {
  testing_support::TempDir dir;
  { auto log = OpenLog(dir.path()); }
  RocksDbOptions options;
  options.read_only = true;
  auto log = RocksDbEventLog::Open(dir.path(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  CountingGuard guard;
  EXPECT_TRUE(absl::IsFailedPrecondition((*log)->InstallAppendGuard(&guard).status()));
}

}  // namespace
}  // namespace ledger
