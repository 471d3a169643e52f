#include "services/metrics_http.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "services/http_listen.h"

namespace services {
namespace {

bool SameSecret(const std::string& given, const std::string& expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, const std::string& token, const LedgerMetrics* metrics) {
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  server->server_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *server->server_;
  http.set_payload_max_length(1024);
  http.set_read_timeout(5, 0);
  http.Get("/metrics", [metrics, token](const httplib::Request& request,
                                        httplib::Response& response) {
    if (!token.empty() &&
        !SameSecret(request.get_header_value("Authorization"), absl::StrCat("Bearer ", token))) {
      response.status = 401;
      response.set_header("WWW-Authenticate", "Bearer");
      response.set_content("a bearer token is required (ledgerd --metrics_token_file)\n",
                           "text/plain");
      return;
    }
    response.set_content(metrics->Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  absl::StatusOr<int> port = BindHttp(http, listen, "--metrics_listen");
  if (!port.ok()) return port.status();
  server->port_ = *port;
  server->thread_ = std::thread([raw = server.get()] { raw->server_->listen_after_bind(); });
  return server;
}

void MetricsHttpServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

}  // namespace services
