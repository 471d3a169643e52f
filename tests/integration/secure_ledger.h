// A ledgerd (in-process) set up as it runs for real: TLS with a certificate made by the openssl
// CLI, mutual TLS against a client CA, bearer tokens from a test ES256 issuer, an access policy
// and a master key outside the data directory. Tests call it as identities the policy knows.
#ifndef ENGAGEMENT_TESTS_INTEGRATION_SECURE_LEDGER_H_
#define ENGAGEMENT_TESTS_INTEGRATION_SECURE_LEDGER_H_

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/client_channel.h"
#include "ledger/checkpoint.h"
#include "services/ledger_server.h"
#include "services/token_signer.h"
#include "tests/test_support.h"

namespace testing_support {

inline constexpr char kTestIssuer[] = "https://issuer.test.invalid";
inline constexpr char kTestAudience[] = "engagement-ledger";

// Runs a shell command; the test fails when it does.
inline void Shell(const std::string& command) {
  int code = std::system((command + " >/dev/null 2>&1").c_str());
  ASSERT_EQ(code, 0) << command;
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// A CA (ca.pem/ca.key) in `dir`, and a certificate `name`.pem/.key it signed, with `san`.
inline void MakeCertificate(const std::string& dir, const std::string& ca, const std::string& name,
                            const std::string& san) {
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  Shell(absl::StrCat("openssl req ", ec, " -keyout ", dir, "/", name, ".key -out ", dir, "/", name,
                     ".csr -subj /CN=", name));
  WriteText(absl::StrCat(dir, "/", name, ".ext"), absl::StrCat("subjectAltName=", san, "\n"));
  Shell(absl::StrCat("openssl x509 -req -in ", dir, "/", name, ".csr -CA ", dir, "/", ca,
                     ".pem -CAkey ", dir, "/", ca, ".key -CAcreateserial -out ", dir, "/", name,
                     ".pem -days 2 -extfile ", dir, "/", name, ".ext"));
}

inline void MakeCa(const std::string& dir, const std::string& ca) {
  Shell(absl::StrCat("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ",
                     dir, "/", ca, ".key -out ", dir, "/", ca, ".pem -days 2 -subj /CN=", ca));
}

class SecureLedger {
 public:
  // `policy` is the access policy's text. Starts the server; check started().
  SecureLedger(const TempDir& dir, const std::string& policy) : dir_(dir.path()) {
    MakeCa(dir_, "ca");
    MakeCertificate(dir_, "ca", "server", "IP:127.0.0.1,DNS:localhost");
    MakeCa(dir_, "client-ca");
    MakeCertificate(dir_, "client-ca", "crm", "URI:spiffe://qwe.test/crm");
    MakeCa(dir_, "rogue-ca");
    MakeCertificate(dir_, "rogue-ca", "rogue", "URI:spiffe://qwe.test/crm");
    issuer_ = *services::TokenSigner::GenerateEs256("test-1");
    WriteText(dir_ + "/jwks.json", *issuer_->Jwks());
    WriteText(dir_ + "/policy.textproto", policy);
    WriteText(dir_ + "/master.key", std::string(64, 'a') + "\n");
    EXPECT_TRUE(ledger::CheckpointSigner::GenerateKeyFile(dir_ + "/checkpoint.key").ok());
    options_.listen = "127.0.0.1:0";
    options_.http_listen = "127.0.0.1:0";  // the JSON API and the console, over the same TLS
    options_.data_dir = dir_ + "/data";
    options_.checkpoint_interval = absl::ZeroDuration();
    options_.checkpoint_key_file = dir_ + "/checkpoint.key";
    auto& security = options_.security;
    security.tls_cert_file = dir_ + "/server.pem";
    security.tls_key_file = dir_ + "/server.key";
    security.client_ca_file = dir_ + "/client-ca.pem";
    security.token_issuer = kTestIssuer;
    security.token_audience = kTestAudience;
    security.jwks_file = dir_ + "/jwks.json";
    security.policy_file = dir_ + "/policy.textproto";
    security.master_key_file = dir_ + "/master.key";
    auto server = services::LedgerServer::Start(options_);
    status_ = server.status();
    if (server.ok()) server_ = *std::move(server);
  }

  bool started() const { return server_ != nullptr; }
  const absl::Status& status() const { return status_; }
  services::LedgerServer& server() { return *server_; }
  const services::ServerOptions& options() const { return options_; }
  const std::string& dir() const { return dir_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", server_->port()); }
  int http_port() const { return server_->http_port(); }
  std::string ca_file() const { return dir_ + "/ca.pem"; }

  // A token for `subject` from the test issuer, valid now.
  std::string Token(const std::string& subject) const {
    services::TokenClaims claims;
    claims.issuer = kTestIssuer;
    claims.audience = kTestAudience;
    claims.subject = subject;
    claims.issued_at = absl::Now();
    claims.expires = absl::Now() + absl::Hours(1);
    return *issuer_->Sign(claims);
  }
  const services::TokenSigner& issuer() const { return *issuer_; }

  // A TLS channel that verifies the server, carrying `token` (none when empty) and, when
  // `certificate` is given ("crm", "rogue"), that client certificate.
  std::shared_ptr<grpc::Channel> Channel(const std::string& token,
                                         const std::string& certificate = "") const {
    services::ClientCredentials credentials;
    credentials.token = token;
    credentials.ca_file = dir_ + "/ca.pem";
    if (!certificate.empty()) {
      credentials.cert_file = absl::StrCat(dir_, "/", certificate, ".pem");
      credentials.key_file = absl::StrCat(dir_, "/", certificate, ".key");
    }
    return *services::MakeChannel(address(), credentials);
  }

 private:
  std::string dir_;
  std::unique_ptr<services::TokenSigner> issuer_;
  services::ServerOptions options_;
  absl::Status status_;
  std::unique_ptr<services::LedgerServer> server_;
};

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_INTEGRATION_SECURE_LEDGER_H_
