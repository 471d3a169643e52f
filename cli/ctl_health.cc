// ledgerctl health: whether ledgerd can be trusted to serve, and if not, why (admins, auditors).
#include <cstdio>

#include "absl/time/time.h"
#include "cli/ctl_commands.h"
#include "engagement/v1/operations.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace ctl {

int Health(const Options& options) {
  auto stub = engagement::v1::OperationsService::NewStub(Channel(options));
  grpc::ClientContext context;
  SetDeadline(&context, options);
  engagement::v1::GetHealthResponse response;
  grpc::Status status = stub->GetHealth(&context, {}, &response);
  if (!status.ok()) return Report(status, options);
  for (const auto& witness : response.witnesses()) {
    std::printf("witness %s (%s): ", witness.name().c_str(), witness.url().c_str());
    if (witness.cosigned_size() > 0) {
      std::printf("cosigned up to tree size %llu",
                  static_cast<unsigned long long>(witness.cosigned_size()));
    } else {
      std::printf("has cosigned nothing yet");
    }
    if (witness.has_last_cosigned()) {
      std::printf(", last at %s",
                  absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                   absl::FromUnixSeconds(witness.last_cosigned().seconds()),
                                   absl::UTCTimeZone())
                      .c_str());
    }
    if (!witness.last_error().empty()) std::printf("; LAST ERROR: %s", witness.last_error().c_str());
    std::printf("\n");
  }
  if (response.serving()) {
    std::printf("SERVING: no problem stands\n");
    return kExitOk;
  }
  std::printf("NOT SERVING:\n");
  for (const auto& problem : response.problems()) {
    std::printf("  %s (since %s): %s\n", problem.source().c_str(),
                absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                 absl::FromUnixSeconds(problem.since().seconds()),
                                 absl::UTCTimeZone())
                    .c_str(),
                problem.message().c_str());
  }
  return kExitFailed;
}

int Probe(bool liveness, const Options& options) {
  // The standard health service answers without credentials, so none are sent: a probe in a
  // container holds no token.
  Options anonymous = options;
  anonymous.credentials.token.clear();
  auto stub = grpc::health::v1::Health::NewStub(Channel(anonymous));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, {}, &response);
  if (!status.ok()) {
    std::printf("NO ANSWER from %s: %s\n", options.server.c_str(),
                status.error_message().c_str());
    return 1;
  }
  const bool serving = response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  std::printf("%s\n", serving ? "SERVING" : "NOT SERVING (ledgerctl health says why)");
  return serving || liveness ? kExitOk : 1;
}

}  // namespace ctl
