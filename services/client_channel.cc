#include "services/client_channel.h"

#include <grpcpp/support/client_interceptor.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace services {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(what, " ", path, " cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Adds the bearer token to every call's initial metadata.
class BearerInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(const std::string* header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *header_});
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;
};

class BearerInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(std::string token) : header_(absl::StrCat("Bearer ", token)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new BearerInterceptor(&header_);
  }

 private:
  // Lives as long as the channel, which owns the factory.
  const std::string header_;
};

}  // namespace

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, "token file");
  if (!text.ok()) return text.status();
  return std::string(absl::StripAsciiWhitespace(*text));
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target,
                                                           const ClientCredentials& credentials,
                                                           const grpc::ChannelArguments& arguments) {
  std::shared_ptr<grpc::ChannelCredentials> transport = grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args = arguments;
  if (credentials.tls || !credentials.ca_file.empty() || !credentials.cert_file.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!credentials.ca_file.empty()) {
      absl::StatusOr<std::string> ca = ReadFile(credentials.ca_file, "CA file");
      if (!ca.ok()) return absl::InvalidArgumentError(ca.status().message());
      ssl.pem_root_certs = *ca;
    }
    if (!credentials.cert_file.empty() || !credentials.key_file.empty()) {
      absl::StatusOr<std::string> cert = ReadFile(credentials.cert_file, "certificate file");
      absl::StatusOr<std::string> key = ReadFile(credentials.key_file, "key file");
      if (!cert.ok()) return absl::InvalidArgumentError(cert.status().message());
      if (!key.ok()) return absl::InvalidArgumentError(key.status().message());
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    transport = grpc::SslCredentials(ssl);
    if (!credentials.server_name.empty()) {
      args.SetSslTargetNameOverride(credentials.server_name);
    }
  }
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  if (!credentials.token.empty()) {
    interceptors.push_back(std::make_unique<BearerInterceptorFactory>(credentials.token));
  }
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, transport, args,
                                                                 std::move(interceptors));
}

}  // namespace services
