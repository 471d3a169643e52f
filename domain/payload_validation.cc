#include "domain/payload_validation.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/stubs/strutil.h"
#include "ledger/uuid.h"

namespace domain {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The fields each message must have (a non-empty string or list, a present message). Enum fields
// are required by the generic rule and need no entry. Names of oneofs that must be set are listed
// with a leading '@'.
const absl::flat_hash_map<std::string, std::vector<std::string>>& RequiredFields() {
  static const auto* required = new absl::flat_hash_map<std::string, std::vector<std::string>>{
      {"engagement.v1.InvitationSent", {"engagement_id", "invitation_id", "@invitee"}},
      {"engagement.v1.InvitationResponded", {"engagement_id", "invitation_id"}},
      {"engagement.v1.SessionHeld", {"engagement_id", "session_id", "title"}},
      {"engagement.v1.InsightRecorded",
       {"engagement_id", "insight_id", "theme", "summary", "session_ids"}},
      {"engagement.v1.InsightInfluence", {"insight_id", "reason"}},
      {"engagement.v1.DecisionRecorded",
       {"decision_id", "deciding_body_name", "summary", "paper_reference"}},
      {"engagement.v1.FeedbackGiven", {"feedback_id", "engagement_id", "summary"}},
      {"engagement.v1.EngagementOpened",
       {"engagement_id", "title", "topic", "scope_for_influence", "duty_reason", "lead_role"}},
      {"engagement.v1.ParticipantRegistered", {"participant_id"}},
      {"engagement.v1.ConsentWithdrawn", {"participant_id"}},
      {"engagement.v1.InsightValidated", {"engagement_id", "insight_id"}},
      {"engagement.v1.InsightConsidered", {"engagement_id", "insight_id", "body_name", "reference"}},
      {"engagement.v1.ReimbursementRecorded",
       {"reimbursement_id", "engagement_id", "participant_id"}},
      {"engagement.v1.DutyToInvolveAssessed", {"assessment_id", "reason", "assessor_role"}},
      {"engagement.v1.ConsultationWindowSet",
       {"consultation_id", "engagement_id", "information_pack_reference", "starts_at", "ends_at"}},
      {"engagement.v1.EngagementEvaluated",
       {"engagement_id", "people_reached", "outcomes", "learning"}},
      {"engagement.v1.EngagementClosed", {"engagement_id", "reason"}},
      {"engagement.v1.EventCorrected", {"corrected_event_id", "reason"}},
      {"engagement.v1.EvaluationFormReturned", {"engagement_id", "session_id", "form_id"}},
      {"engagement.v1.InformationShared", {"engagement_id", "information_id", "description"}},
      {"engagement.v1.ActivityReturned",
       {"engagement_id", "session_id", "completed_by_role", "next_steps"}},
      {"engagement.v1.CaseStudyRecorded",
       {"engagement_id", "case_study_id", "title", "beginning", "middle", "end", "impact"}},
  };
  return *required;
}

// Where a field is: its parent's path plus a name or an index. Turned into text ("events[2].
// session_held.attendee_participant_ids[0]") only when a problem is reported, so checking a
// valid event allocates nothing for paths.
struct FieldPath {
  const FieldPath* parent = nullptr;
  absl::string_view name;  // a field's name, or the list's name at the root
  int index = -1;          // >= 0: an element of a repeated field

