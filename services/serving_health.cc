#include "services/serving_health.h"

#include <grpcpp/health_check_service_interface.h>

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/strings/str_cat.h"
#include "services/logging.h"

namespace services {

void ServingHealth::Attach(grpc::HealthCheckServiceInterface* service) {
  absl::MutexLock lock(&mu_);
  service_ = service;
  Publish();
}

void ServingHealth::Set(absl::string_view source, absl::string_view message) {
  absl::MutexLock lock(&mu_);
  auto it = problems_.find(source);
  if (it != problems_.end() && it->second.message == message) return;
  HealthProblem problem{std::string(source), std::string(message),
                        it != problems_.end() ? it->second.since : absl::Now()};
  problems_[std::string(source)] = problem;
  LogWarning(absl::StrCat("NOT SERVING: ", problem.source, ": ", problem.message));
  Publish();
}

void ServingHealth::Clear(absl::string_view source) {
  absl::MutexLock lock(&mu_);
  auto it = problems_.find(source);
  if (it == problems_.end()) return;
  problems_.erase(it);
  LogInfo(absl::StrCat(source, ": the problem is gone"));
  Publish();
}

bool ServingHealth::Serving() const {
  absl::MutexLock lock(&mu_);
  return problems_.empty();
}

std::vector<HealthProblem> ServingHealth::Problems() const {
  absl::MutexLock lock(&mu_);
  std::vector<HealthProblem> problems;
  for (const auto& [source, problem] : problems_) problems.push_back(problem);
  return problems;
}

void ServingHealth::Publish() {
  if (service_ != nullptr) service_->SetServingStatus(problems_.empty());
}

}  // namespace services
