// Live subscribers and appends together: what many subscribers cost the appends, and how soon
// each subscriber gets each event.
//
//   build/bench/subscriber_bench [--subscribers=500] [--events_per_message=1] [--rate=0]
//       [--clients=16] [--seconds=5] [--max_writing_subscriptions=4]
//
// The ledger runs in this process (local mode, 127.0.0.1); the subscribers run in a second
// process (this program again, with --subscribe_to), as they would on other machines, each
// subscribing from the head. Then --clients append single events for --seconds, as fast as they
// can (--rate=0) or at --rate appends/s in all. Printed: the appends' rate and latency; how long
// events took to reach the subscribers (from the event's recorded_at, set at its commit, to its
// arrival), over every event every subscriber received; how long the subscribers took to catch
// up once the appends stopped; and the resident memory of both processes.
#include <grpcpp/grpcpp.h>

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/bench_server.h"
#include "bench/subscriber_fleet.h"

ABSL_FLAG(int, subscribers, 500, "live SubscribeLog calls, in a second process");
ABSL_FLAG(int, events_per_message, 1, "SubscribeLog's events_per_message for every subscriber");
ABSL_FLAG(double, rate, 0, "appends per second in all; 0: as fast as the clients can");
ABSL_FLAG(int, clients, 16, "appending clients (each a thread calling AppendEvents)");
ABSL_FLAG(double, seconds, 5, "how long the clients append");
ABSL_FLAG(uint64_t, max_writing_subscriptions, 4,
          "the server's ledgerd --max_writing_subscriptions (0: no limit)");
ABSL_FLAG(double, catch_up_limit, 60,
          "seconds the subscribers may take to catch up once the appends stop; those still behind "
          "are counted as lagging");
ABSL_FLAG(int, subscriber_nice, 0,
          "the subscribers' process runs at this nice value: 19 stands for subscribers on other "
          "machines, leaving this one's cores to the ledger");
ABSL_FLAG(int, subscriber_channels, 16, "gRPC channels (TCP connections) the subscribers share");
// The subscribers' process: given by the parent, not by hand.
ABSL_FLAG(std::string, subscribe_to, "", "(subscribers' process) the ledger's host:port");
ABSL_FLAG(std::string, token_file, "", "(subscribers' process) the bearer token's file");
ABSL_FLAG(uint64_t, from_position, 1, "(subscribers' process) where the subscriptions start");

namespace {

double ResidentMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmRSS:")) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
      double kib = 0;
      if (parts.size() >= 2 && absl::SimpleAtod(parts[1], &kib)) return kib / 1024;
    }
  }
  return 0;
}

