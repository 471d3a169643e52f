#include "web/event_forms.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "ledger/uuid.h"
#include "projections/labels.h"

namespace web {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::json;

FormField Field(FieldKind kind, std::string id, std::string path, std::string label,
                std::string hint, std::string enum_type = "", std::string choice_of = "") {
  FormField field;
  field.kind = kind;
  field.id = std::move(id);
  field.path = std::move(path);
  field.label = std::move(label);
  field.hint = std::move(hint);
  field.enum_type = std::move(enum_type);
  field.choice_of = std::move(choice_of);
  return field;
}
FormField Text(std::string id, std::string path, std::string label, std::string hint = "") {
  return Field(FieldKind::kText, id, path, label, hint);
}
FormField Area(std::string id, std::string path, std::string label, std::string hint = "") {
  return Field(FieldKind::kTextArea, id, path, label, hint);
}
FormField Number(std::string id, std::string path, std::string label, std::string hint = "") {
  return Field(FieldKind::kNumber, id, path, label, hint);
}
FormField Enum(std::string id, std::string path, std::string label, std::string type) {
  return Field(FieldKind::kEnum, id, path, label, "", "engagement.v1." + type);
}
FormField Choice(std::string id, std::string path, std::string label, std::string of,
                 std::string hint = "") {
  return Field(FieldKind::kChoice, id, path, label, hint, "", of);
}
FormField ChoiceList(std::string id, std::string path, std::string label, std::string of,
                  std::string hint = "") {
  return Field(FieldKind::kChoices, id, path, label, hint, "", of);
}
FormField EnumList(std::string id, std::string path, std::string label, std::string type,
                   std::string hint = "") {
  return Field(FieldKind::kEnumList, id, path, label, hint, "engagement.v1." + type);
}
FormField Pounds(std::string id, std::string path, std::string label, std::string hint = "") {
  return Field(FieldKind::kPounds, id, path, label, hint);
}
// Personal data: sealed by the server before it is written (docs/security.md).
constexpr char kSealed[] =
    "Sealed before it is written: only a privacy officer can see it, and each look is recorded";
FormField Date() {
  return Field(FieldKind::kDate, "occurred_at", "@occurred_at", "Date",
               "The day it happened, as 2025-05-01");
}

}  // namespace

