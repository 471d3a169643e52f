// Traceability and "you said, we did" over a small programme worked out by hand.
#include "gtest/gtest.h"
#include "projections/evidence_projection.h"
#include "projections/trace_reports.h"
#include "tests/event_builders.h"

namespace projections {
namespace {

using namespace builders;  // NOLINT

class TraceReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uint64_t position = 0;
    auto add = [&](Event e) {
      e.set_position(++position);
      ASSERT_TRUE(projection_.Apply(e, state_).ok());
    };
    add(Opened(E, "2025-04-10"));
    for (int n = 1; n <= 9; ++n) {
      std::vector<engagement::v1::PriorityGroup> groups;
      if (n <= 8) groups.push_back(engagement::v1::PRIORITY_GROUP_CARERS);
      add(Participant(P(n), "2025-04-20", groups));
    }
    add(Session(E, S1, "2025-05-10", engagement::v1::ENGAGEMENT_METHOD_FOCUS_GROUP,
                {P(1), P(2), P(3), P(4), P(5)}));
    add(Session(E, S2, "2025-05-20", engagement::v1::ENGAGEMENT_METHOD_FOCUS_GROUP,
                {P(4), P(5), P(6), P(7), P(8), P(9)}));
    add(Insight(E, I1, "2025-05-21", {S1, S2}, "Evening sessions, please"));   // position 13
    add(Insight(E, I2, "2025-05-21", {S2}, "Courses in Punjabi"));            // position 14
    add(Insight(E, I3, "2025-05-22", {S1}, "More parking"));                  // position 15
    add(Decision(D, "2025-07-10",
                 {{I1, engagement::v1::INFLUENCE_ADOPTED, "Evening courses every month"},
                  {I2, engagement::v1::INFLUENCE_PARTLY_ADOPTED, "Punjabi first, Urdu next"}},
                 {E}));                                                         // position 16
    add(Feedback(E, "2025-08-01", {}, {D}));                                   // position 17
  }
  static std::string P(int n) { return absl::StrCat("00000000-0000-4000-8000-00000000000", n); }

  const std::string E = "aaaaaaaa-0000-4000-8000-000000000000";
  const std::string S1 = "11111111-0000-4000-8000-000000000000";
  const std::string S2 = "22222222-0000-4000-8000-000000000000";
  const std::string I1 = "44444444-0000-4000-8000-000000000000";
  const std::string I2 = "55555555-0000-4000-8000-000000000000";
  const std::string I3 = "66666666-0000-4000-8000-000000000000";
  const std::string D = "99999999-0000-4000-8000-000000000000";
  EvidenceProjection projection_;
  MemoryState state_;
};

TEST_F(TraceReportsTest, FromADecisionBackToInsightsSessionsAndPeople) {
  auto trace = TraceDecision(state_, "QWE", D, /*exact=*/false);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(trace->origin().position(), 16u);
  ASSERT_EQ(trace->linked_size(), 2);
  EXPECT_EQ(trace->linked(0).id(), I1);
  EXPECT_EQ(trace->linked(0).position(), 13u);
  EXPECT_EQ(trace->sessions_size(), 2);  // S1 and S2, through I1 and I2
  // People 1-9 attended S1 or S2: 9, rounded to 10; 8 carers, rounded to 10.
  EXPECT_EQ(trace->people().display(), "10");
  ASSERT_EQ(trace->people_by_priority_group_size(), 1);
  EXPECT_EQ(trace->people_by_priority_group(0).reached().display(), "10");
  ASSERT_EQ(trace->feedback_size(), 1);
  EXPECT_EQ(trace->feedback(0).position(), 17u);
  auto exact = TraceDecision(state_, "QWE", D, /*exact=*/true);
  EXPECT_EQ(exact->people().value(), 9u);
}

TEST_F(TraceReportsTest, FromAnInsightForwardToDecisionsAndFeedback) {
  auto trace = TraceInsight(state_, "QWE", I2, false);
  ASSERT_TRUE(trace.ok());
  ASSERT_EQ(trace->linked_size(), 1);
  EXPECT_EQ(trace->linked(0).kind(), "decision");
  EXPECT_NE(trace->linked(0).text().find("partly adopted"), std::string::npos);
  ASSERT_EQ(trace->feedback_size(), 1);  // through the decision
  EXPECT_EQ(trace->sessions_size(), 1);
  auto lonely = TraceInsight(state_, "QWE", I3, false);
  EXPECT_EQ(lonely->linked_size(), 0);
  EXPECT_EQ(lonely->feedback_size(), 0);
  EXPECT_TRUE(absl::IsNotFound(TraceInsight(state_, "15N", I2, false).status()));
}

TEST_F(TraceReportsTest, YouSaidWeDidInPlainEnglish) {
  auto page = BuildYouSaidWeDid(state_, "QWE", E);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items_size(), 3);
  EXPECT_EQ(page->items(0).you_said(), "Evening sessions, please");
  EXPECT_EQ(page->items(0).we_did(),
            "On 10 July 2025 the Governing Body adopted this: Evening courses every month");
  EXPECT_EQ(page->items(1).we_did(),
            "On 10 July 2025 the Governing Body partly adopted this: Punjabi first, Urdu next");
  EXPECT_EQ(page->items(2).we_did(), "No decision has been made on this yet.");
}

}  // namespace
}  // namespace projections
