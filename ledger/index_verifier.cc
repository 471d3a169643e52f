#include "ledger/index_verifier.h"

#include <memory>
#include <tuple>

#include "absl/status/statusor.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/rocksdb_status.h"

namespace ledger {
namespace {

using google::protobuf::internal::WireFormatLite;

// The record's event id (field 1), stream (2) and revision (3), without parsing the rest.
struct Identity {
  std::string event_id, stream;
  uint64_t revision = 0;
};

absl::StatusOr<Identity> ReadIdentity(absl::string_view record) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(record.data()),
                                            static_cast<int>(record.size()));
  Identity identity;
  while (uint32_t tag = in.ReadTag()) {
    int field = WireFormatLite::GetTagFieldNumber(tag);
    auto type = WireFormatLite::GetTagWireType(tag);
    std::string* text = field == 1 ? &identity.event_id : field == 2 ? &identity.stream : nullptr;
    if (text != nullptr && type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length) || !in.ReadString(text, static_cast<int>(length))) {
        return absl::DataLossError("record is truncated");
      }
    } else if (field == 3 && type == WireFormatLite::WIRETYPE_VARINT) {
      if (!in.ReadVarint64(&identity.revision)) return absl::DataLossError("record is truncated");
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return absl::DataLossError("record is malformed");
    }
  }
  return identity;
}

uint64_t PositionOf(absl::string_view value) {
  uint64_t position = 0;
  return log_format::DecodeFixed64BE(value, &position) ? position : 0;
}

}  // namespace

void EntryDigest::Add(absl::string_view key, absl::string_view value) {
  char hash[32];
  std::string length = log_format::EncodeFixed64BE(key.size());  // key and value kept apart
  Sha256Into({length, key, value}, hash);
  uint64_t carry = 0;
  for (size_t i = 0; i < 4; ++i) {
    uint64_t word = 0;
    for (size_t b = 0; b < 8; ++b) word = (word << 8) | static_cast<unsigned char>(hash[i * 8 + b]);
    unsigned __int128 total = static_cast<unsigned __int128>(sum_[i]) + word + carry;
    sum_[i] = static_cast<uint64_t>(total);
    carry = static_cast<uint64_t>(total >> 64);
  }
  ++count_;
}

absl::Status IndexVerifier::AddRecord(uint64_t position, absl::string_view record) {
  absl::StatusOr<Identity> identity = ReadIdentity(record);
  if (!identity.ok()) {
    return absl::DataLossError(absl::StrCat("position ", position, ": ", identity.status().message()));
  }
  if (identity->stream.empty() || identity->event_id.empty()) {
    return absl::DataLossError(absl::StrCat("position ", position, ": the record has no stream or id"));
  }
  const std::string value = log_format::EncodeFixed64BE(position);
  expected_streams_.Add(log_format::StreamKey(identity->stream, identity->revision), value);
  expected_ids_.Add(identity->event_id, value);
  return absl::OkStatus();
}

absl::Status IndexVerifier::Finish() {
  rocksdb::ReadOptions read;
  read.readahead_size = 2 << 20;
  for (auto [family, expected, slow] :
       {std::tuple{families_.streams, &expected_streams_, &IndexVerifier::FindBadStreamEntry},
        std::tuple{families_.ids, &expected_ids_, &IndexVerifier::FindBadIdEntry}}) {
    EntryDigest stored;
    std::unique_ptr<rocksdb::Iterator> it(families_.db->NewIterator(read, family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) stored.Add(View(it->key()), View(it->value()));
    if (!it->status().ok()) return FromRocks(it->status(), "reading an index");
    if (!(stored == *expected)) {
      absl::Status found = (this->*slow)();
      if (!found.ok()) return found;
      return absl::DataLossError("an index differs from the records, and no single entry could be "
                                 "named");
    }
  }
  return CheckHeads();
}

absl::Status IndexVerifier::FindBadStreamEntry() {
  rocksdb::ReadOptions read;
  // Every record must be indexed at its (stream, revision).
  std::unique_ptr<rocksdb::Iterator> log(families_.db->NewIterator(read, families_.log));
  for (log->SeekToFirst(); log->Valid(); log->Next()) {
    uint64_t position = PositionOf(View(log->key()));
    absl::StatusOr<Identity> id = ReadIdentity(View(log->value()).substr(log_format::kHashSize));
    if (!id.ok()) continue;  // reported by the record checks
    std::string value;
    rocksdb::Status s = families_.db->Get(read, families_.streams,
                                          log_format::StreamKey(id->stream, id->revision), &value);
    if (!s.ok() || PositionOf(value) != position) {
      return absl::DataLossError(absl::StrCat(
          "position ", position, ": stream index: revision ", id->revision, " of ", id->stream,
          s.ok() ? absl::StrCat(" names position ", PositionOf(value)) : " is missing"));
    }
  }
  // Every entry must name a record that is that revision of that stream.
  std::unique_ptr<rocksdb::Iterator> it(families_.db->NewIterator(read, families_.streams));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::string_view key = View(it->key());
    uint64_t position = PositionOf(View(it->value()));
    std::string record;
    families_.db->Get(read, families_.log, log_format::PositionKey(position), &record)
        .PermitUncheckedError();
    absl::StatusOr<Identity> id = record.size() > log_format::kHashSize
                                      ? ReadIdentity(absl::string_view(record).substr(log_format::kHashSize))
                                      : absl::StatusOr<Identity>(absl::NotFoundError(""));
    if (!id.ok() || log_format::StreamKey(id->stream, id->revision) != key) {
      size_t zero = key.find('\0');
      return absl::DataLossError(absl::StrCat(
          "position ", position, ": stream index: an entry of stream ",
          key.substr(0, zero), " names position ", position,
          id.ok() ? absl::StrCat(", which is revision ", id->revision, " of ", id->stream)
                  : ", which holds no event"));
    }
  }
  return absl::OkStatus();
}

