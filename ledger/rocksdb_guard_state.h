// RocksDbGuardState: the GuardState the RocksDB log gives its append guard.
//
// Writes are staged at two levels: the append being checked ("batch") and the group commit it
// belongs to ("group"). An accepted append's writes join the group's; a refused one's are
// dropped. The group's writes go into the group's WriteBatch (AddGroupTo), and once that batch is
// durable they are remembered in a bounded cache of stored values, so that the keys the next
// appends touch (an open engagement, a session just held) are answered without RocksDB.
//
// Thread safety: none. The commit thread owns it (and InstallAppendGuard before that thread
// takes appends).
#ifndef ENGAGEMENT_LEDGER_ROCKSDB_GUARD_STATE_H_
#define ENGAGEMENT_LEDGER_ROCKSDB_GUARD_STATE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "ledger/append_guard.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace ledger {

class RocksDbGuardState final : public GuardState {
 public:
  using EventFinder =
      std::function<absl::StatusOr<engagement::v1::Event>(absl::string_view event_id)>;

  // `db` and `family` (the guard's column family) must outlive this; `find_event` answers
  // FindEvent.
  RocksDbGuardState(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, EventFinder find_event);

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override;
  void Put(absl::string_view key, absl::string_view value) override;
  absl::StatusOr<engagement::v1::Event> FindEvent(absl::string_view event_id) override;

  // The append just checked was accepted: its writes join the group's.
  void KeepBatch();
  // The append just checked was refused: its writes are dropped.
  void DropBatch();

  bool GroupEmpty() const { return group_.empty(); }
  // Adds the group's writes to `batch`, in the guard's family.
  void AddGroupTo(rocksdb::WriteBatch* batch) const;
  // The group's batch is durable: its writes become stored values.
  void GroupWritten();
  // The group's batch was not written: forget the group, and the cache, which may now be ahead
  // of the disk.
  void GroupFailed();

 private:
  static constexpr size_t kMaxCachedKeys = 1 << 18;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  EventFinder find_event_;
  absl::flat_hash_map<std::string, std::string> batch_;
  absl::flat_hash_map<std::string, std::string> group_;
  // Stored values (nullopt: known absent).
  absl::flat_hash_map<std::string, std::optional<std::string>> cache_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_ROCKSDB_GUARD_STATE_H_
