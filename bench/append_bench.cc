// Durable appends over gRPC on loopback: throughput and latency, printed as a table.
//
//   build/bench/append_bench [--seconds=5] [--data_dir=/tmp/...] [--scenarios=1x1,16x1,64x1,16x100]
//       [--random_client_ids] [--null_calls] [--follow_projections=false] [--stream_depth=N]
//
// Each scenario "CxB" runs C concurrent clients, each appending batches of B events (one stream
// per batch, expected revision "any") in a closed loop for --seconds. Every append is synced to
// disk before it is acknowledged (the server's default), so the figures are durable appends.
#include <grpcpp/grpcpp.h>

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <atomic>
#include <cstdio>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "ledger/uuid.h"
#include "bench/bench_server.h"
#include "bench/stream_producer.h"

ABSL_FLAG(double, seconds, 5, "how long each scenario runs");
ABSL_FLAG(std::string, nats_servers, "",
          "run the server as the leader of a replicated ledger on these NATS servers (comma-"
          "separated URLs; docs/replication.md); empty: a single node");
ABSL_FLAG(int, nats_replicas, 3, "with --nats_servers: the stream's replicas (1, 3 or 5)");
ABSL_FLAG(std::string, tls_cert, "",
          "serve TLS with this certificate (PEM; its SAN must name 127.0.0.1), clients verifying "
          "it against --tls_ca; default plain text on loopback (local mode). Callers are always "
          "authenticated with a bearer token.");
ABSL_FLAG(std::string, tls_key, "", "the certificate's private key (PEM)");
ABSL_FLAG(std::string, tls_ca, "", "the CA the clients verify the server against (PEM)");
ABSL_FLAG(std::string, data_dir, "", "where the server keeps its log (default: a fresh temp dir)");
ABSL_FLAG(std::string, scenarios, "1x1,16x1,64x1,16x100", "clients x batch size, comma-separated");
ABSL_FLAG(int, channels, 8, "gRPC channels (TCP connections) the clients share");
ABSL_FLAG(int, idle_subscribers, 0,
          "SubscribeLog calls opened first whose clients never read (what they cost the appends)");
ABSL_FLAG(uint64_t, max_writing_subscriptions, 4,
          "the server's ledgerd --max_writing_subscriptions (0: no limit)");
ABSL_FLAG(int, subscriber_batch, 0,
          "the idle subscribers ask for this many events per message (SubscribeLog's "
          "events_per_message; 0: one each)");
ABSL_FLAG(bool, null_calls, false,
          "call GetLedgerInfo (an empty request, no storage work) instead of AppendEvents: what "
          "a gRPC call alone costs on this machine (meaningful for single-event scenarios)");
ABSL_FLAG(bool, random_client_ids, false,
          "the clients name streams and sessions with random (version 4) UUIDs instead of "
          "time-ordered ones (version 7, as ledgerctl and the ledger make them): the ledger's "
          "indexes then grow at random places");
ABSL_FLAG(int, stream_depth, 0,
          "0: each client calls AppendEvents once per append (a closed loop); N: each client is "
          "one AppendStream call keeping up to N appends in flight");
ABSL_FLAG(bool, follow_projections, true,
          "keep the projections up to date while appending, as ledgerd does (they share the cores)");

namespace {

// An id for a stream or a session, as the benchmark's clients make them (--random_client_ids).
std::string ClientId() {
  static const bool random = absl::GetFlag(FLAGS_random_client_ids);
  if (!random) return ledger::NewUuid();
  thread_local absl::BitGen bits;
  return ledger::FormatUuidV4(absl::Uniform<uint64_t>(bits), absl::Uniform<uint64_t>(bits));
}

engagement::v1::Event MakeEvent() { return bench::SessionEvent(ClientId()); }

// CPU time (user + system) of the whole process so far: client, server and RocksDB together.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Outcome {
  double cpu_us_per_event;  // process CPU time / events: steadier than the rate on a shared VM
  double events_per_second;
  double appends_per_second;
  double p50_ms, p99_ms;
  int errors;
};

