// The console's forms (web/event_forms.h): a filled form becomes the event the engagement rules
// check, and a refusal is put beside the field it names, in plain words.
#include "web/event_forms.h"

#include "domain/payload_validation.h"
#include "gtest/gtest.h"

namespace web {
namespace {

TEST(EventFormsTest, EveryFormsFieldsAreFieldsOfItsEvent) {
  for (const EventForm& form : AllEventForms()) {
    std::map<std::string, std::string> values;
    for (const FormField& field : form.fields) {
      if (form.slug == "invitation" && field.id == "channel") continue;  // or a participant
      switch (field.kind) {
        case FieldKind::kNumber: values[field.id] = "3"; break;
        case FieldKind::kPounds: values[field.id] = "12.50"; break;
        case FieldKind::kDate: values[field.id] = "2025-05-01"; break;
        case FieldKind::kEnum:
        case FieldKind::kEnumList:
          values[field.id] = EnumOptions(field.enum_type).at(0).first;
          break;
        default: values[field.id] = "some text";
      }
    }
    auto event = BuildEvent(form, values, "e-1", "QWE", "token:officer");
    ASSERT_TRUE(event.ok()) << form.slug << ": " << event.status();
    EXPECT_EQ(event->occurred_at().seconds(), 1746100800) << form.slug;  // noon UTC
    EXPECT_EQ(event->actor(), "token:officer");
    EXPECT_FALSE(StreamOf(form, *event).empty());
  }
}

TEST(EventFormsTest, EveryChoiceIsOfferedInWordsNotCodes) {
  for (const EventForm& form : AllEventForms()) {
    for (const FormField& field : form.fields) {
      if (field.kind != FieldKind::kEnum) continue;
      auto options = EnumOptions(field.enum_type);
      ASSERT_FALSE(options.empty()) << field.enum_type;
      for (const auto& [code, label] : options) {
        EXPECT_NE(code, label) << form.slug << "." << field.id << ": " << code << " has no label";
      }
    }
  }
}

TEST(EventFormsTest, ASessionFormRecordsASessionOfTheEngagement) {
  const EventForm& form = *FindEventForm("session");
  auto event = BuildEvent(form,
                          {{"title", " Drop-in "}, {"method", "ENGAGEMENT_METHOD_FOCUS_GROUP"},
                           {"duration_minutes", "90"}, {"occurred_at", "2025-06-02"}},
                          "e-1", "QWE", "officer");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->session_held().engagement_id(), "e-1");
  EXPECT_EQ(event->session_held().title(), "Drop-in");
  EXPECT_EQ(event->session_held().duration_minutes(), 90u);
  EXPECT_FALSE(event->session_held().session_id().empty());
  EXPECT_EQ(StreamOf(form, *event), "engagement-e-1");
}

TEST(EventFormsTest, ADecisionsInfluenceIsOneInsightInfluenceAndItsOwnStream) {
  const EventForm& form = *FindEventForm("decision");
  auto event = BuildEvent(form,
                          {{"insight", "i-1"}, {"influence", "INFLUENCE_ADOPTED"}, {"reason", "Yes"}},
                          "e-1", "QWE", "officer");
  ASSERT_TRUE(event.ok()) << event.status();
  ASSERT_EQ(event->decision_recorded().influences_size(), 1);
  EXPECT_EQ(event->decision_recorded().influences(0).insight_id(), "i-1");
  EXPECT_EQ(event->decision_recorded().influences(0).reason(), "Yes");
  EXPECT_EQ(event->decision_recorded().engagement_ids(0), "e-1");
  EXPECT_EQ(StreamOf(form, *event),
            "decision-" + event->decision_recorded().decision_id());
}

TEST(EventFormsTest, AmountsInPoundsAreRecordedInPence) {
  const EventForm& form = *FindEventForm("reimbursement");
  for (const auto& [typed, pence] : std::vector<std::pair<std::string, int64_t>>{
           {"12", 1200}, {"12.5", 1250}, {"12.50", 1250}, {"\xC2\xA3" "1,250.05", 125005}}) {
    auto event = BuildEvent(form, {{"amount", typed}}, "e-1", "QWE", "o");
    ASSERT_TRUE(event.ok()) << typed << ": " << event.status();
    EXPECT_EQ(event->reimbursement_recorded().amount_pence(), pence) << typed;
  }
  for (const char* typed : {"12.505", "-3", "twelve", "1.2.3", "12."}) {
    auto event = BuildEvent(form, {{"amount", typed}}, "e-1", "QWE", "o");
    ASSERT_FALSE(event.ok()) << typed;
    EXPECT_EQ(ExplainRefusal(form, std::string(event.status().message())).first, "amount");
  }
}

TEST(EventFormsTest, ParticipantsDataGoesWhereTheServerSealsItAndTicksBecomeLists) {
  auto registered = BuildEvent(*FindEventForm("participant"),
                               {{"name", "Ann Example"},
                                {"priority_groups", "PRIORITY_GROUP_CARERS\nPRIORITY_GROUP_YOUNG_PEOPLE"}},
                               "", "QWE", "o");
  ASSERT_TRUE(registered.ok()) << registered.status();
  const auto& data = registered->participant_registered().personal_data();
  EXPECT_EQ(data.contact().name(), "Ann Example");
  EXPECT_EQ(data.equality().priority_groups_size(), 2);
  EXPECT_EQ(StreamOf(*FindEventForm("participant"), *registered),
            "participant-" + registered->participant_registered().participant_id());
  auto session = BuildEvent(*FindEventForm("session"), {{"attendees", "p-1\np-2"}}, "e-1", "QWE", "o");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->session_held().attendee_participant_ids_size(), 2);
}

