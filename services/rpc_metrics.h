// RpcMetrics: how long each gRPC call took, by method and status code, for the metrics page.
//
// A server interceptor starts the clock when a call arrives and stops it when its status is sent,
// so an AppendEvents figure covers validation, the group commit and its fsync. For a stream
// (SubscribeLog) the figure is the stream's life.
//
// Thread safety: all methods may be called concurrently. The factory is owned by the server
// builder; the RpcMetrics it feeds must outlive the server.
#ifndef ENGAGEMENT_SERVICES_RPC_METRICS_H_
#define ENGAGEMENT_SERVICES_RPC_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "services/metrics_text.h"

namespace services {

class RpcMetrics {
 public:
  void Observe(const std::string& method, grpc::StatusCode code, double seconds);
  // Writes ledger_rpc_duration_seconds (a histogram per method and code).
  void WriteTo(MetricsText& out) const;

 private:
  mutable absl::Mutex mu_;
  // Histograms never move once made (std::map nodes are stable), so Observe holds the lock only
  // to find its histogram.
  std::map<std::pair<std::string, int>, std::unique_ptr<Histogram>> histograms_
      ABSL_GUARDED_BY(mu_);
};

class RpcMetricsFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsFactory(RpcMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  RpcMetrics* const metrics_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_RPC_METRICS_H_