  std::string ToString() const {
    std::string text = parent == nullptr ? std::string() : parent->ToString();
    if (!name.empty()) absl::StrAppend(&text, text.empty() ? "" : ".", name);
    if (index >= 0) absl::StrAppend(&text, "[", index, "]");
    return text;
  }
};

absl::Status Invalid(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

absl::Status Invalid(const FieldPath& path, absl::string_view problem) {
  return Invalid(path.ToString(), problem);
}

// RequiredFields() resolved to descriptors once: per message type, in the listed order (which is
// the order problems are reported in), each field that must be set or oneof that must be chosen.
struct Requirement {
  const FieldDescriptor* field = nullptr;
  const google::protobuf::OneofDescriptor* oneof = nullptr;
};
using Requirements = std::vector<Requirement>;

const Requirements* RequirementsOf(const google::protobuf::Descriptor* descriptor) {
  static const auto* resolved = [] {
    auto* by_type =
        new absl::flat_hash_map<const google::protobuf::Descriptor*, Requirements>();
    for (const auto& [type_name, names] : RequiredFields()) {
      const auto* type =
          google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
      if (type == nullptr) continue;
      Requirements& requirements = (*by_type)[type];
      for (const std::string& name : names) {
        if (name[0] == '@') {
          requirements.push_back({nullptr, type->FindOneofByName(name.substr(1))});
        } else {
          requirements.push_back({type->FindFieldByName(name), nullptr});
        }
      }
    }
    return by_type;
  }();
  auto it = resolved->find(descriptor);
  return it == resolved->end() ? nullptr : &it->second;
}

absl::Status CheckMessage(const Message& message, const FieldPath& path);

absl::Status CheckRequired(const Message& message, const FieldPath& path) {
  const Requirements* requirements = RequirementsOf(message.GetDescriptor());
  if (requirements == nullptr) return absl::OkStatus();
  const Reflection* reflection = message.GetReflection();
  for (const Requirement& requirement : *requirements) {
    if (requirement.oneof != nullptr) {
      const FieldDescriptor* chosen =
          reflection->GetOneofFieldDescriptor(message, requirement.oneof);
      bool empty_string = chosen != nullptr &&
                          chosen->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
                          reflection->GetString(message, chosen).empty();
      if (chosen == nullptr || empty_string) {
        return Invalid(FieldPath{&path, requirement.oneof->name()}, "one of its fields must be set");
      }
      continue;
    }
    const FieldDescriptor* field = requirement.field;
    bool present = field->is_repeated() ? reflection->FieldSize(message, field) > 0
                   : field->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                       ? !reflection->GetStringReference(message, field, nullptr).empty()
                       : reflection->HasField(message, field);
    if (!present) return Invalid(FieldPath{&path, field->name()}, "is required");
  }
  return absl::OkStatus();
}

absl::Status CheckEnum(const FieldDescriptor* field, int value, const FieldPath& path) {
  if (value == 0) {
    return Invalid(path, absl::StrCat("must be set (not ", field->enum_type()->value(0)->name(), ")"));
  }
  if (field->enum_type()->FindValueByNumber(value) == nullptr) {
    return Invalid(path, absl::StrCat("unknown value ", value, " for ", field->enum_type()->name()));
  }
  return absl::OkStatus();
}

absl::Status CheckString(const FieldDescriptor* field, const std::string& value,
                         const FieldPath& path) {
  // Protobuf's own UTF-8 check (the one its parser uses), so both agree on what is valid.
  if (!google::protobuf::internal::IsStructurallyValidUTF8(value.data(),
                                                           static_cast<int>(value.size()))) {
    return Invalid(path, "must be valid UTF-8");
  }
  bool is_id = field->is_repeated() ? absl::EndsWith(field->name(), "_ids")
                                    : absl::EndsWith(field->name(), "_id");
  if (is_id && !value.empty()) {
    if (!ledger::IsUuid(value)) return Invalid(path, "must be a UUID");
    // Ids are compared byte for byte, so only the canonical lowercase form is accepted.
    for (char c : value) {
      if (c >= 'A' && c <= 'F') return Invalid(path, "must be a UUID in lowercase");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckField(const Message& message, const FieldDescriptor* field,
                        const FieldPath& path) {
  const Reflection* reflection = message.GetReflection();
  if (field->is_repeated()) {
    int size = reflection->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      FieldPath at{&path, "", i};
      absl::Status s;
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_ENUM:
          s = CheckEnum(field, reflection->GetRepeatedEnumValue(message, field, i), at);
          break;
        case FieldDescriptor::CPPTYPE_STRING: {
          std::string scratch;
          s = CheckString(field, reflection->GetRepeatedStringReference(message, field, i, &scratch),
                          at);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          s = CheckMessage(reflection->GetRepeatedMessage(message, field, i), at);
          break;
        default:
          break;
      }
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // A oneof member that is not the chosen one is not checked.
  if (field->containing_oneof() != nullptr && !reflection->HasField(message, field)) {
    return absl::OkStatus();
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM:
      return CheckEnum(field, reflection->GetEnumValue(message, field), path);
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return CheckString(field, reflection->GetStringReference(message, field, &scratch), path);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (!reflection->HasField(message, field)) return absl::OkStatus();
      return CheckMessage(reflection->GetMessage(message, field), path);
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckMessage(const Message& message, const FieldPath& path) {
  absl::Status s = CheckRequired(message, path);
  if (!s.ok()) return s;
  const auto* descriptor = message.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    s = CheckField(message, field, FieldPath{&path, field->name()});
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Rules that tie fields of one message together.
absl::Status CheckCrossField(const engagement::v1::Event& event, const FieldPath& event_path) {
  // Only ever built to report a problem.
  struct LazyPath {
    const FieldPath& at;
    std::string operator+(absl::string_view suffix) const {
      return absl::StrCat(at.ToString(), suffix);
    }
  } path{event_path};
  if (event.has_feedback_given()) {
    const auto& feedback = event.feedback_given();
    auto at_field = [&](absl::string_view field) {
      return path + absl::StrCat(".feedback_given", field);
    };
    if (feedback.insight_ids().empty() && feedback.decision_ids().empty()) {
      return Invalid(at_field(".insight_ids"),
                     "feedback must report on at least one insight or decision");
    }
    if (feedback.audience() == engagement::v1::FEEDBACK_AUDIENCE_SESSION &&
        feedback.session_id().empty()) {
      return Invalid(at_field(".session_id"), "is required when the audience is a session");
    }
    if (feedback.audience() == engagement::v1::FEEDBACK_AUDIENCE_PARTICIPANTS &&
        feedback.participant_ids().empty()) {
      return Invalid(at_field(".participant_ids"),
                     "is required when the audience is named participants");
    }
  }
  if (event.has_session_held() && event.session_held().cost_pence() < 0) {
    return Invalid(path + ".session_held.cost_pence", "must not be negative");
  }
  if (event.has_engagement_opened() && event.engagement_opened().planned_budget_pence() < 0) {
    return Invalid(path + ".engagement_opened.planned_budget_pence", "must not be negative");
  }
  if (event.has_reimbursement_recorded() && event.reimbursement_recorded().amount_pence() <= 0) {
    return Invalid(path + ".reimbursement_recorded.amount_pence", "must be more than zero");
  }
  if (event.has_engagement_evaluated() && event.engagement_evaluated().actual_cost_pence() < 0) {
    return Invalid(path + ".engagement_evaluated.actual_cost_pence", "must not be negative");
  }
  if (event.has_participant_registered() &&
      event.participant_registered().personal_data().equality().imd_decile() > 10) {
    // The value is personal data: the message names the field and the rule, not the value.
    return Invalid(path + ".participant_registered.personal_data.equality.imd_decile",
                   "must be 1 to 10, or 0 when unknown");
  }
  if (event.has_duty_to_involve_assessed()) {
    const auto& duty = event.duty_to_involve_assessed();
    if (duty.engagement_id().empty() && duty.decision_id().empty()) {
      return Invalid(path + ".duty_to_involve_assessed.decision_id",
                     "an assessment is for a decision or an engagement: set one");
    }
  }
  if (event.has_consultation_window_set()) {
    const auto& window = event.consultation_window_set();
    if (window.ends_at().seconds() <= window.starts_at().seconds()) {
      return Invalid(path + ".consultation_window_set.ends_at", "must be after starts_at");
    }
  }
  if (event.has_information_shared() && event.information_shared().people_reached() == 0) {
    return Invalid(path + ".information_shared.people_reached", "must be more than zero");
  }
  if (event.has_activity_returned() && !event.activity_returned().evaluation_forms_offered() &&
      event.activity_returned().no_forms_reason().empty()) {
    return Invalid(path + ".activity_returned.no_forms_reason",
                   "is required when evaluation forms were not offered");
  }
  if (event.has_event_corrected()) {
    const auto& correction = event.event_corrected();
    bool superseded = correction.kind() == engagement::v1::CORRECTION_KIND_SUPERSEDED;
    if (superseded && correction.replacement_event_id().empty()) {
      return Invalid(path + ".event_corrected.replacement_event_id",
                     "is required when the kind is SUPERSEDED");
    }
    if (!superseded && !correction.replacement_event_id().empty()) {
      return Invalid(path + ".event_corrected.replacement_event_id",
                     "must be empty when the kind is RETRACTED");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePayloads(const std::vector<engagement::v1::Event>& events) {
  static const auto* oneof = engagement::v1::Event::descriptor()->FindOneofByName("payload");
  for (size_t i = 0; i < events.size(); ++i) {
    const engagement::v1::Event& event = events[i];
    const FieldPath path{nullptr, "events", static_cast<int>(i)};
    const FieldDescriptor* field = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
    if (field == nullptr) {
      return Invalid(FieldPath{&path, "payload"}, "is required: set one kind of event");
    }
    absl::Status s = CheckMessage(event.GetReflection()->GetMessage(event, field),
                                  FieldPath{&path, field->name()});
    if (!s.ok()) return s;
    s = CheckCrossField(event, path);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace domain
