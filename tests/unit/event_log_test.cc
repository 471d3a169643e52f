// Append and read on a real RocksDB in a temp dir: what a writer and a reader of the log see.
#include <memory>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "ledger/hash_chain.h"
#include "ledger/rocksdb_event_log.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

using testing_support::EngagementStream;
using testing_support::SessionHeld;
using testing_support::SessionHeldWithId;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  absl::StatusOr<AppendResult> Append(const std::string& stream, ExpectedRevision expected,
                                      std::vector<engagement::v1::Event> events) {
    return log_->Append(AppendBatch{stream, expected, std::move(events)});
  }

  std::vector<engagement::v1::Event> ReadAll(const std::string& stream, bool backwards = false) {
    std::vector<engagement::v1::Event> out;
    StreamReadOptions options;
    options.stream = stream;
    options.backwards = backwards;
    options.from_end = backwards;
    EXPECT_TRUE(log_->ReadStream(options, [&](const engagement::v1::Event& e, absl::string_view) {
                      out.push_back(e);
                      return true;
                    }).ok());
    return out;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<RocksDbEventLog> log_;
};

TEST_F(EventLogTest, AppendAssignsDensePositionsAndRevisions) {
  std::string a = EngagementStream(), b = EngagementStream();
  auto first = Append(a, ExpectedRevision::NoStream(), {SessionHeld(), SessionHeld()});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->positions, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(first->stream_revision, 1u);
  auto second = Append(b, ExpectedRevision::Any(), {SessionHeld()});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->positions, (std::vector<uint64_t>{3}));
  EXPECT_EQ(second->stream_revision, 0u);
  auto third = Append(a, ExpectedRevision::Exactly(1), {SessionHeld()});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->positions, (std::vector<uint64_t>{4}));
  EXPECT_EQ(third->stream_revision, 2u);

  LogHead head = log_->Head();
  EXPECT_EQ(head.position, 4u);
  EXPECT_EQ(head.stream_count, 2u);
  EXPECT_EQ(head.hash, third->last_hash);
  auto info = log_->GetStreamInfo(a);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->revision, 2u);
  EXPECT_EQ(info->first_position, 1u);
  EXPECT_EQ(info->last_position, 4u);
}

TEST_F(EventLogTest, ReadStreamForwardsAndBackwards) {
  std::string s = EngagementStream();
  ASSERT_TRUE(Append(s, ExpectedRevision::Any(), {SessionHeld(), SessionHeld(), SessionHeld()}).ok());
  ASSERT_TRUE(Append(EngagementStream(), ExpectedRevision::Any(), {SessionHeld()}).ok());
  auto forwards = ReadAll(s);
  ASSERT_EQ(forwards.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(forwards[i].stream_revision(), i);
    EXPECT_EQ(forwards[i].stream(), s);
    EXPECT_EQ(forwards[i].hash().size(), 32u);
  }
  auto backwards = ReadAll(s, /*backwards=*/true);
  ASSERT_EQ(backwards.size(), 3u);
  EXPECT_EQ(backwards[0].stream_revision(), 2u);
  EXPECT_EQ(backwards[2].stream_revision(), 0u);

  StreamReadOptions from_one;
  from_one.stream = s;
  from_one.from_revision = 1;
  from_one.limit = 1;
  std::vector<uint64_t> revisions;
  ASSERT_TRUE(log_->ReadStream(from_one, [&](const engagement::v1::Event& e, absl::string_view) {
                    revisions.push_back(e.stream_revision());
                    return true;
                  }).ok());
  EXPECT_EQ(revisions, (std::vector<uint64_t>{1}));
}

TEST_F(EventLogTest, ReadingAMissingStreamIsNotFound) {
  StreamReadOptions options;
  options.stream = EngagementStream();
  auto status = log_->ReadStream(options, [](const engagement::v1::Event&, absl::string_view) {
    return true;
  });
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_TRUE(absl::IsNotFound(log_->GetStreamInfo(options.stream).status()));
}

