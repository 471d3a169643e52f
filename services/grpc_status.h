// Converts the ledger's absl::Status values into gRPC statuses at the service boundary.
#ifndef ENGAGEMENT_SERVICES_GRPC_STATUS_H_
#define ENGAGEMENT_SERVICES_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace services {

// A caller's text as an error message may show it: escaped, and cut after 64 bytes with the
// length said, so that an error never repeats a megabyte back (or anything that is not text).
inline std::string Shown(absl::string_view text) {
  constexpr size_t kShown = 64;
  if (text.size() <= kShown) return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kShown)), "\"... (", text.size(),
                      " bytes)");
}

// Same code, same message (absl and gRPC share the canonical code numbers).
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_GRPC_STATUS_H_
