// Closing and reopening a log, cleanly or not: what was acknowledged is there, and the chain goes on.
#include <memory>
#include <thread>

#include "gtest/gtest.h"
#include "ledger/directory_verifier.h"
#include "ledger/rocksdb_event_log.h"
#include "rocksdb/db.h"
#include "ledger/log_format.h"
#include "tests/raw_database.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

using testing_support::EngagementStream;
using testing_support::SessionHeld;

TEST(RecoveryTest, ReopenKeepsHeadStreamsAndIdempotency) {
  testing_support::TempDir dir;
  std::string stream = EngagementStream();
  auto event = SessionHeld();
  event.set_event_id(NewUuid());
  LogHead before;
  {
    auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Append({stream, ExpectedRevision::NoStream(), {event, SessionHeld()}}).ok());
    before = (*log)->Head();
  }
  auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
  ASSERT_TRUE(log.ok()) << log.status();
  LogHead after = (*log)->Head();
  EXPECT_EQ(after.position, before.position);
  EXPECT_EQ(after.hash, before.hash);
  EXPECT_EQ(after.stream_count, 1u);
  // The stream's revision survived: the next append must expect revision 1.
  EXPECT_TRUE(absl::IsAborted(
      (*log)->Append({stream, ExpectedRevision::NoStream(), {SessionHeld()}}).status()));
  auto next = (*log)->Append({stream, ExpectedRevision::Exactly(1), {SessionHeld()}});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->positions[0], 3u);
  // The id index survived: the retry is recognised.
  auto retry = (*log)->Append({stream, ExpectedRevision::Any(), {event}});
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->already_appended);
  EXPECT_EQ(retry->positions[0], 1u);
}

// Sets meta[format_version] of the log in `dir` (closed) to `version`.
void SetFormatVersion(const std::string& dir, const std::string& version) {
  testing_support::RawDatabase raw(dir);
  ASSERT_TRUE(raw.db()
                  ->Put(rocksdb::WriteOptions(), raw.family(log_format::kMetaFamily),
                        log_format::kFormatVersionKey, version)
                  .ok());
}

// meta[format_version] of the log in `dir` (closed).
std::string FormatVersion(const std::string& dir) {
  testing_support::RawDatabase raw(dir, /*read_only=*/true);
  std::string version;
  EXPECT_TRUE(raw.db()
                  ->Get(rocksdb::ReadOptions(), raw.family(log_format::kMetaFamily),
                        log_format::kFormatVersionKey, &version)
                  .ok());
  return version;
}

TEST(RecoveryTest, AnOlderFormatIsReadAndMarkedNewerAnUnknownOneIsRefused) {
  testing_support::TempDir dir;
  {
    auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Append({EngagementStream(), ExpectedRevision::Any(), {SessionHeld()}}).ok());
  }
  SetFormatVersion(dir.path(), "1");
  {
    RocksDbOptions read_only;
    read_only.read_only = true;
    auto reader = RocksDbEventLog::Open(dir.path(), read_only);
    ASSERT_TRUE(reader.ok()) << reader.status();  // read as it is
  }
  ASSERT_TRUE(VerifyDataDirectory(dir.path()).ok());
  EXPECT_EQ(FormatVersion(dir.path()), "1");
  {
    auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ((*log)->Head().position, 1u);
  }
  EXPECT_EQ(FormatVersion(dir.path()), "2");  // marked when opened for writing
  SetFormatVersion(dir.path(), "3");
  auto refused = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  auto unverifiable = VerifyDataDirectory(dir.path());
  EXPECT_TRUE(absl::IsFailedPrecondition(unverifiable.status())) << unverifiable.status();
}

TEST(RecoveryTest, ChainVerifiesAcrossReopens) {
  testing_support::TempDir dir;
  for (int round = 0; round < 3; ++round) {
    auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE((*log)->Append({EngagementStream(), ExpectedRevision::Any(), {SessionHeld()}}).ok());
    }
  }
  auto verified = VerifyDataDirectory(dir.path());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->events, 30u);
}

TEST(RecoveryTest, SecondOpenOfALiveDirectoryIsRefused) {
  testing_support::TempDir dir;
  auto first = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
  ASSERT_TRUE(first.ok());
  auto second = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
}

TEST(RecoveryTest, ConcurrentAppendsAllLandOnceInADenseVerifiedChain) {
  testing_support::TempDir dir;
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::vector<uint64_t>> positions(kThreads);
  std::vector<std::string> streams(kThreads);
  {
    auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      streams[t] = EngagementStream();
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          ExpectedRevision expected =
              i == 0 ? ExpectedRevision::NoStream() : ExpectedRevision::Exactly(i - 1);
          auto r = (*log)->Append({streams[t], expected, {SessionHeld()}});
          ASSERT_TRUE(r.ok()) << r.status();
          positions[t].push_back(r->positions[0]);
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  std::vector<int> seen(kThreads * kPerThread + 1, 0);
  for (const auto& list : positions) {
    for (uint64_t p : list) ++seen.at(p);
  }
  for (size_t p = 1; p < seen.size(); ++p) EXPECT_EQ(seen[p], 1) << "position " << p;
  auto verified = VerifyDataDirectory(dir.path());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->events, static_cast<uint64_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace ledger
