// Bearer tokens: which JWTs the verifier accepts from the issuer's JWKS, and that forged, expired,
// misdirected or malformed ones are refused as UNAUTHENTICATED without saying what they held.
#include "services/token_verifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/token_signer.h"

namespace services {
namespace {

using json = nlohmann::json;

constexpr char kIssuer[] = "https://login.qwe.example/realms/nhs";
constexpr char kAudience[] = "engagement-ledger";
constexpr char kSubject[] = "crm-service-7f3a";
const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01 00:00 UTC

std::unique_ptr<TokenSigner> Es256(const std::string& kid) {
  auto signer = TokenSigner::GenerateEs256(kid);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

// A new RSA-2048 key, through PEM as an operator would give it.
std::unique_ptr<TokenSigner> Rs256(const std::string& kid) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, len);
  BIO_free(bio);
  EVP_PKEY_free(key);
  auto signer = TokenSigner::FromPem(pem, kid);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

TokenVerifierOptions Options() {
  TokenVerifierOptions options;
  options.issuer = kIssuer;
  options.audience = kAudience;
  return options;  // the default clock skew, 60 s
}

std::unique_ptr<TokenVerifier> VerifierFor(absl::string_view jwks) {
  auto verifier = TokenVerifier::FromJwks(Options(), jwks);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return verifier.ok() ? *std::move(verifier) : nullptr;
}

// The claims of a good token, valid for five minutes from kNow.
json GoodClaims() {
  return {{"iss", kIssuer},
          {"aud", kAudience},
          {"sub", kSubject},
          {"iat", absl::ToUnixSeconds(kNow)},
          {"exp", absl::ToUnixSeconds(kNow + absl::Minutes(5))}};
}

json Header(const TokenSigner& signer, const std::string& kid) {
  return {{"alg", signer.algorithm()}, {"typ", "JWT"}, {"kid", kid}};
}

std::string SignedBy(const TokenSigner& signer, const json& claims, const std::string& kid = "key-1") {
  auto token = signer.SignRaw(Header(signer, kid).dump(), claims.dump());
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

class TokenVerifierTest : public ::testing::Test {
 protected:
  // Refused as UNAUTHENTICATED, without the token or its subject in the message.
  void ExpectRefused(absl::string_view token, absl::Time now = kNow) {
    absl::StatusOr<VerifiedToken> verified = verifier_->Verify(token, now);
    ASSERT_FALSE(verified.ok()) << "accepted: " << token;
    EXPECT_TRUE(absl::IsUnauthenticated(verified.status())) << verified.status();
    EXPECT_FALSE(absl::StrContains(verified.status().message(), kSubject)) << verified.status();
    if (token.size() >= 8) {
      EXPECT_FALSE(absl::StrContains(verified.status().message(), token)) << verified.status();
      for (absl::string_view part : absl::StrSplit(token, '.')) {
        if (part.size() >= 8) {
          EXPECT_FALSE(absl::StrContains(verified.status().message(), part)) << verified.status();
        }
      }
    }
  }

  void ExpectAccepted(absl::string_view token, absl::Time now = kNow) {
    absl::StatusOr<VerifiedToken> verified = verifier_->Verify(token, now);
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(verified->subject, kSubject);
  }

  std::unique_ptr<TokenSigner> signer_ = Es256("key-1");
  std::unique_ptr<TokenVerifier> verifier_ = VerifierFor(*signer_->Jwks());
};

TEST_F(TokenVerifierTest, AGoodEs256TokenVerifiesAndNamesItsSubjectAndExpiry) {
  TokenClaims claims{kIssuer, kAudience, kSubject, kNow, kNow + absl::Minutes(5)};
  auto token = signer_->Sign(claims);
  ASSERT_TRUE(token.ok()) << token.status();
  absl::StatusOr<VerifiedToken> verified = verifier_->Verify(*token, kNow);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->subject, kSubject);
  EXPECT_EQ(verified->expires, kNow + absl::Minutes(5));
}

TEST_F(TokenVerifierTest, AGoodRs256TokenVerifies) {
  std::unique_ptr<TokenSigner> rsa = Rs256("rsa-1");
  ASSERT_EQ(rsa->algorithm(), "RS256");
  verifier_ = VerifierFor(*rsa->Jwks());
  ExpectAccepted(SignedBy(*rsa, GoodClaims(), "rsa-1"));
  // An ES256 token is not accepted by a JWKS that holds only the RSA key.
  ExpectRefused(SignedBy(*signer_, GoodClaims(), "rsa-1"));
}

TEST_F(TokenVerifierTest, AnExpiredTokenIsRefusedOnceBeyondTheClockSkew) {
  json expired = GoodClaims();
  expired["exp"] = absl::ToUnixSeconds(kNow - absl::Seconds(61));
  ExpectRefused(SignedBy(*signer_, expired));
  json just_expired = GoodClaims();
  just_expired["exp"] = absl::ToUnixSeconds(kNow - absl::Seconds(59));
  ExpectAccepted(SignedBy(*signer_, just_expired));
}

TEST_F(TokenVerifierTest, ATokenNotValidYetIsRefusedBeyondTheClockSkew) {
  json early = GoodClaims();
  early["nbf"] = absl::ToUnixSeconds(kNow + absl::Seconds(120));
  ExpectRefused(SignedBy(*signer_, early));
  json nearly = GoodClaims();
  nearly["nbf"] = absl::ToUnixSeconds(kNow + absl::Seconds(30));
  ExpectAccepted(SignedBy(*signer_, nearly));
  json not_a_time = GoodClaims();
  not_a_time["nbf"] = "soon";
  ExpectRefused(SignedBy(*signer_, not_a_time));
}

TEST_F(TokenVerifierTest, ATokenForAnotherAudienceIsRefused) {
  json claims = GoodClaims();
  claims["aud"] = "payroll";
  ExpectRefused(SignedBy(*signer_, claims));
  claims.erase("aud");
  ExpectRefused(SignedBy(*signer_, claims));
}

TEST_F(TokenVerifierTest, ATokenFromAnotherIssuerIsRefused) {
  json claims = GoodClaims();
  claims["iss"] = "https://login.elsewhere.example";
  ExpectRefused(SignedBy(*signer_, claims));
  claims.erase("iss");
  ExpectRefused(SignedBy(*signer_, claims));
}

TEST_F(TokenVerifierTest, AnAudienceListIsAcceptedWhenItNamesThisService) {
  json claims = GoodClaims();
  claims["aud"] = {"payroll", kAudience};
  ExpectAccepted(SignedBy(*signer_, claims));
  claims["aud"] = {"payroll", "rostering"};
  ExpectRefused(SignedBy(*signer_, claims));
}

TEST_F(TokenVerifierTest, AnUnsignedTokenWithAlgNoneIsRefused) {
  for (const char* alg : {"none", "None", "NONE"}) {
    std::string token = absl::StrCat(Base64Url(json{{"alg", alg}, {"typ", "JWT"}}.dump()), ".",
                                     Base64Url(GoodClaims().dump()), ".");
    ExpectRefused(token);
  }
}

TEST_F(TokenVerifierTest, AnHs256TokenKeyedWithThePublicKeyIsRefused) {
  // The key-confusion attack: a verifier that let the token choose HMAC would take the public
  // key, which anyone can read from the JWKS, as the shared secret.
  std::string jwks = *signer_->Jwks();
  std::vector<std::string> secrets = {jwks, json::parse(jwks)["keys"][0].dump()};
  for (const std::string& secret : secrets) {
    std::string input = absl::StrCat(Base64Url(json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "key-1"}}.dump()),
                                     ".", Base64Url(GoodClaims().dump()));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    ASSERT_NE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                   reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len),
              nullptr);
    ExpectRefused(absl::StrCat(input, ".",
                               Base64Url(absl::string_view(reinterpret_cast<char*>(mac), mac_len))));
  }
}

