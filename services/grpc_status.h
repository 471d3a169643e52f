// Converts the ledger's absl::Status values into gRPC statuses at the service boundary.
#ifndef ENGAGEMENT_SERVICES_GRPC_STATUS_H_
#define ENGAGEMENT_SERVICES_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace services {

// Same code, same message (absl and gRPC share the canonical code numbers).
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_GRPC_STATUS_H_
