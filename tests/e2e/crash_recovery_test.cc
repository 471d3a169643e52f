// The real ledgerd and ledgerctl binaries: an operator's session, and kill -9 in the middle of a
// load, after which every acknowledged append must be there exactly once and the chain verify.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>

#include "absl/strings/str_split.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/ledgerd_fixture.h"
#include "tests/e2e/process.h"
#include "tests/test_support.h"

namespace {

using e2e::LedgerdTest;
using engagement::v1::LedgerService;
using testing_support::SessionHeld;

TEST_F(LedgerdTest, OperatorAppendsReadsAndVerifiesWithLedgerctl) {
  auto ledgerd = StartLedgerd();
  std::string file = dir_.Sub("events.jsonl");
  {
    std::ofstream out(file);
    out << R"({"occurred_at":"2025-04-01T09:00:00Z","organisation":"QWE","actor":"team",)"
        << R"("engagement_opened":{"engagement_id":"3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c",)"
        << R"("title":"Diabetes education","topic":"Diabetes",)"
        << R"("commissioning_stage":"COMMISSIONING_STAGE_SERVICE_DESIGN",)"
        << R"("spectrum_level":"SPECTRUM_LEVEL_CO_PRODUCE","scope_for_influence":"Format",)"
        << R"("duty_to_involve":"DUTY_APPLIES_YES","duty_reason":"Service change",)"
        << R"("lead_role":"Head of Engagement"}})" << "\n"
        << R"({"occurred_at":"2025-05-01T10:00:00Z","organisation":"QWE","actor":"team",)"
        << R"("session_held":{"engagement_id":"3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c",)"
        << R"("session_id":"4f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c","title":"Workshop 1",)"
        << R"("method":"ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP"}})" << "\n\n"
        << R"({"occurred_at":"2025-05-02T10:00:00Z","organisation":"QWE","actor":"team",)"
        << R"("session_held":{"engagement_id":"3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c",)"
        << R"("session_id":"5f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c","title":"Workshop 2",)"
        << R"("method":"ENGAGEMENT_METHOD_FOCUS_GROUP"}})" << "\n";
  }
  const std::string stream = "--stream=engagement-3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c";
  auto appended = Ctl(absl::StrCat("append ", stream, " --expected=no-stream --file=", file));
  EXPECT_EQ(appended.exit_code, 0) << appended.output;
  EXPECT_NE(appended.output.find(R"("positions":["1","2","3"])"), std::string::npos)
      << appended.output;

  auto conflict = Ctl(absl::StrCat("append ", stream, " --expected=no-stream --file=", file));
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_NE(conflict.output.find("ABORTED"), std::string::npos) << conflict.output;
  EXPECT_NE(conflict.output.find("revision 2"), std::string::npos) << conflict.output;

  auto bad = Ctl(absl::StrCat("append ", stream, " --file=/dev/null"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;

  auto read = Ctl(absl::StrCat("read ", stream));
  EXPECT_EQ(read.exit_code, 0) << read.output;
  std::vector<std::string> lines = absl::StrSplit(read.output, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << read.output;
  EXPECT_NE(lines[2].find("Workshop 2"), std::string::npos);

  auto filtered = Ctl("read --type=insight_recorded");
  EXPECT_EQ(filtered.exit_code, 0);
  EXPECT_TRUE(filtered.output.empty()) << filtered.output;

  auto info = Ctl("info");
  EXPECT_NE(info.output.find("head position: 3"), std::string::npos) << info.output;

  auto verify = Ctl("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("OK: 3 events"), std::string::npos) << verify.output;

  // An engagement rule: a session of an engagement never opened is refused, and says why.
  std::string orphan = dir_.Sub("orphan.jsonl");
  {
    std::ofstream out(orphan);
    out << R"({"occurred_at":"2025-05-01T10:00:00Z","organisation":"QWE","actor":"team",)"
        << R"("session_held":{"engagement_id":"9f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c",)"
        << R"("session_id":"6f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c","title":"Orphan",)"
        << R"("method":"ENGAGEMENT_METHOD_FOCUS_GROUP"}})" << "\n";
  }
  auto refused = Ctl(absl::StrCat("append --stream=engagement-x1 --file=", orphan));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("FAILED_PRECONDITION: events[0].session_held.engagement_id"),
            std::string::npos)
      << refused.output;

  ledgerd->Signal(SIGTERM);
  ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(20)));
  EXPECT_EQ(ledgerd->Wait(), 0);
  auto offline = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " verify --data_dir=", data_));
  EXPECT_EQ(offline.exit_code, 0) << offline.output;

