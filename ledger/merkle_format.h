// The on-disk format of the Merkle tree over the log (merkle_tree.h), in one place.
//
// The tree is kept in its own RocksDB column family of the ledger's database:
//
//   "merkle"   key: level (1 byte) || index (8-byte big-endian)
//              value: the node's hash, 32 raw bytes
//
// Node (level, index) is the RFC 9162 hash of the perfect subtree over leaves
// [index * 2^level, (index + 1) * 2^level), leaf i being the event at position i + 1. Level 0
// would be the leaf hashes, SHA-256(0x00 || canonical record). Only COMPLETE perfect subtrees of
// level kLowestStoredLevel and above are stored: for a log of n events, exactly the nodes with
// level >= kLowestStoredLevel and (index + 1) * 2^level <= n. The nodes below are computed when
// needed from the records (at most 2^(kLowestStoredLevel - 1) of them per node). Nodes never
// change once written, and every append writes its new nodes in the same WriteBatch as its
// events, so the family always describes the tree of the current head. (Logs written before
// kLowestStoredLevel was raised from 0 also hold lower nodes; they are no longer read.)
//
// Keys sort by level, then by index (big-endian), so one level's nodes are contiguous and in
// leaf order. A log of n events has fewer than n / 2^(kLowestStoredLevel - 1) stored nodes.
#ifndef ENGAGEMENT_LEDGER_MERKLE_FORMAT_H_
#define ENGAGEMENT_LEDGER_MERKLE_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "ledger/log_format.h"

namespace ledger {
namespace merkle_format {

inline constexpr char kMerkleFamily[] = "merkle";

inline constexpr size_t kNodeKeySize = 9;
// Levels below this are not stored (see above): one node for every 16 events instead of two
// per event, for a sequential read of at most 8 records per computed node.
inline constexpr int kLowestStoredLevel = 4;
// A perfect subtree of a tree of at most 2^64 - 1 leaves has at most 2^63 leaves.
inline constexpr int kMaxLevel = 63;

// The key of node (level, index); `level` must be in [0, kMaxLevel].
inline std::string NodeKey(int level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  key += log_format::EncodeFixed64BE(index);
  return key;
}

// Returns false when `key` is not a node key.
inline bool DecodeNodeKey(absl::string_view key, int* level, uint64_t* index) {
  if (key.size() != kNodeKeySize) return false;
  int l = static_cast<unsigned char>(key[0]);
  if (l > kMaxLevel) return false;
  if (!log_format::DecodeFixed64BE(key.substr(1), index)) return false;
  *level = l;
  return true;
}

}  // namespace merkle_format
}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_MERKLE_FORMAT_H_
