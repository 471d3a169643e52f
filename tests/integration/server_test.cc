// A real server in-process on 127.0.0.1:0 and a real gRPC client over loopback.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <thread>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/ledger_server.h"
#include "tests/local_server.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::AppendEventsRequest;
using engagement::v1::AppendEventsResponse;
using engagement::v1::LedgerService;
using testing_support::EngagementStream;
using testing_support::SessionHeld;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = services::LedgerServer::Start(testing_support::LocalServerOptions(dir_.Sub("data")));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = testing_support::OperatorChannel(*server_, dir_.Sub("data"));
    stub_ = LedgerService::NewStub(channel_);
    // Sessions may only be recorded for an open engagement.
    AppendEventsResponse opened;
    ASSERT_TRUE(Append("engagement-" + testing_support::TestEngagement(), NoStream(),
                       {testing_support::EngagementOpened()}, &opened)
                    .ok());
    base_ = opened.positions(0);
  }

  grpc::Status Append(const std::string& stream, engagement::v1::ExpectedRevision expected,
                      std::vector<engagement::v1::Event> events, AppendEventsResponse* response) {
    AppendEventsRequest request;
    request.set_stream(stream);
    *request.mutable_expected() = expected;
    for (auto& e : events) *request.add_events() = std::move(e);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub_->AppendEvents(&context, request, response);
  }

  static engagement::v1::ExpectedRevision Any() {
    engagement::v1::ExpectedRevision e;
    e.set_state(engagement::v1::EXPECTED_STATE_ANY);
    return e;
  }
  static engagement::v1::ExpectedRevision Exactly(uint64_t revision) {
    engagement::v1::ExpectedRevision e;
    e.set_revision(revision);
    return e;
  }
  static engagement::v1::ExpectedRevision NoStream() {
    engagement::v1::ExpectedRevision e;
    e.set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    return e;
  }

  uint64_t Head() { return testing_support::HeadPosition(*stub_); }

  // Appends `count` session events (a multiple of 50) in appends of 50.
  void AppendSessions(int count) {
    for (int i = 0; i < count; i += 50) {
      AppendEventsResponse response;
      ASSERT_TRUE(Append(EngagementStream(), Any(), testing_support::Sessions(50), &response).ok());
    }
  }
  // A subscription from the first event after the engagement every test opens, with a minute's
  // deadline on `context`.
  std::unique_ptr<grpc::ClientReader<engagement::v1::SubscribeLogResponse>> SubscribeFromStart(
      grpc::ClientContext* context, uint32_t events_per_message = 0) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    engagement::v1::SubscribeLogRequest request;
    request.set_from_position(base_ + 1);
    request.set_events_per_message(events_per_message);
    return stub_->SubscribeLog(context, request);
  }

  testing_support::TempDir dir_;
  std::unique_ptr<services::LedgerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<LedgerService::Stub> stub_;
  uint64_t base_ = 0;  // the position of the engagement-opened event every test starts with
};

TEST_F(ServerTest, ConcurrentAppendsToOneStreamHaveExactlyOneWinnerPerRevision) {
  const std::string stream = EngagementStream();
  constexpr int kThreads = 8, kRevisions = 20;
  std::atomic<int> wins{0}, aborted{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int r = 0; r < kRevisions; ++r) {
        AppendEventsResponse response;
        grpc::Status s = Append(stream, r == 0 ? NoStream() : Exactly(r - 1), {SessionHeld()},
                                &response);
        if (s.ok()) {
          ++wins;
          EXPECT_EQ(response.stream_revision(), static_cast<uint64_t>(r));
        } else if (s.error_code() == grpc::StatusCode::ABORTED) {
          ++aborted;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), kRevisions);
  EXPECT_EQ(aborted.load(), kThreads * kRevisions - kRevisions);
  EXPECT_EQ(other.load(), 0);
  grpc::ClientContext context;
  engagement::v1::GetStreamInfoRequest request;
  request.set_stream(stream);
  engagement::v1::GetStreamInfoResponse info;
  ASSERT_TRUE(stub_->GetStreamInfo(&context, request, &info).ok());
  EXPECT_EQ(info.revision(), static_cast<uint64_t>(kRevisions - 1));
}

