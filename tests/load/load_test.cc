// 200 concurrent clients against a real ledgerd process for a fixed time, mixing appends (with
// exact expected revisions on shared streams, so some conflict), stream reads, ledger info,
// assurance reports and live subscriptions. Nothing may fail but the expected ABORTED conflicts;
// subscribers must see every event in order. p50 and p99 of each call are printed.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/ledgerd_fixture.h"
#include "tests/test_support.h"

namespace {

using e2e::LedgerdTest;
using engagement::v1::LedgerService;
using engagement::v1::ReportService;

constexpr int kClients = 200;
constexpr int kSubscribers = 10;  // of the clients
constexpr int kSharedStreams = 20;
constexpr auto kDuration = std::chrono::seconds(15);

class Latencies {
 public:
  void Add(const std::string& call, double ms) {
    std::lock_guard<std::mutex> lock(mu_);
    samples_[call].push_back(ms);
  }
  void Print() {
    std::lock_guard<std::mutex> lock(mu_);
    std::printf("%-22s %8s %9s %9s\n", "call", "count", "p50 ms", "p99 ms");
    for (auto& [call, values] : samples_) {
      std::sort(values.begin(), values.end());
      auto at = [&](double q) { return values[std::min(values.size() - 1, size_t(q * values.size()))]; };
      std::printf("%-22s %8zu %9.2f %9.2f\n", call.c_str(), values.size(), at(0.5), at(0.99));
    }
  }
  size_t Count(const std::string& call) {
    std::lock_guard<std::mutex> lock(mu_);
    return samples_[call].size();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<double>> samples_;
};

class LoadTest : public LedgerdTest {};

TEST_F(LoadTest, TwoHundredClientsMixingCallsSeeOnlyExpectedConflicts) {
  auto ledgerd = StartLedgerd();
  {
    engagement::v1::AppendEventsRequest open;
    open.set_stream("engagement-" + testing_support::TestEngagement());
    open.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
    *open.add_events() = testing_support::EngagementOpened();
    grpc::ClientContext context;
    engagement::v1::AppendEventsResponse response;
    ASSERT_TRUE(Stub()->AppendEvents(&context, open, &response).ok());
  }
  std::vector<std::string> streams;
  for (int i = 0; i < kSharedStreams; ++i) streams.push_back(testing_support::EngagementStream());

  Latencies latencies;
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0}, conflicts{0};
  std::mutex errors_mu;
  std::map<std::string, int> errors;  // "call: CODE message" -> count
  auto record_error = [&](const std::string& call, const grpc::Status& status) {
    ++unexpected;
    std::lock_guard<std::mutex> lock(errors_mu);
    ++errors[call + ": " + std::to_string(status.error_code()) + " " + status.error_message()];
  };
  auto timed = [&](const std::string& call, auto&& fn) {
    auto start = std::chrono::steady_clock::now();
    grpc::Status status = fn();
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (status.ok()) {
      latencies.Add(call, took.count());
    } else if (call == "AppendEvents" && status.error_code() == grpc::StatusCode::ABORTED) {
      ++conflicts;
      latencies.Add("AppendEvents (ABORTED)", took.count());
    } else if (!stop) {
      record_error(call, status);
    }
  };

  std::vector<std::thread> clients;
  std::atomic<int> subscribers_out_of_order{0};
  std::atomic<uint64_t> subscribed_events{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      std::shared_ptr<grpc::Channel> channel = Channel();
      auto ledger = LedgerService::NewStub(channel);
      if (c < kSubscribers) {
        grpc::ClientContext context;
        auto reader = ledger->SubscribeLog(&context, engagement::v1::SubscribeLogRequest());
        engagement::v1::SubscribeLogResponse message;
        uint64_t last = 0;
        std::thread canceller([&] {
          while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
          context.TryCancel();
        });
        while (reader->Read(&message)) {
          if (!message.has_event()) continue;
          if (message.event().position() != last + 1) ++subscribers_out_of_order;
          last = message.event().position();
          ++subscribed_events;
        }
        canceller.join();
        grpc::Status status = reader->Finish();
        if (status.error_code() != grpc::StatusCode::CANCELLED) record_error("SubscribeLog", status);
        return;
      }
      auto reports = ReportService::NewStub(channel);
      std::mt19937 random(c);
      while (!stop) {
        const int choice = random() % 100;
        const std::string& stream = streams[random() % streams.size()];
        if (choice < 55) {
          // Read the stream's revision, then append at exactly it: others may get there first.
          engagement::v1::GetStreamInfoRequest info_request;
          info_request.set_stream(stream);
          engagement::v1::GetStreamInfoResponse info;
          grpc::ClientContext info_context;
          grpc::Status found = ledger->GetStreamInfo(&info_context, info_request, &info);
          engagement::v1::AppendEventsRequest request;
          request.set_stream(stream);
          if (found.ok()) {
            request.mutable_expected()->set_revision(info.revision());
          } else {
            request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
          }
          *request.add_events() = testing_support::SessionHeld();
          timed("AppendEvents", [&] {
            grpc::ClientContext context;
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
            engagement::v1::AppendEventsResponse response;
            grpc::Status status = ledger->AppendEvents(&context, request, &response);
            // A NO_STREAM append that lost the race to create the stream is a conflict too.
            return status;
          });
        } else if (choice < 75) {
          timed("ReadStream", [&] {
            engagement::v1::ReadStreamRequest request;
            request.set_stream(stream);
            request.set_limit(50);
            grpc::ClientContext context;
            auto reader = ledger->ReadStream(&context, request);
            engagement::v1::ReadStreamResponse message;
            while (reader->Read(&message)) {
            }
            grpc::Status status = reader->Finish();
            // A stream not yet created by any append is NOT_FOUND: expected early on.
            return status.error_code() == grpc::StatusCode::NOT_FOUND ? grpc::Status::OK : status;
          });
        } else if (choice < 90) {
          timed("GetLedgerInfo", [&] {
            grpc::ClientContext context;
            engagement::v1::GetLedgerInfoResponse info;
            return ledger->GetLedgerInfo(&context, {}, &info);
          });
        } else {
          timed("GetAssuranceReport", [&] {
            engagement::v1::GetAssuranceReportRequest request;
            request.set_organisation("QWE");
            request.set_period_start("2025-04-01");
            request.set_period_end("2026-03-31");
            grpc::ClientContext context;
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
            engagement::v1::GetAssuranceReportResponse response;
            return reports->GetAssuranceReport(&context, request, &response);
          });
        }
      }
    });
  }
  std::this_thread::sleep_for(kDuration);
  stop = true;
  for (auto& client : clients) client.join();

  std::printf("%d clients (%d subscribers) for %lld s: %d ABORTED conflicts, %llu events to "
              "subscribers\n",
              kClients, kSubscribers, static_cast<long long>(kDuration.count()), conflicts.load(),
              static_cast<unsigned long long>(subscribed_events.load()));
  latencies.Print();
  for (const auto& [error, count] : errors) std::printf("UNEXPECTED %dx %s\n", count, error.c_str());
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(subscribers_out_of_order.load(), 0);
  EXPECT_GT(latencies.Count("AppendEvents"), 100u);
  EXPECT_GT(latencies.Count("GetAssuranceReport"), 10u);
  EXPECT_GT(subscribed_events.load(), static_cast<uint64_t>(kSubscribers));
  auto verify = Ctl("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
