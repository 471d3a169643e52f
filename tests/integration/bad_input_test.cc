// What a caller gets back for requests that are wrong in ways a validator of well-formed messages
// never sees: bytes that are not protobuf, fields the contract does not define, NaN, enormous
// names, unknown enum numbers. Each gets INVALID_ARGUMENT (or NOT_FOUND) naming the field, and
// changes nothing. A real server in-process on 127.0.0.1:0, a real client over loopback.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <future>
#include <limits>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/ledger_server.h"
#include "tests/local_server.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::AppendEventsRequest;
using engagement::v1::AppendEventsResponse;
using engagement::v1::LedgerService;
using engagement::v1::ReportService;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server =
        services::LedgerServer::Start(testing_support::LocalServerOptions(dir_.Sub("data")));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = testing_support::OperatorChannel(*server_, dir_.Sub("data"));
    ledger_ = LedgerService::NewStub(channel_);
    reports_ = ReportService::NewStub(channel_);
  }

  // Sends `bytes` as the request of `method` exactly as given, as a client with another
  // (or a broken) protobuf library would.
  grpc::Status SendRaw(const std::string& method, const std::string& bytes) {
    grpc::GenericStub stub(channel_);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    return done.get_future().get();
  }

  uint64_t Head() {
    grpc::ClientContext context;
    engagement::v1::GetLedgerInfoResponse info;
    EXPECT_TRUE(ledger_->GetLedgerInfo(&context, {}, &info).ok());
    return info.head_position();
  }

  AppendEventsRequest OpenEngagement() {
    AppendEventsRequest request;
    request.set_stream("engagement-" + testing_support::TestEngagement());
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    *request.add_events() = testing_support::EngagementOpened();
    return request;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<services::LedgerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<LedgerService::Stub> ledger_;
  std::unique_ptr<ReportService::Stub> reports_;
};

TEST_F(BadInputTest, RequestThatIsNotProtobufIsInvalidArgumentNotUnimplemented) {
  const uint64_t head = Head();
  // A field tag with wire type 7, which does not exist.
  grpc::Status status = SendRaw("/engagement.v1.LedgerService/AppendEvents", "\xff\xff\xff\xff");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("does not parse"), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("AppendEvents"), std::string::npos);
  // A synchronous method too (gRPC's own answer there is INTERNAL with no message).
  status = SendRaw("/engagement.v1.LedgerService/GetLedgerInfo", "\x0f\x01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(Head(), head);
}

TEST_F(BadInputTest, InvalidUtf8InAStringFieldIsInvalidArgument) {
  AppendEventsRequest request = OpenEngagement();
  // Field 1 (stream), length 3, bytes that are not UTF-8.
  std::string bytes = request.SerializeAsString() + std::string("\x0a\x03\xc3\x28\xa0", 5);
  grpc::Status status = SendRaw("/engagement.v1.LedgerService/AppendEvents", bytes);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(Head(), 0u);
}

TEST_F(BadInputTest, MessagesNestedPastTheDepthLimitAreInvalidArgument) {
  // 200 levels of "field 3, length-delimited" inside each other, as a fuzzer sends: the outer
  // levels are events, then an event's field 3 (a number) arrives with the wrong wire type.
  std::string inner;
  for (int i = 0; i < 200; ++i) {
    std::string outer;
    outer.push_back(static_cast<char>((3 << 3) | 2));
    size_t n = inner.size();
    do {
      outer.push_back(static_cast<char>((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
      n >>= 7;
    } while (n > 0);
    inner = outer + inner;
  }
  grpc::Status status = SendRaw("/engagement.v1.LedgerService/AppendEvents", inner);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(Head(), 0u);
}

TEST_F(BadInputTest, UnknownFieldInsideAnEventIsRefusedNamingItsNumber) {
  AppendEventsRequest request = OpenEngagement();
  // Field 9999 of the engagement-opened payload: 45 KB that no validator would ever look at.
  request.mutable_events(0)->mutable_engagement_opened()->GetReflection()
      ->MutableUnknownFields(request.mutable_events(0)->mutable_engagement_opened())
      ->AddLengthDelimited(9999, std::string(45000, 'x'));
  AppendEventsResponse response;
  grpc::ClientContext context;
  grpc::Status status = ledger_->AppendEvents(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("events[0].engagement_opened"), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("9999"), std::string::npos) << status.error_message();
  EXPECT_LT(status.error_message().size(), 400u);
  EXPECT_EQ(Head(), 0u);

  // At the top of the event too; and the same request without it appends.
  request = OpenEngagement();
  request.mutable_events(0)->GetReflection()->MutableUnknownFields(request.mutable_events(0))
      ->AddVarint(77, 1);
  grpc::ClientContext again;
  status = ledger_->AppendEvents(&again, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("field number 77"), std::string::npos)
      << status.error_message();
  grpc::ClientContext clean;
  ASSERT_TRUE(ledger_->AppendEvents(&clean, OpenEngagement(), &response).ok());
  EXPECT_EQ(Head(), 1u);
}

TEST_F(BadInputTest, NaNPopulationShareIsRefused) {
  engagement::v1::GetAssuranceReportRequest request;
  request.set_organisation("QWE");
  request.set_period_start("2025-04-01");
  request.set_period_end("2026-03-31");
  (*request.mutable_population_share_percent())["over 65"] =
      std::numeric_limits<double>::quiet_NaN();
  engagement::v1::GetAssuranceReportResponse response;
  grpc::ClientContext context;
  grpc::Status status = reports_->GetAssuranceReport(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("population_share_percent"), std::string::npos);

  request.clear_population_share_percent();
  request.set_core20_population_percent(std::nan(""));
  grpc::ClientContext core20;
  status = reports_->GetAssuranceReport(&core20, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("core20_population_percent"), std::string::npos);
}

TEST_F(BadInputTest, RebuildOfAnUnknownProjectionDoesNotRepeatItsName) {
  engagement::v1::RebuildProjectionRequest request;
  request.set_name(std::string(1 << 20, 'n'));
  grpc::ClientContext context;
  auto reader = reports_->RebuildProjection(&context, request);
  engagement::v1::RebuildProjectionResponse progress;
  while (reader->Read(&progress)) {
  }
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message().size();
  EXPECT_LT(status.error_message().size(), 300u);
  EXPECT_NE(status.error_message().find("1048576 bytes"), std::string::npos)
      << status.error_message();
}

TEST_F(BadInputTest, ReadStreamWithAnUnknownDirectionIsRefused) {
  AppendEventsResponse appended;
  grpc::ClientContext append;
  ASSERT_TRUE(ledger_->AppendEvents(&append, OpenEngagement(), &appended).ok());
  engagement::v1::ReadStreamRequest request;
  request.set_stream("engagement-" + testing_support::TestEngagement());
  request.set_direction(static_cast<engagement::v1::ReadDirection>(7));
  grpc::ClientContext context;
  auto reader = ledger_->ReadStream(&context, request);
  engagement::v1::ReadStreamResponse message;
  int read = 0;
  while (reader->Read(&message)) ++read;
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("direction"), std::string::npos);
  EXPECT_EQ(read, 0);
}

}  // namespace