const std::vector<EventForm>& AllEventForms() {
  static const auto* forms = new std::vector<EventForm>{
      {"open", "Open an engagement", "Open the engagement", "engagement_opened", "engagement_id",
       {Text("organisation", "@organisation", "Organisation", "Its ODS code, as QWE"),
        Text("title", "title", "Title", "What people will know it by"),
        Text("topic", "topic", "Topic", "The service or change it is about"),
        Enum("commissioning_stage", "commissioning_stage", "Commissioning stage",
             "CommissioningStage"),
        Enum("spectrum_level", "spectrum_level", "Level of involvement", "SpectrumLevel"),
        Area("scope_for_influence", "scope_for_influence", "Scope for influence",
             "What people can change, and what is already decided"),
        Enum("duty_to_involve", "duty_to_involve", "Does the duty to involve apply?",
             "DutyApplies"),
        Area("duty_reason", "duty_reason", "Why the duty does or does not apply", ""),
        Text("lead_role", "lead_role", "Lead role", "A role, not a person's name"),
        Date()}},
      {"participant", "Register a participant", "Register the participant",
       "participant_registered", "participant_id",
       {Enum("role_type", "role_type", "Role", "PpvRoleType"),
        Enum("recruited_through", "recruited_through", "Recruited through", "InvitationChannel"),
        Text("name", "personal_data.contact.name", "Name", kSealed),
        Text("email", "personal_data.contact.email", "Email address", kSealed),
        Text("telephone", "personal_data.contact.telephone", "Telephone", kSealed),
        Text("postcode", "personal_data.contact.postcode", "Postcode", kSealed),
        Enum("age_band", "personal_data.equality.age_band", "Age", "AgeBand"),
        Enum("sex", "personal_data.equality.sex", "Sex", "Sex"),
        Enum("ethnic_category", "personal_data.equality.ethnic_category", "Ethnic group",
             "EthnicCategory"),
        Enum("disability", "personal_data.equality.disability", "Disability", "MonitoringAnswer"),
        Enum("carer", "personal_data.equality.carer", "Carer", "MonitoringAnswer"),
        EnumList("priority_groups", "personal_data.equality.priority_groups",
                 "Groups they belong to", "PriorityGroup", "Select all that apply"),
        Date()}},
      {"invitation", "Invite someone", "Record the invitation", "invitation_sent",
       "invitation_id",
       {Choice("participant", "participant_id", "Participant invited", "participant",
               "Or, for an open invitation, choose the channel below instead"),
        Enum("channel", "channel", "Channel of an open invitation", "InvitationChannel"),
        Enum("method", "method", "How", "ContactMethod"),
        Area("selection_criteria", "selection_criteria", "Why they were invited",
             "The criteria, not the person"),
        Choice("session", "session_id", "Session they were invited to (optional)", "session"),
        Date()}},
      {"session", "Record a session", "Record the session", "session_held", "session_id",
       {Text("title", "title", "Title", ""),
        Enum("method", "method", "Method", "EngagementMethod"),
        Number("duration_minutes", "duration_minutes", "Duration in minutes", ""),
        Text("venue", "venue", "Venue", "Where it was held, or online"),
        ChoiceList("attendees", "attendee_participant_ids", "Registered participants who attended",
                "participant", "Select all that apply"),
        Number("unregistered_attendee_count", "unregistered_attendee_count",
               "People who attended without registering", "Count them; do not name them"),
        Date()}},
      {"insight", "Record an insight", "Record the insight", "insight_recorded", "insight_id",
       {Choice("session", "session_ids", "Session it came from", "session"),
        Text("theme", "theme", "Theme", "A few words, as \"travel to the new site\""),
        Area("summary", "summary", "What people said", "In their words where you can; no names"),
        Number("participants_raising", "participants_raising", "How many people raised it", ""),
        Date()}},
      {"decision", "Record a decision", "Record the decision", "decision_recorded", "decision_id",
       {Enum("deciding_body", "deciding_body", "Deciding body", "DecidingBody"),
        Text("deciding_body_name", "deciding_body_name", "Name of the deciding body", ""),
        Area("summary", "summary", "What was decided", ""),
        Text("paper_reference", "paper_reference", "Paper reference",
             "As it appears in the minutes"),
        Choice("insight", "influences.insight_id", "Insight it considered", "insight"),
        Enum("influence", "influences.influence", "What it did with the insight", "Influence"),
        Area("reason", "influences.reason", "Why", "This is what \"we did\" tells people"),
        Date()}},
      {"feedback", "Record feedback", "Record the feedback", "feedback_given", "feedback_id",
       {Enum("audience", "audience", "Who it went to", "FeedbackAudience"),
        Enum("channel", "channel", "How", "ContactMethod"),
        Choice("decision", "decision_ids", "Decision it reports", "decision"),
        Area("summary", "summary", "What it said", ""),
        Date()}},
      {"reimbursement", "Record a reimbursement", "Record the reimbursement",
       "reimbursement_recorded", "reimbursement_id",
       {Choice("participant", "participant_id", "Participant", "participant"),
        Choice("session", "session_id", "Session (optional)", "session"),
        Enum("category", "category", "What for", "ReimbursementCategory"),
        Pounds("amount", "amount_pence", "Amount in pounds", "As 12.50"),
        Enum("status", "status", "State", "ReimbursementStatus"),
        Area("note", "note", "Note (optional)", "No personal details"),
        Date()}},
      {"evaluation", "Record the evaluation", "Record the evaluation", "engagement_evaluated", "",
       {Enum("aims_met", "aims_met", "Were its aims met?", "AimsMet"),
        Area("people_reached", "people_reached", "Who it reached", "Numbers and groups, no names"),
        Area("methods", "methods", "How well the methods worked", ""),
        Area("timing", "timing", "How well the timing worked", ""),
        Pounds("actual_cost", "actual_cost_pence", "What it cost, in pounds", "As 1250.00"),
        Area("outcomes", "outcomes", "What changed because of it", ""),
        Area("learning", "learning", "What to do differently next time", ""),
        Date()}},
  };
  return *forms;
}

const EventForm* FindEventForm(const std::string& slug) {
  for (const EventForm& form : AllEventForms()) {
    if (form.slug == slug) return &form;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> EnumOptions(const std::string& enum_type) {
  std::vector<std::pair<std::string, std::string>> options;
  const google::protobuf::EnumDescriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindEnumTypeByName(enum_type);
  if (type == nullptr) return options;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() == 0) continue;
    options.emplace_back(type->value(i)->name(), projections::LabelOf(type->value(i)->name()));
  }
  return options;
}

