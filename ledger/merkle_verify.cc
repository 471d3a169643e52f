// The proof verifiers of merkle_tree.h: RFC 9162 sections 2.1.3.2 and 2.1.4.2, step by step.
// They use no store: an auditor runs them on what a server sent and a root it trusts.
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "ledger/merkle_tree.h"

namespace ledger {
namespace {

bool Lsb(uint64_t x) { return (x & 1) != 0; }

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("proof rejected: ", what));
}

// Every hash handed in must be a SHA-256 digest; a shorter or longer string could make the
// concatenations below ambiguous.
absl::Status CheckHashes(absl::string_view what, const std::vector<std::string>& proof,
                         std::initializer_list<absl::string_view> hashes) {
  for (absl::string_view hash : hashes) {
    if (hash.size() != kMerkleHashSize) {
      return Invalid(absl::StrCat("a ", what, " hash argument is ", hash.size(), " bytes, not ",
                                  kMerkleHashSize));
    }
  }
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kMerkleHashSize) {
      return Invalid(absl::StrCat(what, " proof node ", i, " is ", proof[i].size(), " bytes, not ",
                                  kMerkleHashSize));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                             const std::vector<std::string>& proof, absl::string_view root) {
  if (absl::Status s = CheckHashes("inclusion", proof, {leaf_hash, root}); !s.ok()) return s;
  // 1. leaf_index must be below tree_size.
  if (leaf_index >= tree_size) {
    return Invalid(absl::StrCat("leaf index ", leaf_index, " is not below tree size ", tree_size));
  }
  // 2. fn = leaf_index, sn = tree_size - 1.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  // 3. r = the leaf hash.
  std::string r(leaf_hash);
  // 4. For each p in the path:
  for (const std::string& p : proof) {
    // a. sn == 0: the path is longer than the leaf's depth.
    if (sn == 0) {
      return Invalid(absl::StrCat("the inclusion proof has more than the leaf's ",
                                  "depth of nodes (", proof.size(), ")"));
    }
    // b. A right child, or the last node of its level (whose parent has it as right child
    //    after the levels where it has no sibling are skipped).
    if (Lsb(fn) || fn == sn) {
      r = MerkleNodeHash(p, r);
      if (!Lsb(fn)) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while (!Lsb(fn) && fn != 0);
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    // c.
    fn >>= 1;
    sn >>= 1;
  }
  // 5. The path must reach the root, and the hash must be the root hash.
  if (sn != 0) {
    return Invalid(absl::StrCat("the inclusion proof has fewer nodes (", proof.size(),
                                ") than the leaf's depth"));
  }
  if (r != root) return Invalid("the inclusion proof does not lead to the root hash");
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                               const std::vector<std::string>& proof, absl::string_view root1,
                               absl::string_view root2) {
  if (absl::Status s = CheckHashes("consistency", proof, {root1, root2}); !s.ok()) return s;
  if (size1 > size2) {
    return Invalid(
        absl::StrCat("tree size ", size1, " cannot be a prefix of the smaller size ", size2));
  }
  // Outside the RFC's 0 < size1 < size2: nothing to prove, so the proof must be empty.
  if (size1 == size2 || size1 == 0) {
    if (!proof.empty()) {
      return Invalid(absl::StrCat("a consistency proof from size ", size1, " to ", size2,
                                  " must be empty, it has ", proof.size(), " nodes"));
    }
    if (size1 == 0 && root1 != MerkleEmptyRootHash()) {
      return Invalid("the first root is not the empty tree's root");
    }
    if (size1 == size2 && root1 != root2) {
      return Invalid(absl::StrCat("two different roots for tree size ", size1));
    }
    return absl::OkStatus();
  }
  // 1. An empty path fails.
  if (proof.empty()) return Invalid("the consistency proof is empty");
  // 2. When size1 is a power of 2, the first tree is a node of the second: start from it.
  std::vector<std::string> path;
  path.reserve(proof.size() + 1);
  if ((size1 & (size1 - 1)) == 0) path.emplace_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());
  // 3.
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  // 4. Skip the levels where the first tree's last node is a right child.
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5. fr and sr: the first and second roots as they are rebuilt.
  std::string fr = path[0];
  std::string sr = path[0];
  // 6. For each subsequent c:
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    // a.
    if (sn == 0) {
      return Invalid(absl::StrCat("the consistency proof has too many nodes (", proof.size(), ")"));
    }
    // b.
    if (Lsb(fn) || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      if (!Lsb(fn)) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while (!Lsb(fn) && fn != 0);
      }
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    // c.
    fn >>= 1;
    sn >>= 1;
  }
  // 7.
  if (sn != 0) {
    return Invalid(absl::StrCat("the consistency proof has too few nodes (", proof.size(), ")"));
  }
  if (fr != root1) return Invalid("the consistency proof does not lead to the first root");
  if (sr != root2) return Invalid("the consistency proof does not lead to the second root");
  return absl::OkStatus();
}

}  // namespace ledger
