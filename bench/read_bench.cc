// Reads over gRPC on loopback: one stream of --stream_events events read whole, by 1 and 16
// clients at once, and a full scan of the log, printed as a table.
//
//   build/bench/read_bench [--seconds=5] [--log_events=100000] [--stream_events=1000]
//       [--clients=1,16] [--data_dir=DIR]
//
// The log is filled first (the stream, then other events in batches of 100 to their own
// streams); reads are ReadStream and ReadLog as any client calls them, with the operator's
// token, so the figures include authentication, decoding and gRPC.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/bench_server.h"

ABSL_FLAG(double, seconds, 5, "how long each stream-read scenario runs");
ABSL_FLAG(uint64_t, log_events, 100000, "events in the log besides the stream read");
ABSL_FLAG(uint64_t, stream_events, 1000, "events in the stream read whole");
ABSL_FLAG(std::string, clients, "1,16", "concurrent stream readers, comma-separated");
ABSL_FLAG(std::string, data_dir, "", "where the server keeps its log (default: a fresh temp dir)");

namespace {

using engagement::v1::LedgerService;

bool AppendBatch(LedgerService::Stub& stub, const std::string& stream, uint64_t events) {
  engagement::v1::AppendEventsRequest request;
  request.set_stream(stream);
  request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
  for (uint64_t i = 0; i < events; ++i) *request.add_events() = bench::SessionEvent(ledger::NewUuid());
  grpc::ClientContext context;
  engagement::v1::AppendEventsResponse response;
  grpc::Status status = stub.AppendEvents(&context, request, &response);
  if (!status.ok()) std::fprintf(stderr, "read_bench: append: %s\n", status.error_message().c_str());
  return status.ok();
}

// Fills the log: `stream` with `stream_events`, then `others` events in batches of 100.
bool Fill(bench::BenchServer& server, const std::string& stream, uint64_t stream_events,
          uint64_t others) {
  for (uint64_t done = 0; done < stream_events; done += 100) {
    if (!AppendBatch(*server.stubs[0], stream, std::min<uint64_t>(100, stream_events - done))) {
      return false;
    }
  }
  std::atomic<uint64_t> next{0};
  std::atomic<bool> ok{true};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      while (ok) {
        uint64_t start = next.fetch_add(100);
        if (start >= others) return;
        if (!AppendBatch(*server.stubs[t % server.stubs.size()], "engagement-" + ledger::NewUuid(),
                         std::min<uint64_t>(100, others - start))) {
          ok = false;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  return ok;
}

// Reads `stream` whole; the number of events, or -1 on an error.
int64_t ReadWhole(LedgerService::Stub& stub, const std::string& stream) {
  grpc::ClientContext context;
  engagement::v1::ReadStreamRequest request;
  request.set_stream(stream);
  auto reader = stub.ReadStream(&context, request);
  engagement::v1::ReadStreamResponse message;
  int64_t events = 0;
  while (reader->Read(&message)) ++events;
  return reader->Finish().ok() ? events : -1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  bench::BenchServerOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.follow_projections = false;  // reads only: the projections would only share the cores
  absl::StatusOr<std::unique_ptr<bench::BenchServer>> started = bench::StartBenchServer(options);
  if (!started.ok()) {
    std::fprintf(stderr, "read_bench: %s\n", started.status().ToString().c_str());
    return 1;
  }
  bench::BenchServer& server = **started;
  const std::string stream = "engagement-" + ledger::NewUuid();
  const uint64_t stream_events = absl::GetFlag(FLAGS_stream_events);
  const absl::Time fill_start = absl::Now();
  if (!Fill(server, stream, stream_events, absl::GetFlag(FLAGS_log_events))) return 1;
  const uint64_t total = server.server->log()->Head().position;
  std::printf("Reads over gRPC on 127.0.0.1, bearer token checked on every call; a log of %llu "
              "events (filled in %.1f s); data in %s\n",
              static_cast<unsigned long long>(total),
              absl::ToDoubleSeconds(absl::Now() - fill_start), server.dir.c_str());
  std::printf("%-34s %8s %12s %12s %10s %10s\n", "workload", "clients", "reads/s", "events/s",
              "p50 ms", "p99 ms");
  for (absl::string_view text : absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
    int clients = 0;
    if (!absl::SimpleAtoi(text, &clients) || clients <= 0) {
      std::fprintf(stderr, "read_bench: bad --clients %s\n", std::string(text).c_str());
      return 2;
    }
    const absl::Time end = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
    const absl::Time start = absl::Now();
    std::vector<std::vector<double>> latencies(clients);
    std::atomic<int> errors{0};
    std::vector<std::thread> readers;
    for (int c = 0; c < clients; ++c) {
      readers.emplace_back([&, c] {
        while (absl::Now() < end) {
          absl::Time t = absl::Now();
          if (ReadWhole(*server.stubs[c % server.stubs.size()], stream) !=
              static_cast<int64_t>(stream_events)) {
            ++errors;
          }
          latencies[c].push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
        }
      });
    }
    for (auto& reader : readers) reader.join();
    const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    if (errors > 0) std::fprintf(stderr, "read_bench: %d reads failed\n", errors.load());
    std::printf("%-34s %8d %12.1f %12.0f %10.2f %10.2f\n",
                absl::StrCat("one stream of ", stream_events, " events").c_str(), clients,
                all.size() / elapsed, all.size() * stream_events / elapsed,
                all.empty() ? 0 : all[all.size() / 2],
                all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)]);
    std::fflush(stdout);
  }
  // The whole log, once, as an auditor's client reads it.
  grpc::ClientContext context;
  engagement::v1::ReadLogRequest request;
  request.set_from_position(1);
  const absl::Time start = absl::Now();
  auto reader = server.stubs[0]->ReadLog(&context, request);
  engagement::v1::ReadLogResponse message;
  uint64_t events = 0;
  while (reader->Read(&message)) ++events;
  grpc::Status status = reader->Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!status.ok() || events != total) {
    std::fprintf(stderr, "read_bench: the scan read %llu of %llu events: %s\n",
                 static_cast<unsigned long long>(events), static_cast<unsigned long long>(total),
                 status.error_message().c_str());
    return 1;
  }
  std::printf("%-34s %8d %12.2f %12.0f %10.0f %10s\n", "full scan of the log", 1, 1 / seconds,
              events / seconds, seconds * 1000, "-");
  return 0;
}