// The subscribers' process: opens them, says "ready" once all have caught up, reads the head
// the appends ended at, and once every subscriber has reached it (or a minute has passed)
// prints one line of figures.
int RunFleet() {
  if (setpriority(PRIO_PROCESS, 0, absl::GetFlag(FLAGS_subscriber_nice)) != 0) {
    std::fprintf(stderr, "subscribers: cannot set the nice value\n");
  }
  absl::StatusOr<std::string> token = services::ReadTokenFile(absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) {
    std::fprintf(stderr, "subscribers: %s\n", token.status().ToString().c_str());
    return 1;
  }
  services::ClientCredentials credentials;
  credentials.token = *token;
  std::vector<std::unique_ptr<engagement::v1::LedgerService::Stub>> stubs;
  for (int i = 0; i < absl::GetFlag(FLAGS_subscriber_channels); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);
    auto channel = services::MakeChannel(absl::GetFlag(FLAGS_subscribe_to), credentials, args);
    if (!channel.ok()) {
      std::fprintf(stderr, "subscribers: %s\n", channel.status().ToString().c_str());
      return 1;
    }
    stubs.push_back(engagement::v1::LedgerService::NewStub(*channel));
  }
  auto histogram = std::make_unique<bench::LatencyHistogram>();
  std::vector<std::unique_ptr<bench::FleetSubscriber>> fleet;
  for (int i = 0; i < absl::GetFlag(FLAGS_subscribers); ++i) {
    fleet.push_back(std::make_unique<bench::FleetSubscriber>(
        stubs[i % stubs.size()].get(), absl::GetFlag(FLAGS_from_position),
        absl::GetFlag(FLAGS_events_per_message), histogram.get()));
  }
  auto wait_for = [&](auto reached, absl::Duration limit) {
    const absl::Time end = absl::Now() + limit;
    int missing = 0;
    do {
      missing = 0;
      for (auto& s : fleet) missing += (!reached(*s) && !s->done()) ? 1 : 0;
      if (missing == 0) break;
      absl::SleepFor(absl::Milliseconds(2));
    } while (absl::Now() < end);
    return missing;
  };
  int not_ready = wait_for([](bench::FleetSubscriber& s) { return s.caught_up(); },
                           absl::Seconds(120));
  std::printf("ready %d\n", not_ready);
  std::fflush(stdout);
  uint64_t head = 0;
  std::string line;
  if (!std::getline(std::cin, line) || !absl::SimpleAtoi(line, &head)) return 1;
  const absl::Time start = absl::Now();
  int lagging = wait_for([head](bench::FleetSubscriber& s) { return s.last_position() >= head; },
                         absl::Seconds(absl::GetFlag(FLAGS_catch_up_limit)));
  const double drain_ms = absl::ToDoubleMilliseconds(absl::Now() - start);
  int ended = 0;
  for (auto& s : fleet) ended += s->done() ? 1 : 0;
  std::printf("%llu %.1f %.1f %.1f %.0f %d %d %.0f\n",
              static_cast<unsigned long long>(histogram->Count()), histogram->QuantileMs(0.5),
              histogram->QuantileMs(0.99), histogram->QuantileMs(1.0), drain_ms, lagging, ended,
              ResidentMib());
  std::fflush(stdout);
  for (auto& s : fleet) s->Cancel();
  for (auto& s : fleet) s->Await();
  return 0;
}

struct AppendFigures {
  double appends_per_second = 0, p50_ms = 0, p99_ms = 0;
  int errors = 0;
};

