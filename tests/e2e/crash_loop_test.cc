// Crash loop: appenders with known event ids and exact expected revisions write while the real
// ledgerd is killed with SIGKILL at random moments, round after round. After every restart:
// every acknowledged event is present exactly once at its acknowledged position, every batch is
// all or nothing, positions are dense, a retry with the same ids appends once, and the chain
// verifies. The seed is printed, so a failing round can be replayed.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/uuid.h"
#include "tests/e2e/ledgerd_fixture.h"
#include "tests/test_support.h"

namespace {

using e2e::LedgerdTest;
using engagement::v1::AppendEventsRequest;
using engagement::v1::AppendEventsResponse;
using engagement::v1::LedgerService;

// One appender's stream and the batch it is trying to append, kept across crashes: a batch whose
// outcome is unknown is retried, after the restart, with the same ids and the same expectation.
struct Appender {
  std::string stream = testing_support::EngagementStream();
  std::optional<uint64_t> revision;   // the stream's last acknowledged revision; none: no stream
  std::optional<AppendEventsRequest> pending;  // sent, outcome unknown
  std::optional<AppendEventsRequest> last_acknowledged;
};

struct Acknowledged {
  uint64_t position;
  std::string batch;  // the first event id of its batch
};

class CrashLoopTest : public LedgerdTest {
 protected:
  AppendEventsRequest NextBatch(Appender& appender, std::mt19937& random) {
    AppendEventsRequest request;
    request.set_stream(appender.stream);
    if (appender.revision.has_value()) {
      request.mutable_expected()->set_revision(*appender.revision);
    } else {
      request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    }
    const int events = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < events; ++i) {
      engagement::v1::Event* event = request.add_events();
      *event = testing_support::SessionHeld();
      event->set_event_id(ledger::NewUuid());
    }
    return request;
  }

  // Sends `request`; on an answer, records what it acknowledged. False when ledgerd is gone.
  bool Send(LedgerService::Stub& stub, Appender& appender, const AppendEventsRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    AppendEventsResponse response;
    grpc::Status status = stub.AppendEvents(&context, request, &response);
    if (!status.ok()) {
      // Only the ledger going away is expected; a conflict would mean a revision was lost.
      EXPECT_TRUE(status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                  status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                  status.error_code() == grpc::StatusCode::CANCELLED)
          << status.error_code() << ": " << status.error_message();
      return false;
    }
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(response.positions_size(), request.events_size());
    for (int i = 0; i < request.events_size() && i < response.positions_size(); ++i) {
      auto [it, added] = acknowledged_.emplace(
          request.events(i).event_id(),
          Acknowledged{response.positions(i), request.events(0).event_id()});
      // A retry of a batch acknowledged before is answered with the same positions.
      EXPECT_EQ(it->second.position, response.positions(i)) << "a retry moved an event";
    }
    batches_[request.events(0).event_id()] = request.events_size();
    appender.revision = response.stream_revision();
    appender.last_acknowledged = request;
    appender.pending.reset();
    return true;
  }

  // The whole log against everything acknowledged so far.
  void CheckLog(int round) {
    std::map<std::string, uint64_t> found;  // event id -> position
    auto stub = Stub();
    grpc::ClientContext context;
    auto reader = stub->ReadLog(&context, engagement::v1::ReadLogRequest());
    engagement::v1::ReadLogResponse message;
    uint64_t expected_position = 1;
    while (reader->Read(&message)) {
      ASSERT_EQ(message.event().position(), expected_position++) << "round " << round << ": gap";
      ASSERT_TRUE(found.emplace(message.event().event_id(), message.event().position()).second)
          << "round " << round << ": event id twice in the log";
    }
    ASSERT_TRUE(reader->Finish().ok());
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, ack] : acknowledged_) {
      auto it = found.find(id);
      ASSERT_NE(it, found.end()) << "round " << round << ": acknowledged event lost";
      ASSERT_EQ(it->second, ack.position) << "round " << round << ": event moved";
    }
    // A batch in doubt is either wholly in the log or not at all.
    for (const Appender& appender : appenders_) {
      if (!appender.pending.has_value()) continue;
      int present = 0;
      for (const auto& event : appender.pending->events()) present += found.count(event.event_id());
      EXPECT_TRUE(present == 0 || present == appender.pending->events_size())
          << "round " << round << ": " << present << " of " << appender.pending->events_size()
          << " events of one batch in the log";
    }
  }

  std::mutex mu_;
  std::map<std::string, Acknowledged> acknowledged_;
  std::map<std::string, int> batches_;  // first event id -> events in the batch
  std::vector<Appender> appenders_;
};