TEST(EventFormsTest, WhatCannotBeReadIsRefusedBesideItsField) {
  const EventForm& form = *FindEventForm("session");
  auto number = BuildEvent(form, {{"duration_minutes", "an hour"}}, "e-1", "QWE", "o");
  ASSERT_FALSE(number.ok());
  EXPECT_EQ(ExplainRefusal(form, std::string(number.status().message())),
            (std::pair<std::string, std::string>{"duration_minutes", "Enter a whole number"}));
  auto date = BuildEvent(form, {{"occurred_at", "1 May"}}, "e-1", "QWE", "o");
  EXPECT_EQ(ExplainRefusal(form, std::string(date.status().message())).first, "occurred_at");
}

TEST(EventFormsTest, TheServersRefusalIsPutBesideTheFieldItNames) {
  const EventForm& session = *FindEventForm("session");
  // What the rules say of a session with no title (domain/payload_validation.cc).
  auto empty = BuildEvent(session, {{"occurred_at", "2025-06-02"}, {"method", "ENGAGEMENT_METHOD_SURVEY"}},
                          "9b2d6f6e-3f1a-4c4e-8d55-2f1b7c9e0a11", "QWE", "o");
  ASSERT_TRUE(empty.ok());
  absl::Status refused = domain::ValidatePayloads({*empty});
  ASSERT_FALSE(refused.ok());
  auto [field, words] = ExplainRefusal(session, std::string(refused.message()));
  EXPECT_EQ(field, "title") << refused;
  EXPECT_EQ(words, "Enter title");

  const EventForm& decision = *FindEventForm("decision");
  EXPECT_EQ(ExplainRefusal(decision, "events[0].decision_recorded.influences[0].reason: is required"),
            (std::pair<std::string, std::string>{"reason", "Enter why"}));
  EXPECT_EQ(ExplainRefusal(decision, "events[0].decision_recorded.deciding_body: is required").second,
            "Select deciding body");
  EXPECT_EQ(ExplainRefusal(session, "events[0].occurred_at: is required").first, "occurred_at");
  EXPECT_EQ(ExplainRefusal(session, "events[0].session_held.method: must be set (not ENGAGEMENT_METHOD_UNSPECIFIED)").second,
            "Select method");
  // A choice between two fields: beside the first, naming both.
  EXPECT_EQ(ExplainRefusal(*FindEventForm("invitation"),
                           "events[0].invitation_sent.invitee: one of its fields must be set"),
            (std::pair<std::string, std::string>{
                "participant", "Select participant invited, or channel of an open invitation"}));
  // Naming none of the form's fields: shown above the form, as it is.
  EXPECT_EQ(ExplainRefusal(session, "stream: no such engagement"),
            (std::pair<std::string, std::string>{"", "stream: no such engagement"}));
}

}  // namespace
}  // namespace web
