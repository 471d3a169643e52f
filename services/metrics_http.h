// MetricsHttpServer: serves LedgerMetrics at GET /metrics over plain HTTP (cpp-httplib), for
// Prometheus to scrape.
//
// It listens on its own port, apart from gRPC, so that a NetworkPolicy can open it to the
// monitoring namespace only. With a token, a scrape must send "Authorization: Bearer <token>"
// (Prometheus' authorization.credentials_file); others get 401. The page holds no personal data.
//
// Ownership: `metrics` is not owned and must outlive the server. Stop() (or the destructor)
// returns once the listening thread has ended.
#ifndef ENGAGEMENT_SERVICES_METRICS_HTTP_H_
#define ENGAGEMENT_SERVICES_METRICS_HTTP_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "services/ledger_metrics.h"

namespace httplib {
class Server;
}

namespace services {

class MetricsHttpServer {
 public:
  // Listens on `listen` (host:port; port 0 picks one). `token` empty: no token is asked for.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& listen,
                                                                  const std::string& token,
                                                                  const LedgerMetrics* metrics);
  ~MetricsHttpServer();
  void Stop();
  int port() const { return port_; }

 private:
  MetricsHttpServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_METRICS_HTTP_H_
