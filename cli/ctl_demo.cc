// ledgerctl demo: appends the demo programme (services/demo_programme.h) to a server.
//
// Every append uses expected revision "any" and carries event ids derived from the seed, so the
// command is idempotent: run again, every append comes back already_appended and nothing is
// written; interrupted, a second run finishes the job.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/ctl_commands.h"
#include "demo/demo_programme.h"

namespace ctl {
namespace {

std::string DateOf(const engagement::v1::Event& event) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(event.occurred_at().seconds()),
                          absl::UTCTimeZone());
}

}  // namespace

int Demo(const Options& options) {
  const uint64_t seed = options.seed == 0 ? demo::kDefaultSeed : options.seed;
  demo::DemoProgramme programme = demo::BuildDemoProgramme(seed);
  const size_t total = programme.appends.size();
  std::printf("ledgerctl demo: %zu events in %zu appends for organisation %s (seed %llu) to %s\n",
              programme.event_count(), total, demo::kOrganisation,
              static_cast<unsigned long long>(seed), options.server.c_str());
  std::fflush(stdout);

  auto stub = Connect(options);
  size_t appended = 0, already = 0;
  for (size_t i = 0; i < total; ++i) {
    const demo::DemoAppend& append = programme.appends[i];
    engagement::v1::AppendEventsRequest request;
    request.set_stream(append.stream);
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
    for (const auto& event : append.events) *request.add_events() = event;
    grpc::ClientContext context;
    SetDeadline(&context, options);
    engagement::v1::AppendEventsResponse response;
    grpc::Status status = stub->AppendEvents(&context, request, &response);
    if (!status.ok()) {
      std::fprintf(stderr, "ledgerctl demo: append %zu of %zu (stream %s, %s) failed\n", i + 1,
                   total, append.stream.c_str(), DateOf(append.events.front()).c_str());
      std::printf("stopped: %zu events appended, %zu were already in the ledger\n", appended,
                  already);
      return Report(status, options);
    }
    (response.already_appended() ? already : appended) += append.events.size();
    if ((i + 1) % 25 == 0 || i + 1 == total) {
      std::printf("  %4zu/%zu appends, up to %s: %zu events appended, %zu already there\n", i + 1,
                  total, DateOf(append.events.back()).c_str(), appended, already);
      std::fflush(stdout);
    }
  }

  std::map<std::string, int> counts = programme.CountByType();
  std::printf("done: %zu events, %zu appended now, %zu already in the ledger%s\n",
              programme.event_count(), appended, already,
              appended == 0 ? " (nothing to do: the demo was loaded before)" : "");
  std::printf("  engagements:  %d (one closed with its evaluation, one closed without, one open)\n",
              programme.engagements);
  std::printf("  participants: %d registered (fictional people)\n", programme.participants);
  std::printf("  decisions:    %d\n", programme.decisions);
  std::printf("  events by kind:\n");
  for (const auto& [kind, n] : counts) std::printf("    %-26s %4d\n", kind.c_str(), n);
  std::printf("  engagement streams:\n");
  for (const demo::DemoAppend& append : programme.appends) {
    for (const auto& event : append.events) {
      if (event.has_engagement_opened()) {
        std::printf("    %s  %s\n", append.stream.c_str(),
                    event.engagement_opened().title().c_str());
      }
    }
  }
  std::printf("Try: ledgerctl read --org=%s --type=decision_recorded\n", demo::kOrganisation);
  return kExitOk;
}

}  // namespace ctl
