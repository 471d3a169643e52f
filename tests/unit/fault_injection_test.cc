// What the log does when the disk fails under it (a full disk, an I/O error), injected into the
// files RocksDB writes: the appends of the failed write are answered UNAVAILABLE, the log then
// refuses every later append until it is reopened, nothing acknowledged is lost, and a client
// that retries with the same event ids gets each event exactly once.
#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/chain_verifier.h"
#include "ledger/rocksdb_event_log.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/faulty_file_system.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

using testing_support::Fault;
using testing_support::FaultyFileSystem;

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_system_ = std::make_shared<FaultyFileSystem>();
    env_ = rocksdb::NewCompositeEnv(file_system_);
    Reopen();
  }

  void Reopen() {
    log_.reset();
    RocksDbOptions options;
    options.env = env_.get();
    auto log = RocksDbEventLog::Open(dir_.path(), options);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  // A batch of `n` sessions of the test engagement, with the event ids a careful client sets.
  AppendBatch Sessions(const std::string& stream, int n) {
    AppendBatch batch{stream, ExpectedRevision::Any(), {}};
    for (int i = 0; i < n; ++i) {
      engagement::v1::Event event = testing_support::SessionHeld();
      event.set_event_id(NewUuid());
      batch.events.push_back(std::move(event));
    }
    return batch;
  }

  // Every event of the log re-hashed from its stored bytes: the chain must be whole.
  void ExpectChainWhole() {
    ChainVerifier chain;
    absl::Status read = log_->ReadLog({}, [&](const engagement::v1::Event& event,
                                              absl::string_view record) {
      return chain.Add(event.position(), event.hash(), record).ok();
    });
    EXPECT_TRUE(read.ok()) << read;
    EXPECT_TRUE(chain.status().ok()) << chain.status();
    const LogHead head = log_->Head();
    EXPECT_TRUE(chain.Finish(head.position, head.hash).ok()) << chain.status();
    EXPECT_EQ(chain.verified(), head.position);
  }

  testing_support::TempDir dir_;
  std::shared_ptr<FaultyFileSystem> file_system_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<RocksDbEventLog> log_;
};

TEST_F(FaultInjectionTest, AFullDiskFailsTheAppendAndTheLogRefusesWritesUntilReopened) {
  auto acknowledged = log_->Append(Sessions("engagement-a", 3));
  ASSERT_TRUE(acknowledged.ok()) << acknowledged.status();

  file_system_->fault = Fault::kAppend;
  auto failed = log_->Append(Sessions("engagement-a", 2));
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(absl::IsUnavailable(failed.status())) << failed.status();
  EXPECT_TRUE(absl::StrContains(failed.status().message(), "could not be made durable"))
      << failed.status();
  EXPECT_EQ(log_->Head().position, 3u) << "readers must not see what was not made durable";

  // The disk has room again, but the log's memory may be ahead of its disk: it refuses.
  file_system_->fault = Fault::kNone;
  auto refused = log_->Append(Sessions("engagement-b", 1));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "refuses writes after a failed write"))
      << refused.status();

  // Reopened, it has exactly what was acknowledged, whole, and takes appends again.
  Reopen();
  EXPECT_EQ(log_->Head().position, 3u);
  ExpectChainWhole();
  auto after = log_->Append(Sessions("engagement-a", 1));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->positions, std::vector<uint64_t>{4});
  EXPECT_EQ(after->stream_revision, 3u);
}

TEST_F(FaultInjectionTest, AFailedSyncLeavesTheOutcomeOpenAndARetryWithTheSameIdsAppendsOnce) {
  ASSERT_TRUE(log_->Append(Sessions("engagement-a", 2)).ok());

  // The record reached the file but its sync failed: it may or may not survive.
  file_system_->fault = Fault::kSync;
  AppendBatch batch = Sessions("engagement-a", 3);
  auto failed = log_->Append(batch);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(absl::IsUnavailable(failed.status())) << failed.status();
  file_system_->fault = Fault::kNone;

  // The client retries the same batch after the restart: appended once, whichever way it went.
  Reopen();
  const uint64_t head = log_->Head().position;
  ASSERT_TRUE(head == 2 || head == 5) << head;
  auto retried = log_->Append(batch);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->positions, (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(retried->already_appended, head == 5);
  EXPECT_EQ(log_->Head().position, 5u);
  ExpectChainWhole();
}

}  // namespace
}  // namespace ledger