namespace {

// Sets `value` at the dotted `path` of the payload object, following `type`'s fields: a repeated
// field gets a one-element list (of an object, for a repeated message).
absl::Status SetAt(const Descriptor& type, absl::string_view path, Json value, Json* object) {
  std::vector<absl::string_view> names = absl::StrSplit(path, absl::MaxSplits('.', 1));
  const FieldDescriptor* field = type.FindFieldByName(std::string(names[0]));
  if (field == nullptr) return absl::InternalError(absl::StrCat("no field ", path));
  Json& slot = (*object)[field->json_name()];
  if (names.size() == 1) {
    if (field->is_repeated()) {
      slot = value.is_array() ? std::move(value) : Json::array({std::move(value)});
    } else {
      slot = std::move(value);
    }
    return absl::OkStatus();
  }
  Json* inner = &slot;
  if (field->is_repeated()) {
    if (!slot.is_array() || slot.empty()) slot = Json::array({Json::object()});
    inner = &slot[0];
  } else if (!slot.is_object()) {
    slot = Json::object();
  }
  return SetAt(*field->message_type(), names[1], std::move(value), inner);
}

// "12", "12.5", "12.50", "£1,250.00" -> pence.
bool ParsePounds(absl::string_view text, int64_t* pence) {
  std::string digits;
  absl::ConsumePrefix(&text, "\xC2\xA3");  // £
  for (char c : text) {
    if (c != ',') digits += c;
  }
  std::vector<std::string> parts = absl::StrSplit(digits, '.');
  int64_t whole = 0, fraction = 0;
  if (parts.size() > 2 || parts[0].empty() || !absl::SimpleAtoi(parts[0], &whole) || whole < 0) {
    return false;
  }
  if (parts.size() == 2) {
    if (parts[1].empty() || parts[1].size() > 2 || !absl::SimpleAtoi(parts[1], &fraction) ||
        parts[1][0] == '-' || parts[1][0] == '+') {
      return false;
    }
    if (parts[1].size() == 1) fraction *= 10;
  }
  if (whole > (int64_t{1} << 50)) return false;
  *pence = whole * 100 + fraction;
  return true;
}

}  // namespace

absl::StatusOr<engagement::v1::Event> BuildEvent(const EventForm& form,
                                                 const std::map<std::string, std::string>& values,
                                                 const std::string& engagement_id,
                                                 const std::string& organisation,
                                                 const std::string& actor) {
  const Descriptor* event_type = engagement::v1::Event::descriptor();
  const FieldDescriptor* payload_field = event_type->FindFieldByName(form.payload);
  const Descriptor& payload_type = *payload_field->message_type();
  Json event = {{"eventId", ledger::NewUuid()}, {"actor", actor}, {"organisation", organisation}};
  Json payload = Json::object();
  if (form.slug == "open") {
    payload["engagementId"] = ledger::NewUuid();
  } else {
    if (!form.id_path.empty()) {
      payload[payload_type.FindFieldByName(form.id_path)->json_name()] = ledger::NewUuid();
    }
    if (payload_type.FindFieldByName("engagement_id") != nullptr) {
      payload["engagementId"] = engagement_id;
    } else if (payload_type.FindFieldByName("engagement_ids") != nullptr) {
      payload["engagementIds"] = Json::array({engagement_id});
    }
  }
  for (const FormField& field : form.fields) {
    auto given = values.find(field.id);
    std::string value =
        given == values.end() ? "" : std::string(absl::StripAsciiWhitespace(given->second));
    if (value.empty()) continue;  // the server says what is required
    Json json_value = value;
    if (field.kind == FieldKind::kNumber) {
      uint64_t number = 0;
      if (!absl::SimpleAtoi(value, &number)) {
        return absl::InvalidArgumentError(absl::StrCat(field.id, ": Enter a whole number"));
      }
      json_value = number;
    }
    if (field.kind == FieldKind::kChoices || field.kind == FieldKind::kEnumList) {
      json_value = Json::array();
      for (absl::string_view one : absl::StrSplit(value, '\n', absl::SkipWhitespace())) {
        json_value.push_back(std::string(absl::StripAsciiWhitespace(one)));
      }
    }
    if (field.kind == FieldKind::kPounds) {
      int64_t pence = 0;
      if (!ParsePounds(value, &pence)) {
        return absl::InvalidArgumentError(
            absl::StrCat(field.id, ": Enter an amount in pounds, as 12.50"));
      }
      json_value = pence;
    }
    if (field.kind == FieldKind::kDate) {
      absl::Time day;
      std::string error;
      if (!absl::ParseTime("%Y-%m-%d", value, &day, &error)) {
        return absl::InvalidArgumentError(
            absl::StrCat(field.id, ": Enter the date as year-month-day, as 2025-05-01"));
      }
      json_value = absl::StrCat(value, "T12:00:00Z");
    }
    if (field.path == "@occurred_at") {
      event["occurredAt"] = json_value;
    } else if (field.path == "@organisation") {
      event["organisation"] = absl::AsciiStrToUpper(value);
    } else {
      absl::Status set = SetAt(payload_type, field.path, json_value, &payload);
      if (!set.ok()) return set;
    }
  }
  event[payload_field->json_name()] = payload;
  engagement::v1::Event parsed;
  auto status = google::protobuf::util::JsonStringToMessage(
      event.dump(-1, ' ', false, Json::error_handler_t::replace), &parsed);
  if (!status.ok()) {
    // (Never the value itself: protobuf's message would repeat it.)
    std::string message(status.message());
    if (size_t at = message.find("invalid value"); at != std::string::npos) message.resize(at);
    return absl::InvalidArgumentError(absl::StrCat("the form: ", message, "a value cannot be read"));
  }
  return parsed;
}

