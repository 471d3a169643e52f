#include "services/request_parse_check.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace services {
namespace {

using grpc::experimental::InterceptionHookPoints;

class RequestParseCheck final : public grpc::experimental::Interceptor {
 public:
  explicit RequestParseCheck(std::string method) : method_(std::move(method)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparseable_ = true;
    }
    if (unparseable_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      methods->ModifySendStatus(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("request: is not a valid request message of ", method_,
                       " (it does not parse as protobuf: corrupted bytes, invalid UTF-8 in a "
                       "string field, or messages nested too deeply)")));
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  bool unparseable_ = false;
};

}  // namespace

grpc::experimental::Interceptor* RequestParseCheckFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  if (info->type() != Type::UNARY && info->type() != Type::SERVER_STREAMING) return nullptr;
  return new RequestParseCheck(info->method() != nullptr ? info->method() : "this method");
}

}  // namespace services
