// HttpFrontEnd: ledgerd's HTTP(S) listener for people and for systems without gRPC: the JSON API
// (json_api.h) under /v1/, and the web console (web/console.h) at /. Both reach the services
// through one in-process gRPC channel, so what they may do is what gRPC allows (json_api.h).
//
// TLS with the gRPC listener's certificate and key; plain HTTP only in local mode, on loopback
// (the caller checks). Requests are read with a body of at most `max_body_bytes`.
//
// Ownership: owns the listener, its threads, the JSON API and the console. Stop() (or the
// destructor) returns once every worker has ended; call it after the gRPC server has shut down
// (which ends the calls the workers may be waiting on).
#ifndef ENGAGEMENT_SERVICES_HTTP_FRONT_H_
#define ENGAGEMENT_SERVICES_HTTP_FRONT_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace grpc {
class Channel;
}
namespace httplib {
class Server;
}
namespace web {
class Console;
}

namespace services {

class JsonApi;

struct HttpFrontOptions {
  // host:port; port 0 picks one.
  std::string listen;
  // PEM files; both empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Streaming calls open at once (reads, subscriptions); each holds a worker thread.
  int max_streams = 64;
  size_t max_body_bytes = 17 << 20;
  // The web console (web/console.h): served at / when set.
  bool console = true;
  // Local mode: the console offers a local sign-in with the tokens in this directory.
  std::string local_credentials_directory;
  // The console's sign-in through an OpenID Connect issuer (authorization code flow with PKCE).
  std::string oidc_issuer;
  std::string oidc_client_id;
  std::string oidc_redirect_uri;
  std::string oidc_ca_file;
};

class HttpFrontEnd {
 public:
  static absl::StatusOr<std::unique_ptr<HttpFrontEnd>> Start(
      const HttpFrontOptions& options, std::shared_ptr<grpc::Channel> channel);
  ~HttpFrontEnd();
  void Stop();
  int port() const { return port_; }

 private:
  HttpFrontEnd() = default;
  std::unique_ptr<JsonApi> api_;
  std::unique_ptr<web::Console> console_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_HTTP_FRONT_H_
