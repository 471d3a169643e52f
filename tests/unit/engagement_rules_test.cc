// The engagement rules at append time, on a real log: what a writer that breaks one is told, and
// that nothing is written.
#include <thread>

#include "domain/engagement_rules.h"
#include "domain/payload_validation.h"
#include "gtest/gtest.h"
#include "ledger/rocksdb_event_log.h"
#include "tests/test_support.h"

namespace domain {
namespace {

using engagement::v1::Event;
using ledger::ExpectedRevision;
using ledger::NewUuid;
using testing_support::EngagementOpened;

Event Base(const std::string& org = "QWE") {
  Event event;
  testing_support::SetTime(event.mutable_occurred_at(), 1746093600);
  event.set_organisation(org);
  event.set_actor("engagement-team");
  return event;
}

Event Participant(const std::string& id, const std::string& org = "QWE") {
  Event event = Base(org);
  event.mutable_participant_registered()->set_participant_id(id);
  event.mutable_participant_registered()->set_role_type(engagement::v1::PPV_ROLE_TYPE_2);
  event.mutable_participant_registered()->set_recruited_through(
      engagement::v1::INVITATION_CHANNEL_GP_PRACTICE);
  return event;
}

Event Session(const std::string& engagement, const std::string& session,
              std::vector<std::string> attendees = {}) {
  Event event = testing_support::SessionHeld(engagement);
  event.mutable_session_held()->set_session_id(session);
  for (auto& a : attendees) event.mutable_session_held()->add_attendee_participant_ids(a);
  return event;
}

Event Insight(const std::string& engagement, const std::string& insight,
              std::vector<std::string> sessions) {
  Event event = Base();
  auto* i = event.mutable_insight_recorded();
  i->set_engagement_id(engagement);
  i->set_insight_id(insight);
  i->set_theme("Access");
  i->set_summary("Evening sessions would let working people attend");
  for (auto& s : sessions) i->add_session_ids(s);
  i->set_participants_raising(6);
  return event;
}

Event Decision(const std::string& decision, std::vector<std::string> insights) {
  Event event = Base();
  auto* d = event.mutable_decision_recorded();
  d->set_decision_id(decision);
  d->set_deciding_body(engagement::v1::DECIDING_BODY_GOVERNING_BODY);
  d->set_deciding_body_name("Governing Body");
  d->set_summary("Run evening sessions");
  d->set_paper_reference("GB/2025/114");
  for (auto& i : insights) {
    auto* influence = d->add_influences();
    influence->set_insight_id(i);
    influence->set_influence(engagement::v1::INFLUENCE_ADOPTED);
    influence->set_reason("As people asked");
  }
  return event;
}

Event Feedback(const std::string& engagement, std::vector<std::string> insights,
               std::vector<std::string> participants) {
  Event event = Base();
  auto* f = event.mutable_feedback_given();
  f->set_feedback_id(NewUuid());
  f->set_engagement_id(engagement);
  f->set_audience(participants.empty() ? engagement::v1::FEEDBACK_AUDIENCE_ENGAGEMENT
                                       : engagement::v1::FEEDBACK_AUDIENCE_PARTICIPANTS);
  f->set_channel(engagement::v1::CONTACT_METHOD_EMAIL);
  f->set_summary("You said, we did");
  for (auto& i : insights) f->add_insight_ids(i);
  for (auto& p : participants) f->add_participant_ids(p);
  return event;
}

Event Closed(const std::string& engagement) {
  Event event = Base();
  event.mutable_engagement_closed()->set_engagement_id(engagement);
  event.mutable_engagement_closed()->set_reason("completed");
  return event;
}

class EngagementRulesTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    log_.reset();
    auto log = ledger::RocksDbEventLog::Open(dir_.path(), ledger::RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    rules_ = std::make_unique<EngagementRules>();
    absl::StatusOr<uint64_t> replayed = log_->InstallAppendGuard(rules_.get());
    ASSERT_TRUE(replayed.ok()) << replayed.status();
    replayed_ = *replayed;
  }

