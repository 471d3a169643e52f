// RocksDbMerkleNodeStore: the Merkle tree's nodes (merkle_tree.h) in a column family of the
// ledger's RocksDB database, keyed as merkle_format.h describes.
//
// The store reads; the appender's nodes are written by the caller, with AddToBatch, into the
// same WriteBatch as the events they cover, so that the tree and the log never disagree after a
// crash. Nodes are immutable once written, so reads need no snapshot.
//
// Thread safety: Get may be called from any thread (RocksDB reads are thread-safe). The database
// and family are not owned and must outlive the store.
#ifndef ENGAGEMENT_LEDGER_ROCKSDB_MERKLE_STORE_H_
#define ENGAGEMENT_LEDGER_ROCKSDB_MERKLE_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/merkle_tree.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace ledger {

class RocksDbMerkleNodeStore : public MerkleNodeStore {
 public:
  RocksDbMerkleNodeStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family)
      : db_(db), family_(family) {}

  // NOT_FOUND when the node is not stored; the RocksDB error otherwise (FromRocks).
  absl::StatusOr<std::string> Get(int level, uint64_t index) const override;

  // Adds a Put of every node to `batch`, in `family`. INVALID_ARGUMENT (and nothing added) when a
  // node's level is outside [0, 63] or its hash is not 32 bytes.
  static absl::Status AddToBatch(const std::vector<MerkleNode>& nodes,
                                 rocksdb::ColumnFamilyHandle* family, rocksdb::WriteBatch* batch);

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_ROCKSDB_MERKLE_STORE_H_