TEST_F(ServerTest, SubscriptionSwitchesFromCatchUpToLiveWithNoGapOrDuplicate) {
  constexpr int kBefore = 300, kDuring = 300;
  AppendSessions(kBefore);
  grpc::ClientContext context;
  auto reader = SubscribeFromStart(&context);

  std::thread writer([&] {
    for (int i = 0; i < kDuring; ++i) {
      AppendEventsResponse response;
      ASSERT_TRUE(Append(EngagementStream(), Any(), {SessionHeld()}, &response).ok());
    }
  });
  std::vector<uint64_t> positions;
  int caught_up = 0;
  engagement::v1::SubscribeLogResponse message;
  while (positions.size() < kBefore + kDuring && reader->Read(&message)) {
    if (message.has_event()) {
      positions.push_back(message.event().position());
    } else {
      ++caught_up;
      EXPECT_GE(message.caught_up().head_position(), static_cast<uint64_t>(kBefore));
      EXPECT_EQ(message.caught_up().head_position(), base_ + positions.size());
    }
  }
  writer.join();
  context.TryCancel();
  ASSERT_EQ(positions.size(), static_cast<size_t>(kBefore + kDuring));
  for (size_t i = 0; i < positions.size(); ++i) ASSERT_EQ(positions[i], base_ + i + 1);
  EXPECT_EQ(caught_up, 1);
}

// A live subscriber sees new events at once, not when more come: a lone event, and every event
// of a large batch (more than one chunk), arrive well within the 100 ms a live reader is promised
// (250 ms here, for a machine busy with other tests).
TEST_F(ServerTest, ALiveSubscriberReceivesNewEventsPromptly) {
  for (uint32_t per_message : {0u, 100u}) {  // one event per message, and batches
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    engagement::v1::SubscribeLogRequest request;
    request.set_from_position(Head() + 1);
    request.set_events_per_message(per_message);
    auto reader = stub_->SubscribeLog(&context, request);
    engagement::v1::SubscribeLogResponse message;
    ASSERT_TRUE(reader->Read(&message));
    ASSERT_TRUE(message.has_caught_up());
    for (int batch : {1, 1, 300}) {
      AppendEventsResponse response;
      ASSERT_TRUE(
          Append(EngagementStream(), Any(), testing_support::Sessions(batch), &response).ok());
      const absl::Time acknowledged = absl::Now();
      uint64_t last = 0;
      for (int received = 0; received < batch;) {
        ASSERT_TRUE(reader->Read(&message));
        if (message.has_event()) {
          last = message.event().position();
          ++received;
        }
        for (const auto& event : message.events().events()) {
          last = event.position();
          ++received;
        }
      }
      const absl::Duration waited = absl::Now() - acknowledged;
      EXPECT_LT(waited, absl::Milliseconds(250)) << batch << " events, " << per_message
                                                 << " per message: " << waited;
      EXPECT_EQ(last, response.positions(batch - 1));
    }
    context.TryCancel();
  }
}

TEST_F(ServerTest, AStalledSubscriberNeitherStallsWritersNorMissesEvents) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  engagement::v1::SubscribeLogRequest request;
  request.set_from_position(base_ + 1);
  auto reader = stub_->SubscribeLog(&context, request);
  // The subscriber reads nothing while 2,000 events of ~2 KiB (more than gRPC's flow-control
  // windows hold) are appended.
  constexpr int kEvents = 2000;
  for (int i = 0; i < kEvents; i += 100) {
    auto batch = testing_support::Sessions(100);
    for (auto& event : batch) event.mutable_session_held()->set_venue(std::string(2000, 'v'));
    AppendEventsResponse response;
    ASSERT_TRUE(Append(EngagementStream(), Any(), batch, &response).ok());
  }
  EXPECT_EQ(Head(), base_ + kEvents);
  uint64_t expected = base_ + 1;
  engagement::v1::SubscribeLogResponse message;
  while (expected <= base_ + kEvents && reader->Read(&message)) {
    if (message.has_event()) {
      ASSERT_EQ(message.event().position(), expected++);
    }
  }
  EXPECT_EQ(expected, base_ + kEvents + 1);
  context.TryCancel();
}

