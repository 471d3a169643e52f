// An in-process ledgerd in local mode (plain text on loopback, local credentials made in
// DATA_DIR/local) and channels that call it as the local operator or privacy officer.
#ifndef ENGAGEMENT_TESTS_LOCAL_SERVER_H_
#define ENGAGEMENT_TESTS_LOCAL_SERVER_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/client_channel.h"
#include "services/ledger_server.h"

namespace testing_support {

inline services::ServerOptions LocalServerOptions(const std::string& data_dir) {
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir;
  options.security.insecure_local = true;
  return options;
}

// The token local mode issued to `name` ("operator" or "privacy-officer").
inline std::string LocalToken(const std::string& data_dir, const std::string& name = "operator") {
  absl::StatusOr<std::string> token =
      services::ReadTokenFile(absl::StrCat(data_dir, "/local/", name, ".token"));
  return token.ok() ? *token : "";
}

// A channel to `port` on loopback with `token` (none when empty).
inline std::shared_ptr<grpc::Channel> LocalChannel(int port, const std::string& token) {
  services::ClientCredentials credentials;
  credentials.token = token;
  return *services::MakeChannel(absl::StrCat("127.0.0.1:", port), credentials);
}

// The log's head position, as GetLedgerInfo gives it (0 when the call fails, which the test sees).
inline uint64_t HeadPosition(engagement::v1::LedgerService::Stub& stub) {
  grpc::ClientContext context;
  engagement::v1::GetLedgerInfoResponse info;
  EXPECT_TRUE(stub.GetLedgerInfo(&context, {}, &info).ok());
  return info.head_position();
}

inline std::shared_ptr<grpc::Channel> OperatorChannel(const services::LedgerServer& server,
                                                      const std::string& data_dir) {
  return LocalChannel(server.port(), LocalToken(data_dir));
}

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_LOCAL_SERVER_H_
