// The console's engagement pages: the list, one engagement, and the forms that record the cycle.
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "projections/labels.h"
#include "web/console.h"
#include "web/event_forms.h"

namespace web {
namespace {

using engagement::v1::Event;

std::string DateOf(const Event& event) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(event.occurred_at().seconds()),
                          absl::UTCTimeZone());
}

std::string Label(const google::protobuf::EnumDescriptor* type, int value) {
  return projections::LabelOf(projections::CodeOf(type, value));
}

// What one engagement's pages need: its events, and the decisions that drew on it.
struct EngagementRecord {
  bool readable = false;  // the person may read the stream (auditor)
  std::string organisation;
  std::vector<Event> events;
  std::vector<Event> decisions;
  std::vector<Event> participants;  // of the organisation (their personal data stays sealed)
};

// A participant as the console names them: never by their (sealed) personal data.
std::string ParticipantLabel(const Event& registered) {
  return absl::StrCat("Participant ", registered.participant_registered().participant_id().substr(0, 8),
                      " (", Label(engagement::v1::PpvRoleType_descriptor(),
                                  registered.participant_registered().role_type()),
                      "; registered ", DateOf(registered), ")");
}

std::string Pence(int64_t pence) {
  return absl::StrCat("&pound;", pence / 100, ".", absl::Dec(pence % 100, absl::kZeroPad2));
}

}  // namespace

void Console::Engagements(Visit& visit) {
  auto ledger = engagement::v1::LedgerService::NewStub(channel_);
  grpc::ClientContext context;
  Prepare(context, visit);
  engagement::v1::ReadLogRequest request;
  request.mutable_filter()->add_event_types("engagement_opened");
  auto reader = ledger->ReadLog(&context, request);
  engagement::v1::ReadLogResponse item;
  std::vector<std::vector<std::string>> rows;
  while (reader->Read(&item)) {
    const Event& e = item.event();
    const std::string id = e.engagement_opened().engagement_id();
    rows.push_back({Link(absl::StrCat("/engagements/", id, "?organisation=", e.organisation()),
                         e.engagement_opened().title()),
                    Escape(e.organisation()), Escape(DateOf(e))});
  }
  grpc::Status status = reader->Finish();
  std::string html;
  if (visit.viewer.may_record) {
    html += absl::StrCat("<p>", Link("/engagements/new", "Open an engagement"), "</p>\n");
  }
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    html += InsetText("Listing what is recorded needs the auditor role. You can still open an "
                      "engagement and record into it.");
    return Respond(visit, 200, "Engagements", html);
  }
  if (!status.ok()) return RespondRefusal(visit, status.error_code(), status.error_message());
  std::reverse(rows.begin(), rows.end());  // newest first
  html += Table("Engagements, newest first", {"Title", "Organisation", "Opened"}, rows);
  Respond(visit, 200, "Engagements", html);
}

namespace {

EngagementRecord LoadEngagement(const std::shared_ptr<grpc::Channel>& channel,
                                const std::function<void(grpc::ClientContext&)>& prepare,
                                const std::string& id, grpc::Status* status) {
  EngagementRecord record;
  auto ledger = engagement::v1::LedgerService::NewStub(channel);
  {
    grpc::ClientContext context;
    prepare(context);
    engagement::v1::ReadStreamRequest request;
    request.set_stream("engagement-" + id);
    auto reader = ledger->ReadStream(&context, request);
    engagement::v1::ReadStreamResponse item;
    while (reader->Read(&item)) record.events.push_back(item.event());
    *status = reader->Finish();
    if (!status->ok()) return record;
  }
  record.readable = true;
  if (!record.events.empty()) record.organisation = record.events.front().organisation();
  grpc::ClientContext context;
  prepare(context);
  engagement::v1::ReadLogRequest request;
  request.mutable_filter()->add_event_types("decision_recorded");
  if (!record.organisation.empty()) request.mutable_filter()->add_organisations(record.organisation);
  request.mutable_filter()->add_event_types("participant_registered");
  auto reader = ledger->ReadLog(&context, request);
  engagement::v1::ReadLogResponse item;
  while (reader->Read(&item)) {
    if (item.event().has_participant_registered()) {
      record.participants.push_back(item.event());
      continue;
    }
    for (const std::string& drew_on : item.event().decision_recorded().engagement_ids()) {
      if (drew_on == id) record.decisions.push_back(item.event());
    }
  }
  *status = reader->Finish();
  return record;
}

}  // namespace

