// State history: every version of every projection record, by the position that wrote it, so
// that a report as of a past position reads the records as they then stood instead of replaying
// the log from the start. Its cost grows with the writes, that is with the log, never faster.
//
// Layout, in the projection database beside the records (rocksdb_state_store.h), for a
// projection named N:
//   N 0x00 'h' <escaped record key> 0x00 0x00 <~position, 8 bytes big-endian>   a version
//   N 0x00 'H'                                  the first position the history covers (8 bytes)
// The record key is escaped (0x00 -> 0x00 0xFF) and ended by 0x00 0x00, so that the versions of
// one key are contiguous and a prefix of record keys is a prefix of their history keys. The
// position is inverted so that a key's newest version comes first. A version's value is 'v' and
// the record's value, or 'd' when the record was deleted at that position.
//
// What a projection keeps in its history, and how a record as of a past position is made from
// the version then kept and the record now, are the projection's (Projection::HistoryValue,
// Projection::AsOfValue): a participant's equality-monitoring categories, for example, are kept
// only in the record itself, so that erasing them there erases them from every past version.
#ifndef ENGAGEMENT_PROJECTIONS_STATE_HISTORY_H_
#define ENGAGEMENT_PROJECTIONS_STATE_HISTORY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "projections/projection.h"
#include "projections/state_store.h"
#include "rocksdb/db.h"

namespace projections {

// The history key of `record_key`'s version written at `position` (after the N 0x00 'h' prefix).
std::string HistoryKey(absl::string_view record_key, uint64_t position);
// The start of every history key whose record key starts with `record_prefix`.
std::string HistoryPrefix(absl::string_view record_prefix);
// Splits a history key (after the prefix) into its record key and position; false if malformed.
bool ParseHistoryKey(absl::string_view history_key, std::string* record_key, uint64_t* position);

// A version's stored value: the record's value, or a deletion.
std::string EncodeVersion(const std::optional<std::string>& value);

// The records of projection `projection` as they stood once `position` was applied, read from
// its history and its current records (both through `read`, which must hold a snapshot taken
// when the projection had applied at least `position`). `history_prefix` and `record_prefix`
// are the projection's N 0x00 'h' and N 0x00 'r'. Each Get costs one seek, and a Scan one seek
// per record (two when a record changed after `position`), however many versions there are.
// Ownership: `db`, `read`'s snapshot and `projection` must outlive the reader.
class HistoryReader final : public StateReader {
 public:
  HistoryReader(rocksdb::DB* db, const rocksdb::ReadOptions& read, std::string history_prefix,
                std::string record_prefix, uint64_t position, const Projection* projection)
      : db_(db), read_(read), history_prefix_(std::move(history_prefix)),
        record_prefix_(std::move(record_prefix)), position_(position), projection_(projection) {}

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const override;
  absl::Status Scan(absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view key, absl::string_view value)> visit)
      const override;

 private:
  // The record as of position_ from its stored version ('v'... or 'd').
  absl::StatusOr<std::optional<std::string>> AsOf(absl::string_view key,
                                                  absl::string_view stored) const;

  rocksdb::DB* const db_;
  const rocksdb::ReadOptions read_;
  const std::string history_prefix_;
  const std::string record_prefix_;
  const uint64_t position_;
  const Projection* const projection_;
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_STATE_HISTORY_H_
