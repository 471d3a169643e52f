// The checkpointer's promise, against a real RocksDB log: it never signs two inconsistent
// checkpoints. When the stored tree no longer agrees with the latest checkpoint (as after history
// was rewritten under it), it refuses to sign, says why, and stores nothing.
#include "ledger/checkpointer.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/log_format.h"
#include "ledger/merkle_tree.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/signed_note.h"
#include "tests/raw_database.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

constexpr char kOrigin[] = "test.example/ledger";

CheckpointSigner TestSigner() {
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromSeed(kOrigin, std::string(32, '\x07'));
  EXPECT_TRUE(signer.ok()) << signer.status();
  return CheckpointSigner(*std::move(signer));
}

void AppendSessions(RocksDbEventLog& log, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(log.Append({testing_support::EngagementStream(), ExpectedRevision::Any(),
                            {testing_support::SessionHeld()}})
                    .ok());
  }
}

TEST(CheckpointerTest, RefusesToSignATreeInconsistentWithTheLatestCheckpoint) {
  testing_support::TempDir dir;
  {
    auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    Checkpointer checkpointer(log->get(), &(*log)->tree_store(), log->get(), TestSigner());
    AppendSessions(**log, 3);
    auto first = checkpointer.SignHead(absl::Now());
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->tree_size, 3u);
    // A tree that extends the latest checkpoint is signed.
    AppendSessions(**log, 2);
    auto second = checkpointer.SignHead(absl::Now());
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(second->tree_size, 5u);
  }
  // The stored checkpoint of 5 events now commits to a root the tree does not have.
  testing_support::RawDatabase(dir.path()).EditValue(
      log_format::kCheckpointsFamily, log_format::EncodeFixed64BE(5), [](std::string& value) {
        value.replace(0, log_format::kHashSize, MerkleLeafHash("another history"));
      });
  auto log = RocksDbEventLog::Open(dir.path(), RocksDbOptions());
  ASSERT_TRUE(log.ok()) << log.status();
  Checkpointer checkpointer(log->get(), &(*log)->tree_store(), log->get(), TestSigner());
  AppendSessions(**log, 2);
  auto before = (*log)->ListCheckpoints();
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 2u);

  for (int attempt = 0; attempt < 2; ++attempt) {  // refused every time, not just once
    auto refused = checkpointer.SignHead(absl::Now());
    ASSERT_FALSE(refused.ok()) << "signed a checkpoint of " << refused->tree_size;
    EXPECT_TRUE(absl::IsDataLoss(refused.status())) << refused.status();
    EXPECT_EQ(refused.status().message(),
              "the tree of the first 5 events no longer has the root the ledger signed: history "
              "was rewritten");
  }
  auto after = (*log)->ListCheckpoints();
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), 2u) << "a checkpoint was stored";
  EXPECT_EQ(after->back().tree_size, 5u);
  EXPECT_EQ(after->back().root_hash, MerkleLeafHash("another history"));
}

}  // namespace
}  // namespace ledger
