// The assurance report over a scenario whose every figure is worked out by hand below.
#include <cstdio>
#include <fstream>

#include "domain/engagement_rules.h"
#include "domain/payload_validation.h"
#include "domain/personal_data_sealer.h"
#include "gtest/gtest.h"
#include "ledger/rocksdb_event_log.h"
#include "projections/assurance_report.h"
#include "projections/evidence_projection.h"
#include "projections/projection_runner.h"
#include "projections/report_export.h"
#include "projections/suppression.h"
#include "tests/event_builders.h"
#include "tests/scenario.h"
#include "tests/test_support.h"

namespace projections {
namespace {

using namespace builders;  // NOLINT: the scenario reads better without prefixes
using engagement::v1::AssuranceReport;
using testing_support::Scenario;

std::string Id(char c) { return std::string(8, c) + "-0000-4000-8000-000000000000"; }
std::string Person(int n) { return absl::StrCat("00000000-0000-4000-8000-0000000000", n < 10 ? "0" : "", n); }

const std::string E0 = Id('e'), E1 = Id('a'), E2 = Id('b');
const std::string S1 = Id('1'), S2 = Id('2'), S3 = Id('3');
const std::string I1 = Id('4'), I2 = Id('5'), I3 = Id('6'), I4 = Id('7'), I5 = Id('8');
const std::string D1 = Id('9'), D2 = Id('c');

class AssuranceReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    using engagement::v1::PriorityGroup;
    scenario_ = std::make_unique<Scenario>(dir_.path());
    Scenario& s = *scenario_;
    // E0 ran and closed before the period: not active in it.
    s.Add(Opened(E0, "2024-01-01"));
    s.Add(Closed(E0, "2024-12-01"));
    // E1: co-production under the duty, planning 10 young people and 5 carers.
    Event e1 = Opened(E1, "2025-04-10", engagement::v1::SPECTRUM_LEVEL_CO_PRODUCE);
    auto* young = e1.mutable_engagement_opened()->add_target_groups();
    young->set_group(engagement::v1::PRIORITY_GROUP_YOUNG_PEOPLE);
    young->set_planned_participants(10);
    auto* carers = e1.mutable_engagement_opened()->add_target_groups();
    carers->set_group(engagement::v1::PRIORITY_GROUP_CARERS);
    carers->set_planned_participants(5);
    s.Add(e1);
    s.Add(Opened(E2, "2025-05-01", engagement::v1::SPECTRUM_LEVEL_ENGAGE,
                 engagement::v1::DUTY_APPLIES_NO));
    // 12 participants: 1-3 young people, 4-5 carers, 1-8 from Core20 areas (IMD decile 1);
    // 10-12 gave no equality answers. 1 is role type 1, 2 is role type 2.
    for (int n = 1; n <= 12; ++n) {
      std::vector<PriorityGroup> groups;
      if (n <= 3) groups.push_back(engagement::v1::PRIORITY_GROUP_YOUNG_PEOPLE);
      if (n == 4 || n == 5) groups.push_back(engagement::v1::PRIORITY_GROUP_CARERS);
      s.Add(Participant(Person(n), "2025-04-20", groups, n <= 8 ? 1 : 5, n <= 9,
                        n == 2 ? engagement::v1::PPV_ROLE_TYPE_2 : engagement::v1::PPV_ROLE_TYPE_1));
    }
    std::vector<std::string> first_ten, last_four;
    for (int n = 1; n <= 10; ++n) first_ten.push_back(Person(n));
    for (int n = 9; n <= 12; ++n) last_four.push_back(Person(n));
    Event s1 = Session(E1, S1, "2025-05-10", engagement::v1::ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP,
                       first_ten, 50000);
    s1.mutable_session_held()->set_independent_facilitator(true);
    s.Add(s1);
    session2_event_ = Session(E1, S2, "2025-06-10", engagement::v1::ENGAGEMENT_METHOD_FOCUS_GROUP,
                              last_four, 20000);
    s.Add(session2_event_);
    Event s3 = Session(E2, S3, "2025-07-01", engagement::v1::ENGAGEMENT_METHOD_SURVEY);
    s3.mutable_session_held()->set_unregistered_attendee_count(40);
    s.Add(s3);
    s.Add(Insight(E1, I1, "2025-05-12", {S1}));
    s.Add(Insight(E1, I2, "2025-06-12", {S2}));
    s.Add(Insight(E1, I3, "2025-06-15", {S1}));
    s.Add(Insight(E2, I4, "2025-07-05", {S3}));
    before_decisions_ = s.log().Head().position;
    s.Add(Decision(D1, "2025-07-10",
                   {{I1, engagement::v1::INFLUENCE_ADOPTED},
                    {I2, engagement::v1::INFLUENCE_PARTLY_ADOPTED},
                    {I3, engagement::v1::INFLUENCE_NOT_ADOPTED}},
                   {E1}));
    s.Add(Feedback(E1, "2025-08-09", {}, {D1}));
    s.Add(Consultation(E2, "2025-08-01", "2025-09-12"));
    s.Add(Decision(D2, "2025-09-01", {}, {E1}, "PCC/2025/09"));
    s.Add(Reimbursement(E1, Person(1), "2025-05-11", engagement::v1::REIMBURSEMENT_CATEGORY_TRAVEL,
                        1250, engagement::v1::REIMBURSEMENT_STATUS_PAID));
    s.Add(Reimbursement(E1, Person(2), "2025-05-11", engagement::v1::REIMBURSEMENT_CATEGORY_TRAVEL,
                        800, engagement::v1::REIMBURSEMENT_STATUS_APPROVED));
    s.Add(Reimbursement(E1, Person(3), "2025-05-11",
                        engagement::v1::REIMBURSEMENT_CATEGORY_INVOLVEMENT_PAYMENT, 15000,
                        engagement::v1::REIMBURSEMENT_STATUS_CLAIMED));
    s.Add(Reimbursement(E1, Person(4), "2025-05-11",
                        engagement::v1::REIMBURSEMENT_CATEGORY_CARE_COVER, 3000,
                        engagement::v1::REIMBURSEMENT_STATUS_REFUSED));
    s.Add(Insight(E2, I5, "2026-02-01", {S3}));
    s.Add(Closed(E1, "2026-01-15"));
  }

