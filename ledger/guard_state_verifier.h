// VerifyGuardState: the append guard's stored state (append_guard.h: for the engagement rules,
// which engagements are closed, who withdrew consent...) checked against the records it is
// derived from. The guard's state is rebuilt from the records with the guard's own Apply into a
// scratch RocksDB (so memory stays flat however long the log), then compared with the stored
// "guard" family key by key; also the stored guard position must be the head and the stored
// version the guard's. An edit of the stored state would let the ledger accept, and sign, an
// append its rules refuse: this is how an offline check finds one.
#ifndef ENGAGEMENT_LEDGER_GUARD_STATE_VERIFIER_H_
#define ENGAGEMENT_LEDGER_GUARD_STATE_VERIFIER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "ledger/append_guard.h"
#include "rocksdb/db.h"

namespace ledger {

struct GuardFamilies {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* ids = nullptr;
  rocksdb::ColumnFamilyHandle* guard = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
};

// `scratch_directory` must not exist; it is created and removed. DATA_LOSS naming the first key
// that differs ("the engagement rules' state: key ... "), or the position the state claims.
// OK when the log was never guarded (no guard family content and no guard position).
absl::Status VerifyGuardState(const GuardFamilies& families, AppendGuard& guard,
                              uint64_t events, const std::string& scratch_directory);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_GUARD_STATE_VERIFIER_H_