std::string StreamOf(const EventForm& form, const engagement::v1::Event& event) {
  if (form.payload == "decision_recorded") {
    return absl::StrCat("decision-", event.decision_recorded().decision_id());
  }
  if (form.payload == "engagement_opened") {
    return absl::StrCat("engagement-", event.engagement_opened().engagement_id());
  }
  if (form.payload == "participant_registered") {
    return absl::StrCat("participant-", event.participant_registered().participant_id());
  }
  const google::protobuf::Reflection* reflection = event.GetReflection();
  const FieldDescriptor* payload =
      engagement::v1::Event::descriptor()->FindFieldByName(form.payload);
  const google::protobuf::Message& inner = reflection->GetMessage(event, payload);
  const FieldDescriptor* engagement = inner.GetDescriptor()->FindFieldByName("engagement_id");
  return absl::StrCat("engagement-", inner.GetReflection()->GetString(inner, engagement));
}

std::pair<std::string, std::string> ExplainRefusal(const EventForm& form,
                                                   const std::string& message) {
  // A problem BuildEvent found: "<field id>: <plain words>".
  for (const FormField& field : form.fields) {
    if (absl::StartsWith(message, field.id + ": ")) {
      return {field.id, message.substr(field.id.size() + 2)};
    }
  }
  // The server's: "events[0].<payload>.<path>: <problem>" or "events[0].<field>: <problem>".
  size_t colon = message.find(": ");
  if (colon == std::string::npos) return {"", message};
  std::string where = message.substr(0, colon);
  std::string problem = message.substr(colon + 2);
  absl::string_view path(where);
  if (absl::ConsumePrefix(&path, "events[0].")) {
    std::string plain;  // without list indexes
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '[') {
        i = path.find(']', i);
        if (i == absl::string_view::npos) break;
        continue;
      }
      plain += path[i];
    }
    std::string inside = plain;
    bool in_payload = absl::StartsWith(plain, form.payload + ".");
    if (in_payload) plain = plain.substr(form.payload.size() + 1);
    for (const FormField& field : form.fields) {
      bool named = in_payload ? field.path == plain
                              : field.path == absl::StrCat("@", inside);
      if (!named) continue;
      std::string label = absl::AsciiStrToLower(field.label);
      if (problem == "is required" || absl::StartsWith(problem, "must be set")) {
        bool choose = field.kind == FieldKind::kEnum || field.kind == FieldKind::kChoice ||
                      field.kind == FieldKind::kChoices || field.kind == FieldKind::kEnumList;
        return {field.id, absl::StrCat(choose ? "Select " : "Enter ", label)};
      }
      return {field.id, absl::StrCat(field.label, ": ", problem)};
    }
    // A choice between fields (a oneof, as an invitation's participant or channel).
    const Descriptor* payload_type =
        engagement::v1::Event::descriptor()->FindFieldByName(form.payload)->message_type();
    const google::protobuf::OneofDescriptor* oneof =
        in_payload ? payload_type->FindOneofByName(plain) : nullptr;
    if (oneof != nullptr) {
      std::string first, labels;
      for (const FormField& field : form.fields) {
        const FieldDescriptor* member = payload_type->FindFieldByName(field.path);
        if (member == nullptr || member->containing_oneof() != oneof) continue;
        if (first.empty()) first = field.id;
        absl::StrAppend(&labels, labels.empty() ? "Select " : ", or ",
                        absl::AsciiStrToLower(field.label));
      }
      if (!first.empty()) return {first, labels};
    }
  }
  return {"", message};
}

}  // namespace web