TEST_F(ServerTest, BadInputIsInvalidArgumentNamingTheFieldAndWritesNothing) {
  AppendEventsResponse response;
  auto bad = SessionHeld();
  bad.mutable_session_held()->set_method(engagement::v1::ENGAGEMENT_METHOD_UNSPECIFIED);
  grpc::Status s = Append(EngagementStream(), Any(), {SessionHeld(), bad}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("events[1].session_held.method"), std::string::npos)
      << s.error_message();
  s = Append("Not A Stream", Any(), {SessionHeld()}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  AppendEventsRequest no_expectation;
  no_expectation.set_stream(EngagementStream());
  *no_expectation.add_events() = SessionHeld();
  grpc::ClientContext context;
  s = stub_->AppendEvents(&context, no_expectation, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("expected"), std::string::npos);
  EXPECT_EQ(Head(), base_);
}

TEST_F(ServerTest, RetriedAppendReturnsOriginalPositionsOverTheWire) {
  auto event = SessionHeld();
  event.set_event_id(ledger::NewUuid());
  const std::string stream = EngagementStream();
  AppendEventsResponse first, second;
  ASSERT_TRUE(Append(stream, NoStream(), {event}, &first).ok());
  ASSERT_TRUE(Append(stream, NoStream(), {event}, &second).ok());
  EXPECT_TRUE(second.already_appended());
  EXPECT_EQ(second.positions(0), first.positions(0));
  event.mutable_session_held()->set_title("changed");
  grpc::Status s = Append(stream, Any(), {event}, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Head(), base_ + 1);
}

TEST_F(ServerTest, ReadStreamAndReadLogOverTheWire) {
  const std::string stream = EngagementStream();
  AppendEventsResponse response;
  ASSERT_TRUE(Append(stream, Any(), testing_support::Sessions(5), &response).ok());
  grpc::ClientContext context;
  engagement::v1::ReadStreamRequest request;
  request.set_stream(stream);
  request.set_direction(engagement::v1::READ_DIRECTION_BACKWARDS);
  request.set_from_end(true);
  request.set_limit(2);
  auto reader = stub_->ReadStream(&context, request);
  engagement::v1::ReadStreamResponse message;
  std::vector<uint64_t> revisions;
  while (reader->Read(&message)) revisions.push_back(message.event().stream_revision());
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(revisions, (std::vector<uint64_t>{4, 3}));

  grpc::ClientContext context2;
  engagement::v1::ReadLogRequest log_request;
  log_request.mutable_filter()->add_event_types("no_such_event");
  auto log_reader = stub_->ReadLog(&context2, log_request);
  engagement::v1::ReadLogResponse log_message;
  while (log_reader->Read(&log_message)) {
  }
  EXPECT_EQ(log_reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ServerTest, HealthServiceAnswersServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  // Server reflection is checked from Python (tests/interop), with stock grpcio.
}

TEST_F(ServerTest, ShutdownEndsSubscriptionsAndKeepsEverything) {
  AppendEventsResponse response;
  ASSERT_TRUE(Append(EngagementStream(), Any(), {SessionHeld()}, &response).ok());
  grpc::ClientContext context;
  auto reader = stub_->SubscribeLog(&context, engagement::v1::SubscribeLogRequest());
  engagement::v1::SubscribeLogResponse message;
  ASSERT_TRUE(reader->Read(&message));  // the engagement opened
  ASSERT_TRUE(reader->Read(&message));  // the session
  ASSERT_TRUE(reader->Read(&message));  // caught up
  ASSERT_TRUE(message.has_caught_up());
  ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
  while (reader->Read(&message)) {
  }
  EXPECT_NE(reader->Finish().error_code(), grpc::StatusCode::OK);
  auto reopened = ledger::RocksDbEventLog::Open(dir_.Sub("data/log"), ledger::RocksDbOptions());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->Head().position, base_ + 1);
}

// A subscriber that asks for batches gets every event once, in order, across catch-up and live.
TEST_F(ServerTest, ASubscriptionInBatchesDeliversEveryEventOnceInOrder) {
  AppendSessions(300);
  grpc::ClientContext context;
  auto reader = SubscribeFromStart(&context, /*events_per_message=*/100);
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      AppendEventsResponse response;
      ASSERT_TRUE(Append(EngagementStream(), Any(), {SessionHeld()}, &response).ok());
    }
  });
  std::vector<uint64_t> positions;
  int batches = 0;
  engagement::v1::SubscribeLogResponse message;
  while (positions.size() < 400 && reader->Read(&message)) {
    EXPECT_FALSE(message.has_event());  // batches only
    if (message.has_events()) {
      ++batches;
      EXPECT_LE(message.events().events_size(), 100);
      for (const auto& event : message.events().events()) positions.push_back(event.position());
    }
  }
  writer.join();
  context.TryCancel();
  ASSERT_EQ(positions.size(), 400u);
  for (size_t i = 0; i < positions.size(); ++i) ASSERT_EQ(positions[i], base_ + i + 1);
  EXPECT_LT(batches, 400);
  // More than 1000 per message is refused, naming the field.
  grpc::ClientContext refused_context;
  engagement::v1::SubscribeLogRequest too_many;
  too_many.set_events_per_message(1001);
  auto refused = stub_->SubscribeLog(&refused_context, too_many);
  EXPECT_FALSE(refused->Read(&message));
  grpc::Status status = refused->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("events_per_message"), std::string::npos);
}

