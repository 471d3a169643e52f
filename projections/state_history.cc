#include "projections/state_history.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/log_format.h"
#include "ledger/rocksdb_status.h"

namespace projections {
namespace {

constexpr char kEnd[] = {'\0', '\0'};
// Sorts after every version of a key and before any longer key (an escaped key never holds
// 0x00 0x01).
constexpr char kPastKey[] = {'\0', '\1'};

std::string Escape(absl::string_view key) {
  std::string out;
  out.reserve(key.size() + 2);
  for (char c : key) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');
  }
  return out;
}

}  // namespace

std::string HistoryKey(absl::string_view record_key, uint64_t position) {
  return absl::StrCat(Escape(record_key), absl::string_view(kEnd, 2),
                      ledger::log_format::EncodeFixed64BE(~position));
}

std::string HistoryPrefix(absl::string_view record_prefix) { return Escape(record_prefix); }

bool ParseHistoryKey(absl::string_view history_key, std::string* record_key,
                     uint64_t* position) {
  record_key->clear();
  for (size_t i = 0; i < history_key.size(); ++i) {
    if (history_key[i] != '\0') {
      record_key->push_back(history_key[i]);
      continue;
    }
    if (i + 1 >= history_key.size()) return false;
    if (history_key[i + 1] == '\xff') {
      record_key->push_back('\0');
      ++i;
      continue;
    }
    if (history_key[i + 1] != '\0' || history_key.size() != i + 2 + 8) return false;
    uint64_t inverted = 0;
    if (!ledger::log_format::DecodeFixed64BE(history_key.substr(i + 2), &inverted)) return false;
    *position = ~inverted;
    return true;
  }
  return false;
}

std::string EncodeVersion(const std::optional<std::string>& value) {
  return value.has_value() ? absl::StrCat("v", *value) : std::string("d");
}

absl::StatusOr<std::optional<std::string>> HistoryReader::AsOf(absl::string_view key,
                                                               absl::string_view stored) const {
  if (stored.empty() || (stored[0] != 'v' && stored[0] != 'd')) {
    return absl::DataLossError("projection history: a version that is neither value nor deletion");
  }
  if (stored[0] == 'd') return std::optional<std::string>();
  auto now = [&]() -> absl::StatusOr<std::optional<std::string>> {
    std::string value;
    rocksdb::Status s = db_->Get(read_, absl::StrCat(record_prefix_, key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return ledger::FromRocks(s, "reading projection state");
    return std::optional<std::string>(std::move(value));
  };
  absl::StatusOr<std::string> value = projection_->AsOfValue(key, stored.substr(1), now);
  if (!value.ok()) return value.status();
  return std::optional<std::string>(*std::move(value));
}

absl::StatusOr<std::optional<std::string>> HistoryReader::Get(absl::string_view key) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_));
  it->Seek(absl::StrCat(history_prefix_, HistoryKey(key, position_)));
  if (!it->Valid()) {
    if (!it->status().ok()) return ledger::FromRocks(it->status(), "reading projection history");
    return std::optional<std::string>();
  }
  absl::string_view found = ledger::View(it->key());
  std::string found_key;
  uint64_t found_position = 0;
  if (!absl::StartsWith(found, history_prefix_) ||
      !ParseHistoryKey(found.substr(history_prefix_.size()), &found_key, &found_position) ||
      found_key != key) {
    return std::optional<std::string>();  // no version at or before the position
  }
  return AsOf(key, ledger::View(it->value()));
}

absl::Status HistoryReader::Scan(
    absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) const {
  const std::string start = absl::StrCat(history_prefix_, HistoryPrefix(prefix));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_));
  std::string key, next_key;
  uint64_t position = 0;
  // Where the iterator stands: the record key and position of its entry, false past the end.
  auto at = [&](std::string* record_key, uint64_t* at_position) {
    if (!it->Valid() || !absl::StartsWith(ledger::View(it->key()), start)) return false;
    return ParseHistoryKey(ledger::View(it->key()).substr(history_prefix_.size()), record_key,
                           at_position);
  };
  // Moves past the rest of `key`'s versions (a few steps, else one seek).
  auto skip_versions_of = [&](const std::string& record_key) {
    for (int step = 0; step < 4; ++step) {
      it->Next();
      uint64_t ignored = 0;
      if (!at(&next_key, &ignored) || next_key != record_key) return;
    }
    it->Seek(absl::StrCat(history_prefix_, Escape(record_key), absl::string_view(kPastKey, 2)));
  };
  it->Seek(start);
  while (at(&key, &position)) {
    if (position > position_) {
      // Changed since: step to its newest version at or before the position (a few steps, else
      // one seek); there may be none.
      bool found = false;
      for (int step = 0; step < 4 && !found; ++step) {
        it->Next();
        if (!at(&next_key, &position) || next_key != key) break;
        found = position <= position_;
      }
      if (!found && at(&next_key, &position) && next_key == key) {
        it->Seek(absl::StrCat(history_prefix_, HistoryKey(key, position_)));
        found = at(&next_key, &position) && next_key == key;
      }
      if (!found) continue;  // none: the iterator is at the next record (or the end)
    }
    absl::StatusOr<std::optional<std::string>> value = AsOf(key, ledger::View(it->value()));
    if (!value.ok()) return value.status();
    if (value->has_value() && !visit(key, **value)) return absl::OkStatus();
    skip_versions_of(key);
  }
  if (it->Valid() && absl::StartsWith(ledger::View(it->key()), start)) {
    return absl::DataLossError("projection history: a malformed key");
  }
  return ledger::FromRocks(it->status(), "scanning projection history");
}

}  // namespace projections
