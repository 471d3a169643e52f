// Transport and identity as a caller meets them: TLS only (plain text refused at start unless
// local and on loopback), mutual TLS naming the caller by its certificate's SAN, and tokens that
// are missing, expired, forged, for another audience or "alg: none" refused as UNAUTHENTICATED
// without changing anything.
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/privacy.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/checkpoint.h"
#include "services/token_signer.h"
#include "tests/integration/secure_ledger.h"
#include "tests/test_support.h"

namespace {

using namespace engagement::v1;  // NOLINT

constexpr char kPolicy[] = R"(
principals { token_subject: "recorder@qwe" grants { role: ROLE_RECORDER organisations: "QWE" } }
principals { certificate_san: "spiffe://qwe.test/crm"
             grants { role: ROLE_RECORDER organisations: "QWE" }
             grants { role: ROLE_AUDITOR organisations: "QWE" } }
)";

class TransportSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = std::make_unique<testing_support::SecureLedger>(dir_, kPolicy);
    ASSERT_TRUE(ledger_->started()) << ledger_->status();
  }

  grpc::Status Info(const std::shared_ptr<grpc::Channel>& channel, GetLedgerInfoResponse* info) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return LedgerService::NewStub(channel)->GetLedgerInfo(&context, {}, info);
  }

  grpc::Status AppendSession(const std::shared_ptr<grpc::Channel>& channel) {
    AppendEventsRequest request;
    request.set_stream("engagement-" + testing_support::TestEngagement());
    request.mutable_expected()->set_state(EXPECTED_STATE_ANY);
    *request.add_events() = testing_support::EngagementOpened(ledger::NewUuid());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    AppendEventsResponse response;
    return LedgerService::NewStub(channel)->AppendEvents(&context, request, &response);
  }

  uint64_t Head() {
    GetLedgerInfoResponse info;
    EXPECT_TRUE(Info(ledger_->Channel(ledger_->Token("recorder@qwe")), &info).ok());
    return info.head_position();
  }

  testing_support::TempDir dir_;
  std::unique_ptr<testing_support::SecureLedger> ledger_;
};

TEST_F(TransportSecurityTest, ATokenOverTlsIsServed) {
  EXPECT_TRUE(AppendSession(ledger_->Channel(ledger_->Token("recorder@qwe"))).ok());
  EXPECT_EQ(Head(), 1u);
}

TEST_F(TransportSecurityTest, BadTokensAreUnauthenticatedAndChangeNothing) {
  ASSERT_TRUE(AppendSession(ledger_->Channel(ledger_->Token("recorder@qwe"))).ok());
  const uint64_t head = Head();
  const services::TokenSigner& issuer = ledger_->issuer();
  auto claims = [](const std::string& aud, int64_t exp) {
    return absl::StrCat(R"({"iss":"https://issuer.test.invalid","sub":"recorder@qwe","aud":")",
                        aud, R"(","exp":)", exp, "}");
  };
  const int64_t later = absl::ToUnixSeconds(absl::Now()) + 3600;
  const int64_t expired = absl::ToUnixSeconds(absl::Now()) - 3600;
  auto other_issuer = *services::TokenSigner::GenerateEs256("test-1");  // same kid, other key
  std::string good = ledger_->Token("recorder@qwe");
  std::string payload = good.substr(good.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  const std::map<std::string, std::string> bad = {
      {"expired", *issuer.SignRaw(R"({"alg":"ES256","kid":"test-1"})", claims(testing_support::kTestAudience, expired))},
      {"wrong audience", *issuer.SignRaw(R"({"alg":"ES256","kid":"test-1"})", claims("another-service", later))},
      {"forged", *other_issuer->SignRaw(R"({"alg":"ES256","kid":"test-1"})", claims(testing_support::kTestAudience, later))},
      {"alg none", absl::StrCat(services::Base64Url(R"({"alg":"none"})"), ".", payload, ".")},
      {"garbage", "not-a-token"},
  };
  for (const auto& [name, token] : bad) {
    grpc::Status status = AppendSession(ledger_->Channel(token));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name << ": " << status.error_message();
    EXPECT_EQ(status.error_message().find("recorder@qwe"), std::string::npos) << name;
  }
  EXPECT_EQ(AppendSession(ledger_->Channel("")).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Head(), head);
}

