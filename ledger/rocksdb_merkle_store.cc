#include "ledger/rocksdb_merkle_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_status.h"

namespace ledger {

LeafHashSource LogLeafHashes(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log_family) {
  return [db, log_family](uint64_t first,
                          uint64_t count) -> absl::StatusOr<std::vector<std::string>> {
    std::vector<std::string> hashes;
    hashes.reserve(count);
    std::string upper = log_format::PositionKey(first + count + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, log_family));
    uint64_t expected = first + 1;
    for (it->Seek(log_format::PositionKey(expected)); it->Valid(); it->Next(), ++expected) {
      uint64_t position = 0;
      absl::string_view value = View(it->value());
      if (!log_format::DecodeFixed64BE(View(it->key()), &position) || position != expected ||
          value.size() < log_format::kHashSize) {
        return absl::DataLossError(absl::StrCat("position ", expected, " is missing from the log"));
      }
      hashes.push_back(MerkleLeafHash(value.substr(log_format::kHashSize)));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
    if (hashes.size() != count) return absl::NotFoundError("leaf beyond the log");
    return hashes;
  };
}

absl::StatusOr<std::string> RocksDbMerkleNodeStore::Get(int level, uint64_t index) const {
  if (level < 0 || level > merkle_format::kMaxLevel) {
    return absl::InvalidArgumentError(absl::StrCat("no Merkle level ", level));
  }
  if (level < lowest_stored_level_) {
    // Not stored: hash the subtree's leaves up to it.
    absl::StatusOr<std::vector<std::string>> hashes = leaves_(index << level, uint64_t{1} << level);
    if (!hashes.ok()) return hashes.status();
    for (size_t width = hashes->size(); width > 1; width /= 2) {
      for (size_t i = 0; i < width / 2; ++i) {
        (*hashes)[i] = MerkleNodeHash((*hashes)[2 * i], (*hashes)[2 * i + 1]);
      }
    }
    return std::move((*hashes)[0]);
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
                                                rocksdb::WriteBatch* batch,
                                                int lowest_stored_level) {
  for (const MerkleNode& node : nodes) {
    if (node.level < 0 || node.level > merkle_format::kMaxLevel ||
        node.hash.size() != kMerkleHashSize) {
      return absl::InvalidArgumentError(absl::StrCat("not a Merkle node: level ", node.level, ", ",
                                                     node.hash.size(), "-byte hash"));
    }
  }
  for (const MerkleNode& node : nodes) {
    if (node.level < lowest_stored_level) continue;
    rocksdb::Status s = batch->Put(family, merkle_format::NodeKey(node.level, node.index),
                                   rocksdb::Slice(node.hash.data(), node.hash.size()));
    if (!s.ok()) return FromRocks(s, "batching a Merkle node");
  }
  return absl::OkStatus();
}

}  // namespace ledger
