// EventForms: the forms an engagement team records the cycle with, each one event: what it asks,
// how the answers become the event (by protobuf's JSON mapping, so the same validation and rules
// as any other append apply at the server), and which field a refusal names.
//
// A form never checks more than the server does: a missing title is refused by the engagement
// rules, and the refusal ("events[0].session_held.title: is required") is shown beside the
// Title field in plain words ("Enter the title"). Nothing is written when a refusal comes back.
#ifndef ENGAGEMENT_WEB_EVENT_FORMS_H_
#define ENGAGEMENT_WEB_EVENT_FORMS_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engagement/v1/event.pb.h"

namespace web {

enum class FieldKind {
  kText,
  kTextArea,
  kNumber,
  kDate,    // YYYY-MM-DD; the event's occurred_at is noon UTC that day
  kEnum,      // a select of the enum's values, with the reports' labels
  kEnumList,  // checkboxes of the enum's values (a repeated enum field)
  kChoice,    // one of the engagement's sessions, insights, decisions or participants
  kChoices,   // checkboxes of them (a repeated id field)
  kPounds,    // an amount in pounds, as 12.50, recorded in pence
};

struct FormField {
  std::string id;     // the HTML name and id
  std::string path;   // in the payload ("title", "influences.reason"), or "@occurred_at",
                      // "@organisation" for the event's own fields
  std::string label;
  std::string hint;
  FieldKind kind = FieldKind::kText;
  std::string enum_type;  // kEnum: the enum's full name
  std::string choice_of;  // kChoice(s): "session", "insight", "decision" or "participant"
};

struct EventForm {
  std::string slug;     // in the URL: "open", "participant", "invitation", "session", ...
  std::string title;    // the page's heading: "Record a session"
  std::string button;   // "Record the session"
  std::string payload;  // the Event's payload field: "session_held"
  std::string id_path;  // the payload's own id, made here: "session_id" (empty: none)
  std::vector<FormField> fields;
};

// Every form, in the order of the cycle.
const std::vector<EventForm>& AllEventForms();
const EventForm* FindEventForm(const std::string& slug);

// The choices a kChoice field offers: (id, label).
using Choices = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

// The event a filled form records, inside engagement `engagement_id` (made anew for "open"),
// by `actor`, for `organisation` (ignored for "open", which asks). Field values come from
// `values` by field id; a field of checkboxes has its values joined by newlines. A value that cannot be read (a number that is not one) is
// INVALID_ARGUMENT naming the field's id before the field's problem.
absl::StatusOr<engagement::v1::Event> BuildEvent(const EventForm& form,
                                                 const std::map<std::string, std::string>& values,
                                                 const std::string& engagement_id,
                                                 const std::string& organisation,
                                                 const std::string& actor);

// The stream the event is appended to.
std::string StreamOf(const EventForm& form, const engagement::v1::Event& event);

// The field a refusal names, and the refusal in plain words; the field's id is empty when the
// refusal names none of the form's fields (it is then shown above the form).
std::pair<std::string, std::string> ExplainRefusal(const EventForm& form,
                                                   const std::string& message);

// The (value, label) options of an enum, without its _UNSPECIFIED value.
std::vector<std::pair<std::string, std::string>> EnumOptions(const std::string& enum_type);

}  // namespace web

#endif  // ENGAGEMENT_WEB_EVENT_FORMS_H_
