// Attacks on the read models, made the way someone with the disk would: ledgerd stopped, the
// projections' RocksDB opened directly and a record edited, the log left alone (so the chain, the
// tree and every signature still verify). Each test is named by what the edit would break: the
// check against the log names the key, no report is served from the edited state, health says
// NOT_SERVING and why, and a report's state digest shows the difference from a replay.
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "demo/demo_programme.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/operations.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "projections/evidence_records.pb.h"
#include "services/ledger_server.h"
#include "tests/local_server.h"
#include "tests/raw_database.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::ReportService;
using grpc::health::v1::HealthCheckResponse;

class ReadModelAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Start(absl::ZeroDuration());
    auto ledger = engagement::v1::LedgerService::NewStub(Channel());
    for (const auto& append : demo::BuildDemoProgramme().appends) {
      engagement::v1::AppendEventsRequest request;
      request.set_stream(append.stream);
      request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
      for (const auto& event : append.events) *request.add_events() = event;
      grpc::ClientContext context;
      engagement::v1::AppendEventsResponse response;
      grpc::Status status = ledger->AppendEvents(&context, request, &response);
      ASSERT_TRUE(status.ok()) << append.stream << ": " << status.error_message();
    }
    // The first decision of the demo, and its trace before anything is edited.
    FindDecision();
    ASSERT_FALSE(decision_id_.empty());
    before_ = Trace();
    ASSERT_TRUE(before_.ok()) << before_.status();
  }

  void Start(absl::Duration check_interval) {
    services::ServerOptions options = testing_support::LocalServerOptions(data_);
    options.projection_check_interval = check_interval;
    auto server = services::LedgerServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  std::shared_ptr<grpc::Channel> Channel() {
    return testing_support::OperatorChannel(*server_, data_);
  }

  // Reads the projections directory with ledgerd stopped; the first decision record's key.
  void FindDecision() {
    // The projection follows the log in the background: catch it up before stopping.
    ASSERT_TRUE(server_->projections()
                    ->ReadAtHead("evidence",
                                 [](const projections::StateReader&, uint64_t) {
                                   return absl::OkStatus();
                                 })
                    .ok());
    ASSERT_TRUE(server_->Shutdown().ok());
    server_.reset();  // closes the projections too
    {
      testing_support::RawDatabase raw(services::ProjectionDirectory(data_));
      std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator(rocksdb::ReadOptions()));
      it->Seek(kDecisionPrefix);
      ASSERT_TRUE(it->Valid() && it->key().starts_with(kDecisionPrefix));
      decision_key_ = it->key().ToString();
      decision_id_ = decision_key_.substr(kDecisionPrefix.size());
    }
    Start(absl::ZeroDuration());
  }

  // Stops ledgerd, rewrites the decision's summary in the projections as an attacker would, and
  // starts it again with `check_interval`.
  void EditDecisionSummary(absl::Duration check_interval) {
    ASSERT_TRUE(server_->Shutdown().ok());
    server_.reset();  // closes the projections too
    {
      testing_support::RawDatabase raw(services::ProjectionDirectory(data_));
      raw.EditValue("default", decision_key_, [](std::string& value) {
        engagement::projections::v1::DecisionRecord record;
        ASSERT_TRUE(record.ParseFromString(value));
        record.set_summary("The board decided nothing of what people said.");
        value = record.SerializeAsString();
      });
    }
    Start(check_interval);
  }

  absl::StatusOr<engagement::v1::GetTraceabilityResponse> Trace(uint64_t as_of = 0) {
    engagement::v1::GetTraceabilityRequest request;
    request.set_organisation("QWE");
    request.set_decision_id(decision_id_);
    if (as_of > 0) {
      request.mutable_as_of()->set_position(as_of);
      request.mutable_as_of()->set_from_log(true);  // a replay of the log, not the read model
    }
    grpc::ClientContext context;
    engagement::v1::GetTraceabilityResponse response;
    grpc::Status status = ReportService::NewStub(Channel())->GetTraceability(&context, request,
                                                                               &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    return response;
  }

  HealthCheckResponse::ServingStatus Health() {
    grpc::ClientContext context;
    HealthCheckResponse response;
    grpc::Status status =
        grpc::health::v1::Health::NewStub(Channel())->Check(&context, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.status();
  }

  // Waits up to `limit` for the health service to answer `wanted`.
  bool HealthBecomes(HealthCheckResponse::ServingStatus wanted, absl::Duration limit) {
    absl::Time deadline = absl::Now() + limit;
    while (absl::Now() < deadline) {
      if (Health() == wanted) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  const std::string kDecisionPrefix = std::string("evidence\0rd/QWE/", 16);
  testing_support::TempDir dir_;
  const std::string data_ = dir_.Sub("data");
  std::unique_ptr<services::LedgerServer> server_;
  std::string decision_key_, decision_id_;
  absl::StatusOr<engagement::v1::GetTraceabilityResponse> before_;
};

TEST_F(ReadModelAttackTest, UntouchedProjectionsMatchTheLog) {
  grpc::ClientContext context;
  engagement::v1::VerifyProjectionsResponse response;
  ASSERT_TRUE(ReportService::NewStub(Channel())->VerifyProjections(&context, {}, &response).ok());
  ASSERT_EQ(response.checks_size(), 1);
  EXPECT_TRUE(response.checks(0).matches()) << response.checks(0).mismatch();
  EXPECT_GT(response.checks(0).records(), 100u);
  EXPECT_EQ(Health(), HealthCheckResponse::SERVING);
}

TEST_F(ReadModelAttackTest, EditedDecisionSummaryIsNamedAndNeverServed) {
  EditDecisionSummary(absl::ZeroDuration());
  grpc::ClientContext context;
  engagement::v1::VerifyProjectionsResponse response;
  ASSERT_TRUE(ReportService::NewStub(Channel())->VerifyProjections(&context, {}, &response).ok());
  ASSERT_EQ(response.checks_size(), 1);
  EXPECT_FALSE(response.checks(0).matches());
  EXPECT_NE(response.checks(0).mismatch().find(absl::StrCat("d/QWE/", decision_id_)),
            std::string::npos)
      << response.checks(0).mismatch();
  // Not served, health says so, and why.
  absl::StatusOr<engagement::v1::GetTraceabilityResponse> trace = Trace();
  EXPECT_TRUE(absl::IsFailedPrecondition(trace.status())) << trace.status();
  EXPECT_TRUE(HealthBecomes(HealthCheckResponse::NOT_SERVING, absl::Seconds(5)));
  grpc::ClientContext health_context;
  engagement::v1::GetHealthResponse health;
  ASSERT_TRUE(engagement::v1::OperationsService::NewStub(Channel())
                  ->GetHealth(&health_context, {}, &health)
                  .ok());
  EXPECT_FALSE(health.serving());
  ASSERT_EQ(health.problems_size(), 1);
  EXPECT_EQ(health.problems(0).source(), "projections");
  EXPECT_NE(health.problems(0).message().find(decision_id_), std::string::npos);
  grpc::ClientContext list_context;
  engagement::v1::ListProjectionsResponse listed;
  ASSERT_TRUE(
      ReportService::NewStub(Channel())->ListProjections(&list_context, {}, &listed).ok());
  EXPECT_FALSE(listed.projections(0).check_error().empty());

  // A rebuild puts it right: served again, as before, and healthy.
  grpc::ClientContext rebuild_context;
  engagement::v1::RebuildProjectionRequest rebuild;
  rebuild.set_name("evidence");
  auto progress = ReportService::NewStub(Channel())->RebuildProjection(&rebuild_context, rebuild);
  engagement::v1::RebuildProjectionResponse step;
  while (progress->Read(&step)) {
  }
  ASSERT_TRUE(progress->Finish().ok());
  trace = Trace();
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(trace->origin().text(), before_->origin().text());
  EXPECT_EQ(trace->provenance().state_digest(), before_->provenance().state_digest());
  EXPECT_TRUE(HealthBecomes(HealthCheckResponse::SERVING, absl::Seconds(5)));
}

TEST_F(ReadModelAttackTest, ScheduledCheckFindsAnEditWithoutBeingAsked) {
  EditDecisionSummary(absl::Seconds(1));
  EXPECT_TRUE(HealthBecomes(HealthCheckResponse::NOT_SERVING, absl::Seconds(20)));
  EXPECT_TRUE(absl::IsFailedPrecondition(Trace().status()));
}

TEST_F(ReadModelAttackTest, ReportFromEditedStateCarriesADigestNoReplayGives) {
  EditDecisionSummary(absl::ZeroDuration());
  // Before any check, the edited state is served; its provenance gives it away.
  absl::StatusOr<engagement::v1::GetTraceabilityResponse> served = Trace();
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_NE(served->origin().text(), before_->origin().text());
  EXPECT_EQ(served->provenance().state_digest().size(), 32u);
  absl::StatusOr<engagement::v1::GetTraceabilityResponse> replayed =
      Trace(served->provenance().position());
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->provenance().position(), served->provenance().position());
  EXPECT_NE(replayed->provenance().state_digest(), served->provenance().state_digest());
  // The honest report of before replays to its own digest.
  absl::StatusOr<engagement::v1::GetTraceabilityResponse> honest =
      Trace(before_->provenance().position());
  ASSERT_TRUE(honest.ok());
  EXPECT_EQ(honest->provenance().state_digest(), before_->provenance().state_digest());
}

}  // namespace
