// Where projections keep their state: sorted key/value records, read and written through narrow
// interfaces so that the same projection code runs over RocksDB (the maintained read models) and
// over memory (reports "as of" a past position, tests).
//
// Keys are bytes; projections choose their own layout under their own prefix (projection name
// and 0x00). Values are serialized protobuf records, serialized deterministically, so that two
// stores built from the same events are equal byte for byte.
#ifndef ENGAGEMENT_PROJECTIONS_STATE_STORE_H_
#define ENGAGEMENT_PROJECTIONS_STATE_STORE_H_

#include <map>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace projections {

class StateReader {
 public:
  virtual ~StateReader() = default;
  // The value at `key`, or nullopt.
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const = 0;
  // Visits every key starting with `prefix`, in key order, until `visit` returns false.
  virtual absl::Status Scan(
      absl::string_view prefix,
      absl::FunctionRef<bool(absl::string_view key, absl::string_view value)> visit) const = 0;
};

class StateWriter : public StateReader {
 public:
  virtual void Put(absl::string_view key, absl::string_view value) = 0;
  virtual void Delete(absl::string_view key) = 0;
};

// Reads the record at `key` into `message`; false when there is none.
absl::StatusOr<bool> GetRecord(const StateReader& state, absl::string_view key,
                               google::protobuf::Message* message);
// `message` serialized deterministically, as records are stored.
std::string SerializeRecord(const google::protobuf::Message& message);
// Writes `message` at `key`, serialized deterministically.
void PutRecord(StateWriter& state, absl::string_view key, const google::protobuf::Message& message);

// State held in memory, in key order.
class MemoryState final : public StateWriter {
 public:
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const override;
  absl::Status Scan(absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const override;
  void Put(absl::string_view key, absl::string_view value) override;
  void Delete(absl::string_view key) override;

  const std::map<std::string, std::string, std::less<>>& records() const { return records_; }

 private:
  std::map<std::string, std::string, std::less<>> records_;
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_STATE_STORE_H_