  AssuranceReport Report(bool exact = false, uint64_t as_of = 0,
                         const char* from = "2025-04-01", const char* to_day = "2026-03-31") {
    EvidenceProjection projection(&scenario_->keys());
    MemoryState state;
    uint64_t to = as_of == 0 ? scenario_->log().Head().position : as_of;
    EXPECT_TRUE(ReplayInMemory(scenario_->log(), projection, to, state).ok());
    AssuranceQuery query;
    query.organisation = "QWE";
    query.period_start = from;
    query.period_end = to_day;
    query.exact_figures = exact;
    query.core20_population_percent = 20;
    query.population_share_percent["PRIORITY_GROUP_YOUNG_PEOPLE"] = 12.5;
    auto report = BuildAssuranceReport(state, query);
    EXPECT_TRUE(report.ok()) << report.status();
    return *report;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<Scenario> scenario_;
  Event session2_event_;
  uint64_t before_decisions_ = 0;
};

const engagement::v1::GroupReach* Group(
    const google::protobuf::RepeatedPtrField<engagement::v1::GroupReach>& list,
    const std::string& name) {
  for (const auto& g : list) {
    if (g.group() == name) return &g;
  }
  return nullptr;
}

TEST_F(AssuranceReportTest, EngagementsAndSessions) {
  AssuranceReport r = Report();
  EXPECT_EQ(r.engagements(), 2u);  // E1 and E2; E0 closed before the period
  ASSERT_EQ(r.engagements_by_spectrum_size(), 2);
  EXPECT_EQ(r.engagements_by_spectrum(0).code(), "SPECTRUM_LEVEL_CO_PRODUCE");
  EXPECT_EQ(r.engagements_by_spectrum(0).label(), "Co-produce");
  EXPECT_EQ(r.engagements_by_spectrum(1).code(), "SPECTRUM_LEVEL_ENGAGE");
  EXPECT_EQ(r.engagements_by_spectrum(1).label(), "Engage");
  EXPECT_EQ(r.sessions_held(), 3u);
  EXPECT_EQ(r.sessions_by_method_size(), 3);
  EXPECT_EQ(r.sessions_independently_facilitated(), 1u);
  EXPECT_EQ(r.session_costs_pence(), 70000);
}

TEST_F(AssuranceReportTest, ReachIsSuppressedAndRounded) {
  AssuranceReport r = Report();
  EXPECT_EQ(r.participants_reached().display(), "10");  // 12 people, rounded to the nearest 5
  EXPECT_EQ(r.unregistered_attendees().display(), "40");
  const auto* young = Group(r.reach_by_priority_group(), "PRIORITY_GROUP_YOUNG_PEOPLE");
  ASSERT_NE(young, nullptr);
  EXPECT_EQ(young->reached().display(), "*");  // 3 people
  EXPECT_TRUE(young->reached().suppressed());
  EXPECT_EQ(young->label(), "Young people");
  // A share of a suppressed count is suppressed too, not 0.
  EXPECT_TRUE(young->reached_share_suppressed());
  EXPECT_DOUBLE_EQ(young->reached_share_percent(), 0.0);
  EXPECT_EQ(young->planned().display(), "10");
  EXPECT_DOUBLE_EQ(young->population_share_percent(), 12.5);
  const auto* carers = Group(r.reach_by_priority_group(), "PRIORITY_GROUP_CARERS");
  ASSERT_NE(carers, nullptr);
  EXPECT_EQ(carers->reached().display(), "*");  // 2 people
  EXPECT_EQ(carers->planned().display(), "5");
  EXPECT_EQ(r.reach_core20().reached().display(), "10");  // 8 people, rounded
  EXPECT_DOUBLE_EQ(r.reach_core20().reached_share_percent(), 100.0);  // 10 of 10, rounded figures
  EXPECT_DOUBLE_EQ(r.reach_core20().population_share_percent(), 20.0);
}

TEST_F(AssuranceReportTest, ExactFiguresWhenAskedFor) {
  AssuranceReport r = Report(/*exact=*/true);
  EXPECT_EQ(r.participants_reached().value(), 12u);
  EXPECT_EQ(Group(r.reach_by_priority_group(), "PRIORITY_GROUP_YOUNG_PEOPLE")->reached().value(), 3u);
  EXPECT_EQ(r.reach_core20().reached().value(), 8u);
  EXPECT_DOUBLE_EQ(r.reach_core20().reached_share_percent(), 100.0 * 8 / 12);
}

TEST_F(AssuranceReportTest, TheLoop) {
  AssuranceReport r = Report();
  EXPECT_EQ(r.insights_recorded(), 5u);
  EXPECT_EQ(r.insights_considered_by_decision(), 3u);  // I1-I3 by D1
  EXPECT_DOUBLE_EQ(r.percent_considered(), 60.0);
  EXPECT_EQ(r.insights_adopted_or_partly(), 2u);  // I1 adopted, I2 partly
  // The headline shares the others' base, what people said: 2 of the 5 recorded.
  EXPECT_DOUBLE_EQ(r.percent_adopted_or_partly_of_recorded(), 40.0);
  // The second figure, of the 3 considered.
  EXPECT_NEAR(r.percent_adopted_or_partly(), 66.667, 0.001);
  EXPECT_EQ(r.insights_fed_back(), 3u);  // through F1, which reports on D1
  EXPECT_DOUBLE_EQ(r.percent_fed_back(), 60.0);
  // Days to D1 (2025-07-10): I1 59, I2 28, I3 25; median 28.
  ASSERT_TRUE(r.has_median_days_insight_to_decision());
  EXPECT_DOUBLE_EQ(r.median_days_insight_to_decision(), 28.0);
  // D1 fed back 30 days later; D2 never.
  ASSERT_TRUE(r.has_median_days_decision_to_feedback());
  EXPECT_DOUBLE_EQ(r.median_days_decision_to_feedback(), 30.0);
  // I4 (2025-07-05) has waited more than 90 days; I5 (2026-02-01) has not.
  ASSERT_EQ(r.open_insights_size(), 1);
  EXPECT_EQ(r.open_insights(0).id(), I4);
  ASSERT_EQ(r.open_decisions_size(), 1);
  EXPECT_EQ(r.open_decisions(0).id(), D2);
}

TEST_F(AssuranceReportTest, DurationsAreCalendarDaysInUkTime) {
  // Heard late on Saturday 25 October 2025 (22:30 UTC, 23:30 BST) and decided half an hour after
  // midnight, as the clocks went back (23:30 UTC, 00:30 BST on Sunday): one day, as people count.
  const std::string i6 = Id('d'), d3 = Id('f');
  Event insight = Insight(E2, i6, "2025-10-25", {S3});
  insight.mutable_occurred_at()->set_seconds(Day("2025-10-25") + 22 * 3600 + 1800);
  scenario_->Add(insight);
  Event decision = Decision(d3, "2025-10-25", {{i6, engagement::v1::INFLUENCE_ADOPTED}}, {E2});
  decision.mutable_occurred_at()->set_seconds(Day("2025-10-25") + 23 * 3600 + 1800);
  scenario_->Add(decision);
  // Fed back on Monday morning at 08:00 GMT: one day after the decision's day (Sunday), though
  // under 32 hours later.
  Event feedback = Feedback(E2, "2025-10-27", {}, {d3});
  feedback.mutable_occurred_at()->set_seconds(Day("2025-10-27") + 8 * 3600);
  scenario_->Add(feedback);
  AssuranceReport r = Report(false, 0, "2025-10-01", "2025-10-31");
  EXPECT_EQ(r.insights_recorded(), 1u);
  ASSERT_TRUE(r.has_median_days_insight_to_decision());
  EXPECT_DOUBLE_EQ(r.median_days_insight_to_decision(), 1.0);
  ASSERT_TRUE(r.has_median_days_decision_to_feedback());
  EXPECT_DOUBLE_EQ(r.median_days_decision_to_feedback(), 1.0);
  // The decision was taken on the 26th in the UK: a period ending on the 25th leaves it out.
  EXPECT_EQ(Report(false, 0, "2025-10-01", "2025-10-25").decisions(), 0u);
  EXPECT_EQ(Report(false, 0, "2025-10-26", "2025-10-26").decisions(), 1u);
}

// Outcomes, worked out by hand: E1 co-produces (sessions S1, S2), E2 engages (survey S3).
TEST_F(AssuranceReportTest, OutcomesPerSpectrumLevelAndSessionsWithACompleteRecord) {
  using engagement::v1::AGREEMENT_AGREE;
  using engagement::v1::AGREEMENT_DISAGREE;
  using engagement::v1::AGREEMENT_NEITHER;
  using engagement::v1::AGREEMENT_NOT_ANSWERED;
  using engagement::v1::AGREEMENT_STRONGLY_AGREE;
  Scenario& s = *scenario_;
  s.Add(Information(E2, "2025-06-01", engagement::v1::INFORMATION_CHANNEL_LEAFLET, 120));
  s.Add(Information(E2, "2025-06-02", engagement::v1::INFORMATION_CHANNEL_SOCIAL_MEDIA, 3));
  // Ten forms after S1. Listened to: 8 agree, 1 neither, 1 blank. Difference: 10 agree.
  // Valued: 5 agree, 5 disagree. Access needs: 10 strongly agree.
  for (int n = 0; n < 10; ++n) {
    auto listened = n < 8 ? (n % 2 ? AGREEMENT_AGREE : AGREEMENT_STRONGLY_AGREE)
                          : (n == 8 ? AGREEMENT_NEITHER : AGREEMENT_NOT_ANSWERED);
    s.Add(Form(E1, S1, "2025-05-10", listened, AGREEMENT_AGREE,
               n < 5 ? AGREEMENT_AGREE : AGREEMENT_DISAGREE, AGREEMENT_STRONGLY_AGREE));
  }
  s.Add(Return(E1, S1, "2025-05-11", /*forms_offered=*/true));
  s.Add(Return(E2, S3, "2025-07-02", /*forms_offered=*/false));  // S2 has no return

  AssuranceReport r = Report();
  ASSERT_EQ(r.outcomes_size(), 4);  // inform, engage, involve, co-produce
  const auto& inform = r.outcomes(0);
  EXPECT_EQ(inform.label(), "Inform");
  EXPECT_EQ(inform.engagements(), 0u);
  const auto& engage = r.outcomes(1);
  EXPECT_EQ(engage.level(), "SPECTRUM_LEVEL_ENGAGE");
  EXPECT_NE(engage.aim().find("gain feedback"), std::string::npos);
  EXPECT_EQ(engage.engagements(), 1u);
  EXPECT_EQ(engage.people_informed().display(), "125");  // 123, rounded
  ASSERT_EQ(engage.people_informed_by_channel_size(), 2);
  EXPECT_EQ(engage.people_informed_by_channel(0).label(), "Leaflets and posters");
  EXPECT_EQ(engage.people_informed_by_channel(0).reached().display(), "120");
  EXPECT_EQ(engage.people_informed_by_channel(1).reached().display(), "*");  // 3
  EXPECT_TRUE(engage.people_informed_by_channel(1).reached_share_suppressed());
  EXPECT_EQ(engage.sessions(), 1u);
  EXPECT_EQ(engage.people_engaged().display(), "40");  // 40 unregistered at the survey
  EXPECT_EQ(engage.insights_recorded(), 2u);            // I4, I5: neither considered
  EXPECT_DOUBLE_EQ(engage.percent_investigated_or_actioned(), 0.0);
  EXPECT_EQ(engage.evaluation_forms().display(), "0");
  const auto& coproduce = r.outcomes(3);
  EXPECT_EQ(coproduce.engagements(), 1u);
  EXPECT_EQ(coproduce.people_informed().display(), "0");
  EXPECT_EQ(coproduce.sessions(), 2u);
  EXPECT_EQ(coproduce.people_engaged().display(), "10");         // 12 registered, rounded
  EXPECT_EQ(coproduce.priority_group_people().display(), "*");   // people 1-5
  EXPECT_EQ(coproduce.insights_recorded(), 3u);                  // I1-I3, all considered by D1
  EXPECT_DOUBLE_EQ(coproduce.percent_investigated_or_actioned(), 100.0);
  EXPECT_EQ(coproduce.engagements_with_aims_met(), 0u);          // E1 closed unevaluated
  EXPECT_EQ(coproduce.evaluation_forms().display(), "10");
  ASSERT_EQ(coproduce.outcomes_size(), 4);
  const auto& listened = coproduce.outcomes(0);
  EXPECT_EQ(listened.label(), "I felt listened to");
  EXPECT_EQ(listened.answered().display(), "10");  // 9, rounded
  EXPECT_EQ(listened.agreed().display(), "10");    // 8, rounded
  EXPECT_DOUBLE_EQ(listened.percent_agreed(), 100.0);  // from the rounded figures
  const auto& valued = coproduce.outcomes(2);
  EXPECT_EQ(valued.agreed().display(), "*");  // 5
  EXPECT_TRUE(valued.percent_suppressed());
  EXPECT_DOUBLE_EQ(valued.percent_agreed(), 0.0);

  // Exact figures: 8 of the 9 who answered felt listened to.
  AssuranceReport exact = Report(/*exact=*/true);
  EXPECT_EQ(exact.outcomes(3).outcomes(0).answered().value(), 9u);
  EXPECT_EQ(exact.outcomes(3).outcomes(0).agreed().value(), 8u);
  EXPECT_NEAR(exact.outcomes(3).outcomes(0).percent_agreed(), 88.889, 0.001);
  EXPECT_EQ(exact.outcomes(3).outcomes(2).agreed().value(), 5u);
  EXPECT_EQ(exact.outcomes(1).people_informed().value(), 123u);

  // S1 has a return and forms; S3 a return saying why no forms; S2 nothing.
  EXPECT_EQ(r.sessions_with_complete_record(), 2u);
  ASSERT_EQ(r.sessions_missing_return_or_evaluation_size(), 1);
  EXPECT_EQ(r.sessions_missing_return_or_evaluation(0).id(), S2);
  EXPECT_NE(r.sessions_missing_return_or_evaluation(0).text().find("no activity return"),
            std::string::npos);
  // As of before the forms, nothing of this yet: the replay is the report as it was.
  AssuranceReport before = Report(false, before_decisions_);
  EXPECT_EQ(before.outcomes(3).evaluation_forms().display(), "0");
  EXPECT_EQ(before.sessions_with_complete_record(), 0u);
  std::string csv = AssuranceReportCsv(r);
  EXPECT_NE(csv.find("SPECTRUM_LEVEL_CO_PRODUCE,Co-produce,felt_valued:percent_agreed,"
                     "I felt valued: % agreeing,*\r\n"),
            std::string::npos);
}

TEST_F(AssuranceReportTest, DutyEvaluationConsultationsAndMoney) {
  AssuranceReport r = Report();
  EXPECT_EQ(r.decisions(), 2u);
  ASSERT_EQ(r.duty_applied_without_insight_size(), 1);  // D2: E1 is under the duty, no insight
  EXPECT_EQ(r.duty_applied_without_insight(0).id(), D2);
  ASSERT_EQ(r.closed_without_evaluation_size(), 1);
  EXPECT_EQ(r.closed_without_evaluation(0).id(), E1);
  ASSERT_EQ(r.short_consultations_size(), 1);  // 42 days against a minimum of 84
  EXPECT_NE(r.short_consultations(0).text().find("42 days"), std::string::npos);
  // Only approved or paid reimbursements count: travel 1250 + 800.
  ASSERT_EQ(r.reimbursements_by_category_size(), 1);
  EXPECT_EQ(r.reimbursements_by_category(0).code(), "REIMBURSEMENT_CATEGORY_TRAVEL");
  EXPECT_EQ(r.reimbursements_by_category(0).label(), "Travel");
  EXPECT_EQ(r.reimbursements_by_category(0).amount_pence(), 2050);
  EXPECT_EQ(r.reimbursements_by_category(0).count(), 2u);
  ASSERT_EQ(r.reimbursements_by_role_type_size(), 2);
  EXPECT_EQ(r.reimbursements_by_role_type(0).amount_pence(), 1250);  // role type 1
  EXPECT_EQ(r.reimbursements_by_role_type(1).amount_pence(), 800);   // role type 2
  ASSERT_EQ(r.domains_size(), 5);
  EXPECT_EQ(r.domains(3).domain(), "D feedback and evaluation");
}

TEST_F(AssuranceReportTest, AsOfAPastPositionIsTheReportAsItWasThen) {
  AssuranceReport then = Report(false, before_decisions_);
  EXPECT_EQ(then.insights_recorded(), 4u);
  EXPECT_EQ(then.insights_considered_by_decision(), 0u);
  EXPECT_EQ(then.decisions(), 0u);
  EXPECT_FALSE(then.has_median_days_insight_to_decision());
}

TEST_F(AssuranceReportTest, ARetractedSessionNoLongerCounts) {
  scenario_->Add(Retraction(session2_event_.event_id(), "2026-03-01"));
  AssuranceReport r = Report(/*exact=*/true);
  EXPECT_EQ(r.sessions_held(), 2u);
  EXPECT_EQ(r.participants_reached().value(), 10u);  // people 11 and 12 came only to S2
  EXPECT_EQ(r.session_costs_pence(), 50000);
}

TEST_F(AssuranceReportTest, AnErasedPersonIsCountedButNotDescribed) {
  Event withdrawn = Base("2026-03-01");
  withdrawn.mutable_consent_withdrawn()->set_participant_id(Person(1));
  withdrawn.mutable_consent_withdrawn()->set_erase_personal_data(true);
  scenario_->Add(withdrawn);
  AssuranceReport r = Report(/*exact=*/true);
  EXPECT_EQ(r.participants_reached().value(), 12u);
  EXPECT_EQ(Group(r.reach_by_priority_group(), "PRIORITY_GROUP_YOUNG_PEOPLE")->reached().value(), 2u);
  EXPECT_EQ(r.reach_core20().reached().value(), 7u);
}

TEST_F(AssuranceReportTest, APersonWhoseKeyWasDestroyedCountsAsErasedInEveryReplay) {
  // The key store forgets person 1 (as an erasure does): every report computed afterwards, as
  // of any point, shows them under ERASED and no longer in their groups.
  ASSERT_TRUE(scenario_->keys().Erase(Person(1), absl::Now()).ok());
  for (uint64_t as_of : {uint64_t{0}, before_decisions_}) {
    AssuranceReport r = Report(/*exact=*/true, as_of);
    EXPECT_EQ(r.participants_reached().value(), 12u);
    const auto* erased = Group(r.reach_by_ethnic_category(), "ERASED");
    ASSERT_NE(erased, nullptr);
    EXPECT_EQ(erased->reached().value(), 1u);
    EXPECT_EQ(Group(r.reach_by_priority_group(), "PRIORITY_GROUP_YOUNG_PEOPLE")->reached().value(), 2u);
  }
}

TEST_F(AssuranceReportTest, CsvHasOneTablePerSection) {
  std::string csv = AssuranceReportCsv(Report());
  EXPECT_NE(csv.find("Section: Summary\r\nmeasure,label,value\r\n"), std::string::npos);
  EXPECT_NE(csv.find("participants_reached,People reached (registered participants),10\r\n"),
            std::string::npos) << csv;
  EXPECT_NE(csv.find("percent_adopted_or_partly_of_recorded,Insights adopted or partly adopted "
                     "(% of insights recorded),40.0\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find("Section: Reach by priority group\r\ncode,label,reached,planned,"
                     "percent_of_reached\r\n"),
            std::string::npos);
  // 3 young people: the count is suppressed, so is their share (not "0.0").
  EXPECT_NE(csv.find("PRIORITY_GROUP_YOUNG_PEOPLE,Young people,*,10,*\r\n"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find("REIMBURSEMENT_CATEGORY_TRAVEL,Travel,2050,2"), std::string::npos);
  EXPECT_NE(csv.find("SPECTRUM_LEVEL_CO_PRODUCE,Co-produce,1"), std::string::npos);
}

TEST_F(AssuranceReportTest, HtmlIsSelfContainedPrintableAndHoldsNoPersonalData) {
  std::string html = AssuranceReportHtml(Report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<caption>"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("Test Person"), std::string::npos);  // the participants' registered name
}

// The PDF is the HTML page's document: the same headings, captions and cells, as text a reader
// (pdftotext, from Debian's poppler-utils) takes back out of it.
TEST_F(AssuranceReportTest, PdfSaysWhatTheHtmlPageSays) {
  const std::string pdf = AssuranceReportPdf(Report());
  ASSERT_EQ(pdf.rfind("%PDF-1.", 0), 0u);
  EXPECT_NE(pdf.find("/StructTreeRoot"), std::string::npos);  // tagged, for screen readers
  const std::string path = ::testing::TempDir() + "/assurance.pdf";
  {
    std::ofstream out(path, std::ios::binary);
    out << pdf;
  }
  FILE* reader = popen(("pdftotext -enc UTF-8 " + path + " - 2>&1").c_str(), "r");
  ASSERT_NE(reader, nullptr);
  std::string text;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, reader)) text.append(buffer, n);
  ASSERT_EQ(pclose(reader), 0) << "pdftotext (apt-get install poppler-utils): " << text;
  for (const char* expected : {"assurance report", "Headline figures", "Who was reached",
                               "Reach by age band", "Travel", "\xC2\xA3" "20.50", "Co-produce",
                               "Where these figures come from"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " is not in:\n" << text;
  }
  EXPECT_EQ(text.find("Test Person"), std::string::npos);
  EXPECT_EQ(text.find("&pound;"), std::string::npos);  // entities are decoded, tags dropped
  EXPECT_EQ(text.find("<span"), std::string::npos);
}

TEST(HtmlToTextTest, DecodesWhatTheReportsEscape) {
  EXPECT_EQ(HtmlToText("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &pound;3"),
            "a & b <c> \"d\" 'e' \xC2\xA3" "3");
  EXPECT_EQ(HtmlToText("<span class=\"note\">one<br>two</span>"), "one\ntwo");
  EXPECT_EQ(HtmlToText("&unknown; & alone"), "&unknown; & alone");
}

TEST(SuppressionTest, TheNhsRule) {
  EXPECT_EQ(CountPeople(0, false).display(), "0");
  for (int n = 1; n <= 7; ++n) EXPECT_EQ(CountPeople(n, false).display(), "*") << n;
  EXPECT_EQ(CountPeople(8, false).display(), "10");
  EXPECT_EQ(CountPeople(12, false).display(), "10");
  EXPECT_EQ(CountPeople(13, false).display(), "15");
  EXPECT_EQ(CountPeople(102, false).display(), "100");
  EXPECT_EQ(CountPeople(3, true).display(), "3");
  EXPECT_DOUBLE_EQ(PercentOf(CountPeople(8, false), CountPeople(22, false)), 50.0);  // 10 of 20
  EXPECT_DOUBLE_EQ(PercentOf(CountPeople(3, false), CountPeople(22, false)), 0.0);
}

}  // namespace
}  // namespace projections