// More subscribers than are written to at once (ledgerd --max_writing_subscriptions, 4 by
// default) take turns: every one, whether catching up or live, gets every event once and in
// order, and none is left behind.
TEST_F(ServerTest, SubscribersTakingTurnsEachGetEveryEventOnceInOrder) {
  constexpr int kSubscribers = 24, kBefore = 300, kDuring = 100;
  AppendSessions(kBefore);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<engagement::v1::SubscribeLogResponse>>> readers;
  for (int i = 0; i < kSubscribers; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    // Single events and batches.
    readers.push_back(SubscribeFromStart(contexts.back().get(), i % 2 == 0 ? 0 : 64));
  }
  std::thread writer([&] {
    for (int i = 0; i < kDuring; ++i) {
      AppendEventsResponse response;
      ASSERT_TRUE(Append(EngagementStream(), Any(), {SessionHeld()}, &response).ok());
    }
  });
  std::vector<std::vector<uint64_t>> received(kSubscribers);
  std::vector<std::thread> reading;
  for (int i = 0; i < kSubscribers; ++i) {
    reading.emplace_back([&, i] {
      engagement::v1::SubscribeLogResponse message;
      while (received[i].size() < kBefore + kDuring && readers[i]->Read(&message)) {
        if (message.has_event()) received[i].push_back(message.event().position());
        for (const auto& event : message.events().events()) {
          received[i].push_back(event.position());
        }
      }
    });
  }
  writer.join();
  for (auto& t : reading) t.join();
  for (auto& context : contexts) context->TryCancel();
  for (int i = 0; i < kSubscribers; ++i) {
    ASSERT_EQ(received[i].size(), static_cast<size_t>(kBefore + kDuring)) << "subscriber " << i;
    for (size_t k = 0; k < received[i].size(); ++k) {
      ASSERT_EQ(received[i][k], base_ + k + 1) << "subscriber " << i;
    }
  }
}

}  // namespace