absl::Status IndexVerifier::FindBadIdEntry() {
  rocksdb::ReadOptions read;
  std::unique_ptr<rocksdb::Iterator> log(families_.db->NewIterator(read, families_.log));
  for (log->SeekToFirst(); log->Valid(); log->Next()) {
    uint64_t position = PositionOf(View(log->key()));
    absl::StatusOr<Identity> id = ReadIdentity(View(log->value()).substr(log_format::kHashSize));
    if (!id.ok()) continue;
    std::string value;
    rocksdb::Status s = families_.db->Get(read, families_.ids, id->event_id, &value);
    if (!s.ok() || PositionOf(value) != position) {
      return absl::DataLossError(absl::StrCat(
          "position ", position, ": id index: event ", id->event_id,
          s.ok() ? absl::StrCat(" is indexed at position ", PositionOf(value)) : " is missing"));
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(families_.db->NewIterator(read, families_.ids));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t position = PositionOf(View(it->value()));
    std::string record;
    families_.db->Get(read, families_.log, log_format::PositionKey(position), &record)
        .PermitUncheckedError();
    absl::StatusOr<Identity> id = record.size() > log_format::kHashSize
                                      ? ReadIdentity(absl::string_view(record).substr(log_format::kHashSize))
                                      : absl::StatusOr<Identity>(absl::NotFoundError(""));
    if (!id.ok() || id->event_id != View(it->key())) {
      return absl::DataLossError(absl::StrCat("position ", position, ": id index: ",
                                              View(it->key()), " names position ", position,
                                              id.ok() ? absl::StrCat(", whose event is ", id->event_id)
                                                      : ", which holds no event"));
    }
  }
  return absl::OkStatus();
}

absl::Status IndexVerifier::CheckHeads() {
  // Both families are sorted by stream name: walk them together.
  rocksdb::ReadOptions read;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> streams(families_.db->NewIterator(read, families_.streams));
  std::unique_ptr<rocksdb::Iterator> heads(families_.db->NewIterator(read, families_.heads));
  heads->SeekToFirst();
  streams->SeekToFirst();
  while (streams->Valid()) {
    const std::string first_key(View(streams->key()));
    const size_t zero = first_key.find('\0');
    const std::string stream = first_key.substr(0, zero);
    const std::string prefix = first_key.substr(0, zero + 1);
    uint64_t next = 0, last_position = 0;
    for (; streams->Valid() && View(streams->key()).substr(0, zero + 1) == prefix;
         streams->Next()) {
      uint64_t revision = 0;
      log_format::DecodeFixed64BE(View(streams->key()).substr(zero + 1), &revision);
      last_position = PositionOf(View(streams->value()));
      if (revision != next) {
        return absl::DataLossError(absl::StrCat("position ", last_position, ": stream index: ",
                                                stream, " has revision ", revision, " after ",
                                                next == 0 ? "none" : absl::StrCat(next - 1)));
      }
      ++next;
    }
    if (!heads->Valid() || View(heads->key()) > stream) {
      return absl::DataLossError(absl::StrCat("position ", last_position, ": stream heads: ", stream,
                                              " has no head"));
    }
    if (View(heads->key()) < stream) {
      return absl::DataLossError(absl::StrCat("stream heads: ", View(heads->key()),
                                              " has a head but no event"));
    }
    uint64_t head = PositionOf(View(heads->value()));  // a revision, same encoding
    if (head != next - 1) {
      return absl::DataLossError(absl::StrCat("position ", last_position, ": stream heads: ",
                                              stream, "'s head says revision ", head,
                                              " but its last event is revision ", next - 1));
    }
    heads->Next();
  }
  if (!streams->status().ok()) return FromRocks(streams->status(), "reading the stream index");
  if (heads->Valid()) {
    return absl::DataLossError(absl::StrCat("stream heads: ", View(heads->key()),
                                            " has a head but no event"));
  }
  return FromRocks(heads->status(), "reading the stream heads");
}

}  // namespace ledger
