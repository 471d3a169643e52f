// The server's bounds on what callers can make it hold: subscribers that never read, too many
// subscriptions, too many reports replayed from the log at once. Each limit, when reached, is a
// RESOURCE_EXHAUSTED that names it, and appends go on meanwhile. A real server in-process on
// 127.0.0.1:0, real clients over loopback.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <thread>
#include <string>
#include <vector>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/ledger_server.h"
#include "tests/local_server.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::LedgerService;
using engagement::v1::SubscribeLogRequest;
using engagement::v1::SubscribeLogResponse;

// The threads of this process (the server runs in it).
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

class ResourceLimitsTest : public ::testing::Test {
 protected:
  void StartServer(services::ServerOptions options) {
    auto server = services::LedgerServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = testing_support::OperatorChannel(*server_, dir_.Sub("data"));
    ledger_ = LedgerService::NewStub(channel_);
  }

  grpc::Status AppendSession(const std::string& stream) {
    engagement::v1::AppendEventsRequest request;
    request.set_stream(stream);
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
    *request.add_events() = testing_support::SessionHeld();
    request.mutable_events(0)->mutable_session_held()->set_venue(std::string(2000, 'v'));
    engagement::v1::AppendEventsResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ledger_->AppendEvents(&context, request, &response);
  }

  grpc::Status OpenEngagement() {
    engagement::v1::AppendEventsRequest request;
    request.set_stream("engagement-" + testing_support::TestEngagement());
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    *request.add_events() = testing_support::EngagementOpened();
    engagement::v1::AppendEventsResponse response;
    grpc::ClientContext context;
    return ledger_->AppendEvents(&context, request, &response);
  }

  // An open subscription whose client reads only its first message (so it is known to be open).
  struct Subscriber {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<SubscribeLogResponse>> reader;
  };
  std::unique_ptr<Subscriber> Subscribe() {
    auto subscriber = std::make_unique<Subscriber>();
    subscriber->reader = ledger_->SubscribeLog(&subscriber->context, SubscribeLogRequest());
    return subscriber;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<services::LedgerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<LedgerService::Stub> ledger_;
};

TEST_F(ResourceLimitsTest, SubscribersThatNeverReadCostNoThreadAndDoNotStopAppends) {
  StartServer(testing_support::LocalServerOptions(dir_.Sub("data")));
  ASSERT_TRUE(OpenEngagement().ok());
  // A first subscriber that reads, so that the server's threads have all been started.
  auto first = Subscribe();
  SubscribeLogResponse message;
  ASSERT_TRUE(first->reader->Read(&message));
  ASSERT_EQ(message.event().position(), 1u);
  const int threads_before = ThreadCount();

  constexpr int kIdle = 300;
  std::vector<std::unique_ptr<Subscriber>> idle;
  for (int i = 0; i < kIdle; ++i) idle.push_back(Subscribe());
  // Appends of ~2 KiB events: more than the idle readers' flow-control windows hold.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(AppendSession(testing_support::EngagementStream()).ok()) << i;
  }
  const int threads_after = ThreadCount();
  // A thread per subscriber would be 300 more; the hub uses none per subscriber.
  EXPECT_LT(threads_after - threads_before, 30)
      << threads_before << " threads before, " << threads_after << " after";

  // The reading subscriber still gets every event, in order.
  uint64_t expected = 2;
  while (expected <= 201 && first->reader->Read(&message)) {
    if (message.has_event()) ASSERT_EQ(message.event().position(), expected++);
  }
  EXPECT_EQ(expected, 202u);
  for (auto& subscriber : idle) subscriber->context.TryCancel();
  first->context.TryCancel();
}

TEST_F(ResourceLimitsTest, SubscriptionBeyondTheLimitIsResourceExhaustedNamingIt) {
  services::ServerOptions options = testing_support::LocalServerOptions(dir_.Sub("data"));
  options.max_subscriptions = 3;
  StartServer(options);
  std::vector<std::unique_ptr<Subscriber>> open;
  SubscribeLogResponse message;
  for (int i = 0; i < 3; ++i) {
    open.push_back(Subscribe());
    ASSERT_TRUE(open.back()->reader->Read(&message)) << i;  // caught up with an empty log
    EXPECT_TRUE(message.has_caught_up());
  }
  auto refused = Subscribe();
  EXPECT_FALSE(refused->reader->Read(&message));
  grpc::Status status = refused->reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("--max_subscriptions"), std::string::npos)
      << status.error_message();

  // Appends go on; closing one subscription makes room for another.
  ASSERT_TRUE(OpenEngagement().ok());
  open.front()->context.TryCancel();
  EXPECT_EQ(open.front()->reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  bool subscribed = false;
  for (int attempt = 0; attempt < 50 && !subscribed; ++attempt) {
    auto again = Subscribe();
    subscribed = again->reader->Read(&message);
    if (subscribed) {
      EXPECT_TRUE(message.has_event());
      again->context.TryCancel();
    } else {
      again->reader->Finish();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_TRUE(subscribed);
  for (size_t i = 1; i < open.size(); ++i) open[i]->context.TryCancel();
}

TEST_F(ResourceLimitsTest, ReportAsOfAnEarlierPointBeyondTheReplayLimitIsResourceExhausted) {
  services::ServerOptions options = testing_support::LocalServerOptions(dir_.Sub("data"));
  options.max_concurrent_replays = 0;  // so that the first one is already beyond it
  StartServer(options);
  ASSERT_TRUE(OpenEngagement().ok());
  auto reports = engagement::v1::ReportService::NewStub(channel_);
  engagement::v1::GetAssuranceReportRequest request;
  request.set_organisation("QWE");
  request.set_period_start("2025-04-01");
  request.set_period_end("2026-03-31");
  engagement::v1::GetAssuranceReportResponse response;
  {
    grpc::ClientContext at_head;
    ASSERT_TRUE(reports->GetAssuranceReport(&at_head, request, &response).ok());
  }
  request.mutable_as_of()->set_position(1);
  grpc::ClientContext as_of;
  grpc::Status status = reports->GetAssuranceReport(&as_of, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("--max_concurrent_replays"), std::string::npos)
      << status.error_message();
}

}  // namespace
