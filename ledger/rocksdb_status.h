// Small bridges between RocksDB and Abseil types, private to the RocksDB backend.
#ifndef ENGAGEMENT_LEDGER_ROCKSDB_STATUS_H_
#define ENGAGEMENT_LEDGER_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace ledger {

// Maps a RocksDB status to an absl one: corruption is DATA_LOSS, a held lock is
// FAILED_PRECONDITION, a full disk is RESOURCE_EXHAUSTED, anything else INTERNAL. `what` says
// what was being done.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what);

// DATA_LOSS for a damaged file in the database in `directory`: RocksDB's message (which names
// the file), and what the operator should do.
absl::Status DamagedStorage(absl::string_view directory, const rocksdb::Status& status);

inline absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_ROCKSDB_STATUS_H_