// --clients threads appending single events, paced to --rate in all when it is set.
AppendFigures Append(bench::BenchServer& server) {
  const int clients = absl::GetFlag(FLAGS_clients);
  const double rate = absl::GetFlag(FLAGS_rate);
  const absl::Duration interval =
      rate > 0 ? absl::Seconds(clients / rate) : absl::ZeroDuration();
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<std::vector<double>> latencies(clients);
  std::vector<int> errors(clients, 0);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto* stub = server.stubs[c % server.stubs.size()].get();
      absl::Time next = start + interval * c / clients;
      while (true) {
        if (interval > absl::ZeroDuration()) {
          absl::Time now = absl::Now();
          if (next > now) absl::SleepFor(next - now);
          next += interval;
        }
        if (absl::Now() >= end) break;
        engagement::v1::AppendEventsRequest request;
        request.set_stream("engagement-" + ledger::NewUuid());
        request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
        *request.add_events() = bench::SessionEvent(ledger::NewUuid());
        grpc::ClientContext context;
        engagement::v1::AppendEventsResponse response;
        const absl::Time sent = absl::Now();
        grpc::Status status = stub->AppendEvents(&context, request, &response);
        latencies[c].push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
        if (!status.ok()) ++errors[c];
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  AppendFigures figures;
  for (int c = 0; c < clients; ++c) {
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    figures.errors += errors[c];
  }
  std::sort(all.begin(), all.end());
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  figures.appends_per_second = all.size() / elapsed;
  if (!all.empty()) {
    figures.p50_ms = all[all.size() / 2];
    figures.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return figures;
}

uint64_t HeadPosition(bench::BenchServer& server) {
  grpc::ClientContext context;
  engagement::v1::GetLedgerInfoResponse info;
  server.stubs[0]->GetLedgerInfo(&context, {}, &info).ok();
  return info.head_position();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_subscribe_to).empty()) return RunFleet();

  const int subscribers = absl::GetFlag(FLAGS_subscribers);
  bench::BenchServerOptions options;
  options.max_writing_subscriptions = absl::GetFlag(FLAGS_max_writing_subscriptions);
  options.max_subscriptions = static_cast<uint64_t>(subscribers) + 10;
  absl::StatusOr<std::unique_ptr<bench::BenchServer>> started = bench::StartBenchServer(options);
  if (!started.ok()) {
    std::fprintf(stderr, "subscriber_bench: %s\n", started.status().ToString().c_str());
    return 1;
  }
  bench::BenchServer& server = **started;
  const double rss_alone = ResidentMib();

  // The subscribers' process, talking over two pipes.
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) return 1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  posix_spawn_file_actions_addclose(&actions, to_child[1]);
  posix_spawn_file_actions_addclose(&actions, from_child[0]);
  std::vector<std::string> args = {
      "subscriber_bench",
      absl::StrCat("--subscribe_to=127.0.0.1:", server.server->port()),
      "--token_file=" + server.server->local_credentials_directory() + "/operator.token",
      absl::StrCat("--subscribers=", subscribers),
      absl::StrCat("--events_per_message=", absl::GetFlag(FLAGS_events_per_message)),
      absl::StrCat("--subscriber_channels=", absl::GetFlag(FLAGS_subscriber_channels)),
      absl::StrCat("--catch_up_limit=", absl::GetFlag(FLAGS_catch_up_limit)),
      absl::StrCat("--subscriber_nice=", absl::GetFlag(FLAGS_subscriber_nice)),
      absl::StrCat("--from_position=", HeadPosition(server) + 1)};
  std::vector<char*> argv_child;
  for (auto& a : args) argv_child.push_back(a.data());
  argv_child.push_back(nullptr);
  pid_t child = 0;
  if (posix_spawn(&child, "/proc/self/exe", &actions, nullptr, argv_child.data(), environ) != 0) {
    std::fprintf(stderr, "subscriber_bench: cannot start the subscribers' process\n");
    return 1;
  }
  close(to_child[0]);
  close(from_child[1]);
  FILE* child_out = fdopen(from_child[0], "r");
  char line[256];
  if (fgets(line, sizeof line, child_out) == nullptr) {
    std::fprintf(stderr, "subscriber_bench: the subscribers' process ended early\n");
    return 1;
  }
  const double rss_subscribed = ResidentMib();
  std::printf("%d subscribers (%d events per message) in a second process at nice %d, %s; ledger "
              "RSS %.0f MiB alone, %.0f MiB with them (%s)\n",
              subscribers, absl::GetFlag(FLAGS_events_per_message),
              absl::GetFlag(FLAGS_subscriber_nice),
              absl::GetFlag(FLAGS_rate) > 0
                  ? absl::StrCat(absl::GetFlag(FLAGS_clients), " clients appending ",
                                 absl::GetFlag(FLAGS_rate), " single events/s in all").c_str()
                  : absl::StrCat(absl::GetFlag(FLAGS_clients),
                                 " clients appending single events as fast as they can").c_str(),
              rss_alone, rss_subscribed, std::string(absl::StripAsciiWhitespace(line)).c_str());
  AppendFigures appended = Append(server);
  const double rss_appending = ResidentMib();
  const std::string head = absl::StrCat(HeadPosition(server), "\n");
  if (write(to_child[1], head.data(), head.size()) != static_cast<ssize_t>(head.size())) return 1;
  if (fgets(line, sizeof line, child_out) == nullptr) {
    std::fprintf(stderr, "subscriber_bench: the subscribers' process ended early\n");
    return 1;
  }
  unsigned long long received = 0;
  double p50 = 0, p99 = 0, max = 0, drain = 0, child_rss = 0;
  int lagging = 0, ended = 0;
  std::sscanf(line, "%llu %lf %lf %lf %lf %d %d %lf", &received, &p50, &p99, &max, &drain,
              &lagging, &ended, &child_rss);
  std::printf("%12s %8s %8s %7s | %12s %9s %9s %9s %10s %8s %6s | %9s %9s\n", "appends/s",
              "p50 ms", "p99 ms", "errors", "delivered", "p50 ms", "p99 ms", "max ms",
              "catch-up ms", "lagging", "ended", "ledger MiB", "subs MiB");
  std::printf("%12.0f %8.2f %8.2f %7d | %12llu %9.1f %9.1f %9.1f %10.0f %8d %6d | %9.0f %9.0f\n",
              appended.appends_per_second, appended.p50_ms, appended.p99_ms, appended.errors,
              received, p50, p99, max, drain, lagging, ended, rss_appending, child_rss);
  close(to_child[1]);
  int status = 0;
  waitpid(child, &status, 0);
  return appended.errors == 0 && lagging == 0 && ended == 0 ? 0 : 1;
}
