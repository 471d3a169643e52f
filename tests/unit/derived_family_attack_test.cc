// Attacks on what is derived from the records, each made the way someone with the disk would
// (the ledger stopped, RocksDB opened directly), each named by what it would break: offline
// verification names the first bad key and position, and the ledger's read and append paths
// answer DATA_LOSS instead of serving or writing the wrong thing.
#include "domain/engagement_rules.h"
#include "gtest/gtest.h"
#include "ledger/directory_verifier.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_event_log.h"
#include "tests/raw_database.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

using testing_support::RawDatabase;

// Two streams, A with three sessions (positions 2-4, after the engagement at 1), B with one (5),
// and 40 more sessions in A so that the tree has stored nodes.
class DerivedFamilyAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = Open();
    ASSERT_TRUE(log->InstallAppendGuard(&rules_).ok());
    ASSERT_TRUE(log->Append({engagement_stream_, ExpectedRevision::NoStream(),
                             {testing_support::EngagementOpened()}})
                    .ok());
    for (int i = 0; i < 3; ++i) Append(*log, "engagement-a", testing_support::SessionHeld());
    engagement::v1::Event b = testing_support::SessionHeld();
    b.set_event_id(b_id_);
    Append(*log, "engagement-b", b);
    for (int i = 0; i < 40; ++i) Append(*log, "engagement-a", testing_support::SessionHeld());
  }

  std::unique_ptr<RocksDbEventLog> Open() {
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  void Append(RocksDbEventLog& log, const std::string& stream, engagement::v1::Event event) {
    if (event.event_id().empty()) event.set_event_id(ledger::NewUuid());
    if (stream == "engagement-a" && first_a_id_.empty()) first_a_id_ = event.event_id();
    auto appended = log.Append({stream, ExpectedRevision::Any(), {event}});
    ASSERT_TRUE(appended.ok()) << appended.status();
  }

  // Offline verification with the rules' state checked too; returns its failure message.
  std::string VerifyOffline() {
    DirectoryVerifyOptions options;
    domain::EngagementRules rules;
    options.guard = &rules;
    options.scratch_directory = dir_.Sub("scratch");
    auto verified = VerifyDataDirectory(dir_.path(), options);
    EXPECT_FALSE(verified.ok()) << "verify passed an edited directory";
    if (verified.ok()) return "";
    EXPECT_TRUE(absl::IsDataLoss(verified.status())) << verified.status();
    return std::string(verified.status().message());
  }

  testing_support::TempDir dir_;
  domain::EngagementRules rules_;
  const std::string engagement_stream_ = "engagement-" + testing_support::TestEngagement();
  const std::string b_id_ = ledger::NewUuid();
  std::string first_a_id_;
};

TEST_F(DerivedFamilyAttackTest, CleanDirectoryVerifiesWithEveryFamilyChecked) {
  DirectoryVerifyOptions options;
  domain::EngagementRules rules;
  options.guard = &rules;
  options.scratch_directory = dir_.Sub("scratch");
  auto verified = VerifyDataDirectory(dir_.path(), options);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->events, 45u);
}

TEST_F(DerivedFamilyAttackTest, StreamIndexPointingAtAnotherStreamsEventIsNeverServed) {
  {
    RawDatabase raw(dir_.path());
    raw.EditValue(log_format::kStreamsFamily, log_format::StreamKey("engagement-a", 0),
                  [](std::string& value) { value = log_format::EncodeFixed64BE(5); });
  }
  std::string message = VerifyOffline();
  EXPECT_EQ(message.rfind("position 2: stream index:", 0), 0u) << message;
  auto log = Open();
  StreamReadOptions read;
  read.stream = "engagement-a";
  int served = 0;
  absl::Status status = log->ReadStream(read, [&](const engagement::v1::Event&, absl::string_view) {
    ++served;
    return true;
  });
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  EXPECT_NE(status.message().find("position 5"), absl::string_view::npos) << status;
  EXPECT_EQ(served, 0);
  EXPECT_TRUE(absl::IsDataLoss(log->GetStreamInfo("engagement-a").status()));
}

