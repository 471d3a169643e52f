#include "ledger/rocksdb_guard_state.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "ledger/rocksdb_status.h"

namespace ledger {

RocksDbGuardState::RocksDbGuardState(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                                     EventFinder find_event)
    : db_(db), family_(family), find_event_(std::move(find_event)) {}

absl::StatusOr<std::optional<std::string>> RocksDbGuardState::Get(absl::string_view key) {
  if (auto it = batch_.find(key); it != batch_.end()) return it->second;
  if (auto it = group_.find(key); it != group_.end()) return it->second;
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family_, rocksdb::Slice(key.data(), key.size()), &value);
  std::optional<std::string> stored;
  if (s.ok()) {
    stored = std::move(value);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the append guard's state");
  }
  if (cache_.size() >= kMaxCachedKeys) cache_.clear();
  cache_.emplace(std::string(key), stored);
  return stored;
}

void RocksDbGuardState::Put(absl::string_view key, absl::string_view value) {
  batch_.insert_or_assign(std::string(key), std::string(value));
}

absl::StatusOr<engagement::v1::Event> RocksDbGuardState::FindEvent(absl::string_view event_id) {
  return find_event_(event_id);
}

void RocksDbGuardState::KeepBatch() {
  if (group_.empty()) {
    group_.swap(batch_);
    return;
  }
  for (auto& [key, value] : batch_) group_.insert_or_assign(key, std::move(value));
  batch_.clear();
}

void RocksDbGuardState::DropBatch() { batch_.clear(); }

void RocksDbGuardState::AddGroupTo(rocksdb::WriteBatch* batch) const {
  // In key order: the family's memtable then inserts each key just after the previous one (its
  // insert hint) instead of searching for it; hash order would scatter them.
  std::vector<const std::pair<const std::string, std::string>*> sorted;
  sorted.reserve(group_.size());
  for (const auto& entry : group_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) batch->Put(family_, entry->first, entry->second);
}

void RocksDbGuardState::GroupWritten() {
  if (cache_.size() + group_.size() > kMaxCachedKeys) cache_.clear();
  for (auto& [key, value] : group_) cache_.insert_or_assign(key, std::move(value));
  group_.clear();
}

void RocksDbGuardState::GroupFailed() {
  batch_.clear();
  group_.clear();
  cache_.clear();
}

}  // namespace ledger
