// RequestParseCheck: a server interceptor that answers a request which does not parse with
// INVALID_ARGUMENT and a message saying so.
//
// Without it gRPC answers such a request (random bytes, invalid UTF-8 in a string field, messages
// nested past protobuf's depth limit) with UNIMPLEMENTED and an empty message on a callback
// method, and INTERNAL with an empty message on a synchronous one: neither tells the caller that
// the fault is in its request. The interceptor changes only the status of calls whose request
// failed to parse; the handler never ran for them, so nothing else changes.
//
// Only unary and server-streaming methods are checked: for them the server parses exactly one
// request before the handler runs. (A client stream's end also arrives as "no message".)
#ifndef ENGAGEMENT_SERVICES_REQUEST_PARSE_CHECK_H_
#define ENGAGEMENT_SERVICES_REQUEST_PARSE_CHECK_H_

#include <grpcpp/support/server_interceptor.h>

namespace services {

class RequestParseCheckFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_REQUEST_PARSE_CHECK_H_