TEST_F(DerivedFamilyAttackTest, AnIdPointingAtAnotherPositionFailsTheRetryAsDataLossNotAlreadyExists) {
  {
    RawDatabase raw(dir_.path());
    raw.EditValue(log_format::kIdsFamily, b_id_,
                  [](std::string& value) { value = log_format::EncodeFixed64BE(3); });
  }
  std::string message = VerifyOffline();
  EXPECT_NE(message.find("id index"), std::string::npos) << message;
  EXPECT_EQ(message.rfind("position 5:", 0), 0u) << message;  // the record whose id moved
  auto log = Open();
  engagement::v1::Event retry = testing_support::SessionHeld();
  retry.set_event_id(b_id_);
  auto appended = log->Append({"engagement-b", ExpectedRevision::Any(), {retry}});
  EXPECT_TRUE(absl::IsDataLoss(appended.status())) << appended.status();
  EXPECT_TRUE(absl::IsDataLoss(log->PositionOfEventId(b_id_).status()));
}

TEST_F(DerivedFamilyAttackTest, ADeletedIdIsNamedByOfflineVerify) {
  {
    RawDatabase raw(dir_.path());
    ASSERT_TRUE(raw.db()->Delete(rocksdb::WriteOptions(), raw.family(log_format::kIdsFamily), b_id_).ok());
  }
  std::string message = VerifyOffline();
  EXPECT_EQ(message, absl::StrCat("position 5: id index: event ", b_id_, " is missing"));
}

TEST_F(DerivedFamilyAttackTest, AStreamHeadSetBackRefusesTheNextAppendInsteadOfOverwriting) {
  {
    RawDatabase raw(dir_.path());
    raw.EditValue(log_format::kHeadsFamily, "engagement-a",
                  [](std::string& value) { value = log_format::EncodeFixed64BE(0); });
  }
  std::string message = VerifyOffline();
  EXPECT_NE(message.find("stream heads: engagement-a's head says revision 0 but its last event is "
                         "revision 42"),
            std::string::npos)
      << message;
  auto log = Open();
  auto appended = log->Append({"engagement-a", ExpectedRevision::Any(), {testing_support::SessionHeld()}});
  EXPECT_TRUE(absl::IsDataLoss(appended.status())) << appended.status();
  EXPECT_EQ(log->Head().position, 45u);  // nothing written
  StreamReadOptions read;
  read.stream = "engagement-a";
  int events = 0;
  EXPECT_TRUE(log->ReadStream(read, [&](const engagement::v1::Event&, absl::string_view) {
                    ++events;
                    return true;
                  }).ok());
  EXPECT_EQ(events, 43);  // every real entry still there
}

TEST_F(DerivedFamilyAttackTest, AClosedFlagClearedInTheRulesStateIsNamedByOfflineVerify) {
  {
    auto log = Open();
    ASSERT_TRUE(log->InstallAppendGuard(&rules_).ok());
    engagement::v1::Event closed;
    closed.mutable_occurred_at()->set_seconds(1750000000);
    closed.set_organisation("QWE");
    closed.set_actor("team@qwe");
    closed.mutable_engagement_closed()->set_engagement_id(testing_support::TestEngagement());
    closed.mutable_engagement_closed()->set_reason("done");
    ASSERT_TRUE(log->Append({engagement_stream_, ExpectedRevision::Any(), {closed}}).ok());
  }
  {
    RawDatabase raw(dir_.path());
    raw.EditValue(log_format::kGuardFamily, "e" + testing_support::TestEngagement(),
                  [](std::string& value) { value[1] = 0; });  // the flags byte: open again
  }
  std::string message = VerifyOffline();
  EXPECT_EQ(message.rfind("the engagement rules' state: key \"e" + testing_support::TestEngagement(), 0),
            0u)
      << message;
}

TEST_F(DerivedFamilyAttackTest, AnEditedMerkleNodeIsNamedAtTheFirstPositionItCovers) {
  {
    RawDatabase raw(dir_.path());
    raw.EditValue(merkle_format::kMerkleFamily, merkle_format::NodeKey(4, 1),
                  [](std::string& value) { value[0] ^= 1; });
  }
  EXPECT_EQ(VerifyOffline().rfind("position 17: the stored Merkle node over positions 17 to 32", 0), 0u);
}

TEST_F(DerivedFamilyAttackTest, AMerkleNodeBeyondTheRecordsIsNamed) {
  {
    RawDatabase raw(dir_.path());
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.family(merkle_format::kMerkleFamily),
                          merkle_format::NodeKey(4, 5), std::string(32, 'x'))
                    .ok());
  }
  EXPECT_EQ(VerifyOffline().rfind("position 46: a stored Merkle node covers positions up to 96", 0), 0u);
}

}  // namespace
}  // namespace ledger