  auto unreachable = Ctl("info --timeout_seconds=1");
  EXPECT_EQ(unreachable.exit_code, 4) << unreachable.output;
}

TEST_F(LedgerdTest, SecondLedgerdOnTheSameDataOrPortIsRefusedWithAReason) {
  auto first = StartLedgerd();
  std::string second_log = dir_.Sub("second.log");
  e2e::Process same_data({LEDGERD_PATH, absl::StrCat("--listen=127.0.0.1:", e2e::FreePort()),
                          "--data_dir=" + data_, "--insecure_local"},
                         second_log);
  ASSERT_TRUE(same_data.WaitFor(std::chrono::seconds(20)));
  EXPECT_EQ(same_data.Wait(), 1);
  std::string said = e2e::Run("cat " + second_log).output;
  EXPECT_NE(said.find("another ledgerd"), std::string::npos) << said;

  std::string third_log = dir_.Sub("third.log");
  e2e::Process same_port(
      {LEDGERD_PATH, "--listen=" + address_, "--data_dir=" + dir_.Sub("other"), "--insecure_local"},
      third_log);
  ASSERT_TRUE(same_port.WaitFor(std::chrono::seconds(20)));
  EXPECT_EQ(same_port.Wait(), 1);
  said = e2e::Run("cat " + third_log).output;
  EXPECT_NE(said.find("cannot listen"), std::string::npos) << said;
  EXPECT_TRUE(first->running());
}

TEST_F(LedgerdTest, KillNineMidLoadLosesNoAcknowledgedAppend) {
  auto ledgerd = StartLedgerd();
  {
    engagement::v1::AppendEventsRequest request;
    request.set_stream("engagement-" + testing_support::TestEngagement());
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    *request.add_events() = testing_support::EngagementOpened();
    grpc::ClientContext context;
    engagement::v1::AppendEventsResponse response;
    ASSERT_TRUE(Stub()->AppendEvents(&context, request, &response).ok());
  }
  constexpr int kClients = 8;
  std::mutex mu;
  std::map<std::string, uint64_t> acknowledged;  // event id -> position
  std::atomic<bool> stop{false};
  std::atomic<int> acks{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      auto stub = Stub();
      for (int i = 0; i < 100000 && !stop; ++i) {
        engagement::v1::AppendEventsRequest request;
        request.set_stream(testing_support::EngagementStream());
        request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
        auto* event = request.add_events();
        *event = SessionHeld();
        event->set_event_id(ledger::NewUuid());
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        engagement::v1::AppendEventsResponse response;
        if (!stub->AppendEvents(&context, request, &response).ok()) return;
        std::lock_guard<std::mutex> lock(mu);
        acknowledged[event->event_id()] = response.positions(0);
        ++acks;
      }
    });
  }
  // Kill it once a good number of appends are acknowledged and more are in flight.
  for (int i = 0; i < 1000 && acks < 3000; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ledgerd->Signal(SIGKILL);
  ledgerd->Wait();
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_GT(acknowledged.size(), 100u);

  ledgerd = StartLedgerd();
  std::map<std::string, uint64_t> found;
  {
    auto stub = Stub();
    grpc::ClientContext context;
    auto reader = stub->ReadLog(&context, engagement::v1::ReadLogRequest());
    engagement::v1::ReadLogResponse message;
    while (reader->Read(&message)) {
      EXPECT_TRUE(found.emplace(message.event().event_id(), message.event().position()).second)
          << "event id twice in the log";
    }
    ASSERT_TRUE(reader->Finish().ok());
  }
  size_t missing = 0;
  for (const auto& [id, position] : acknowledged) {
    auto it = found.find(id);
    if (it == found.end()) {
      ++missing;
    } else {
      EXPECT_EQ(it->second, position);
    }
  }
  EXPECT_EQ(missing, 0u) << "acknowledged appends lost after kill -9";
  auto verify = Ctl("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  ledgerd->Signal(SIGTERM);
  ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(20)));
  auto offline = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " verify --data_dir=", data_));
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
}

}  // namespace
