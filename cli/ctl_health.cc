// ledgerctl health: whether ledgerd can be trusted to serve, and if not, why (admins, auditors).
#include <cstdio>

#include "absl/time/time.h"
#include "cli/ctl_commands.h"
#include "engagement/v1/operations.grpc.pb.h"

namespace ctl {

int Health(const Options& options) {
  auto stub = engagement::v1::OperationsService::NewStub(Channel(options));
  grpc::ClientContext context;
  SetDeadline(&context, options);
  engagement::v1::GetHealthResponse response;
  grpc::Status status = stub->GetHealth(&context, {}, &response);
  if (!status.ok()) return Report(status, options);
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

}  // namespace ctl
