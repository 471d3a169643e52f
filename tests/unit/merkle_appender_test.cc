// The appender against the naive tree (merkle_reference.h), in batches and restored midway,
// and the RocksDB store on disk.
#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/merkle_format.h"
#include "ledger/merkle_tree.h"
#include "ledger/rocksdb_merkle_store.h"
#include "rocksdb/db.h"
#include "tests/test_support.h"
#include "tests/unit/merkle_reference.h"

namespace ledger {
namespace {

using merkle_reference::Build;
using merkle_reference::Flip;
using merkle_reference::Hashes;
using merkle_reference::LeafHashes;
using merkle_reference::NaiveMth;
using merkle_reference::NaivePath;
using merkle_reference::NaiveSubproof;
using merkle_reference::TestData;
using merkle_reference::Unhex;

constexpr size_t kMaxSize = 70;

// Appends `data[from, to)` in batches of varied sizes, checking every batch against the naive
// tree and that no node is written twice.
void AppendInBatches(const Hashes& data, size_t from, size_t to, MerkleAppender* appender,
                     InMemoryMerkleNodeStore* store) {
  static const size_t kBatchSizes[] = {1, 3, 0, 2, 7, 1, 16, 5, 4, 11, 1, 1, 9};
  size_t next = from;
  for (size_t b = 0; next < to; ++b) {
    size_t count = std::min(kBatchSizes[(b + from) % std::size(kBatchSizes)], to - next);
    auto nodes = appender->Append(LeafHashes(data, next, next + count));
    ASSERT_TRUE(nodes.ok());
    for (const MerkleNode& node : *nodes) {
      EXPECT_TRUE(absl::IsNotFound(store->Get(node.level, node.index).status()))
          << "node (" << node.level << ", " << node.index << ") written twice";
      EXPECT_EQ(node.hash,
                NaiveMth(data, node.index << node.level, (node.index + 1) << node.level));
    }
    store->PutAll(*nodes);
    next += count;
    ASSERT_EQ(appender->size(), next);
    EXPECT_EQ(appender->RootHash(), NaiveMth(data, 0, next)) << next;
    EXPECT_EQ(*RootHash(*store, next), NaiveMth(data, 0, next)) << next;
  }
}

// Exactly the complete perfect subtrees: floor(n / 2^level) nodes at each level.
size_t ExpectedNodeCount(uint64_t n) {
  size_t count = 0;
  for (uint64_t width = 1; width <= n; width <<= 1) count += n / width;
  return count;
}

TEST(MerkleAppenderTest, BatchesOfVariedSizesMatchNaive) {
  const Hashes data = TestData(300);
  InMemoryMerkleNodeStore store;
  MerkleAppender appender;
  EXPECT_EQ(appender.RootHash(), MerkleEmptyRootHash());
  AppendInBatches(data, 0, data.size(), &appender, &store);
  EXPECT_EQ(store.node_count(), ExpectedNodeCount(data.size()));
}

TEST(MerkleAppenderTest, RestoredMidwayContinuesTheSameTree) {
  const Hashes data = TestData(kMaxSize);
  for (size_t cut = 0; cut <= kMaxSize; ++cut) {
    SCOPED_TRACE(cut);
    InMemoryMerkleNodeStore store;
    {
      MerkleAppender first;
      AppendInBatches(data, 0, cut, &first, &store);
    }
    auto restored = MerkleAppender::Restore(store, cut);
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(restored->size(), cut);
    EXPECT_EQ(restored->RootHash(), NaiveMth(data, 0, cut));
    AppendInBatches(data, cut, kMaxSize, &*restored, &store);
    EXPECT_EQ(store.node_count(), ExpectedNodeCount(kMaxSize));
  }
  InMemoryMerkleNodeStore store;
  Build(TestData(5), &store);
  EXPECT_TRUE(absl::IsNotFound(MerkleAppender::Restore(store, 6).status()));
}

TEST(MerkleAppenderTest, RejectsWhatIsNotALeafHash) {
  MerkleAppender appender;
  ASSERT_TRUE(appender.Append({MerkleLeafHash("a")}).ok());
  auto bad = appender.Append({MerkleLeafHash("b"), "not a hash"});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_EQ(appender.size(), 1u);
  EXPECT_EQ(appender.RootHash(), MerkleLeafHash("a"));
  EXPECT_TRUE(appender.Append({})->empty());
}

TEST(MerkleFormatTest, NodeKeys) {
  EXPECT_EQ(merkle_format::NodeKey(3, 5), std::string("\x03\0\0\0\0\0\0\0\x05", 9));
  EXPECT_EQ(merkle_format::NodeKey(0, 0x0102030405060708),
            std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08", 9));
  int level = -1;
  uint64_t index = 0;
  ASSERT_TRUE(merkle_format::DecodeNodeKey(merkle_format::NodeKey(63, 77), &level, &index));
  EXPECT_EQ(level, 63);
  EXPECT_EQ(index, 77u);
  EXPECT_FALSE(merkle_format::DecodeNodeKey(std::string(9, '\x40'), &level, &index));
  EXPECT_FALSE(merkle_format::DecodeNodeKey(std::string(8, '\0'), &level, &index));
}

// A RocksDB database with the merkle family, closed on destruction.
class MerkleDb {
 public:
  explicit MerkleDb(const std::string& path) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {merkle_format::kMerkleFamily, {}}};
    rocksdb::DB* db = nullptr;
    status_ = rocksdb::DB::Open(options, path, families, &handles_, &db);
    db_.reset(db);
  }
  ~MerkleDb() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    db_.reset();
  }
  const rocksdb::Status& status() const { return status_; }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* merkle() { return handles_[1]; }

