// ClientChannel: how a client of ledgerd (ledgerctl, the tests, the benchmarks) connects: TLS
// when asked for (the server's CA, and a client certificate for mutual TLS), and a bearer token
// sent with every call.
//
// The token goes in an "authorization: Bearer ..." header added by a channel interceptor, so that
// it is sent on plain-text loopback channels too (local mode, where gRPC's own call credentials
// refuse to send it). Nothing here logs a token.
#ifndef ENGAGEMENT_SERVICES_CLIENT_CHANNEL_H_
#define ENGAGEMENT_SERVICES_CLIENT_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace services {

struct ClientCredentials {
  std::string token;        // sent as a bearer token; empty sends none
  bool tls = false;         // TLS, verifying the server against ca_file (or the system's roots)
  std::string ca_file;
  std::string cert_file;    // a client certificate and its key, for mutual TLS
  std::string key_file;
  std::string server_name;  // the name to expect in the server's certificate; empty: the target's
};

// Reads a token file (white space trimmed). NOT_FOUND when it cannot be read.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// A channel to `target` with `credentials`. INVALID_ARGUMENT when a file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const ClientCredentials& credentials,
    const grpc::ChannelArguments& arguments = grpc::ChannelArguments());

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_CLIENT_CHANNEL_H_
