// The projection engine on a real log and a real projection database: resumable, rebuildable to
// the same bytes, and stopping (not skipping) at an event it cannot apply.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/rocksdb_event_log.h"
#include "projections/evidence_projection.h"
#include "projections/projection_runner.h"
#include "tests/event_builders.h"
#include "tests/state_dump.h"
#include "tests/test_support.h"

namespace projections {
namespace {

using namespace builders;  // NOLINT

using testing_support::Dump;

class ProjectionRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = ledger::RocksDbEventLog::Open(dir_.Sub("log"), ledger::RocksDbOptions());
    ASSERT_TRUE(log.ok());
    log_ = *std::move(log);
    OpenDb();
  }
  void OpenDb() {
    db_.reset();
    auto db = ProjectionDatabase::Open(dir_.Sub("projections"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  void Add(Event e) {
    ASSERT_TRUE(log_->Append({"t-" + ledger::NewUuid(), ledger::ExpectedRevision::Any(), {e}}).ok());
  }
  // A small engagement: opened, a session, an insight, a decision, feedback.
  void AddEngagement() {
    std::string e = ledger::NewUuid(), s = ledger::NewUuid(), i = ledger::NewUuid(),
                d = ledger::NewUuid();
    Add(Opened(e, "2025-04-10"));
    Add(Session(e, s, "2025-05-10", engagement::v1::ENGAGEMENT_METHOD_FOCUS_GROUP));
    Add(Insight(e, i, "2025-05-12", {s}));
    Add(Decision(d, "2025-07-10", {{i, engagement::v1::INFLUENCE_ADOPTED}}, {e}));
    Add(Feedback(e, "2025-08-01", {i}, {d}));
  }

  testing_support::TempDir dir_;
  std::unique_ptr<ledger::RocksDbEventLog> log_;
  std::unique_ptr<ProjectionDatabase> db_;
  EvidenceProjection evidence_;
};

TEST_F(ProjectionRunnerTest, RebuildEqualsIncrementalStateByteForByte) {
  ProjectionRunner runner(log_.get(), db_.get(), {&evidence_}, /*chunk_events=*/3);
  for (int round = 0; round < 4; ++round) {
    AddEngagement();
    ASSERT_TRUE(runner.CatchUp().ok());  // applied in chunks of 3, between appends
  }
  auto incremental = Dump(*db_->Reader("evidence"));
  ASSERT_FALSE(incremental.empty());
  uint64_t reported = 0;
  ASSERT_TRUE(runner.Rebuild("evidence", [&](uint64_t done, uint64_t, double) { reported = done; }).ok());
  EXPECT_EQ(reported, log_->Head().position);
  EXPECT_EQ(Dump(*db_->Reader("evidence")), incremental);
  MemoryState memory;
  EvidenceProjection fresh;
  ASSERT_TRUE(ReplayInMemory(*log_, fresh, log_->Head().position, memory).ok());
  EXPECT_EQ(Dump(memory), incremental);
  EXPECT_EQ(runner.Statuses()[0].position, log_->Head().position);
}

TEST_F(ProjectionRunnerTest, ACancelledRebuildStopsBetweenChunksAndCatchUpFinishesIt) {
  ProjectionRunner runner(log_.get(), db_.get(), {&evidence_}, /*chunk_events=*/4);
  for (int round = 0; round < 3; ++round) AddEngagement();
  ASSERT_TRUE(runner.CatchUp().ok());
  auto complete = Dump(*db_->Reader("evidence"));
  int chunks = 0;
  absl::Status stopped = runner.Rebuild("evidence", nullptr, [&] { return ++chunks >= 2; });
  EXPECT_TRUE(absl::IsCancelled(stopped)) << stopped;
  EXPECT_EQ(runner.Statuses()[0].position, 8u);  // two chunks of 4, committed
  EXPECT_TRUE(runner.Statuses()[0].error.ok());
  EXPECT_NE(Dump(*db_->Reader("evidence")), complete);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(Dump(*db_->Reader("evidence")), complete);
}

TEST_F(ProjectionRunnerTest, AFollowerCatchingUpStopsAfterItsCurrentChunkWhenStopped) {
  // A long catch-up (a first start on a big log) must not hold up a server's shutdown.
  for (int round = 0; round < 300; ++round) AddEngagement();
  const uint64_t head = log_->Head().position;
  ProjectionRunner runner(log_.get(), db_.get(), {&evidence_}, /*chunk_events=*/1);
  runner.StartFollowing();
  auto committed = [&] {  // the follower's progress, committed chunk by chunk
    absl::StatusOr<Progress> progress = db_->GetProgress("evidence");
    return progress.ok() ? progress->position : 0;
  };
  for (int i = 0; i < 2000 && committed() == 0; ++i) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_GT(committed(), 0u) << "the follower never started";
  runner.Stop();
  EXPECT_LT(committed(), head) << "Stop waited for the whole catch-up";
  EXPECT_EQ(runner.Statuses()[0].position, committed());
  EXPECT_TRUE(runner.Statuses()[0].error.ok()) << runner.Statuses()[0].error;
  ASSERT_TRUE(runner.CatchUp().ok());  // and the next catch-up goes on from there
  EXPECT_EQ(runner.Statuses()[0].position, head);
}

TEST_F(ProjectionRunnerTest, ResumesWhereItStoppedAfterARestart) {
  AddEngagement();
  {
    ProjectionRunner runner(log_.get(), db_.get(), {&evidence_});
    ASSERT_TRUE(runner.CatchUp().ok());
  }
  OpenDb();
  auto progress = db_->GetProgress("evidence");
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ(progress->position, 5u);
  AddEngagement();
  ProjectionRunner runner(log_.get(), db_.get(), {&evidence_});
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(db_->GetProgress("evidence")->position, 10u);
  MemoryState memory;
  EvidenceProjection fresh;
  ASSERT_TRUE(ReplayInMemory(*log_, fresh, 10, memory).ok());
  EXPECT_EQ(Dump(*db_->Reader("evidence")), Dump(memory));
}

// Fails on decisions while `broken` is set, as a bug in projection code would.
class FlakyProjection final : public Projection {
 public:
  bool broken = true;
  absl::string_view name() const override { return "flaky"; }
  uint32_t version() const override { return 1; }
  absl::Status Apply(const Event& event, StateWriter& state) override {
    if (broken && event.has_decision_recorded()) return absl::InternalError("cannot handle decisions");
    state.Put(event.event_id(), event.organisation());
    return absl::OkStatus();
  }
};

TEST_F(ProjectionRunnerTest, AFailingProjectionStopsAtTheEventAndResumesOnceFixed) {
  FlakyProjection flaky;
  ProjectionRunner runner(log_.get(), db_.get(), {&flaky}, /*chunk_events=*/2);
  AddEngagement();  // the decision is position 4
  absl::Status s = runner.CatchUp();
  EXPECT_FALSE(s.ok());
  ProjectionStatus status = runner.Statuses()[0];
  EXPECT_EQ(status.failed_position, 4u);
  EXPECT_NE(status.error.message().find("stopped at position 4"), absl::string_view::npos)
      << status.error;
  EXPECT_EQ(status.position, 2u);  // the chunk holding position 4 was not committed
  // The log is not held up.
  AddEngagement();
  EXPECT_EQ(log_->Head().position, 10u);
  flaky.broken = false;
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(runner.Statuses()[0].position, 10u);
  EXPECT_TRUE(runner.Statuses()[0].error.ok());
  EXPECT_EQ(Dump(*db_->Reader("flaky")).size(), 10u);  // every event, none skipped
}

// The same name with a new version: state written by the old code is rebuilt.
class VersionedProjection final : public Projection {
 public:
  uint32_t v = 1;
  absl::string_view name() const override { return "versioned"; }
  uint32_t version() const override { return v; }
  absl::Status Apply(const Event& event, StateWriter& state) override {
    state.Put(event.event_id(), absl::StrCat("v", v));
    return absl::OkStatus();
  }
};

TEST_F(ProjectionRunnerTest, ANewVersionRebuildsFromZero) {
  VersionedProjection projection;
  AddEngagement();
  {
    ProjectionRunner runner(log_.get(), db_.get(), {&projection});
    ASSERT_TRUE(runner.CatchUp().ok());
  }
  projection.v = 2;
  ProjectionRunner runner(log_.get(), db_.get(), {&projection});
  ASSERT_TRUE(runner.CatchUp().ok());
  for (const auto& [key, value] : Dump(*db_->Reader("versioned"))) EXPECT_EQ(value, "v2");
}

}  // namespace
}  // namespace projections

namespace projections {
namespace {

// The stored state, as a check would see it, with one record removed, added or changed.
class ProjectionCheckTest : public ProjectionRunnerTest {
 protected:
  void SetUp() override {
    ProjectionRunnerTest::SetUp();
    AddEngagement();
    AddEngagement();
    ASSERT_TRUE(ReplayInMemory(*log_, evidence_, log_->Head().position, stored_).ok());
    for (const auto& [key, value] : stored_.records()) {
      if (key[0] == 'd') decision_key_ = key;
    }
    ASSERT_FALSE(decision_key_.empty());
  }
  std::string Mismatch() {
    absl::StatusOr<ProjectionCheck> check =
        CheckProjection(*log_, evidence_, stored_, log_->Head().position);
    EXPECT_TRUE(check.ok()) << check.status();
    if (!check.ok()) return "";
    EXPECT_TRUE(absl::IsDataLoss(check->result)) << check->result;
    return std::string(check->result.message());
  }
  MemoryState stored_;
  std::string decision_key_;
};

TEST_F(ProjectionCheckTest, EqualStateMatches) {
  absl::StatusOr<ProjectionCheck> check =
      CheckProjection(*log_, evidence_, stored_, log_->Head().position);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->result.ok()) << check->result;
  EXPECT_EQ(check->records, stored_.records().size());
}

TEST_F(ProjectionCheckTest, AChangedRecordIsNamed) {
  stored_.Put(decision_key_, "edited");
  EXPECT_NE(Mismatch().find(absl::StrCat("at key \"", decision_key_,
                                         "\" the stored record differs from the log's")),
            std::string::npos);
}

TEST_F(ProjectionCheckTest, ADeletedRecordIsNamed) {
  stored_.Delete(decision_key_);
  EXPECT_NE(Mismatch().find(absl::StrCat("at key \"", decision_key_,
                                         "\" the log gives a record that is not stored")),
            std::string::npos);
}

TEST_F(ProjectionCheckTest, AnAddedRecordIsNamed) {
  stored_.Put("d/QWE/00000000-0000-0000-0000-000000000000", "invented");
  EXPECT_NE(Mismatch().find("a record is stored that the log does not give"), std::string::npos);
  stored_.Delete("d/QWE/00000000-0000-0000-0000-000000000000");
  stored_.Put("zz-after-everything", "invented");  // past the last key the log gives
  EXPECT_NE(Mismatch().find("zz-after-everything"), std::string::npos);
}

TEST_F(ProjectionCheckTest, RunnerRefusesReportsFromADifferingProjectionUntilRebuilt) {
  ProjectionRunner runner(log_.get(), db_.get(), {&evidence_});
  ASSERT_TRUE(runner.CatchUp().ok());
  auto chunk = db_->BeginChunk("evidence");
  chunk->Put(decision_key_, "edited");
  ASSERT_TRUE(chunk->Commit({log_->Head().position, EvidenceProjection::kVersion}).ok());
  absl::StatusOr<std::vector<ProjectionCheck>> checks = runner.Verify();
  ASSERT_TRUE(checks.ok());
  EXPECT_TRUE(absl::IsDataLoss((*checks)[0].result));
  EXPECT_FALSE(runner.Statuses()[0].check.ok());
  auto read = [](const StateReader&, uint64_t) { return absl::OkStatus(); };
  EXPECT_TRUE(absl::IsFailedPrecondition(runner.ReadAtHead("evidence", read)));
  ASSERT_TRUE(runner.Rebuild("evidence").ok());
  EXPECT_TRUE(runner.Statuses()[0].check.ok());
  EXPECT_TRUE(runner.ReadAtHead("evidence", read).ok());
  checks = runner.Verify();
  ASSERT_TRUE(checks.ok());
  EXPECT_TRUE((*checks)[0].result.ok()) << (*checks)[0].result;
}

}  // namespace
}  // namespace projections
