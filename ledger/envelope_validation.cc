#include "ledger/envelope_validation.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"
#include "ledger/log_filter.h"
#include "ledger/uuid.h"

namespace ledger {
namespace {

bool IsLowerOrDigit(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c); }

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// Timestamps between 1900 and 9999, as google.protobuf.Timestamp allows no later.
bool IsValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= -2208988800LL && t.seconds() <= 253402300799LL && t.nanos() >= 0 &&
         t.nanos() <= 999999999;
}

bool HasControlCharacters(absl::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

absl::Status ValidateStreamName(absl::string_view stream, absl::string_view field) {
  if (stream.empty()) return Invalid(field, "is required");
  if (stream.size() > kMaxStreamNameBytes) {
    return Invalid(field, absl::StrCat("must be at most ", kMaxStreamNameBytes, " bytes"));
  }
  size_t dash = stream.find('-');
  bool ok = dash != absl::string_view::npos && dash > 0 && dash + 1 < stream.size() &&
            absl::ascii_islower(stream[0]);
  for (size_t i = 0; ok && i < dash; ++i) ok = IsLowerOrDigit(stream[i]) || stream[i] == '_';
  for (size_t i = dash + 1; ok && i < stream.size(); ++i) {
    char c = stream[i];
    bool first = i == dash + 1;
    ok = absl::ascii_isalnum(c) || (!first && (c == '.' || c == '_' || c == '-'));
  }
  if (!ok) {
    return Invalid(field,
                   "must be \"<category>-<id>\" (category: lowercase letters, digits, '_'; id: "
                   "letters, digits, '.', '_', '-'), e.g. \"engagement-<uuid>\"");
  }
  return absl::OkStatus();
}

bool IsOdsCode(absl::string_view code) {
  if (code.size() < 3 || code.size() > 10) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c)) return false;
  }
  return true;
}

namespace {

// The first field, anywhere in `message` (nested messages included), that the contract does not
// define: an unknown field would be stored and hashed without ever being validated.
absl::Status RejectUnknownFields(const google::protobuf::Message& message, const std::string& at) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  const google::protobuf::UnknownFieldSet& unknown = reflection->GetUnknownFields(message);
  if (unknown.field_count() > 0) {
    return Invalid(at, absl::StrCat("has field number ", unknown.field(0).number(), ", which ",
                                    message.GetDescriptor()->full_name(),
                                    " does not define (a newer client, or a corrupted request)"));
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_map()) continue;  // map entries are built from known fields
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        absl::Status s = RejectUnknownFields(reflection->GetRepeatedMessage(message, field, i),
                                             absl::StrCat(at, ".", field->name(), "[", i, "]"));
        if (!s.ok()) return s;
      }
    } else {
      absl::Status s = RejectUnknownFields(reflection->GetMessage(message, field),
                                           absl::StrCat(at, ".", field->name()));
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateEnvelopes(std::vector<engagement::v1::Event>& events) {
  if (events.empty()) return Invalid("events", "at least one event is required");
  if (events.size() > kMaxBatchEvents) {
    return Invalid("events", absl::StrCat("at most ", kMaxBatchEvents, " events per append"));
  }
  size_t total = 0;
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 0; i < events.size(); ++i) {
    engagement::v1::Event& event = events[i];
    std::string at = absl::StrCat("events[", i, "]");
    size_t bytes = event.ByteSizeLong();
    if (bytes > kMaxEventBytes) {
      return Invalid(at, absl::StrCat("is ", bytes, " bytes encoded; the limit is ", kMaxEventBytes));
    }
    total += bytes;
    if (absl::Status known = RejectUnknownFields(event, at); !known.ok()) return known;
    if (!event.event_id().empty()) {
      if (!IsUuid(event.event_id())) return Invalid(at + ".event_id", "must be a UUID");
      event.set_event_id(absl::AsciiStrToLower(event.event_id()));
      if (!ids.insert(event.event_id()).second) {
        return Invalid(at + ".event_id", "appears twice in this append");
      }
    }
    if (!event.has_occurred_at()) return Invalid(at + ".occurred_at", "is required");
    if (!IsValidTimestamp(event.occurred_at())) {
      return Invalid(at + ".occurred_at", "must be a valid time between 1900 and 9999");
    }
    if (event.organisation().empty()) return Invalid(at + ".organisation", "is required");
    if (!IsOdsCode(event.organisation())) {
      return Invalid(at + ".organisation",
                     "must be an ODS code (3 to 10 capital letters or digits, e.g. \"QWE\")");
    }
    if (event.actor().empty()) return Invalid(at + ".actor", "is required");
    if (event.actor().size() > 256 || HasControlCharacters(event.actor())) {
      return Invalid(at + ".actor", "must be at most 256 bytes with no control characters");
    }
    if (!event.correlation_id().empty() && !IsUuid(event.correlation_id())) {
      return Invalid(at + ".correlation_id", "must be a UUID when given");
    }
    if (!event.causation_id().empty() && !IsUuid(event.causation_id())) {
      return Invalid(at + ".causation_id", "must be a UUID when given");
    }
    if (EventType(event).empty()) {
      return Invalid(at + ".payload", "is required: set one kind of event");
    }
  }
  if (total > kMaxBatchBytes) {
    return Invalid("events", absl::StrCat("total ", total, " bytes; the limit is ", kMaxBatchBytes));
  }
  return absl::OkStatus();
}

}  // namespace ledger