// One closed-loop client: issues an append, and when it completes records its latency and issues
// the next, until the deadline. Uses gRPC's callback API, so that 64 clients need no 64 threads
// (the client shares the machine's two cores with the server).
class Client {
 public:
  Client(engagement::v1::LedgerService::Stub* stub, int batch, absl::Time end,
         std::atomic<int>* running)
      : stub_(stub), end_(end), running_(running) {
    request_.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
    for (int i = 0; i < batch; ++i) *request_.add_events() = MakeEvent();
  }
  void Start() { Issue(); }
  std::vector<double> latencies;
  int errors = 0;

 private:
  void Issue() {
    if (absl::Now() >= end_) {
      --*running_;
      return;
    }
    request_.set_stream("engagement-" + ClientId());
    // A session is recorded once: every append brings new sessions.
    for (auto& event : *request_.mutable_events()) {
      event.mutable_session_held()->set_session_id(ClientId());
    }
    context_ = std::make_unique<grpc::ClientContext>();
    response_.Clear();
    start_ = absl::Now();
    auto done = [this](grpc::Status s) {
      latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - start_));
      if (!s.ok()) ++errors;
      Issue();
    };
    if (null_calls_) {
      stub_->async()->GetLedgerInfo(context_.get(), &info_request_, &info_response_, done);
    } else {
      stub_->async()->AppendEvents(context_.get(), &request_, &response_, done);
    }
  }

  engagement::v1::LedgerService::Stub* stub_;
  absl::Time end_;
  std::atomic<int>* running_;
  engagement::v1::AppendEventsRequest request_;
  engagement::v1::AppendEventsResponse response_;
  const bool null_calls_ = absl::GetFlag(FLAGS_null_calls);
  engagement::v1::GetLedgerInfoRequest info_request_;
  engagement::v1::GetLedgerInfoResponse info_response_;
  std::unique_ptr<grpc::ClientContext> context_;
  absl::Time start_;
};

