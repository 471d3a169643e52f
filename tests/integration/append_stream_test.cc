// AppendStream: many independent appends on one call, against a real server over loopback.
// What a producer relies on: one answer per append, in the order sent, with AppendEvents'
// guarantees; a refusal answers that append only; a producer that sends faster than the server
// takes is held back, not dropped; a retry of what was acknowledged appends nothing twice.
#include <thread>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/uuid.h"
#include "services/append_stream.h"
#include "tests/local_server.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::AppendStreamRequest;
using engagement::v1::AppendStreamResponse;
using engagement::v1::LedgerService;

class AppendStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = services::LedgerServer::Start(testing_support::LocalServerOptions(dir_.Sub("data")));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = LedgerService::NewStub(testing_support::OperatorChannel(*server_, dir_.Sub("data")));
  }

  // An append of an engagement opening on its own new stream (`good`), or one that the
  // validation refuses (no occurred_at).
  static AppendStreamRequest Opening(const std::string& correlation, bool good = true,
                                     const std::string& event_id = "") {
    AppendStreamRequest request;
    request.set_correlation_id(correlation);
    const std::string engagement = ledger::NewUuid();
    auto& append = *request.mutable_append();
    append.set_stream("engagement-" + engagement);
    append.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    engagement::v1::Event event = testing_support::EngagementOpened(engagement);
    if (!event_id.empty()) event.set_event_id(event_id);
    if (!good) event.clear_occurred_at();
    *append.add_events() = event;
    return request;
  }

  // Sends `requests` from one thread while this one reads every answer; the call's status.
  grpc::Status Exchange(const std::vector<AppendStreamRequest>& requests,
                        std::vector<AppendStreamResponse>* answers) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    auto call = stub_->AppendStream(&context);
    std::thread writer([&] {
      for (const AppendStreamRequest& request : requests) {
        if (!call->Write(request)) break;
      }
      call->WritesDone();
    });
    AppendStreamResponse answer;
    while (call->Read(&answer)) answers->push_back(answer);
    writer.join();
    return call->Finish();
  }

  uint64_t Head() { return testing_support::HeadPosition(*stub_); }

  testing_support::TempDir dir_;
  std::unique_ptr<services::LedgerServer> server_;
  std::unique_ptr<LedgerService::Stub> stub_;
};

TEST_F(AppendStreamTest, EveryAppendIsAnsweredOnceInTheOrderSentWithItsOwnPosition) {
  std::vector<AppendStreamRequest> requests;
  // More than the server keeps in flight, so that flow control is crossed many times.
  const int n = static_cast<int>(services::kMaxAppendsInFlight) * 4;
  for (int i = 0; i < n; ++i) requests.push_back(Opening(absl::StrCat("append-", i)));
  const uint64_t before = Head();
  std::vector<AppendStreamResponse> answers;
  grpc::Status status = Exchange(requests, &answers);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(answers.size(), requests.size());
  uint64_t last = before;
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(answers[i].correlation_id(), absl::StrCat("append-", i));
    ASSERT_TRUE(answers[i].has_appended()) << i << ": " << answers[i].refused().message();
    EXPECT_GT(answers[i].appended().positions(0), last) << i;  // positions rise in request order
    last = answers[i].appended().positions(0);
  }
  EXPECT_EQ(Head(), before + static_cast<uint64_t>(n));
}

TEST_F(AppendStreamTest, ARefusalAnswersThatAppendOnlyAndWritesNothingOfIt) {
  const uint64_t before = Head();
  std::vector<AppendStreamRequest> requests = {Opening("one"), Opening("bad", false),
                                               Opening("three")};
  // The same stream twice with NO_STREAM: the second is ABORTED, as AppendEvents would say.
  AppendStreamRequest again = requests[0];
  again.set_correlation_id("again");
  again.mutable_append()->mutable_events(0)->set_event_id(ledger::NewUuid());
  requests.push_back(again);
  AppendStreamRequest long_id = Opening(std::string(200, 'x'));
  requests.push_back(long_id);
  std::vector<AppendStreamResponse> answers;
  ASSERT_TRUE(Exchange(requests, &answers).ok());
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_TRUE(answers[0].has_appended());
  EXPECT_EQ(answers[1].refused().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_NE(answers[1].refused().message().find("occurred_at"), std::string::npos);
  EXPECT_TRUE(answers[2].has_appended());
  EXPECT_EQ(answers[3].refused().code(), static_cast<int>(grpc::StatusCode::ABORTED));
  EXPECT_NE(answers[4].refused().message().find("correlation_id"), std::string::npos);
  EXPECT_EQ(Head(), before + 2);
}

TEST_F(AppendStreamTest, ARetryOfAnAcknowledgedAppendAppendsNothingTwice) {
  const std::string id = ledger::NewUuid();
  AppendStreamRequest request = Opening("first", true, id);
  std::vector<AppendStreamResponse> first, second;
  ASSERT_TRUE(Exchange({request}, &first).ok());
  const uint64_t head = Head();
  request.set_correlation_id("retry");
  ASSERT_TRUE(Exchange({request}, &second).ok());
  ASSERT_EQ(second.size(), 1u);
  ASSERT_TRUE(second[0].has_appended()) << second[0].refused().message();
  EXPECT_TRUE(second[0].appended().already_appended());
  EXPECT_EQ(second[0].appended().positions(0), first[0].appended().positions(0));
  EXPECT_EQ(Head(), head);
}

TEST_F(AppendStreamTest, NoTokenEndsTheCallUnauthenticated) {
  auto anonymous =
      LedgerService::NewStub(testing_support::LocalChannel(server_->port(), /*token=*/""));
  grpc::ClientContext context;
  auto call = anonymous->AppendStream(&context);
  call->Write(Opening("x"));
  call->WritesDone();
  AppendStreamResponse answer;
  EXPECT_FALSE(call->Read(&answer));
  EXPECT_EQ(call->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AppendStreamTest, AProducerThatGoesAwayLosesNothingAcknowledged) {
  const uint64_t before = Head();
  std::vector<std::string> acknowledged;
  {
    grpc::ClientContext context;
    auto call = stub_->AppendStream(&context);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(call->Write(Opening(absl::StrCat(i))));
    AppendStreamResponse answer;
    for (int i = 0; i < 10 && call->Read(&answer); ++i) {
      acknowledged.push_back(answer.appended().event_ids(0));
    }
    context.TryCancel();  // gone, with 40 answers never read
    call->Finish().IgnoreError();
  }
  ASSERT_EQ(acknowledged.size(), 10u);
  // Whatever was handed to the log completes; what was acknowledged is there.
  EXPECT_GE(Head(), before + 10);
  grpc::ClientContext context;
  engagement::v1::ReadLogRequest read;
  read.set_from_position(before + 1);
  auto reader = stub_->ReadLog(&context, read);
  engagement::v1::ReadLogResponse item;
  std::set<std::string> present;
  while (reader->Read(&item)) present.insert(item.event().event_id());
  ASSERT_TRUE(reader->Finish().ok());
  for (const std::string& id : acknowledged) EXPECT_TRUE(present.count(id)) << id;
  // And the server still serves.
  std::vector<AppendStreamResponse> answers;
  ASSERT_TRUE(Exchange({Opening("after")}, &answers).ok());
  EXPECT_TRUE(answers.at(0).has_appended());
}

}  // namespace
