// An RFC 9162 (Certificate Transparency v2, section 2.1) Merkle tree over the log, so that an
// auditor can check that an event is in the log (inclusion proof) and that the log only grew
// between two tree heads (consistency proof) without reading the log.
//
// Leaves are the events' canonical records in position order: leaf i is position i + 1, and a
// tree of size n covers positions 1..n.
//
//   leaf hash      = SHA-256(0x00 || canonical record)
//   node hash      = SHA-256(0x01 || left hash || right hash)
//   MTH({})        = SHA-256()                    (the empty tree)
//   MTH(D[n])      = leaf hash of D[0]            (n = 1)
//   MTH(D[n])      = node hash of MTH(D[0:k]), MTH(D[k:n]), k the largest power of 2 below n
//
// Storage: the hash of every COMPLETE perfect subtree, node (level, index) covering leaves
// [index * 2^level, (index + 1) * 2^level) (merkle_format.h). Every other hash the RFC needs,
// a root or a proof node over a range that is not a perfect subtree, is computed from the
// perfect subtrees the range splits into, so a root costs popcount(n) reads and a proof
// O(log n) reads.
//
// All hashes are 32 raw bytes. Errors: absl::Status, no exceptions. The functions taking a
// store read only nodes of the tree of the size they are given; nodes never change once
// written, so they need no snapshot while the log grows.
#ifndef ENGAGEMENT_LEDGER_MERKLE_TREE_H_
#define ENGAGEMENT_LEDGER_MERKLE_TREE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

inline constexpr size_t kMerkleHashSize = 32;

// SHA-256(0x00 || leaf); the level-0 node of a leaf.
std::string MerkleLeafHash(absl::string_view leaf);
// SHA-256(0x01 || left || right).
std::string MerkleNodeHash(absl::string_view left, absl::string_view right);
// MTH of the empty tree: SHA-256 of the empty string.
const std::string& MerkleEmptyRootHash();

// One stored node: the hash of the perfect subtree over leaves
// [index * 2^level, (index + 1) * 2^level).
struct MerkleNode {
  int level = 0;
  uint64_t index = 0;
  std::string hash;

  friend bool operator==(const MerkleNode& a, const MerkleNode& b) {
    return a.level == b.level && a.index == b.index && a.hash == b.hash;
  }
};

// Read access to the stored nodes.
class MerkleNodeStore {
 public:
  virtual ~MerkleNodeStore() = default;
  // The hash of node (level, index): NOT_FOUND when it is not stored, another error when it
  // cannot be read. The tree functions check that a hash is 32 bytes (DATA_LOSS otherwise).
  virtual absl::StatusOr<std::string> Get(int level, uint64_t index) const = 0;
};

// Keeps the tree's right frontier (the hashes of the perfect subtrees that make up the tree,
// one per set bit of its size: at most 64) and turns new leaf hashes into the nodes to store.
// Not thread-safe; the log's single writer owns it. Copyable: to stay in step with a store
// whose write may fail, append to a copy and keep the copy once the write has succeeded (or
// Restore after a failure).
class MerkleAppender {
 public:
  // An appender for the empty tree.
  MerkleAppender() = default;

  // The appender of the tree of `tree_size` leaves whose nodes are in `store`: reads the
  // popcount(tree_size) frontier nodes. NOT_FOUND (or DATA_LOSS) when the store lacks one.
  static absl::StatusOr<MerkleAppender> Restore(const MerkleNodeStore& store, uint64_t tree_size);

  uint64_t size() const { return size_; }

  // Appends leaves, given as leaf hashes (MerkleLeafHash), in order. Returns every node that
  // becomes complete, to write to the store (in the same batch as the events): each leaf hash at
  // level 0 and each perfect subtree the new leaves complete, in the order they complete (a node
  // after its children). INVALID_ARGUMENT, and no change, when a hash is not 32 bytes.
  absl::StatusOr<std::vector<MerkleNode>> Append(const std::vector<std::string>& leaf_hashes);

  // Appends one leaf hash without returning the nodes it completes: for checkers that need only
  // roots. INVALID_ARGUMENT, and no change, when it is not 32 bytes.
  absl::Status AppendLeafHash(absl::string_view leaf_hash);
  // The same, calling `completed` with each perfect subtree (level >= 1) the leaf completes, in
  // the order they complete: for checkers that compare them with stored nodes.
  absl::Status AppendLeafHash(
      absl::string_view leaf_hash,
      absl::FunctionRef<void(int level, uint64_t index, absl::string_view hash)> completed);

  // MTH of the tree appended so far, from the frontier alone (no reads).
  std::string RootHash() const;

 private:
  uint64_t size_ = 0;
  // Hashes of the perfect subtrees covering [0, size_), largest (leftmost) first: one per set
  // bit of size_, from the highest bit down.
  std::vector<std::string> frontier_;
};

// MTH of the first `tree_size` leaves. `tree_size` 0 gives MerkleEmptyRootHash() and reads
// nothing.
absl::StatusOr<std::string> RootHash(const MerkleNodeStore& store, uint64_t tree_size);

// The RFC 9162 2.1.3.1 inclusion proof PATH(leaf_index, D[tree_size]): sibling hashes from the
// leaf up. INVALID_ARGUMENT unless leaf_index < tree_size.
absl::StatusOr<std::vector<std::string>> InclusionProof(const MerkleNodeStore& store,
                                                        uint64_t leaf_index, uint64_t tree_size);

// The RFC 9162 2.1.4.1 consistency proof PROOF(size1, D[size2]) = SUBPROOF(size1, D[size2],
// true). Empty when size1 is 0 or size1 == size2 (nothing to prove); INVALID_ARGUMENT when
// size1 > size2.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(const MerkleNodeStore& store,
                                                          uint64_t size1, uint64_t size2);

// RFC 9162 2.1.3.2: OK when `proof` shows that `leaf_hash` is leaf `leaf_index` of the tree of
// `tree_size` leaves whose root is `root`; otherwise INVALID_ARGUMENT saying which check failed.
// Needs no store. The algorithm uses the tree size only through its higher bits, so a proof can
// also pass for a nearby size with the same root: trust a size only together with its root
// (as a signed checkpoint gives them).
absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                             const std::vector<std::string>& proof, absl::string_view root);

// RFC 9162 2.1.4.2: OK when `proof` shows that the tree of `size1` leaves with root `root1` is a
// prefix of the tree of `size2` leaves with root `root2`; otherwise INVALID_ARGUMENT saying
// which check failed. The RFC covers 0 < size1 < size2; besides, size1 == size2 holds with an
// empty proof and root1 == root2, and size1 == 0 with an empty proof and root1 the empty
// tree's root. size1 > size2 never holds.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                               const std::vector<std::string>& proof, absl::string_view root1,
                               absl::string_view root2);

// A MerkleNodeStore in memory, for tests and tools. Not thread-safe.
class InMemoryMerkleNodeStore : public MerkleNodeStore {
 public:
  absl::StatusOr<std::string> Get(int level, uint64_t index) const override;
  void Put(const MerkleNode& node);
  void PutAll(const std::vector<MerkleNode>& nodes);
  size_t node_count() const { return nodes_.size(); }
  // Number of Get calls so far, to check how many reads an operation costs.
  uint64_t reads() const { return reads_; }

 private:
  std::map<std::pair<int, uint64_t>, std::string> nodes_;
  mutable uint64_t reads_ = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_MERKLE_TREE_H_
