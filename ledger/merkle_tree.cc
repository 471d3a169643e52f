// Hashing, the appender, roots and proof generation. The verifiers are in merkle_verify.cc.
#include "ledger/merkle_tree.h"

#include <cstring>

#include <bit>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "ledger/hash_chain.h"

namespace ledger {
namespace {

// The largest power of 2 smaller than n (n >= 2): RFC 9162's k.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (std::bit_width(n - 1) - 1); }

// A stored node, checked to be a hash.
absl::StatusOr<std::string> GetNode(const MerkleNodeStore& store, int level, uint64_t index) {
  absl::StatusOr<std::string> hash = store.Get(level, index);
  if (!hash.ok()) {
    return absl::Status(hash.status().code(), absl::StrCat("merkle node (", level, ", ", index,
                                                           "): ", hash.status().message()));
  }
  if (hash->size() != kMerkleHashSize) {
    return absl::DataLossError(absl::StrCat("merkle node (", level, ", ", index, ") is ",
                                            hash->size(), " bytes, not ", kMerkleHashSize));
  }
  return hash;
}

// MTH(D[start:end]) for a range the RFC's recursion produces: its perfect subtrees are aligned
// (start is a multiple of their size), so the range splits into at most 64 stored nodes.
absl::StatusOr<std::string> RangeHash(const MerkleNodeStore& store, uint64_t start, uint64_t end) {
  const uint64_t n = end - start;
  if (std::has_single_bit(n)) {
    const int level = std::countr_zero(n);
    return GetNode(store, level, start >> level);
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<std::string> left = RangeHash(store, start, start + k);
  if (!left.ok()) return left.status();
  absl::StatusOr<std::string> right = RangeHash(store, start + k, end);
  if (!right.ok()) return right.status();
  return MerkleNodeHash(*left, *right);
}

// Appends PATH(m, D[start:end]) to `out` (RFC 9162 2.1.3.1):
//   PATH(0, {d(0)}) = {}
//   PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])       for m < k
//   PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])   for m >= k
absl::Status AppendPath(const MerkleNodeStore& store, uint64_t m, uint64_t start, uint64_t end,
                        std::vector<std::string>* out) {
  const uint64_t n = end - start;
  if (n == 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<std::string> sibling;
  if (m < k) {
    if (absl::Status s = AppendPath(store, m, start, start + k, out); !s.ok()) return s;
    sibling = RangeHash(store, start + k, end);
  } else {
    if (absl::Status s = AppendPath(store, m - k, start + k, end, out); !s.ok()) return s;
    sibling = RangeHash(store, start, start + k);
  }
  if (!sibling.ok()) return sibling.status();
  out->push_back(*std::move(sibling));
  return absl::OkStatus();
}

// Appends SUBPROOF(m, D[start:end], complete) to `out` (RFC 9162 2.1.4.1), m <= end - start:
//   SUBPROOF(m, D[m], true) = {}
//   SUBPROOF(m, D[m], false) = {MTH(D[m])}
//   SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])           for m <= k
//   SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])   for m > k
absl::Status AppendSubproof(const MerkleNodeStore& store, uint64_t m, uint64_t start, uint64_t end,
                            bool complete, std::vector<std::string>* out) {
  const uint64_t n = end - start;
  if (m == n) {
    if (complete) return absl::OkStatus();
    absl::StatusOr<std::string> hash = RangeHash(store, start, end);
    if (!hash.ok()) return hash.status();
    out->push_back(*std::move(hash));
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<std::string> other;
  if (m <= k) {
    if (absl::Status s = AppendSubproof(store, m, start, start + k, complete, out); !s.ok()) {
      return s;
    }
    other = RangeHash(store, start + k, end);
  } else {
    if (absl::Status s = AppendSubproof(store, m - k, start + k, end, false, out); !s.ok()) {
      return s;
    }
    other = RangeHash(store, start, start + k);
  }
  if (!other.ok()) return other.status();
  out->push_back(*std::move(other));
  return absl::OkStatus();
}

}  // namespace

std::string MerkleLeafHash(absl::string_view leaf) {
  return Sha256Of({absl::string_view("\x00", 1), leaf});
}

std::string MerkleNodeHash(absl::string_view left, absl::string_view right) {
  return Sha256Of({absl::string_view("\x01", 1), left, right});
}

const std::string& MerkleEmptyRootHash() {
  static const std::string* empty =
      new std::string(Sha256Of({}));
  return *empty;
}

absl::StatusOr<MerkleAppender> MerkleAppender::Restore(const MerkleNodeStore& store,
                                                       uint64_t tree_size) {
  MerkleAppender appender;
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    if (((tree_size >> level) & 1) == 0) continue;
    absl::StatusOr<std::string> hash = GetNode(store, level, start >> level);
    if (!hash.ok()) return hash.status();
    appender.frontier_.push_back(*std::move(hash));
    start += uint64_t{1} << level;
  }
  appender.size_ = tree_size;
  return appender;
}

absl::StatusOr<std::vector<MerkleNode>> MerkleAppender::Append(
    const std::vector<std::string>& leaf_hashes) {
  for (size_t i = 0; i < leaf_hashes.size(); ++i) {
    if (leaf_hashes[i].size() != kMerkleHashSize) {
      return absl::InvalidArgumentError(absl::StrCat("leaf hash ", i, " is ", leaf_hashes[i].size(),
                                                     " bytes, not ", kMerkleHashSize));
    }
  }
  if (leaf_hashes.size() > std::numeric_limits<uint64_t>::max() - size_) {
    return absl::OutOfRangeError("the Merkle tree is full");
  }
  std::vector<MerkleNode> nodes;
  nodes.reserve(leaf_hashes.size() * 2);
  for (const std::string& leaf_hash : leaf_hashes) {
    nodes.push_back({0, size_, leaf_hash});
    std::string hash = leaf_hash;
    uint64_t index = size_;
    int level = 0;
    // Each set low bit of the old size is a perfect subtree of 2^level leaves just left of the
    // new one, of which the new leaf completes the sibling: merge them one level up.
    while ((size_ >> level) & 1) {
      hash = MerkleNodeHash(frontier_.back(), hash);
      frontier_.pop_back();
      ++level;
      index >>= 1;
      nodes.push_back({level, index, hash});
    }
    frontier_.push_back(std::move(hash));
    ++size_;
  }
  return nodes;
}

absl::Status MerkleAppender::AppendLeafHash(absl::string_view leaf_hash) {
  return AppendLeafHash(leaf_hash, [](int, uint64_t, absl::string_view) {});
}

absl::Status MerkleAppender::AppendLeafHash(
    absl::string_view leaf_hash,
    absl::FunctionRef<void(int level, uint64_t index, absl::string_view hash)> completed) {
  if (leaf_hash.size() != kMerkleHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf hash is ", leaf_hash.size(), " bytes, not ", kMerkleHashSize));
  }
  if (size_ == std::numeric_limits<uint64_t>::max()) {
    return absl::OutOfRangeError("the Merkle tree is full");
  }
  // As Append, merging into one buffer instead of a new string per node.
  char hash[kMerkleHashSize];
  std::memcpy(hash, leaf_hash.data(), kMerkleHashSize);
  for (int level = 0; (size_ >> level) & 1; ++level) {
    Sha256Into({absl::string_view("\x01", 1), frontier_.back(),
                absl::string_view(hash, kMerkleHashSize)},
               hash);
    frontier_.pop_back();
    completed(level + 1, size_ >> (level + 1), absl::string_view(hash, kMerkleHashSize));
  }
  frontier_.emplace_back(hash, kMerkleHashSize);
  ++size_;
  return absl::OkStatus();
}

std::string MerkleAppender::RootHash() const {
  if (frontier_.empty()) return MerkleEmptyRootHash();
  // The tree splits at its largest perfect subtree, then the rest splits the same way.
  std::string root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) root = MerkleNodeHash(frontier_[i], root);
  return root;
}

absl::StatusOr<std::string> RootHash(const MerkleNodeStore& store, uint64_t tree_size) {
  if (tree_size == 0) return MerkleEmptyRootHash();
  return RangeHash(store, 0, tree_size);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(const MerkleNodeStore& store,
                                                        uint64_t leaf_index, uint64_t tree_size) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is not in a tree of size ", tree_size));
  }
  std::vector<std::string> proof;
  if (absl::Status s = AppendPath(store, leaf_index, 0, tree_size, &proof); !s.ok()) return s;
  return proof;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(const MerkleNodeStore& store,
                                                          uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        absl::StrCat("no consistency proof from size ", size1, " to the smaller size ", size2));
  }
  std::vector<std::string> proof;
  if (size1 == 0 || size1 == size2) return proof;
  if (absl::Status s = AppendSubproof(store, size1, 0, size2, true, &proof); !s.ok()) return s;
  return proof;
}

absl::StatusOr<std::string> InMemoryMerkleNodeStore::Get(int level, uint64_t index) const {
  ++reads_;
  auto it = nodes_.find({level, index});
  if (it == nodes_.end()) return absl::NotFoundError("not stored");
  return it->second;
}

void InMemoryMerkleNodeStore::Put(const MerkleNode& node) {
  nodes_[{node.level, node.index}] = node.hash;
}

void InMemoryMerkleNodeStore::PutAll(const std::vector<MerkleNode>& nodes) {
  for (const MerkleNode& node : nodes) Put(node);
}

}  // namespace ledger
