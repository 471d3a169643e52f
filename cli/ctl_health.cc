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

}  // namespace ctl
