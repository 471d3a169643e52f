// The metrics page and health, as an operator's tools see them: Prometheus scraping GET /metrics
// over HTTP, and a probe asking the gRPC health service, while a real in-process server appends on
// a real RocksDB (whose write-ahead log can be made to fail as a full or broken disk does).
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/ledger_server.h"
#include "tests/faulty_file_system.h"
#include "tests/local_server.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::LedgerService;

class MetricsTest : public ::testing::Test {
 protected:
  void StartServer(rocksdb::Env* env = nullptr) {
    services::ServerOptions options = testing_support::LocalServerOptions(dir_.Sub("data"));
    options.metrics_listen = "127.0.0.1:0";
    options.metrics_token_file = dir_.Sub("metrics.token");
    {
      std::ofstream token(options.metrics_token_file);
      token << "scrape-secret\n";
    }
    options.log_options.env = env;
    auto server = services::LedgerServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->metrics_port(), 0);
    channel_ = testing_support::OperatorChannel(*server_, dir_.Sub("data"));
    ledger_ = LedgerService::NewStub(channel_);
  }

  grpc::Status Append(engagement::v1::Event event, const std::string& stream,
                      engagement::v1::ExpectedState state = engagement::v1::EXPECTED_STATE_ANY) {
    engagement::v1::AppendEventsRequest request;
    request.set_stream(stream);
    request.mutable_expected()->set_state(state);
    *request.add_events() = std::move(event);
    engagement::v1::AppendEventsResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ledger_->AppendEvents(&context, request, &response);
  }

  httplib::Result Scrape(const std::string& token) {
    httplib::Client client("127.0.0.1", server_->metrics_port());
    client.set_read_timeout(10, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Get("/metrics", headers);
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus Health() {
    auto stub = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckResponse response;
    EXPECT_TRUE(stub->Check(&context, {}, &response).ok());
    return response.status();
  }

  testing_support::TempDir dir_;
  std::unique_ptr<services::LedgerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<LedgerService::Stub> ledger_;
};

TEST_F(MetricsTest, PageCountsAppendsCommitsAndStorageAndAsksForTheToken) {
  StartServer();
  ASSERT_TRUE(Append(testing_support::EngagementOpened(),
                     "engagement-" + testing_support::TestEngagement(),
                     engagement::v1::EXPECTED_STATE_NO_STREAM)
                  .ok());
  ASSERT_TRUE(Append(testing_support::SessionHeld(), testing_support::EngagementStream()).ok());

  httplib::Result refused = Scrape("");
  ASSERT_TRUE(refused) << httplib::to_string(refused.error());
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(Scrape("wrong-secret")->status, 401);

  httplib::Result page = Scrape("scrape-secret");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const std::string& text = page->body;
  EXPECT_TRUE(absl::StrContains(page->get_header_value("Content-Type"), "version=0.0.4"));
  EXPECT_TRUE(absl::StrContains(text, "\nledger_head_position 2\n")) << text;
  EXPECT_TRUE(absl::StrContains(
      text, "ledger_rpc_duration_seconds_count{service=\"engagement.v1.LedgerService\","
            "method=\"AppendEvents\",code=\"OK\"} 2\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "\nledger_commit_groups_total 2\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "ledger_commit_write_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(absl::StrContains(text, "\nledger_writes_refused 0\n"));
  EXPECT_TRUE(absl::StrContains(text, "\nledger_serving 1\n"));
  EXPECT_TRUE(absl::StrContains(text, "\nledger_subscriptions 0\n"));
  EXPECT_TRUE(absl::StrContains(text, "ledger_projection_position{projection=\"evidence\"}"));
  EXPECT_TRUE(absl::StrContains(text, "\nrocksdb_wal_synced_total "));
  EXPECT_TRUE(absl::StrContains(text, "\nrocksdb_total_sst_files_size "));
  // Every family is announced once, before its samples.
  EXPECT_TRUE(absl::StrContains(text, "# TYPE ledger_rpc_duration_seconds histogram\n"));
}

TEST_F(MetricsTest, FailedSyncTurnsHealthNotServingAndAppendsUnavailableUntilRestart) {
  auto file_system = std::make_shared<testing_support::FaultyFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(file_system);
  StartServer(env.get());
  ASSERT_TRUE(Append(testing_support::EngagementOpened(),
                     "engagement-" + testing_support::TestEngagement(),
                     engagement::v1::EXPECTED_STATE_NO_STREAM)
                  .ok());
  EXPECT_EQ(Health(), grpc::health::v1::HealthCheckResponse::SERVING);

  file_system->fault = testing_support::Fault::kSync;
  grpc::Status failed = Append(testing_support::SessionHeld(), testing_support::EngagementStream());
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE) << failed.error_message();
  file_system->fault = testing_support::Fault::kNone;
  // The disk is fine again, but what is in memory may be ahead of it: refused until a restart.
  grpc::Status refused = Append(testing_support::SessionHeld(), testing_support::EngagementStream());
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_EQ(Health(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  httplib::Result page = Scrape("scrape-secret");
  ASSERT_TRUE(page);
  EXPECT_TRUE(absl::StrContains(page->body, "\nledger_writes_refused 1\n"));
  EXPECT_TRUE(absl::StrContains(page->body, "\nledger_serving 0\n"));

  // A restart recovers from the disk and serves again.
  // Closing says the log could not flush (RocksDB keeps the failed sync as its error); what was
  // acknowledged is in the write-ahead log already.
  server_->Shutdown().IgnoreError();
  server_.reset();
  StartServer(env.get());
  EXPECT_EQ(Health(), grpc::health::v1::HealthCheckResponse::SERVING);
  grpc::Status again = Append(testing_support::SessionHeld(), testing_support::EngagementStream());
  EXPECT_TRUE(again.ok()) << again.error_code() << ": " << again.error_message();
  server_.reset();  // before the file system it uses
}

}  // namespace
