// IndexVerifier: the log's derived families checked against the records they are derived from,
// in memory that does not grow with the log. Part of the offline verification
// (directory_verifier.h); the records themselves, the chain and the tree are checked there.
//
//   streams  every record (stream, revision) -> its position, and no other entry;
//   ids      every record's event id -> its position, and no other entry;
//   heads    every stream's head is its last revision, revisions run from 0 without a gap, and
//            no head names a stream the index does not hold.
//
// The records are read once, in order; each family once, in key order. Each side is summed into
// an order-independent digest (the sum modulo 2^256 of the SHA-256 of each entry) and counted, so
// equality needs no memory per event. Only when a digest differs is the family searched entry by
// entry (point lookups) for the first bad key, which the DATA_LOSS message names with its
// position. Not thread-safe; one verifier per check.
#ifndef ENGAGEMENT_LEDGER_INDEX_VERIFIER_H_
#define ENGAGEMENT_LEDGER_INDEX_VERIFIER_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"

namespace ledger {

// A multiset digest: order-independent, and a change in any entry changes it.
class EntryDigest {
 public:
  void Add(absl::string_view key, absl::string_view value);
  uint64_t count() const { return count_; }
  bool operator==(const EntryDigest& other) const {
    return count_ == other.count_ && sum_ == other.sum_;
  }

 private:
  std::array<uint64_t, 4> sum_{};
  uint64_t count_ = 0;
};

struct IndexFamilies {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* streams = nullptr;
  rocksdb::ColumnFamilyHandle* ids = nullptr;
  rocksdb::ColumnFamilyHandle* heads = nullptr;
};

class IndexVerifier {
 public:
  explicit IndexVerifier(const IndexFamilies& families) : families_(families) {}

  // Adds one record (in log order): its stored canonical bytes at `position`. DATA_LOSS when the
  // record lacks a stream or an id.
  absl::Status AddRecord(uint64_t position, absl::string_view record);

  // After every record: reads the families and compares. DATA_LOSS naming the first bad key
  // ("stream index: ..." / "id index: ..." / "stream heads: ...") and its position.
  absl::Status Finish();

 private:
  absl::Status CheckHeads();
  // The slow paths, only when a digest differs.
  absl::Status FindBadStreamEntry();
  absl::Status FindBadIdEntry();

  IndexFamilies families_;
  EntryDigest expected_streams_, expected_ids_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_INDEX_VERIFIER_H_
