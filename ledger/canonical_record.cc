#include "ledger/canonical_record.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace ledger {
namespace {

std::string SerializeDeterministic(const engagement::v1::Event& event) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace

std::string EncodeCanonicalRecord(const engagement::v1::Event& event) {
  return SerializeDeterministic(event);
}

absl::StatusOr<engagement::v1::Event> DecodeCanonicalRecord(absl::string_view record) {
  engagement::v1::Event event;
  if (!event.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return absl::DataLossError("stored record does not parse as an event");
  }
  return event;
}

std::string ClientContent(const engagement::v1::Event& event) {
  engagement::v1::Event copy = event;
  copy.clear_stream_revision();
  copy.clear_position();
  copy.clear_recorded_at();
  copy.clear_previous_hash();
  copy.clear_hash();
  return SerializeDeterministic(copy);
}

}  // namespace ledger