 private:
  rocksdb::Status status_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

absl::Status AppendToDb(MerkleDb& db, MerkleAppender* appender, const Hashes& leaves) {
  MerkleAppender next = *appender;  // adopted only once the write succeeded
  auto nodes = next.Append(leaves);
  if (!nodes.ok()) return nodes.status();
  rocksdb::WriteBatch batch;
  batch.Put("event", "the events of the same append would go here");
  if (auto s = RocksDbMerkleNodeStore::AddToBatch(*nodes, db.merkle(), &batch); !s.ok()) return s;
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status s = db.db()->Write(options, &batch);
  if (!s.ok()) return absl::InternalError(s.ToString());
  *appender = next;
  return absl::OkStatus();
}

TEST(MerkleAppenderTest, LeafByLeafWithoutNodesGivesTheSameRoots) {
  const Hashes data = TestData(kMaxSize);
  MerkleAppender appender;
  for (size_t n = 0; n < kMaxSize; ++n) {
    EXPECT_EQ(appender.RootHash(), NaiveMth(data, 0, n)) << n;
    ASSERT_TRUE(appender.AppendLeafHash(LeafHashes(data, n, n + 1)[0]).ok());
  }
  EXPECT_EQ(appender.RootHash(), NaiveMth(data, 0, kMaxSize));
  EXPECT_TRUE(absl::IsInvalidArgument(appender.AppendLeafHash("short")));
  EXPECT_EQ(appender.size(), kMaxSize);
}

TEST(MerkleRocksDbTest, NodesSurviveReopenAndServeProofs) {
  testing_support::TempDir dir;
  const Hashes data = TestData(kMaxSize);
  {
    MerkleDb db(dir.path());
    ASSERT_TRUE(db.status().ok()) << db.status().ToString();
    MerkleAppender appender;
    size_t next = 0, batch_size = 1;
    while (next < 45) {
      size_t end = std::min<size_t>(45, next + batch_size);
      ASSERT_TRUE(AppendToDb(db, &appender, LeafHashes(data, next, end)).ok());
      next = end;
      batch_size = batch_size % 6 + 1;
    }
    rocksdb::WriteBatch batch;
    EXPECT_TRUE(absl::IsInvalidArgument(
        RocksDbMerkleNodeStore::AddToBatch({{0, 1, "short"}}, db.merkle(), &batch)));
    EXPECT_EQ(batch.Count(), 0);
  }
  MerkleDb db(dir.path());
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  RocksDbMerkleNodeStore store(db.db(), db.merkle());
  EXPECT_TRUE(absl::IsNotFound(store.Get(0, 45).status()));
  EXPECT_TRUE(absl::IsNotFound(MerkleAppender::Restore(store, 46).status()));
  auto appender = MerkleAppender::Restore(store, 45);
  ASSERT_TRUE(appender.ok()) << appender.status();
  EXPECT_EQ(appender->RootHash(), NaiveMth(data, 0, 45));
  ASSERT_TRUE(AppendToDb(db, &*appender, LeafHashes(data, 45, kMaxSize)).ok());
  for (uint64_t n = 0; n <= kMaxSize; ++n) EXPECT_EQ(*RootHash(store, n), NaiveMth(data, 0, n));
  for (uint64_t m = 0; m < kMaxSize; m += 7) {
    auto proof = InclusionProof(store, m, kMaxSize);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, NaivePath(m, data, 0, kMaxSize));
    auto consistency = ConsistencyProof(store, m + 1, kMaxSize);
    ASSERT_TRUE(consistency.ok());
    EXPECT_EQ(*consistency, NaiveSubproof(m + 1, data, 0, kMaxSize, true));
  }
  // On disk: level-major, index order, exactly the complete perfect subtrees.
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(rocksdb::ReadOptions(), db.merkle()));
  size_t count = 0;
  int last_level = 0;
  uint64_t last_index = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++count) {
    int level;
    uint64_t index;
    ASSERT_TRUE(merkle_format::DecodeNodeKey(absl::string_view(it->key().data(), it->key().size()),
                                             &level, &index));
    if (count > 0) {
      EXPECT_TRUE(level > last_level || (level == last_level && index > last_index));
    }
    EXPECT_EQ(it->value().ToString(), NaiveMth(data, index << level, (index + 1) << level));
    last_level = level;
    last_index = index;
  }
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(count, ExpectedNodeCount(kMaxSize));
}