TEST_F(TransportSecurityTest, AClientCertificateIdentifiesTheCallerByItsSan) {
  auto channel = ledger_->Channel("", "crm");
  grpc::ClientContext context;
  GetCallerResponse caller;
  grpc::Status status = PrivacyService::NewStub(channel)->GetCaller(&context, {}, &caller);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(caller.identity(), "certificate:spiffe://qwe.test/crm");
  EXPECT_TRUE(AppendSession(channel).ok());
}

TEST_F(TransportSecurityTest, ACertificateFromAnotherCaOrPlainTextGetsNoConnection) {
  // Same SAN, signed by a CA the server does not trust: the handshake fails.
  GetLedgerInfoResponse info;
  EXPECT_EQ(Info(ledger_->Channel("", "rogue"), &info).error_code(), grpc::StatusCode::UNAVAILABLE);
  // Plain text to a TLS port.
  services::ClientCredentials plain;
  plain.token = ledger_->Token("recorder@qwe");
  EXPECT_EQ(Info(*services::MakeChannel(ledger_->address(), plain), &info).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerStartTest, PlainTextIsRefusedUnlessLocalAndOnLoopback) {
  testing_support::TempDir dir;
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("data");
  auto refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--tls_cert"), absl::string_view::npos) << refused.status();
  options.security.insecure_local = true;
  options.listen = "0.0.0.0:0";
  refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("loopback"), absl::string_view::npos) << refused.status();
  EXPECT_NE(refused.status().message().find("--tls_cert"), absl::string_view::npos) << refused.status();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("data/log"))) << "nothing was opened";
}

TEST(ServerStartTest, OutsideLocalModeAPolicyAndAMasterKeyApartFromTheDataAreRequired) {
  testing_support::TempDir dir;
  testing_support::MakeCa(dir.path(), "ca");
  testing_support::MakeCertificate(dir.path(), "ca", "server", "IP:127.0.0.1");
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("data");
  options.security.tls_cert_file = dir.Sub("server.pem");
  options.security.tls_key_file = dir.Sub("server.key");
  options.security.client_ca_file = dir.Sub("ca.pem");
  auto refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--policy_file"), absl::string_view::npos);
  testing_support::WriteText(dir.Sub("policy.textproto"), "");
  options.security.policy_file = dir.Sub("policy.textproto");
  refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("master key"), absl::string_view::npos) << refused.status();
  std::filesystem::create_directories(dir.Sub("data"));
  testing_support::WriteText(dir.Sub("data/master.key"), std::string(64, 'b'));
  options.security.master_key_file = dir.Sub("data/master.key");
  refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("inside the data directory"), absl::string_view::npos)
      << refused.status();
  // The checkpoint signing key: required, existing, and apart from the data too.
  testing_support::WriteText(dir.Sub("master.key"), std::string(64, 'b'));
  options.security.master_key_file = dir.Sub("master.key");
  refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--checkpoint_key is required"), absl::string_view::npos)
      << refused.status();
  options.checkpoint_key_file = dir.Sub("data/checkpoint.key");
  ASSERT_TRUE(ledger::CheckpointSigner::GenerateKeyFile(options.checkpoint_key_file).ok());
  refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("is inside the data directory"), absl::string_view::npos)
      << refused.status();
  options.checkpoint_key_file = dir.Sub("missing.key");
  refused = services::LedgerServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("does not exist"), absl::string_view::npos)
      << refused.status();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("missing.key"))) << "never made outside local mode";
}

}  // namespace