TEST_F(TokenVerifierTest, ATokenSignedByAnotherKeyWithTheSameKidIsRefused) {
  std::unique_ptr<TokenSigner> impostor = Es256("key-1");
  ExpectRefused(SignedBy(*impostor, GoodClaims(), "key-1"));
  ExpectRefused(SignedBy(*impostor, GoodClaims(), ""));
}

TEST_F(TokenVerifierTest, ATokenWhoseClaimsWereAlteredIsRefused) {
  std::vector<std::string> parts = absl::StrSplit(SignedBy(*signer_, GoodClaims()), '.');
  ASSERT_EQ(parts.size(), 3u);
  json altered = GoodClaims();
  altered["sub"] = "privacy-officer-1";
  ExpectRefused(absl::StrJoin({parts[0], Base64Url(altered.dump()), parts[2]}, "."));
  // The same claims, but a signature with one bit flipped.
  std::string signature;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[2], &signature));
  signature[10] ^= 0x01;
  ExpectRefused(absl::StrJoin({parts[0], parts[1], Base64Url(signature)}, "."));
}

TEST_F(TokenVerifierTest, ATokenWithoutAnExpiryIsRefused) {
  json claims = GoodClaims();
  claims.erase("exp");
  ExpectRefused(SignedBy(*signer_, claims));
  claims["exp"] = "tomorrow";
  ExpectRefused(SignedBy(*signer_, claims));
}