void Console::Engagement(Visit& visit) {
  const std::string id = visit.http.matches[1];
  grpc::Status status;
  EngagementRecord record = LoadEngagement(
      channel_, [&](grpc::ClientContext& c) { Prepare(c, visit); }, id, &status);
  std::string organisation = record.organisation.empty()
                                 ? absl::AsciiStrToUpper(visit.http.get_param_value("organisation"))
                                 : record.organisation;
  std::string html;
  if (visit.http.has_param("recorded")) {
    html += "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">Information: "
            "</span><p>Recorded in the ledger.</p></div>\n";
  }
  if (!record.readable && status.error_code() != grpc::StatusCode::PERMISSION_DENIED) {
    return RespondRefusal(visit, status.error_code(), status.error_message());
  }
  if (record.readable && record.events.empty()) {
    return Respond(visit, 404, "Not found", Paragraph("There is no engagement with that id."));
  }
  std::string title = "Engagement";
  std::vector<std::vector<std::string>> sessions, insights, feedback, decisions, invitations,
      reimbursements, evaluation;
  std::map<std::string, std::string> participant_labels;
  for (const Event& p : record.participants) {
    participant_labels[p.participant_registered().participant_id()] = ParticipantLabel(p);
  }
  for (const Event& e : record.events) {
    switch (e.payload_case()) {
      case Event::kEngagementOpened: {
        const auto& o = e.engagement_opened();
        title = o.title();
        html += SummaryList(
            {{"Organisation", Escape(e.organisation())},
             {"Topic", Escape(o.topic())},
             {"Level of involvement",
              Escape(Label(engagement::v1::SpectrumLevel_descriptor(), o.spectrum_level()))},
             {"Scope for influence", Escape(o.scope_for_influence())},
             {"Opened", Escape(DateOf(e))}});
        break;
      }
      case Event::kSessionHeld: {
        const auto& s = e.session_held();
        sessions.push_back(
            {Escape(s.title()),
             Escape(Label(engagement::v1::EngagementMethod_descriptor(), s.method())),
             Escape(DateOf(e)),
             absl::StrCat(s.attendee_participant_ids_size() + s.unregistered_attendee_count())});
        break;
      }
      case Event::kInsightRecorded:
        insights.push_back({Escape(e.insight_recorded().theme()),
                            Escape(e.insight_recorded().summary()), Escape(DateOf(e))});
        break;
      case Event::kFeedbackGiven:
        feedback.push_back({Escape(e.feedback_given().summary()), Escape(DateOf(e))});
        break;
      case Event::kInvitationSent: {
        const auto& i = e.invitation_sent();
        std::string who = i.has_channel()
                              ? absl::StrCat("Open invitation through ",
                                             Label(engagement::v1::InvitationChannel_descriptor(),
                                                   i.channel()))
                              : participant_labels.count(i.participant_id())
                                    ? participant_labels[i.participant_id()]
                                    : absl::StrCat("Participant ", i.participant_id().substr(0, 8));
        invitations.push_back(
            {Escape(who), Escape(Label(engagement::v1::ContactMethod_descriptor(), i.method())),
             Escape(DateOf(e))});
        break;
      }
      case Event::kReimbursementRecorded: {
        const auto& r = e.reimbursement_recorded();
        reimbursements.push_back(
            {Escape(Label(engagement::v1::ReimbursementCategory_descriptor(), r.category())),
             Pence(r.amount_pence()),
             Escape(Label(engagement::v1::ReimbursementStatus_descriptor(), r.status())),
             Escape(DateOf(e))});
        break;
      }
      case Event::kEngagementEvaluated: {
        const auto& v = e.engagement_evaluated();
        evaluation.push_back({Escape(Label(engagement::v1::AimsMet_descriptor(), v.aims_met())),
                              Escape(v.outcomes()), Escape(v.learning()), Escape(DateOf(e))});
        break;
      }
      default:
        break;
    }
  }
  for (const Event& d : record.decisions) {
    decisions.push_back(
        {Escape(d.decision_recorded().summary()), Escape(d.decision_recorded().deciding_body_name()),
         Escape(DateOf(d)),
         Link(absl::StrCat("/decisions/", d.decision_recorded().decision_id(),
                           "/trace?organisation=", d.organisation()),
              "Trace to the people")});
  }
  if (visit.viewer.may_record) {
    html += "<h2 class=\"nhsuk-heading-m\">Record</h2>\n<ul class=\"nhsuk-list\">\n";
    for (const EventForm& form : AllEventForms()) {
      if (form.slug == "open") continue;
      absl::StrAppend(&html, "<li>",
                      Link(absl::StrCat("/engagements/", id, "/record/", form.slug,
                                        "?organisation=", organisation),
                           form.title),
                      "</li>\n");
    }
    html += "</ul>\n";
  }
  if (!record.readable) {
    html += InsetText("Seeing what is recorded needs the auditor role.");
    return Respond(visit, 200, title, html);
  }
  html += Table("Invitations", {"Who", "How", "Date"}, invitations);
  html += Table("Sessions", {"Title", "Method", "Date", "People"}, sessions);
  html += Table("Insights", {"Theme", "What people said", "Date"}, insights);
  html += Table("Decisions", {"What was decided", "By", "Date", "Trace"}, decisions);
  html += Table("Feedback", {"What it said", "Date"}, feedback);
  html += Table("Reimbursements", {"What for", "Amount", "State", "Date"}, reimbursements);
  html += Table("Evaluation", {"Aims", "What changed", "Learning", "Date"}, evaluation);
  Respond(visit, 200, title, html);
}

