// The demo programme (demo/demo_programme.h): deterministic, and accepted in full by a real
// server over gRPC, so it satisfies every payload and engagement rule; loaded twice, the second
// load appends nothing.
#include <grpcpp/grpcpp.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "domain/payload_validation.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/envelope_validation.h"
#include "demo/demo_programme.h"
#include "services/ledger_server.h"
#include "tests/local_server.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::Event;
using engagement::v1::LedgerService;

std::string Serialise(const demo::DemoProgramme& programme) {
  std::string out;
  for (const auto& append : programme.appends) {
    out += append.stream;
    for (const Event& event : append.events) out += event.SerializeAsString();
  }
  return out;
}

TEST(DemoProgrammeTest, IsDeterministicGivenTheSeed) {
  demo::DemoProgramme a = demo::BuildDemoProgramme(7), b = demo::BuildDemoProgramme(7);
  EXPECT_EQ(Serialise(a), Serialise(b));
  demo::DemoProgramme c = demo::BuildDemoProgramme(8);
  EXPECT_NE(a.appends[0].events[0].event_id(), c.appends[0].events[0].event_id());
}

TEST(DemoProgrammeTest, HasTheShapeOfAYearOfEngagement) {
  demo::DemoProgramme programme = demo::BuildDemoProgramme();
  std::map<std::string, int> counts = programme.CountByType();
  EXPECT_EQ(counts["engagement_opened"], 3);
  EXPECT_EQ(counts["engagement_closed"], 2);
  EXPECT_EQ(counts["engagement_evaluated"], 1);
  EXPECT_EQ(counts["event_corrected"], 1);
  EXPECT_EQ(counts["consultation_window_set"], 1);
  EXPECT_EQ(counts["participant_registered"], programme.participants);
  EXPECT_GE(programme.participants, 55);
  EXPECT_LE(programme.participants, 65);
  EXPECT_EQ(counts["decision_recorded"], 4);
  EXPECT_GE(counts["insight_recorded"], 15);
  EXPECT_GE(counts["feedback_given"], 4);
  EXPECT_GE(counts["reimbursement_recorded"], 40);

  const int64_t first = 1743465600;  // 2025-04-01T00:00:00Z
  const int64_t last = 1775001599;   // 2026-03-31T23:59:59Z
  std::set<std::string> ids;
  std::set<int> statuses;
  int64_t previous = 0;
  for (const auto& append : programme.appends) {
    EXPECT_TRUE(ledger::ValidateStreamName(append.stream).ok()) << append.stream;
    std::vector<Event> events = append.events;
    ASSERT_TRUE(ledger::ValidateEnvelopes(events).ok()) << append.stream;
    ASSERT_TRUE(domain::ValidatePayloads(events).ok())
        << domain::ValidatePayloads(events) << " in " << append.stream;
    for (const Event& event : append.events) {
      EXPECT_TRUE(ids.insert(event.event_id()).second) << "duplicate event id";
      EXPECT_EQ(event.organisation(), "QWE");
      EXPECT_GE(event.occurred_at().seconds(), first);
      EXPECT_LE(event.occurred_at().seconds(), last);
      EXPECT_GE(event.occurred_at().seconds(), previous) << "appends are in occurred_at order";
      previous = event.occurred_at().seconds();
      if (event.has_session_held() &&
          event.session_held().method() == engagement::v1::ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP) {
        EXPECT_GE(event.session_held().attendee_participant_ids_size(), 8);
        EXPECT_LE(event.session_held().attendee_participant_ids_size(), 10);
      }
      if (event.has_reimbursement_recorded()) statuses.insert(event.reimbursement_recorded().status());
    }
  }
  EXPECT_EQ(statuses.size(), 4u) << "claimed, approved, paid and refused all appear";
}

class DemoLoadTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer() {
    auto server = services::LedgerServer::Start(testing_support::LocalServerOptions(dir_.Sub("data")));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = LedgerService::NewStub(testing_support::OperatorChannel(*server_, dir_.Sub("data")));
  }

  // Appends the whole programme as `ledgerctl demo` does; returns how many appends came back
  // already_appended. Fails the test on any refused append.
  size_t Load(const demo::DemoProgramme& programme) {
    size_t repeats = 0;
    for (const auto& append : programme.appends) {
      engagement::v1::AppendEventsRequest request;
      request.set_stream(append.stream);
      request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
      for (const Event& event : append.events) *request.add_events() = event;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      engagement::v1::AppendEventsResponse response;
      grpc::Status status = stub_->AppendEvents(&context, request, &response);
      EXPECT_TRUE(status.ok()) << append.stream << " (" << append.events.size() << " events, first "
                               << append.events[0].event_id() << "): " << status.error_code()
                               << " " << status.error_message();
      if (!status.ok()) return repeats;
      if (response.already_appended()) ++repeats;
    }
    return repeats;
  }

  uint64_t Head() {
    grpc::ClientContext context;
    engagement::v1::GetLedgerInfoResponse info;
    EXPECT_TRUE(stub_->GetLedgerInfo(&context, {}, &info).ok());
    return info.head_position();
  }

  // Events in the log per payload kind, read back over the wire.
  std::map<std::string, int> CountInLog() {
    std::map<std::string, int> counts;
    grpc::ClientContext context;
    engagement::v1::ReadLogRequest request;
    request.set_from_position(1);
    auto reader = stub_->ReadLog(&context, request);
    engagement::v1::ReadLogResponse message;
    const auto* oneof = Event::descriptor()->FindOneofByName("payload");
    while (reader->Read(&message)) {
      const Event& event = message.event();
      ++counts[event.GetReflection()->GetOneofFieldDescriptor(event, oneof)->name()];
    }
    EXPECT_TRUE(reader->Finish().ok());
    return counts;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<services::LedgerServer> server_;
  std::unique_ptr<LedgerService::Stub> stub_;
};

TEST_F(DemoLoadTest, EveryAppendIsAcceptedAndASecondLoadAppendsNothing) {
  demo::DemoProgramme programme = demo::BuildDemoProgramme();
  EXPECT_EQ(Load(programme), 0u);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(Head(), programme.event_count());

  std::map<std::string, int> in_log = CountInLog();
  EXPECT_EQ(in_log, programme.CountByType());
  EXPECT_EQ(in_log["engagement_opened"], 3);
  EXPECT_EQ(in_log["participant_registered"], programme.participants);
  EXPECT_GE(in_log["session_held"], 10);
  EXPECT_EQ(in_log["decision_recorded"], 4);

  // Again, against the same server: every append is an idempotent repeat.
  EXPECT_EQ(Load(programme), programme.appends.size());
  EXPECT_EQ(Head(), programme.event_count());

  // And after a restart, when the rules are rebuilt from the log.
  ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
  server_.reset();
  StartServer();
  EXPECT_EQ(Load(programme), programme.appends.size());
  EXPECT_EQ(Head(), programme.event_count());
}

TEST_F(DemoLoadTest, ClosedEngagementsRefuseNewSessions) {
  demo::DemoProgramme programme = demo::BuildDemoProgramme();
  Load(programme);
  ASSERT_FALSE(HasFailure());
  std::set<std::string> closed;
  for (const auto& append : programme.appends) {
    for (const Event& event : append.events) {
      if (event.has_engagement_closed()) closed.insert(event.engagement_closed().engagement_id());
    }
  }
  ASSERT_EQ(closed.size(), 2u);
  for (const std::string& engagement : closed) {
    engagement::v1::AppendEventsRequest request;
    request.set_stream("engagement-" + engagement);
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
    *request.add_events() = testing_support::SessionHeld(engagement);
    grpc::ClientContext context;
    engagement::v1::AppendEventsResponse response;
    grpc::Status status = stub_->AppendEvents(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  }
  EXPECT_EQ(Head(), programme.event_count());
}

}  // namespace
