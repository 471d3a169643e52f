// RocksDbMerkleNodeStore: the Merkle tree's nodes (merkle_tree.h) in a column family of the
// ledger's RocksDB database, keyed as merkle_format.h describes.
//
// The store reads; the appender's nodes are written by the caller, with AddToBatch, into the
// same WriteBatch as the events they cover, so that the tree and the log never disagree after a
// crash. Nodes are immutable once written, so reads need no snapshot.
//
// The lowest levels need not be stored: a store made with a lowest stored level L and a source
// of leaf hashes computes a node below L from its 2^level leaves (at most 2^(L-1)), which costs a
// short sequential read instead of a key per node on every append.
//
// Thread safety: Get may be called from any thread (RocksDB reads are thread-safe). The database
// and families are not owned and must outlive the store.
#ifndef ENGAGEMENT_LEDGER_ROCKSDB_MERKLE_STORE_H_
#define ENGAGEMENT_LEDGER_ROCKSDB_MERKLE_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/merkle_tree.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace ledger {

// The hashes of leaves [first, first + count), in order. NOT_FOUND when one is beyond the end.
using LeafHashSource =
    std::function<absl::StatusOr<std::vector<std::string>>(uint64_t first, uint64_t count)>;

// Leaf hashes read from the log family (log_format.h): leaf i is the record at position i + 1.
LeafHashSource LogLeafHashes(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log_family);

class RocksDbMerkleNodeStore : public MerkleNodeStore {
 public:
  // Every level stored.
  RocksDbMerkleNodeStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family)
      : db_(db), family_(family) {}
  // Levels from `lowest_stored_level` up stored; lower ones computed from `leaves`.
  RocksDbMerkleNodeStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                         int lowest_stored_level, LeafHashSource leaves)
      : db_(db),
        family_(family),
        lowest_stored_level_(lowest_stored_level),
        leaves_(std::move(leaves)) {}

  // NOT_FOUND when the node is not stored (or, below the lowest stored level, one of its leaves
  // does not exist); the RocksDB error otherwise (FromRocks).
  absl::StatusOr<std::string> Get(int level, uint64_t index) const override;

  // Adds a Put of every node at `lowest_stored_level` or above to `batch`, in `family`.
  // INVALID_ARGUMENT (and nothing added) when a node's level is outside [0, 63] or its hash is
  // not 32 bytes.
  static absl::Status AddToBatch(const std::vector<MerkleNode>& nodes,
                                 rocksdb::ColumnFamilyHandle* family, rocksdb::WriteBatch* batch,
                                 int lowest_stored_level = 0);

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  int lowest_stored_level_ = 0;
  LeafHashSource leaves_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_ROCKSDB_MERKLE_STORE_H_