TEST_F(CrashLoopTest, SigkillAtRandomMomentsLosesNothingAcknowledged) {
  const unsigned seed = std::random_device()();
  std::printf("crash loop seed: %u\n", seed);
  std::mt19937 random(seed);
  constexpr int kRounds = 8;
  constexpr int kAppenders = 4;
  appenders_.resize(kAppenders);

  auto ledgerd = StartLedgerd();
  {
    AppendEventsRequest open;
    open.set_stream("engagement-" + testing_support::TestEngagement());
    open.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    *open.add_events() = testing_support::EngagementOpened();
    grpc::ClientContext context;
    AppendEventsResponse response;
    ASSERT_TRUE(Stub()->AppendEvents(&context, open, &response).ok());
  }
  for (int round = 1; round <= kRounds; ++round) {
    std::atomic<bool> gone{false};
    std::vector<std::thread> threads;
    for (int a = 0; a < kAppenders; ++a) {
      threads.emplace_back([&, a, thread_seed = random()] {
        std::mt19937 mine(thread_seed);
        auto stub = Stub();
        Appender& appender = appenders_[a];
        while (!gone) {
          if (!appender.pending.has_value()) appender.pending = NextBatch(appender, mine);
          if (!Send(*stub, appender, *appender.pending)) return;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + random() % 600));
    ledgerd->Signal(SIGKILL);
    ledgerd->Wait();
    gone = true;
    for (auto& thread : threads) thread.join();

    ledgerd = StartLedgerd();
    CheckLog(round);
    if (HasFatalFailure()) return;
    // Batches in doubt, retried with the same ids: each lands once, wherever it already is.
    auto stub = Stub();
    for (Appender& appender : appenders_) {
      if (appender.pending.has_value()) {
        AppendEventsRequest retry = *appender.pending;
        ASSERT_TRUE(Send(*stub, appender, retry)) << "round " << round;
      }
    }
    // And a retry of a batch known to be in the log changes nothing.
    uint64_t head_before;
    {
      grpc::ClientContext context;
      engagement::v1::GetLedgerInfoResponse info;
      ASSERT_TRUE(stub->GetLedgerInfo(&context, {}, &info).ok());
      head_before = info.head_position();
    }
    for (Appender& appender : appenders_) {
      if (!appender.last_acknowledged.has_value()) continue;
      const uint64_t revision = *appender.revision;
      grpc::ClientContext context;
      AppendEventsResponse again;
      grpc::Status status = stub->AppendEvents(&context, *appender.last_acknowledged, &again);
      ASSERT_TRUE(status.ok()) << "round " << round << ": " << status.error_message();
      EXPECT_TRUE(again.already_appended());
      std::lock_guard<std::mutex> lock(mu_);
      EXPECT_EQ(again.positions(0),
                acknowledged_[appender.last_acknowledged->events(0).event_id()].position);
      appender.revision = revision;
    }
    CheckLog(round);
    auto verify = Ctl("verify");
    EXPECT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.output;
    grpc::ClientContext context;
    engagement::v1::GetLedgerInfoResponse info;
    ASSERT_TRUE(stub->GetLedgerInfo(&context, {}, &info).ok());
    EXPECT_EQ(info.head_position(), head_before);
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::printf("crash loop: %d rounds, %zu events acknowledged\n", kRounds, acknowledged_.size());
  EXPECT_GT(acknowledged_.size(), static_cast<size_t>(kRounds * 10));
}

}  // namespace
