// The Merkle tree's roots and proofs against a naive transcription of RFC 9162 2.1
// (merkle_reference.h) and the published RFC 6962 test vectors; the verifiers against every
// proof and its corruptions.
#include "ledger/merkle_tree.h"

#include <bit>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/hash_chain.h"
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

TEST(MerkleTreeTest, HashesAreDomainSeparated) {
  EXPECT_EQ(ToHex(MerkleEmptyRootHash()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(MerkleLeafHash("abc"), Sha256(std::string("\0abc", 4)));
  std::string l = MerkleLeafHash("a"), r = MerkleLeafHash("b");
  EXPECT_EQ(MerkleNodeHash(l, r), Sha256("\x01" + l + r));
  EXPECT_NE(MerkleNodeHash(l, r), MerkleLeafHash(l + r));
}

// The RFC 6962 test data used by every CT implementation (certificate-transparency, Trillian).
TEST(MerkleTreeTest, PublishedRfc6962Vectors) {
  const Hashes data = {"",
                       Unhex("00"),
                       Unhex("10"),
                       Unhex("2021"),
                       Unhex("3031"),
                       Unhex("40414243"),
                       Unhex("5051525354555657"),
                       Unhex("606162636465666768696a6b6c6d6e6f")};
  const char* roots[] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                         "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  InMemoryMerkleNodeStore store;
  Build(data, &store);
  for (uint64_t n = 0; n <= 8; ++n) {
    auto root = RootHash(store, n);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(ToHex(*root), roots[n]) << n;
  }
  auto hexes = [](const Hashes& hashes) {
    std::vector<std::string> out;
    for (const auto& h : hashes) out.push_back(ToHex(h));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(hexes(*InclusionProof(store, 0, 8)),
            (V{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
  EXPECT_EQ(hexes(*InclusionProof(store, 5, 8)),
            (V{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  EXPECT_EQ(hexes(*InclusionProof(store, 2, 3)),
            (V{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}));
  EXPECT_EQ(hexes(*ConsistencyProof(store, 1, 8)),
            (V{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
  EXPECT_EQ(hexes(*ConsistencyProof(store, 6, 8)),
            (V{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  EXPECT_EQ(hexes(*ConsistencyProof(store, 2, 5)),
            (V{"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}));
  EXPECT_TRUE(
      VerifyConsistency(6, 8, *ConsistencyProof(store, 6, 8), Unhex(roots[6]), Unhex(roots[8]))
          .ok());
}

TEST(MerkleTreeTest, RootsMatchNaiveForEverySize) {
  const Hashes data = TestData(kMaxSize);
  InMemoryMerkleNodeStore store;
  Build(data, &store);
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    auto root = RootHash(store, n);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(*root, NaiveMth(data, 0, n)) << n;
  }
}

TEST(MerkleTreeTest, InclusionProofsMatchNaiveAndVerify) {
  const Hashes data = TestData(kMaxSize + 1);
  InMemoryMerkleNodeStore store;
  Build(data, &store);
  std::vector<std::string> roots;
  for (size_t n = 0; n <= kMaxSize + 1; ++n) roots.push_back(NaiveMth(data, 0, n));
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m = 0; m < n; ++m) {
      SCOPED_TRACE(absl::StrCat("leaf ", m, " of ", n));
      auto proof = InclusionProof(store, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, NaivePath(m, data, 0, n));
      const std::string leaf = MerkleLeafHash(data[m]);
      ASSERT_TRUE(VerifyInclusion(leaf, m, n, *proof, roots[n]).ok());
      for (size_t i = 0; i < proof->size(); ++i) {
        for (size_t byte : {0, 13, 31}) {
          Hashes bad = *proof;
          bad[i] = Flip(bad[i], byte);
          EXPECT_FALSE(VerifyInclusion(leaf, m, n, bad, roots[n]).ok());
        }
      }
      EXPECT_FALSE(VerifyInclusion(Flip(leaf, m), m, n, *proof, roots[n]).ok());
      EXPECT_FALSE(VerifyInclusion(leaf, m, n, *proof, Flip(roots[n], m)).ok());
      for (uint64_t other = 0; other <= n; ++other) {
        if (other != m) {
          EXPECT_FALSE(VerifyInclusion(leaf, other, n, *proof, roots[n]).ok());
        }
      }
      // A size is only meaningful with its own root.
      for (uint64_t size = 1; size <= kMaxSize + 1; ++size) {
        if (size != n) {
          EXPECT_FALSE(VerifyInclusion(leaf, m, size, *proof, roots[size]).ok());
        }
      }
      Hashes longer = *proof;
      longer.push_back(roots[1]);
      EXPECT_FALSE(VerifyInclusion(leaf, m, n, longer, roots[n]).ok());
      if (!proof->empty()) {
        Hashes shorter(proof->begin(), proof->end() - 1);
        EXPECT_FALSE(VerifyInclusion(leaf, m, n, shorter, roots[n]).ok());
      }
    }
  }
}

TEST(MerkleTreeTest, ConsistencyProofsMatchNaiveAndVerify) {
  const Hashes data = TestData(kMaxSize);
  InMemoryMerkleNodeStore store;
  Build(data, &store);
  std::vector<std::string> roots;
  for (size_t n = 0; n <= kMaxSize; ++n) roots.push_back(NaiveMth(data, 0, n));
  for (uint64_t n2 = 1; n2 <= kMaxSize; ++n2) {
    for (uint64_t n1 = 1; n1 < n2; ++n1) {
      SCOPED_TRACE(absl::StrCat("from ", n1, " to ", n2));
      auto proof = ConsistencyProof(store, n1, n2);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, NaiveSubproof(n1, data, 0, n2, true));
      ASSERT_TRUE(VerifyConsistency(n1, n2, *proof, roots[n1], roots[n2]).ok());
      for (size_t i = 0; i < proof->size(); ++i) {
        for (size_t byte : {0, 17, 31}) {
          Hashes bad = *proof;
          bad[i] = Flip(bad[i], byte);
          EXPECT_FALSE(VerifyConsistency(n1, n2, bad, roots[n1], roots[n2]).ok());
        }
      }
      EXPECT_FALSE(VerifyConsistency(n1, n2, *proof, Flip(roots[n1], n2), roots[n2]).ok());
      EXPECT_FALSE(VerifyConsistency(n1, n2, *proof, roots[n1], Flip(roots[n2], n1)).ok());
      for (uint64_t size = 0; size <= kMaxSize; ++size) {
        if (size != n1) {
          EXPECT_FALSE(VerifyConsistency(size, n2, *proof, roots[size], roots[n2]).ok());
        }
        if (size != n2) {
          EXPECT_FALSE(VerifyConsistency(n1, size, *proof, roots[n1], roots[size]).ok());
        }
      }
      Hashes longer = *proof;
      longer.push_back(roots[1]);
      EXPECT_FALSE(VerifyConsistency(n1, n2, longer, roots[n1], roots[n2]).ok());
      Hashes shorter(proof->begin(), proof->end() - 1);
      EXPECT_FALSE(VerifyConsistency(n1, n2, shorter, roots[n1], roots[n2]).ok());
    }
  }
}

TEST(MerkleTreeTest, ConsistencyOutsideTheRfcRange) {
  const Hashes data = TestData(9);
  InMemoryMerkleNodeStore store;
  Build(data, &store);
  const std::string root9 = NaiveMth(data, 0, 9), root5 = NaiveMth(data, 0, 5);
  EXPECT_TRUE(ConsistencyProof(store, 0, 9)->empty());
  EXPECT_TRUE(ConsistencyProof(store, 9, 9)->empty());
  EXPECT_TRUE(absl::IsInvalidArgument(ConsistencyProof(store, 9, 5).status()));
  EXPECT_TRUE(VerifyConsistency(9, 9, {}, root9, root9).ok());
  EXPECT_FALSE(VerifyConsistency(9, 9, {}, root5, root9).ok());
  EXPECT_FALSE(VerifyConsistency(9, 9, {root9}, root9, root9).ok());
  EXPECT_TRUE(VerifyConsistency(0, 9, {}, MerkleEmptyRootHash(), root9).ok());
  EXPECT_FALSE(VerifyConsistency(0, 9, {}, root5, root9).ok());
  EXPECT_FALSE(VerifyConsistency(0, 9, {root5}, MerkleEmptyRootHash(), root9).ok());
  EXPECT_FALSE(VerifyConsistency(9, 5, {}, root9, root5).ok());
  EXPECT_FALSE(VerifyConsistency(5, 9, {}, root5, root9).ok());  // RFC step 1
}

TEST(MerkleTreeTest, ArgumentsAreChecked) {
  const Hashes data = TestData(10);
  InMemoryMerkleNodeStore store;
  Build(data, &store);
  EXPECT_TRUE(absl::IsInvalidArgument(InclusionProof(store, 10, 10).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(InclusionProof(store, 0, 0).status()));
  // Beyond what the store holds: the missing node is named.
  auto beyond = InclusionProof(store, 3, 12);
  EXPECT_TRUE(absl::IsNotFound(beyond.status())) << beyond.status();
  EXPECT_TRUE(absl::IsNotFound(RootHash(store, 11).status()));
  EXPECT_EQ(*RootHash(store, 0), MerkleEmptyRootHash());
  const std::string leaf = MerkleLeafHash(data[3]), root = NaiveMth(data, 0, 10);
  Hashes proof = *InclusionProof(store, 3, 10);
  EXPECT_FALSE(VerifyInclusion(leaf.substr(1), 3, 10, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(leaf, 3, 10, proof, root + "x").ok());
  proof[1] += "x";
  EXPECT_FALSE(VerifyInclusion(leaf, 3, 10, proof, root).ok());
  // A corrupt stored node is DATA_LOSS, not a wrong answer.
  store.Put({0, 2, "short"});
  EXPECT_TRUE(absl::IsDataLoss(InclusionProof(store, 3, 10).status()));
}

TEST(MerkleTreeTest, ProofsCostLogarithmicReads) {
  const uint64_t n = 100000;
  InMemoryMerkleNodeStore store;
  MerkleAppender appender;
  Hashes leaves;
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(MerkleLeafHash(absl::StrCat(i)));
  auto nodes = appender.Append(leaves);
  ASSERT_TRUE(nodes.ok());
  store.PutAll(*nodes);
  for (uint64_t size : {n, n - 1, uint64_t{65537}, uint64_t{99999}, uint64_t{777}}) {
    const uint64_t bound = 2 * std::bit_width(size) + 2;
    uint64_t before = store.reads();
    auto root = RootHash(store, size);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(store.reads() - before, static_cast<uint64_t>(std::popcount(size)));
    for (uint64_t index : {uint64_t{0}, size / 3, size - 1}) {
      before = store.reads();
      auto proof = InclusionProof(store, index, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_LE(store.reads() - before, bound) << size << " " << index;
      EXPECT_TRUE(VerifyInclusion(leaves[index], index, size, *proof, *root).ok());
    }
    for (uint64_t old_size : {uint64_t{1}, size / 2 + 1, size - 1}) {
      before = store.reads();
      auto proof = ConsistencyProof(store, old_size, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_LE(store.reads() - before, bound) << old_size << " " << size;
      EXPECT_TRUE(
          VerifyConsistency(old_size, size, *proof, *RootHash(store, old_size), *root).ok());
    }
  }
  // The appender's state stays one hash per set bit of the size.
  EXPECT_EQ(appender.RootHash(), *RootHash(store, n));
}

}  // namespace
}  // namespace ledger
