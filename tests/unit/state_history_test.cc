// Reports as of a past position read the projection's history instead of replaying the log: at
// every position the records must be byte for byte what a replay today gives, erasures made
// since included, and no past version may keep what an erasure removed.
#include <functional>
#include <memory>

#include "absl/strings/str_cat.h"
#include "domain/personal_data_sealer.h"
#include "gtest/gtest.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"
#include "projections/evidence_projection.h"
#include "projections/evidence_records.pb.h"
#include "projections/projection_runner.h"
#include "projections/state_history.h"
#include "rocksdb/db.h"
#include "tests/event_builders.h"
#include "tests/state_dump.h"
#include "tests/test_support.h"

namespace projections {
namespace {

using namespace builders;  // NOLINT

using testing_support::Dump;

class StateHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = ledger::RocksDbEventLog::Open(dir_.Sub("log"), ledger::RocksDbOptions());
    ASSERT_TRUE(log.ok());
    log_ = *std::move(log);
    auto db = ProjectionDatabase::Open(dir_.Sub("projections"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto keys = ledger::SubjectKeyStore::Open(dir_.Sub("keys"), testing_support::TestMasterKey(),
                                              {});
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
    evidence_ = std::make_unique<EvidenceProjection>(keys_.get());
  }
  void Add(Event e) {
    std::vector<Event> events = {std::move(e)};
    ASSERT_TRUE(domain::SealPersonalData(events, *keys_).ok());
    ASSERT_TRUE(
        log_->Append({"t-" + ledger::NewUuid(), ledger::ExpectedRevision::Any(), events}).ok());
  }
  void Erase(const std::string& participant) {
    ASSERT_TRUE(keys_->Erase(participant, absl::FromUnixSeconds(1767225600)).ok());
    Event e = Base("2025-09-01");
    e.mutable_participant_erased()->set_participant_id(participant);
    Add(e);
  }
  // Every record as of every position, from the history and from a replay today.
  void ExpectEveryPositionMatchesAReplay(ProjectionRunner& runner) {
    const uint64_t head = log_->Head().position;
    for (uint64_t position = 1; position <= head; ++position) {
      std::map<std::string, std::string> from_history;
      ASSERT_TRUE(runner.ReadAsOf("evidence", position, [&](const StateReader& state) {
                          from_history = Dump(state);
                          return absl::OkStatus();
                        }).ok());
      MemoryState replayed;
      EvidenceProjection fresh(keys_.get());
      ASSERT_TRUE(ReplayInMemory(*log_, fresh, position, replayed).ok());
      ASSERT_EQ(from_history, Dump(replayed)) << "as of position " << position;
    }
  }

  testing_support::TempDir dir_;
  std::unique_ptr<ledger::RocksDbEventLog> log_;
  std::unique_ptr<ProjectionDatabase> db_;
  std::unique_ptr<ledger::SubjectKeyStore> keys_;
  std::unique_ptr<EvidenceProjection> evidence_;
};

TEST_F(StateHistoryTest, EveryPositionReadsAsAReplayTodayGivesItErasuresIncluded) {
  ProjectionRunner runner(log_.get(), db_.get(), {evidence_.get()}, /*chunk_events=*/4);
  const std::string e = ledger::NewUuid(), s1 = ledger::NewUuid(), s2 = ledger::NewUuid(),
                    i = ledger::NewUuid(), d = ledger::NewUuid();
  Add(Opened(e, "2025-04-10"));
  Add(Participant("kept", "2025-04-11", {engagement::v1::PRIORITY_GROUP_CARERS}, 2));
  Add(Participant("erased-later", "2025-04-11", {}, 3));
  Add(Participant("no-categories", "2025-04-12", {}, 0, /*equality=*/false));
  Add(Participant("erased-no-categories", "2025-04-12", {}, 0, /*equality=*/false));
  ASSERT_TRUE(runner.CatchUp().ok());  // some chunks applied before the rest is appended
  Add(Session(e, s1, "2025-05-10", engagement::v1::ENGAGEMENT_METHOD_FOCUS_GROUP,
              {"kept", "erased-later", "no-categories"}));
  Add(Insight(e, i, "2025-05-12", {s1}));
  Add(Session(e, s2, "2025-06-10", engagement::v1::ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP,
              {"erased-later", "erased-no-categories"}));
  Add(Decision(d, "2025-07-10", {{i, engagement::v1::INFLUENCE_ADOPTED}}, {e}));
  Add(Feedback(e, "2025-08-01", {i}, {d}));
  ASSERT_TRUE(runner.CatchUp().ok());
  ExpectEveryPositionMatchesAReplay(runner);

  // Erasures after the fact change every past position, as they change a replay; and the stored
  // history still equals the log's, so the projection check passes.
  Erase("erased-later");
  Erase("erased-no-categories");
  ExpectEveryPositionMatchesAReplay(runner);  // (ReadAsOf catches up first)
  absl::StatusOr<std::vector<ProjectionCheck>> checks = runner.Verify();
  ASSERT_TRUE(checks.ok()) << checks.status();
  EXPECT_TRUE((*checks)[0].result.ok()) << (*checks)[0].result;
  EXPECT_GT((*checks)[0].versions, 0u);

  // And after a rebuild from zero, the same.
  ASSERT_TRUE(runner.Rebuild("evidence").ok());
  ExpectEveryPositionMatchesAReplay(runner);
}

TEST_F(StateHistoryTest, NoPastVersionKeepsAPersonsEqualityCategories) {
  ProjectionRunner runner(log_.get(), db_.get(), {evidence_.get()}, /*chunk_events=*/2);
  Add(Opened(ledger::NewUuid(), "2025-04-10"));
  Add(Participant("someone", "2025-04-11", {engagement::v1::PRIORITY_GROUP_CARERS}, 2));
  ASSERT_TRUE(runner.CatchUp().ok());
  Erase("someone");
  ASSERT_TRUE(runner.CatchUp().ok());
  db_.reset();
  // Every byte the history holds, read straight from the database's files.
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir_.Sub("projections"), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix = std::string("evidence") + '\0' + 'h';
  int participant_versions = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string key;
    uint64_t position = 0;
    ASSERT_TRUE(ParseHistoryKey(it->key().ToString().substr(prefix.size()), &key, &position));
    if (key.rfind("p/", 0) != 0 || it->value()[0] != 'v') continue;
    ++participant_versions;
    engagement::projections::v1::ParticipantRecord r;
    ASSERT_TRUE(r.ParseFromString(it->value().ToString().substr(1)));
    EXPECT_FALSE(r.has_equality()) << "version at " << position;
    EXPECT_EQ(r.priority_groups_size(), 0) << "version at " << position;
    EXPECT_EQ(r.imd_decile(), 0u) << "version at " << position;
  }
  EXPECT_EQ(participant_versions, 2);  // registered, erased
}

// The projection check compares the history with the log too: a past version changed, removed
// or added on disk is found and named, and reports (as of a point too) are refused until a
// rebuild.
TEST_F(StateHistoryTest, TheCheckFindsAnEditedPastVersion) {
  const std::string e = ledger::NewUuid(), s = ledger::NewUuid();
  Add(Opened(e, "2025-04-10"));
  Add(Session(e, s, "2025-05-10", engagement::v1::ENGAGEMENT_METHOD_FOCUS_GROUP));
  Add(Participant("someone", "2025-05-11"));
  const std::string prefix = std::string("evidence") + '\0' + 'h';
  const std::string session_version = prefix + HistoryKey("s/QWE/" + s, 2);
  struct Edit {
    std::function<void(rocksdb::DB&)> apply;
    std::string named;
  };
  const std::vector<Edit> edits = {
      {[&](rocksdb::DB& db) { ASSERT_TRUE(db.Put({}, session_version, "vedited").ok()); },
       "the stored version differs from the log's"},
      {[&](rocksdb::DB& db) { ASSERT_TRUE(db.Delete({}, session_version).ok()); },
       "the log gives it, it is not stored"},
      {[&](rocksdb::DB& db) {
         ASSERT_TRUE(db.Put({}, prefix + HistoryKey("s/QWE/" + s, 1), "vinvented").ok());
       },
       "it is stored, the log does not give it"},
  };
  for (const Edit& edit : edits) {
    {
      ProjectionRunner runner(log_.get(), db_.get(), {evidence_.get()});
      ASSERT_TRUE(runner.Rebuild("evidence").ok());
      absl::StatusOr<std::vector<ProjectionCheck>> checks = runner.Verify();
      ASSERT_TRUE(checks.ok());
      ASSERT_TRUE((*checks)[0].result.ok()) << (*checks)[0].result;
    }
    db_.reset();
    {
      rocksdb::DB* raw = nullptr;
      ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.Sub("projections"), &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      edit.apply(*db);
    }
    auto reopened = ProjectionDatabase::Open(dir_.Sub("projections"));
    ASSERT_TRUE(reopened.ok());
    db_ = *std::move(reopened);
    ProjectionRunner runner(log_.get(), db_.get(), {evidence_.get()});
    absl::StatusOr<std::vector<ProjectionCheck>> checks = runner.Verify();
    ASSERT_TRUE(checks.ok()) << checks.status();
    EXPECT_TRUE(absl::IsDataLoss((*checks)[0].result));
    EXPECT_NE((*checks)[0].result.message().find(edit.named), std::string::npos)
        << (*checks)[0].result;
    EXPECT_NE((*checks)[0].result.message().find("s/QWE/" + s), std::string::npos)
        << (*checks)[0].result;
    auto read = [](const StateReader&) { return absl::OkStatus(); };
    EXPECT_TRUE(absl::IsFailedPrecondition(runner.ReadAsOf("evidence", 2, read)));
  }
}

TEST(HistoryKeyTest, KeysSortByRecordKeyThenNewestFirstAndParseBack) {
  // Record keys with 0x00 in them, and keys that are prefixes of others.
  const std::vector<std::string> keys = {"a", std::string("a\0", 2), std::string("a\0b", 3),
                                         "a\x01", "ab"};
  std::vector<std::string> encoded;
  for (const std::string& key : keys) {
    for (uint64_t position : {9u, 3u, 1u}) {  // newest first
      encoded.push_back(HistoryKey(key, position));
      std::string parsed;
      uint64_t parsed_position = 0;
      ASSERT_TRUE(ParseHistoryKey(encoded.back(), &parsed, &parsed_position));
      EXPECT_EQ(parsed, key);
      EXPECT_EQ(parsed_position, position);
    }
  }
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
  for (const std::string& key : keys) {
    EXPECT_EQ(HistoryKey(key, 5).rfind(HistoryPrefix("a"), 0), 0u) << key;
  }
  std::string parsed;
  uint64_t position = 0;
  EXPECT_FALSE(ParseHistoryKey("a", &parsed, &position));
  EXPECT_FALSE(ParseHistoryKey(std::string("a\0\0short", 8), &parsed, &position));
}

}  // namespace
}  // namespace projections