Outcome RunScenario(const std::vector<std::unique_ptr<engagement::v1::LedgerService::Stub>>& stubs,
                    int clients, int batch, absl::Duration duration) {
  std::atomic<int> running{clients};
  const double cpu_start = ProcessCpuSeconds();
  absl::Time start = absl::Now();
  absl::Time end = start + duration;
  std::vector<std::unique_ptr<Client>> all_clients;
  std::vector<std::unique_ptr<StreamProducer>> producers;
  const int depth = absl::GetFlag(FLAGS_stream_depth);
  if (depth > 0) {
    auto next = [batch](engagement::v1::AppendEventsRequest* append) {
      if (append->events_size() == 0) {
        append->mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
        for (int i = 0; i < batch; ++i) *append->add_events() = MakeEvent();
      }
      append->set_stream("engagement-" + ClientId());
      for (auto& event : *append->mutable_events()) {
        event.mutable_session_held()->set_session_id(ClientId());
      }
    };
    for (int c = 0; c < clients; ++c) {
      producers.push_back(std::make_unique<StreamProducer>(stubs[c % stubs.size()].get(), depth,
                                                           end, next, &running));
    }
  } else {
    for (int c = 0; c < clients; ++c) {
      all_clients.push_back(
          std::make_unique<Client>(stubs[c % stubs.size()].get(), batch, end, &running));
    }
    for (auto& client : all_clients) client->Start();
  }
  while (running > 0) absl::SleepFor(absl::Milliseconds(5));
  double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  const double cpu = ProcessCpuSeconds() - cpu_start;
  std::vector<double> all;
  int errors = 0;
  for (auto& client : all_clients) {
    all.insert(all.end(), client->latencies.begin(), client->latencies.end());
    errors += client->errors;
  }
  for (auto& producer : producers) {
    all.insert(all.end(), producer->latencies.begin(), producer->latencies.end());
    errors += producer->errors;
  }
  std::sort(all.begin(), all.end());
  Outcome outcome{};
  outcome.appends_per_second = all.size() / elapsed;
  outcome.events_per_second = all.size() * batch / elapsed;
  outcome.cpu_us_per_event = all.empty() ? 0 : cpu * 1e6 / (all.size() * batch);
  outcome.p50_ms = all.empty() ? 0 : all[all.size() / 2];
  outcome.p99_ms = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  outcome.errors = errors;
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  bench::BenchServerOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.follow_projections = absl::GetFlag(FLAGS_follow_projections);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.tls_ca = absl::GetFlag(FLAGS_tls_ca);
  options.channels = absl::GetFlag(FLAGS_channels);
  options.max_writing_subscriptions = absl::GetFlag(FLAGS_max_writing_subscriptions);
  options.nats_servers = absl::StrSplit(absl::GetFlag(FLAGS_nats_servers), ',', absl::SkipEmpty());
  options.nats_replicas = absl::GetFlag(FLAGS_nats_replicas);
  absl::StatusOr<std::unique_ptr<bench::BenchServer>> started = bench::StartBenchServer(options);
  if (!started.ok()) {
    std::fprintf(stderr, "append_bench: %s\n", started.status().ToString().c_str());
    return 1;
  }
  bench::BenchServer& bench_server = **started;
  const auto& channels = bench_server.stubs;
  const std::string& dir = bench_server.dir;
  // Subscribers that never read: each holds its place in the server until the end.
  std::vector<std::unique_ptr<grpc::ClientContext>> idle_contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<engagement::v1::SubscribeLogResponse>>> idle;
  for (int i = 0; i < absl::GetFlag(FLAGS_idle_subscribers); ++i) {
    idle_contexts.push_back(std::make_unique<grpc::ClientContext>());
    engagement::v1::SubscribeLogRequest subscribe;
    subscribe.set_events_per_message(absl::GetFlag(FLAGS_subscriber_batch));
    idle.push_back(channels[i % channels.size()]->SubscribeLog(idle_contexts.back().get(), subscribe));
  }
  if (!idle.empty()) std::printf("%zu subscribers open that never read\n", idle.size());
  std::printf("Durable appends over gRPC on 127.0.0.1 (fsync per group commit), %s, %s, bearer "
              "token checked on every call, %g s each; data in %s\n",
              absl::GetFlag(FLAGS_tls_cert).empty() ? "plain text" : "TLS",
              absl::GetFlag(FLAGS_stream_depth) > 0
                  ? absl::StrCat("AppendStream with up to ", absl::GetFlag(FLAGS_stream_depth),
                                 " appends in flight per client").c_str()
                  : "AppendEvents, one call per append",
              absl::GetFlag(FLAGS_seconds), dir.c_str());
  std::printf("%-8s %-6s %14s %14s %10s %10s %13s %7s\n", "clients", "batch", "events/s",
              "appends/s", "p50 ms", "p99 ms", "CPU us/event", "errors");
  for (absl::string_view scenario : absl::StrSplit(absl::GetFlag(FLAGS_scenarios), ',')) {
    std::vector<std::string> parts = absl::StrSplit(scenario, 'x');
    int clients = 0, batch = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &clients) ||
        !absl::SimpleAtoi(parts[1], &batch)) {
      std::fprintf(stderr, "append_bench: bad scenario %s\n", std::string(scenario).c_str());
      return 2;
    }
    Outcome o = RunScenario(channels, clients, batch, absl::Seconds(absl::GetFlag(FLAGS_seconds)));
    if (o.errors > 0) {
      std::fprintf(stderr, "append_bench: %d appends failed; the figures do not count\n", o.errors);
    }
    std::printf("%-8d %-6d %14.0f %14.0f %10.2f %10.2f %13.1f %7d\n", clients, batch,
                o.events_per_second, o.appends_per_second, o.p50_ms, o.p99_ms, o.cpu_us_per_event,
                o.errors);
    std::fflush(stdout);
  }
  for (auto& context : idle_contexts) context->TryCancel();
  idle.clear();
  return 0;
}
