// The documents beside the assurance report, over a scenario worked out by hand: the
// facilitator's summary of a session, "you said, we did" for a period and for one body, and the
// annual report's duty-to-involve section.
#include "gtest/gtest.h"
#include "projections/annual_report.h"
#include "projections/evidence_projection.h"
#include "projections/projection_runner.h"
#include "projections/session_summary.h"
#include "projections/trace_reports.h"
#include "tests/event_builders.h"
#include "tests/scenario.h"

namespace projections {
namespace {

using namespace builders;  // NOLINT
using testing_support::Scenario;

std::string Id(char c) { return std::string(8, c) + "-0000-4000-8000-000000000000"; }
std::string Person(int n) { return absl::StrCat("00000000-0000-4000-8000-0000000000", n < 10 ? "0" : "", n); }

const std::string E = Id('e'), S1 = Id('1'), S2 = Id('2'), I1 = Id('4'), I2 = Id('5');
const std::string D1 = Id('9'), D2 = Id('c'), K = Id('a');
constexpr char kCommittee[] = "Primary Care Commissioning Committee";

class ReportDocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scenario_ = std::make_unique<Scenario>(dir_.path());
    Scenario& s = *scenario_;
    s.Add(Opened(E, "2025-04-10", engagement::v1::SPECTRUM_LEVEL_INVOLVE));
    for (int n = 1; n <= 3; ++n) s.Add(Participant(Person(n), "2025-04-20"));
    Event s1 = Session(E, S1, "2025-05-10", engagement::v1::ENGAGEMENT_METHOD_FOCUS_GROUP,
                       {Person(1), Person(2), Person(3)});
    s1.mutable_session_held()->set_unregistered_attendee_count(10);  // 13 people in all
    s.Add(s1);
    s.Add(Session(E, S2, "2025-06-14", engagement::v1::ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP));
    s.Add(Insight(E, I1, "2025-05-11", {S1}));
    s.Add(Insight(E, I2, "2025-05-12", {S1}));
    s.Add(Return(E, S1, "2025-05-11", true, "A summary to the group by 24 May"));
    for (int n = 0; n < 8; ++n) {
      s.Add(Form(E, S1, "2025-05-10", engagement::v1::AGREEMENT_AGREE,
                 engagement::v1::AGREEMENT_AGREE, engagement::v1::AGREEMENT_NEITHER,
                 engagement::v1::AGREEMENT_STRONGLY_AGREE));
    }
    Event committee = Decision(D1, "2025-07-10", {{I1, engagement::v1::INFLUENCE_ADOPTED}}, {E});
    committee.mutable_decision_recorded()->set_deciding_body_name(kCommittee);
    s.Add(committee);
    s.Add(Decision(D2, "2025-11-20", {{I2, engagement::v1::INFLUENCE_NOT_ADOPTED}}, {E}));
    Event study = Base("2026-02-01");
    auto* c = study.mutable_case_study_recorded();
    c->set_engagement_id(E);
    c->set_case_study_id(K);
    c->set_title("Evening clinics");
    c->set_beginning("Working people could not reach daytime sessions.");
    c->set_middle("A focus group and a workshop.");
    c->set_end("The committee adopted evening clinics.");
    c->set_impact("Clinics now open two evenings a week.");
    s.Add(study);
  }