TEST_F(EventLogTest, ReadLogFiltersByTypeOrganisationAndPrefix) {
  auto other_org = SessionHeld();
  other_org.set_organisation("15N");
  ASSERT_TRUE(Append(EngagementStream(), ExpectedRevision::Any(), {SessionHeld(), other_org}).ok());
  ASSERT_TRUE(Append("participant-" + NewUuid(), ExpectedRevision::Any(), {SessionHeld()}).ok());

  auto positions = [&](LogFilter filter, uint64_t from = 1) {
    std::vector<uint64_t> out;
    LogReadOptions options;
    options.from_position = from;
    options.filter = std::move(filter);
    EXPECT_TRUE(log_->ReadLog(options, [&](const engagement::v1::Event& e, absl::string_view) {
                      out.push_back(e.position());
                      return true;
                    }).ok());
    return out;
  };
  EXPECT_EQ(positions({}), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(positions({}, 2), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(positions({{}, {"15N"}, {}}), (std::vector<uint64_t>{2}));
  EXPECT_EQ(positions({{}, {}, {"participant-"}}), (std::vector<uint64_t>{3}));
  EXPECT_EQ(positions({{"session_held"}, {}, {}}), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(positions({{"insight_recorded"}, {}, {}}), (std::vector<uint64_t>{}));
}

TEST_F(EventLogTest, WrongExpectedRevisionIsAbortedAndWritesNothing) {
  std::string s = EngagementStream();
  auto missing = Append(s, ExpectedRevision::StreamExists(), {SessionHeld()});
  EXPECT_TRUE(absl::IsAborted(missing.status())) << missing.status();
  EXPECT_NE(missing.status().message().find("does not exist"), absl::string_view::npos);
  ASSERT_TRUE(Append(s, ExpectedRevision::NoStream(), {SessionHeld()}).ok());
  auto again = Append(s, ExpectedRevision::NoStream(), {SessionHeld()});
  EXPECT_TRUE(absl::IsAborted(again.status()));
  auto stale = Append(s, ExpectedRevision::Exactly(5), {SessionHeld(), SessionHeld()});
  EXPECT_TRUE(absl::IsAborted(stale.status()));
  EXPECT_NE(stale.status().message().find("is at revision 0"), absl::string_view::npos)
      << stale.status();
  EXPECT_EQ(log_->Head().position, 1u);
  EXPECT_EQ(ReadAll(s).size(), 1u);
}

TEST_F(EventLogTest, SameIdsAndContentReturnTheOriginalPositions) {
  std::string s = EngagementStream();
  auto a = SessionHeldWithId(NewUuid());
  auto b = SessionHeldWithId(NewUuid());
  auto first = Append(s, ExpectedRevision::NoStream(), {a, b});
  ASSERT_TRUE(first.ok());
  // A retry after a lost reply: same ids, same content, and the expected revision no longer holds.
  auto retry = Append(s, ExpectedRevision::NoStream(), {a, b});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->already_appended);
  EXPECT_EQ(retry->positions, first->positions);
  EXPECT_EQ(retry->stream_revision, first->stream_revision);
  EXPECT_EQ(log_->Head().position, 2u);
}

TEST_F(EventLogTest, SameIdWithDifferentContentIsAlreadyExists) {
  std::string s = EngagementStream();
  std::string id = NewUuid();
  ASSERT_TRUE(Append(s, ExpectedRevision::Any(), {SessionHeldWithId(id)}).ok());
  auto changed = SessionHeldWithId(id);
  changed.mutable_session_held()->set_title("A different title");
  auto result = Append(s, ExpectedRevision::Any(), {changed});
  EXPECT_TRUE(absl::IsAlreadyExists(result.status())) << result.status();
  // The same event to another stream is different content too.
  auto elsewhere = Append(EngagementStream(), ExpectedRevision::Any(), {SessionHeldWithId(id)});
  EXPECT_TRUE(absl::IsAlreadyExists(elsewhere.status()));
  // Part of a batch appended before, with new events beside it.
  auto partial = Append(s, ExpectedRevision::Any(), {SessionHeldWithId(id), SessionHeld()});
  EXPECT_TRUE(absl::IsAlreadyExists(partial.status()));
  EXPECT_EQ(log_->Head().position, 1u);
}

TEST_F(EventLogTest, EachHashChainsThePreviousOne) {
  std::string s = EngagementStream();
  ASSERT_TRUE(Append(s, ExpectedRevision::Any(), {SessionHeld(), SessionHeld()}).ok());
  std::string previous = GenesisHash();
  LogReadOptions options;
  ASSERT_TRUE(log_->ReadLog(options, [&](const engagement::v1::Event& e, absl::string_view record) {
                    EXPECT_EQ(e.previous_hash(), previous);
                    EXPECT_EQ(e.hash(), ChainHash(previous, record));
                    previous = e.hash();
                    return true;
                  }).ok());
  EXPECT_EQ(previous, log_->Head().hash);
}

TEST_F(EventLogTest, AsyncAppendsAreAnsweredInCommitOrderAndCloseAnswersEveryQueuedOne) {
  constexpr int kAppends = 300;
  absl::Mutex mu;
  std::vector<uint64_t> answered;  // positions, in the order the callbacks ran
  int failures = 0;
  for (int i = 0; i < kAppends; ++i) {
    log_->AppendAsync(AppendBatch{EngagementStream(), ExpectedRevision::Any(), {SessionHeld()}},
                      [&](absl::StatusOr<AppendResult> result) {
                        absl::MutexLock lock(&mu);
                        if (!result.ok()) {
                          ++failures;
                          return;
                        }
                        answered.push_back(result->positions[0]);
                      });
  }
  // Closing at once: every queued append is still committed and answered before Close returns.
  ASSERT_TRUE(log_->Close().ok());
  absl::MutexLock lock(&mu);
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(answered.size(), static_cast<size_t>(kAppends));
  for (size_t i = 1; i < answered.size(); ++i) EXPECT_LT(answered[i - 1], answered[i]);
  auto reopened = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->Head().position, static_cast<uint64_t>(kAppends));
}

}  // namespace
}  // namespace ledger
