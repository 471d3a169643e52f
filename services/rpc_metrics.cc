#include "services/rpc_metrics.h"

#include <chrono>

#include "absl/strings/str_split.h"

namespace services {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(int code) {
  static const char* const kNames[] = {
      "OK",        "CANCELLED",         "UNKNOWN",           "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",    "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",       "DATA_LOSS",
      "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
}

class RpcTimer final : public grpc::experimental::Interceptor {
 public:
  RpcTimer(RpcMetrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), started_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
      metrics_->Observe(method_, methods->GetSendStatus().error_code(), took.count());
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* const metrics_;
  const std::string method_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace

void RpcMetrics::Observe(const std::string& method, grpc::StatusCode code, double seconds) {
  Histogram* histogram;
  {
    absl::MutexLock lock(&mu_);
    std::pair<std::string, int> key(method, static_cast<int>(code));
    // Callers choose the method path (an unknown one is answered UNIMPLEMENTED): past a bound,
    // new ones share one series, so that no caller can grow the page without limit.
    if (histograms_.size() >= 256 && histograms_.find(key) == histograms_.end()) {
      key.first = "/other/other";
    }
    std::unique_ptr<Histogram>& slot = histograms_[key];
    if (slot == nullptr) slot = std::make_unique<Histogram>(Histogram::LatencyBounds());
    histogram = slot.get();
  }
  histogram->Observe(seconds);
}

void RpcMetrics::WriteTo(MetricsText& out) const {
  out.Family("ledger_rpc_duration_seconds", "histogram",
             "gRPC calls by method and status code: seconds from arrival to status (for a "
             "stream, its life)");
  absl::MutexLock lock(&mu_);
  for (const auto& [key, histogram] : histograms_) {
    // "/engagement.v1.LedgerService/AppendEvents" -> service and method labels.
    std::vector<std::string> parts = absl::StrSplit(key.first, '/', absl::SkipEmpty());
    MetricLabels labels = {{"service", parts.size() == 2 ? parts[0] : ""},
                           {"method", parts.empty() ? key.first : parts.back()},
                           {"code", CodeName(key.second)}};
    histogram->WriteTo(out, "ledger_rpc_duration_seconds", labels);
  }
}

grpc::experimental::Interceptor* RpcMetricsFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcTimer(metrics_, info->method() != nullptr ? info->method() : "unknown");
}

}  // namespace services
