// A damaged write-ahead log or table file, as a failing disk or a careless hand leaves it, found
// when the log opens or its storage is checked: the log refuses to open (or the check fails) with
// a message naming the file and what to do, and never serves a silently shortened history. A
// write-ahead log torn at its very end, as a crash leaves it, still opens with every whole record.
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/uuid.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;

class DamagedStorageTest : public ::testing::Test {
 protected:
  // `n` appends of one event each, every one its own synced WAL record.
  void AppendSessions(RocksDbEventLog& log, int n) {
    AppendBatch opened{"engagement-" + testing_support::TestEngagement(),
                       ExpectedRevision::Any(), {testing_support::EngagementOpened()}};
    ASSERT_TRUE(log.Append(opened).ok());
    for (int i = 1; i < n; ++i) {
      AppendBatch batch{testing_support::EngagementStream(), ExpectedRevision::Any(),
                        {testing_support::SessionHeld()}};
      ASSERT_TRUE(log.Append(batch).ok());
    }
  }

  // The largest file of `directory` whose name ends with `suffix`.
  static std::string Largest(const std::string& directory, const std::string& suffix) {
    std::string found;
    uintmax_t size = 0;
    for (const auto& entry : fs::directory_iterator(directory)) {
      if (!absl::EndsWith(entry.path().string(), suffix)) continue;
      if (entry.file_size() > size) {
        size = entry.file_size();
        found = entry.path().string();
      }
    }
    return found;
  }

  static void FlipByteAt(const std::string& file, uintmax_t offset) {
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekg(static_cast<std::streamoff>(offset));
    char byte = 0;
    stream.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    stream.seekp(static_cast<std::streamoff>(offset));
    stream.write(&byte, 1);
  }

  // A copy of the open log's directory: what a crash (kill -9, power cut after the syncs) leaves.
  std::string CrashCopy(const std::string& name) {
    const std::string copy = dir_.Sub(name);
    fs::copy(dir_.Sub("log"), copy, fs::copy_options::recursive);
    return copy;
  }

  testing_support::TempDir dir_;
};

TEST_F(DamagedStorageTest, WalDamagedInTheMiddleStopsTheOpenNamingTheFile) {
  auto log = RocksDbEventLog::Open(dir_.Sub("log"), RocksDbOptions());
  ASSERT_TRUE(log.ok()) << log.status();
  AppendSessions(**log, 60);
  const std::string copy = CrashCopy("crashed");
  const std::string wal = Largest(copy, ".log");
  ASSERT_FALSE(wal.empty());
  FlipByteAt(wal, fs::file_size(wal) / 2);

  auto reopened = RocksDbEventLog::Open(copy, RocksDbOptions());
  ASSERT_FALSE(reopened.ok()) << "opened a damaged log, head " << (*reopened)->Head().position;
  EXPECT_TRUE(absl::IsDataLoss(reopened.status())) << reopened.status();
  EXPECT_TRUE(absl::StrContains(reopened.status().message(), ".log")) << reopened.status();
  EXPECT_TRUE(absl::StrContains(reopened.status().message(), "restore")) << reopened.status();
}

TEST_F(DamagedStorageTest, WalTornAtItsEndOpensWithEveryWholeRecord) {
  auto log = RocksDbEventLog::Open(dir_.Sub("log"), RocksDbOptions());
  ASSERT_TRUE(log.ok()) << log.status();
  AppendSessions(**log, 60);
  const std::string copy = CrashCopy("crashed");
  const std::string wal = Largest(copy, ".log");
  ASSERT_FALSE(wal.empty());
  fs::resize_file(wal, fs::file_size(wal) - 7);  // the last record cut short, as a crash does

  auto reopened = RocksDbEventLog::Open(copy, RocksDbOptions());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->Head().position, 59u);  // the torn append was never acknowledged
}

TEST_F(DamagedStorageTest, DamagedTableFileIsFoundByTheStorageCheckNamingTheFile) {
  {
    auto log = RocksDbEventLog::Open(dir_.Sub("log"), RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    AppendSessions(**log, 200);
    ASSERT_TRUE((*log)->Close().ok());  // flushed into table files
  }
  const std::string table = Largest(dir_.Sub("log"), ".sst");
  ASSERT_FALSE(table.empty());
  FlipByteAt(table, fs::file_size(table) / 3);  // inside a data block

  auto reopened = RocksDbEventLog::Open(dir_.Sub("log"), RocksDbOptions());
  absl::Status found = reopened.ok() ? (*reopened)->VerifyStorage() : reopened.status();
  EXPECT_TRUE(absl::IsDataLoss(found)) << found;
  EXPECT_TRUE(absl::StrContains(found.message(), fs::path(table).filename().string())) << found;
  EXPECT_TRUE(absl::StrContains(found.message(), "restore")) << found;
}

}  // namespace
}  // namespace ledger