TEST_F(TokenVerifierTest, ATokenWithoutASubjectIsRefused) {
  json claims = GoodClaims();
  claims.erase("sub");
  ExpectRefused(SignedBy(*signer_, claims));
  claims["sub"] = "";
  ExpectRefused(SignedBy(*signer_, claims));
  claims["sub"] = 42;
  ExpectRefused(SignedBy(*signer_, claims));
}

TEST_F(TokenVerifierTest, MalformedTokensAreRefusedWithoutCrashing) {
  std::string good = SignedBy(*signer_, GoodClaims());
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  const std::vector<std::string> garbage = {
      "", ".", "..", "a.b", "a.b.c", "a.b.c.d", "Bearer " + good, good + ".", good + "=",
      "!!!!.$$$$.****", absl::StrCat(parts[0], "+/.", parts[1], ".", parts[2]),
      absl::StrCat(Base64Url("not json"), ".", parts[1], ".", parts[2]),
      absl::StrCat(Base64Url("[\"ES256\"]"), ".", parts[1], ".", parts[2]),
      absl::StrCat(parts[0], ".", Base64Url("not json"), ".", parts[2]),
      absl::StrCat(parts[0], ".", parts[1], ".", Base64Url("short")),
      std::string(20000, 'a'), std::string("\0\0.\0.\0", 6)};
  for (const std::string& token : garbage) {
    SCOPED_TRACE(token.substr(0, 60));
    ExpectRefused(token);
  }
  ExpectAccepted(good);  // and the verifier still works
}

TEST(TokenVerifierJwksTest, AJwksThatIsNotJsonOrHasNoUsableKeyIsRefused) {
  const std::vector<std::string> unusable = {
      "", "not json", "[]", "{}", R"({"keys": {}})", R"({"keys": []})",
      R"({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})",
      R"({"keys": [{"kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"}]})",
      R"({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}]})",
      R"({"keys": [{"kty": "RSA", "n": "AQAB"}]})"};
  for (const std::string& jwks : unusable) {
    auto verifier = TokenVerifier::FromJwks(Options(), jwks);
    EXPECT_TRUE(absl::IsInvalidArgument(verifier.status())) << jwks << ": " << verifier.status();
  }
  // A good key meant only for encryption is no signing key either.
  json enc = json::parse(*Es256("key-1")->Jwks());
  enc["keys"][0]["use"] = "enc";
  EXPECT_TRUE(absl::IsInvalidArgument(
      TokenVerifier::FromJwks(Options(), enc.dump()).status()));
}

TEST(TokenVerifierJwksTest, AJwksWithTwoKeysChecksEachTokenWithTheKeyItsKidNames) {
  std::unique_ptr<TokenSigner> a = Es256("key-a"), b = Es256("key-b");
  json jwks = json::parse(*a->Jwks());
  jwks["keys"].push_back(json::parse(*b->Jwks())["keys"][0]);
  std::unique_ptr<TokenVerifier> verifier = VerifierFor(jwks.dump());
  ASSERT_NE(verifier, nullptr);
  auto by_a = verifier->Verify(SignedBy(*a, GoodClaims(), "key-a"), kNow);
  auto by_b = verifier->Verify(SignedBy(*b, GoodClaims(), "key-b"), kNow);
  EXPECT_TRUE(by_a.ok()) << by_a.status();
  EXPECT_TRUE(by_b.ok()) << by_b.status();
  for (const std::string& wrong : {SignedBy(*b, GoodClaims(), "key-a"),
                                   SignedBy(*a, GoodClaims(), "key-c"),
                                   SignedBy(*a, GoodClaims(), "")}) {
    EXPECT_TRUE(absl::IsUnauthenticated(verifier->Verify(wrong, kNow).status()));
  }
}

TEST_F(TokenVerifierTest, ACachedTokenIsRefusedOnceItExpires) {
  std::string token = SignedBy(*signer_, GoodClaims());  // expires kNow + 5 min
  ExpectAccepted(token);
  ExpectAccepted(token, kNow + absl::Minutes(5));  // from the cache, within the skew
  ExpectRefused(token, kNow + absl::Minutes(5) + absl::Seconds(61));
  ExpectRefused(token, kNow + absl::Minutes(5) + absl::Seconds(62));  // and not cached again
}

}  // namespace
}  // namespace services