  MemoryState State() {
    EvidenceProjection projection(&scenario_->keys());
    MemoryState state;
    EXPECT_TRUE(ReplayInMemory(scenario_->log(), projection, scenario_->log().Head().position, state).ok());
    return state;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<Scenario> scenario_;
};

TEST_F(ReportDocumentsTest, TheFacilitatorsSummarySaysWhatWasHeardWhoTookPartAndWhatNext) {
  MemoryState state = State();
  auto summary = BuildSessionSummary(state, "QWE", S1, /*exact=*/false);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->date(), "10 May 2025");
  EXPECT_EQ(summary->method(), "Focus group");
  EXPECT_EQ(summary->people_took_part().display(), "15");  // 3 registered + 10, rounded
  ASSERT_EQ(summary->heard_size(), 2);
  EXPECT_EQ(summary->heard(0).insight_id(), I1);
  EXPECT_EQ(summary->heard(1).insight_id(), I2);
  ASSERT_GE(summary->what_happens_next_size(), 4);
  EXPECT_EQ(summary->what_happens_next(0), "A summary to the group by 24 May");
  EXPECT_EQ(summary->what_happens_next(1).rfind("On 10 July 2025 the Primary Care Commissioning "
                                                "Committee adopted",
                                                0),
            0u)
      << summary->what_happens_next(1);
  EXPECT_NE(summary->what_happens_next(2).find("did not adopt"), std::string::npos);
  EXPECT_EQ(summary->what_happens_next(3), "Next session: Session 2222 on 14 June 2025.");
  EXPECT_EQ(summary->evaluation_forms().display(), "10");  // 8, rounded
  EXPECT_EQ(summary->outcomes(0).agreed().display(), "10");
  EXPECT_DOUBLE_EQ(summary->outcomes(0).percent_agreed(), 100.0);
  EXPECT_EQ(summary->outcomes(2).agreed().display(), "0");  // all "neither"
  auto exact = BuildSessionSummary(state, "QWE", S1, /*exact=*/true);
  EXPECT_EQ(exact->people_took_part().value(), 13u);
  EXPECT_TRUE(absl::IsNotFound(BuildSessionSummary(state, "QWE", Id('0'), false).status()));
  std::string html = SessionSummaryHtml(*summary, {});
  EXPECT_NE(html.find("What we heard"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(SessionSummaryCsv(*summary).find("people_took_part,People who took part,15\r\n"),
            std::string::npos);
}

TEST_F(ReportDocumentsTest, YouSaidWeDidForAPeriodAndForOneBody) {
  MemoryState state = State();
  auto all = BuildYouSaidWeDidForPeriod(state, "QWE", "2025-04-01", "2026-03-31", "");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->items_size(), 2);
  EXPECT_NE(all->items(1).we_did().find("did not adopt this"), std::string::npos)
      << all->items(1).we_did();
  // The committee's six months: only what it decided, from April to September.
  auto committee =
      BuildYouSaidWeDidForPeriod(state, "QWE", "2025-04-01", "2025-09-30", kCommittee);
  ASSERT_TRUE(committee.ok());
  ASSERT_EQ(committee->items_size(), 1);
  EXPECT_EQ(committee->items(0).insight_id(), I1);
  EXPECT_EQ(committee->items(0).we_did().rfind("On 10 July 2025 the Primary Care", 0), 0u);
  EXPECT_EQ(committee->items(0).engagement_title(), "Engagement eeee");
  // The next six months: the committee decided nothing.
  auto later = BuildYouSaidWeDidForPeriod(state, "QWE", "2025-10-01", "2026-03-31", kCommittee);
  EXPECT_EQ(later->items_size(), 0);
  EXPECT_TRUE(absl::IsInvalidArgument(
      BuildYouSaidWeDidForPeriod(state, "QWE", "2025-10-01", "2025-09-30", "").status()));
}

TEST_F(ReportDocumentsTest, TheAnnualSectionMapsTheEvidenceOntoTheTenPrinciples) {
  MemoryState state = State();
  AssuranceQuery query;
  query.organisation = "QWE";
  query.period_start = "2025-04-01";
  query.period_end = "2026-03-31";
  auto annual = BuildAnnualReport(state, query);
  ASSERT_TRUE(annual.ok()) << annual.status();
  ASSERT_EQ(annual->principles_size(), 10);
  EXPECT_EQ(annual->principles(0).evidence(0),
            "2 decisions recorded; 2 of them considered what people had said");
  EXPECT_EQ(annual->domains_size(), 5);
  ASSERT_EQ(annual->case_studies_size(), 1);
  EXPECT_EQ(annual->case_studies(0).title(), "Evening clinics");
  ASSERT_GE(annual->draft_text_size(), 3);
  EXPECT_EQ(annual->draft_text(0).rfind("Between 1 April 2025 and 31 March 2026, QWE involved the "
                                         "public in 1 piece of engagement, on Diabetes. We held 2 "
                                         "sessions",
                                         0),
            0u)
      << annual->draft_text(0);
  // 2 insights: both considered, 1 adopted, none fed back.
  EXPECT_NE(annual->draft_text(1).find("2 things"), std::string::npos) << annual->draft_text(1);
  EXPECT_NE(annual->draft_text(1).find("100% of them were considered"), std::string::npos);
  EXPECT_NE(annual->draft_text(1).find("50% were adopted or partly adopted"), std::string::npos);
  std::string html = AnnualReportHtml(*annual);
  EXPECT_NE(html.find("ten principles"), std::string::npos);
  EXPECT_NE(html.find("Evening clinics"), std::string::npos);
  EXPECT_NE(AnnualReportCsv(*annual).find("Section: Ten principles"), std::string::npos);
}

}  // namespace
}  // namespace projections
