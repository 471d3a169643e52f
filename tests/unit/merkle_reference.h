// A naive transcription of RFC 9162 2.1 (MTH, PATH, SUBPROOF) over leaf data, hashing with
// hash_chain.h's Sha256 rather than merkle_tree.cc, for the Merkle tests to compare against.
#ifndef ENGAGEMENT_TESTS_UNIT_MERKLE_REFERENCE_H_
#define ENGAGEMENT_TESTS_UNIT_MERKLE_REFERENCE_H_

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"

namespace ledger {
namespace merkle_reference {

using Hashes = std::vector<std::string>;

// ---- The naive reference: RFC 9162 2.1 read literally, hashing with hash_chain.h's Sha256.
inline std::string NaiveLeaf(const std::string& data) {
  return Sha256(std::string(1, '\0') + data);
}
inline std::string NaiveNode(const std::string& l, const std::string& r) {
  return Sha256("\x01" + l + r);
}
inline size_t NaiveK(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
inline std::string NaiveMth(const Hashes& d, size_t lo, size_t hi) {
  if (hi == lo) return Sha256("");
  if (hi - lo == 1) return NaiveLeaf(d[lo]);
  size_t k = NaiveK(hi - lo);
  return NaiveNode(NaiveMth(d, lo, lo + k), NaiveMth(d, lo + k, hi));
}
inline Hashes NaivePath(size_t m, const Hashes& d, size_t lo, size_t hi) {
  if (hi - lo == 1) return {};
  size_t k = NaiveK(hi - lo);
  Hashes out = m < k ? NaivePath(m, d, lo, lo + k) : NaivePath(m - k, d, lo + k, hi);
  out.push_back(m < k ? NaiveMth(d, lo + k, hi) : NaiveMth(d, lo, lo + k));
  return out;
}
inline Hashes NaiveSubproof(size_t m, const Hashes& d, size_t lo, size_t hi, bool b) {
  if (m == hi - lo) return b ? Hashes{} : Hashes{NaiveMth(d, lo, hi)};
  size_t k = NaiveK(hi - lo);
  Hashes out =
      m <= k ? NaiveSubproof(m, d, lo, lo + k, b) : NaiveSubproof(m - k, d, lo + k, hi, false);
  out.push_back(m <= k ? NaiveMth(d, lo + k, hi) : NaiveMth(d, lo, lo + k));
  return out;
}

inline Hashes TestData(size_t n) {
  Hashes data;
  for (size_t i = 0; i < n; ++i) data.push_back(absl::StrCat("event-", i, std::string(i % 7, 'x')));
  return data;
}

inline Hashes LeafHashes(const Hashes& data, size_t lo, size_t hi) {
  Hashes out;
  for (size_t i = lo; i < hi; ++i) out.push_back(MerkleLeafHash(data[i]));
  return out;
}

inline std::string Flip(std::string s, size_t byte) {
  s[byte % s.size()] ^= 0x01;
  return s;
}

inline std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// A tree of data.size() leaves in an in-memory store, appended one leaf at a time.
inline void Build(const Hashes& data, InMemoryMerkleNodeStore* store) {
  MerkleAppender appender;
  for (size_t i = 0; i < data.size(); ++i) {
    auto nodes = appender.Append({MerkleLeafHash(data[i])});
    ASSERT_TRUE(nodes.ok());
    store->PutAll(*nodes);
  }
}

}  // namespace merkle_reference
}  // namespace ledger

#endif  // ENGAGEMENT_TESTS_UNIT_MERKLE_REFERENCE_H_
