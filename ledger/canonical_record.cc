#include "ledger/canonical_record.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"

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

absl::Status ReadChainFields(absl::string_view record, uint64_t* position,
                             std::string* previous_hash) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(record.data()),
                                            static_cast<int>(record.size()));
  *position = 0;
  previous_hash->clear();
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    int field = WireFormatLite::GetTagFieldNumber(tag);
    auto type = WireFormatLite::GetTagWireType(tag);
    if (field == engagement::v1::Event::kPositionFieldNumber &&
        type == WireFormatLite::WIRETYPE_VARINT) {
      if (!in.ReadVarint64(position)) break;
    } else if (field == engagement::v1::Event::kPreviousHashFieldNumber &&
               type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length) || !in.ReadString(previous_hash, static_cast<int>(length))) {
        return absl::DataLossError("stored record is truncated");
      }
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return absl::DataLossError("stored record is malformed");
    }
  }
  if (!in.ConsumedEntireMessage() || in.CurrentPosition() != static_cast<int>(record.size())) {
    return absl::DataLossError("stored record is malformed");
  }
  return absl::OkStatus();
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