TEST(MerkleRocksDbTest, LowLevelsComputedFromLeavesGiveTheSameTreeWithFewerNodes) {
  testing_support::TempDir dir;
  const Hashes data = TestData(kMaxSize);
  constexpr int kLowest = 3;
  MerkleDb db(dir.path());
  ASSERT_TRUE(db.status().ok()) << db.status().ToString();
  int leaf_reads = 0;
  LeafHashSource leaves = [&](uint64_t first,
                              uint64_t count) -> absl::StatusOr<std::vector<std::string>> {
    leaf_reads += static_cast<int>(count);
    if (first + count > kMaxSize) return absl::NotFoundError("beyond");
    return LeafHashes(data, first, first + count);
  };
  RocksDbMerkleNodeStore store(db.db(), db.merkle(), kLowest, leaves);
  MerkleAppender appender;
  auto nodes = appender.Append(LeafHashes(data, 0, kMaxSize));
  ASSERT_TRUE(nodes.ok());
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(RocksDbMerkleNodeStore::AddToBatch(*nodes, db.merkle(), &batch, kLowest).ok());
  ASSERT_TRUE(db.db()->Write(rocksdb::WriteOptions(), &batch).ok());
  // Only levels 3 and up on disk: 70 / 8 + 70 / 16 + 70 / 32 + 70 / 64 nodes.
  EXPECT_EQ(batch.Count(), 8 + 4 + 2 + 1);
  for (uint64_t n = 0; n <= kMaxSize; ++n) EXPECT_EQ(*RootHash(store, n), NaiveMth(data, 0, n));
  for (uint64_t m = 0; m < kMaxSize; m += 5) {
    leaf_reads = 0;
    auto proof = InclusionProof(store, m, kMaxSize);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, NaivePath(m, data, 0, kMaxSize));
    EXPECT_LE(leaf_reads, 1 + 2 + 4 + 6) << "only the siblings below level 3 are computed";
    auto consistency = ConsistencyProof(store, m + 1, kMaxSize);
    ASSERT_TRUE(consistency.ok());
    EXPECT_EQ(*consistency, NaiveSubproof(m + 1, data, 0, kMaxSize, true));
  }
  auto restored = MerkleAppender::Restore(store, kMaxSize);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->RootHash(), NaiveMth(data, 0, kMaxSize));
  EXPECT_TRUE(absl::IsNotFound(MerkleAppender::Restore(store, kMaxSize + 1).status()));
}

}  // namespace
}  // namespace ledger
