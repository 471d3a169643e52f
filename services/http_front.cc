#include "services/http_front.h"

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "services/http_listen.h"
#include "services/json_api.h"
#include "web/console.h"

namespace services {

absl::StatusOr<std::unique_ptr<HttpFrontEnd>> HttpFrontEnd::Start(
    const HttpFrontOptions& options, std::shared_ptr<grpc::Channel> channel) {
  std::unique_ptr<HttpFrontEnd> front(new HttpFrontEnd());
  if (!options.tls_cert_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                    options.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--http_listen: cannot serve TLS with ", options.tls_cert_file, " and its key"));
    }
    front->server_ = std::move(tls);
  } else {
    front->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *front->server_;
  // Each streaming call holds a worker; leave as many again for everything else.
  const size_t workers = static_cast<size_t>(options.max_streams) + 16;
  http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  http.set_payload_max_length(options.max_body_bytes);
  // httplib bounds a body by its Content-Length only: a chunked one (no length) is refused before
  // it is read.
  http.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.get_header_value("Transfer-Encoding").find("chunked") == std::string::npos) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    response.status = 411;
    response.set_content(
        "{\"error\":{\"code\":411,\"status\":\"INVALID_ARGUMENT\",\"message\":\"send the "
        "body with a Content-Length, not chunked\"}}\n",
        "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_read_timeout(30, 0);
  http.set_write_timeout(30, 0);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"}});
  if (options.console) {
    web::ConsoleOptions console;
    console.tls = !options.tls_cert_file.empty();
    console.local_credentials_directory = options.local_credentials_directory;
    console.oidc_issuer = options.oidc_issuer;
    console.oidc_client_id = options.oidc_client_id;
    console.oidc_redirect_uri = options.oidc_redirect_uri;
    console.oidc_ca_file = options.oidc_ca_file;
    front->console_ = std::make_unique<web::Console>(channel, console);
    front->console_->Register(http);
  }
  front->api_ = std::make_unique<JsonApi>(std::move(channel), options.max_streams);
  front->api_->Register(http);
  absl::StatusOr<int> port = BindHttp(http, options.listen, "--http_listen");
  if (!port.ok()) return port.status();
  front->port_ = *port;
  front->thread_ = std::thread([raw = front.get()] { raw->server_->listen_after_bind(); });
  return front;
}

void HttpFrontEnd::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpFrontEnd::~HttpFrontEnd() { Stop(); }

}  // namespace services
