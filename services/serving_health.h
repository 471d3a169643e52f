// ServingHealth: whether the ledger can be trusted to serve right now, and if not, why.
//
// The parts that check the ledger while it serves (the projection check, the witnesses) set a
// problem under their own source name when they find one and clear it when it is gone. While any
// problem stands, the standard gRPC health service answers NOT_SERVING (for "" and every
// service), so that a load balancer or Kubernetes takes the instance out; OperationsService.
// GetHealth and `ledgerctl health` say why, and each change is written to stderr.
//
// Thread safety: all methods may be called concurrently. The health service, once attached, is
// not owned and must outlive this object or be detached (Attach(nullptr)).
#ifndef ENGAGEMENT_SERVICES_SERVING_HEALTH_H_
#define ENGAGEMENT_SERVICES_SERVING_HEALTH_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace grpc {
class HealthCheckServiceInterface;
}

namespace services {

struct HealthProblem {
  std::string source;   // e.g. "projections", "witness auditor.example.nhs.uk"
  std::string message;  // what is wrong and what to do; never personal data
  absl::Time since;
};

class ServingHealth {
 public:
  // Reports through `service` from now on (null: stop reporting).
  void Attach(grpc::HealthCheckServiceInterface* service);
  // Records (or replaces) the problem of `source`.
  void Set(absl::string_view source, absl::string_view message);
  // Removes the problem of `source`, if any.
  void Clear(absl::string_view source);
  bool Serving() const;
  std::vector<HealthProblem> Problems() const;

 private:
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  grpc::HealthCheckServiceInterface* service_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<std::string, HealthProblem, std::less<>> problems_ ABSL_GUARDED_BY(mu_);
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_SERVING_HEALTH_H_