  // Opens the log without the rules, as a tool would.
  void OpenWithoutRules() {
    log_.reset();
    auto log = ledger::RocksDbEventLog::Open(dir_.path(), ledger::RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  absl::Status Append(std::vector<Event> events) {
    absl::Status valid = ValidatePayloads(events);
    if (!valid.ok()) return valid;
    return log_->Append({"engagement-" + NewUuid(), ExpectedRevision::Any(), std::move(events)})
        .status();
  }

  void ExpectRefused(std::vector<Event> events, absl::string_view field) {
    uint64_t before = log_->Head().position;
    absl::Status s = Append(std::move(events));
    EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
    EXPECT_EQ(s.message().substr(0, field.size()), field) << s;
    EXPECT_EQ(log_->Head().position, before) << "a refused append wrote something";
  }

  testing_support::TempDir dir_;
  std::unique_ptr<ledger::RocksDbEventLog> log_;
  std::unique_ptr<EngagementRules> rules_;
  uint64_t replayed_ = 0;
  const std::string engagement_ = NewUuid();
};

TEST_F(EngagementRulesTest, ASessionNeedsAnOpenedEngagementOfItsOrganisation) {
  ExpectRefused({Session(engagement_, NewUuid())}, "events[0].session_held.engagement_id");
  ASSERT_TRUE(Append({EngagementOpened(engagement_)}).ok());
  EXPECT_TRUE(Append({Session(engagement_, NewUuid())}).ok());
  Event other_org = Session(engagement_, NewUuid());
  other_org.set_organisation("15N");
  ExpectRefused({other_org}, "events[0].session_held.engagement_id");
  ExpectRefused({EngagementOpened(engagement_)}, "events[0].engagement_opened.engagement_id");
}

TEST_F(EngagementRulesTest, LaterEventsOfABatchSeeEarlierOnesAndOneFailureWritesNothing) {
  std::string session = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), Session(engagement_, session),
                      Insight(engagement_, NewUuid(), {session})})
                  .ok());
  ExpectRefused({Session(engagement_, NewUuid()), Insight(engagement_, NewUuid(), {NewUuid()})},
                "events[1].insight_recorded.session_ids[0]");
}

TEST_F(EngagementRulesTest, AnInsightCitesSessionsOfItsOwnEngagement) {
  std::string other = NewUuid(), session = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), EngagementOpened(other),
                      Session(other, session)})
                  .ok());
  ExpectRefused({Insight(engagement_, NewUuid(), {session})},
                "events[0].insight_recorded.session_ids[0]");
}

TEST_F(EngagementRulesTest, DecisionsAndFeedbackNameThingsThatExist) {
  std::string session = NewUuid(), insight = NewUuid(), decision = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), Session(engagement_, session),
                      Insight(engagement_, insight, {session})})
                  .ok());
  ExpectRefused({Decision(decision, {NewUuid()})},
                "events[0].decision_recorded.influences[0].insight_id");
  ASSERT_TRUE(Append({Decision(decision, {insight})}).ok());
  ExpectRefused({Feedback(engagement_, {NewUuid()}, {})}, "events[0].feedback_given.insight_ids[0]");
  Event on_decision = Feedback(engagement_, {}, {});
  on_decision.mutable_feedback_given()->add_decision_ids(NewUuid());
  ExpectRefused({on_decision}, "events[0].feedback_given.decision_ids[0]");
  EXPECT_TRUE(Append({Feedback(engagement_, {insight}, {})}).ok());
}

TEST_F(EngagementRulesTest, FeedbackReportsOnInsightsOfItsOwnEngagement) {
  std::string other = NewUuid(), session = NewUuid(), insight = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), EngagementOpened(other),
                      Session(other, session), Insight(other, insight, {session})})
                  .ok());
  ExpectRefused({Feedback(engagement_, {insight}, {})}, "events[0].feedback_given.insight_ids[0]");
  EXPECT_TRUE(Append({Feedback(other, {insight}, {})}).ok());
}

