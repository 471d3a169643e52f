#include "ledger/rocksdb_merkle_store.h"

#include "absl/strings/str_cat.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_status.h"

namespace ledger {

absl::StatusOr<std::string> RocksDbMerkleNodeStore::Get(int level, uint64_t index) const {
  if (level < 0 || level > merkle_format::kMaxLevel) {
    return absl::InvalidArgumentError(absl::StrCat("no Merkle level ", level));
  }
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family_, merkle_format::NodeKey(level, index), &value);
  if (s.IsNotFound()) return absl::NotFoundError("not stored");
  if (!s.ok()) return FromRocks(s, "reading a Merkle node");
  return value;
}

absl::Status RocksDbMerkleNodeStore::AddToBatch(const std::vector<MerkleNode>& nodes,
                                                rocksdb::ColumnFamilyHandle* family,
                                                rocksdb::WriteBatch* batch) {
  for (const MerkleNode& node : nodes) {
    if (node.level < 0 || node.level > merkle_format::kMaxLevel ||
        node.hash.size() != kMerkleHashSize) {
      return absl::InvalidArgumentError(absl::StrCat("not a Merkle node: level ", node.level, ", ",
                                                     node.hash.size(), "-byte hash"));
    }
  }
  for (const MerkleNode& node : nodes) {
    rocksdb::Status s = batch->Put(family, merkle_format::NodeKey(node.level, node.index),
                                   rocksdb::Slice(node.hash.data(), node.hash.size()));
    if (!s.ok()) return FromRocks(s, "batching a Merkle node");
  }
  return absl::OkStatus();
}

}  // namespace ledger
