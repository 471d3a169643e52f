// The Merkle tree kept with the log: its roots are RFC 9162 roots over the stored records, its
// proofs verify, and it survives reopening and being rebuilt for an older log.
#include <thread>

#include "gtest/gtest.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/merkle_tree.h"
#include "ledger/rocksdb_event_log.h"
#include "tests/raw_database.h"
#include "tests/test_support.h"
#include "tests/unit/merkle_reference.h"

namespace ledger {
namespace {

using merkle_reference::NaiveMth;
using testing_support::EngagementStream;
using testing_support::SessionHeld;

class LogTreeTest : public ::testing::Test {
 protected:
  void Open() {
    log_.reset();
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }
  // The stored records, in order: the tree's data.
  merkle_reference::Hashes Records() {
    merkle_reference::Hashes out;
    EXPECT_TRUE(log_->ReadLog({}, [&](const engagement::v1::Event&, absl::string_view record) {
                      out.push_back(std::string(record));
                      return true;
                    }).ok());
    return out;
  }
  void AppendBatches(std::vector<int> sizes) {
    for (int n : sizes) {
      std::vector<engagement::v1::Event> events(n, SessionHeld());
      ASSERT_TRUE(log_->Append({EngagementStream(), ExpectedRevision::Any(), events}).ok());
    }
  }

  testing_support::TempDir dir_;
  std::unique_ptr<RocksDbEventLog> log_;
};

TEST_F(LogTreeTest, RootsAndProofsMatchRfc9162OverTheStoredRecords) {
  Open();
  AppendBatches({1, 2, 3, 5, 8, 1, 1, 13, 4});
  auto records = Records();
  ASSERT_EQ(records.size(), 38u);
  for (uint64_t size = 0; size <= records.size(); ++size) {
    auto root = log_->TreeRoot(size);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(*root, size == 0 ? MerkleEmptyRootHash() : NaiveMth(records, 0, size)) << size;
  }
  for (uint64_t size = 1; size <= records.size(); size += 5) {
    std::string root = *log_->TreeRoot(size);
    for (uint64_t position = 1; position <= size; ++position) {
      auto proof = log_->InclusionProof(position, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyInclusion(MerkleLeafHash(records[position - 1]), position - 1, size,
                                  *proof, root)
                      .ok());
    }
    for (uint64_t old_size = 1; old_size <= size; ++old_size) {
      auto proof = log_->ConsistencyProof(old_size, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyConsistency(old_size, size, *proof, *log_->TreeRoot(old_size), root).ok());
    }
  }
  EXPECT_TRUE(absl::IsOutOfRange(log_->TreeRoot(39).status()));
  EXPECT_TRUE(absl::IsOutOfRange(log_->InclusionProof(0, 10).status()));
}

TEST_F(LogTreeTest, ConcurrentAppendsAndReopenKeepTheTreeWhole) {
  Open();
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] { AppendBatches({1, 3, 1, 7, 2, 1}); });
  }
  for (auto& w : writers) w.join();
  Open();
  AppendBatches({5});
  auto records = Records();
  EXPECT_EQ(*log_->TreeRoot(records.size()), NaiveMth(records, 0, records.size()));
}

TEST_F(LogTreeTest, AnOlderLogWithoutATreeGetsOneOnOpen) {
  Open();
  AppendBatches({3, 4, 9});
  // Drop the tree, as a log written before it existed would be.
  log_.reset();
  {
    testing_support::RawDatabase raw(dir_.path());
    ASSERT_TRUE(raw.db()->DropColumnFamily(raw.family(merkle_format::kMerkleFamily)).ok());
    ASSERT_TRUE(raw.db()
                    ->Delete(rocksdb::WriteOptions(), raw.family(log_format::kMetaFamily),
                             log_format::kTreeSizeKey)
                    .ok());
  }
  Open();
  auto records = Records();
  EXPECT_EQ(*log_->TreeRoot(records.size()), NaiveMth(records, 0, records.size()));
  EXPECT_EQ(*log_->TreeRoot(7), NaiveMth(records, 0, 7));
}

}  // namespace
}  // namespace ledger
