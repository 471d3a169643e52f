// JsonApi: every RPC of the public services as JSON over HTTP(S), for systems that do not speak
// gRPC. Routes are in http_routes.h, the request and answer mapping in json_transcoding.h.
//
// One implementation behind both transports: each HTTP request becomes a call of the same
// gRPC method on an in-process channel to the same server, carrying the request's
// "Authorization" header. So authentication (bearer tokens), roles, validation, limits, metrics
// and audit records are exactly those of gRPC, and a refusal is the same status, shown as its
// HTTP code with the message ({"error": {"code", "status", "message"}}).
//
// Server-streaming RPCs answer 200 with newline-delimited JSON (application/x-ndjson), one
// response message per line, then one last line {"end": {"status", "message", "continuation"}}
// whose continuation is the query parameter that resumes the read after the last line sent
// (as {"fromPosition": "124"}). A stream that fails before its first message answers with the
// error's HTTP code instead. A live subscription sends {"keepAlive": {}} after 15 s without
// events, which is also how it notices a caller that has gone.
//
// GET /v1/openapi.json is the OpenAPI description of all of it (openapi.h), served without
// credentials (it holds no data).
//
// Ownership: keeps the channel; Register() adds handlers to `http`, which must not outlive this.
// Thread safety: the handlers run on httplib's worker threads, concurrently.
#ifndef ENGAGEMENT_SERVICES_JSON_API_H_
#define ENGAGEMENT_SERVICES_JSON_API_H_

#include <atomic>
#include <memory>
#include <string>

namespace grpc {
class Channel;
}
namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace services {

class JsonApi {
 public:
  // `max_streams`: streaming calls (reads, subscriptions) open at once; one more is 429.
  JsonApi(std::shared_ptr<grpc::Channel> channel, int max_streams);
  ~JsonApi();

  void Register(httplib::Server& http);

 private:
  class Call;
  void Serve(const httplib::Request& request, httplib::Response& response);

  std::shared_ptr<grpc::Channel> channel_;
  const int max_streams_;
  std::shared_ptr<std::atomic<int>> open_streams_;
  std::string openapi_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_JSON_API_H_