void Console::RecordForm(Visit& visit) {
  const bool open = visit.http.matches.size() < 3;
  const std::string id = open ? "" : std::string(visit.http.matches[1]);
  const EventForm* form = FindEventForm(open ? "open" : std::string(visit.http.matches[2]));
  if (form == nullptr) return Respond(visit, 404, "Not found", Paragraph("There is no such form."));
  if (!visit.viewer.may_record) {
    return Respond(visit, 403, "You cannot record",
                   Paragraph("Recording needs the recorder role for the organisation."));
  }
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> ticked;  // checkboxes' values
  for (const FormField& field : form->fields) {
    const size_t count = visit.http.get_param_value_count(field.id);
    for (size_t i = 0; i < count; ++i) {
      ticked[field.id].push_back(visit.http.get_param_value(field.id, i));
    }
    values[field.id] = absl::StrJoin(ticked[field.id], "\n");
  }
  std::string organisation = absl::AsciiStrToUpper(visit.http.get_param_value("organisation"));
  grpc::Status read_status;
  EngagementRecord record;
  if (!open) {
    record = LoadEngagement(channel_, [&](grpc::ClientContext& c) { Prepare(c, visit); }, id,
                            &read_status);
    if (!record.organisation.empty()) organisation = record.organisation;
  }
  std::map<std::string, std::string> errors;  // field id -> words
  std::vector<std::pair<std::string, std::string>> summary;
  if (visit.http.method == "POST") {
    absl::StatusOr<Event> event =
        BuildEvent(*form, values, id, organisation, visit.session.identity);
    grpc::Status status;
    engagement::v1::AppendEventsResponse appended;
    if (event.ok()) {
      auto ledger = engagement::v1::LedgerService::NewStub(channel_);
      grpc::ClientContext context;
      Prepare(context, visit);
      engagement::v1::AppendEventsRequest request;
      request.set_stream(StreamOf(*form, *event));
      request.mutable_expected()->set_state(open ? engagement::v1::EXPECTED_STATE_NO_STREAM
                                                 : engagement::v1::EXPECTED_STATE_ANY);
      *request.add_events() = *event;
      status = ledger->AppendEvents(&context, request, &appended);
      if (status.ok()) {
        const std::string engagement =
            open ? event->engagement_opened().engagement_id() : id;
        visit.response.status = 303;
        visit.response.set_header(
            "Location", absl::StrCat("/engagements/", engagement, "?organisation=",
                                     event->organisation(), "&recorded=", form->slug));
        return;
      }
    } else {
      status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(event.status().message()));
    }
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
        status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return RespondRefusal(visit, status.error_code(), status.error_message());
    }
    auto [field, words] = ExplainRefusal(*form, status.error_message());
    if (!field.empty()) errors[field] = words;
    summary.emplace_back(field, words);
  } else {
    for (const FormField& field : form->fields) {
      if (field.kind == FieldKind::kDate) {
        values[field.id] = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
      }
    }
    if (open && visit.session.organisations.size() == 1 && visit.session.organisations[0] != "*") {
      values["organisation"] = visit.session.organisations[0];
    }
  }
  // The choices: what this engagement holds (when the person may read it).
  Choices choices;
  for (const Event& e : record.events) {
    if (e.has_session_held()) {
      choices["session"].emplace_back(e.session_held().session_id(), e.session_held().title());
    }
    if (e.has_insight_recorded()) {
      choices["insight"].emplace_back(e.insight_recorded().insight_id(),
                                      e.insight_recorded().theme());
    }
  }
  for (const Event& d : record.decisions) {
    choices["decision"].emplace_back(d.decision_recorded().decision_id(),
                                     d.decision_recorded().summary());
  }
  for (const Event& p : record.participants) {
    choices["participant"].emplace_back(p.participant_registered().participant_id(),
                                        ParticipantLabel(p));
  }
  std::string html = ErrorSummary(summary);
  html += absl::StrCat(FormStart(visit.viewer, visit.http.path));
  if (!open) {
    absl::StrAppend(&html, "<input type=\"hidden\" name=\"organisation\" value=\"",
                    Escape(organisation), "\">\n");
  }
  for (const FormField& field : form->fields) {
    FieldState state{values[field.id], errors.count(field.id) ? errors[field.id] : ""};
    switch (field.kind) {
      case FieldKind::kText:
        html += TextInput(field.id, field.label, field.hint, state);
        break;
      case FieldKind::kNumber:
        html += TextInput(field.id, field.label, field.hint, state, "text",
                          "nhsuk-input--width-4\" inputmode=\"numeric");
        break;
      case FieldKind::kPounds:
        html += TextInput(field.id, field.label, field.hint, state, "text",
                          "nhsuk-input--width-10\" inputmode=\"decimal");
        break;
      case FieldKind::kEnumList:
        html += Checkboxes(field.id, field.label, field.hint, EnumOptions(field.enum_type),
                           ticked[field.id], state.error);
        break;
      case FieldKind::kChoices: {
        if (!record.readable) {
          html += TextInput(field.id, field.label,
                            absl::StrCat("Their ids (", field.choice_of, " ids), one per line"),
                            state);
          break;
        }
        auto offered = choices.find(field.choice_of);
        html += Checkboxes(field.id, field.label, field.hint,
                           offered == choices.end() ? std::vector<std::pair<std::string, std::string>>{}
                                                    : offered->second,
                           ticked[field.id], state.error);
        break;
      }
      case FieldKind::kDate:
        html += TextInput(field.id, field.label, field.hint, state, "text", "nhsuk-input--width-10");
        break;
      case FieldKind::kTextArea:
        html += TextArea(field.id, field.label, field.hint, state);
        break;
      case FieldKind::kEnum: {
        std::vector<std::pair<std::string, std::string>> options = {{"", "Choose one"}};
        for (auto& option : EnumOptions(field.enum_type)) options.push_back(option);
        html += Select(field.id, field.label, field.hint, options, state);
        break;
      }
      case FieldKind::kChoice: {
        auto offered = choices.find(field.choice_of);
        if (!record.readable) {  // cannot list them: ask for the id
          html += TextInput(field.id, field.label, absl::StrCat("Its id (", field.choice_of, " id)"),
                            state);
          break;
        }
        std::vector<std::pair<std::string, std::string>> options = {{"", "Choose one"}};
        if (offered != choices.end()) {
          for (auto& option : offered->second) options.push_back(option);
        }
        html += Select(field.id, field.label, field.hint, options, state);
        break;
      }
    }
  }
  html += FormEnd(form->button);
  Respond(visit, summary.empty() ? 200 : 400, form->title, html);
}

}  // namespace web