TEST_F(EngagementRulesTest, AttendeesAreRegisteredAndFeedbackGoesToPeopleInvolved) {
  std::string alice = NewUuid(), bob = NewUuid(), session = NewUuid(), insight = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), Participant(alice), Participant(bob)}).ok());
  ExpectRefused({Session(engagement_, NewUuid(), {NewUuid()})},
                "events[0].session_held.attendee_participant_ids[0]");
  ASSERT_TRUE(Append({Session(engagement_, session, {alice}), Insight(engagement_, insight, {session})}).ok());
  EXPECT_TRUE(Append({Feedback(engagement_, {insight}, {alice})}).ok());
  ExpectRefused({Feedback(engagement_, {insight}, {bob})},
                "events[0].feedback_given.participant_ids[0]");
  Event withdrawn = Base();
  withdrawn.mutable_consent_withdrawn()->set_participant_id(alice);
  ASSERT_TRUE(Append({withdrawn}).ok());
  ExpectRefused({Session(engagement_, NewUuid(), {alice})},
                "events[0].session_held.attendee_participant_ids[0]");
  Event foreign = Participant(NewUuid(), "15N");
  ASSERT_TRUE(Append({foreign}).ok());
  ExpectRefused({Session(engagement_, NewUuid(), {foreign.participant_registered().participant_id()})},
                "events[0].session_held.attendee_participant_ids[0]");
}

Event Invitation(const std::string& engagement, const std::string& participant) {
  Event event = Base();
  auto* i = event.mutable_invitation_sent();
  i->set_engagement_id(engagement);
  i->set_invitation_id(NewUuid());
  i->set_participant_id(participant);
  i->set_method(engagement::v1::CONTACT_METHOD_EMAIL);
  return event;
}

TEST_F(EngagementRulesTest, WithdrawnOrErasedPeopleAreNeitherInvitedNorRecordedAgain) {
  std::string carol = NewUuid(), dan = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), Participant(carol), Participant(dan)}).ok());
  ASSERT_TRUE(Append({Invitation(engagement_, carol)}).ok());
  Event withdrawn = Base();
  withdrawn.mutable_consent_withdrawn()->set_participant_id(carol);
  ASSERT_TRUE(Append({withdrawn}).ok());
  ExpectRefused({Invitation(engagement_, carol)}, "events[0].invitation_sent.participant_id");
  Event erased = Base();
  erased.mutable_participant_erased()->set_participant_id(dan);
  erased.mutable_participant_erased()->set_reason("erasure request");
  ASSERT_TRUE(log_->Append({"participant-" + dan, ExpectedRevision::Any(), {erased}}).ok());
  ExpectRefused({Invitation(engagement_, dan)}, "events[0].invitation_sent.participant_id");
  ExpectRefused({Session(engagement_, NewUuid(), {dan})},
                "events[0].session_held.attendee_participant_ids[0]");
}

TEST_F(EngagementRulesTest, PersonalDataIsNeverRecordedInClear) {
  Event person = Participant(NewUuid());
  person.mutable_participant_registered()->mutable_personal_data()->mutable_contact()->set_name("A");
  // Straight to the log, past the service that seals: the rules still refuse it.
  absl::StatusOr<ledger::AppendResult> appended =
      log_->Append({"participant-" + NewUuid(), ExpectedRevision::Any(), {person}});
  ASSERT_TRUE(absl::IsFailedPrecondition(appended.status())) << appended.status();
  EXPECT_NE(appended.status().message().find("participant_registered.personal_data"),
            absl::string_view::npos);
  EXPECT_EQ(log_->Head().position, 0u);
}

TEST_F(EngagementRulesTest, AClosedEngagementTakesOnlyEvaluationFeedbackAndCorrections) {
  std::string session = NewUuid(), insight = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), Session(engagement_, session),
                      Insight(engagement_, insight, {session}), Closed(engagement_)})
                  .ok());
  ExpectRefused({Session(engagement_, NewUuid())}, "events[0].session_held.engagement_id");
  ExpectRefused({Closed(engagement_)}, "events[0].engagement_closed.engagement_id");
  EXPECT_TRUE(Append({Feedback(engagement_, {insight}, {})}).ok());
  Event evaluated = Base();
  auto* e = evaluated.mutable_engagement_evaluated();
  e->set_engagement_id(engagement_);
  e->set_aims_met(engagement::v1::AIMS_MET_PARTLY);
  e->set_people_reached("Fewer young people than planned");
  e->set_outcomes("Evening sessions");
  e->set_learning("Recruit through colleges");
  EXPECT_TRUE(Append({evaluated}).ok());
}

