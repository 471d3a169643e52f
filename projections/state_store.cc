#include "projections/state_store.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace projections {

absl::StatusOr<bool> GetRecord(const StateReader& state, absl::string_view key,
                               google::protobuf::Message* message) {
  absl::StatusOr<std::optional<std::string>> value = state.Get(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return false;
  if (!message->ParseFromString(**value)) {
    return absl::DataLossError("a projection record does not parse");
  }
  return true;
}

std::string SerializeRecord(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

void PutRecord(StateWriter& state, absl::string_view key, const google::protobuf::Message& message) {
  state.Put(key, SerializeRecord(message));
}

absl::StatusOr<std::optional<std::string>> MemoryState::Get(absl::string_view key) const {
  auto it = records_.find(key);
  if (it == records_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

absl::Status MemoryState::Scan(
    absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) const {
  for (auto it = records_.lower_bound(prefix); it != records_.end(); ++it) {
    if (absl::string_view(it->first).substr(0, prefix.size()) != prefix) break;
    if (!visit(it->first, it->second)) break;
  }
  return absl::OkStatus();
}

void MemoryState::Put(absl::string_view key, absl::string_view value) {
  records_[std::string(key)] = std::string(value);
}

void MemoryState::Delete(absl::string_view key) {
  auto it = records_.find(key);
  if (it != records_.end()) records_.erase(it);
}

}  // namespace projections
