#include "ledger/log_filter.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "google/protobuf/descriptor.h"

namespace ledger {
namespace {

const google::protobuf::OneofDescriptor* PayloadOneof() {
  static const google::protobuf::OneofDescriptor* oneof =
      engagement::v1::Event::descriptor()->FindOneofByName("payload");
  return oneof;
}

}  // namespace

absl::string_view EventType(const engagement::v1::Event& event) {
  const google::protobuf::FieldDescriptor* field =
      event.GetReflection()->GetOneofFieldDescriptor(event, PayloadOneof());
  if (field == nullptr) return "";
  return field->name();
}

bool IsKnownEventType(absl::string_view name) {
  const google::protobuf::OneofDescriptor* oneof = PayloadOneof();
  for (int i = 0; i < oneof->field_count(); ++i) {
    if (oneof->field(i)->name() == name) return true;
  }
  return false;
}

bool LogFilter::Matches(const engagement::v1::Event& event) const {
  if (!event_types.empty()) {
    absl::string_view type = EventType(event);
    if (std::find(event_types.begin(), event_types.end(), type) == event_types.end()) return false;
  }
  if (!organisations.empty() && std::find(organisations.begin(), organisations.end(),
                                          event.organisation()) == organisations.end()) {
    return false;
  }
  if (!stream_prefixes.empty()) {
    bool any = false;
    for (const std::string& prefix : stream_prefixes) {
      if (absl::StartsWith(event.stream(), prefix)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace ledger