TEST_F(EngagementRulesTest, ACorrectionNamesAnEventOfItsOrganisation) {
  ASSERT_TRUE(Append({EngagementOpened(engagement_)}).ok());
  Event session = Session(engagement_, NewUuid());
  session.set_event_id(NewUuid());
  ASSERT_TRUE(Append({session}).ok());
  Event retraction = Base();
  auto* c = retraction.mutable_event_corrected();
  c->set_kind(engagement::v1::CORRECTION_KIND_RETRACTED);
  c->set_reason("Recorded against the wrong engagement");
  c->set_corrected_event_id(NewUuid());
  ExpectRefused({retraction}, "events[0].event_corrected.corrected_event_id");
  c->set_corrected_event_id(session.event_id());
  Event foreign = retraction;
  foreign.set_organisation("15N");
  ExpectRefused({foreign}, "events[0].event_corrected.corrected_event_id");
  EXPECT_TRUE(Append({retraction}).ok());
}

TEST_F(EngagementRulesTest, TheRulesRememberTheLogAfterARestart) {
  std::string session = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(engagement_), Session(engagement_, session),
                      Closed(engagement_)})
                  .ok());
  Open();
  EXPECT_EQ(replayed_, 0u) << "the rules' state is stored with the log: nothing to replay";
  EXPECT_TRUE(Append({Insight(engagement_, NewUuid(), {session})}).code() ==
              absl::StatusCode::kFailedPrecondition);  // closed, as before the restart
}

TEST_F(EngagementRulesTest, EventsAppendedWithoutTheRulesAreCaughtUpWhenTheyReturn) {
  ASSERT_TRUE(Append({EngagementOpened(engagement_)}).ok());
  OpenWithoutRules();
  std::string other = NewUuid(), session = NewUuid();
  ASSERT_TRUE(Append({EngagementOpened(other), Session(other, session), Closed(engagement_)}).ok());
  Open();
  EXPECT_EQ(replayed_, 3u);
  ExpectRefused({Session(engagement_, NewUuid())}, "events[0].session_held.engagement_id");
  ExpectRefused({Session(other, session)}, "events[0].session_held.session_id");
  EXPECT_TRUE(Append({Insight(other, NewUuid(), {session})}).ok());
  Open();
  EXPECT_EQ(replayed_, 0u);
}

TEST_F(EngagementRulesTest, ARefusedBatchLeavesNoTraceInTheRules) {
  ASSERT_TRUE(Append({EngagementOpened(engagement_)}).ok());
  std::string session = NewUuid();
  // The session is fine; the insight after it cites a session that does not exist.
  ExpectRefused({Session(engagement_, session), Insight(engagement_, NewUuid(), {NewUuid()})},
                "events[1].insight_recorded.session_ids[0]");
  // So the session was never recorded: citing it fails, and recording it now works.
  ExpectRefused({Insight(engagement_, NewUuid(), {session})},
                "events[0].insight_recorded.session_ids[0]");
  EXPECT_TRUE(Append({Session(engagement_, session)}).ok());
  Open();
  ExpectRefused({Session(engagement_, session)}, "events[0].session_held.session_id");
}

TEST_F(EngagementRulesTest, ConcurrentWritersNeverGetASessionPastTheClose) {
  ASSERT_TRUE(Append({EngagementOpened(engagement_)}).ok());
  std::atomic<bool> closed{false};
  std::thread sessions([&] {
    for (int i = 0; i < 400 && !closed; ++i) (void)Append({Session(engagement_, NewUuid())});
  });
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(Append({Closed(engagement_)}).ok());
    closed = true;
  });
  sessions.join();
  closer.join();
  uint64_t close_position = 0;
  std::vector<uint64_t> session_positions;
  ASSERT_TRUE(log_->ReadLog({}, [&](const Event& e, absl::string_view) {
                    if (e.has_engagement_closed()) close_position = e.position();
                    if (e.has_session_held()) session_positions.push_back(e.position());
                    return true;
                  }).ok());
  ASSERT_GT(close_position, 0u);
  for (uint64_t p : session_positions) EXPECT_LT(p, close_position);
}

}  // namespace
}  // namespace domain
