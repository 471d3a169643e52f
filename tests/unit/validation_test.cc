// What a client that sends bad input is told: INVALID_ARGUMENT naming the field, no value echoed.
#include "domain/payload_validation.h"
#include "gtest/gtest.h"
#include "ledger/envelope_validation.h"
#include "tests/test_support.h"

namespace {

using testing_support::SessionHeld;

absl::Status Validate(engagement::v1::Event event) {
  std::vector<engagement::v1::Event> events = {std::move(event)};
  absl::Status s = ledger::ValidateEnvelopes(events);
  if (s.ok()) s = domain::ValidatePayloads(events);
  return s;
}

void ExpectInvalid(const absl::Status& status, absl::string_view field) {
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_EQ(status.message().substr(0, field.size()), field) << status;
}

TEST(ValidationTest, AValidEventPasses) { EXPECT_TRUE(Validate(SessionHeld()).ok()); }

TEST(ValidationTest, StreamNames) {
  EXPECT_TRUE(ledger::ValidateStreamName("engagement-3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c").ok());
  EXPECT_TRUE(ledger::ValidateStreamName("participant-abc.1").ok());
  for (const char* bad : {"", "engagement", "-x", "Engagement-x", "engagement-", "engage ment-x",
                          "engagement-x y", "engagement-\xc3\xa9"}) {
    ExpectInvalid(ledger::ValidateStreamName(bad), "stream");
  }
  ExpectInvalid(ledger::ValidateStreamName(std::string(201, 'a') + "-x"), "stream");
}

TEST(ValidationTest, EnvelopeFieldsAreNamed) {
  auto e = SessionHeld();
  e.set_organisation("qwe");
  ExpectInvalid(Validate(e), "events[0].organisation");
  e = SessionHeld();
  e.clear_organisation();
  ExpectInvalid(Validate(e), "events[0].organisation");
  e = SessionHeld();
  e.clear_actor();
  ExpectInvalid(Validate(e), "events[0].actor");
  e = SessionHeld();
  e.clear_occurred_at();
  ExpectInvalid(Validate(e), "events[0].occurred_at");
  e = SessionHeld();
  e.set_event_id("not-a-uuid");
  ExpectInvalid(Validate(e), "events[0].event_id");
  e = SessionHeld();
  e.set_correlation_id("42");
  ExpectInvalid(Validate(e), "events[0].correlation_id");
  e = SessionHeld();
  e.clear_session_held();
  ExpectInvalid(Validate(e), "events[0].payload");
}

TEST(ValidationTest, PayloadFieldsAreNamed) {
  auto e = SessionHeld();
  e.mutable_session_held()->set_method(engagement::v1::ENGAGEMENT_METHOD_UNSPECIFIED);
  ExpectInvalid(Validate(e), "events[0].session_held.method");
  e = SessionHeld();
  e.mutable_session_held()->set_method(static_cast<engagement::v1::EngagementMethod>(999));
  ExpectInvalid(Validate(e), "events[0].session_held.method");
  e = SessionHeld();
  e.mutable_session_held()->clear_title();
  ExpectInvalid(Validate(e), "events[0].session_held.title");
  e = SessionHeld();
  e.mutable_session_held()->add_attendee_participant_ids("bob");
  ExpectInvalid(Validate(e), "events[0].session_held.attendee_participant_ids[0]");
  e = SessionHeld();
  e.mutable_session_held()->add_accessibility(engagement::v1::ACCESSIBILITY_PROVISION_UNSPECIFIED);
  ExpectInvalid(Validate(e), "events[0].session_held.accessibility[0]");
}

TEST(ValidationTest, NestedAndCrossFieldRules) {
  engagement::v1::Event e = SessionHeld();
  auto* decision = e.mutable_decision_recorded();
  decision->set_decision_id(ledger::NewUuid());
  decision->set_deciding_body(engagement::v1::DECIDING_BODY_GOVERNING_BODY);
  decision->set_deciding_body_name("Governing Body");
  decision->set_summary("Fund structured education in three localities");
  decision->set_paper_reference("GB/2025/114");
  auto* influence = decision->add_influences();
  influence->set_insight_id(ledger::NewUuid());
  influence->set_reason("People asked for evening sessions");
  ExpectInvalid(Validate(e), "events[0].decision_recorded.influences[0].influence");
  influence->set_influence(engagement::v1::INFLUENCE_ADOPTED);
  EXPECT_TRUE(Validate(e).ok());

  engagement::v1::Event f = SessionHeld();
  auto* feedback = f.mutable_feedback_given();
  feedback->set_feedback_id(ledger::NewUuid());
  feedback->set_engagement_id(ledger::NewUuid());
  feedback->set_audience(engagement::v1::FEEDBACK_AUDIENCE_SESSION);
  feedback->set_channel(engagement::v1::CONTACT_METHOD_EMAIL);
  feedback->set_summary("You said, we did");
  ExpectInvalid(Validate(f), "events[0].feedback_given.insight_ids");
  feedback->add_insight_ids(ledger::NewUuid());
  ExpectInvalid(Validate(f), "events[0].feedback_given.session_id");
}

TEST(ValidationTest, IdsAreLowercaseAndAnInviteeIsSomeone) {
  auto e = SessionHeld();
  e.mutable_session_held()->set_session_id("3F1C2A4E-8B7D-4C1E-9A2B-1D2E3F4A5B6C");
  ExpectInvalid(Validate(e), "events[0].session_held.session_id");
  engagement::v1::Event invitation = SessionHeld();
  auto* sent = invitation.mutable_invitation_sent();
  sent->set_engagement_id(ledger::NewUuid());
  sent->set_invitation_id(ledger::NewUuid());
  sent->set_method(engagement::v1::CONTACT_METHOD_EMAIL);
  sent->set_participant_id("");  // the oneof is set, to nobody
  ExpectInvalid(Validate(invitation), "events[0].invitation_sent.invitee");
  // Problems are reported in the order the fields are required: the engagement first.
  sent->clear_engagement_id();
  sent->clear_invitee();
  ExpectInvalid(Validate(invitation), "events[0].invitation_sent.engagement_id");
}

TEST(ValidationTest, MessagesDoNotEchoValues) {
  auto e = SessionHeld();
  e.set_actor(std::string("Jane Smith\n"));
  absl::Status s = Validate(e);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("Jane"), absl::string_view::npos) << s;
}

TEST(ValidationTest, SizeAndCountLimits) {
  std::vector<engagement::v1::Event> many(ledger::kMaxBatchEvents + 1, SessionHeld());
  ExpectInvalid(ledger::ValidateEnvelopes(many), "events");
  auto big = SessionHeld();
  big.mutable_session_held()->set_title(std::string(ledger::kMaxEventBytes + 1, 'a'));
  ExpectInvalid(Validate(big), "events[0]");
  std::vector<engagement::v1::Event> duplicate_ids(2, SessionHeld());
  duplicate_ids[0].set_event_id(ledger::NewUuid());
  duplicate_ids[1].set_event_id(duplicate_ids[0].event_id());
  ExpectInvalid(ledger::ValidateEnvelopes(duplicate_ids), "events[1].event_id");
}

}  // namespace
